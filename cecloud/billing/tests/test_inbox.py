"""The notification inbox (issue 3 point 7): duplicate, replayed, forged, tampered and mismatched
notifications change nothing and are recorded with the reason; concurrent delivery opens once."""

import threading

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from cecloud.billing.factories import dev_notification, learner, pay_with_dev, pending_order
from cecloud.billing.models import NotificationOutcome, Order, OrderEvent, OrderStatus, PaymentNotification
from cecloud.billing.services import notification_receive, order_cancel, order_start_payment
from cecloud.core.testing import require_postgres
from cecloud.training.models import Enrollment

pytestmark = pytest.mark.django_db


@pytest.fixture
def started():
    """A learner's unpaid order whose payment was started on the dev gateway."""
    user = learner()
    order = pending_order(user)
    order_start_payment(order=order, actor=user)
    return order


def post_notify(params, gateway="dev"):
    return Client().post(reverse("billing:notify", args=[gateway]), params)


def assert_unchanged(order):
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING and not order.trade_no
    assert not Enrollment.objects.exists()
    assert not OrderEvent.objects.filter(order=order, event="paid").exists()


def test_a_genuine_notification_gets_exactly_success(started):
    response = post_notify(dev_notification(started))
    assert response.status_code == 200
    assert response.content == b"success"
    assert response["Content-Type"].startswith("text/plain")
    started.refresh_from_db()
    assert started.status == OrderStatus.PAID
    n = PaymentNotification.objects.get()
    assert (n.verified, n.outcome, n.dedup_key) == (True, "processed", f"dev:DEV{started.order_no}:TRADE_SUCCESS")


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda p: p.update(sign="0" * 64), "签名验证失败"),
        (lambda p: p.pop("sign"), "缺少签名"),
        (lambda p: p.update(total_amount="0.01"), "签名验证失败"),  # tampered amount, signature no longer fits
        (lambda p: p.update(out_trade_no="230101000000000000000000"), "签名验证失败"),
        (lambda p: p.update(trade_status="TRADE_FINISHED"), "签名验证失败"),
    ],
    ids=["forged-signature", "unsigned", "tampered-amount", "tampered-order", "tampered-status"],
)
def test_forged_and_tampered_notifications_change_nothing_and_are_recorded(started, mutate, reason):
    params = dev_notification(started)
    mutate(params)
    response = post_notify(params)
    assert response.content == b"fail"
    assert_unchanged(started)
    n = PaymentNotification.objects.get()
    assert (n.verified, n.outcome, n.reason, n.dedup_key) == (False, NotificationOutcome.REJECTED, reason, None)
    assert n.payload["out_trade_no"] == params["out_trade_no"]


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"total_amount": "0.01"}, "金额不符：通知 0.01 元，订单 120.00 元"),
        ({"app_id": "someone-else"}, "app_id 不符：someone-else"),
        ({"out_trade_no": "230101000000000000000000"}, "订单不存在：230101000000000000000000"),
    ],
    ids=["signed-wrong-amount", "wrong-app-id", "unknown-order"],
)
def test_signed_but_mismatched_notifications_change_nothing_and_are_recorded(started, overrides, reason):
    response = post_notify(dev_notification(started, resign=True, **overrides))
    assert response.content == b"fail"
    assert_unchanged(started)
    n = PaymentNotification.objects.get()
    assert (n.verified, n.outcome, n.reason, n.dedup_key) == (True, NotificationOutcome.REJECTED, reason, None)


def test_a_notification_for_an_order_that_never_started_payment_is_refused():
    order = pending_order(learner())
    result = notification_receive(gateway_name="dev", params=dev_notification(order))
    assert not result.accepted and result.notification.reason == "订单未通过该支付方式发起支付"
    assert_unchanged(order)


def test_a_replayed_notification_is_a_recorded_harmless_duplicate(started):
    params = dev_notification(started)
    assert post_notify(params).content == b"success"
    for _ in range(3):
        assert post_notify(params).content == b"success"  # the gateway stops retrying
    original = PaymentNotification.objects.get(dedup_key__isnull=False)
    duplicates = PaymentNotification.objects.filter(outcome=NotificationOutcome.DUPLICATE)
    assert duplicates.count() == 3
    assert all(d.duplicate_of == original and "重复的支付结果" in d.reason for d in duplicates)
    assert Enrollment.objects.count() == 1
    assert OrderEvent.objects.filter(order=started, event="paid").count() == 1


