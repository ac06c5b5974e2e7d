"""The audit trail is kept at least 180 days: a check refuses less; the purge never deletes younger entries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import models
from django.utils import timezone

from cecloud.core.audit import audit_log
from cecloud.core.audit_retention import MIN_RETENTION_DAYS, check_retention, purge_expired
from cecloud.core.models import AuditLog
from cecloud.core.tasks import audit_purge

pytestmark = pytest.mark.django_db


def entry_aged(days: float, event_type: str = "test.event") -> AuditLog:
    entry = audit_log(event_type=event_type, subject_repr=f"{days} days")
    models.QuerySet.update(AuditLog.objects.filter(pk=entry.pk), event_time=timezone.now() - dt.timedelta(days=days))
    return entry


def test_a_retention_under_180_days_fails_the_system_check(settings):
    settings.CECLOUD_AUDIT_RETENTION_DAYS = 90
    assert [m.id for m in check_retention()] == ["cecloud.E001"]
    settings.CECLOUD_AUDIT_RETENTION_DAYS = 180
    assert check_retention() == []


def test_the_purge_deletes_only_entries_past_the_retention(settings):
    settings.CECLOUD_AUDIT_RETENTION_DAYS = 200
    young = [entry_aged(d) for d in (0, 179, 199.9)]
    old = [entry_aged(d) for d in (200.1, 400)]
    assert purge_expired(dry_run=True) == 2
    assert purge_expired() == 2
    remaining = set(AuditLog.objects.values_list("pk", flat=True))
    assert {e.pk for e in young} <= remaining and not {e.pk for e in old} & remaining
    assert AuditLog.objects.get(event_type="audit.purged").extra_data["deleted"] == 2
    # Otherwise the log stays append-only.
    with pytest.raises(PermissionError):
        AuditLog.objects.all().delete()


def test_the_purge_never_deletes_younger_than_180_days_whatever_the_setting(settings):
    settings.CECLOUD_AUDIT_RETENTION_DAYS = 30
    kept = entry_aged(MIN_RETENTION_DAYS - 1)
    gone = entry_aged(MIN_RETENTION_DAYS + 1)
    assert audit_purge() == 1  # the Celery beat task
    assert AuditLog.objects.filter(pk=kept.pk).exists() and not AuditLog.objects.filter(pk=gone.pk).exists()


def test_the_purge_command(settings, capsys):
    entry_aged(365)
    call_command("purge_audit_log", "--dry-run")
    assert "可删除" in capsys.readouterr().out and AuditLog.objects.filter(event_type="test.event").exists()
    call_command("purge_audit_log")
    assert "已删除" in capsys.readouterr().out and not AuditLog.objects.filter(event_type="test.event").exists()
