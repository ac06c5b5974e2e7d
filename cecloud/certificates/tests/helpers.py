"""Qualified classes for certificate tests: credit the ledger until every category is met."""

from __future__ import annotations

from decimal import Decimal

from cecloud.catalog.factories import CourseFactory
from cecloud.registry.factories import PersonFactory
from cecloud.registry.models import Grade
from cecloud.training.factories import enrollment_for
from cecloud.training.models import Enrollment
from cecloud.training.services import ledger_credit


def qualify(enrollment: Enrollment) -> Enrollment:
    """Credit one course per category with exactly the required hours (the class qualifies)."""
    for category, hours in enrollment.hours_by_category().items():
        course = CourseFactory(category=category, hours=Decimal(hours), years=[enrollment.training_year.year])
        ledger_credit(enrollment=enrollment, course=course, category=category, hours=Decimal(hours), attempt_ref="t")
    enrollment.refresh_from_db()
    return enrollment


def qualified_enrollment(person=None, year: int = 2023, **person_kwargs) -> Enrollment:
    person = person or PersonFactory(**{"grade": Grade.SENIOR_TECHNICIAN, **person_kwargs})
    return qualify(enrollment_for(person, year))


def tampered(token: str, offset: int = 29, delta: int = 80) -> str:
    """The token with one byte of its signed data changed (offset 29: the low byte of the total
    hours × 10, so +80 claims 8 more hours)."""
    from cecloud.certificates.payload import b64url_decode, b64url_encode

    blob = bytearray(b64url_decode(token))
    blob[offset] = (blob[offset] + delta) % 256
    return b64url_encode(bytes(blob))


def sample_payload(**overrides) -> dict:
    """Signable certificate data without a database."""
    data = {
        "n": "JSGQ2023000001",
        "c": "ABCDEFGHJKMN",
        "d": "2023-10-15",
        "g": "senior_technician",
        "h": ["12", "12", "16", "40"],
        "p": "AAAAAAAAAAAA",
        "m": "黄**",
    }
    data.update(overrides)
    return data