def test_a_forgery_cannot_block_the_genuine_notification(started):
    genuine = dev_notification(started)
    forged = dict(genuine, sign="f" * 64)
    assert post_notify(forged).content == b"fail"
    assert post_notify(genuine).content == b"success"
    started.refresh_from_db()
    assert started.status == OrderStatus.PAID


def test_a_stuck_original_is_resumed_by_its_duplicate(started):
    params = dev_notification(started)
    # The process died between storing and processing: the row exists, nothing was applied.
    PaymentNotification.objects.create(
        gateway="dev",
        dedup_key=f"dev:DEV{started.order_no}:TRADE_SUCCESS",
        order=started,
        order_no=started.order_no,
        trade_no=f"DEV{started.order_no}",
        trade_status="TRADE_SUCCESS",
        total_amount=started.total_amount,
        verified=True,
    )
    assert post_notify(params).content == b"success"
    started.refresh_from_db()
    assert started.status == OrderStatus.PAID
    assert PaymentNotification.objects.get(dedup_key__isnull=False).outcome == NotificationOutcome.PROCESSED


def test_notifications_of_a_gateway_that_is_not_enabled_are_refused(started):
    with override_settings(PAYMENT_GATEWAY="alipay", ALIPAY_APP_ID=""):
        response = post_notify(dev_notification(started))
    assert response.content == b"fail"
    assert PaymentNotification.objects.get().reason == "未启用的支付方式"
    assert_unchanged(started)
    assert post_notify({}, gateway="paypal").status_code == 404


def test_payment_for_a_cancelled_order_is_recorded_and_refunded_never_opened(
    started, django_capture_on_commit_callbacks
):
    order_cancel(order=started, actor=started.buyer)
    with django_capture_on_commit_callbacks(execute=True):
        result = notification_receive(gateway_name="dev", params=dev_notification(started))
    assert result.accepted and result.notification.outcome == NotificationOutcome.LATE
    started.refresh_from_db()
    assert started.status == OrderStatus.REFUNDED
    assert OrderEvent.objects.filter(order=started, event="late_payment").exists()
    assert not Enrollment.objects.exists()


def test_a_closed_trade_cancels_an_unpaid_order(started):
    result = notification_receive(
        gateway_name="dev", params=dev_notification(started, resign=True, trade_status="TRADE_CLOSED")
    )
    assert result.notification.outcome == NotificationOutcome.PROCESSED
    started.refresh_from_db()
    assert started.status == OrderStatus.CANCELLED and started.cancel_reason == "支付交易已关闭"


def test_a_closed_trade_for_a_paid_order_is_flagged_for_operators():
    user = learner()
    order = pending_order(user)
    pay_with_dev(order)
    notification_receive(gateway_name="dev", params=dev_notification(order, resign=True, trade_status="TRADE_CLOSED"))
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.needs_attention
    assert "交易已关闭" in order.attention_note


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_notification_delivered_concurrently_opens_the_class_once():
    require_postgres()
    user = learner()
    order = pending_order(user)
    order_start_payment(order=order, actor=user)
    params = dev_notification(order)
    barrier = threading.Barrier(4)
    results, errors = [], []

    def deliver():
        try:
            barrier.wait(timeout=10)
            results.append(notification_receive(gateway_name="dev", params=dict(params)))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert len(results) == 4 and all(r.accepted for r in results)
    outcomes = sorted(r.notification.outcome for r in results)
    assert outcomes == ["duplicate", "duplicate", "duplicate", "processed"]
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    assert Enrollment.objects.filter(person=user.person).count() == 1
    assert OrderEvent.objects.filter(order=order, event="paid").count() == 1
    assert PaymentNotification.objects.filter(dedup_key__isnull=False).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_notification_and_a_query_result_racing_open_the_class_once():
    require_postgres()
    from cecloud.billing.services import order_reconcile

    user = learner()
    order = pending_order(user)
    order_start_payment(order=order, actor=user)
    params = dev_notification(order)  # also records the paid trade for the query
    barrier = threading.Barrier(2)
    errors = []

    def notify():
        try:
            barrier.wait(timeout=10)
            notification_receive(gateway_name="dev", params=dict(params))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    def query():
        try:
            barrier.wait(timeout=10)
            order_reconcile(order=Order.objects.get(pk=order.pk))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=notify), threading.Thread(target=query)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert Enrollment.objects.filter(person=user.person).count() == 1
    assert OrderEvent.objects.filter(order=order, event="paid").count() == 1
