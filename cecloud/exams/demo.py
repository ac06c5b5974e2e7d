"""Demo question bank: ten questions per demo course (4 单选, 4 多选, 2 判断) and a quiz policy
of 2 单选 + 2 多选 + 1 判断 (20 points each, pass 60). Idempotent.

单选 and 多选 questions name the chapter that teaches them and its first seconds (the demo videos
are 3–6 s), so "回看讲解" works on the demo data.
"""

from __future__ import annotations

import re

from cecloud.catalog.models import Chapter, Course

from .demo_questions import parse
from .models import TRUE_FALSE_OPTIONS, Question, QuestionKind, QuestionOption, QuizPolicy

KINDS = {"单": QuestionKind.SINGLE, "多": QuestionKind.MULTIPLE, "判": QuestionKind.TRUE_FALSE}
_LECTURE = re.compile(r"^第[一二三四五六七八九十]+讲\s*")


def _options(kind: str, options: list[str], answer: str) -> list[tuple[str, bool]]:
    if kind == QuestionKind.TRUE_FALSE:
        return [(TRUE_FALSE_OPTIONS[0], answer == "对"), (TRUE_FALSE_OPTIONS[1], answer == "错")]
    return [(text, "ABCDEF"[i] in answer) for i, text in enumerate(options)]


def load(stdout=None) -> dict[str, int]:
    bank = parse()
    created = 0
    courses = {c.title: c for c in Course.objects.filter(title__in=list(bank))}
    for title, questions in bank.items():
        course = courses.get(title)
        if course is None:
            continue
        chapters = list(Chapter.objects.filter(course=course).exclude(video="").order_by("order", "id"))
        QuizPolicy.objects.update_or_create(
            course=course,
            defaults={"single_count": 2, "multiple_count": 2, "true_false_count": 1, "points_per_question": 20},
        )
        for index, (kind_code, stem, options, answer, explanation) in enumerate(questions):
            kind = KINDS[kind_code]
            chapter = chapters[index % len(chapters)] if chapters and kind != QuestionKind.TRUE_FALSE else None
            defaults = {
                "kind": kind,
                "explanation": explanation,
                "knowledge_point": _LECTURE.sub("", chapter.title) if chapter else "",
                "chapter": chapter,
                "range_start": 0.0 if chapter else None,
                "range_end": min(3.0, chapter.duration_seconds) if chapter else None,
                "sort_order": index + 1,
                "is_active": True,
            }
            question, was_created = Question.objects.update_or_create(course=course, stem=stem, defaults=defaults)
            wanted = _options(kind, options, answer)
            current = list(question.options.order_by("order", "id").values_list("text", "is_correct"))
            if current != wanted:
                question.options.all().delete()
                QuestionOption.objects.bulk_create(
                    [
                        QuestionOption(question=question, order=i, text=text, is_correct=correct)
                        for i, (text, correct) in enumerate(wanted)
                    ]
                )
            created += was_created
    if stdout:
        stdout.write(
            f"题库：{sum(len(q) for q in bank.values())} 道试题（{len(bank)} 门课程，每门 10 道），新增 {created} 道"
        )
    return {"questions": created}
