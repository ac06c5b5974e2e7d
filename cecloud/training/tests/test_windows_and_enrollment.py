import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cecloud.core.errors import ServiceError
from cecloud.registry.factories import PersonFactory, UnitFactory, region
from cecloud.registry.models import Grade
from cecloud.training.factories import enrollment_for, open_schedule, training_year
from cecloud.training.models import Enrollment, YearRequirement
from cecloud.training.services import check_registration_window, check_study_window, enrollment_open

pytestmark = pytest.mark.django_db


def test_seed_table_for_every_year_2018_to_2023():
    for year in range(2018, 2024):
        ty = training_year(year)
        tech = YearRequirement.objects.get(training_year=ty, grade_group="technician")
        skilled = YearRequirement.objects.get(training_year=ty, grade_group="skilled")
        assert (tech.ideology_hours, tech.general_hours, tech.skill_hours, tech.total_hours) == (12, 12, 16, 40)
        assert (skilled.ideology_hours, skilled.general_hours, skilled.skill_hours, skilled.total_hours) == (
            7,
            7,
            10,
            24,
        )


def test_outside_the_window_the_message_gives_the_dates():
    person = PersonFactory()
    city = region("320700")
    open_schedule(
        city,
        2023,
        register_start=dt.date(2023, 9, 10),
        register_end=dt.date(2023, 10, 20),
        study_start=dt.date(2023, 9, 10),
        study_end=dt.date(2023, 10, 25),
    )
    with pytest.raises(ServiceError, match="2023年9月10日至2023年10月20日"):
        check_registration_window(person=person, training_year=training_year(2023), today=dt.date(2023, 10, 21))
    check_registration_window(person=person, training_year=training_year(2023), today=dt.date(2023, 10, 20))
    check_registration_window(person=person, training_year=training_year(2023), today=dt.date(2023, 9, 10))


def test_county_schedule_overrides_the_city_and_missing_schedule_is_refused():
    unit = UnitFactory(region=region("320723"))
    person = PersonFactory(unit=unit)
    with pytest.raises(ServiceError, match="尚未公布"):
        check_registration_window(person=person, training_year=training_year(2023))
    open_schedule(region("320700"), 2023)
    check_registration_window(person=person, training_year=training_year(2023))
    open_schedule(region("320723"), 2023, register_start=dt.date(2023, 9, 10), register_end=dt.date(2023, 10, 20))
    with pytest.raises(ServiceError, match="不在报名缴费时间内"):
        check_registration_window(person=person, training_year=training_year(2023))


def test_catch_up_year_closed_per_region():
    person = PersonFactory()
    open_schedule(region("320700"), 2023)
    open_schedule(region("320700"), 2019, catch_up_open=False)
    with pytest.raises(ServiceError, match="未开放2019年度补学"):
        check_registration_window(person=person, training_year=training_year(2019))


def test_enrollment_opens_once_and_snapshots_grade_and_requirement():
    person = PersonFactory(grade=Grade.SENIOR)
    enrollment = enrollment_for(person, 2021)
    assert (enrollment.grade, enrollment.grade_group, enrollment.total_hours) == (
        Grade.SENIOR,
        "skilled",
        Decimal("24"),
    )
    person.grade = Grade.TECHNICIAN
    person.save()
    again, created = enrollment_open(person=person, training_year=training_year(2021))
    assert not created and again.pk == enrollment.pk and again.grade == Grade.SENIOR
    assert Enrollment.objects.filter(person=person).count() == 1


def test_study_window():
    person = PersonFactory()
    enrollment = enrollment_for(person, 2023)
    check_study_window(enrollment=enrollment)
    with pytest.raises(ServiceError, match="学习考试时间为"):
        check_study_window(enrollment=enrollment, today=timezone.localdate() + dt.timedelta(days=400))
