"""Electronic invoices in the back office: read-only, with 重新开票 / 重新红冲 (through the invoice service)."""

from __future__ import annotations

from django.contrib import admin, messages

from cecloud.core.admin_base import OperatorReadOnlyAdmin
from cecloud.core.errors import ServiceError

from .. import services
from ..models import Invoice, InvoiceStatus


@admin.register(Invoice)
class InvoiceAdmin(OperatorReadOnlyAdmin):
    list_display = [
        "order",
        "title",
        "amount",
        "status",
        "invoice_no",
        "issued_at",
        "attempts",
        "last_error",
        "updated_at",
    ]
    list_filter = ["status", "issuer", "title_type"]
    search_fields = ["order__order_no", "invoice_no", "title", "tax_number"]
    readonly_fields = [
        "order",
        "issuer",
        "status",
        "title_type",
        "title",
        "tax_number",
        "buyer_kind",
        "item_name",
        "amount",
        "invoice_no",
        "invoice_code",
        "issued_at",
        "provider_serial",
        "pdf",
        "pdf_url",
        "reversal_no",
        "reversal_serial",
        "reversed_at",
        "reversal_pdf",
        "attempts",
        "last_error",
        "working_since",
        "created_at",
        "updated_at",
    ]
    actions = ["retry"]

    @admin.action(description="重新开票 / 重新红冲")
    def retry(self, request, queryset):
        retryable = [
            InvoiceStatus.PENDING,
            InvoiceStatus.FAILED,
            InvoiceStatus.ISSUING,
            InvoiceStatus.REVERSING,
            InvoiceStatus.REVERSE_FAILED,
        ]
        for invoice in queryset.filter(status__in=retryable):
            try:
                invoice = services.invoice_retry(invoice=invoice, actor=request.user)
            except ServiceError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                continue
            level = (
                messages.SUCCESS
                if invoice.status in (InvoiceStatus.ISSUED, InvoiceStatus.REVERSED)
                else messages.WARNING
            )
            self.message_user(
                request, f"{invoice.order.order_no}：{invoice.get_status_display()} {invoice.last_error}", level
            )

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        return actions if self.has_view_permission(request) else {}
