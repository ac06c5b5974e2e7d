"""报名缴费 pages (manual "三、报名缴费"), 发票下载, the unit's batch registration, the payment
notification endpoint and the development cashier. Views validate input, call one service, render."""

from __future__ import annotations

import logging
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from cecloud.core.clientip import client_ip
from cecloud.core.errors import ServiceError
from cecloud.core.roles import learner_required, unit_hr_required
from cecloud.training.models import TrainingYear
from cecloud.training.selectors import requirement_for, schedule_for

from . import selectors, services
from .forms import InvoiceForm, UnitFilterForm
from .gateways import active_gateway_name, dev_gateway_allowed, gateway_label
from .models import Invoice, InvoiceStatus, OrderKind, OrderStatus
from .services.orders import UNIT_KIND_TO_BUYER

logger = logging.getLogger(__name__)

_MOBILE_UA = re.compile(r"Mobile|Android|iPhone|iPod|HarmonyOS|Windows Phone", re.IGNORECASE)
KNOWN_GATEWAYS = ("alipay", "dev")


def is_mobile(request) -> bool:
    return bool(_MOBILE_UA.search(request.META.get("HTTP_USER_AGENT", "")))


def _order_or_404(request, order_no: str):
    order = selectors.order_for_user(request.user, order_no)
    if order is None:
        raise Http404("订单不存在")
    return order


def _section(order) -> str:
    return "classes" if order.effective_status == OrderStatus.PENDING else "invoices"


# --- 1 确认报名年度 -------------------------------------------------------------------------------


@learner_required
def register(request):
    person = request.user.person
    options = selectors.registration_years(person)
    selectable = {o.training_year.year: o for o in options if o.selectable}
    if request.method == "POST":
        try:
            year = int(request.POST.get("year", ""))
        except ValueError:
            year = None
        if year in selectable:
            return redirect("billing:register_confirm", year=year)
        messages.error(request, "请选择可以报名的年度")
    return render(
        request,
        "billing/register_years.html",
        {
            "options": options,
            "selectable": list(selectable.values()),
            "closed": [o for o in options if not o.selectable],
            "person": person,
            "center_section": "classes",
            "step": 1,
        },
    )


# --- 2 确认报名信息 -------------------------------------------------------------------------------


