"""The 在线选课 page: labels of the manual, filters, search, sort, pagination, htmx changes, query count."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cecloud.accounts.factories import LearnerFactory, UnitHRFactory
from cecloud.catalog.factories import CourseFactory, LecturerFactory, ProviderFactory
from cecloud.catalog.models import Course
from cecloud.catalog.selectors import catalog_changed
from cecloud.learning.models import CourseSelection, SelectionStatus
from cecloud.learning.services import selection_add, selection_confirm
from cecloud.registry.models import Grade
from cecloud.training.factories import enrollment_for
from cecloud.training.models import HourCategory

pytestmark = pytest.mark.django_db

IDEO, GEN, SKILL = HourCategory.IDEOLOGY, HourCategory.GENERAL, HourCategory.SKILL


@pytest.fixture
def learner(client):
    user = LearnerFactory(person__grade=Grade.SENIOR_TECHNICIAN)
    client.force_login(user)
    return user


@pytest.fixture
def enrollment(learner):
    return enrollment_for(learner.person, 2023)


def url(enrollment, **params) -> str:
    base = reverse("learning:select", args=[enrollment.pk])
    if params:
        base += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return base


def titles(response) -> list[str]:
    return re.findall(r'<h3 class="course-title" title="([^"]+)"', response.content.decode())


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_page_has_the_manual_labels(client, enrollment):
    song, wang = LecturerFactory(name="宋承敏"), LecturerFactory(name="王小广")
    CourseFactory(
        title="《党的十九届六中全会精神总体解读》", hours=Decimal("4"), lecturers=[song, wang], enrolled_count=1
    )
    response = client.get(url(enrollment))
    html = response.content.decode()
    page = text(response)
    assert response.status_code == 200
    assert "选课提示：您还需选课 40 学时，课程选择成功后无法修改，请根据需要合理选择。" in page
    assert 'placeholder="请输入课程名称进行搜索"' in html
    for label in [
        "课程分类",
        "思政",
        "通识",
        "岗位提升",
        "课程提供方",
        "默认排序",
        "学时",
        "综合评价",
        "报名人数 1 人",
    ]:
        assert label in page, label
    assert "讲师：宋承敏、王小广" in page
    assert "2023年 4学时" in page
    assert "试听" in page and "选择课程" in page
    assert "已选 0 学时" in page and "查看已选择课程" in page and "确认选中的课程" in page
    assert "选课清单" in page


def test_only_the_learners_own_class(client, enrollment):
    other = enrollment_for(LearnerFactory().person, 2023)
    assert client.get(url(other)).status_code == 404
    assert client.get(reverse("learning:select", args=[999999])).status_code == 404
    course = CourseFactory()
    response = client.post(reverse("learning:select_add", args=[other.pk, course.pk]))
    assert response.status_code == 404
    assert not CourseSelection.objects.exists()
    assert client.post(reverse("learning:select_confirm", args=[other.pk])).status_code == 404


def test_staff_and_anonymous_cannot_open_the_page(client, enrollment):
    client.logout()
    assert client.get(url(enrollment)).status_code == 302
    client.force_login(UnitHRFactory())
    assert client.get(url(enrollment)).status_code == 403


def test_category_provider_filters_and_default_category(client, enrollment):
    a, b = ProviderFactory(name="甲提供方"), ProviderFactory(name="乙提供方")
    CourseFactory(title="思政甲", category=IDEO, provider=a)
    CourseFactory(title="思政乙", category=IDEO, provider=b)
    CourseFactory(title="通识甲", category=GEN, provider=a)
    CourseFactory(title="岗位乙", category=SKILL, provider=b)
    CourseFactory(title="其他年度", category=IDEO, years=[2022])
    CourseFactory(title="未发布", category=IDEO, is_published=False)
    assert titles(client.get(url(enrollment))) == ["思政甲", "思政乙"]  # first unmet category
    assert titles(client.get(url(enrollment, category="general"))) == ["通识甲"]
    assert sorted(titles(client.get(url(enrollment, category="all")))) == ["岗位乙", "思政乙", "思政甲", "通识甲"]
    assert titles(client.get(url(enrollment, category="ideology", provider=b.pk))) == ["思政乙"]
    assert titles(client.get(url(enrollment, category="all", provider=a.pk))) == ["思政甲", "通识甲"]
    assert titles(client.get(url(enrollment, category="nonsense"))) == ["思政甲", "思政乙"]


def test_search_by_course_name(client, enrollment):
    CourseFactory(title="《党的十九届六中全会精神总体解读》")
    CourseFactory(title="公共基础知识", category=GEN)
    CourseFactory(title="形成强大国内市场，构建新发展格局", category=GEN)
    assert titles(client.get(url(enrollment, category="all", q="六中全会"))) == ["《党的十九届六中全会精神总体解读》"]
    assert titles(client.get(url(enrollment, category="general", q="  国内市场 "))) == [
        "形成强大国内市场，构建新发展格局"
    ]
    assert titles(client.get(url(enrollment, category="ideology", q="公共"))) == []
    assert "没有找到符合条件的课程" in text(client.get(url(enrollment, category="all", q="不存在")))


def test_sort_by_hours_and_rating(client, enrollment):
    CourseFactory(title="甲", hours=Decimal("1"), rating=Decimal("4.20"), rating_count=3, sort_order=1)
    CourseFactory(title="乙", hours=Decimal("4"), rating=Decimal("3.00"), rating_count=2, sort_order=2)
    CourseFactory(title="丙", hours=Decimal("2"), rating=Decimal("4.90"), rating_count=9, sort_order=3)
    assert titles(client.get(url(enrollment))) == ["甲", "乙", "丙"]
    assert titles(client.get(url(enrollment, sort="hours"))) == ["乙", "丙", "甲"]
    assert titles(client.get(url(enrollment, sort="rating"))) == ["丙", "甲", "乙"]
    assert "4.9" in text(client.get(url(enrollment, sort="rating")))


def test_pagination(client, enrollment):
    for n in range(30):
        CourseFactory(title=f"课程{n:02d}", sort_order=n)
    first = client.get(url(enrollment))
    assert len(titles(first)) == 12
    assert "共 30 门课程" in text(first)
    third = client.get(url(enrollment, category="ideology", page=3))
    assert titles(third) == [f"课程{n:02d}" for n in range(24, 30)]
    assert titles(client.get(url(enrollment, page=99))) == titles(third)  # out of range: the last page


def test_htmx_add_and_remove_update_the_grid_bar_and_list(client, enrollment):
    four = CourseFactory(title="四学时课程", hours=Decimal("4"))
    two = CourseFactory(title="两学时课程", hours=Decimal("2"))
    response = client.post(
        reverse("learning:select_add", args=[enrollment.pk, four.pk]) + "?category=ideology", HTTP_HX_REQUEST="true"
    )
    body = text(response)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="course-results"' in html and 'id="select-bar" class="select-bar" hx-swap-oob="true"' in html
    assert "取消选择" in body
    assert "已选 4 学时" in body
    assert "当前已选 4 学时，还需选学 36 学时 (其中: 思政 8 学时, 通识 12 学时, 岗位提升 16 学时)" in body
    client.post(reverse("learning:select_add", args=[enrollment.pk, two.pk]), HTTP_HX_REQUEST="true")
    page = text(client.get(url(enrollment)))
    assert "思政 (共6学时) 学时 操作 四学时课程 4学时 移除 两学时课程 2学时 移除" in page
    response = client.post(
        reverse("learning:select_remove", args=[enrollment.pk, four.pk]) + "?category=ideology", HTTP_HX_REQUEST="true"
    )
    assert "已选 2 学时" in text(response)
    assert list(CourseSelection.objects.values_list("course__title", flat=True)) == ["两学时课程"]


def test_htmx_refusal_is_shown_without_changing_anything(client, enrollment):
    for _ in range(3):
        selection_add(enrollment=enrollment, course=CourseFactory(hours=Decimal("4")))
    extra = CourseFactory(title="多出的课程", hours=Decimal("1"))
    page = client.get(url(enrollment, category="ideology")).content.decode()
    assert re.search(rf'id="course-{extra.pk}".*?分类已选满', page, re.S)  # the page disables it too
    response = client.post(reverse("learning:select_add", args=[enrollment.pk, extra.pk]), HTTP_HX_REQUEST="true")
    assert "思政课程已选满12学时，不能再选择该分类的课程" in text(response)
    assert not CourseSelection.objects.filter(course=extra).exists()


def test_without_htmx_the_actions_redirect_back(client, enrollment):
    course = CourseFactory()
    response = client.post(
        reverse("learning:select_add", args=[enrollment.pk, course.pk]) + "?category=ideology&page=1"
    )
    assert response.status_code == 302
    assert response["Location"].startswith(url(enrollment))
    assert CourseSelection.objects.filter(course=course).exists()
    assert client.get(reverse("learning:select_add", args=[enrollment.pk, course.pk])).status_code == 405


def test_confirm_in_rounds_then_the_class_home(client, enrollment):
    first = CourseFactory(hours=Decimal("4"))
    selection_add(enrollment=enrollment, course=first)
    response = client.post(reverse("learning:select_confirm", args=[enrollment.pk]), follow=True)
    assert "选课成功：已确认 1 门课程，共 4 学时，还需选课 36 学时" in text(response)
    assert "已选择" in text(client.get(url(enrollment)))
    again = client.post(reverse("learning:select_confirm", args=[enrollment.pk]), follow=True)
    assert "没有待确认的课程" in text(again)
    for category, hours in [(IDEO, "4"), (IDEO, "4"), (GEN, "4"), (GEN, "4"), (GEN, "4"), (SKILL, "4"),
                            (SKILL, "4"), (SKILL, "4"), (SKILL, "4")]:  # fmt: skip
        selection_add(enrollment=enrollment, course=CourseFactory(category=category, hours=Decimal(hours)))
    response = client.post(reverse("learning:select_confirm", args=[enrollment.pk]))
    assert response["Location"] == reverse("classroom:class_home", args=[enrollment.pk]) + "?tab=learning"
    first.refresh_from_db()
    assert first.enrolled_count == 1
    assert CourseSelection.objects.filter(status=SelectionStatus.CONFIRMED).count() == 10


def _count_queries(client, enrollment, *, cached: bool) -> int:
    if not cached:
        catalog_changed()  # a cold listing: every query the page needs
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url(enrollment, category="all"))
    assert response.status_code == 200
    assert len(titles(response)) == min(12, Course.objects.count())
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_the_number_of_courses(client, enrollment):
    provider = ProviderFactory()
    lecturers = [LecturerFactory(), LecturerFactory()]
    courses = [CourseFactory(provider=provider, lecturers=lecturers, category=IDEO) for _ in range(10)]
    selection_add(enrollment=enrollment, course=courses[0])
    selection_confirm(enrollment=enrollment)
    selection_add(enrollment=enrollment, course=courses[1])
    client.get(url(enrollment))  # warm the session and content-type caches
    cold_10 = _count_queries(client, enrollment, cached=False)
    warm_10 = _count_queries(client, enrollment, cached=True)
    for n in range(190):
        CourseFactory(provider=ProviderFactory() if n % 50 == 0 else provider, lecturers=lecturers, category=GEN)
    assert Course.objects.count() == 200
    cold_200 = _count_queries(client, enrollment, cached=False)
    warm_200 = _count_queries(client, enrollment, cached=True)
    assert cold_10 == cold_200 <= 8
    # Warm: (session,) user, class, selections; the listing (count, page, lecturers, providers) is cached.
    assert warm_10 == warm_200 == cold_10 - 4


def test_catalog_changes_show_at_once(client, enrollment, django_capture_on_commit_callbacks):
    course = CourseFactory(title="旧名称")
    assert titles(client.get(url(enrollment))) == ["旧名称"]
    Course.objects.filter(pk=course.pk).update(title="新名称")
    assert titles(client.get(url(enrollment))) == ["旧名称"]  # cached listing
    from cecloud.catalog.services import course_set_published

    with django_capture_on_commit_callbacks(execute=True):
        course_set_published(course_ids=[course.pk], published=False)
    assert titles(client.get(url(enrollment))) == []
