"""The Alipay gateway end to end against a fake Alipay with its own key pair (issue 3 point 6)."""

import datetime as dt
import json
import urllib.parse
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cecloud.accounts.factories import OperatorFactory
from cecloud.billing.factories import learner, pending_order
from cecloud.billing.gateways import GatewayError, get_gateway
from cecloud.billing.gateways.alipay import AlipayGateway, load_private_key, sign_content, verify_content
from cecloud.billing.models import NotificationOutcome, OrderStatus, PaymentNotification, Refund, RefundStatus
from cecloud.billing.services import order_cancel, order_refund_request, orders_reconcile_pending
from cecloud.training.models import Enrollment, EnrollmentStatus

from .conftest import APP_ID, SELLER_ID
from .fake_alipay import bare, new_key, private_pem, public_pem

pytestmark = pytest.mark.django_db

MOBILE_UA = "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36"


def client_for(user, **headers):
    client = Client(**headers)
    client.force_login(user)
    return client


def start(order, *, mobile=False, **headers):
    ua = {"HTTP_USER_AGENT": MOBILE_UA} if mobile else {}
    response = client_for(order.buyer, **ua).post(
        reverse("billing:order_pay", args=[order.order_no]), {"method": "alipay"}
    )
    assert response.status_code == 302
    return response["Location"]


def notify(params):
    return Client().post(reverse("billing:notify", args=["alipay"]), params)


def test_request_signing_follows_the_rules():
    key = new_key()
    gateway = AlipayGateway(
        app_id=APP_ID, seller_id=SELLER_ID, app_private_key=private_pem(key), alipay_public_key=public_pem(key)
    )
    params = gateway.build_params("alipay.trade.query", {"out_trade_no": "1"}, notify_url="", return_url="x")
    assert sign_content({"b": "2", "a": "1", "sign": "s", "sign_type": "RSA2", "e": ""}) == "a=1&b=2&sign_type=RSA2"
    assert verify_content({"b": "2", "a": "1", "sign": "s", "sign_type": "RSA2"}) == "a=1&b=2"
    assert "notify_url" not in params and params["return_url"] == "x"
    assert (params["sign_type"], params["charset"], params["format"], params["version"]) == (
        "RSA2",
        "utf-8",
        "JSON",
        "1.0",
    )
    dt.datetime.strptime(params["timestamp"], "%Y-%m-%d %H:%M:%S")
    from cecloud.billing.gateways.alipay import rsa2_verify

    assert rsa2_verify(key.public_key(), sign_content(params), params["sign"])


def test_keys_are_accepted_as_pem_or_bare_base64_pkcs8_or_pkcs1():
    key = new_key()
    for text in (
        private_pem(key),
        bare(private_pem(key)),
        private_pem(key, pkcs1=True),
        bare(private_pem(key, pkcs1=True)),
    ):
        assert load_private_key(text).private_numbers() == key.private_numbers()


def test_desktop_page_pay(alipay):
    order = pending_order(learner())
    url = start(order)
    assert url.startswith(alipay.url + "?")
    request = alipay.open_payment_page(url)  # raises unless our signature verifies
    params, biz = request["params"], request["biz"]
    assert params["method"] == "alipay.trade.page.pay"
    assert params["notify_url"] == "https://cecloud.example.cn/billing/notify/alipay/"
    assert params["return_url"] == f"https://cecloud.example.cn/billing/orders/{order.order_no}/result/"
    assert biz["product_code"] == "FAST_INSTANT_TRADE_PAY"
    assert (biz["out_trade_no"], biz["total_amount"]) == (order.order_no, "120.00")
    time_expire = timezone.make_aware(dt.datetime.strptime(biz["time_expire"], "%Y-%m-%d %H:%M:%S"))
    assert time_expire <= order.expires_at
    order.refresh_from_db()
    assert order.gateway == "alipay"


def test_phone_wap_pay_uses_quick_wap_way_with_quit_url(alipay):
    order = pending_order(learner())
    request = alipay.open_payment_page(start(order, mobile=True))
    assert request["params"]["method"] == "alipay.trade.wap.pay"
    assert request["biz"]["product_code"] == "QUICK_WAP_WAY"
    assert request["biz"]["quit_url"] == f"https://cecloud.example.cn/billing/orders/{order.order_no}/"


