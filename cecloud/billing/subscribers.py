"""What billing does when events are published: queue its Celery tasks; answer training's questions.

Imported by ``BillingConfig.ready()``; see ``cecloud.core.events``.
"""

from cecloud.training import events as training_events

from . import events, tasks
from .models import OrderLine


@events.order_trade_close_requested.subscribe
def queue_order_close_trade(*, order_id: int) -> None:
    tasks.order_close_trade_task.delay(order_id)


@events.refund_requested.subscribe
def queue_refund_execute(*, refund_id: int) -> None:
    tasks.refund_execute_task.delay(refund_id)


@events.invoice_issue_requested.subscribe
def queue_invoice_issue(*, invoice_id: int) -> None:
    tasks.invoice_issue_task.delay(invoice_id)


@events.invoice_reverse_requested.subscribe
def queue_invoice_reverse(*, invoice_id: int) -> None:
    tasks.invoice_reverse_task.delay(invoice_id)


@training_events.training_year_in_use.subscribe
def year_has_order_lines(*, training_year) -> bool:
    """Any order line (whatever its status) means someone registered for the year."""
    return OrderLine.objects.filter(training_year=training_year).exists()
