"""Orders: create (personal and unit), cancel, expire, start a payment; the order state machine."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cecloud.core.audit import audit_log
from cecloud.core.errors import ConflictError, PermissionDeniedError, ServiceError
from cecloud.core.ids import IdError, validate_credit_code
from cecloud.core.text import normalize_text
from cecloud.registry.models import Person, PersonStatus, Unit, grade_group
from cecloud.training.models import Enrollment, EnrollmentStatus, TrainingYear
from cecloud.training.selectors import requirement_for
from cecloud.training.services import check_registration_window, enrollment_blocks_registration

from .. import events
from ..gateways import GatewayError, PaymentRedirect, PaymentRequest, get_gateway
from ..models import (
    PAYMENT_WINDOW,
    TAX_NUMBER_REQUIRED,
    BuyerKind,
    InvoiceTitleType,
    Order,
    OrderEvent,
    OrderKind,
    OrderLine,
    OrderStatus,
)

logger = logging.getLogger(__name__)

# Alipay is told to stop accepting payment a little before our deadline, so that its notification
# arrives while the order is still payable (see README "Payments").
GATEWAY_DEADLINE_MARGIN = dt.timedelta(minutes=5)


# --- order numbers -------------------------------------------------------------------------------


def new_order_no(now: dt.datetime | None = None) -> str:
    """24 digits, time-ordered: yyMMddHHmmss + microseconds (6) + random (6)."""
    now = timezone.localtime(now or timezone.now())
    return f"{now:%y%m%d%H%M%S}{now.microsecond:06d}{secrets.randbelow(10**6):06d}"


# --- state machine -------------------------------------------------------------------------------


def lock_order(pk: int) -> Order:
    return Order.states.lock(pk)


def order_event(order: Order, event: str, *, actor=None, note: str = "", data: dict | None = None) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order,
        event=event,
        from_status=order.status,
        to_status=order.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note[:300],
        data=data or {},
    )


def transition(
    order: Order,
    to: str,
    *,
    event: str,
    actor=None,
    note: str = "",
    data: dict | None = None,
    message: str | None = None,
    **fields,
) -> Order:
    """Move an order locked by ``lock_order`` to ``to`` if ``ORDER_TRANSITIONS`` allows it (else
    ConflictError), saving only what changed and leaving an ``OrderEvent`` named ``event``."""
    return Order.states.apply(
        order, to, event_type=event, actor=actor, note=note, data=data, fields=fields, message=message
    )


def flag_order(order: Order, note: str) -> None:
    """Mark for operators (需人工处理) with a note; kept until an operator resolves it."""
    order.needs_attention = True
    order.attention_note = note[:300]
    order.save(update_fields=["needs_attention", "attention_note"])
    order_event(order, "flagged", note=note)


@transaction.atomic
def order_clear_attention(*, order: Order, actor, request=None) -> Order:
    """标记已处理: an operator resolved what ``flag_order`` marked (the note stays in the events)."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    note = order.attention_note
    order.needs_attention = False
    order.attention_note = ""
    order.save(update_fields=["needs_attention", "attention_note"])
    order_event(order, "attention_cleared", actor=actor, note=f"运营已处理：{note}")
    audit_log(
        event_type="order.attention_cleared", actor=actor, subject=order, extra_data={"note": note}, request=request
    )
    return order


def _deactivate_lines(order: Order) -> None:
    order.lines.filter(live=True).update(live=False)


def _close_trade_later(order: Order) -> None:
    if not order.gateway:
        return
    events.order_trade_close_requested.publish_on_commit(order_id=order.pk)


def expire_if_due(order: Order, *, now: dt.datetime | None = None) -> bool:
    """On a locked order: write down the 24-hour expiry if it is due. True if it expired now."""
    now = now or timezone.now()
    if not order.is_expired(now):
        return False
    transition(
        order,
        OrderStatus.CANCELLED,
        event="expired",
        note="超过 24 小时未支付，订单自动取消",
        cancelled_at=now,
        cancel_reason="超时未支付，系统自动取消",
    )
    _deactivate_lines(order)
    _close_trade_later(order)
    return True


