"""Electronic invoices: created when an order is paid, issued by a background task through the
configured issuer, reversed (红冲) after a refund. Failures stay visible: status + last error."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from cecloud.core.audit import audit_log
from cecloud.core.errors import ServiceError

from .. import events
from ..issuers import IssuerError, IssuerPending, get_issuer
from ..models import Invoice, InvoiceStatus, Order
from .orders import order_event

logger = logging.getLogger(__name__)

# Another worker holding an invoice in 开票中 without a provider serial for this long is presumed dead.
STALE_ISSUING = dt.timedelta(minutes=2)
# The periodic job stops retrying after this many attempts; operators can still retry by hand.
MAX_AUTOMATIC_ATTEMPTS = 12


def _schedule_issue(invoice: Invoice) -> None:
    events.invoice_issue_requested.publish_on_commit(invoice_id=invoice.pk)


def _schedule_reverse(invoice: Invoice) -> None:
    events.invoice_reverse_requested.publish_on_commit(invoice_id=invoice.pk)


def invoice_create_for_order(order: Order) -> Invoice:
    """Inside the paid transaction: the invoice request from the order's 发票信息; issued on commit."""
    invoice, created = Invoice.objects.get_or_create(
        order=order,
        defaults={
            "issuer": settings.INVOICE_ISSUER,
            "title_type": order.invoice_title_type,
            "title": order.invoice_title,
            "tax_number": order.invoice_tax_number,
            "buyer_kind": order.invoice_buyer_kind,
            "amount": order.total_amount,
        },
    )
    if created:
        _schedule_issue(invoice)
    return invoice


def _claim(invoice_id: int, *, allowed: set[str], working: str) -> Invoice | None:
    """Take the invoice for one issuer call; None if it is not in an allowed state or another
    worker started on it moments ago (a worker that died is presumed gone after STALE_ISSUING)."""
    with transaction.atomic():
        invoice = Invoice.states.lock(invoice_id, related=["order"])
        if invoice.status not in allowed:
            return None
        now = timezone.now()
        if invoice.working_since and now - invoice.working_since < STALE_ISSUING:
            return None
        return Invoice.states.apply(invoice, working, fields={"attempts": invoice.attempts + 1, "working_since": now})


def _fail(invoice_id: int, *, status: str, error: str, serial_field: str = "", serial: str = "") -> Invoice:
    """Record an issuer call that failed (or is still pending at the provider) and free the invoice."""
    with transaction.atomic():
        invoice = Invoice.states.lock(invoice_id, related=["order"])
        if invoice.status == InvoiceStatus.REVERSING and status in (InvoiceStatus.FAILED, InvoiceStatus.ISSUING):
            # A refund asked for 红冲 while this issue call was out: stay REVERSING (the periodic
            # retry resumes the reversal, which fetches the blue invoice first if it was issued).
            status = InvoiceStatus.REVERSING
        if not Invoice.states.can(invoice.status, status):
            # Another worker (this one presumed dead) moved the invoice on: its outcome stands.
            logger.warning("late invoice outcome dropped", extra={"invoice": invoice_id, "status": invoice.status})
            return invoice
        fields = {"last_error": error[:500], "working_since": None}
        if serial_field and serial:
            fields[serial_field] = serial
        Invoice.states.apply(invoice, status, fields=fields)
        if status in (InvoiceStatus.FAILED, InvoiceStatus.REVERSE_FAILED):
            order_event(invoice.order, "invoice_failed", note=error)
    return invoice


