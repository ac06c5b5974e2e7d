"""Payment notifications record the real sender behind a trusted proxy, never a forged header."""

import pytest
from django.test import Client
from django.urls import reverse

from cecloud.billing.factories import dev_notification, learner, pending_order
from cecloud.billing.models import PaymentNotification
from cecloud.billing.services import order_start_payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def started():
    user = learner()
    order = pending_order(user)
    order_start_payment(order=order, actor=user)
    return order


def test_the_notification_log_records_the_client_behind_a_trusted_proxy(started, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    url = reverse("billing:notify", args=["dev"])
    Client().post(url, dev_notification(started), REMOTE_ADDR="10.2.0.1", HTTP_X_FORWARDED_FOR="110.75.1.9")
    Client().post(url, {"sign": "x"}, REMOTE_ADDR="203.0.113.8", HTTP_X_FORWARDED_FOR="110.75.1.9")
    addresses = list(PaymentNotification.objects.order_by("pk").values_list("remote_addr", flat=True))
    assert addresses == ["110.75.1.9", "203.0.113.8"]
