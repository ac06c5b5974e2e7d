"""The audit log in the back office is read-only for everyone."""

import pytest
from django.test import Client
from django.urls import reverse

from cecloud.accounts.factories import OperatorFactory
from cecloud.core.audit import audit_log
from cecloud.core.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def op():
    return OperatorFactory(display_name="运营小王")


@pytest.fixture
def client_op(op):
    c = Client()
    c.force_login(op)
    return c


def test_list_search_and_date_hierarchy(client_op, op):
    audit_log(event_type="registry.application_approved", actor=op, subject=op, extra_data={"k": "值"})
    audit_log(event_type="account.password_changed", actor=op, subject=op)
    url = reverse("admin:core_auditlog_changelist")
    html = client_op.get(url).content.decode()
    assert "审计日志" in html and "registry.application_approved" in html and "运营小王" in html
    html = client_op.get(url, {"q": "password_changed"}).content.decode()
    assert "account.password_changed" in html and "registry.application_approved" not in html
    html = client_op.get(url, {"q": "运营小王"}).content.decode()
    assert "account.password_changed" in html
    assert '<nav class="toplinks">' in html and "event_time__year=" in html  # date hierarchy


def test_nobody_can_add_change_or_delete(client_op, op):
    entry = audit_log(event_type="x.y", actor=op, extra_data={"a": 1})
    change = reverse("admin:core_auditlog_change", args=[entry.pk])
    page = client_op.get(change)
    assert page.status_code == 200 and "&quot;a&quot;: 1" in page.content.decode()
    assert 'name="_save"' not in page.content.decode() and 'name="event_type"' not in page.content.decode()
    assert "删除" not in page.content.decode().split('id="content-main"')[1]
    assert client_op.get(reverse("admin:core_auditlog_add")).status_code == 403
    assert client_op.post(change, {"event_type": "tampered"}).status_code == 403
    assert client_op.post(reverse("admin:core_auditlog_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    r = client_op.post(
        reverse("admin:core_auditlog_changelist"), {"action": "delete_selected", "_selected_action": [entry.pk]}
    )
    assert r.status_code == 200 and 'name="action"' not in r.content.decode()  # no actions at all
    entry.refresh_from_db()
    assert entry.event_type == "x.y" and AuditLog.objects.count() == 1
