"""Operators (issue 3 points 1, 10, 13): orders list with filters, order detail with events and
notifications, refunds, retries, the daily reconciliation export; year editing locked after registration."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cecloud.accounts.factories import OperatorFactory, UnitHRFactory
from cecloud.billing.factories import age_order, learner, pay_with_dev, pending_order
from cecloud.billing.issuers.local import LocalIssuer
from cecloud.billing.models import Invoice, InvoiceStatus, Order, OrderStatus, Refund, RefundStatus
from cecloud.billing.services import notification_receive
from cecloud.core.errors import ServiceError
from cecloud.core.models import AuditLog
from cecloud.registry.factories import UnitFactory, region
from cecloud.training.factories import training_year
from cecloud.training.models import Enrollment, EnrollmentStatus, YearRequirement
from cecloud.training.services import training_year_assert_editable

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client():
    client = Client()
    client.force_login(OperatorFactory())
    return client


def changelist(client, **params):
    return client.get(reverse("admin:billing_order_changelist"), params).content.decode()


def test_orders_list_filters_by_effective_status_year_region_and_gateway(operator_client):
    paid = pending_order(learner())
    pay_with_dev(paid)
    pending = pending_order(learner())
    expired = age_order(pending_order(learner()), dt.timedelta(hours=25))
    nanjing_unit = UnitFactory(region=region("320102"))
    nanjing = learner(unit=nanjing_unit, region=nanjing_unit.region)
    nanjing_order = pending_order(nanjing)
    html = changelist(operator_client)
    for order in (paid, pending, expired, nanjing_order):
        assert order.order_no in html
    cancelled = changelist(operator_client, status="cancelled")
    assert expired.order_no in cancelled and pending.order_no not in cancelled
    only_pending = changelist(operator_client, status="pending")
    assert pending.order_no in only_pending and expired.order_no not in only_pending
    by_city = changelist(operator_client, city="320100")
    assert nanjing_order.order_no in by_city and paid.order_no not in by_city
    by_gateway = changelist(operator_client, gateway="dev")
    assert paid.order_no in by_gateway and pending.order_no not in by_gateway
    by_year = changelist(operator_client, training_year__id__exact=str(training_year(2023).pk))
    assert paid.order_no in by_year
    assert "对账导出" in html


def test_order_detail_shows_lines_events_notifications_and_invoice(operator_client, django_capture_on_commit_callbacks):
    user = learner()
    order = pending_order(user)
    with django_capture_on_commit_callbacks(execute=True):
        pay_with_dev(order)
    notification_receive(gateway_name="dev", params={"out_trade_no": order.order_no, "sign": "forged"})
    html = operator_client.get(reverse("admin:billing_order_change", args=[order.pk])).content.decode()
    for text in [
        order.order_no,
        "订单事件",
        "created",
        "payment_started",
        "paid",
        "invoice_issued",
        "支付通知与查询结果",
        "TRADE_SUCCESS",
        "已处理",
        "电子发票",
        "已开票",
        "退款",
        user.person.name,
    ]:
        assert text in html, text
    assert user.person.id_number not in html


def test_operator_refund_page(operator_client, django_capture_on_commit_callbacks):
    user = learner()
    order = pending_order(user)
    with django_capture_on_commit_callbacks(execute=True):
        pay_with_dev(order)
    url = reverse("admin:billing_order_refund", args=[order.pk])
    html = operator_client.get(url).content.decode()
    assert "确认退款" in html and "退款原因" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(url, {"reason": "学员重复缴费"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    assert Enrollment.objects.get(person=user.person).status == EnrollmentStatus.CLOSED
    assert AuditLog.objects.filter(event_type="order.refund_requested", subject_id=str(order.pk)).exists()
    html = operator_client.get(url).content.decode()
    assert "不能退款" in html and "确认退款" not in html


def test_failed_invoice_is_listed_with_its_error_and_retried_by_action(
    operator_client, django_capture_on_commit_callbacks, monkeypatch
):
    from cecloud.billing.issuers import IssuerError

    def broken(self, invoice):
        raise IssuerError("税控服务不可用")

    monkeypatch.setattr(LocalIssuer, "issue", broken)
    order = pending_order(learner())
    with django_capture_on_commit_callbacks(execute=True):
        pay_with_dev(order)
    invoice = Invoice.objects.get(order=order)
    html = operator_client.get(reverse("admin:billing_invoice_changelist"), {"status": "failed"}).content.decode()
    assert "税控服务不可用" in html and "开票失败" in html
    monkeypatch.undo()
    operator_client.post(
        reverse("admin:billing_invoice_changelist"), {"action": "retry", "_selected_action": [invoice.pk]}
    )
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.ISSUED


def test_failed_refund_is_retried_by_action(operator_client, django_capture_on_commit_callbacks, monkeypatch):
    from cecloud.billing.gateways import GatewayError
    from cecloud.billing.gateways.dev import DevGateway

    order = pending_order(learner())
    with django_capture_on_commit_callbacks(execute=True):
        pay_with_dev(order)

    def down(self, **kwargs):
        raise GatewayError("网关超时")

    monkeypatch.setattr(DevGateway, "refund", down)
    with django_capture_on_commit_callbacks(execute=True):
        operator_client.post(reverse("admin:billing_order_refund", args=[order.pk]), {"reason": "申请退款"})
    refund = Refund.objects.get(order=order)
    assert refund.status == RefundStatus.FAILED and refund.last_error == "网关超时"
    assert "网关超时" in operator_client.get(reverse("admin:billing_refund_changelist")).content.decode()
    flagged = changelist(operator_client, needs_attention__exact="1")
    assert order.order_no in flagged
    monkeypatch.undo()
    operator_client.post(
        reverse("admin:billing_refund_changelist"), {"action": "retry", "_selected_action": [refund.pk]}
    )
    refund.refresh_from_db()
    order.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED and order.status == OrderStatus.REFUNDED


def test_daily_reconciliation_export(operator_client, django_capture_on_commit_callbacks):
    paid = pending_order(learner())
    pay_with_dev(paid)
    refunded = pending_order(learner())
    with django_capture_on_commit_callbacks(execute=True):
        pay_with_dev(refunded)
    with django_capture_on_commit_callbacks(execute=True):
        operator_client.post(reverse("admin:billing_order_refund", args=[refunded.pk]), {"reason": "退款测试"})
    pending_order(learner())  # unpaid: not in the statement
    url = reverse("admin:billing_order_reconciliation")
    assert "导出对账单" in operator_client.get(url).content.decode()
    response = operator_client.get(url, {"day": timezone.localdate().isoformat(), "gateway": "dev", "verify": "1"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["汇总", "收款明细", "退款明细"]
    summary = [c.value for c in wb["汇总"][2]]
    assert summary[2:7] == [2, 240.0, 1, 120.0, 120.0]
    payments = list(wb["收款明细"].iter_rows(min_row=2, values_only=True))
    assert sorted(r[0] for r in payments) == sorted([paid.order_no, refunded.order_no])
    assert all(r[-1] == "一致" for r in payments)
    refunds = list(wb["退款明细"].iter_rows(min_row=2, values_only=True))
    assert refunds[0][0] == refunded.order_no and refunds[0][4] == 120.0
    assert AuditLog.objects.filter(event_type="billing.reconciliation_exported").count() == 1
    yesterday = operator_client.get(
        url, {"day": (timezone.localdate() - dt.timedelta(days=1)).isoformat(), "gateway": "dev"}
    )
    assert [c.value for c in load_workbook(io.BytesIO(yesterday.content))["汇总"][2]][2] == 0


def test_only_operators_reach_the_billing_back_office():
    client = Client()
    client.force_login(UnitHRFactory())
    response = client.get(reverse("admin:billing_order_changelist"))
    assert response.status_code == 302 and "login" in response["Location"]


# --- training years: editable before anyone registered, not after ---------------------------------


def year_post_data(year):
    requirements = list(YearRequirement.objects.filter(training_year=year).order_by("grade_group"))
    data = {
        "year": year.year,
        "is_active": "on",
        "requirements-TOTAL_FORMS": len(requirements),
        "requirements-INITIAL_FORMS": len(requirements),
        "requirements-MIN_NUM_FORMS": 0,
        "requirements-MAX_NUM_FORMS": 1000,
    }
    for i, r in enumerate(requirements):
        data.update(
            {
                f"requirements-{i}-id": r.pk,
                f"requirements-{i}-training_year": year.pk,
                f"requirements-{i}-grade_group": r.grade_group,
                f"requirements-{i}-ideology_hours": r.ideology_hours,
                f"requirements-{i}-general_hours": r.general_hours,
                f"requirements-{i}-skill_hours": r.skill_hours,
                f"requirements-{i}-price": r.price,
            }
        )
    return data, requirements


def technician_price(year):
    return YearRequirement.objects.get(training_year=year, grade_group="technician").price


def test_a_year_is_editable_until_someone_registers(operator_client):
    year = training_year(2022)
    url = reverse("admin:training_trainingyear_change", args=[year.pk])
    data, requirements = year_post_data(year)
    index = next(i for i, r in enumerate(requirements) if r.grade_group == "technician")
    data[f"requirements-{index}-price"] = "150.00"
    response = operator_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert technician_price(year) == Decimal("150.00")
    # Someone registers (an order line is enough)…
    user = learner(year=2022)
    pending_order(user, 2022)
    with pytest.raises(ServiceError, match="2022年度已有学员报名"):
        training_year_assert_editable(training_year=year)
    html = operator_client.get(url).content.decode()
    assert "有学员报名后不能修改" in html and 'name="requirements-0-price"' not in html
    data[f"requirements-{index}-price"] = "999.00"
    data["year"] = 2031
    response = operator_client.post(url, data)
    year.refresh_from_db()
    assert year.year == 2022 and technician_price(year) == Decimal("150.00")
    assert (
        operator_client.post(reverse("admin:training_trainingyear_delete", args=[year.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert Order.objects.get(person=user.person).total_amount == Decimal("150.00")


def test_requirement_formset_refuses_changes_after_registration_even_if_posted():
    from django.forms import inlineformset_factory

    from cecloud.training.admin import RequirementFormSet
    from cecloud.training.models import TrainingYear

    year = training_year(2021)
    user = learner(year=2021)
    pending_order(user, 2021)
    formset_class = inlineformset_factory(
        TrainingYear,
        YearRequirement,
        formset=RequirementFormSet,
        fields=["grade_group", "ideology_hours", "general_hours", "skill_hours", "price"],
        extra=0,
    )
    data, requirements = year_post_data(year)
    data["requirements-0-price"] = "1.00"
    formset = formset_class(data, instance=year, prefix="requirements")
    assert not formset.is_valid()
    assert "2021年度已有学员报名" in str(formset.non_form_errors())


def test_schedules_are_managed_in_the_back_office(operator_client):
    from cecloud.training.models import RegionSchedule

    url = reverse("admin:training_regionschedule_add")
    response = operator_client.post(
        url,
        {
            "region": region("320700").pk,
            "training_year": training_year(2023).pk,
            "register_start": "2023-09-10",
            "register_end": "2023-10-20",
            "study_start": "2023-09-10",
            "study_end": "2023-10-25",
            "catch_up_open": "on",
        },
    )
    assert response.status_code == 302
    schedule = RegionSchedule.objects.get(region__code="320700", training_year__year=2023)
    assert schedule.register_end == dt.date(2023, 10, 20)
    html = operator_client.get(reverse("admin:training_regionschedule_changelist")).content.decode()
    assert "2023-09-10 至 2023-10-20" in html
