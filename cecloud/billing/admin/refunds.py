"""Refunds in the back office: read-only, with 重试退款 (through the refund service)."""

from __future__ import annotations

from django.contrib import admin, messages

from cecloud.core.admin_base import OperatorReadOnlyAdmin

from .. import services
from ..models import Refund, RefundStatus


@admin.register(Refund)
class RefundAdmin(OperatorReadOnlyAdmin):
    list_display = [
        "out_request_no",
        "order",
        "kind",
        "amount",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "completed_at",
    ]
    list_filter = ["status", "kind", "gateway"]
    search_fields = ["out_request_no", "order__order_no", "trade_no"]
    readonly_fields = [
        "order",
        "kind",
        "out_request_no",
        "gateway",
        "trade_no",
        "amount",
        "reason",
        "status",
        "requested_by",
        "created_at",
        "completed_at",
        "attempts",
        "last_error",
        "response",
    ]
    actions = ["retry"]

    @admin.action(description="重试退款")
    def retry(self, request, queryset):
        for refund in queryset.exclude(status=RefundStatus.SUCCEEDED):
            refund = services.refund_retry(refund=refund, actor=request.user)
            level = messages.SUCCESS if refund.status == RefundStatus.SUCCEEDED else messages.ERROR
            self.message_user(
                request, f"{refund.out_request_no}：{refund.get_status_display()} {refund.last_error}", level
            )

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        # Actions are operator writes even though the records themselves are read-only.
        actions = super().get_actions(request)
        return actions if self.has_view_permission(request) else {}
