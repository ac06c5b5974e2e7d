"""The selection rules of requirements S4, enforced by the services whatever the page does."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection

from cecloud.catalog.factories import CourseFactory
from cecloud.catalog.models import Course
from cecloud.core.errors import ServiceError
from cecloud.core.models import AuditLog
from cecloud.core.testing import require_postgres
from cecloud.learning.models import CourseSelection, SelectionStatus
from cecloud.learning.selectors import (
    assert_can_study,
    confirmed_course_for,
    enrollment_has_selection,
    selection_summary,
)
from cecloud.learning.services import selection_add, selection_confirm, selection_remove
from cecloud.registry.factories import PersonFactory
from cecloud.registry.models import Grade
from cecloud.training.factories import enrollment_for, open_schedule, training_year
from cecloud.training.models import EnrollmentStatus, HourCategory, YearRequirement

pytestmark = pytest.mark.django_db

IDEO, GEN, SKILL = HourCategory.IDEOLOGY, HourCategory.GENERAL, HourCategory.SKILL


def course(category=IDEO, hours="4", years=(2023,), **kwargs) -> Course:
    return CourseFactory(category=category, hours=Decimal(hours), years=list(years), **kwargs)


@pytest.fixture
def technician_class():
    """A 2023 class of a 高级技师: 思政 12 / 通识 12 / 岗位提升 16."""
    return enrollment_for(PersonFactory(grade=Grade.SENIOR_TECHNICIAN), 2023)


@pytest.fixture
def skilled_class():
    """A 2023 class of a 中级工 (等级工): 思政 7 / 通识 7 / 岗位提升 10."""
    return enrollment_for(PersonFactory(grade=Grade.INTERMEDIATE), 2023)


def test_add_creates_a_candidate_with_the_course_snapshot(technician_class):
    c = course(hours="2")
    selection = selection_add(enrollment=technician_class, course=c)
    assert selection.status == SelectionStatus.CANDIDATE
    assert (selection.category, selection.hours) == (IDEO, Decimal("2"))
    summary = selection_summary(technician_class)
    assert summary.candidate_hours == 2
    assert summary.need_to_select == 40  # nothing confirmed yet
    assert summary.still_needed == 38


def test_adding_twice_is_harmless(technician_class):
    c = course()
    first = selection_add(enrollment=technician_class, course=c)
    again = selection_add(enrollment=technician_class, course=c)
    assert first.pk == again.pk
    assert CourseSelection.objects.filter(enrollment=technician_class).count() == 1


def test_course_must_be_offered_for_the_class_year(technician_class):
    other_year = course(years=[2022])
    with pytest.raises(ServiceError, match="不在2023年度的可选课程中"):
        selection_add(enrollment=technician_class, course=other_year)


def test_unpublished_course_cannot_be_added(technician_class):
    hidden = course(is_published=False)
    with pytest.raises(ServiceError, match="不在2023年度"):
        selection_add(enrollment=technician_class, course=hidden)


def test_no_adding_to_a_category_already_met_by_candidates(technician_class):
    for _ in range(3):
        selection_add(enrollment=technician_class, course=course(hours="4"))  # 12 = the 思政 requirement
    with pytest.raises(ServiceError, match="思政课程已选满12学时"):
        selection_add(enrollment=technician_class, course=course(hours="0.5"))
    # other categories are unaffected
    selection_add(enrollment=technician_class, course=course(category=GEN, hours="4"))


def test_a_course_may_overshoot_while_the_category_is_below_its_requirement(skilled_class):
    selection_add(enrollment=skilled_class, course=course(hours="4"))
    selection_add(enrollment=skilled_class, course=course(hours="4"))  # 8 > 7 allowed: 4 < 7 before adding
    with pytest.raises(ServiceError, match="思政课程已选满7学时"):
        selection_add(enrollment=skilled_class, course=course(hours="1"))


def test_confirmed_plus_candidates_count_towards_the_category(technician_class):
    a, b = course(hours="4"), course(hours="4")
    selection_add(enrollment=technician_class, course=a)
    selection_add(enrollment=technician_class, course=b)
    selection_confirm(enrollment=technician_class)
    selection_add(enrollment=technician_class, course=course(hours="4"))
    with pytest.raises(ServiceError, match="已选满"):
        selection_add(enrollment=technician_class, course=course(hours="2"))


def test_confirmed_course_cannot_be_added_again_or_removed(technician_class):
    c = course()
    selection_add(enrollment=technician_class, course=c)
    selection_confirm(enrollment=technician_class)
    with pytest.raises(ServiceError, match="已确认选择，不能重复选择"):
        selection_add(enrollment=technician_class, course=c)
    with pytest.raises(ServiceError, match="课程选择成功后无法修改"):
        selection_remove(enrollment=technician_class, course=c)
    assert CourseSelection.objects.get(enrollment=technician_class, course=c).status == SelectionStatus.CONFIRMED


def test_remove_drops_a_candidate(technician_class):
    c = course()
    selection_add(enrollment=technician_class, course=c)
    selection_remove(enrollment=technician_class, course=c)
    selection_remove(enrollment=technician_class, course=c)  # idempotent
    assert not CourseSelection.objects.filter(enrollment=technician_class).exists()


def test_confirmation_in_several_rounds_counts_each_learner_once(technician_class):
    a, b, c = course(hours="4"), course(category=GEN, hours="2"), course(category=SKILL, hours="3")
    selection_add(enrollment=technician_class, course=a)
    selection_add(enrollment=technician_class, course=b)
    first = selection_confirm(enrollment=technician_class)
    assert {s.course_id for s in first} == {a.pk, b.pk}
    assert {s.confirm_round for s in first} == {1}
    selection_add(enrollment=technician_class, course=c)
    second = selection_confirm(enrollment=technician_class)
    assert [s.course_id for s in second] == [c.pk]
    assert second[0].confirm_round == 2
    for x in (a, b, c):
        x.refresh_from_db()
        assert x.enrolled_count == 1
    summary = selection_summary(technician_class)
    assert summary.confirmed_hours == 9
    assert summary.need_to_select == 31
    events = AuditLog.objects.filter(event_type="selection.confirmed", subject_id=str(technician_class.pk))
    assert events.count() == 2


def test_a_repeated_confirmation_changes_nothing(technician_class):
    c = course()
    selection_add(enrollment=technician_class, course=c)
    assert len(selection_confirm(enrollment=technician_class)) == 1
    assert selection_confirm(enrollment=technician_class) == []
    c.refresh_from_db()
    assert c.enrolled_count == 1


def test_confirmation_takes_the_course_hours_at_that_moment(technician_class):
    c = course(hours="2")
    selection_add(enrollment=technician_class, course=c)
    Course.objects.filter(pk=c.pk).update(hours=Decimal("3"))
    [confirmed] = selection_confirm(enrollment=technician_class)
    assert confirmed.hours == Decimal("3")


def test_confirmation_refuses_a_course_unpublished_meanwhile_and_confirms_nothing(technician_class):
    a, b = course(), course(category=GEN)
    selection_add(enrollment=technician_class, course=a)
    selection_add(enrollment=technician_class, course=b)
    Course.objects.filter(pk=b.pk).update(is_published=False)
    with pytest.raises(ServiceError, match="已下架"):
        selection_confirm(enrollment=technician_class)
    assert not CourseSelection.objects.filter(status=SelectionStatus.CONFIRMED).exists()
    a.refresh_from_db()
    assert a.enrolled_count == 0


def test_confirmation_rechecks_the_structure(technician_class):
    """Candidates that would break the rule (e.g. hours raised after adding) are refused at confirmation."""
    a, b, c, d = (course(hours="4") for _ in range(4))
    for x in (a, b, c):
        selection_add(enrollment=technician_class, course=x)
    # Bypass the add rule as a second process might have done without the lock.
    CourseSelection.objects.create(enrollment=technician_class, course=d, category=IDEO, hours=Decimal("4"))
    with pytest.raises(ServiceError, match="请移除"):
        selection_confirm(enrollment=technician_class)


def test_closed_or_qualified_classes_cannot_select(technician_class):
    c = course()
    technician_class.status = EnrollmentStatus.CLOSED
    technician_class.save(update_fields=["status"])
    with pytest.raises(ServiceError, match="班级已关闭"):
        selection_add(enrollment=technician_class, course=c)
    with pytest.raises(ServiceError, match="班级已关闭"):
        selection_confirm(enrollment=technician_class)
    technician_class.status = EnrollmentStatus.QUALIFIED
    technician_class.save(update_fields=["status"])
    with pytest.raises(ServiceError, match="班级已合格"):
        selection_add(enrollment=technician_class, course=c)


def test_catch_up_year_uses_the_class_snapshot_not_todays_table():
    person = PersonFactory(grade=Grade.TECHNICIAN)
    enrollment = enrollment_for(person, 2020)
    # The 2020 table changes after the class was opened: the class keeps 12/12/16.
    YearRequirement.objects.filter(training_year=training_year(2020)).update(ideology_hours=Decimal("2"))
    selection_add(enrollment=enrollment, course=course(hours="4", years=[2020]))
    selection_add(enrollment=enrollment, course=course(hours="4", years=[2020]))  # 4 >= 2 would refuse
    with pytest.raises(ServiceError, match="不在2020年度"):
        selection_add(enrollment=enrollment, course=course(hours="4", years=[2023]))
    assert selection_summary(enrollment).by_category[IDEO].required == 12


def test_both_grade_structures_can_be_met_exactly(technician_class, skilled_class):
    plan = {
        technician_class: [(IDEO, "4"), (IDEO, "4"), (IDEO, "4"), (GEN, "4"), (GEN, "4"), (GEN, "2"), (GEN, "2"),
                           (SKILL, "4"), (SKILL, "4"), (SKILL, "4"), (SKILL, "3"), (SKILL, "1")],
        skilled_class: [(IDEO, "4"), (IDEO, "3"), (GEN, "4"), (GEN, "2"), (GEN, "1"), (SKILL, "4"), (SKILL, "4"),
                        (SKILL, "2")],
    }  # fmt: skip
    for enrollment, items in plan.items():
        for category, hours in items:
            selection_add(enrollment=enrollment, course=course(category=category, hours=hours))
        selection_confirm(enrollment=enrollment)
        summary = selection_summary(enrollment)
        assert summary.structure_met
        assert summary.need_to_select == 0
        assert summary.confirmed_hours == enrollment.total_hours


def test_assert_can_study_needs_a_confirmed_course_inside_the_window(technician_class):
    c = course()
    with pytest.raises(ServiceError, match="请先在选课页面选择并确认"):
        assert_can_study(enrollment=technician_class, course=c)
    selection_add(enrollment=technician_class, course=c)
    with pytest.raises(ServiceError, match="请先在选课页面选择并确认"):
        assert_can_study(enrollment=technician_class, course=c)  # a candidate is not enough
    selection_confirm(enrollment=technician_class)
    assert assert_can_study(enrollment=technician_class, course=c).course_id == c.pk
    assert confirmed_course_for(technician_class, c).course_id == c.pk
    city = technician_class.region.city
    open_schedule(city, 2023, study_start=dt.date(2023, 9, 10), study_end=dt.date(2023, 10, 25))
    with pytest.raises(ServiceError, match="不在学习考试时间内"):
        assert_can_study(enrollment=technician_class, course=c, today=dt.date(2023, 10, 26))
    assert_can_study(enrollment=technician_class, course=c, today=dt.date(2023, 10, 25))
    technician_class.status = EnrollmentStatus.CLOSED
    with pytest.raises(ServiceError, match="班级已关闭"):
        assert_can_study(enrollment=technician_class, course=c, today=dt.date(2023, 10, 25))


def test_enrollment_has_selection_means_a_confirmed_course(technician_class):
    c = course()
    assert not enrollment_has_selection(technician_class)
    selection_add(enrollment=technician_class, course=c)
    assert not enrollment_has_selection(technician_class)
    selection_confirm(enrollment=technician_class)
    assert enrollment_has_selection(technician_class)


# --- PostgreSQL: two tabs racing ------------------------------------------------------------------------


def _run_in_threads(n: int, target) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = target()
        except Exception as exc:  # collected and asserted by the test
            results[i] = exc
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tabs_confirming_at_once_confirm_each_course_once():
    require_postgres()
    enrollment = enrollment_for(PersonFactory(grade=Grade.SENIOR_TECHNICIAN), 2023)
    courses = [course(hours="4"), course(category=GEN, hours="4"), course(category=SKILL, hours="4")]
    for c in courses:
        selection_add(enrollment=enrollment, course=c)
    results = _run_in_threads(4, lambda: selection_confirm(enrollment=enrollment))
    assert not [r for r in results if isinstance(r, Exception)], results
    confirmed_lists = [r for r in results if r]
    assert len(confirmed_lists) == 1  # one tab confirmed; the others found nothing left
    assert len(confirmed_lists[0]) == 3
    for c in courses:
        c.refresh_from_db()
        assert c.enrolled_count == 1
    assert CourseSelection.objects.filter(enrollment=enrollment, status=SelectionStatus.CONFIRMED).count() == 3
    assert set(CourseSelection.objects.values_list("confirm_round", flat=True)) == {1}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tabs_adding_to_the_same_category_cannot_exceed_the_rule():
    require_postgres()
    enrollment = enrollment_for(PersonFactory(grade=Grade.INTERMEDIATE), 2023)  # 思政 7
    selection_add(enrollment=enrollment, course=course(hours="4"))
    racing = [course(hours="4") for _ in range(6)]  # 4 + 4 reaches 7: only one of these may join
    queue = list(racing)
    lock = threading.Lock()

    def add_next():
        with lock:
            c = queue.pop()
        return selection_add(enrollment=enrollment, course=c)

    results = _run_in_threads(6, add_next)
    errors = [r for r in results if isinstance(r, ServiceError)]
    added = [r for r in results if isinstance(r, CourseSelection)]
    assert len(added) == 1 and len(errors) == 5, results
    assert CourseSelection.objects.filter(enrollment=enrollment).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_course_added_from_two_tabs_is_one_row():
    require_postgres()
    enrollment = enrollment_for(PersonFactory(), 2023)
    c = course()
    results = _run_in_threads(3, lambda: selection_add(enrollment=enrollment, course=c))
    assert all(isinstance(r, CourseSelection) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert CourseSelection.objects.filter(enrollment=enrollment, course=c).count() == 1
