"""Operators' back office for orders, payment notifications, refunds and invoices (requirements S11).

Everything here is read-only except through services: 退款 (a page per order, guarded by
``refund_blockers``), 重试退款, 重新开票 / 重新红冲, 标记已处理, and the daily reconciliation export.

* ``orders`` — orders (with their lines, invoices, refunds, notifications and events inline),
  refund, 标记已处理 and the reconciliation export; the inlines are in ``order_inlines``;
* ``inbox`` — the payment notifications and query results as received;
* ``refunds`` / ``invoices`` — the lists, with 重试退款 and 重新开票 / 重新红冲.
"""

from . import inbox, invoices, orders, refunds

__all__ = ["inbox", "invoices", "orders", "refunds"]
