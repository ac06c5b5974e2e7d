"""A person edited in the back office: saved through the registry service, with exactly one history
row (its one writer) and one audit entry (the back office's, with before and after)."""

import pytest
from django.test import Client
from django.urls import reverse

from cecloud.accounts.factories import OperatorFactory
from cecloud.core.models import AuditLog
from cecloud.registry.factories import PersonFactory
from cecloud.registry.models import PersonHistory, PersonStatus

pytestmark = pytest.mark.django_db


def form(person, **changes):
    data = {
        "name": person.name,
        "id_number": person.id_number,
        "phone": person.phone,
        "unit": person.unit_id,
        "region": person.region_id,
        "grade": person.grade,
        "post": person.post,
        "status": person.status,
        "history-TOTAL_FORMS": "0",
        "history-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


def test_an_admin_edit_writes_one_history_row_and_is_audited_once():
    operator = OperatorFactory(is_superuser=False)
    client = Client()
    client.force_login(operator)
    person = PersonFactory(post="司机")
    url = reverse("admin:registry_person_change", args=[person.pk])

    response = client.post(url, form(person, post="厨师", status=PersonStatus.INACTIVE))

    assert response.status_code == 302
    (history,) = PersonHistory.objects.filter(person=person)
    assert (history.source, history.changed_by) == ("admin", operator)
    assert history.before == {"post": "司机", "status": "active"}
    assert history.after == {"post": "厨师", "status": "inactive"}
    edits = AuditLog.objects.filter(subject_type="registry.person", subject_id=str(person.pk)).exclude(
        event_type__in=["pii.id_number_viewed", "person.viewed_full_id"]
    )
    assert [e.event_type for e in edits] == ["admin.change"]
    assert edits[0].extra_data["changes"]["post"] == {"before": "司机", "after": "厨师"}


def test_saving_without_a_tracked_change_writes_no_history():
    client = Client()
    client.force_login(OperatorFactory(is_superuser=False))
    person = PersonFactory()
    response = client.post(reverse("admin:registry_person_change", args=[person.pk]), form(person))
    assert response.status_code == 302
    assert not PersonHistory.objects.filter(person=person).exists()
