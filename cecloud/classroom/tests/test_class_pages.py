"""我的班级 and the class home (班级首页), requirements S5 with the manual's labels."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from cecloud.accounts.factories import LearnerFactory
from cecloud.catalog.factories import CourseFactory, LecturerFactory
from cecloud.classroom import selectors as classroom_selectors
from cecloud.classroom.selectors import CourseResult
from cecloud.learning.services import selection_add, selection_confirm
from cecloud.registry.models import Grade
from cecloud.training.factories import enrollment_for
from cecloud.training.models import EnrollmentStatus, HourCategory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.fixture
def learner(client):
    user = LearnerFactory(person__grade=Grade.SENIOR_TECHNICIAN)
    client.force_login(user)
    return user


def test_my_classes_lists_every_class_with_hours(client, learner):
    current = enrollment_for(learner.person, 2023)
    catch_up = enrollment_for(learner.person, 2021)
    page = text(client.get(reverse("classroom:my_classes")))
    assert page.index("2023年度") < page.index("2021年度")
    assert page.count("立即学习") == 2
    assert "已完成 0 /40 学时" in page
    assert "还需选课 40 学时" in page
    assert "学习中" in page
    html = client.get(reverse("classroom:my_classes")).content.decode()
    assert reverse("classroom:class_home", args=[current.pk]) in html
    assert reverse("classroom:class_home", args=[catch_up.pk]) in html
    assert "打印培训证明" not in page


def test_a_qualified_class_offers_the_certificate(client, learner):
    enrollment = enrollment_for(learner.person, 2023)
    enrollment.status = EnrollmentStatus.QUALIFIED
    enrollment.save(update_fields=["status"])
    page = text(client.get(reverse("classroom:my_classes")))
    assert "已合格" in page and "打印培训证明" in page
    home = text(client.get(reverse("classroom:class_home", args=[enrollment.pk]) + "?tab=results"))
    assert "班级已合格" in home


def test_no_classes_shows_the_way_to_register(client, learner):
    page = text(client.get(reverse("classroom:my_classes")))
    assert "您还没有报名任何班级" in page and "报名培训" in page


def test_class_home_boxes_notice_and_tabs(client, learner):
    enrollment = enrollment_for(learner.person, 2023)
    selection_add(enrollment=enrollment, course=CourseFactory(hours=Decimal("4")))
    selection_confirm(enrollment=enrollment)
    response = client.get(reverse("classroom:class_home", args=[enrollment.pk]))
    page = text(response)
    assert response.status_code == 200
    assert "还需选课 36 学时" in page and "立即选课" in page
    assert "已完成 0 学时/40 学时" in page
    assert "完成考核要求即可获得40学时" in page
    assert "培训须知：本次培训要求课程学习不低于 40 学时, 学习进度 100% 并且通过课后测验的课程记录学习成果" in page
    assert "选课 未达标 课程学习 未达标 培训成果 未达标" in page
    assert reverse("learning:select", args=[enrollment.pk]) in response.content.decode()


def test_skilled_class_uses_its_own_total(client):
    user = LearnerFactory(person__grade=Grade.JUNIOR)
    client.force_login(user)
    enrollment = enrollment_for(user.person, 2023)
    page = text(client.get(reverse("classroom:class_home", args=[enrollment.pk])))
    assert "完成考核要求即可获得24学时" in page
    assert "本次培训要求课程学习不低于 24 学时" in page


def test_others_classes_are_404(client, learner):
    other = enrollment_for(LearnerFactory().person, 2023)
    assert client.get(reverse("classroom:class_home", args=[other.pk])).status_code == 404
    assert client.get(reverse("classroom:class_home", args=[987654])).status_code == 404


def test_course_list_shows_each_confirmed_course(client, learner):
    enrollment = enrollment_for(learner.person, 2023)
    course = CourseFactory(
        title="《党的十九届五中全会精神总体解读——“十四五”规划建议的重点和亮点》",
        hours=Decimal("2"),
        lecturers=[LecturerFactory(name="王小广"), LecturerFactory(name="宋承敏")],
        rating=Decimal("5"),
        rating_count=4,
    )
    selection_add(enrollment=enrollment, course=course)
    selection_confirm(enrollment=enrollment)
    page = text(client.get(reverse("classroom:class_home", args=[enrollment.pk]) + "?tab=learning"))
    assert "全部 未完成 已完成" in page
    assert "默认排序 学时 学习进度" in page
    assert "思想政治 > 思政" in page
    assert "讲师：王小广、宋承敏" in page
    assert "5.0" in page and "我要评价" in page
    assert "学时 2" in page
    assert "课程考核结果 未合格 (课程进度0% 课后测验未合格)" in page
    assert "课程学习" in page and "课后测验" in page


def test_course_filters_sort_and_the_results_plug_in(client, learner, monkeypatch):
    enrollment = enrollment_for(learner.person, 2023)
    done = CourseFactory(title="已学完", hours=Decimal("2"))
    halfway = CourseFactory(title="学了一半", hours=Decimal("4"), category=HourCategory.GENERAL)
    untouched = CourseFactory(title="未开始", hours=Decimal("1"), category=HourCategory.SKILL)
    for c in (done, halfway, untouched):
        selection_add(enrollment=enrollment, course=c)
    selection_confirm(enrollment=enrollment)

    def fake_results(selections):
        values = {
            done.pk: CourseResult(progress=Decimal("100"), quiz_passed=True, quiz_best_score=80),
            halfway.pk: CourseResult(progress=Decimal("50")),
        }
        return {s.pk: values.get(s.course_id, CourseResult()) for s in selections}

    monkeypatch.setattr(classroom_selectors, "course_results", fake_results)
    home = reverse("classroom:class_home", args=[enrollment.pk])

    def listed(query: str) -> list[str]:
        return re.findall(r'<h3 class="study-title">([^<]+)</h3>', client.get(home + query).content.decode())

    assert listed("?tab=learning") == ["已学完", "学了一半", "未开始"]
    assert listed("?tab=learning&status=done") == ["已学完"]
    assert listed("?tab=learning&status=todo") == ["学了一半", "未开始"]
    assert listed("?tab=learning&sort=hours") == ["学了一半", "已学完", "未开始"]
    assert listed("?tab=learning&sort=progress") == ["已学完", "学了一半", "未开始"]
    page = text(client.get(home))
    assert "合格 (课程进度100% 课后测验合格)" in page
    assert "未合格 (课程进度50% 课后测验未合格)" in page
    assert "已完成 2 学时/40 学时" in page
    results = text(client.get(home + "?tab=results"))
    assert "思想政治 > 思政 12 2 未达标" in results
    assert "通识教育 > 通识 12 0 未达标" in results
    assert "班级合格后，才可以看到班级培训证明" in results


def test_select_tab_lists_confirmed_courses_by_category(client, learner):
    enrollment = enrollment_for(learner.person, 2023)
    for hours in ("4", "4", "4"):
        selection_add(enrollment=enrollment, course=CourseFactory(hours=Decimal(hours)))
    selection_confirm(enrollment=enrollment)
    page = text(client.get(reverse("classroom:class_home", args=[enrollment.pk]) + "?tab=select"))
    assert "选课情况" in page
    assert "思政 (共12学时)" in page
    assert "已达标" in page and "未达标（还需 12 学时）" in page
