from decimal import Decimal

import pytest

from cecloud.catalog.factories import CourseFactory
from cecloud.certificates.models import Certificate
from cecloud.registry.factories import PersonFactory
from cecloud.registry.models import Grade
from cecloud.training.factories import enrollment_for
from cecloud.training.services import ledger_credit, ledger_totals

pytestmark = pytest.mark.django_db


def test_certificate_states_the_class_hours_even_when_a_category_was_overshot(django_capture_on_commit_callbacks):
    enrollment = enrollment_for(PersonFactory(grade=Grade.SENIOR_TECHNICIAN))  # 12 / 12 / 16
    with django_capture_on_commit_callbacks(execute=True):
        for category, hours in [("ideology", "4"), ("ideology", "4"), ("ideology", "4"), ("ideology", "2"),
                                ("general", "12"), ("skill", "16"), ("skill", "2")]:  # fmt: skip
            course = CourseFactory(category=category, hours=Decimal(hours))
            ledger_credit(enrollment=enrollment, course=course, category=category, hours=Decimal(hours))
    assert ledger_totals(enrollment) == {"ideology": Decimal("14"), "general": Decimal("12"), "skill": Decimal("18")}
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert (certificate.ideology_hours, certificate.general_hours, certificate.skill_hours) == (12, 12, 16)
    assert certificate.total_hours == 40 == certificate.required_hours
