"""Training rules: windows and opening a class exactly once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from cecloud.core.audit import audit_log
from cecloud.core.errors import ServiceError
from cecloud.registry.models import Person, grade_group

from . import events
from .models import (
    Enrollment,
    EnrollmentStatus,
    HourCategory,
    HourLedgerEntry,
    LedgerSource,
    TrainingYear,
    YearRequirement,
)
from .selectors import is_catch_up, local_today, requirement_for, schedule_for


def _fmt(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def check_registration_window(*, person: Person, training_year: TrainingYear, today: dt.date | None = None) -> None:
    """Raise ServiceError (with the dates) unless the learner's region is open for registration and payment."""
    today = today or local_today()
    if not training_year.is_active:
        raise ServiceError(f"{training_year.year}年度未开放报名")
    schedule = schedule_for(region=person.region, training_year=training_year)
    if schedule is None:
        raise ServiceError(f"您所在地区尚未公布{training_year.year}年度的报名缴费时间")
    if is_catch_up(training_year) and not schedule.catch_up_open:
        raise ServiceError(f"您所在地区未开放{training_year.year}年度补学")
    if not (schedule.register_start <= today <= schedule.register_end):
        raise ServiceError(
            f"{training_year.year}年度报名缴费时间为{_fmt(schedule.register_start)}至{_fmt(schedule.register_end)}，当前不在报名缴费时间内"
        )


def check_study_window(*, enrollment: Enrollment, today: dt.date | None = None) -> None:
    """Raise ServiceError (with the dates) unless the class's region is open for study and exams."""
    today = today or local_today()
    schedule = schedule_for(region=enrollment.region, training_year=enrollment.training_year)
    year = enrollment.training_year.year
    if schedule is None:
        raise ServiceError(f"您所在地区尚未公布{year}年度的学习考试时间")
    if is_catch_up(enrollment.training_year) and not schedule.catch_up_open:
        raise ServiceError(f"您所在地区未开放{year}年度补学")
    if not (schedule.study_start <= today <= schedule.study_end):
        raise ServiceError(
            f"{year}年度学习考试时间为{_fmt(schedule.study_start)}至{_fmt(schedule.study_end)}，当前不在学习考试时间内"
        )


def enrollment_open(
    *, person: Person, training_year: TrainingYear, order_no: str = "", actor=None
) -> tuple[Enrollment, bool]:
    """Open the learner's class for the year exactly once; returns (enrollment, created).

    Idempotent and safe under concurrency: the unique (person, year) constraint decides, and a
    second caller gets the existing class. Grade and requirements are snapshotted now.
    """
    existing = Enrollment.objects.filter(person=person, training_year=training_year).first()
    if existing is not None:
        if not enrollment_blocks_registration(existing):
            return _enrollment_reopen(existing, person=person, order_no=order_no, actor=actor)
        return existing, False
    snapshot = _snapshot_for(person, training_year)
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(
                person=person, training_year=training_year, source_order_no=order_no, **snapshot
            )
            audit_log(
                event_type="enrollment.opened", actor=actor, subject=enrollment, extra_data={"order_no": order_no}
            )
    except IntegrityError:
        return Enrollment.objects.get(person=person, training_year=training_year), False
    return enrollment, True


def enrollment_snapshot(person: Person, requirement: YearRequirement) -> dict:
    """What a class copies when it opens (or reopens): the learner's grade, unit and region of
    today, and the year's hour requirement and price for that grade."""
    return {
        "grade": person.grade,
        "grade_group": grade_group(person.grade),
        "unit": person.unit,
        "region": person.region,
        "ideology_hours": requirement.ideology_hours,
        "general_hours": requirement.general_hours,
        "skill_hours": requirement.skill_hours,
        "total_hours": requirement.total_hours,
        "price": requirement.price,
    }


def _snapshot_for(person: Person, training_year: TrainingYear) -> dict:
    requirement = requirement_for(training_year=training_year, grade=person.grade)
    if requirement is None:
        raise ServiceError(f"{training_year.year}年度未设置{person.get_grade_display()}的学时要求")
    return enrollment_snapshot(person, requirement)


def enrollment_blocks_registration(enrollment: Enrollment) -> bool:
    """Whether this class stops its learner from registering for its year again.

    Every class does, except one closed (its order refunded) before anything was used: no course
    confirmed and no hours credited. Such a class is reopened by the next paid registration.
    """
    if enrollment.status != EnrollmentStatus.CLOSED:
        return True
    if HourLedgerEntry.objects.filter(enrollment=enrollment).exists():
        return True
    return any(events.enrollment_in_use.publish(enrollment=enrollment))


