"""Every back-office add, change and delete (inlines and actions included) and every admin page that
shows a full ID number leaves an AuditLog row with who and before/after values; secrets never do."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse

from cecloud.accounts.factories import LearnerFactory, OperatorFactory, UnitHRFactory
from cecloud.core.audit import audit_log
from cecloud.core.models import AuditLog
from cecloud.registry.factories import PersonFactory, UnitFactory, region, valid_id_number
from cecloud.registry.models import Person, Unit

pytestmark = pytest.mark.django_db

AUDIT_URLS = "cecloud.core.tests.audit_admin_urls"


@pytest.fixture
def op():
    return OperatorFactory(display_name="运营小李")


@pytest.fixture
def client_op(op):
    client = Client()
    client.force_login(op)
    return client


def rows(event_type, **filters):
    return list(AuditLog.objects.filter(event_type=event_type, **filters).order_by("id"))


def unit_form(unit, **changes):
    data = {
        "name": unit.name,
        "region": str(unit.region_id),
        "kind": unit.kind,
        "credit_code": unit.credit_code,
        "people-TOTAL_FORMS": "0",
        "people-INITIAL_FORMS": "0",
        "people-MIN_NUM_FORMS": "0",
        "people-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


@pytest.mark.urls(AUDIT_URLS)
def test_add_change_delete_with_before_and_after(client_op, op):
    haizhou = region("320706")
    response = client_op.post(
        reverse("audit_test:registry_unit_add"), unit_form(Unit(name="新单位", region=haizhou, kind="agency"))
    )
    assert response.status_code == 302
    unit = Unit.objects.get(name="新单位")
    (added,) = rows("admin.add")
    assert added.actor == op and added.actor_repr == "运营小李" and added.subject_id == str(unit.pk)
    assert added.extra_data["model"] == "registry.unit"
    assert added.extra_data["changes"]["name"] == {"before": None, "after": "新单位"}
    assert added.extra_data["after"]["region"] == haizhou.pk

    change_url = reverse("audit_test:registry_unit_change", args=[unit.pk])
    response = client_op.post(change_url, unit_form(unit, name="改名单位", kind="institution"))
    assert response.status_code == 302
    (changed,) = rows("admin.change")
    assert changed.extra_data["changes"] == {
        "kind": {"before": "agency", "after": "institution"},
        "name": {"before": "新单位", "after": "改名单位"},
    }
    assert changed.extra_data["message"]  # the admin's own change message is kept too

    response = client_op.post(reverse("audit_test:registry_unit_delete", args=[unit.pk]), {"post": "yes"})
    assert response.status_code == 302 and not Unit.objects.filter(pk=unit.pk).exists()
    (deleted,) = rows("admin.delete")
    assert deleted.subject_id == str(unit.pk) and deleted.extra_data["before"]["name"] == "改名单位"
    assert deleted.extra_data["changes"]["name"] == {"before": "改名单位", "after": None}


@pytest.mark.urls(AUDIT_URLS)
def test_inline_objects_are_recorded_with_their_parent(client_op):
    unit = UnitFactory(region=region("320706"))
    person = PersonFactory(unit=unit, name="旧名字")
    change_url = reverse("audit_test:registry_unit_change", args=[unit.pk])
    new_id = valid_id_number("320706")
    data = unit_form(
        unit,
        **{
            "people-TOTAL_FORMS": "2",
            "people-INITIAL_FORMS": "1",
            "people-0-id": str(person.pk),
            "people-0-unit": str(unit.pk),
            "people-0-name": "新名字",
            "people-0-id_number": person.id_number,
            "people-0-region": str(person.region_id),
            "people-0-grade": person.grade,
            "people-0-phone": person.phone,
            "people-1-unit": str(unit.pk),
            "people-1-name": "新来的",
            "people-1-id_number": new_id,
            "people-1-region": str(unit.region_id),
            "people-1-grade": "junior",
            "people-1-phone": "",
        },
    )
    response = client_op.post(change_url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    parent = {"model": "registry.unit", "id": str(unit.pk), "repr": unit.name}
    changed = [r for r in rows("admin.change") if r.subject_type == "registry.person"]
    assert len(changed) == 1 and changed[0].extra_data["parent"] == parent
    assert changed[0].extra_data["changes"] == {"name": {"before": "旧名字", "after": "新名字"}}
    added = [r for r in rows("admin.add") if r.subject_type == "registry.person"]
    assert len(added) == 1 and added[0].extra_data["changes"]["id_number"]["after"] == new_id
    newcomer = Person.objects.get(id_number=new_id)

    data = unit_form(
        unit,
        **{
            "people-TOTAL_FORMS": "1",
            "people-INITIAL_FORMS": "1",
            "people-0-id": str(newcomer.pk),
            "people-0-unit": str(unit.pk),
            "people-0-name": "新来的",
            "people-0-id_number": new_id,
            "people-0-region": str(unit.region_id),
            "people-0-grade": "junior",
            "people-0-phone": "",
            "people-0-DELETE": "on",
        },
    )
    assert client_op.post(change_url, data).status_code == 302
    (deleted,) = [r for r in rows("admin.delete") if r.subject_type == "registry.person"]
    assert deleted.subject_id == str(newcomer.pk) and deleted.extra_data["before"]["name"] == "新来的"


@pytest.mark.urls(AUDIT_URLS)
def test_custom_actions_and_bulk_deletes(client_op):
    units = [UnitFactory() for _ in range(3)]
    changelist = reverse("audit_test:registry_unit_changelist")
    response = client_op.post(
        changelist, {"action": "mark_checked", ACTION_CHECKBOX_NAME: [str(u.pk) for u in units[:2]]}
    )
    assert response.status_code == 302
    (action,) = rows("admin.action")
    assert action.extra_data["action"] == "mark_checked" and action.extra_data["count"] == 2
    assert sorted(action.extra_data["selected"]) == sorted(str(u.pk) for u in units[:2])
    response = client_op.post(
        changelist, {"action": "delete_selected", "post": "yes", ACTION_CHECKBOX_NAME: [str(u.pk) for u in units]}
    )
    assert response.status_code == 302 and not Unit.objects.exists()
    assert sorted(r.subject_id for r in rows("admin.delete")) == sorted(str(u.pk) for u in units)
    assert len(rows("admin.action")) == 1  # the deletion is recorded per object, not as an action


def test_password_changes_are_recorded_without_the_hash(client_op):
    staff = UnitHRFactory(display_name="单位人事")
    old_hash = staff.password
    url = reverse("admin:auth_user_password_change", args=[staff.pk])
    response = client_op.post(url, {"password1": "N3w-Passw0rd!x", "password2": "N3w-Passw0rd!x"})
    assert response.status_code == 302
    staff.refresh_from_db()
    (changed,) = rows("admin.change", subject_id=str(staff.pk))
    assert changed.extra_data["changes"]["password"] == {"before": "（已隐藏）", "after": "（已修改）"}
    text = str(changed.extra_data)
    assert old_hash not in text and staff.password not in text


def test_opening_a_page_with_a_full_id_number_is_recorded(client_op, op):
    person = PersonFactory()
    learner = LearnerFactory()
    unit = UnitFactory()
    client_op.get(reverse("admin:registry_person_change", args=[person.pk]))
    client_op.get(reverse("admin:accounts_user_change", args=[learner.pk]))
    client_op.get(reverse("admin:registry_unit_change", args=[unit.pk]))  # no ID number on this page
    client_op.get(reverse("admin:registry_person_changelist"))  # the list shows masked numbers
    viewed = rows("pii.id_number_viewed")
    assert [(r.subject_type, r.subject_id) for r in viewed] == [
        ("registry.person", str(person.pk)),
        ("accounts.user", str(learner.pk)),
    ]
    assert all(r.actor == op for r in viewed)


def test_the_trail_is_searchable_and_shows_before_and_after(client_op):
    unit = UnitFactory(name="审计单位")
    client_op.post(
        reverse("admin:registry_unit_change", args=[unit.pk]),
        {"name": "审计单位二", "region": str(unit.region_id), "kind": unit.kind, "credit_code": ""},
    )
    entry = AuditLog.objects.filter(event_type="admin.change", subject_id=str(unit.pk)).first()
    assert entry is not None, "the registry admin's change form was refused"
    changelist = reverse("admin:core_auditlog_changelist")
    html = client_op.get(changelist, {"kind": "admin"}).content.decode()
    assert "admin.change" in html and "审计单位二" in html
    html = client_op.get(changelist, {"kind": "pii"}).content.decode()
    assert "admin.change" not in html
    html = client_op.get(changelist, {"q": "审计单位二"}).content.decode()
    assert "admin.change" in html
    audit_log(event_type="oversight.export", extra_data={"kind": "unit_workers"})
    audit_log(event_type="certificate.batch_export")
    html = client_op.get(changelist, {"kind": "export"}).content.decode()
    assert "oversight.export" in html and "certificate.batch_export" in html and "admin.change" not in html
    detail = client_op.get(reverse("admin:core_auditlog_change", args=[entry.pk])).content.decode()
    assert "修改前" in detail and "审计单位" in detail and "审计单位二" in detail
