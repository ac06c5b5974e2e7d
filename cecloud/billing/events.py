"""Billing events: work the billing services hand to background jobs (``billing/subscribers.py``
subscribes ``billing/tasks.py`` to them). Published after commit."""

from cecloud.core.events import Event

order_trade_close_requested = Event(
    "billing.order_trade_close_requested",
    fields=("order_id",),
    doc="An unpaid order was cancelled or expired: close its trade at the gateway (task order_close_trade).",
)
refund_requested = Event(
    "billing.refund_requested",
    fields=("refund_id",),
    doc="A refund was created: execute it at the gateway, retried with backoff (task refund_execute).",
)
invoice_issue_requested = Event(
    "billing.invoice_issue_requested",
    fields=("invoice_id",),
    doc="An invoice is waiting to be issued by the tax platform (task invoice_issue).",
)
invoice_reverse_requested = Event(
    "billing.invoice_reverse_requested",
    fields=("invoice_id",),
    doc="An issued invoice must be reversed (红冲) by the tax platform (task invoice_reverse).",
)
