"""课程评价 (requirements S8): one per learner and course, changeable, confirmed courses only; 综合评价 kept current."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from cecloud.core.errors import ServiceError
from cecloud.learning.factories import confirm_course, study_setup
from cecloud.learning.models import CourseEvaluation
from cecloud.learning.services.evaluation import evaluation_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    return study_setup(durations=(30.0,))


def rate(s, content, teaching, comment=""):
    return evaluation_save(
        user=s.user,
        enrollment=s.enrollment,
        course=s.course,
        content_score=content,
        teaching_score=teaching,
        comment=comment,
    )


def test_overall_rating_is_the_average_of_both_scores_over_learners(setup):
    rate(setup, 5, 4)
    setup.course.refresh_from_db()
    assert (setup.course.rating, setup.course.rating_count) == (Decimal("4.50"), 1)
    other = study_setup(durations=(10.0,), name="李四")
    confirm_course(other.enrollment, setup.course)
    other.course = setup.course
    rate(other, 3, 2)
    setup.course.refresh_from_db()
    assert (setup.course.rating, setup.course.rating_count) == (Decimal("3.50"), 2)


def test_one_evaluation_per_learner_and_course_which_can_be_changed(setup):
    _, created = rate(setup, 1, 1, "一般")
    evaluation, created_again = rate(setup, 5, 5, "很好")
    assert created and not created_again
    assert CourseEvaluation.objects.count() == 1
    assert (evaluation.content_score, evaluation.teaching_score, evaluation.comment) == (5, 5, "很好")
    setup.course.refresh_from_db()
    assert (setup.course.rating, setup.course.rating_count) == (Decimal("5.00"), 1)


def test_only_confirmed_courses_and_valid_stars(setup):
    other = study_setup(durations=(10.0,), user=setup.user, enrollment=setup.enrollment)
    other.selection.delete()
    with pytest.raises(ServiceError, match="只能评价已确认选择的课程"):
        rate(other, 5, 5)
    for content, teaching in [(0, 3), (6, 3), (3, "x"), (None, 3)]:
        with pytest.raises(ServiceError, match="评分"):
            rate(setup, content, teaching)
    with pytest.raises(ServiceError, match="500字"):
        rate(setup, 5, 5, "好" * 501)
    intruder = study_setup(durations=(10.0,), name="王五")
    with pytest.raises(ServiceError, match="只能评价自己班级的课程"):
        evaluation_save(
            user=intruder.user, enrollment=setup.enrollment, course=setup.course, content_score=5, teaching_score=5
        )
    assert not CourseEvaluation.objects.exists()


def test_evaluate_page(setup):
    client = Client()
    client.force_login(setup.user)
    url = reverse("learning:course_evaluate", args=[setup.enrollment.pk, setup.course.pk])
    page = client.get(url).content.decode()
    assert "课件内容" in page and "教师授课质量" in page and "暂无评价" in page
    missing = client.post(url, {"content_score": "5"}).content.decode()
    assert "请为教师授课质量评分" in missing
    response = client.post(url, {"content_score": "4", "teaching_score": "5", "comment": "讲得清楚"})
    assert response.status_code == 302
    assert response["Location"] == reverse("classroom:class_home", args=[setup.enrollment.pk]) + "?tab=learning"
    page = client.get(url).content.decode()
    assert "修改评价" in page and 'value="4" checked' in page and "讲得清楚" in page and "<b>4.5</b>" in page
    home = client.get(reverse("classroom:class_home", args=[setup.enrollment.pk])).content.decode()
    assert url in home and "4.5" in home
    stranger = Client()
    stranger.force_login(study_setup(durations=(5.0,), name="赵六").user)
    assert stranger.get(url).status_code == 404
