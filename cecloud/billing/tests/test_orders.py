"""Registration flow (issue 3 points 3–5): steps, the order page, one unpaid order per year, expiry."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from cecloud.billing.factories import age_order, dev_notification, learner, pay_with_dev, pending_order
from cecloud.billing.models import (
    NotificationOutcome,
    Order,
    OrderEvent,
    OrderKind,
    OrderLine,
    OrderStatus,
    Refund,
    RefundStatus,
)
from cecloud.billing.services import (
    InvoiceInfo,
    new_order_no,
    notification_receive,
    order_cancel,
    order_create,
    order_start_payment,
)
from cecloud.billing.tasks import orders_expire_sweep
from cecloud.core.errors import ServiceError
from cecloud.registry.models import Grade
from cecloud.training.factories import open_schedule, training_year
from cecloud.training.models import Enrollment, YearRequirement

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_order_numbers_are_24_digits_unique_and_time_ordered():
    now = dt.datetime(2023, 2, 3, 8, 52, 5, 747667, tzinfo=dt.UTC)
    numbers = [new_order_no(now + dt.timedelta(microseconds=i)) for i in range(2000)]
    assert all(re.fullmatch(r"\d{24}", n) for n in numbers)
    assert len(set(numbers)) == len(numbers)
    assert numbers == sorted(numbers)
    assert numbers[0].startswith("230203165205747667")  # Asia/Shanghai: 16:52:05


def test_step_1_lists_only_open_unregistered_years_and_says_why_others_are_closed():
    user = learner(year=2023)
    city = user.person.region.city
    open_schedule(city, 2022)
    open_schedule(city, 2021, register_start=dt.date(2021, 9, 10), register_end=dt.date(2021, 10, 20))
    open_schedule(city, 2020, catch_up_open=False)
    paid = pending_order(user, 2022)
    pay_with_dev(paid)
    html = client_for(user).get(reverse("billing:register")).content.decode()
    for label in ["1", "确认报名年度", "2", "确认报名信息", "3", "付款成功", "4", "报名成功", "选择报名年度", "下一步"]:
        assert label in html
    radios = re.findall(r'name="year" value="(\d{4})"', html)
    assert radios == ["2023"]
    assert "已报名" in html  # 2022
    assert "2021年9月10日至2021年10月20日" in html
    assert "未开放2020年度补学" in html
    assert "尚未公布2019年度的报名缴费时间" in html


def test_next_goes_to_step_2_with_the_manual_table_and_invoice_form():
    user = learner(year=2023)
    client = client_for(user)
    response = client.post(reverse("billing:register"), {"year": "2023"})
    assert response.status_code == 302 and response["Location"] == reverse("billing:register_confirm", args=[2023])
    html = client.get(response["Location"]).content.decode()
    for label in [
        "培训内容",
        "学时",
        "金额(元)",
        "年度: 2023 技术等级: 高级技师",
        "120.00",
        "发票信息",
        "发票类型:",
        "增值税电子普通发票",
        "发票抬头类型:",
        "个人",
        "单位",
        "发票抬头:",
        "请填写真实姓名",
        "纳税人识别号",
        "提交订单",
    ]:
        assert label in html, label
    assert f'value="{user.person.name}"' in html


def test_submitting_creates_the_order_page_of_the_manual_and_again_returns_it():
    user = learner(grade=Grade.INTERMEDIATE, year=2023)
    client = client_for(user)
    url = reverse("billing:register_confirm", args=[2023])
    response = client.post(url, {"title_type": "personal", "title": "someone else"})
    order = Order.objects.get(person=user.person)
    assert response["Location"] == reverse("billing:order_detail", args=[order.order_no])
    assert order.invoice_title == user.person.name  # a personal title is the real name
    assert (order.kind, order.status, order.total_hours, order.total_amount) == (
        OrderKind.PERSONAL,
        OrderStatus.PENDING,
        Decimal("24"),
        Decimal("80.00"),
    )
    html = client.get(response["Location"]).content.decode()
    text = re.sub(r"<[^>]+>", "", html)
    text = re.sub(r"\s+", " ", text)
    for label in [
        f"订单号: {order.order_no}",
        "订单状态: 待支付",
        "订单类型: 个人报名",
        "支付方式: —",
        "请您在 24 小时内完成支付，否则订单会被自动取消。",
        "年度: 2023 技术等级: 中级工",
        "需要发票",
        f"发票类型: 增值税普通发票 (电子) 发票抬头: 【个人】{user.person.name}",
        "支付宝",
        "合计: 24学时 支付金额: 80.00 元",
        "立即支付",
        "取消订单",
    ]:
        assert label in text, label
    again = client.post(url, {"title_type": "personal"})
    assert again["Location"] == response["Location"]
    assert Order.objects.filter(person=user.person).count() == 1


def test_the_database_refuses_a_second_unpaid_order_for_the_same_year():
    user = learner()
    order = pending_order(user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.create(
            order_no=new_order_no(),
            kind=OrderKind.PERSONAL,
            training_year=order.training_year,
            buyer=user,
            person=user.person,
            unit=user.person.unit,
            region=user.person.region,
            total_hours=40,
            total_amount=120,
            expires_at=order.expires_at,
            invoice_title="x",
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        line = order.lines.get()
        line.pk = None
        line.order = Order.objects.create(
            order_no=new_order_no(),
            kind=OrderKind.UNIT,
            training_year=order.training_year,
            buyer=user,
            unit=user.person.unit,
            region=user.person.region,
            total_hours=40,
            total_amount=120,
            expires_at=order.expires_at,
            invoice_title="x",
        )
        line.save()


@pytest.mark.parametrize(
    ("info", "error"),
    [
        (InvoiceInfo("unit", "某某科技有限公司", "", "enterprise"), "企业抬头须填写纳税人识别号"),
        (InvoiceInfo("unit", "某某科技有限公司", "91110000600037341X", "enterprise"), "校验位错误"),
        (InvoiceInfo("unit", "", "", "agency"), "请填写发票抬头"),
    ],
)
def test_unit_invoice_titles_are_validated(info, error):
    user = learner()
    with pytest.raises(ServiceError, match=error):
        order_create(user=user, training_year=training_year(2023), invoice=info)


def test_unit_titles_tax_number_optional_for_public_bodies_and_checked_for_enterprises():
    user = learner()
    order, _ = order_create(
        user=user, training_year=training_year(2023), invoice=InvoiceInfo("unit", "连云港市某局", "", "agency")
    )
    assert (order.invoice_title_type, order.invoice_tax_number, order.invoice_buyer_kind) == ("unit", "", "agency")
    other = learner()
    order, _ = order_create(
        user=other,
        training_year=training_year(2023),
        invoice=InvoiceInfo("unit", "某某科技有限公司", "91110000600037341l", "enterprise"),
    )
    assert order.invoice_tax_number == "91110000600037341L"


def test_the_form_shows_tax_number_errors():
    user = learner()
    response = client_for(user).post(
        reverse("billing:register_confirm", args=[2023]),
        {"title_type": "unit", "title": "某某科技有限公司", "buyer_kind": "enterprise", "tax_number": ""},
    )
    assert response.status_code == 200
    assert "企业抬头须填写纳税人识别号" in response.content.decode()
    assert not Order.objects.exists()


def test_price_and_hours_are_snapshotted_on_the_order_line():
    user = learner()
    order = pending_order(user)
    YearRequirement.objects.filter(training_year=order.training_year, grade_group="technician").update(
        price=Decimal("999.00"), skill_hours=30
    )
    line = OrderLine.objects.get(order=order)
    assert (line.price, line.hours, line.skill_hours) == (Decimal("120.00"), Decimal("40"), Decimal("16"))
    assert Order.objects.get(pk=order.pk).total_amount == Decimal("120.00")


def test_closed_window_refuses_with_the_dates():
    user = learner(open_window=False)
    open_schedule(
        user.person.region.city, 2023, register_start=dt.date(2023, 9, 10), register_end=dt.date(2023, 10, 20)
    )
    with pytest.raises(ServiceError, match="2023年9月10日至2023年10月20日"):
        pending_order(user)


def test_the_learner_cancels_an_unpaid_order_and_may_order_again():
    user = learner()
    order = pending_order(user)
    response = client_for(user).post(reverse("billing:order_cancel", args=[order.order_no]))
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and order.cancel_reason == "用户取消订单"
    assert not order.lines.get().live
    assert OrderEvent.objects.filter(
        order=order, event="cancelled", from_status="pending", to_status="cancelled"
    ).exists()
    again = pending_order(user)
    assert again.pk != order.pk


def test_only_the_owner_sees_an_order():
    owner = learner()
    order = pending_order(owner)
    stranger = learner()
    for name in ["billing:order_detail", "billing:payment_return", "billing:invoice_download"]:
        assert client_for(stranger).get(reverse(name, args=[order.order_no])).status_code == 404
    assert client_for(stranger).post(reverse("billing:order_cancel", args=[order.order_no])).status_code == 404
    assert client_for(owner).get(reverse("billing:order_detail", args=[order.order_no])).status_code == 200


# --- 24-hour expiry at the boundary ------------------------------------------------------------------


def test_23h59m59s_old_order_is_still_payable():
    user = learner()
    order = age_order(pending_order(user), dt.timedelta(hours=23, minutes=59, seconds=59))
    assert order.effective_status == OrderStatus.PENDING and order.is_payable
    result = pay_with_dev(order)
    assert result.notification.outcome == NotificationOutcome.PROCESSED
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert Enrollment.objects.filter(person=user.person, training_year__year=2023).exists()


def test_24h00m01s_old_order_is_cancelled_on_read_and_can_never_be_paid(django_capture_on_commit_callbacks):
    user = learner()
    order = pending_order(user)
    order_start_payment(order=order, actor=user)  # the learner opened the cashier in time
    order = age_order(order, dt.timedelta(hours=24, seconds=1))
    assert order.status == OrderStatus.PENDING  # nothing swept yet…
    assert order.effective_status == OrderStatus.CANCELLED  # …but every read says 已取消
    html = client_for(user).get(reverse("billing:order_detail", args=[order.order_no])).content.decode()
    assert "已取消" in html and "立即支付" not in html
    with pytest.raises(ServiceError, match="已自动取消"):
        order_start_payment(order=order, actor=user)
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and order.cancel_reason == "超时未支付，系统自动取消"
    # Money arriving now is not accepted: recorded, and refunded automatically.
    with django_capture_on_commit_callbacks(execute=True):
        result = notification_receive(gateway_name="dev", params=dev_notification(order))
    assert result.notification.outcome == NotificationOutcome.LATE
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    refund = Refund.objects.get(order=order)
    assert (refund.kind, refund.status, refund.amount) == ("late_payment", RefundStatus.SUCCEEDED, order.total_amount)
    assert not Enrollment.objects.filter(person=user.person).exists()


def test_the_periodic_sweep_writes_down_expired_orders_only():
    fresh = pending_order(learner())
    old = age_order(pending_order(learner()), dt.timedelta(hours=24, seconds=1))
    assert orders_expire_sweep() == 1
    fresh.refresh_from_db()
    old.refresh_from_db()
    assert fresh.status == OrderStatus.PENDING
    assert old.status == OrderStatus.CANCELLED
    assert OrderEvent.objects.filter(order=old, event="expired").exists()
    assert orders_expire_sweep() == 0


def test_an_expired_order_is_replaced_by_a_new_one():
    user = learner()
    old = age_order(pending_order(user), dt.timedelta(hours=25))
    new = pending_order(user)
    assert new.pk != old.pk
    old.refresh_from_db()
    assert old.status == OrderStatus.CANCELLED


def test_cancel_after_expiry_reports_the_expiry():
    user = learner()
    order = age_order(pending_order(user), dt.timedelta(hours=30))
    order = order_cancel(order=order, actor=user)
    assert order.cancel_reason == "超时未支付，系统自动取消"


def test_invoice_download_list_runs_a_constant_number_of_queries():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = learner()
    city = user.person.region.city
    for year in (2023, 2022):
        open_schedule(city, year)
        pay_with_dev(pending_order(user, year))
    client = client_for(user)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("billing:orders")).status_code == 200
    for year in (2021, 2020, 2019):
        open_schedule(city, year)
        pay_with_dev(pending_order(user, year))
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("billing:orders")).content.decode()
    assert html.count("订单详情") == 5
    assert len(many.captured_queries) == len(few.captured_queries)
