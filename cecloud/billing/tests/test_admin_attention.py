"""标记已处理 in the back office goes through the billing service: the row is locked, the flag and
note cleared, an order event and one audit entry written."""

import pytest
from django.test import Client
from django.urls import reverse

from cecloud.accounts.factories import OperatorFactory
from cecloud.billing.factories import learner, pending_order
from cecloud.billing.models import OrderEvent
from cecloud.billing.services import order_clear_attention
from cecloud.billing.services.orders import flag_order
from cecloud.core.models import AuditLog

pytestmark = pytest.mark.django_db


def test_resolving_a_flagged_order_clears_it_with_an_event_and_an_audit_entry():
    operator = OperatorFactory()
    client = Client()
    client.force_login(operator)
    order = pending_order(learner())
    flag_order(order, "退款失败：网关超时")

    response = client.post(reverse("admin:billing_order_resolve", args=[order.pk]))

    assert response.status_code == 302
    order.refresh_from_db()
    assert not order.needs_attention and order.attention_note == ""
    event = OrderEvent.objects.get(order=order, event="attention_cleared")
    assert event.actor == operator and event.note == "运营已处理：退款失败：网关超时"
    (entry,) = AuditLog.objects.filter(event_type="order.attention_cleared")
    assert entry.actor == operator and entry.extra_data == {"note": "退款失败：网关超时"}


def test_only_a_post_resolves():
    client = Client()
    client.force_login(OperatorFactory())
    order = pending_order(learner())
    flag_order(order, "需核对")
    client.get(reverse("admin:billing_order_resolve", args=[order.pk]))
    order.refresh_from_db()
    assert order.needs_attention


def test_the_service_works_on_the_stored_row():
    order = pending_order(learner())
    flag_order(order, "需核对")
    stale = type(order).objects.get(pk=order.pk)
    stale.attention_note = "（过时的副本）"
    cleared = order_clear_attention(order=stale, actor=None)
    assert not cleared.needs_attention
    assert OrderEvent.objects.get(order=order, event="attention_cleared").note == "运营已处理：需核对"
