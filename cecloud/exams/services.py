"""Quiz rules (requirements S6): drawing an attempt, scoring it on the server, crediting the course.

* ``attempt_start`` — only at 100% course progress, in the study window, for a confirmed course.
  Draws per the course's policy, preferring the questions this learner has seen least, shuffles
  the options, and stores the layout (``AttemptQuestion``). An unfinished attempt is reused.
* ``attempt_submit`` — scores on the server from the stored key; submitting twice, submitting
  someone else's attempt or submitting after the window closed changes nothing.
* The first pass appends the course's hours to the class's hour ledger (``ledger_credit``),
  pointing at the passing attempt and the watched intervals; the ledger may qualify the class.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone

from cecloud.catalog.models import Course
from cecloud.core.audit import audit_log
from cecloud.core.errors import NotFoundError, ServiceError
from cecloud.core.text import format_decimal
from cecloud.learning.models import CourseSelection
from cecloud.learning.progress import course_progress, watched_evidence
from cecloud.learning.selectors import assert_can_study
from cecloud.training.models import Enrollment
from cecloud.training.services import ledger_credit

from .models import (
    KIND_ORDER,
    AttemptQuestion,
    AttemptStatus,
    MultipleScoring,
    Question,
    QuestionKind,
    QuizAttempt,
    QuizPolicy,
)

_rng = random.SystemRandom()


def policy_for(course: Course | int) -> QuizPolicy:
    """The course's policy, or the default one (unsaved): 3 单选 + 2 多选, 20 points, pass 60."""
    course_id = course if isinstance(course, int) else course.pk
    policy = QuizPolicy.objects.filter(course_id=course_id).first()
    return policy or QuizPolicy(course_id=course_id)


# --- Scoring (pure) ------------------------------------------------------------------------------------


def score_item(*, kind: str, correct: list[int], chosen: list[int], points: int, multiple_scoring: str) -> int:
    """Points earned by one answer.

    单选题 / 判断题: all or nothing. 多选题: all or nothing (多选、少选、错选均不得分) by default;
    with PARTIAL, a correct non-empty subset earns half the points (rounded down), anything wrong none.
    """
    right, given = set(correct), set(chosen)
    if not given:
        return 0
    if given == right:
        return points
    if kind == QuestionKind.MULTIPLE and multiple_scoring == MultipleScoring.PARTIAL and given < right:
        return points // 2
    return 0


def _clean_choice(raw, option_count: int) -> list[int]:
    values = raw if isinstance(raw, list | tuple) else [raw]
    chosen: set[int] = set()
    for value in values:
        try:
            index = int(value)
        except (TypeError, ValueError):
            continue
        if 0 <= index < option_count:
            chosen.add(index)
    return sorted(chosen)


# --- Drawing -------------------------------------------------------------------------------------------


def _seen_counts(user, course: Course) -> dict[int, int]:
    rows = (
        AttemptQuestion.objects.filter(attempt__user=user, attempt__course=course)
        .values("question_id")
        .annotate(n=Count("id"))
    )
    return {row["question_id"]: row["n"] for row in rows}


def draw_questions(*, user, course: Course, policy: QuizPolicy) -> list[Question]:
    """Questions for a new attempt: per type as the policy says, least seen first (ties at random);
    a type with too few questions is topped up from the others so the count (and 100 points) holds.
    """
    seen = _seen_counts(user, course)
    bank = list(Question.objects.filter(course=course, is_active=True).prefetch_related("options"))
    by_kind: dict[str, list[Question]] = {kind: [] for kind in KIND_ORDER}
    for question in bank:
        by_kind[question.kind].append(question)
    for questions in by_kind.values():
        _rng.shuffle(questions)
        questions.sort(key=lambda q: seen.get(q.pk, 0))  # stable: random order among equally seen
    wanted = policy.counts()
    drawn: list[Question] = []
    for kind in KIND_ORDER:
        take = by_kind[kind][: wanted[kind]]
        drawn.extend(take)
        by_kind[kind] = by_kind[kind][len(take) :]
    missing = policy.question_count - len(drawn)
    if missing > 0:
        rest = [q for kind in KIND_ORDER for q in by_kind[kind]]
        _rng.shuffle(rest)
        rest.sort(key=lambda q: seen.get(q.pk, 0))
        drawn.extend(rest[:missing])
    if len(drawn) < policy.question_count:
        raise ServiceError("该课程题库题目不足，暂不能进行课后测验，请联系平台客服")
    drawn.sort(key=lambda q: KIND_ORDER.index(q.kind))
    return drawn


def _layout(question: Question, *, shuffle: bool) -> tuple[list[dict], list[int]]:
    options = list(question.options.all())
    if question.kind == QuestionKind.TRUE_FALSE:
        if not options:  # a true/false question stored without option rows: 正确 / 错误
            raise ServiceError(f"判断题“{question.stem[:20]}”缺少选项")
    elif shuffle:
        _rng.shuffle(options)
    shown = [{"id": o.pk, "text": o.text} for o in options]
    correct = [i for i, o in enumerate(options) if o.is_correct]
    return shown, correct


# --- Attempts ------------------------------------------------------------------------------------------


def quiz_unavailable_reason(*, enrollment: Enrollment, course: Course) -> str | None:
    """Why 课后测验 cannot start now (Chinese), or None."""
    try:
        assert_can_study(enrollment=enrollment, course=course)
    except ServiceError as exc:
        return exc.message
    progress = course_progress(enrollment_id=enrollment.pk, course_id=course.pk)
    if progress < 100:
        return f"需课程观看完成后（课程进度达 100%），才可进行课后测验。当前课程进度 {format_decimal(progress)}%"
    return None