def test_paid_notification_opens_the_class_and_gets_exactly_success(alipay, django_capture_on_commit_callbacks):
    user = learner()
    order = pending_order(user)
    alipay.open_payment_page(start(order))
    params = alipay.pay(order.order_no)
    with django_capture_on_commit_callbacks(execute=True):
        response = notify(params)
    assert response.content == b"success"
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.trade_no == alipay.trades[order.order_no]["trade_no"]
    assert Enrollment.objects.get(person=user.person).source_order_no == order.order_no
    assert notify(params).content == b"success"  # Alipay's retry: a recorded duplicate
    assert PaymentNotification.objects.filter(outcome=NotificationOutcome.DUPLICATE).count() == 1
    assert Enrollment.objects.count() == 1


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("other-key", "签名验证失败"),
        ("tampered-amount", "签名验证失败"),
        ("seller", "seller_id 不符：2088000000000000"),
        ("app-id", "app_id 不符：2021000000000000"),
        ("amount", "金额不符：通知 0.01 元，订单 120.00 元"),
        ("sign-type", "不支持的签名类型 RSA"),
    ],
)
def test_alipay_notification_attacks_change_nothing(alipay, kind, reason):
    order = pending_order(learner())
    alipay.open_payment_page(start(order))
    alipay.pay(order.order_no)
    if kind == "other-key":
        params = alipay.notification(order.order_no, key=new_key())
    elif kind == "tampered-amount":
        params = alipay.notification(order.order_no)
        params["total_amount"] = "0.01"
    elif kind == "seller":
        params = alipay.notification(order.order_no, seller_id="2088000000000000")
    elif kind == "app-id":
        params = alipay.notification(order.order_no, app_id="2021000000000000")
    elif kind == "amount":
        params = alipay.notification(order.order_no, total_amount="0.01")
    else:
        params = alipay.notification(order.order_no, sign_type="RSA")
    assert notify(params).content == b"fail"
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert not Enrollment.objects.exists()
    assert PaymentNotification.objects.get().reason == reason


def test_wait_buyer_pay_is_recorded_and_ignored(alipay):
    order = pending_order(learner())
    alipay.open_payment_page(start(order))
    assert notify(alipay.notification(order.order_no)).content == b"success"
    assert PaymentNotification.objects.get().outcome == NotificationOutcome.IGNORED
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


def test_return_page_queries_alipay_when_the_notification_is_late(alipay, django_capture_on_commit_callbacks):
    user = learner()
    order = pending_order(user)
    alipay.open_payment_page(start(order))
    notification = alipay.pay(order.order_no)  # paid, but the notification has not arrived
    result_url = reverse("billing:payment_return", args=[order.order_no])
    forged_query = "?" + urllib.parse.urlencode({"out_trade_no": order.order_no, "trade_status": "TRADE_SUCCESS"})
    with django_capture_on_commit_callbacks(execute=True):
        html = client_for(user).get(result_url + forged_query).content.decode()
    assert "报名成功" in html
    assert ("alipay.trade.query", {"out_trade_no": order.order_no}) in alipay.calls
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert PaymentNotification.objects.get().source == "query"
    assert notify(notification).content == b"success"
    assert Enrollment.objects.count() == 1


def test_an_unpaid_trade_leaves_the_return_page_waiting(alipay):
    user = learner()
    order = pending_order(user)
    alipay.open_payment_page(start(order))
    html = client_for(user).get(reverse("billing:payment_return", args=[order.order_no])).content.decode()
    assert "正在确认支付结果" in html
    assert not PaymentNotification.objects.exists()


def test_a_tampered_query_answer_is_refused(alipay):
    order = pending_order(learner())
    alipay.open_payment_page(start(order))
    alipay.pay(order.order_no)
    alipay.tamper_responses = True
    with pytest.raises(GatewayError, match="签名验证失败"):
        get_gateway("alipay").query(order_no=order.order_no)
    orders_reconcile_pending()
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


def test_reconciliation_job_finds_a_lost_payment(alipay):
    order = pending_order(learner())
    alipay.open_payment_page(start(order))
    alipay.pay(order.order_no)
    assert orders_reconcile_pending() == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_cancelling_closes_the_trade_at_alipay(alipay, django_capture_on_commit_callbacks):
    user = learner()
    order = pending_order(user)
    alipay.open_payment_page(start(order))
    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order=order, actor=user)
    assert ("alipay.trade.close", {"out_trade_no": order.order_no}) in alipay.calls
    assert alipay.trades[order.order_no]["trade_status"] == "TRADE_CLOSED"


