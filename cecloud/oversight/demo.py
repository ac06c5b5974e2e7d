"""Demo activity for the portals: registrations, payments, course selections and credited hours for
demo learners, so the unit HR list and the bureau dashboard show something meaningful.

Everything goes through the services a real round uses — unit orders by the unit HR (单位报名) or
personal orders by the learner, paid on the development cashier; course selection and
confirmation; hours credited to the ledger (a class qualifies by itself, and its certificate is
issued after commit) — and dates are then spread over the last weeks so the daily line has a shape.

The first ten demo learners are left alone (the README's accounts and the journey tests use the
first three). Idempotent: a learner who already has a class or an order for a year is skipped.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from cecloud.accounts.backends import RegistryBackend, default_password_for
from cecloud.accounts.models import User
from cecloud.billing.gateways.dev import DevGateway
from cecloud.billing.models import Order, OrderLine
from cecloud.billing.services import (
    InvoiceInfo,
    notification_receive,
    order_create,
    order_create_for_unit,
    order_start_payment,
)
from cecloud.catalog.models import Course
from cecloud.core.roles import Role
from cecloud.learning.selectors import selection_summary
from cecloud.learning.services.selection import selection_add, selection_confirm
from cecloud.registry.models import Person, PersonStatus
from cecloud.training.models import Enrollment, EnrollmentStatus, TrainingYear
from cecloud.training.services import ledger_credit

FIRST_INDEX = 10  # learners 0-9 are never touched
# What happens to each learner from index 10 on, by index % 6 (2023), and who studies 2022 too.
PLAN = ["qualified", "qualified", "learning", "paid", "unpaid", "none"]
CATCH_UP = ("qualified", "learning")  # 2022 for every third learner


def _pay(order: Order, actor) -> None:
    order_start_payment(order=order, actor=actor)
    notification_receive(
        gateway_name="dev", params=DevGateway().pay(order_no=order.order_no, amount=order.total_amount)
    )


def _learner_account(person: Person) -> User:
    """The account a first login creates (default password, must change it at next login)."""
    user = User.objects.filter(person=person).first()
    if user is None:
        user = RegistryBackend().authenticate(
            None, username=person.id_number, password=default_password_for(person.id_number)
        )
    return user


def _select_all(enrollment: Enrollment, courses: list[Course]) -> None:
    for course in courses:
        line = selection_summary(enrollment).by_category[course.category]
        if line.is_full:
            continue
        selection_add(enrollment=enrollment, course=course)
    selection_confirm(enrollment=enrollment)


def _study(enrollment: Enrollment, state: str, courses: list[Course], rnd: random.Random) -> None:
    if state not in ("qualified", "learning"):
        return
    _select_all(enrollment, courses)
    confirmed = selection_summary(enrollment).confirmed
    if state == "learning":
        confirmed = confirmed[: max(1, len(confirmed) // 2)]
    for selection in confirmed:
        ledger_credit(
            enrollment=enrollment,
            course=selection.course,
            category=selection.category,
            hours=selection.hours,
            attempt_ref="demo",
            evidence={"demo": True},
        )


def _spread(enrollment: Enrollment, *, days_ago: int, rnd: random.Random) -> None:
    """Move the class and its order back in time (the daily line needs dates over the window)."""
    now = timezone.now()
    opened = now - dt.timedelta(days=days_ago, hours=rnd.randrange(1, 8), minutes=rnd.randrange(60))
    Enrollment.objects.filter(pk=enrollment.pk).update(opened_at=opened)
    if enrollment.status == EnrollmentStatus.QUALIFIED:
        qualified = min(now - dt.timedelta(minutes=5), opened + dt.timedelta(days=rnd.randrange(1, 8)))
        Enrollment.objects.filter(pk=enrollment.pk).update(qualified_at=qualified)
    order_ids = OrderLine.objects.filter(enrollment=enrollment).values_list("order_id", flat=True)
    created = opened - dt.timedelta(minutes=rnd.randrange(5, 90))
    Order.objects.filter(pk__in=list(order_ids), paid_at__isnull=False).update(
        created_at=created, expires_at=created + dt.timedelta(hours=24), paid_at=opened
    )


def _has_activity(person: Person, training_year: TrainingYear) -> bool:
    return (
        Enrollment.objects.filter(person=person, training_year=training_year).exists()
        or OrderLine.objects.filter(person=person, training_year=training_year).exists()
    )


def load(stdout=None) -> dict:
    rnd = random.Random(2023)
    years = {ty.year: ty for ty in TrainingYear.objects.filter(year__in=(2022, 2023))}
    if len(years) < 2:
        return {}
    people = list(Person.objects.filter(status=PersonStatus.ACTIVE).select_related("unit", "region").order_by("id"))
    hr_of = {u.unit_id: u for u in User.objects.filter(role=Role.UNIT_HR).order_by("id")}
    courses = {
        year: list(Course.objects.filter(is_published=True, years=ty).order_by("-hours", "sort_order", "id"))
        for year, ty in years.items()
    }
    plans: dict[int, list[tuple[Person, str]]] = defaultdict(list)
    for index, person in enumerate(people):
        if index < FIRST_INDEX:
            continue
        plans[2023].append((person, PLAN[index % len(PLAN)]))
        if index % 3 == 0:
            plans[2022].append((person, CATCH_UP[index % 2]))
    opened = 0
    for year, plan in sorted(plans.items()):
        training_year = years[year]
        todo = [(p, s) for p, s in plan if s != "none" and not _has_activity(p, training_year)]
        # Unit HR pays for its workers in one unit order; others pay their own.
        by_unit: dict[int, list[tuple[Person, str]]] = defaultdict(list)
        for person, state in todo:
            if person.unit_id in hr_of:
                by_unit[person.unit_id].append((person, state))
        for unit_id, group in by_unit.items():
            hr = hr_of[unit_id]
            paid = [p.pk for p, s in group if s != "unpaid"]
            pending = [p.pk for p, s in group if s == "unpaid"]
            if paid:
                _pay(order_create_for_unit(user=hr, training_year=training_year, person_ids=paid), hr)
            if pending:
                order_create_for_unit(user=hr, training_year=training_year, person_ids=pending)
        for person, state in todo:
            if person.unit_id in hr_of:
                continue
            user = _learner_account(person)
            order, _created = order_create(user=user, training_year=training_year, invoice=InvoiceInfo())
            if state != "unpaid":
                _pay(order, user)
        for person, state in todo:
            if state == "unpaid":
                continue
            enrollment = Enrollment.objects.get(person=person, training_year=training_year)
            with transaction.atomic():
                _study(enrollment, state, courses[year], rnd)
            enrollment.refresh_from_db()
            _spread(enrollment, days_ago=rnd.randrange(1, 28), rnd=rnd)
            opened += 1
    if stdout:
        qualified = Enrollment.objects.filter(status=EnrollmentStatus.QUALIFIED).count()
        stdout.write(
            f"监管演示：本次开通班级 {opened} 个（累计已合格 {qualified} 个），第 {FIRST_INDEX + 1} 位起的演示学员"
        )
    return {"opened": opened}