def attempt_start(*, user, enrollment: Enrollment, course: Course) -> QuizAttempt:
    """The learner's unfinished attempt at the course's quiz, or a new one with a fresh draw."""
    if enrollment.person_id != getattr(user, "person_id", None):
        raise NotFoundError("测验不存在")
    reason = quiz_unavailable_reason(enrollment=enrollment, course=course)
    if reason:
        raise ServiceError(reason)
    try:
        with transaction.atomic():
            # One open attempt per class and course: serialise on the selection row.
            CourseSelection.objects.select_for_update().filter(enrollment=enrollment, course=course).first()
            existing = QuizAttempt.objects.filter(
                enrollment=enrollment, course=course, status=AttemptStatus.IN_PROGRESS
            ).first()
            if existing is not None:
                return existing
            return _create_attempt(user=user, enrollment=enrollment, course=course)
    except IntegrityError:
        return QuizAttempt.objects.get(enrollment=enrollment, course=course, status=AttemptStatus.IN_PROGRESS)


def _create_attempt(*, user, enrollment: Enrollment, course: Course) -> QuizAttempt:
    policy = policy_for(course)
    questions = draw_questions(user=user, course=course, policy=policy)
    number = (QuizAttempt.objects.filter(enrollment=enrollment, course=course).aggregate(n=Max("number"))["n"] or 0) + 1
    attempt = QuizAttempt.objects.create(
        enrollment=enrollment,
        course=course,
        user=user,
        number=number,
        total_score=policy.points_per_question * len(questions),
        pass_score=policy.pass_score,
        multiple_scoring=policy.multiple_scoring,
        started_at=timezone.now(),
    )
    items = []
    for position, question in enumerate(questions, start=1):
        shown, correct = _layout(question, shuffle=policy.shuffle_options)
        items.append(
            AttemptQuestion(
                attempt=attempt,
                question=question,
                position=position,
                kind=question.kind,
                points=policy.points_per_question,
                stem=question.stem,
                options=shown,
                correct=correct,
                explanation=question.explanation,
                chapter_id_snapshot=question.chapter_id if question.has_range else None,
                range_start=question.range_start if question.has_range else None,
                range_end=question.range_end if question.has_range else None,
            )
        )
    AttemptQuestion.objects.bulk_create(items)
    return attempt


def attempt_submit(*, user, public_id, answers: Mapping[str, object]) -> QuizAttempt:
    """Score the attempt from ``answers`` ({"<item id>": [positions]}) and, on the first pass,
    credit the course to the class. Idempotent: a submitted attempt is returned unchanged.
    """
    with transaction.atomic():
        attempt = (
            QuizAttempt.objects.select_for_update()
            .select_related("enrollment__training_year", "enrollment__region", "course")
            .filter(public_id=public_id, user_id=getattr(user, "pk", None))
            .first()
        )
        if attempt is None:
            raise NotFoundError("测验不存在")
        if attempt.status == AttemptStatus.SUBMITTED:
            return attempt
        selection = assert_can_study(enrollment=attempt.enrollment, course=attempt.course)
        items = list(attempt.items.all())
        total = 0
        for item in items:
            item.chosen = _clean_choice(answers.get(str(item.pk), []), len(item.options))
            item.earned = score_item(
                kind=item.kind,
                correct=item.correct,
                chosen=item.chosen,
                points=item.points,
                multiple_scoring=attempt.multiple_scoring,
            )
            item.is_correct = item.earned == item.points
            total += item.earned
        AttemptQuestion.objects.bulk_update(items, ["chosen", "earned", "is_correct"])
        already_passed = QuizAttempt.objects.filter(
            enrollment=attempt.enrollment, course=attempt.course, passed=True
        ).exists()
        QuizAttempt.states.apply(
            attempt,
            AttemptStatus.SUBMITTED,
            fields={"score": total, "passed": total >= attempt.pass_score, "submitted_at": timezone.now()},
        )
        if attempt.passed:
            _credit_course(attempt=attempt, selection=selection, first_pass=not already_passed)
    return attempt


def _credit_course(*, attempt: QuizAttempt, selection: CourseSelection, first_pass: bool) -> None:
    entry, created = ledger_credit(
        enrollment=attempt.enrollment,
        course=attempt.course,
        category=selection.category,
        hours=Decimal(selection.hours),
        attempt_ref=str(attempt.public_id),
        evidence={
            "attempt": str(attempt.public_id),
            "score": attempt.score,
            "pass_score": attempt.pass_score,
            "submitted_at": attempt.submitted_at.isoformat(),
            "watched": watched_evidence(enrollment_id=attempt.enrollment_id, course_id=attempt.course_id),
        },
    )
    if created or first_pass:
        audit_log(
            event_type="exams.course_passed",
            actor=attempt.user,
            subject=attempt.course,
            extra_data={
                "enrollment": attempt.enrollment_id,
                "attempt": str(attempt.public_id),
                "score": attempt.score,
                "ledger_entry": entry.pk,
                "hours": str(selection.hours),
            },
        )


# --- Question bank (back office) ---------------------------------------------------------------------


def question_set_active(*, question_ids: list[int], active: bool) -> int:
    """启用 / 停用 questions (a drawn question is deactivated, never deleted: attempts point at it).
    Returns how many of the given questions there are; one statement, so no row is half-changed."""
    return Question.objects.filter(pk__in=question_ids).update(is_active=active)
