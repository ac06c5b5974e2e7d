"""The back office shows classes with their hour ledger, the ledger and the reminders: read-only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cecloud.accounts.factories import OperatorFactory
from cecloud.registry.factories import PersonFactory
from cecloud.training.models import EnrollmentStatus

from ..testing import make_class

pytestmark = pytest.mark.django_db


def test_classes_and_ledger_are_listed_read_only(world):
    enrollment = make_class(world.person_a, 2023, status=EnrollmentStatus.QUALIFIED)
    make_class(PersonFactory(unit=world.unit_c), 2023)
    client = Client()
    client.force_login(OperatorFactory())
    changelist = client.get(reverse("admin:training_enrollment_changelist"), {"city": "320700"})
    html = changelist.content.decode()
    assert changelist.status_code == 200 and "张海州" in html and world.person_a.id_number not in html
    found = client.get(reverse("admin:training_enrollment_changelist"), {"q": world.person_a.id_number})
    assert list(found.context["cl"].result_list) == [enrollment]
    detail = client.get(reverse("admin:training_enrollment_change", args=[enrollment.pk])).content.decode()
    assert "学时记录" in detail and 'name="_save"' not in detail
    assert client.get(reverse("admin:training_enrollment_add")).status_code == 403
    assert client.get(reverse("admin:training_hourledgerentry_changelist")).status_code == 200
    assert client.get(reverse("admin:oversight_reminder_changelist")).status_code == 200
    learner_staff = Client()
    learner_staff.force_login(world.users["hr_a"])
    assert learner_staff.get(reverse("admin:training_enrollment_changelist")).status_code == 302  # not staff