def orders_expire_due(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """The periodic sweep: cancel every unpaid order past its deadline (each in its own transaction)."""
    now = now or timezone.now()
    due = list(
        Order.objects.filter(status=OrderStatus.PENDING, expires_at__lte=now)
        .order_by("expires_at")
        .values_list("pk", flat=True)[:limit]
    )
    expired = 0
    for pk in due:
        with transaction.atomic():
            if expire_if_due(lock_order(pk), now=now):
                expired += 1
    return expired


def _expire_due_for(persons: Iterable[Person], training_year: TrainingYear) -> None:
    """Write down expired orders holding these learners' lines, so new orders can take their place."""
    now = timezone.now()
    pks = set(
        OrderLine.objects.filter(
            person__in=list(persons),
            training_year=training_year,
            live=True,
            order__status=OrderStatus.PENDING,
            order__expires_at__lte=now,
        ).values_list("order_id", flat=True)
    )
    for pk in sorted(pks):
        expire_if_due(lock_order(pk), now=now)


# --- invoice information ----------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceInfo:
    title_type: str = InvoiceTitleType.PERSONAL
    title: str = ""
    tax_number: str = ""
    buyer_kind: str = BuyerKind.INDIVIDUAL


UNIT_KIND_TO_BUYER = {
    Unit.Kind.AGENCY: BuyerKind.AGENCY,
    Unit.Kind.INSTITUTION: BuyerKind.INSTITUTION,
    Unit.Kind.ORGANIZATION: BuyerKind.ORGANIZATION,
    Unit.Kind.ENTERPRISE: BuyerKind.ENTERPRISE,
}


def clean_invoice_info(info: InvoiceInfo, *, person: Person | None = None) -> InvoiceInfo:
    """Validate 发票信息: a personal title is the learner's real name; a unit title may need a tax number."""
    if info.title_type == InvoiceTitleType.PERSONAL:
        name = person.name if person else normalize_text(info.title)
        if not name:
            raise ServiceError("请填写发票抬头")
        return InvoiceInfo(InvoiceTitleType.PERSONAL, name, "", BuyerKind.INDIVIDUAL)
    if info.title_type != InvoiceTitleType.UNIT:
        raise ServiceError("发票抬头类型不正确")
    title = normalize_text(info.title)
    if not title:
        raise ServiceError("请填写发票抬头（单位名称）")
    if len(title) > 100:
        raise ServiceError("发票抬头不能超过100个字")
    if info.buyer_kind not in BuyerKind.values or info.buyer_kind == BuyerKind.INDIVIDUAL:
        raise ServiceError("请选择单位类型")
    tax_number = ""
    if normalize_text(info.tax_number):
        try:
            tax_number = validate_credit_code(info.tax_number)
        except IdError as exc:
            raise ServiceError(f"纳税人识别号不正确：{exc}") from None
    elif info.buyer_kind in TAX_NUMBER_REQUIRED:
        raise ServiceError("企业抬头须填写纳税人识别号（统一社会信用代码）")
    return InvoiceInfo(InvoiceTitleType.UNIT, title, tax_number, info.buyer_kind)


# --- creating orders ----------------------------------------------------------------------------


def _line_values(person: Person, training_year: TrainingYear) -> dict:
    requirement = requirement_for(training_year=training_year, grade=person.grade)
    if requirement is None:
        raise ServiceError(f"{training_year.year}年度未设置{person.get_grade_display()}的学时要求与价格")
    return {
        "person": person,
        "training_year": training_year,
        "grade": person.grade,
        "grade_group": grade_group(person.grade),
        "ideology_hours": requirement.ideology_hours,
        "general_hours": requirement.general_hours,
        "skill_hours": requirement.skill_hours,
        "hours": requirement.total_hours,
        "price": requirement.price,
    }


def _enrolled_message(enrollment: Enrollment) -> str:
    year = enrollment.training_year.year
    if enrollment.status == EnrollmentStatus.CLOSED:
        return f"您的{year}年度班级已关闭（{enrollment.close_reason or '已退款'}），如有疑问请联系客服"
    return f"您已报名{year}年度，无需重复报名"


def _create(*, kind: str, buyer, person: Person | None, unit: Unit, region, training_year, lines: list[dict], info):
    now = timezone.now()
    order = Order.objects.create(
        order_no=new_order_no(now),
        kind=kind,
        training_year=training_year,
        buyer=buyer,
        person=person,
        unit=unit,
        region=region,
        total_hours=sum((v["hours"] for v in lines), Decimal("0")),
        total_amount=sum((v["price"] for v in lines), Decimal("0")),
        created_at=now,
        expires_at=now + PAYMENT_WINDOW,
        invoice_title_type=info.title_type,
        invoice_title=info.title,
        invoice_tax_number=info.tax_number,
        invoice_buyer_kind=info.buyer_kind,
    )
    OrderLine.objects.bulk_create([OrderLine(order=order, **values) for values in lines])
    OrderEvent.objects.create(
        order=order, event="created", to_status=order.status, actor=buyer, data={"lines": len(lines)}
    )
    audit_log(
        event_type="order.created",
        actor=buyer,
        subject=order,
        extra_data={"kind": kind, "year": training_year.year, "amount": str(order.total_amount), "lines": len(lines)},
    )
    return order


def learner_person(user) -> Person:
    person = getattr(user, "person", None)
    if not getattr(user, "is_learner", False) or person is None:
        raise PermissionDeniedError("只有学员可以报名")
    return person


@transaction.atomic
def order_create(*, user, training_year: TrainingYear, invoice: InvoiceInfo) -> tuple[Order, bool]:
    """提交订单 for the learner. Returns (order, created): an unpaid order for the year is returned as is."""
    person = learner_person(user)
    enrollment = Enrollment.objects.filter(person=person, training_year=training_year).first()
    if enrollment is not None and enrollment_blocks_registration(enrollment):
        raise ServiceError(_enrolled_message(enrollment))
    _expire_due_for([person], training_year)
    existing = Order.objects.filter(
        kind=OrderKind.PERSONAL, person=person, training_year=training_year, status=OrderStatus.PENDING
    ).first()
    if existing is not None:
        return existing, False
    held = (
        OrderLine.objects.filter(person=person, training_year=training_year, live=True).select_related("order").first()
    )
    if held is not None:
        raise ServiceError(
            f"您所在单位已为您提交{training_year.year}年度的报名订单（订单号 {held.order.order_no}），请联系单位完成支付"
        )
    if person.status != PersonStatus.ACTIVE:
        raise ServiceError("您的人员状态为离岗，不能报名")
    check_registration_window(person=person, training_year=training_year)
    info = clean_invoice_info(invoice, person=person)
    line = _line_values(person, training_year)
    try:
        with transaction.atomic():
            order = _create(
                kind=OrderKind.PERSONAL,
                buyer=user,
                person=person,
                unit=person.unit,
                region=person.region,
                training_year=training_year,
                lines=[line],
                info=info,
            )
    except IntegrityError:
        existing = Order.objects.filter(
            kind=OrderKind.PERSONAL, person=person, training_year=training_year, status=OrderStatus.PENDING
        ).first()
        if existing is not None:
            return existing, False
        raise ConflictError("订单提交冲突，请刷新后重试") from None
    return order, True


@transaction.atomic
def order_create_for_unit(
    *, user, training_year: TrainingYear, person_ids: Iterable[int], tax_number: str = ""
) -> Order:
    """单位报名: one order for a batch of the unit's workers; refuses those already registered, naming them."""
    unit = getattr(user, "unit", None)
    if not getattr(user, "is_unit_hr", False) or unit is None:
        raise PermissionDeniedError("只有单位管理员可以为本单位人员报名")
    wanted = {int(pk) for pk in person_ids}
    if not wanted:
        raise ServiceError("请勾选要报名的人员")
    persons = list(
        Person.objects.filter(pk__in=wanted, unit=unit, status=PersonStatus.ACTIVE)
        .select_related("region", "region__parent")
        .order_by("id")
    )
    if len(persons) != len(wanted):
        raise ServiceError("所选人员中有不属于本单位或已离岗的人员，请刷新后重试")
    enrolled = {
        e.person_id
        for e in Enrollment.objects.filter(person__in=persons, training_year=training_year)
        if enrollment_blocks_registration(e)
    }
    _expire_due_for(persons, training_year)
    pending = set(
        OrderLine.objects.filter(person__in=persons, training_year=training_year, live=True).values_list(
            "person_id", flat=True
        )
    )
    problems = []
    if enrolled:
        names = "、".join(p.name for p in persons if p.pk in enrolled)
        problems.append(f"已报名{training_year.year}年度：{names}")
    if pending - enrolled:
        names = "、".join(p.name for p in persons if p.pk in pending and p.pk not in enrolled)
        problems.append(f"已有{training_year.year}年度待支付订单：{names}")
    closed = []
    for person in persons:
        try:
            check_registration_window(person=person, training_year=training_year)
        except ServiceError as exc:
            closed.append(f"{person.name}（{exc.message}）")
    if closed:
        problems.append("不在报名缴费时间内：" + "、".join(closed))
    if problems:
        raise ServiceError("以下人员不能报名，请取消勾选后重试。" + "；".join(problems), details=problems)
    info = clean_invoice_info(
        InvoiceInfo(
            title_type=InvoiceTitleType.UNIT,
            title=unit.name,
            tax_number=tax_number or unit.credit_code,
            buyer_kind=UNIT_KIND_TO_BUYER.get(unit.kind, BuyerKind.INSTITUTION),
        )
    )
    lines = [_line_values(person, training_year) for person in persons]
    try:
        with transaction.atomic():
            return _create(
                kind=OrderKind.UNIT,
                buyer=user,
                person=None,
                unit=unit,
                region=unit.region,
                training_year=training_year,
                lines=lines,
                info=info,
            )
    except IntegrityError:
        raise ConflictError("部分人员刚刚已被其他订单报名，请刷新后重试") from None


@transaction.atomic
def order_cancel(*, order: Order, actor, reason: str = "用户取消订单") -> Order:
    order = lock_order(order.pk)
    if expire_if_due(order):
        return order
    transition(
        order,
        OrderStatus.CANCELLED,
        event="cancelled",
        actor=actor,
        note=reason,
        message="订单{current}，不能取消",
        cancelled_at=timezone.now(),
        cancel_reason=reason[:100],
    )
    _deactivate_lines(order)
    _close_trade_later(order)
    audit_log(event_type="order.cancelled", actor=actor, subject=order, extra_data={"reason": reason})
    return order


# --- starting a payment --------------------------------------------------------------------------


def payment_subject(order: Order) -> str:
    kind = "单位报名" if order.kind == OrderKind.UNIT else "个人报名"
    return f"{order.training_year.year}年度工勤人员继续教育培训费（{kind}）"


def absolute_url(path: str) -> str:
    return settings.CECLOUD_PUBLIC_BASE_URL.rstrip("/") + path


def order_start_payment(*, order: Order, actor, mobile: bool = False) -> PaymentRedirect:
    """立即支付: bind the order to the active gateway and return where the browser goes next."""
    try:
        gateway = get_gateway()
    except GatewayError as exc:
        logger.error("payment gateway unavailable", extra={"error": str(exc)})
        raise ServiceError("暂时无法发起支付，请稍后再试或联系客服") from exc
    with transaction.atomic():
        order = lock_order(order.pk)
        expired = expire_if_due(order)
        if not expired:
            if order.status != OrderStatus.PENDING:
                raise ServiceError(f"订单{order.get_status_display()}，无需支付")
            changed = order.gateway != gateway.name
            if changed:
                order.gateway = gateway.name
                order.save(update_fields=["gateway"])
            order_event(order, "payment_started", actor=actor, data={"gateway": gateway.name, "mobile": mobile})
    if expired:
        raise ServiceError("订单已超过 24 小时未支付，已自动取消，请重新提交订单")
    # The gateway stops taking money a little before our deadline (at least a minute from now).
    deadline = max(order.expires_at - GATEWAY_DEADLINE_MARGIN, timezone.now() + dt.timedelta(minutes=1))
    return gateway.create_payment(
        PaymentRequest(
            order_no=order.order_no,
            amount=order.total_amount,
            subject=payment_subject(order),
            expires_at=deadline,
            return_url=absolute_url(reverse("billing:payment_return", args=[order.order_no])),
            notify_url=absolute_url(reverse("billing:notify", args=[gateway.name])),
            quit_url=absolute_url(reverse("billing:order_detail", args=[order.order_no])),
            mobile=mobile,
        )
    )
