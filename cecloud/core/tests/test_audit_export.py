"""Operators export the audit log (审计日志 → 导出) as .xlsx: the list's filters apply, formula-like cells
are written as text, and every export is itself audited."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from cecloud.accounts.factories import OperatorFactory, UnitHRFactory
from cecloud.core.audit import audit_log
from cecloud.core.models import AuditLog

pytestmark = pytest.mark.django_db


def test_operators_export_the_filtered_log_and_the_export_is_audited():
    operator = OperatorFactory()
    client = Client()
    client.force_login(operator)
    hr = UnitHRFactory()
    audit_log(event_type="account.login", actor=hr, subject=hr, extra_data={"method": "totp"})
    audit_log(event_type="registry.person_updated", subject_repr='=HYPERLINK("http://evil")')
    changelist = client.get(reverse("admin:core_auditlog_changelist") + "?kind=account")
    assert reverse("admin:core_auditlog_export") in changelist.content.decode()

    r = client.get(reverse("admin:core_auditlog_export") + "?kind=account")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("时间", "事件", "操作人")
    assert [row[1] for row in rows[1:]] == ["account.login"]  # the filter applies

    r = client.get(reverse("admin:core_auditlog_export") + "?q=HYPERLINK")
    cells = [c for row in load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True) for c in row]
    assert '\'=HYPERLINK("http://evil")' in cells  # written as text, never a formula

    exports = AuditLog.objects.filter(event_type="audit.exported", actor=operator)
    assert exports.count() == 2 and exports.order_by("id").first().extra_data["rows"] == 1


def test_staff_without_the_operator_role_cannot_export():
    client = Client()
    client.force_login(UnitHRFactory(is_staff=True))
    r = client.get(reverse("admin:core_auditlog_export"))
    assert r.status_code in (302, 403)
    assert not AuditLog.objects.filter(event_type="audit.exported").exists()
