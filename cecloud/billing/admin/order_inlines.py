"""What an order's page shows under it, read-only: lines, invoice, refunds, notifications, events."""

from __future__ import annotations

from django.contrib import admin

from cecloud.core.admin_base import ReadOnlyInline, ReadOnlyStackedInline
from cecloud.core.masking import mask_id_number

from ..models import Invoice, OrderEvent, OrderLine, OrderStatus, PaymentNotification, Refund


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    verbose_name_plural = "订单明细（价格与学时为下单时快照）"
    fields = ["learner", "grade", "hours", "price", "live", "enrollment_state"]
    readonly_fields = fields

    @admin.display(description="学员")
    def learner(self, obj):
        return f"{obj.person.name}（{mask_id_number(obj.person.id_number)}）"

    @admin.display(description="班级")
    def enrollment_state(self, obj):
        if obj.enrollment is None:
            return "未开通"
        enrollment = obj.enrollment
        text = enrollment.get_status_display()
        return f"{text}：{enrollment.close_reason}" if enrollment.close_reason else text


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    verbose_name_plural = "订单事件"
    fields = ["created_at", "event_display", "status_change", "actor", "note"]
    readonly_fields = fields

    @admin.display(description="事件")
    def event_display(self, obj):
        return obj.event_label

    @admin.display(description="状态")
    def status_change(self, obj):
        def label(value):
            return OrderStatus(value).label if value in OrderStatus.values else "—"

        if obj.from_status == obj.to_status:
            return label(obj.to_status)
        return f"{label(obj.from_status)} → {label(obj.to_status)}"


class NotificationInline(ReadOnlyInline):
    model = PaymentNotification
    verbose_name_plural = "支付通知与查询结果"
    fk_name = "order"
    fields = [
        "received_at",
        "gateway",
        "source",
        "trade_no",
        "trade_status",
        "total_amount",
        "verified",
        "outcome",
        "reason",
    ]
    readonly_fields = fields


class RefundInline(ReadOnlyInline):
    model = Refund
    verbose_name_plural = "退款"
    fields = [
        "out_request_no",
        "kind",
        "amount",
        "status",
        "attempts",
        "last_error",
        "requested_by",
        "created_at",
        "completed_at",
    ]
    readonly_fields = fields


class InvoiceInline(ReadOnlyStackedInline):
    model = Invoice
    verbose_name_plural = "电子发票"
    fields = [
        ("status", "issuer", "attempts"),
        ("title_type", "title", "tax_number"),
        ("invoice_no", "invoice_code", "issued_at"),
        ("reversal_no", "reversed_at"),
        "last_error",
    ]
    readonly_fields = [
        "status",
        "issuer",
        "attempts",
        "title_type",
        "title",
        "tax_number",
        "invoice_no",
        "invoice_code",
        "issued_at",
        "reversal_no",
        "reversed_at",
        "last_error",
    ]
