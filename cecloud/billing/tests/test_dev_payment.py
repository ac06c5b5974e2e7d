"""Paying through the dev cashier (issue 3 points 6–8): the class opens exactly once, the return page
believes only the server, and the invoice is issued after payment."""

import io
from decimal import Decimal

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from pypdf import PdfReader

from cecloud.billing.factories import dev_notification, learner, pay_with_dev, pending_order
from cecloud.billing.gateways.dev import DevGateway
from cecloud.billing.models import (
    Invoice,
    InvoiceStatus,
    NotificationOutcome,
    Order,
    OrderEvent,
    OrderStatus,
    PaymentNotification,
)
from cecloud.billing.services import notification_receive, order_start_payment
from cecloud.registry.models import Grade
from cecloud.training.models import Enrollment

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_register_and_pay_through_the_dev_cashier(django_capture_on_commit_callbacks):
    user = learner(grade=Grade.SENIOR_TECHNICIAN)
    client = client_for(user)
    client.post(reverse("billing:register"), {"year": "2023"})
    response = client.post(reverse("billing:register_confirm", args=[2023]), {"title_type": "personal"})
    order = Order.objects.get(person=user.person)
    response = client.post(reverse("billing:order_pay", args=[order.order_no]), {"method": "alipay"})
    assert response["Location"] == reverse("billing:dev_cashier", args=[order.order_no])
    html = client.get(response["Location"]).content.decode()
    for label in ["收银台", order.order_no, "120.00", "确认支付", "取消支付"]:
        assert label in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("billing:dev_cashier", args=[order.order_no]), {"action": "pay"})
    assert response["Location"] == reverse("billing:payment_return", args=[order.order_no])
    html = client.get(response["Location"]).content.decode()
    assert "报名成功" in html and "付款成功" in html and "立即学习" in html
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.gateway == "dev" and order.trade_no == f"DEV{order.order_no}"
    enrollment = Enrollment.objects.get(person=user.person, training_year__year=2023)
    assert (enrollment.grade, enrollment.total_hours, enrollment.price, enrollment.source_order_no) == (
        Grade.SENIOR_TECHNICIAN,
        Decimal("40"),
        Decimal("120.00"),
        order.order_no,
    )
    assert order.lines.get().enrollment == enrollment
    invoice = Invoice.objects.get(order=order)
    assert invoice.status == InvoiceStatus.ISSUED and len(invoice.invoice_no) == 20
    pdf = b"".join(client.get(reverse("billing:invoice_download", args=[order.order_no])).streaming_content)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert user.person.name in text and "120.00" in text and invoice.invoice_no in text


def test_cancel_payment_on_the_cashier_keeps_the_order_payable():
    user = learner()
    order = pending_order(user)
    order_start_payment(order=order, actor=user)
    client = client_for(user)
    response = client.post(reverse("billing:dev_cashier", args=[order.order_no]), {"action": "cancel"})
    assert response["Location"] == reverse("billing:order_detail", args=[order.order_no])
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert not PaymentNotification.objects.exists()


def test_the_return_page_ignores_its_query_string():
    user = learner()
    order = pending_order(user)
    order_start_payment(order=order, actor=user)
    forged = f"?out_trade_no={order.order_no}&trade_status=TRADE_SUCCESS&total_amount=120.00&sign=x"
    html = client_for(user).get(reverse("billing:payment_return", args=[order.order_no]) + forged).content.decode()
    assert "正在确认支付结果" in html and "报名成功" not in html.split("reg-steps")[-1].split("result-box")[-1]
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert not Enrollment.objects.exists()


def test_the_return_page_asks_the_gateway_when_the_notification_was_lost(django_capture_on_commit_callbacks):
    user = learner()
    order = pending_order(user)
    order_start_payment(order=order, actor=user)
    DevGateway().pay(order_no=order.order_no, amount=order.total_amount)  # paid, notification never arrived
    with django_capture_on_commit_callbacks(execute=True):
        html = client_for(user).get(reverse("billing:payment_return", args=[order.order_no])).content.decode()
    assert "报名成功" in html
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    notification = PaymentNotification.objects.get(order=order)
    assert (notification.source, notification.outcome) == ("query", NotificationOutcome.PROCESSED)
    # The late notification that finally arrives is a harmless duplicate.
    again = notification_receive(gateway_name="dev", params=dev_notification(order))
    assert again.accepted and again.notification.outcome == NotificationOutcome.DUPLICATE


def test_paying_one_order_twice_opens_the_class_once():
    user = learner()
    order = pending_order(user)
    first = pay_with_dev(order)
    second = notification_receive(gateway_name="dev", params=dev_notification(order))
    finished = notification_receive(
        gateway_name="dev", params=dev_notification(order, resign=True, trade_status="TRADE_FINISHED")
    )
    assert first.notification.outcome == NotificationOutcome.PROCESSED
    assert second.notification.outcome == NotificationOutcome.DUPLICATE
    assert second.notification.duplicate_of == first.notification and second.notification.reason
    assert finished.notification.outcome == NotificationOutcome.IGNORED
    assert Enrollment.objects.filter(person=user.person).count() == 1
    assert OrderEvent.objects.filter(order=order, event="paid").count() == 1
    assert Invoice.objects.filter(order=order).count() == 1
    assert all(r.accepted for r in (first, second, finished))


def test_the_cashier_exists_only_with_the_dev_gateway(tmp_path):
    user = learner()
    order = pending_order(user)
    with override_settings(PAYMENT_GATEWAY="alipay"):
        assert client_for(user).get(reverse("billing:dev_cashier", args=[order.order_no])).status_code == 404


def test_the_cashier_refuses_an_order_that_is_no_longer_payable():
    user = learner()
    order = pending_order(user)
    order_start_payment(order=order, actor=user)
    client = client_for(user)
    client.post(reverse("billing:order_cancel", args=[order.order_no]))
    html = client.get(reverse("billing:dev_cashier", args=[order.order_no])).content.decode()
    assert "不能支付" in html and 'value="pay"' not in html


def test_the_dev_cashier_never_runs_in_the_production_profile():
    user = learner()
    order = pending_order(user)
    order_start_payment(order=order, actor=user)
    params = dev_notification(order)
    with override_settings(CECLOUD_ENV="production"):
        from cecloud.core.errors import ServiceError

        with pytest.raises(ServiceError, match="暂时无法发起支付"):
            order_start_payment(order=order, actor=user)
        assert client_for(user).get(reverse("billing:dev_cashier", args=[order.order_no])).status_code == 404
        result = notification_receive(gateway_name="dev", params=params)
    assert not result.accepted and result.notification.reason == "未启用的支付方式"
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
