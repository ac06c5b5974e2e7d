"""Certificate rules: issue exactly once, keep the PDF, revoke (requirements S7).

Issuing is triggered after commit when a class qualifies (training's ``enrollment_qualified``
event, subscribed in ``subscribers.py``) and runs in a retried Celery task; a periodic sweep
catches qualified classes whose task was lost. However often it runs, a class gets one
certificate: the enrollment row is locked, an existing certificate is returned, and the
one-to-one constraint decides any remaining race (IntegrityError fallback).
"""

from __future__ import annotations

import hashlib
import logging
import secrets

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from cecloud.core.audit import audit_log
from cecloud.core.errors import ServiceError
from cecloud.core.masking import mask_id_number, mask_name
from cecloud.training.models import Enrollment, EnrollmentStatus, HourCategory
from cecloud.training.services import ledger_totals

from . import events, signing
from .codes import format_number, new_verify_code
from .models import Certificate, CertificateCounter, CertificateStatus

logger = logging.getLogger(__name__)

MAX_CODE_ATTEMPTS = 5


def person_hash(name: str, id_number: str) -> str:
    """12 characters binding the payload to one person: whoever knows the name and ID number can
    recompute it (base64url of the first 9 bytes of SHA-256("name|ID")); it reveals neither."""
    return signing.b64url_encode(hashlib.sha256(f"{name}|{id_number.upper()}".encode()).digest()[:9])


def payload_data(certificate: Certificate) -> dict:
    """What the QR code's signed payload says (compact; the ID number never appears)."""
    return {
        "n": certificate.number,
        "c": certificate.verify_code,
        "d": certificate.issued_on.isoformat(),
        "g": certificate.grade,
        "h": [certificate.ideology_hours, certificate.general_hours, certificate.skill_hours, certificate.total_hours],
        "p": person_hash(certificate.name, certificate.id_number),
        "m": mask_name(certificate.name),
    }


def _next_number(year: int) -> str:
    """The next number of the year; the counter row is locked until the issuing transaction ends."""
    CertificateCounter.objects.get_or_create(year=year)
    counter = CertificateCounter.objects.select_for_update().get(year=year)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return format_number(year, counter.last_value)


def _create(enrollment: Enrollment) -> Certificate:
    person = enrollment.person
    # The class grants its required hours ("完成考核要求即可获得40学时"): a category's credited
    # hours beyond its requirement are shown up to the requirement, so the certificate states
    # the same hours as the class home. The ledger keeps the true amounts.
    required = enrollment.hours_by_category()
    totals = {c: min(hours, required[c]) for c, hours in ledger_totals(enrollment).items()}
    total = sum(totals.values())
    key = signing.signing_key()
    year = enrollment.training_year.year
    issued_on = timezone.localdate(enrollment.qualified_at) if enrollment.qualified_at else timezone.localdate()
    certificate = Certificate(
        enrollment=enrollment,
        person=person,
        number=_next_number(year),
        year=year,
        issued_on=issued_on,
        name=person.name,
        id_number=person.id_number,
        unit_name=enrollment.unit.name,
        region_name=enrollment.region.full_name,
        grade=enrollment.grade,
        ideology_hours=totals[HourCategory.IDEOLOGY],
        general_hours=totals[HourCategory.GENERAL],
        skill_hours=totals[HourCategory.SKILL],
        total_hours=total,
        required_hours=enrollment.total_hours,
        key_id=signing.key_id_of(key.public_key()),
    )
    for _attempt in range(MAX_CODE_ATTEMPTS):
        certificate.verify_code = new_verify_code()
        if not Certificate.objects.filter(verify_code=certificate.verify_code).exists():
            break
    certificate.signed_payload = signing.sign_payload(payload_data(certificate), key=key)
    certificate.save()
    return certificate


def certificate_issue(*, enrollment_id: int) -> tuple[Certificate, bool]:
    """Issue the class's certificate once; returns (certificate, created). Idempotent."""
    existing = Certificate.objects.filter(enrollment_id=enrollment_id).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.select_for_update().get(pk=enrollment_id)
            existing = Certificate.objects.filter(enrollment_id=enrollment_id).first()
            if existing is not None:
                return existing, False
            if enrollment.status != EnrollmentStatus.QUALIFIED:
                raise ServiceError("班级尚未合格，不能颁发培训证明")
            certificate = _create(enrollment)
            audit_log(
                event_type="certificate.issued",
                subject=certificate,
                extra_data={"enrollment_id": enrollment_id, "number": certificate.number},
            )
    except IntegrityError:
        # Another process won the one-to-one constraint (or, once in ~10^17, the code collided:
        # then nothing exists and the retried task tries again with a new code).
        existing = Certificate.objects.filter(enrollment_id=enrollment_id).first()
        if existing is None:
            raise
        return existing, False
    return certificate, True


def certificate_pdf(*, certificate: Certificate) -> bytes:
    """The certificate's PDF, rendered once and kept: every download returns the same bytes."""
    if certificate.pdf:
        with certificate.pdf.open("rb") as handle:
            return handle.read()
    from .pdf import render_certificate_pdf

    data = render_certificate_pdf(certificate)
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.pdf:  # another request stored it meanwhile (the same bytes: rendering is deterministic)
            certificate.pdf, certificate.pdf_sha256 = locked.pdf, locked.pdf_sha256
            with locked.pdf.open("rb") as handle:
                return handle.read()
        # An unguessable file name: the PDF is only ever served through the owner's view.
        name = f"{locked.year}/{signing.b64url_encode(secrets.token_bytes(18))}.pdf"
        locked.pdf.save(name, ContentFile(data), save=False)
        locked.pdf_sha256 = hashlib.sha256(data).hexdigest()
        locked.save(update_fields=["pdf", "pdf_sha256"])
    certificate.pdf = locked.pdf
    certificate.pdf_sha256 = locked.pdf_sha256
    return data


def certificate_revoke(*, certificate: Certificate, reason: str, actor=None, request=None) -> Certificate:
    """VALID → REVOKED with a reason (shown on verification). Revoking twice is refused."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请填写撤销原因")
    return Certificate.states.transition(
        certificate,
        to=CertificateStatus.REVOKED,
        message="培训证明 {obj.number} 已撤销",
        actor=actor,
        event_type="certificate.revoked",
        data={"number": certificate.number, "reason": reason[:200]},
        request=request,
        fields={
            "revoked_at": timezone.now(),
            "revoke_reason": reason[:200],
            "revoked_by": actor if getattr(actor, "is_authenticated", False) else None,
        },
    )


def certificates_issue_missing(*, limit: int = 500) -> int:
    """Schedule issuing for qualified classes without a certificate (lost tasks); returns how many."""
    ids = list(
        Enrollment.objects.filter(status=EnrollmentStatus.QUALIFIED, certificate__isnull=True)
        .order_by("qualified_at")
        .values_list("pk", flat=True)[:limit]
    )
    for enrollment_id in ids:
        events.certificate_issue_requested.publish(enrollment_id=enrollment_id)
    return len(ids)


def batch_verify_record(*, actor, rows, year: int | None, exported: bool, request=None) -> None:
    """Audit a unit HR batch lookup or its Excel export (personal data leaving the platform)."""
    own = sorted({r.id_number for r in rows if r.has_data})
    audit_log(
        event_type="certificate.batch_export" if exported else "certificate.batch_verify",
        actor=actor,
        subject=actor.unit,
        extra_data={
            "year": year,
            "ids": len({r.id_number for r in rows}),
            "own_unit_people": len(own),
            "rows": len(rows),
            "people": [mask_id_number(n) for n in own[:200]],
        },
        request=request,
    )
