"""Learning reads: a class's selection (选课) state, who may watch, and the study guard.

Other apps call:
* ``learner_enrollment(user=, enrollment_id=)`` — the learner's own class or None (views 404).
* ``selection_summary(enrollment)`` — hours per category: required / confirmed / candidate.
* ``learner_course_or_404(user=, enrollment_id=, course_id=)`` — the learner's own class and the
  course confirmed in it (the pages of one course: player, quiz, evaluation); ``learner_course``
  is the same with None instead of a 404.
* ``confirmed_course_for(enrollment, course)`` and ``assert_can_study(enrollment=, course=)`` —
  learning and exams are only for confirmed courses inside the study window (the player,
  heartbeats and quizzes call ``assert_can_study``).
* ``enrollment_has_selection(enrollment)`` — whether any course was confirmed (billing's refund guard).
* ``person_can_watch(person_id=, course_id=)`` — the chapter-video guard.

A class's standing (progress and quiz results together) is ``cecloud.classroom.selectors``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import Http404

from cecloud.catalog.models import Course
from cecloud.core.errors import ServiceError
from cecloud.training.models import CATEGORY_PATHS, Enrollment, EnrollmentStatus, HourCategory
from cecloud.training.services import check_study_window

from .models import CourseSelection, SelectionStatus

ZERO = Decimal("0")
CATEGORY_ORDER = [HourCategory.IDEOLOGY, HourCategory.GENERAL, HourCategory.SKILL]


def learner_enrollment(*, user, enrollment_id: int) -> Enrollment | None:
    """The class if it belongs to the logged-in learner, else None (never another learner's)."""
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return None
    return (
        Enrollment.objects.select_related("training_year", "region")
        .filter(pk=enrollment_id, person_id=person_id)
        .first()
    )


# --- Selection state ---------------------------------------------------------------------------------


@dataclass
class CategoryLine:
    category: str
    required: Decimal
    confirmed: Decimal = ZERO
    candidate: Decimal = ZERO
    candidates: list[CourseSelection] = field(default_factory=list)
    confirmed_selections: list[CourseSelection] = field(default_factory=list)

    @property
    def label(self) -> str:
        return HourCategory(self.category).label

    @property
    def path(self) -> str:
        return CATEGORY_PATHS[self.category]

    @property
    def selected(self) -> Decimal:
        return self.confirmed + self.candidate

    @property
    def is_full(self) -> bool:
        """Confirmed + candidate courses meet the requirement: no more courses of this category."""
        return self.selected >= self.required

    @property
    def confirmed_met(self) -> bool:
        return self.confirmed >= self.required

    @property
    def to_confirm(self) -> Decimal:
        """Hours still to select after the confirmed courses (还需选课)."""
        return max(ZERO, self.required - self.confirmed)

    @property
    def remaining(self) -> Decimal:
        """Hours still to select after confirmed and candidate courses (还需选学)."""
        return max(ZERO, self.required - self.selected)


@dataclass
class SelectionSummary:
    enrollment: Enrollment
    lines: list[CategoryLine]
    selections: list[CourseSelection]

    @property
    def by_category(self) -> dict[str, CategoryLine]:
        return {line.category: line for line in self.lines}

    @property
    def by_course(self) -> dict[int, CourseSelection]:
        return {s.course_id: s for s in self.selections}

    @property
    def candidates(self) -> list[CourseSelection]:
        return [s for s in self.selections if s.status == SelectionStatus.CANDIDATE]

    @property
    def confirmed(self) -> list[CourseSelection]:
        return [s for s in self.selections if s.status == SelectionStatus.CONFIRMED]

    @property
    def candidate_hours(self) -> Decimal:
        return sum((line.candidate for line in self.lines), ZERO)

    @property
    def confirmed_hours(self) -> Decimal:
        return sum((line.confirmed for line in self.lines), ZERO)

    @property
    def need_to_select(self) -> Decimal:
        """选课提示 / 班级首页: 还需选课 N 学时 (each category counted up to its own requirement)."""
        return sum((line.to_confirm for line in self.lines), ZERO)

    @property
    def still_needed(self) -> Decimal:
        """选课清单: 还需选学 Y 学时, after the candidates too."""
        return sum((line.remaining for line in self.lines), ZERO)

    @property
    def structure_met(self) -> bool:
        """Every category's requirement is met by confirmed courses."""
        return all(line.confirmed_met for line in self.lines)

    @property
    def selectable(self) -> bool:
        return self.enrollment.status == EnrollmentStatus.OPEN


def summarize(enrollment: Enrollment, selections: Sequence[CourseSelection]) -> SelectionSummary:
    """Build the summary from already loaded selections (no queries)."""
    required = enrollment.hours_by_category()
    lines = {c: CategoryLine(category=c, required=required[c]) for c in CATEGORY_ORDER}
    for s in selections:
        line = lines[s.category]
        if s.status == SelectionStatus.CONFIRMED:
            line.confirmed += s.hours
            line.confirmed_selections.append(s)
        else:
            line.candidate += s.hours
            line.candidates.append(s)
    return SelectionSummary(enrollment=enrollment, lines=list(lines.values()), selections=list(selections))


def enrollment_selections(enrollment: Enrollment):
    return CourseSelection.objects.filter(enrollment=enrollment).select_related("course").order_by("created_at", "id")


def selection_summary(enrollment: Enrollment) -> SelectionSummary:
    """One query: every selection of the class with its course."""
    return summarize(enrollment, list(enrollment_selections(enrollment)))


# --- Guards other apps call ---------------------------------------------------------------------------


def enrollment_has_selection(enrollment: Enrollment) -> bool:
    """True once the learner has confirmed at least one course in the class (candidates do not count:
    they can still be removed and nothing was consumed)."""
    return CourseSelection.objects.filter(enrollment=enrollment, status=SelectionStatus.CONFIRMED).exists()


def confirmed_course_for(enrollment: Enrollment, course: Course | int) -> CourseSelection | None:
    course_id = course if isinstance(course, int) else course.pk
    return (
        CourseSelection.objects.select_related("course")
        .filter(enrollment=enrollment, course_id=course_id, status=SelectionStatus.CONFIRMED)
        .first()
    )


def learner_course(*, user, enrollment_id: int, course_id: int) -> tuple[Enrollment, CourseSelection] | None:
    """The learner's own class and the course confirmed in it, or None."""
    enrollment = learner_enrollment(user=user, enrollment_id=enrollment_id)
    selection = confirmed_course_for(enrollment, course_id) if enrollment else None
    return None if selection is None else (enrollment, selection)


def learner_course_or_404(*, user, enrollment_id: int, course_id: int) -> tuple[Enrollment, CourseSelection]:
    """The learner's own class and the course confirmed in it; a 404 for anything else."""
    found = learner_course(user=user, enrollment_id=enrollment_id, course_id=course_id)
    if found is None:
        raise Http404
    return found


def assert_can_study(*, enrollment: Enrollment, course: Course | int, today: dt.date | None = None) -> CourseSelection:
    """Raise ServiceError unless the course is confirmed in the class and the study window is open.

    Returns the confirmed selection (its ``hours`` are the hours the course credits).
    """
    if enrollment.status == EnrollmentStatus.CLOSED:
        raise ServiceError("班级已关闭，不能学习")
    selection = confirmed_course_for(enrollment, course)
    if selection is None:
        raise ServiceError("请先在选课页面选择并确认该课程后再学习")
    check_study_window(enrollment=enrollment, today=today)
    return selection


def person_can_watch(*, person_id: int, course_id: int, today: dt.date | None = None) -> bool:
    """Whether the learner has the course confirmed in some class whose study window is open now."""
    selections = (
        CourseSelection.objects.filter(
            enrollment__person_id=person_id, course_id=course_id, status=SelectionStatus.CONFIRMED
        )
        .exclude(enrollment__status=EnrollmentStatus.CLOSED)
        .select_related("enrollment__training_year", "enrollment__region")
    )
    for selection in selections:
        try:
            check_study_window(enrollment=selection.enrollment, today=today)
        except ServiceError:
            continue
        return True
    return False
