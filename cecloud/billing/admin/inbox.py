"""The payment notification inbox (支付通知与查询结果) in the back office, read-only."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from cecloud.core.admin_base import OperatorReadOnlyAdmin

from ..models import PaymentNotification


@admin.register(PaymentNotification)
class PaymentNotificationAdmin(OperatorReadOnlyAdmin):
    list_display = [
        "received_at",
        "gateway",
        "source",
        "order_link",
        "trade_status",
        "total_amount",
        "verified",
        "outcome",
        "reason",
    ]
    list_filter = ["outcome", "gateway", "source", "verified"]
    search_fields = ["order_no", "trade_no", "dedup_key"]
    date_hierarchy = "received_at"
    readonly_fields = [
        "gateway",
        "source",
        "dedup_key",
        "received_at",
        "order",
        "order_no",
        "trade_no",
        "trade_status",
        "total_amount",
        "verified",
        "outcome",
        "reason",
        "processed_at",
        "duplicate_of",
        "payload",
        "remote_addr",
    ]

    @admin.display(description="订单号")
    def order_link(self, obj):
        if obj.order_id:
            return format_html(
                '<a href="{}">{}</a>', reverse("admin:billing_order_change", args=[obj.order_id]), obj.order_no
            )
        return obj.order_no
