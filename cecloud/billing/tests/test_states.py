"""The order, refund and invoice transition tables: every pair of states is tried on a real row
through the one transition mechanism; the legal moves are written out here, so a change to a
table (or to the guard) fails this test."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cecloud.billing.factories import learner, pending_order
from cecloud.billing.models import (
    Invoice,
    InvoiceStatus,
    Order,
    OrderEvent,
    OrderStatus,
    Refund,
    RefundKind,
    RefundStatus,
)
from cecloud.core.errors import ConflictError
from cecloud.core.testing import all_pairs, assert_move

pytestmark = pytest.mark.django_db

S = OrderStatus
ORDER_MOVES = {
    (S.PENDING, S.PAID),
    (S.PENDING, S.CANCELLED),
    (S.PAID, S.REFUNDING),
    (S.CANCELLED, S.REFUNDING),
    (S.REFUNDING, S.REFUNDED),
}

R = RefundStatus
REFUND_MOVES = {
    (R.PENDING, R.SUCCEEDED),
    (R.PENDING, R.FAILED),
    (R.FAILED, R.SUCCEEDED),
    (R.FAILED, R.FAILED),
}

I = InvoiceStatus  # noqa: E741
INVOICE_MOVES = {
    (I.PENDING, I.ISSUING),
    (I.PENDING, I.VOID),
    (I.ISSUING, I.ISSUING),
    (I.ISSUING, I.ISSUED),
    (I.ISSUING, I.FAILED),
    (I.ISSUING, I.REVERSING),
    (I.ISSUING, I.VOID),
    (I.FAILED, I.ISSUING),
    (I.FAILED, I.ISSUED),
    (I.FAILED, I.REVERSING),
    (I.FAILED, I.VOID),
    (I.ISSUED, I.REVERSING),
    (I.REVERSING, I.REVERSING),
    (I.REVERSING, I.REVERSED),
    (I.REVERSING, I.REVERSE_FAILED),
    (I.REVERSE_FAILED, I.REVERSING),
}


@pytest.fixture
def order() -> Order:
    return pending_order(learner())


def test_the_tables_are_as_documented():
    assert set(Order.states.legal_pairs()) == ORDER_MOVES
    assert set(Refund.states.legal_pairs()) == REFUND_MOVES
    assert set(Invoice.states.legal_pairs()) == INVOICE_MOVES


@pytest.mark.parametrize(("current", "to"), all_pairs(OrderStatus))
def test_order_moves(order, current, to):
    assert_move(Order.states, order, current, to, legal=(current, to) in ORDER_MOVES)
    moved = OrderEvent.objects.filter(order=order, from_status=current, to_status=to)
    assert moved.exists() == ((current, to) in ORDER_MOVES)  # every move leaves its order event


@pytest.mark.parametrize(("current", "to"), all_pairs(RefundStatus))
def test_refund_moves(order, current, to):
    refund = Refund.objects.create(
        order=order, kind=RefundKind.OPERATOR, out_request_no="R1", gateway="dev", amount=order.total_amount, reason="x"
    )
    assert_move(Refund.states, refund, current, to, legal=(current, to) in REFUND_MOVES)


@pytest.mark.parametrize(("current", "to"), all_pairs(InvoiceStatus))
def test_invoice_moves(order, current, to):
    invoice = Invoice.objects.create(
        order=order,
        issuer="local",
        title_type=order.invoice_title_type,
        title=order.invoice_title,
        buyer_kind=order.invoice_buyer_kind,
        amount=order.total_amount,
    )
    assert_move(Invoice.states, invoice, current, to, legal=(current, to) in INVOICE_MOVES)


def test_an_invoice_move_touches_updated_at(order):
    invoice = Invoice.objects.create(
        order=order, issuer="local", title_type="personal", title="张三", buyer_kind="individual", amount=1
    )
    old = timezone.now() - dt.timedelta(hours=1)
    Invoice.objects.filter(pk=invoice.pk).update(updated_at=old)
    Invoice.states.transition(invoice, to=InvoiceStatus.ISSUING)
    assert Invoice.objects.get(pk=invoice.pk).updated_at > old


def test_cancelling_a_paid_order_is_refused_with_the_order_message(order):
    from cecloud.billing.services import order_cancel

    Order.objects.filter(pk=order.pk).update(status=OrderStatus.PAID)
    with pytest.raises(ConflictError, match="订单已支付，不能取消"):
        order_cancel(order=order, actor=order.buyer)


def test_a_refund_failure_reported_after_it_succeeded_leaves_it_succeeded(order, monkeypatch):
    """Two executions of one refund: the second's gateway error must not undo the first's success."""
    from cecloud.billing.gateways import GatewayError
    from cecloud.billing.gateways.dev import DevGateway
    from cecloud.billing.services import refund_execute

    Order.objects.filter(pk=order.pk).update(status=OrderStatus.REFUNDING, gateway="dev")
    refund = Refund.objects.create(
        order=order, kind=RefundKind.OPERATOR, out_request_no="R1", gateway="dev", amount=order.total_amount, reason="x"
    )

    def succeeded_elsewhere(self, **kwargs):
        Refund.objects.filter(pk=refund.pk).update(status=RefundStatus.SUCCEEDED)  # the other execution won
        raise GatewayError("timeout")

    monkeypatch.setattr(DevGateway, "refund", succeeded_elsewhere)
    assert refund_execute(refund_id=refund.pk).status == RefundStatus.SUCCEEDED
    order.refresh_from_db()
    assert not order.needs_attention


def test_an_issue_call_failing_after_the_refund_asked_for_reversal_keeps_the_reversal(order):
    from cecloud.billing.services.invoices import _fail, invoice_request_reversal

    invoice = Invoice.objects.create(
        order=order, issuer="local", title_type="personal", title="张三", buyer_kind="individual", amount=1
    )
    Invoice.objects.filter(pk=invoice.pk).update(status=InvoiceStatus.ISSUING, working_since=timezone.now())
    assert invoice_request_reversal(order).status == InvoiceStatus.REVERSING  # the issue call is in flight
    failed = _fail(invoice.pk, status=InvoiceStatus.FAILED, error="开票服务暂不可用")
    assert (failed.status, failed.last_error) == (InvoiceStatus.REVERSING, "开票服务暂不可用")
    assert failed.working_since is None
