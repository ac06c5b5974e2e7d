"""Operators' back office for orders, payment notifications, refunds and invoices (SPEC S11).

Everything here is read-only except through services: 退款 (a page per order, guarded by
``refund_blockers``), 重试退款, 重新开票 / 重新红冲, 标记已处理, and the daily reconciliation export.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import admin, messages
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from cecloud.core.audit import audit_log
from cecloud.core.errors import ServiceError
from cecloud.core.masking import mask_id_number
from cecloud.registry.admin import CityFilter, OperatorOnlyAdmin

from . import services
from .exports import reconciliation_workbook
from .forms import ReconciliationForm, RefundForm
from .gateways import gateway_label
from .models import (
    Invoice,
    InvoiceStatus,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    PaymentNotification,
    Refund,
    RefundStatus,
)
from .services.orders import order_event


class ReadOnlyAdmin(OperatorOnlyAdmin):
    operator_can_add = False
    operator_can_change = False
    operator_can_delete = False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EffectiveStatusFilter(admin.SimpleListFilter):
    """订单状态 as learners see it: an unpaid order past its 24 hours is 已取消."""

    title = "订单状态"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return OrderStatus.choices

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        now = timezone.now()
        if value == OrderStatus.PENDING:
            return queryset.filter(status=OrderStatus.PENDING, expires_at__gt=now)
        if value == OrderStatus.CANCELLED:
            return queryset.filter(Q(status=OrderStatus.CANCELLED) | Q(status=OrderStatus.PENDING, expires_at__lte=now))
        return queryset.filter(status=value)


class GatewayFilter(admin.SimpleListFilter):
    title = "支付方式"
    parameter_name = "gateway"

    def lookups(self, request, model_admin):
        return [("alipay", "支付宝"), ("dev", "模拟收银台（开发）"), ("none", "未发起支付")]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(gateway="")
        if self.value():
            return queryset.filter(gateway=self.value())
        return queryset


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


class InvoiceInline(admin.StackedInline):
    model = Invoice
    extra = 0
    can_delete = False
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

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = [
        "order_no",
        "kind",
        "buyer_display",
        "year",
        "total_amount",
        "status_display",
        "gateway_short",
        "created_short",
        "needs_attention",
    ]
    list_filter = [EffectiveStatusFilter, "training_year", CityFilter, GatewayFilter, "kind", "needs_attention"]
    search_fields = ["order_no", "trade_no", "person__name", "unit__name", "invoice_title"]
    list_select_related = ["training_year", "person", "unit"]
    date_hierarchy = "created_at"
    inlines = [OrderLineInline, InvoiceInline, RefundInline, NotificationInline, OrderEventInline]
    change_form_template = "billing/admin/order_change_form.html"
    change_list_template = "billing/admin/order_change_list.html"
    fieldsets = [
        (
            "订单",
            {
                "fields": [
                    ("order_no", "kind", "status_display"),
                    ("training_year", "total_hours", "total_amount"),
                    ("buyer", "person_display", "unit", "region"),
                    ("gateway_display", "trade_no"),
                    ("created_at", "expires_at", "paid_at"),
                    ("cancelled_at", "cancel_reason", "refunded_at"),
                ]
            },
        ),
        ("发票信息", {"fields": [("invoice_title_type", "invoice_title", "invoice_tax_number", "invoice_buyer_kind")]}),
        ("人工处理", {"fields": [("needs_attention", "attention_note")]}),
    ]
    readonly_fields = [
        "order_no",
        "kind",
        "status_display",
        "training_year",
        "total_hours",
        "total_amount",
        "buyer",
        "person_display",
        "unit",
        "region",
        "gateway_display",
        "trade_no",
        "created_at",
        "expires_at",
        "paid_at",
        "cancelled_at",
        "cancel_reason",
        "refunded_at",
        "invoice_title_type",
        "invoice_title",
        "invoice_tax_number",
        "invoice_buyer_kind",
        "needs_attention",
        "attention_note",
    ]

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="学员/单位")
    def buyer_display(self, obj):
        return obj.person.name if obj.person_id else obj.unit.name

    @admin.display(description="学员")
    def person_display(self, obj):
        return f"{obj.person.name}（{mask_id_number(obj.person.id_number)}）" if obj.person_id else "—"

    @admin.display(description="年度", ordering="training_year__year")
    def year(self, obj):
        return obj.training_year.year

    @admin.display(description="订单状态", ordering="status")
    def status_display(self, obj):
        label = obj.get_effective_status_display()
        if obj.is_expired():
            return f"{label}（超时，待清理）"
        return label

    @admin.display(description="支付方式", ordering="gateway")
    def gateway_short(self, obj):
        return {"alipay": "支付宝", "dev": "模拟"}.get(obj.gateway, "—")

    @admin.display(description="下单时间", ordering="created_at")
    def created_short(self, obj):
        return timezone.localtime(obj.created_at).strftime("%Y-%m-%d %H:%M")

    @admin.display(description="支付方式", ordering="gateway")
    def gateway_display(self, obj):
        return gateway_label(obj.gateway) if obj.gateway else "—"

    def get_urls(self):
        urls = super().get_urls()
        view = self.admin_site.admin_view
        return [
            path("reconciliation/", view(self.reconciliation_view), name="billing_order_reconciliation"),
            path("<int:pk>/refund/", view(self.refund_view), name="billing_order_refund"),
            path("<int:pk>/resolve/", view(self.resolve_view), name="billing_order_resolve"),
            *urls,
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        order = self.get_object(request, object_id)
        extra = extra_context or {}
        if order is not None:
            extra["refund_blockers"] = services.refund_blockers(order)
            extra["can_refund"] = order.status == OrderStatus.PAID
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def refund_view(self, request, pk: int):
        if not self.has_view_permission(request):
            return redirect("admin:index")
        order = get_object_or_404(Order.objects.select_related("training_year", "person", "unit"), pk=pk)
        form = RefundForm(request.POST or None)
        blockers = services.refund_blockers(order)
        if request.method == "POST" and form.is_valid():
            try:
                services.order_refund_request(order=order, actor=request.user, reason=form.cleaned_data["reason"])
            except ServiceError as exc:
                messages.error(request, exc.message)
            else:
                order.refresh_from_db()
                if order.status == OrderStatus.REFUNDED:
                    messages.success(request, f"订单 {order.order_no} 已退款，班级已关闭，发票红冲已提交")
                else:
                    messages.warning(request, f"订单 {order.order_no} 退款已提交，状态：{order.get_status_display()}")
                return redirect("admin:billing_order_change", order.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"退款：订单 {order.order_no}",
            "order": order,
            "lines": order.lines.select_related("person", "enrollment"),
            "form": form,
            "blockers": blockers,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "billing/admin/order_refund.html", context)

    def resolve_view(self, request, pk: int):
        if request.method != "POST" or not self.has_view_permission(request):
            return redirect("admin:billing_order_change", pk)
        order = get_object_or_404(Order, pk=pk)
        note = order.attention_note
        Order.objects.filter(pk=pk).update(needs_attention=False, attention_note="")
        order_event(order, "attention_cleared", actor=request.user, note=f"运营已处理：{note}")
        audit_log(
            event_type="order.attention_cleared",
            actor=request.user,
            subject=order,
            extra_data={"note": note},
            request=request,
        )
        messages.success(request, "已标记为已处理")
        return redirect("admin:billing_order_change", pk)

    def reconciliation_view(self, request):
        if not self.has_view_permission(request):
            return redirect("admin:index")
        initial = {"day": timezone.localdate() - dt.timedelta(days=1), "gateway": "alipay"}
        form = ReconciliationForm(request.GET or None, initial=initial)
        if request.GET and form.is_valid():
            day, gateway = form.cleaned_data["day"], form.cleaned_data["gateway"]
            verify = request.GET.get("verify") == "1"
            data = reconciliation_workbook(day=day, gateway=gateway, verify=verify)
            audit_log(
                event_type="billing.reconciliation_exported",
                actor=request.user,
                subject_type="billing.order",
                subject_repr=f"{day} {gateway}",
                extra_data={"day": day.isoformat(), "gateway": gateway, "verify": verify},
                request=request,
            )
            response = HttpResponse(
                data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
            response["Content-Disposition"] = f'attachment; filename="reconciliation-{gateway}-{day:%Y%m%d}.xlsx"'
            return response
        context = {
            **self.admin_site.each_context(request),
            "title": "对账导出",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "billing/admin/reconciliation.html", context)


@admin.register(PaymentNotification)
class PaymentNotificationAdmin(ReadOnlyAdmin):
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


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
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


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
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