def test_paid_then_cancelled_race_is_refunded_not_opened(alipay, django_capture_on_commit_callbacks):
    """The buyer pays at Alipay while the order is cancelled here: closing fails, the query shows
    the money, and it goes back automatically."""
    user = learner()
    order = pending_order(user)
    alipay.open_payment_page(start(order))
    alipay.pay(order.order_no)
    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order=order, actor=user)
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    refund = Refund.objects.get(order=order)
    assert (refund.kind, refund.status) == ("late_payment", RefundStatus.SUCCEEDED)
    assert alipay.refunds[refund.out_request_no]["refund_amount"] == "120.00"
    assert not Enrollment.objects.exists()


def test_operator_refund_goes_through_alipay_with_out_request_no(alipay, django_capture_on_commit_callbacks):
    user = learner()
    order = pending_order(user)
    alipay.open_payment_page(start(order))
    with django_capture_on_commit_callbacks(execute=True):
        notify(alipay.pay(order.order_no))
    with django_capture_on_commit_callbacks(execute=True):
        refund = order_refund_request(order=order, actor=OperatorFactory(), reason="重复报名")
    refund.refresh_from_db()
    order.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED and refund.out_request_no == f"{order.order_no}R01"
    method, biz = alipay.calls[-1]
    assert method == "alipay.trade.refund"
    assert biz == {
        "out_trade_no": order.order_no,
        "refund_amount": "120.00",
        "out_request_no": refund.out_request_no,
        "refund_reason": "重复报名",
    }
    assert order.status == OrderStatus.REFUNDED
    assert Enrollment.objects.get(person=user.person).status == EnrollmentStatus.CLOSED
    assert Decimal(refund.response["refund_fee"]) == Decimal("120.00")


def test_a_failed_alipay_refund_is_visible_and_can_be_retried(alipay, django_capture_on_commit_callbacks):
    from cecloud.billing.services import refund_retry

    user = learner()
    order = pending_order(user)
    alipay.open_payment_page(start(order))
    with django_capture_on_commit_callbacks(execute=True):
        notify(alipay.pay(order.order_no))
    alipay.trades[order.order_no]["trade_status"] = "WAIT_BUYER_PAY"  # Alipay refuses for now
    operator = OperatorFactory()
    with django_capture_on_commit_callbacks(execute=True):
        refund = order_refund_request(order=order, actor=operator, reason="学员申请")
    refund.refresh_from_db()
    order.refresh_from_db()
    assert refund.status == RefundStatus.FAILED and "ACQ.TRADE_STATUS_ERROR" in refund.last_error
    assert order.status == OrderStatus.REFUNDING and order.needs_attention
    alipay.trades[order.order_no]["trade_status"] = "TRADE_SUCCESS"
    refund = refund_retry(refund=refund, actor=operator)
    order.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED and refund.attempts == 2
    assert order.status == OrderStatus.REFUNDED and not order.needs_attention


def test_requests_signed_with_the_wrong_key_are_refused_by_alipay(alipay, tmp_path, settings):
    wrong = tmp_path / "wrong.pem"
    wrong.write_text(private_pem(new_key()))
    settings.ALIPAY_APP_PRIVATE_KEY_PATH = str(wrong)
    with pytest.raises(GatewayError, match="isv.invalid-signature"):
        get_gateway("alipay").query(order_no="1")
    assert json.dumps(alipay.calls) == "[]"


def test_the_return_page_asks_alipay_at_most_once_every_few_seconds(alipay):
    user = learner()
    order = pending_order(user)
    alipay.open_payment_page(start(order))
    client = client_for(user)
    for _ in range(5):
        client.get(reverse("billing:payment_return", args=[order.order_no]))
    assert [m for m, _ in alipay.calls].count("alipay.trade.query") == 1


def test_time_expire_leaves_a_margin_before_our_deadline(alipay):
    order = pending_order(learner())
    biz = alipay.open_payment_page(start(order))["biz"]
    time_expire = timezone.make_aware(dt.datetime.strptime(biz["time_expire"], "%Y-%m-%d %H:%M:%S"))
    assert dt.timedelta(minutes=5) <= order.expires_at - time_expire < dt.timedelta(minutes=5, seconds=1)
