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
