"""Billing reads: which years a learner may register for, orders a user may see, unit worker lists,
reconciliation rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from cecloud.core.errors import ServiceError
from cecloud.registry.models import Person, PersonStatus, Unit, grade_group
from cecloud.training.models import Enrollment, EnrollmentStatus, TrainingYear, YearRequirement
from cecloud.training.selectors import requirement_for
from cecloud.training.services import check_registration_window, enrollment_blocks_registration

from .models import (
    NotificationOutcome,
    Order,
    OrderKind,
    OrderLine,
    OrderStatus,
    PaymentNotification,
    Refund,
    RefundStatus,
)


@dataclass
class YearOption:
    training_year: TrainingYear
    requirement: YearRequirement | None
    state: str  # open | pending | registered | unit_pending | closed
    reason: str = ""
    order: Order | None = None

    @property
    def selectable(self) -> bool:
        return self.state in ("open", "pending")


def registration_years(person: Person, *, today: dt.date | None = None) -> list[YearOption]:
    """Every active year with whether the learner may register now, and why not."""
    now = timezone.now()
    enrollments = {e.training_year_id: e for e in Enrollment.objects.filter(person=person)}
    lines = {
        line.training_year_id: line
        for line in OrderLine.objects.filter(person=person, live=True).select_related("order")
        if not line.order.is_expired(now)
    }
    options = []
    for year in TrainingYear.objects.filter(is_active=True).order_by("-year"):
        requirement = requirement_for(training_year=year, grade=person.grade)
        enrollment = enrollments.get(year.pk)
        line = lines.get(year.pk)
        if enrollment is not None and enrollment_blocks_registration(enrollment):
            reason = (
                "已报名" if enrollment.status != EnrollmentStatus.CLOSED else f"班级已关闭（{enrollment.close_reason}）"
            )
            options.append(YearOption(year, requirement, "registered", reason))
        elif line is not None and line.order.kind == OrderKind.PERSONAL and line.order.status == OrderStatus.PENDING:
            options.append(YearOption(year, requirement, "pending", "有待支付的订单", line.order))
        elif line is not None:
            options.append(YearOption(year, requirement, "unit_pending", "单位已为您提交报名订单，待单位支付"))
        elif requirement is None:
            options.append(YearOption(year, None, "closed", f"未设置{person.get_grade_display()}的学时要求"))
        else:
            try:
                check_registration_window(person=person, training_year=year, today=today)
            except ServiceError as exc:
                options.append(YearOption(year, requirement, "closed", exc.message))
            else:
                options.append(YearOption(year, requirement, "open"))
    return options


def _orders() -> QuerySet[Order]:
    return Order.objects.select_related("training_year", "unit", "person", "region", "buyer")


def order_for_user(user, order_no: str) -> Order | None:
    """The order if this user may see it: a learner their own personal orders, unit HR their unit's."""
    if not getattr(user, "is_authenticated", False):
        return None
    qs = _orders().filter(order_no=order_no)
    if user.is_learner and user.person_id:
        return qs.filter(kind=OrderKind.PERSONAL, person_id=user.person_id).first()
    if user.is_unit_hr and user.unit_id:
        return qs.filter(kind=OrderKind.UNIT, unit_id=user.unit_id).first()
    return None


@dataclass
class HistoryRow:
    order: Order
    hours: Decimal
    amount: Decimal
    via_unit: bool = False


def learner_order_history(person: Person) -> list[HistoryRow]:
    """发票下载: the learner's own orders, plus unit orders that paid for them (invoice belongs to the unit)."""
    rows = [
        HistoryRow(order, order.total_hours, order.total_amount)
        for order in _orders().filter(kind=OrderKind.PERSONAL, person=person).select_related("invoice")
    ]
    unit_lines = (
        OrderLine.objects.filter(person=person, order__kind=OrderKind.UNIT)
        .filter(order__status__in=[OrderStatus.PAID, OrderStatus.REFUNDING, OrderStatus.REFUNDED])
        .select_related("order", "order__training_year", "order__unit")
    )
    rows += [HistoryRow(line.order, line.hours, line.price, via_unit=True) for line in unit_lines]
    rows.sort(key=lambda row: row.order.created_at, reverse=True)
    return rows


def order_lines(order: Order) -> list[OrderLine]:
    return list(order.lines.select_related("person", "training_year", "enrollment").order_by("id"))


# --- unit HR ------------------------------------------------------------------------------------


@dataclass
class WorkerRow:
    person: Person
    state: str  # none | registered | pending
    price: Decimal | None
    hours: Decimal | None

    @property
    def selectable(self) -> bool:
        return self.state == "none" and self.price is not None


UNIT_LIST_LIMIT = 500


def unit_workers(
    unit: Unit, training_year: TrainingYear, *, q: str = "", grade: str = "", state: str = ""
) -> list[WorkerRow]:
    people = Person.objects.filter(unit=unit, status=PersonStatus.ACTIVE).order_by("name", "id")
    if q:
        people = people.filter(Q(name__contains=q) | Q(id_number__endswith=q.upper()))
    if grade:
        people = people.filter(grade=grade)
    people = list(people[:UNIT_LIST_LIMIT])
    now = timezone.now()
    enrolled = set(
        Enrollment.objects.filter(person__in=people, training_year=training_year).values_list("person_id", flat=True)
    )
    pending = set(
        OrderLine.objects.filter(
            person__in=people, training_year=training_year, live=True, order__expires_at__gt=now
        ).values_list("person_id", flat=True)
    ) | set(
        OrderLine.objects.filter(
            person__in=people, training_year=training_year, live=True, order__status=OrderStatus.PAID
        ).values_list("person_id", flat=True)
    )
    requirements = {r.grade_group: r for r in YearRequirement.objects.filter(training_year=training_year)}
    rows = []
    for person in people:
        requirement = requirements.get(grade_group(person.grade))
        row_state = "registered" if person.pk in enrolled else "pending" if person.pk in pending else "none"
        rows.append(
            WorkerRow(
                person,
                row_state,
                requirement.price if requirement else None,
                requirement.total_hours if requirement else None,
            )
        )
    if state:
        rows = [row for row in rows if row.state == state]
    return rows


def unit_orders(unit: Unit) -> QuerySet[Order]:
    return _orders().filter(kind=OrderKind.UNIT, unit=unit).select_related("invoice")


# --- operators ------------------------------------------------------------------------------------


def _day_range(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def reconciliation_payments(*, day: dt.date, gateway: str) -> QuerySet[PaymentNotification]:
    """Money received that day at the gateway: the one processed result per order (paid or late)."""
    start, end = _day_range(day)
    return (
        PaymentNotification.objects.filter(
            gateway=gateway,
            outcome__in=[NotificationOutcome.PROCESSED, NotificationOutcome.LATE],
            trade_status__in=["TRADE_SUCCESS", "TRADE_FINISHED"],
            processed_at__gte=start,
            processed_at__lt=end,
        )
        .select_related("order", "order__training_year")
        .order_by("processed_at")
    )


def reconciliation_refunds(*, day: dt.date, gateway: str) -> QuerySet[Refund]:
    start, end = _day_range(day)
    return (
        Refund.objects.filter(
            gateway=gateway, status=RefundStatus.SUCCEEDED, completed_at__gte=start, completed_at__lt=end
        )
        .select_related("order", "order__training_year")
        .order_by("completed_at")
    )
