"""Builders for oversight tests and browser tests: workers in a given state for a year, written
directly (classes with their snapshot, orders with chosen dates, ledger entries), so a test can
lay out hundreds of workers in a known mix quickly."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from cecloud.billing.models import Order, OrderKind, OrderLine, OrderStatus
from cecloud.catalog.factories import CourseFactory
from cecloud.registry.models import Person, grade_group
from cecloud.training.factories import training_year
from cecloud.training.models import Enrollment, EnrollmentStatus, HourCategory, HourLedgerEntry
from cecloud.training.selectors import requirement_for
from cecloud.training.services import enrollment_snapshot

_order_seq = itertools.count(1)


def course_for(category: str, hours: Decimal):
    """A test course of this category and size (one per database)."""
    from cecloud.catalog.models import Course

    title = f"统计测试课程 {HourCategory(category).label} {hours}学时"
    return Course.objects.filter(title=title).first() or CourseFactory(
        title=title, category=category, hours=hours, lecturers=[]
    )


def make_order(
    person: Person,
    year: int,
    *,
    status: str = OrderStatus.PAID,
    created_at: dt.datetime | None = None,
    paid_at: dt.datetime | None = None,
    kind: str = OrderKind.PERSONAL,
    buyer=None,
) -> OrderLine:
    ty = training_year(year)
    req = requirement_for(training_year=ty, grade=person.grade)
    created_at = created_at or timezone.now()
    if status == OrderStatus.PAID and paid_at is None:
        paid_at = created_at
    if buyer is None:
        from cecloud.accounts.models import User

        buyer = User.objects.filter(person=person).first() or User.objects.create_user(
            username=person.id_number, person=person, display_name=person.name
        )
    order = Order.objects.create(
        order_no=f"{next(_order_seq):024d}",
        kind=kind,
        status=status,
        training_year=ty,
        buyer=buyer,
        person=person if kind == OrderKind.PERSONAL else None,
        unit=person.unit,
        region=person.region,
        total_hours=req.total_hours,
        total_amount=req.price,
        created_at=created_at,
        expires_at=created_at + dt.timedelta(hours=24),
        paid_at=paid_at if status in (OrderStatus.PAID, OrderStatus.REFUNDED, OrderStatus.REFUNDING) else None,
        invoice_title=person.name,
    )
    return OrderLine.objects.create(
        order=order,
        person=person,
        training_year=ty,
        grade=person.grade,
        grade_group=grade_group(person.grade),
        ideology_hours=req.ideology_hours,
        general_hours=req.general_hours,
        skill_hours=req.skill_hours,
        hours=req.total_hours,
        price=req.price,
        live=status in (OrderStatus.PENDING, OrderStatus.PAID),
    )


def make_class(
    person: Person,
    year: int,
    *,
    status: str = EnrollmentStatus.OPEN,
    opened_at: dt.datetime | None = None,
    qualified_at: dt.datetime | None = None,
    earned: dict[str, Decimal] | None = None,
    with_order: bool = True,
) -> Enrollment:
    """A class (as if paid on ``opened_at``) with ledger entries; a qualified class gets every hour."""
    ty = training_year(year)
    req = requirement_for(training_year=ty, grade=person.grade)
    opened_at = opened_at or timezone.now()
    line = make_order(person, year, created_at=opened_at, paid_at=opened_at) if with_order else None
    enrollment = Enrollment.objects.create(
        person=person,
        training_year=ty,
        **enrollment_snapshot(person, req),
        status=status,
        source_order_no=line.order.order_no if line else "",
        qualified_at=(qualified_at or opened_at) if status == EnrollmentStatus.QUALIFIED else None,
        closed_at=timezone.now() if status == EnrollmentStatus.CLOSED else None,
    )
    Enrollment.objects.filter(pk=enrollment.pk).update(opened_at=opened_at)
    if line is not None:
        OrderLine.objects.filter(pk=line.pk).update(enrollment=enrollment)
    if status == EnrollmentStatus.QUALIFIED and earned is None:
        earned = enrollment.hours_by_category()
    entries = []
    for category, hours in (earned or {}).items():
        if hours:
            entries.append(
                HourLedgerEntry(
                    enrollment=enrollment,
                    course=course_for(category, Decimal(hours)),
                    category=category,
                    hours=Decimal(hours),
                    attempt_ref="test",
                )
            )
    HourLedgerEntry.objects.bulk_create(entries)
    return enrollment


CATEGORIES = [HourCategory.IDEOLOGY, HourCategory.GENERAL, HourCategory.SKILL]


STATES = ["none", "unpaid", "expired", "open", "open_partial", "qualified", "closed"]


def populate(seed: int, *, people: int = 90, units: int = 7, days: int = 20, state_weights=None) -> dict:
    """Random workers in 连云港市 (the city and three counties) and one 南京 unit, each with a random
    state for 2022 and 2023: nothing, an unpaid order, an expired one, an open class (with or without
    hours), a qualified class, a closed (refunded) one; some 离岗 workers and cancelled orders."""
    import random

    from cecloud.registry.factories import PersonFactory, UnitFactory, region
    from cecloud.registry.models import Grade, PersonStatus
    from cecloud.training.factories import open_schedule

    rnd = random.Random(seed)
    city = region("320700")
    counties = [region("320706"), region("320707"), region("320722")]
    nanjing = region("320106")
    open_schedule(city, 2023)
    made_units = [UnitFactory(region=rnd.choice([city, *counties])) for _ in range(units)]
    made_units.append(UnitFactory(region=nanjing))
    start = timezone.now() - dt.timedelta(days=days)
    for i in range(people):
        unit = rnd.choice(made_units)
        person = PersonFactory(
            unit=unit,
            grade=rnd.choice(list(Grade.values)),
            status=PersonStatus.INACTIVE if rnd.random() < 0.1 else PersonStatus.ACTIVE,
        )
        for year in (2022, 2023):
            state = rnd.choices(STATES, state_weights)[0] if state_weights else rnd.choice(STATES)
            when = start + dt.timedelta(days=rnd.randrange(days), hours=rnd.randrange(24))
            if state == "unpaid":
                make_order(person, year, status=OrderStatus.PENDING, created_at=timezone.now() - dt.timedelta(hours=2))
            elif state == "expired":
                make_order(person, year, status=OrderStatus.PENDING, created_at=when)
            elif state == "open":
                make_class(person, year, opened_at=when)
            elif state == "open_partial":
                make_class(person, year, opened_at=when, earned={"ideology": Decimal("4"), "skill": Decimal("2")})
            elif state == "qualified":
                make_class(
                    person,
                    year,
                    status=EnrollmentStatus.QUALIFIED,
                    opened_at=when,
                    qualified_at=min(timezone.now(), when + dt.timedelta(days=rnd.randrange(5))),
                )
            elif state == "closed":
                make_class(person, year, status=EnrollmentStatus.CLOSED, opened_at=when)
            if i % 17 == 0 and state in ("none", "expired"):
                make_order(person, year, status=OrderStatus.CANCELLED, created_at=when)
    return {"city": city, "counties": counties, "units": made_units}
