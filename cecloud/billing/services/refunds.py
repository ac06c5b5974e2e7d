"""Refunds: by operators (only before any course was selected), and automatic ones for late payments.

A refund request closes the order's classes at once (so no course can be selected while the money
is on its way back), records a ``Refund`` with a unique ``out_request_no`` and asks the gateway on
commit. A failed gateway call leaves the order 退款中 with the error shown to operators, who retry
(the same ``out_request_no`` makes the retry safe). Success marks the order 已退款 and reverses the
invoice (红冲).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from cecloud.core.audit import audit_log
from cecloud.core.errors import ServiceError
from cecloud.learning.selectors import enrollment_has_selection
from cecloud.training.models import Enrollment, EnrollmentStatus
from cecloud.training.services import enrollment_close

from .. import events
from ..gateways import GatewayError, get_gateway
from ..models import Order, OrderStatus, Refund, RefundKind, RefundStatus
from .orders import flag_order, lock_order, order_event, transition

logger = logging.getLogger(__name__)


def refund_blockers(order: Order) -> list[str]:
    """Why an operator may not refund this order now (empty list = refundable)."""
    problems = []
    if order.status != OrderStatus.PAID:
        problems.append(f"订单状态为{order.get_effective_status_display()}，只有已支付的订单可以退款")
        return problems
    for line in order.lines.select_related("person", "enrollment"):
        enrollment = line.enrollment
        if enrollment is None:
            continue
        if enrollment.status == EnrollmentStatus.QUALIFIED:
            problems.append(f"{line.person.name} 的班级已合格")
        elif enrollment_has_selection(enrollment):
            problems.append(f"{line.person.name} 已选课")
    if problems:
        problems = ["已有学员开始学习，不能退款：" + "、".join(problems)]
    return problems


def _schedule(refund: Refund) -> None:
    events.refund_requested.publish_on_commit(refund_id=refund.pk)


@transaction.atomic
def order_refund_request(*, order: Order, actor, reason: str) -> Refund:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请填写退款原因")
    order = lock_order(order.pk)
    # Lock the classes too: a selection confirmed concurrently waits for this decision.
    enrollment_ids = [pk for pk in order.lines.values_list("enrollment_id", flat=True) if pk]
    list(Enrollment.objects.select_for_update().filter(pk__in=enrollment_ids))
    problems = refund_blockers(order)
    if problems:
        raise ServiceError("；".join(problems))
    transition(order, OrderStatus.REFUNDING, event="refund_requested", actor=actor, note=reason)
    for line in order.lines.select_related("enrollment"):
        if line.enrollment is not None:
            enrollment_close(enrollment=line.enrollment, reason=f"订单{order.order_no}已退款：{reason}", actor=actor)
    refund = Refund.objects.create(
        order=order,
        kind=RefundKind.OPERATOR,
        out_request_no=f"{order.order_no}R{order.refunds.count() + 1:02d}",
        gateway=order.gateway,
        trade_no=order.trade_no,
        amount=order.total_amount,
        reason=reason[:200],
        requested_by=actor,
    )
    audit_log(
        event_type="order.refund_requested",
        actor=actor,
        subject=order,
        extra_data={"reason": reason, "amount": str(order.total_amount), "refund": refund.out_request_no},
    )
    _schedule(refund)
    return refund


def refund_retry(*, refund: Refund, actor) -> Refund:
    if refund.status == RefundStatus.SUCCEEDED:
        raise ServiceError("该退款已成功，无需重试")
    audit_log(
        event_type="refund.retry", actor=actor, subject=refund.order, extra_data={"refund": refund.out_request_no}
    )
    return refund_execute(refund_id=refund.pk)


def refund_execute(*, refund_id: int) -> Refund:
    """Ask the gateway to return the money (outside any lock), then record the outcome."""
    refund = Refund.objects.select_related("order").get(pk=refund_id)
    if refund.status == RefundStatus.SUCCEEDED:
        return refund
    order = refund.order
    try:
        gateway = get_gateway(refund.gateway)
        result = gateway.refund(
            order_no=order.order_no,
            trade_no=refund.trade_no,
            amount=refund.amount,
            out_request_no=refund.out_request_no,
            reason=refund.reason,
        )
    except GatewayError as exc:
        with transaction.atomic():
            refund = Refund.states.lock(refund_id)
            if refund.status == RefundStatus.SUCCEEDED:  # a concurrent attempt went through meanwhile
                return refund
            Refund.states.apply(
                refund,
                RefundStatus.FAILED,
                fields={"attempts": refund.attempts + 1, "last_error": str(exc)[:500]},
            )
            order = lock_order(order.pk)
            flag_order(order, f"退款失败：{exc}")
        logger.warning("refund failed", extra={"refund": refund.out_request_no, "error": str(exc)})
        return refund
    with transaction.atomic():
        refund = Refund.states.lock(refund_id)
        if refund.status == RefundStatus.SUCCEEDED:
            return refund
        now = timezone.now()
        Refund.states.apply(
            refund,
            RefundStatus.SUCCEEDED,
            fields={
                "attempts": refund.attempts + 1,
                "completed_at": now,
                "last_error": "",
                "response": {str(k): str(v) for k, v in result.raw.items()},
            },
        )
        order = lock_order(order.pk)
        transition(
            order,
            OrderStatus.REFUNDED,
            event="refunded",
            note=f"退款成功 {result.amount} 元（{refund.get_kind_display()}）",
            data={"refund": refund.out_request_no, "refund_no": result.refund_no},
            refunded_at=now,
        )
        order.lines.filter(live=True).update(live=False)
        if order.needs_attention and order.attention_note.startswith("退款失败"):
            order.needs_attention = False
            order.attention_note = ""
            order.save(update_fields=["needs_attention", "attention_note"])
            order_event(order, "attention_cleared", note="退款已成功")
        from .invoices import invoice_request_reversal

        invoice_request_reversal(order)
        audit_log(
            event_type="order.refunded",
            subject=order,
            extra_data={"refund": refund.out_request_no, "amount": str(refund.amount)},
        )
    return refund