def _enrollment_reopen(enrollment: Enrollment, *, person: Person, order_no: str, actor) -> tuple[Enrollment, bool]:
    """Reopen a refunded, unused class for a new paid order, with the grade and requirements of
    today (as a new class would have). Under a row lock: of two payments arriving together, the
    second finds the class open and is flagged like any double payment."""
    with transaction.atomic():
        locked = Enrollment.states.lock(enrollment)
        if enrollment_blocks_registration(locked):
            return locked, False
        snapshot = _snapshot_for(person, locked.training_year)
        previous = {"order_no": locked.source_order_no, "close_reason": locked.close_reason}
        Enrollment.states.apply(
            locked,
            EnrollmentStatus.OPEN,
            actor=actor,
            event_type="enrollment.reopened",
            data={"order_no": order_no, "previous": previous},
            fields={
                "closed_at": None,
                "close_reason": "",
                "opened_at": timezone.now(),
                "source_order_no": order_no,
                **snapshot,
            },
        )
        # Candidates picked before the refund belong to the old class's grade: learning drops them.
        events.enrollment_reopened.publish(enrollment=locked)
    return locked, True


# --- Year editing lock and closing classes (training admin; billing refunds) -----------------------


def training_year_has_registrations(training_year: TrainingYear) -> bool:
    """True once anyone registered for the year: an opened class or any order line (any status)."""
    if Enrollment.objects.filter(training_year=training_year).exists():
        return True
    return any(events.training_year_in_use.publish(training_year=training_year))


def training_year_assert_editable(*, training_year: TrainingYear) -> None:
    """Operators may change a year's hours and prices before anyone registered for it, not after."""
    if training_year.pk and training_year_has_registrations(training_year):
        raise ServiceError(f"{training_year.year}年度已有学员报名，学时要求与价格不能再修改")


def enrollment_close(*, enrollment: Enrollment, reason: str, actor=None) -> Enrollment:
    """Close a class (e.g. its order was refunded); idempotent. A qualified class is never closed."""
    return Enrollment.states.transition(
        enrollment,
        to=EnrollmentStatus.CLOSED,
        idempotent=True,
        actor=actor,
        event_type="enrollment.closed",
        data={"reason": reason},
        fields={"closed_at": timezone.now(), "close_reason": reason[:200]},
    )


def ledger_totals(enrollment: Enrollment) -> dict[str, Decimal]:
    """Credited hours per category (every HourCategory present, zero when none)."""
    totals = {c: Decimal("0") for c in HourCategory.values}
    rows = HourLedgerEntry.objects.filter(enrollment=enrollment).values("category").annotate(total=Sum("hours"))
    for row in rows:
        totals[row["category"]] = row["total"] or Decimal("0")
    return totals


def ledger_meets_requirement(enrollment: Enrollment, totals: dict[str, Decimal]) -> bool:
    required = enrollment.hours_by_category()
    return (
        all(totals.get(c, Decimal("0")) >= required[c] for c in required)
        and sum(totals.values()) >= enrollment.total_hours
    )


def ledger_credit(
    *,
    enrollment: Enrollment,
    course,
    category: str,
    hours: Decimal,
    attempt_ref: str = "",
    evidence: dict | None = None,
    source: str = LedgerSource.QUIZ_PASS,
) -> tuple[HourLedgerEntry, bool]:
    """Credit a course's hours to the class once, and qualify the class when the ledger meets
    every category and the total — in the same transaction. Returns (entry, created).

    Idempotent: a second credit for the same class and course returns the existing entry.
    On qualification the certificate is issued after commit (certificates.services).
    """
    with transaction.atomic():
        locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        existing = HourLedgerEntry.objects.filter(enrollment=locked, course=course).first()
        if existing is not None:
            return existing, False
        if locked.status == EnrollmentStatus.CLOSED:
            raise ServiceError("班级已关闭，不能记录学时")
        entry = HourLedgerEntry.objects.create(
            enrollment=locked,
            course=course,
            category=category,
            hours=hours,
            attempt_ref=attempt_ref,
            evidence=evidence or {},
            source=source,
        )
        if locked.status == EnrollmentStatus.OPEN and ledger_meets_requirement(locked, ledger_totals(locked)):
            enrollment_mark_qualified(enrollment=locked)
    enrollment.refresh_from_db()
    return entry, True


def enrollment_mark_qualified(*, enrollment: Enrollment) -> None:
    """OPEN → QUALIFIED (caller holds the row lock; idempotent); triggers the certificate after commit."""
    if enrollment.status == EnrollmentStatus.QUALIFIED:
        return
    Enrollment.states.apply(
        enrollment,
        EnrollmentStatus.QUALIFIED,
        event_type="enrollment.qualified",
        data={"total": str(enrollment.total_hours)},
        fields={"qualified_at": timezone.now()},
    )
    events.enrollment_qualified.publish_on_commit(enrollment_id=enrollment.pk)
