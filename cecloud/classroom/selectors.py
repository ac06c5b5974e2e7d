"""A class's standing (班级首页, 我的班级): per-course 课程进度 and 课后测验 results, and hours completed.

Standing needs both watched progress (learning) and quiz results (exams), so it lives here, above
both: ``course_results(selections)`` is THE single place where the two meet; ``class_progress`` and
``classes_progress`` add up a class (or several) in a constant number of queries.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from cecloud.exams.selectors import quiz_results
from cecloud.learning.models import CourseSelection
from cecloud.learning.progress import progress_by_selection
from cecloud.learning.selectors import CATEGORY_ORDER, SelectionSummary, selection_summary, summarize
from cecloud.training.models import Enrollment, HourLedgerEntry

ZERO = Decimal("0")


@dataclass(frozen=True)
class CourseResult:
    """课程考核结果 of one confirmed course: 课程进度 x% and 课后测验 合格/未合格."""

    progress: Decimal = ZERO  # percent, 0–100
    quiz_passed: bool = False
    quiz_best_score: int | None = None
    credited: bool = False  # the class's hour ledger holds the course (the quiz pass, or an operator's adjustment)

    @property
    def passed(self) -> bool:
        return self.credited or (self.progress >= 100 and self.quiz_passed)

    @property
    def quiz_unlocked(self) -> bool:
        return self.progress >= 100


def course_results(selections: Iterable[CourseSelection]) -> dict[int, CourseResult]:
    """Results keyed by selection id, for any number of selections in a constant number of queries:
    progress from the server-side watched intervals (``learning.progress``), the quiz from the best
    submitted attempt (``exams.selectors.quiz_results``)."""
    selections = list(selections)
    if not selections:
        return {}
    progress = progress_by_selection(selections)
    quizzes = quiz_results((s.enrollment_id, s.course_id) for s in selections)
    credited = set(
        HourLedgerEntry.objects.filter(
            enrollment_id__in={s.enrollment_id for s in selections}, course_id__in={s.course_id for s in selections}
        ).values_list("enrollment_id", "course_id")
    )
    results = {}
    for s in selections:
        quiz = quizzes.get((s.enrollment_id, s.course_id))
        results[s.pk] = CourseResult(
            progress=progress.get(s.pk, ZERO),
            quiz_passed=bool(quiz and quiz.passed),
            quiz_best_score=quiz.best_score if quiz else None,
            credited=(s.enrollment_id, s.course_id) in credited,
        )
    return results


@dataclass
class ClassProgress:
    """A class's standing: hours completed (passed courses) per category against the snapshot."""

    summary: SelectionSummary
    results: dict[int, CourseResult]

    def completed_by_category(self) -> dict[str, Decimal]:
        done = {c: ZERO for c in CATEGORY_ORDER}
        for s in self.summary.confirmed:
            if self.results.get(s.pk, CourseResult()).passed:
                done[s.category] += s.hours
        return done

    @property
    def completed_hours(self) -> Decimal:
        """已完成 X 学时: passed hours, each category counted up to its requirement."""
        required = self.summary.enrollment.hours_by_category()
        return sum((min(v, required[c]) for c, v in self.completed_by_category().items()), ZERO)

    @property
    def required_hours(self) -> Decimal:
        return self.summary.enrollment.total_hours

    @property
    def learning_met(self) -> bool:
        required = self.summary.enrollment.hours_by_category()
        return all(v >= required[c] for c, v in self.completed_by_category().items())

    @property
    def percent(self) -> int:
        if not self.required_hours:
            return 0
        return min(100, int(self.completed_hours * 100 / self.required_hours))

    @property
    def watch_percent(self) -> Decimal:
        """课程学习进度: the confirmed courses' watched progress, weighted by their hours."""
        confirmed = self.summary.confirmed
        total = sum((s.hours for s in confirmed), ZERO)
        if not total:
            return ZERO
        done = sum((s.hours * self.results.get(s.pk, CourseResult()).progress for s in confirmed), ZERO)
        return (done / total).quantize(Decimal("0.01"))


def class_progress(enrollment: Enrollment) -> ClassProgress:
    summary = selection_summary(enrollment)
    return ClassProgress(summary=summary, results=course_results(summary.confirmed))


def classes_progress(enrollments: Sequence[Enrollment]) -> dict[int, ClassProgress]:
    """ClassProgress for several classes of a learner in a constant number of queries."""
    by_enrollment: dict[int, list[CourseSelection]] = {e.pk: [] for e in enrollments}
    selections = (
        CourseSelection.objects.filter(enrollment_id__in=list(by_enrollment))
        .select_related("course")
        .order_by("created_at", "id")
    )
    for s in selections:
        by_enrollment[s.enrollment_id].append(s)
    summaries = {e.pk: summarize(e, by_enrollment[e.pk]) for e in enrollments}
    results = course_results([s for summary in summaries.values() for s in summary.confirmed])
    return {pk: ClassProgress(summary=summary, results=results) for pk, summary in summaries.items()}
