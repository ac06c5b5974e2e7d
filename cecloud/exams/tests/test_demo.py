"""Demo question bank: at least ten valid questions per demo course, loaded idempotently."""

from __future__ import annotations

import pytest

from cecloud.catalog import demo as catalog_demo
from cecloud.catalog.models import Course
from cecloud.exams import demo
from cecloud.exams.models import Question, QuestionKind, QuizPolicy
from cecloud.training.factories import training_year

pytestmark = pytest.mark.django_db


def test_every_demo_course_gets_a_valid_bank_and_a_policy():
    for year in range(2018, 2024):
        training_year(year)
    catalog_demo.load()
    demo.load()
    assert demo.load() == {"questions": 0}  # idempotent
    for course in Course.objects.all():
        questions = list(Question.objects.filter(course=course).prefetch_related("options"))
        assert len(questions) >= 10, course.title
        policy = QuizPolicy.objects.get(course=course)
        assert policy.total_score == 100 and policy.true_false_count == 1
        for q in questions:
            correct = [o for o in q.options.all() if o.is_correct]
            if q.kind == QuestionKind.MULTIPLE:
                assert len(correct) >= 2
            else:
                assert len(correct) == 1
            if q.kind != QuestionKind.TRUE_FALSE:
                assert q.chapter.course_id == course.pk and q.range_end > q.range_start == 0
                assert q.explanation
