"""Payment results: the notification inbox, applying a payment exactly once, reconciliation by query.

Every payment result — an asynchronous notification or the answer of a trade query — goes
through ``payment_result_record``: checked against the order (app id, seller, gateway, amount),
stored under a unique key *before* processing, then processed idempotently under row locks. A
paid order opens its classes (``enrollment_open``) in the same transaction that marks it paid.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from cecloud.core.audit import audit_log
from cecloud.training.services import enrollment_open

from .. import events
from ..gateways import GatewayError, NotificationRejected, PaymentGateway, TradeResult, enabled_gateways, get_gateway
from ..models import NotificationOutcome, Order, OrderStatus, PaymentNotification, Refund, RefundKind
from .orders import expire_if_due, flag_order, lock_order, transition

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReceiveResult:
    """``accepted`` decides the reply to the gateway (``success`` stops its retries)."""

    accepted: bool
    notification: PaymentNotification


def _record(
    *,
    gateway: str,
    source: str,
    payload: dict,
    outcome: str,
    reason: str,
    verified: bool,
    result: TradeResult | None = None,
    order: Order | None = None,
    dedup_key: str | None = None,
    duplicate_of: PaymentNotification | None = None,
    remote_addr: str | None = None,
) -> PaymentNotification:
    return PaymentNotification.objects.create(
        gateway=gateway[:16],
        source=source,
        dedup_key=dedup_key,
        order=order,
        order_no=(result.order_no if result else str(payload.get("out_trade_no", "")))[:64],
        trade_no=(result.trade_no if result else str(payload.get("trade_no", "")))[:64],
        trade_status=(result.trade_status if result else str(payload.get("trade_status", "")))[:32],
        total_amount=result.amount if result else None,
        verified=verified,
        outcome=outcome,
        reason=reason[:300],
        processed_at=None if outcome == NotificationOutcome.RECEIVED else timezone.now(),
        duplicate_of=duplicate_of,
        payload={str(k): str(v) for k, v in payload.items()},
        remote_addr=remote_addr,
    )


def notification_receive(*, gateway_name: str, params: dict, remote_addr: str | None = None) -> ReceiveResult:
    """Entry point of the notify URL (and of the dev cashier's 确认支付)."""
    payload = {str(k): str(v) for k, v in params.items()}
    if gateway_name not in enabled_gateways():
        n = _record(
            gateway=gateway_name,
            source=PaymentNotification.Source.NOTIFY,
            payload=payload,
            outcome=NotificationOutcome.REJECTED,
            reason="未启用的支付方式",
            verified=False,
            remote_addr=remote_addr,
        )
        return ReceiveResult(False, n)
    gateway = get_gateway(gateway_name)
    try:
        result = gateway.verify_notification(payload)
    except NotificationRejected as exc:
        n = _record(
            gateway=gateway.name,
            source=PaymentNotification.Source.NOTIFY,
            payload=payload,
            outcome=NotificationOutcome.REJECTED,
            reason=exc.reason,
            verified=False,
            remote_addr=remote_addr,
        )
        logger.warning("payment notification rejected", extra={"gateway": gateway.name, "reason": exc.reason})
        return ReceiveResult(False, n)
    return payment_result_record(
        gateway=gateway,
        result=result,
        source=PaymentNotification.Source.NOTIFY,
        payload=payload,
        remote_addr=remote_addr,
    )


def _mismatch(gateway: PaymentGateway, result: TradeResult, order: Order | None) -> str:
    if order is None:
        return f"订单不存在：{result.order_no}"
    if gateway.app_id and result.app_id != gateway.app_id:
        return f"app_id 不符：{result.app_id or '空'}"
    if gateway.seller_id and result.seller_id != gateway.seller_id:
        return f"seller_id 不符：{result.seller_id or '空'}"
    if order.gateway != gateway.name:
        return "订单未通过该支付方式发起支付" if not order.gateway else f"订单的支付方式为 {order.gateway}"
    if result.amount is None or result.amount != order.total_amount:
        return f"金额不符：通知 {result.amount} 元，订单 {order.total_amount} 元"
    return ""


def dedup_key(gateway: PaymentGateway, result: TradeResult) -> str:
    return f"{gateway.name}:{result.trade_no or result.order_no}:{result.trade_status}"[:200]


def payment_result_record(
    *, gateway: PaymentGateway, result: TradeResult, source: str, payload: dict, remote_addr: str | None = None
) -> ReceiveResult:
    """Store a verified result under its unique key (or record why not), then process it."""
    order = Order.objects.filter(order_no=result.order_no).first()
    reason = _mismatch(gateway, result, order)
    common = {
        "gateway": gateway.name,
        "source": source,
        "payload": payload,
        "result": result,
        "remote_addr": remote_addr,
    }
    if reason:
        n = _record(**common, outcome=NotificationOutcome.REJECTED, reason=reason, verified=True, order=order)
        logger.warning("payment result rejected", extra={"gateway": gateway.name, "reason": reason})
        return ReceiveResult(False, n)
    key = dedup_key(gateway, result)
    try:
        with transaction.atomic():
            n = _record(
                **common, outcome=NotificationOutcome.RECEIVED, reason="", verified=True, order=order, dedup_key=key
            )
    except IntegrityError:
        original = PaymentNotification.objects.get(dedup_key=key)
        duplicate = _record(
            **common,
            outcome=NotificationOutcome.DUPLICATE,
            reason=f"重复的支付结果（首次收到于 {timezone.localtime(original.received_at):%Y-%m-%d %H:%M:%S}）",
            verified=True,
            order=order,
            duplicate_of=original,
        )
        # Resume the original if its processing never finished (e.g. the process died).
        notification_process(notification_id=original.pk)
        return ReceiveResult(True, duplicate)
    return ReceiveResult(True, notification_process(notification_id=n.pk))


def notification_process(*, notification_id: int) -> PaymentNotification:
    """Apply a stored result to its order, once: both rows are locked and the outcome is written."""
    with transaction.atomic():
        n = PaymentNotification.objects.select_for_update().get(pk=notification_id)
        if n.outcome != NotificationOutcome.RECEIVED:
            return n
        order = lock_order(n.order_id)
        if n.trade_status in ("TRADE_SUCCESS", "TRADE_FINISHED"):
            outcome, reason = _apply_paid(order, n)
        elif n.trade_status == "TRADE_CLOSED":
            outcome, reason = _apply_closed(order, n)
        else:
            outcome, reason = NotificationOutcome.IGNORED, f"交易状态 {n.trade_status}，无需处理"
        n.outcome = outcome
        n.reason = reason[:300]
        n.processed_at = timezone.now()
        n.save(update_fields=["outcome", "reason", "processed_at"])
    return n


def _apply_paid(order: Order, n: PaymentNotification) -> tuple[str, str]:
    from .invoices import invoice_create_for_order

    now = timezone.now()
    if order.status == OrderStatus.PENDING and not order.is_expired(now):
        transition(
            order,
            OrderStatus.PAID,
            event="paid",
            note=f"支付成功（{n.get_source_display()}）",
            data={"notification": n.pk, "trade_no": n.trade_no, "gateway": n.gateway},
            paid_at=now,
            trade_no=n.trade_no,
        )
        for line in order.lines.select_related("person", "person__unit", "person__region", "training_year"):
            enrollment, created = enrollment_open(
                person=line.person, training_year=line.training_year, order_no=order.order_no
            )
            line.enrollment = enrollment
            line.save(update_fields=["enrollment"])
            if not created and enrollment.source_order_no != order.order_no:
                flag_order(
                    order, f"{line.person.name} 的班级已由订单 {enrollment.source_order_no} 开通，请核对是否需要退款"
                )
        invoice_create_for_order(order)
        audit_log(
            event_type="order.paid",
            subject=order,
            extra_data={"trade_no": n.trade_no, "amount": str(order.total_amount), "gateway": n.gateway},
        )
        return NotificationOutcome.PROCESSED, "支付成功，班级已开通"
    if order.status == OrderStatus.PENDING:
        expire_if_due(order, now=now)
    if order.status == OrderStatus.CANCELLED:
        # Money arrived for an order that can no longer be paid: never open silently, refund it.
        transition(
            order,
            OrderStatus.REFUNDING,
            event="late_payment",
            note="订单已取消后收到付款，款项将自动原路退回",
            data={"notification": n.pk, "trade_no": n.trade_no},
            trade_no=n.trade_no,
        )
        refund = Refund.objects.create(
            order=order,
            kind=RefundKind.LATE_PAYMENT,
            out_request_no=f"{order.order_no}L",
            gateway=n.gateway,
            trade_no=n.trade_no,
            amount=n.total_amount,
            reason="订单已取消（超时或用户取消）后到账，自动退款",
        )
        audit_log(event_type="order.late_payment", subject=order, extra_data={"trade_no": n.trade_no})
        events.refund_requested.publish_on_commit(refund_id=refund.pk)
        return NotificationOutcome.LATE, "订单已取消，款项将自动原路退回"
    if n.trade_no and order.trade_no and n.trade_no != order.trade_no:
        flag_order(order, f"订单已由交易 {order.trade_no} 支付，又收到交易 {n.trade_no} 的支付结果，请人工核对")
        return NotificationOutcome.IGNORED, "订单已由另一笔交易支付，已标记人工处理"
    return NotificationOutcome.IGNORED, f"订单{order.get_status_display()}，无需处理"


def _apply_closed(order: Order, n: PaymentNotification) -> tuple[str, str]:
    if order.status == OrderStatus.PENDING:
        if not expire_if_due(order):
            transition(
                order,
                OrderStatus.CANCELLED,
                event="trade_closed",
                note="支付交易已在支付平台关闭",
                cancelled_at=timezone.now(),
                cancel_reason="支付交易已关闭",
            )
            order.lines.filter(live=True).update(live=False)
        return NotificationOutcome.PROCESSED, "支付交易已关闭，订单已取消"
    if order.status == OrderStatus.PAID:
        flag_order(order, "支付平台通知交易已关闭（可能已在商户后台退款），请人工核对")
        return NotificationOutcome.IGNORED, "已支付订单收到交易关闭通知，已标记人工处理"
    return NotificationOutcome.IGNORED, f"订单{order.get_status_display()}，无需处理"


def order_reconcile(*, order: Order) -> Order:
    """Ask the gateway about an unpaid order (return page, periodic job); a verified result goes
    through the same inbox as a notification. Gateway failures leave the order as it is."""
    if order.status != OrderStatus.PENDING or not order.gateway:
        return order
    try:
        gateway = get_gateway(order.gateway)
        result = gateway.query(order_no=order.order_no)
    except GatewayError as exc:
        logger.warning("trade query failed", extra={"order_no": order.order_no, "error": str(exc)})
        return order
    if result is not None and (result.is_paid or result.is_closed):
        payment_result_record(
            gateway=gateway, result=result, source=PaymentNotification.Source.QUERY, payload=result.raw
        )
    order.refresh_from_db()
    return order


def orders_reconcile_pending(*, limit: int = 200) -> int:
    """Query the gateway for recent unpaid orders whose payment was started (lost notifications)."""
    orders = Order.objects.filter(status=OrderStatus.PENDING).exclude(gateway="").order_by("created_at")[:limit]
    changed = 0
    for order in orders:
        if order_reconcile(order=order).status != OrderStatus.PENDING:
            changed += 1
    return changed


def order_close_trade(*, order_id: int) -> None:
    """After a cancel or expiry: close the gateway trade; if it turns out paid, reconcile (→ refund)."""
    order = Order.objects.get(pk=order_id)
    if not order.gateway:
        return
    try:
        gateway = get_gateway(order.gateway)
        closed = gateway.close(order_no=order.order_no)
        if closed:
            return
        result = gateway.query(order_no=order.order_no)
    except GatewayError as exc:
        logger.warning("closing trade failed", extra={"order_no": order.order_no, "error": str(exc)})
        return
    if result is not None and result.is_paid:
        payment_result_record(
            gateway=gateway, result=result, source=PaymentNotification.Source.QUERY, payload=result.raw
        )
