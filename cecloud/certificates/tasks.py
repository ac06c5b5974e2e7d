"""Certificate background jobs (Celery). Eager (inline) in the embedded default.

``certificates.issue`` is retried with exponential backoff on any error (a database hiccup, a
worker crash — tasks are acked late, so a crashed worker's task is delivered again); issuing is
idempotent, so a retry or a second trigger never makes a second certificate. It also renders and
stores the PDF so downloads are instant. ``certificates.issue_missing`` (beat) is the safety net
for classes whose task was never scheduled.
"""

from __future__ import annotations

from celery import shared_task

from cecloud.core.errors import ServiceError


@shared_task(
    name="certificates.issue",
    autoretry_for=(Exception,),
    dont_autoretry_for=(ServiceError,),
    retry_backoff=5,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=10,
    acks_late=True,
)
def certificate_issue_task(enrollment_id: int) -> str:
    from .services import certificate_issue, certificate_pdf

    certificate, _created = certificate_issue(enrollment_id=enrollment_id)
    certificate_pdf(certificate=certificate)
    return certificate.number


@shared_task(name="certificates.issue_missing")
def certificates_issue_missing_task() -> int:
    from .services import certificates_issue_missing

    return certificates_issue_missing()