@learner_required
def register_confirm(request, year: int):
    person = request.user.person
    training_year = get_object_or_404(TrainingYear, year=year, is_active=True)
    option = next((o for o in selectors.registration_years(person) if o.training_year.pk == training_year.pk), None)
    if option is None or not option.selectable:
        messages.error(request, f"{year}年度不能报名：{option.reason if option else '未开放'}")
        return redirect("billing:register")
    requirement = requirement_for(training_year=training_year, grade=person.grade)
    form = InvoiceForm(
        request.POST or None,
        person=person,
        initial={
            "title_type": "personal",
            "title": person.name,
            "buyer_kind": UNIT_KIND_TO_BUYER.get(person.unit.kind, "institution"),
            "tax_number": person.unit.credit_code,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            order, created = services.order_create(
                user=request.user, training_year=training_year, invoice=form.invoice_info()
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            if not created:
                messages.info(request, f"您已有{year}年度待支付的订单，请在 24 小时内完成支付")
            return redirect("billing:order_detail", order_no=order.order_no)
    return render(
        request,
        "billing/register_confirm.html",
        {
            "form": form,
            "training_year": training_year,
            "requirement": requirement,
            "person": person,
            "option": option,
            "unit_name": person.unit.name,
            "center_section": "classes",
            "step": 2,
        },
    )


# --- the order page (确认订单信息 / 订单详情) --------------------------------------------------------


@login_required
def order_detail(request, order_no: str):
    order = _order_or_404(request, order_no)
    invoice = Invoice.objects.filter(order=order).first()
    return render(
        request,
        "billing/order_detail.html",
        {
            "order": order,
            "lines": selectors.order_lines(order),
            "invoice": invoice,
            "gateway_label": gateway_label(order.gateway) if order.gateway else "—",
            "center_section": _section(order),
            "step": 2
            if order.effective_status == OrderStatus.PENDING
            else 4
            if order.status == OrderStatus.PAID
            else 0,
            "base_template": "billing/unit_base.html" if order.kind == OrderKind.UNIT else "learner/center_base.html",
            "unit_section": "orders",
        },
    )


@require_POST
@login_required
def order_pay(request, order_no: str):
    order = _order_or_404(request, order_no)
    if request.POST.get("method") != "alipay":
        messages.error(request, "请选择支付方式")
        return redirect("billing:order_detail", order_no=order.order_no)
    try:
        target = services.order_start_payment(order=order, actor=request.user, mobile=is_mobile(request))
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("billing:order_detail", order_no=order.order_no)
    return redirect(target.url)


@require_POST
@login_required
def order_cancel(request, order_no: str):
    order = _order_or_404(request, order_no)
    try:
        services.order_cancel(order=order, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "订单已取消")
    return redirect("billing:order_detail", order_no=order.order_no)


@login_required
def payment_return(request, order_no: str):
    """The browser's return page: shows 3 付款成功 / 4 报名成功 from the server's state only; the
    query string the gateway appended is ignored. Still unknown → ask the gateway."""
    order = _order_or_404(request, order_no)
    # Ask the gateway at most once every few seconds per order (the page refreshes itself).
    if order.status == OrderStatus.PENDING and order.gateway and cache.add(f"billing:return-query:{order.pk}", 1, 4):
        order = services.order_reconcile(order=order)
    lines = selectors.order_lines(order)
    paid = order.status == OrderStatus.PAID
    opened = paid and all(line.enrollment_id for line in lines)
    return render(
        request,
        "billing/payment_result.html",
        {
            "order": order,
            "lines": lines,
            "paid": paid,
            "opened": opened,
            "step": 4 if opened else 3 if paid else 2,
            "center_section": "classes",
            "base_template": "billing/unit_base.html" if order.kind == OrderKind.UNIT else "learner/center_base.html",
        },
    )


# --- 发票下载 -----------------------------------------------------------------------------------------


@learner_required
def orders(request):
    rows = selectors.learner_order_history(request.user.person)
    return render(request, "billing/orders.html", {"rows": rows, "center_section": "invoices"})


@login_required
def invoice_download(request, order_no: str, red: bool = False):
    order = _order_or_404(request, order_no)
    invoice = Invoice.objects.filter(order=order).first()
    if invoice is None:
        raise Http404("发票不存在")
    if red:
        if invoice.status != InvoiceStatus.REVERSED or not invoice.reversal_pdf:
            raise Http404("红字发票不存在")
        file, number = invoice.reversal_pdf, invoice.reversal_no
    else:
        if not invoice.invoice_no:
            raise Http404("发票尚未开具")
        if not invoice.pdf:
            if invoice.pdf_url:
                return redirect(invoice.pdf_url)
            raise Http404("发票文件不存在")
        file, number = invoice.pdf, invoice.invoice_no
    return FileResponse(
        file.open("rb"),
        as_attachment=True,
        filename=f"电子发票-{number}.pdf",
        content_type="application/pdf",
    )


# --- the gateway's asynchronous notification ------------------------------------------------------


@csrf_exempt
@require_POST
def notify(request, gateway: str):
    """POST from the gateway (no session, no cookies). Replies exactly ``success`` once handled."""
    if gateway not in KNOWN_GATEWAYS:
        raise Http404
    try:
        result = services.notification_receive(
            gateway_name=gateway, params=request.POST.dict(), remote_addr=client_ip(request)
        )
    except Exception:
        logger.exception("payment notification processing failed", extra={"gateway": gateway})
        return HttpResponse("fail", content_type="text/plain; charset=utf-8", status=500)
    return HttpResponse("success" if result.accepted else "fail", content_type="text/plain; charset=utf-8")


# --- the development cashier (收银台) -----------------------------------------------------------------


@login_required
def dev_cashier(request, order_no: str):
    if active_gateway_name() != "dev" or not dev_gateway_allowed():
        raise Http404
    order = _order_or_404(request, order_no)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "cancel":
            messages.info(request, "您已取消支付，订单仍为待支付，请在 24 小时内完成支付")
            return redirect("billing:order_detail", order_no=order.order_no)
        if action == "pay" and order.gateway == "dev":
            from .gateways.dev import DevGateway

            params = DevGateway().pay(order_no=order.order_no, amount=order.total_amount)
            services.notification_receive(gateway_name="dev", params=params, remote_addr=client_ip(request))
            return redirect("billing:payment_return", order_no=order.order_no)
        messages.error(request, "请先在订单页面点击“立即支付”")
        return redirect("billing:order_detail", order_no=order.order_no)
    return render(
        request,
        "billing/dev_cashier.html",
        {"order": order, "lines": selectors.order_lines(order), "payable": order.is_payable},
    )


# --- 单位报名 (unit HR) ----------------------------------------------------------------------------------


@unit_hr_required
def unit_register(request):
    unit = request.user.unit
    years = list(TrainingYear.objects.filter(is_active=True).order_by("-year"))
    if not years:
        raise Http404("没有开放的学习年度")
    data = request.GET.copy()
    data.setdefault("year", str(years[0].year))
    if request.method == "POST":
        data["year"] = request.POST.get("year", data["year"])
    filters = UnitFilterForm(data, years=years)
    year = filters.cleaned_data["year"] if filters.is_valid() else years[0].year
    training_year = next(y for y in years if y.year == year)
    selected = {int(pk) for pk in request.POST.getlist("person") if pk.isdigit()}
    tax_number = request.POST.get("tax_number", unit.credit_code)
    error = ""
    if request.method == "POST":
        try:
            order = services.order_create_for_unit(
                user=request.user, training_year=training_year, person_ids=selected, tax_number=tax_number
            )
        except ServiceError as exc:
            error = exc.message
        else:
            messages.success(request, f"已提交单位报名订单，共 {order.lines.count()} 人")
            return redirect("billing:order_detail", order_no=order.order_no)
    clean = filters.cleaned_data if filters.is_valid() else {}
    rows = selectors.unit_workers(
        unit, training_year, q=clean.get("q", ""), grade=clean.get("grade", ""), state=clean.get("state", "")
    )
    return render(
        request,
        "billing/unit_register.html",
        {
            "unit": unit,
            "filters": filters,
            "training_year": training_year,
            "rows": rows,
            "selected": selected,
            "tax_number": tax_number,
            "error": error,
            "schedule": schedule_for(region=unit.region, training_year=training_year),
            "limit": selectors.UNIT_LIST_LIMIT,
            "unit_section": "register",
        },
    )


@unit_hr_required
def unit_orders(request):
    orders_qs = selectors.unit_orders(request.user.unit).annotate(people=Count("lines"))
    return render(
        request, "billing/unit_orders.html", {"orders": orders_qs, "unit": request.user.unit, "unit_section": "orders"}
    )
