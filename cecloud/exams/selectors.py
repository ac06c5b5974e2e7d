"""Quiz reads: best results per class and course (for 课程考核结果), attempts for the pages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Max, Q

from .models import AttemptStatus, QuizAttempt


@dataclass(frozen=True)
class QuizResult:
    best_score: int | None
    passed: bool
    attempts: int


def quiz_results(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], QuizResult]:
    """Best submitted score and pass per (enrollment id, course id), in one query."""
    pairs = set(pairs)
    if not pairs:
        return {}
    rows = (
        QuizAttempt.objects.filter(
            enrollment_id__in={e for e, _ in pairs},
            course_id__in={c for _, c in pairs},
            status=AttemptStatus.SUBMITTED,
        )
        .values("enrollment_id", "course_id")
        .annotate(best=Max("score"), passes=Count("id", filter=Q(passed=True)), n=Count("id"))
    )
    return {
        (row["enrollment_id"], row["course_id"]): QuizResult(
            best_score=row["best"], passed=row["passes"] > 0, attempts=row["n"]
        )
        for row in rows
        if (row["enrollment_id"], row["course_id"]) in pairs
    }


def learner_attempt(*, user, public_id) -> QuizAttempt | None:
    """The attempt if it belongs to the logged-in learner, else None (never someone else's)."""
    return (
        QuizAttempt.objects.select_related("enrollment__person", "enrollment__training_year", "course")
        .filter(public_id=public_id, user_id=getattr(user, "pk", None))
        .first()
    )
