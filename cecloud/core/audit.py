"""Writing to the audit log. Call inside the service's transaction so the trace commits with the change."""

from __future__ import annotations

from typing import Any

from django.db import models

from .clientip import client_ip  # the client behind trusted proxies (TRUSTED_PROXIES)
from .models import AuditLog


def audit_log(
    *,
    event_type: str,
    actor=None,
    subject: models.Model | None = None,
    subject_type: str = "",
    subject_id: str = "",
    subject_repr: str = "",
    extra_data: dict[str, Any] | None = None,
    request=None,
) -> AuditLog:
    if subject is not None:
        subject_type = subject_type or subject._meta.label_lower
        subject_id = subject_id or str(subject.pk)
        subject_repr = subject_repr or str(subject)[:200]
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditLog.objects.create(
        event_type=event_type,
        actor=actor_obj,
        actor_repr=str(actor_obj)[:100] if actor_obj else "系统",
        subject_type=subject_type,
        subject_id=subject_id,
        subject_repr=subject_repr[:200],
        extra_data=extra_data or {},
        ip_address=client_ip(request),
    )
