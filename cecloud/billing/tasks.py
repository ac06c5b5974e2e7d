"""Billing background jobs (Celery). In the embedded default they run inline (eager) on commit.

Periodic (CELERY_BEAT_SCHEDULE in config/settings.py): ``billing.orders_expire_sweep`` every 5
minutes, ``billing.orders_reconcile`` every 10, ``billing.invoices_retry`` every 15.
"""

from __future__ import annotations

from celery import shared_task
from celery.exceptions import MaxRetriesExceededError

from .models import InvoiceStatus

RETRY_BACKOFF_SECONDS = 60
RETRY_BACKOFF_MAX = 3600


def _countdown(retries: int) -> int:
    return min(RETRY_BACKOFF_MAX, RETRY_BACKOFF_SECONDS * 2**retries)


@shared_task(name="billing.orders_expire_sweep")
def orders_expire_sweep() -> int:
    from .services import orders_expire_due

    return orders_expire_due()


@shared_task(name="billing.orders_reconcile")
def orders_reconcile() -> int:
    from .services import orders_reconcile_pending

    return orders_reconcile_pending()


@shared_task(name="billing.order_close_trade")
def order_close_trade_task(order_id: int) -> None:
    from .services import order_close_trade

    order_close_trade(order_id=order_id)


@shared_task(name="billing.refund_execute", bind=True, max_retries=8)
def refund_execute_task(self, refund_id: int) -> str:
    from .models import RefundStatus
    from .services import refund_execute

    refund = refund_execute(refund_id=refund_id)
    if refund.status == RefundStatus.FAILED and not self.request.is_eager:
        try:
            raise self.retry(countdown=_countdown(self.request.retries))
        except MaxRetriesExceededError:
            pass
    return refund.status


@shared_task(name="billing.invoice_issue", bind=True, max_retries=8)
def invoice_issue_task(self, invoice_id: int) -> str:
    from .services import invoice_issue

    invoice = invoice_issue(invoice_id=invoice_id)
    if invoice.status in (InvoiceStatus.FAILED, InvoiceStatus.ISSUING) and not self.request.is_eager:
        try:
            raise self.retry(countdown=_countdown(self.request.retries))
        except MaxRetriesExceededError:
            pass
    return invoice.status


@shared_task(name="billing.invoice_reverse", bind=True, max_retries=8)
def invoice_reverse_task(self, invoice_id: int) -> str:
    from .services import invoice_reverse

    invoice = invoice_reverse(invoice_id=invoice_id)
    if invoice.status in (InvoiceStatus.REVERSE_FAILED, InvoiceStatus.REVERSING) and not self.request.is_eager:
        try:
            raise self.retry(countdown=_countdown(self.request.retries))
        except MaxRetriesExceededError:
            pass
    return invoice.status


@shared_task(name="billing.invoices_retry")
def invoices_retry() -> int:
    from .models import Invoice
    from .services import invoices_due_for_retry

    ids = invoices_due_for_retry()
    for pk in ids:
        status = Invoice.objects.values_list("status", flat=True).get(pk=pk)
        if status in (InvoiceStatus.REVERSING, InvoiceStatus.REVERSE_FAILED):
            invoice_reverse_task.delay(pk)
        else:
            invoice_issue_task.delay(pk)
    return len(ids)
