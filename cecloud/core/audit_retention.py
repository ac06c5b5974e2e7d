"""How long the audit trail is kept, its purge, and its export (等保 2.0 level 3; Cybersecurity Law:
network logs kept at least six months).

* ``CECLOUD_AUDIT_RETENTION_DAYS`` (180): a system check refuses less than ``MIN_RETENTION_DAYS``.
* ``purge_expired`` deletes entries older than the retention, never younger ones, and never younger
  than ``MIN_RETENTION_DAYS`` whatever the setting says; run daily by Celery beat
  (``core.audit_purge``) and by ``manage.py purge_audit_log``. The purge itself is audited.
* ``export_rows``: the columns of the operators' export (审计日志 → 导出), written by the shared
  spreadsheet writer (formula-like cells neutralised).

Everything else treats the log as append-only (``AuditLog`` refuses update and delete).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.core import checks
from django.db import models, transaction
from django.utils import timezone

from .audit import audit_log
from .models import AuditLog

MIN_RETENTION_DAYS = 180
PURGE_BATCH = 5000
EXPORT_HEADER = ["时间", "事件", "操作人", "对象类型", "对象ID", "对象", "IP", "详情"]


def retention_days() -> int:
    return int(getattr(settings, "CECLOUD_AUDIT_RETENTION_DAYS", MIN_RETENTION_DAYS))


def purge_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """Entries before this may be deleted: never less than ``MIN_RETENTION_DAYS`` ago."""
    days = max(retention_days(), MIN_RETENTION_DAYS)
    return (now or timezone.now()) - dt.timedelta(days=days)


def expired(now: dt.datetime | None = None) -> models.QuerySet:
    return AuditLog.objects.filter(event_time__lt=purge_cutoff(now))


def purge_expired(*, now: dt.datetime | None = None, dry_run: bool = False) -> int:
    """Delete the entries past the retention (in batches); returns how many. Younger entries stay."""
    cutoff = purge_cutoff(now)
    if dry_run:
        return AuditLog.objects.filter(event_time__lt=cutoff).count()
    deleted = 0
    while True:
        ids = list(
            AuditLog.objects.filter(event_time__lt=cutoff).order_by("id").values_list("id", flat=True)[:PURGE_BATCH]
        )
        if not ids:
            break
        with transaction.atomic():
            # The only delete the log allows: past the retention (AuditLogQuerySet.delete refuses any other).
            batch = AuditLog.objects.filter(id__in=ids, event_time__lt=cutoff)
            deleted += models.QuerySet.delete(batch)[0]
    if deleted:
        audit_log(
            event_type="audit.purged",
            subject_type="core.auditlog",
            subject_repr=f"删除 {cutoff:%Y-%m-%d} 之前的审计日志",
            extra_data={"deleted": deleted, "before": cutoff.isoformat(), "retention_days": retention_days()},
        )
    return deleted


@checks.register(checks.Tags.security, deploy=False)
def check_retention(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if retention_days() < MIN_RETENTION_DAYS:
        return [
            checks.Error(
                f"CECLOUD_AUDIT_RETENTION_DAYS is {retention_days()}: audit entries must be kept at least "
                f"{MIN_RETENTION_DAYS} days (等保 2.0; Cybersecurity Law, six months).",
                id="cecloud.E001",
            )
        ]
    return []


def export_rows(entries: Iterable[AuditLog]) -> Iterator[list]:
    for entry in entries:
        yield [
            timezone.localtime(entry.event_time).replace(tzinfo=None),
            entry.event_type,
            entry.actor_repr,
            entry.subject_type,
            entry.subject_id,
            entry.subject_repr,
            entry.ip_address or "",
            json.dumps(entry.extra_data, ensure_ascii=False)[:30000] if entry.extra_data else "",
        ]
