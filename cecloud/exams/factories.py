"""Test helpers: a question bank for a course."""

from __future__ import annotations

from cecloud.catalog.models import Chapter, Course

from .models import TRUE_FALSE_OPTIONS, Question, QuestionKind, QuestionOption


def make_question(
    course: Course,
    kind: str = QuestionKind.SINGLE,
    *,
    stem: str | None = None,
    options: list[str] | None = None,
    correct: list[int] | None = None,
    explanation: str = "",
    chapter: Chapter | None = None,
    range_start: float | None = None,
    range_end: float | None = None,
) -> Question:
    n = Question.objects.filter(course=course).count() + 1
    if kind == QuestionKind.TRUE_FALSE:
        options = list(TRUE_FALSE_OPTIONS)
        correct = correct if correct is not None else [0]
    else:
        options = options or [f"选项{n}-{letter}" for letter in "ABCD"]
        correct = correct if correct is not None else ([1] if kind == QuestionKind.SINGLE else [0, 2])
    question = Question.objects.create(
        course=course,
        kind=kind,
        stem=stem or f"{QuestionKind(kind).label}第{n}题：以下哪一项正确？",
        explanation=explanation or f"第{n}题的题析",
        chapter=chapter,
        range_start=range_start if chapter else None,
        range_end=range_end if chapter else None,
    )
    QuestionOption.objects.bulk_create(
        [
            QuestionOption(question=question, order=i, text=text, is_correct=i in correct)
            for i, text in enumerate(options)
        ]
    )
    return question


def make_bank(course: Course, *, singles: int = 6, multiples: int = 4, true_false: int = 2) -> list[Question]:
    chapter = Chapter.objects.filter(course=course).order_by("order").first()
    questions = []
    for i in range(singles):
        questions.append(
            make_question(
                course, QuestionKind.SINGLE, chapter=chapter if i % 2 == 0 else None, range_start=5, range_end=15
            )
        )
    for _ in range(multiples):
        questions.append(make_question(course, QuestionKind.MULTIPLE, chapter=chapter, range_start=10, range_end=20))
    for i in range(true_false):
        questions.append(make_question(course, QuestionKind.TRUE_FALSE, correct=[i % 2]))
    return questions


def correct_answers(attempt) -> dict[str, list[int]]:
    """The right answer for every item of an attempt (as the form posts them)."""
    return {str(item.pk): list(item.correct) for item in attempt.items.all()}


def wrong_answers(attempt) -> dict[str, list[int]]:
    answers = {}
    for item in attempt.items.all():
        wrong = [i for i in range(len(item.options)) if i not in item.correct]
        answers[str(item.pk)] = wrong[:1]
    return answers
