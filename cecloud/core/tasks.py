"""Core's Celery tasks (beat: CELERY_BEAT_SCHEDULE in settings)."""

from __future__ import annotations

from celery import shared_task

from .audit_retention import purge_expired


@shared_task(name="core.audit_purge")
def audit_purge() -> int:
    """Daily: delete audit entries past CECLOUD_AUDIT_RETENTION_DAYS (never younger than 180 days)."""
    return purge_expired()