def invoice_issue(*, invoice_id: int) -> Invoice:
    """Issue (or resume issuing) one invoice. Never raises for issuer failures: they are recorded."""
    invoice = _claim(
        invoice_id,
        allowed={InvoiceStatus.PENDING, InvoiceStatus.FAILED, InvoiceStatus.ISSUING},
        working=InvoiceStatus.ISSUING,
    )
    if invoice is None:
        return Invoice.objects.get(pk=invoice_id)
    try:
        result = get_issuer(invoice.issuer).issue(invoice)
    except IssuerPending as exc:
        return _fail(
            invoice_id, status=InvoiceStatus.ISSUING, error=str(exc), serial_field="provider_serial", serial=exc.serial
        )
    except IssuerError as exc:
        logger.warning("invoice issue failed", extra={"invoice": invoice_id, "error": str(exc)})
        return _fail(invoice_id, status=InvoiceStatus.FAILED, error=str(exc))
    except Exception as exc:  # a rendering or programming error: keep it visible, never lose the request
        logger.exception("invoice issue crashed", extra={"invoice": invoice_id})
        return _fail(invoice_id, status=InvoiceStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
    with transaction.atomic():
        invoice = Invoice.states.lock(invoice_id, related=["order"])
        fields = {
            "invoice_no": result.invoice_no,
            "invoice_code": result.invoice_code,
            "issued_at": result.issued_at,
            "provider_serial": result.serial or invoice.provider_serial,
            "pdf_url": result.pdf_url,
            "last_error": "",
            "working_since": None,
        }
        if result.pdf:
            invoice.pdf.save(f"{result.invoice_no}.pdf", ContentFile(result.pdf), save=False)
            fields["pdf"] = invoice.pdf
        reverse_next = invoice.status == InvoiceStatus.REVERSING
        Invoice.states.apply(invoice, InvoiceStatus.REVERSING if reverse_next else InvoiceStatus.ISSUED, fields=fields)
        order_event(invoice.order, "invoice_issued", note=f"电子发票已开具：{result.invoice_no}")
        audit_log(event_type="invoice.issued", subject=invoice.order, extra_data={"invoice_no": result.invoice_no})
        if reverse_next:
            _schedule_reverse(invoice)
    return invoice


def invoice_request_reversal(order: Order) -> Invoice | None:
    """Inside the refund transaction: reverse the invoice (红冲), or void a request never issued."""
    invoice = Invoice.objects.select_for_update().filter(order=order).first()
    if invoice is None:
        return None
    if invoice.status in (InvoiceStatus.REVERSED, InvoiceStatus.VOID, InvoiceStatus.REVERSING):
        return invoice
    in_flight = bool(invoice.working_since and timezone.now() - invoice.working_since < STALE_ISSUING)
    if not invoice.invoice_no and not invoice.provider_serial and not in_flight:
        Invoice.states.apply(invoice, InvoiceStatus.VOID, fields={"last_error": ""})
        order_event(order, "invoice_void", note="订单已退款，发票未开具，无需红冲")
        return invoice
    Invoice.states.apply(invoice, InvoiceStatus.REVERSING)
    order_event(order, "invoice_reversal_requested", note="订单已退款，发票红冲")
    if not in_flight:
        _schedule_reverse(invoice)
    # else: the issue call in flight sees REVERSING when it finishes and schedules the reversal
    # (or, if it fails, leaves the invoice REVERSING for the periodic retry).
    return invoice


def _store_blue(invoice_id: int, result) -> Invoice:
    """Record a blue invoice that turned out issued while its reversal was already requested."""
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().select_related("order").get(pk=invoice_id)
        invoice.invoice_no = result.invoice_no
        invoice.invoice_code = result.invoice_code
        invoice.issued_at = result.issued_at
        invoice.provider_serial = result.serial or invoice.provider_serial
        invoice.pdf_url = result.pdf_url
        if result.pdf:
            invoice.pdf.save(f"{result.invoice_no}.pdf", ContentFile(result.pdf), save=False)
        invoice.save()
        order_event(invoice.order, "invoice_issued", note=f"电子发票已开具：{result.invoice_no}")
    return invoice


def invoice_reverse(*, invoice_id: int) -> Invoice:
    invoice = _claim(
        invoice_id,
        allowed={InvoiceStatus.REVERSING, InvoiceStatus.REVERSE_FAILED},
        working=InvoiceStatus.REVERSING,
    )
    if invoice is None:
        return Invoice.objects.get(pk=invoice_id)
    issuer = get_issuer(invoice.issuer)
    if not invoice.invoice_no:
        if not invoice.provider_serial:
            return _fail(invoice_id, status=InvoiceStatus.REVERSE_FAILED, error="原发票尚未开具，无法红冲")
        try:  # the provider may have finished the blue invoice meanwhile: fetch it, then reverse it
            invoice = _store_blue(invoice_id, issuer.issue(invoice))
        except IssuerPending as exc:
            return _fail(invoice_id, status=InvoiceStatus.REVERSING, error=str(exc))
        except IssuerError as exc:
            return _fail(invoice_id, status=InvoiceStatus.REVERSE_FAILED, error=str(exc))
    try:
        result = issuer.reverse(invoice)
    except IssuerPending as exc:
        return _fail(
            invoice_id,
            status=InvoiceStatus.REVERSING,
            error=str(exc),
            serial_field="reversal_serial",
            serial=exc.serial,
        )
    except IssuerError as exc:
        return _fail(invoice_id, status=InvoiceStatus.REVERSE_FAILED, error=str(exc))
    except Exception as exc:
        logger.exception("invoice reversal crashed", extra={"invoice": invoice_id})
        return _fail(invoice_id, status=InvoiceStatus.REVERSE_FAILED, error=f"{type(exc).__name__}: {exc}")
    with transaction.atomic():
        invoice = Invoice.states.lock(invoice_id, related=["order"])
        fields = {
            "reversal_no": result.invoice_no,
            "reversal_serial": result.serial or invoice.reversal_serial,
            "reversed_at": result.issued_at,
            "last_error": "",
            "working_since": None,
        }
        if result.pdf:
            invoice.reversal_pdf.save(f"{result.invoice_no}-red.pdf", ContentFile(result.pdf), save=False)
            fields["reversal_pdf"] = invoice.reversal_pdf
        Invoice.states.apply(invoice, InvoiceStatus.REVERSED, fields=fields)
        order_event(invoice.order, "invoice_reversed", note=f"发票已红冲：红字发票 {result.invoice_no}")
        audit_log(event_type="invoice.reversed", subject=invoice.order, extra_data={"reversal_no": result.invoice_no})
    return invoice


def invoice_retry(*, invoice: Invoice, actor) -> Invoice:
    """Operators: 重新开票 / 重新红冲 for a failed invoice."""
    audit_log(event_type="invoice.retry", actor=actor, subject=invoice.order, extra_data={"status": invoice.status})
    if invoice.status in (InvoiceStatus.PENDING, InvoiceStatus.FAILED, InvoiceStatus.ISSUING):
        return invoice_issue(invoice_id=invoice.pk)
    if invoice.status in (InvoiceStatus.REVERSING, InvoiceStatus.REVERSE_FAILED):
        return invoice_reverse(invoice_id=invoice.pk)
    raise ServiceError(f"发票{invoice.get_status_display()}，无需重试")


def invoices_due_for_retry(*, limit: int = 100) -> list[int]:
    """Failed or stuck invoices for the periodic retry job (bounded attempts)."""
    stale = timezone.now() - dt.timedelta(minutes=10)
    return list(
        Invoice.objects.filter(
            status__in=[
                InvoiceStatus.FAILED,
                InvoiceStatus.PENDING,
                InvoiceStatus.ISSUING,
                InvoiceStatus.REVERSING,
                InvoiceStatus.REVERSE_FAILED,
            ],
            updated_at__lte=stale,
            attempts__lt=MAX_AUTOMATIC_ATTEMPTS,
        ).values_list("pk", flat=True)[:limit]
    )
