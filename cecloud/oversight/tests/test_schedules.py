"""The region's schedule: the city bureau sets its city's and its counties' windows (dates in order,
audited with before/after); a county bureau can only read them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from cecloud.core.errors import PermissionDeniedError, ServiceError
from cecloud.core.models import AuditLog
from cecloud.training.factories import training_year
from cecloud.training.models import RegionSchedule

from .. import services

pytestmark = pytest.mark.django_db

FORM = {
    "region": "320700",
    "year": "2022",
    "register_start": "2022-09-10",
    "register_end": "2022-10-20",
    "study_start": "2022-09-10",
    "study_end": "2022-10-25",
}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_city_bureau_creates_then_changes_a_schedule_with_audit(world):
    client = client_for(world.users["bureau_city"])
    response = client.post(reverse("oversight:bureau_schedules"), {**FORM, "catch_up_open": "on"})
    assert response.status_code == 302
    schedule = RegionSchedule.objects.get(region=world.city, training_year=training_year(2022))
    assert (schedule.register_start, schedule.study_end, schedule.catch_up_open) == (
        dt.date(2022, 9, 10),
        dt.date(2022, 10, 25),
        True,
    )
    created = AuditLog.objects.get(event_type="oversight.schedule_created")
    assert created.actor == world.users["bureau_city"] and created.extra_data["before"] == {}
    response = client.post(reverse("oversight:bureau_schedules"), {**FORM, "study_end": "2022-11-30"})
    assert response.status_code == 302
    schedule.refresh_from_db()
    assert schedule.study_end == dt.date(2022, 11, 30) and schedule.catch_up_open is False
    changed = AuditLog.objects.get(event_type="oversight.schedule_changed")
    assert changed.extra_data["before"]["study_end"] == "2022-10-25"
    assert changed.extra_data["after"]["study_end"] == "2022-11-30"
    assert changed.extra_data["changed"] == ["catch_up_open", "study_end"]
    page = client.get(reverse("oversight:bureau_schedules"), {"region": "320700", "year": 2022}).content.decode()
    assert 'value="2022-11-30"' in page  # the form is prefilled with the saved dates


def test_city_bureau_sets_a_county_override(world):
    client = client_for(world.users["bureau_city"])
    response = client.post(reverse("oversight:bureau_schedules"), {**FORM, "region": "320707"})
    assert response.status_code == 302
    assert RegionSchedule.objects.filter(region=world.ganyu, training_year__year=2022).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"register_end": "2022-09-01"}, "报名缴费结束日期不能早于开始日期"),
        ({"study_end": "2022-09-01", "study_start": "2022-09-10"}, "学习考试结束日期不能早于开始日期"),
        ({"study_start": "2022-09-01"}, "学习考试开始日期不能早于报名缴费开始日期"),
        ({"study_end": "2022-10-01"}, "学习考试结束日期不能早于报名缴费结束日期"),
    ],
)
def test_dates_must_be_in_order(world, changes, message):
    client = client_for(world.users["bureau_city"])
    response = client.post(reverse("oversight:bureau_schedules"), {**FORM, **changes})
    assert response.status_code == 400 and message in response.content.decode()
    assert not RegionSchedule.objects.filter(training_year__year=2022).exists()
    assert not AuditLog.objects.filter(event_type__startswith="oversight.schedule").exists()


def test_county_bureau_reads_but_cannot_edit(world):
    client = client_for(world.users["bureau_haizhou"])
    page = client.get(reverse("oversight:bureau_schedules"))
    assert page.status_code == 200 and page.context["form"] is None
    html = page.content.decode()
    assert "时间安排由市人社局统一设置" in html and "2023年度" in html  # the city's 2023 schedule is listed
    response = client.post(reverse("oversight:bureau_schedules"), {**FORM, "region": "320706"})
    assert response.status_code == 403
    with pytest.raises(PermissionDeniedError):
        services.schedule_save(
            actor=world.users["bureau_haizhou"],
            region=world.haizhou,
            training_year=training_year(2022),
            register_start=dt.date(2022, 9, 1),
            register_end=dt.date(2022, 9, 2),
            study_start=dt.date(2022, 9, 1),
            study_end=dt.date(2022, 9, 3),
            catch_up_open=True,
        )
    assert not RegionSchedule.objects.filter(training_year__year=2022).exists()


def test_a_city_bureau_cannot_set_another_citys_schedule(world):
    with pytest.raises(PermissionDeniedError):
        services.schedule_save(
            actor=world.users["bureau_nanjing"],
            region=world.city,
            training_year=training_year(2022),
            register_start=dt.date(2022, 9, 1),
            register_end=dt.date(2022, 9, 2),
            study_start=dt.date(2022, 9, 1),
            study_end=dt.date(2022, 9, 3),
            catch_up_open=True,
        )
    with pytest.raises(ServiceError):
        services.check_schedule_dates(
            register_start=dt.date(2022, 9, 2),
            register_end=dt.date(2022, 9, 1),
            study_start=dt.date(2022, 9, 1),
            study_end=dt.date(2022, 9, 3),
        )
