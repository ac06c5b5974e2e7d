"""Billing rules (writes). Views, admin, tasks and other apps call these, never the models directly.

- ``orders``: creating personal and unit orders, cancel, 24-hour expiry, starting a payment.
- ``payments``: the notification inbox, paying an order exactly once, reconciliation by query.
- ``refunds``: operator refunds and automatic refunds of late payments.
- ``invoices``: issuing electronic invoices and reversing them (红冲).
"""

from .invoices import (
    invoice_create_for_order,
    invoice_issue,
    invoice_request_reversal,
    invoice_retry,
    invoice_reverse,
    invoices_due_for_retry,
)
from .orders import (
    InvoiceInfo,
    clean_invoice_info,
    expire_if_due,
    new_order_no,
    order_cancel,
    order_clear_attention,
    order_create,
    order_create_for_unit,
    order_start_payment,
    orders_expire_due,
    transition,
)
from .payments import (
    ReceiveResult,
    notification_process,
    notification_receive,
    order_close_trade,
    order_reconcile,
    orders_reconcile_pending,
    payment_result_record,
)
from .refunds import order_refund_request, refund_blockers, refund_execute, refund_retry

__all__ = [
    "InvoiceInfo",
    "ReceiveResult",
    "clean_invoice_info",
    "expire_if_due",
    "invoice_create_for_order",
    "invoice_issue",
    "invoice_request_reversal",
    "invoice_retry",
    "invoice_reverse",
    "invoices_due_for_retry",
    "new_order_no",
    "notification_process",
    "notification_receive",
    "order_cancel",
    "order_clear_attention",
    "order_close_trade",
    "order_create",
    "order_create_for_unit",
    "order_reconcile",
    "order_refund_request",
    "order_start_payment",
    "orders_expire_due",
    "orders_reconcile_pending",
    "payment_result_record",
    "refund_blockers",
    "refund_execute",
    "refund_retry",
    "transition",
]
