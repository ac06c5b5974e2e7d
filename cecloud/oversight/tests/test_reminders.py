"""Study reminders (学习提醒): through the SMS sender after commit, one per person per day, a cap per
unit per hour, only the unit's own workers who are not done, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cecloud.core.errors import PermissionDeniedError, ServiceError
from cecloud.core.models import AuditLog
from cecloud.notifications.testing import install_clock
from cecloud.registry.factories import PersonFactory
from cecloud.training.factories import training_year
from cecloud.training.models import EnrollmentStatus

from .. import services
from ..models import Reminder
from ..testing import make_class

pytestmark = pytest.mark.django_db


@pytest.fixture
def crew(world):
    people = [PersonFactory(unit=world.unit_a, name=f"提醒{i}") for i in range(5)]
    make_class(people[1], 2023)  # 学习中
    make_class(people[2], 2023, status=EnrollmentStatus.QUALIFIED)
    people[3].phone = ""
    people[3].save(update_fields=["phone"])
    return people


def send(world, people, capture, user="hr_a"):
    with capture(execute=True):
        return services.reminder_send(
            actor=world.users[user], training_year=training_year(2023), person_ids=[p.pk for p in people]
        )


def test_sends_to_those_not_done_with_a_phone(world, crew, outbox, django_capture_on_commit_callbacks):
    result = send(world, crew, django_capture_on_commit_callbacks)
    assert {p.pk for p in result.sent} == {crew[0].pk, crew[1].pk, crew[4].pk}
    assert [p.pk for p in result.done] == [crew[2].pk] and [p.pk for p in result.no_phone] == [crew[3].pk]
    messages = outbox.messages(template="study_reminder")
    assert sorted(m["phone"] for m in messages) == sorted(p.phone for p in (crew[0], crew[1], crew[4]))
    text = next(m["text"] for m in messages if m["phone"] == crew[1].phone)
    assert "提醒1您好" in text and "海州区第一医院" in text and "2023年度" in text and "课程学习" in text
    assert Reminder.objects.count() == 3
    entry = AuditLog.objects.get(event_type="oversight.reminders_sent")
    assert entry.actor == world.users["hr_a"] and sorted(entry.extra_data["sent"]) == sorted(p.pk for p in result.sent)
    assert "1 人已合格无需提醒" in result.message and "1 人未登记手机号" in result.message


def test_one_reminder_per_person_per_day(world, crew, outbox, monkeypatch, django_capture_on_commit_callbacks):
    clock = install_clock(monkeypatch)
    clock.now = timezone.make_aware(dt.datetime(2023, 9, 20, 9, 0))
    send(world, [crew[0]], django_capture_on_commit_callbacks)
    clock.advance(hours=14)  # 23:00 the same local day
    again = send(world, [crew[0], crew[4]], django_capture_on_commit_callbacks)
    assert [p.pk for p in again.already_today] == [crew[0].pk] and [p.pk for p in again.sent] == [crew[4].pk]
    assert "1 人今天已提醒过" in again.message
    clock.advance(hours=1, minutes=1)  # the next local day
    next_day = send(world, [crew[0]], django_capture_on_commit_callbacks)
    assert [p.pk for p in next_day.sent] == [crew[0].pk]
    assert len(outbox.messages(phone=crew[0].phone)) == 2


def test_per_unit_hourly_cap(world, outbox, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(services, "REMINDER_PER_UNIT_HOURLY", 3)
    clock = install_clock(monkeypatch)
    people = [PersonFactory(unit=world.unit_a) for _ in range(5)]
    first = send(world, people, django_capture_on_commit_callbacks)
    assert len(first.sent) == 3 and len(first.over_limit) == 2
    assert "超出每小时 3 条的发送上限" in first.message
    clock.advance(minutes=30)
    assert send(world, first.over_limit, django_capture_on_commit_callbacks).sent == []
    # Another unit has its own budget.
    other = send(world, [world.person_b], django_capture_on_commit_callbacks, user="hr_b")
    assert [p.pk for p in other.sent] == [world.person_b.pk]
    clock.advance(minutes=31)
    later = send(world, first.over_limit, django_capture_on_commit_callbacks)
    assert len(later.sent) == 2
    assert len(outbox.messages(template="study_reminder")) == 6


def test_only_the_units_own_workers(world, crew, outbox, django_capture_on_commit_callbacks):
    with pytest.raises(PermissionDeniedError):
        send(world, [crew[0], world.person_b], django_capture_on_commit_callbacks)
    with pytest.raises(ServiceError):
        send(world, [], django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDeniedError):
        send(world, [crew[0]], django_capture_on_commit_callbacks, user="bureau_city")
    assert outbox.messages() == [] and Reminder.objects.count() == 0


def test_the_page_lists_those_not_done_and_one_click_reminds_them_all(
    world, crew, outbox, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(world.users["hr_a"])
    url = reverse("oversight:unit_reminders")
    page = client.get(url, {"year": 2023})
    names = {row.person.name for row, _last in page.context["rows"]}
    assert names == {"张海州", "提醒0", "提醒1", "提醒3", "提醒4"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"year": "2023", "scope": "all"}, follow=True)
    assert "已向 4 人发送学习提醒短信" in response.content.decode()
    assert len(outbox.messages(template="study_reminder")) == 4
    page = client.get(url, {"year": 2023}).content.decode()
    assert page.count("今天已提醒") == 4
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"year": "2023", "person": [str(world.person_b.pk)]}, follow=True)
    assert "只能提醒本单位在岗人员" in response.content.decode()
    assert len(outbox.messages(template="study_reminder")) == 4
