"""Course selection rules (requirements S4), enforced here whatever the page does.

* A course must be published and offered for the class's year.
* A course cannot be added to a category whose requirement the confirmed plus candidate
  courses already meet (a course may overshoot: adding is allowed while the sum is below).
* A confirmed course cannot be added again, removed or changed.
* Confirmation moves every candidate to confirmed at once, is irrevocable, may happen in
  several rounds, and is safe against double submission and two tabs: every write locks the
  class row (``select_for_update``) and the (class, course) pair is unique in the database.
* Requirements come from the class's snapshot (catch-up years keep that year's table).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from cecloud.catalog.models import Course
from cecloud.catalog.services import course_enrolled_increment
from cecloud.core.audit import audit_log
from cecloud.core.errors import ConflictError, ServiceError
from cecloud.core.text import format_decimal
from cecloud.training.models import Enrollment, EnrollmentStatus, HourCategory

from ..models import CourseSelection, SelectionStatus
from ..selectors import summarize


def _lock_enrollment(enrollment: Enrollment) -> Enrollment:
    locked = Enrollment.objects.select_for_update().filter(pk=enrollment.pk).first()
    if locked is None:
        raise ServiceError("班级不存在")
    return locked


def _check_selectable(enrollment: Enrollment) -> None:
    if enrollment.status == EnrollmentStatus.CLOSED:
        raise ServiceError("班级已关闭，不能选课")
    if enrollment.status == EnrollmentStatus.QUALIFIED:
        raise ServiceError("班级已合格，无需再选课")


def _check_offered(enrollment: Enrollment, course: Course) -> None:
    year = enrollment.training_year.year
    if not course.is_published or not course.years.filter(pk=enrollment.training_year_id).exists():
        raise ServiceError(f"课程《{course.title.strip('《》')}》不在{year}年度的可选课程中")


def _locked_selections(enrollment: Enrollment) -> list[CourseSelection]:
    return list(
        CourseSelection.objects.select_for_update()
        .filter(enrollment=enrollment)
        .select_related("course")
        .order_by("created_at", "id")
    )


def _full_message(category: str, required: Decimal) -> str:
    label = HourCategory(category).label
    return f"{label}课程已选满{_fmt(required)}学时，不能再选择该分类的课程"


def _fmt(value: Decimal) -> str:
    return format_decimal(value)


@transaction.atomic
def selection_add(*, enrollment: Enrollment, course: Course, actor=None) -> CourseSelection:
    """选择课程: add a course to the class's candidate list (idempotent for a repeated click)."""
    enrollment = _lock_enrollment(enrollment)
    _check_selectable(enrollment)
    course = Course.objects.filter(pk=course.pk).first()
    if course is None:
        raise ServiceError("课程不存在")
    _check_offered(enrollment, course)
    selections = _locked_selections(enrollment)
    existing = next((s for s in selections if s.course_id == course.pk), None)
    if existing is not None:
        if existing.status == SelectionStatus.CONFIRMED:
            raise ConflictError("该课程已确认选择，不能重复选择")
        return existing
    line = summarize(enrollment, selections).by_category[course.category]
    if line.is_full:
        raise ServiceError(_full_message(course.category, line.required))
    try:
        with transaction.atomic():
            return CourseSelection.objects.create(
                enrollment=enrollment, course=course, category=course.category, hours=course.hours
            )
    except IntegrityError:
        # Only reachable without the row lock (it serialises adds): the pair exists already.
        return CourseSelection.objects.get(enrollment=enrollment, course=course)


@transaction.atomic
def selection_remove(*, enrollment: Enrollment, course: Course, actor=None) -> None:
    """取消选择 / 移除: drop a candidate. Confirmed courses cannot be changed."""
    enrollment = _lock_enrollment(enrollment)
    selection = CourseSelection.objects.filter(enrollment=enrollment, course_id=course.pk).first()
    if selection is None:
        return
    if selection.status == SelectionStatus.CONFIRMED:
        raise ConflictError("课程选择成功后无法修改")
    selection.delete()


def _check_structure(enrollment: Enrollment, selections: list[CourseSelection]) -> None:
    """Replay the adding rule over the candidates in the order they were added."""
    required = enrollment.hours_by_category()
    running = {c: Decimal("0") for c in required}
    for s in selections:
        if s.status == SelectionStatus.CONFIRMED:
            running[s.category] += s.hours
    for s in selections:
        if s.status != SelectionStatus.CANDIDATE:
            continue
        if running[s.category] >= required[s.category]:
            raise ServiceError(
                _full_message(s.category, required[s.category]) + f"，请移除《{s.course.title.strip('《》')}》"
            )
        running[s.category] += s.hours


@transaction.atomic
def selection_confirm(*, enrollment: Enrollment, actor=None, request=None) -> list[CourseSelection]:
    """确认选中的课程: confirm every candidate of the class at once (irrevocable).

    Returns the selections confirmed now; an empty list when there was nothing to confirm (a
    repeated submission or a second tab that lost the race).
    """
    enrollment = _lock_enrollment(enrollment)
    _check_selectable(enrollment)
    selections = _locked_selections(enrollment)
    candidates = [s for s in selections if s.status == SelectionStatus.CANDIDATE]
    if not candidates:
        return []
    offered = set(
        Course.years.through.objects.filter(
            trainingyear_id=enrollment.training_year_id, course_id__in=[s.course_id for s in candidates]
        ).values_list("course_id", flat=True)
    )
    for s in candidates:
        if not s.course.is_published or s.course_id not in offered:
            raise ServiceError(f"课程《{s.course.title.strip('《》')}》已下架或不在本年度可选课程中，请移除后再确认")
        # The hours and category credited are the course's at confirmation.
        s.hours = s.course.hours
        s.category = s.course.category
    _check_structure(enrollment, selections)
    now = timezone.now()
    previous_rounds = [s.confirm_round or 0 for s in selections if s.status == SelectionStatus.CONFIRMED]
    confirm_round = max(previous_rounds, default=0) + 1
    for s in candidates:
        s.status = SelectionStatus.CONFIRMED
        s.confirmed_at = now
        s.confirm_round = confirm_round
    CourseSelection.objects.bulk_update(candidates, ["status", "confirmed_at", "confirm_round", "hours", "category"])
    course_enrolled_increment(course_ids=[s.course_id for s in candidates])
    audit_log(
        event_type="selection.confirmed",
        actor=actor,
        subject=enrollment,
        extra_data={
            "round": confirm_round,
            "courses": [s.course_id for s in candidates],
            "hours": str(sum((s.hours for s in candidates), Decimal("0"))),
        },
        request=request,
    )
    return candidates
