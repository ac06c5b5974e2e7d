"""Demo catalog: enough courses per category, every year 2018–2023, structures reachable exactly."""

from __future__ import annotations

from decimal import Decimal
from itertools import combinations

import pytest

from cecloud.catalog import demo
from cecloud.catalog.models import Chapter, Course, Provider
from cecloud.training.factories import training_year
from cecloud.training.models import HourCategory

pytestmark = pytest.mark.django_db


def _reachable(hours: list[Decimal], target: Decimal) -> bool:
    return any(sum(c) == target for n in range(1, len(hours) + 1) for c in combinations(hours, n))


def test_demo_catalog_is_complete_and_idempotent():
    for year in demo.DEMO_YEARS:
        training_year(year)
    demo.load()
    counts = (Course.objects.count(), Chapter.objects.count())
    demo.load()
    assert (Course.objects.count(), Chapter.objects.count()) == counts
    assert set(Provider.objects.values_list("name", flat=True)) == {name for name, _ in demo.PROVIDERS}
    for category in HourCategory.values:
        courses = Course.objects.filter(category=category, is_published=True, years__year=2023)
        assert courses.count() >= 10
        assert courses.values("provider").distinct().count() == 3
        for year in range(2018, 2023):
            assert Course.objects.filter(category=category, is_published=True, years__year=year).count() >= 10
        hours = list(courses.values_list("hours", flat=True))
        assert {Decimal("0.5"), Decimal("1"), Decimal("2"), Decimal("3"), Decimal("4")} <= set(hours)
    required = {HourCategory.IDEOLOGY: (12, 7), HourCategory.GENERAL: (12, 7), HourCategory.SKILL: (16, 10)}
    for category, targets in required.items():
        hours = list(Course.objects.filter(category=category).values_list("hours", flat=True))
        for target in targets:
            assert _reachable(hours, Decimal(target)), (category, target)
    for course in Course.objects.all():
        chapters = list(course.chapters.all())
        assert 1 <= len(chapters) <= 3
        assert all(
            3 <= c.duration_seconds <= 6.5 and c.video and c.video.storage.exists(c.video.name) for c in chapters
        )
        assert course.course_lecturers.exists()
    assert Course.objects.filter(
        title="《党的十九届六中全会精神总体解读》", course_lecturers__lecturer__name="宋承敏"
    ).exists()
    assert Course.objects.filter(title="公共基础知识").exists()
