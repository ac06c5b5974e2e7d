"""Orders in the back office: the list and page, 退款, 标记已处理 and the reconciliation export."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin, messages
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from cecloud.core.admin_base import CityFilter, OperatorReadOnlyAdmin
from cecloud.core.audit import audit_log
from cecloud.core.errors import ServiceError
from cecloud.core.masking import mask_id_number

from .. import services
from ..exports import reconciliation_workbook
from ..forms import ReconciliationForm, RefundForm
from ..gateways import gateway_label
from ..models import Order, OrderStatus
from .order_inlines import InvoiceInline, NotificationInline, OrderEventInline, OrderLineInline, RefundInline


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


@admin.register(Order)
class OrderAdmin(OperatorReadOnlyAdmin):
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
        services.order_clear_attention(order=order, actor=request.user, request=request)
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
