from decimal import Decimal

import pytest

from cecloud.catalog.factories import CourseFactory
from cecloud.core import events
from cecloud.registry.factories import PersonFactory
from cecloud.registry.models import Grade
from cecloud.training.events import enrollment_qualified
from cecloud.training.factories import enrollment_for
from cecloud.training.models import EnrollmentStatus, HourLedgerEntry
from cecloud.training.services import ledger_credit, ledger_totals

pytestmark = pytest.mark.django_db


def credit(enrollment, category, hours):
    course = CourseFactory(category=category, hours=Decimal(hours))
    return ledger_credit(
        enrollment=enrollment, course=course, category=category, hours=Decimal(hours), attempt_ref="a1"
    )


def test_credit_is_once_per_course_and_append_only():
    enrollment = enrollment_for(PersonFactory(grade=Grade.SENIOR))
    course = CourseFactory(category="ideology", hours=Decimal("2"))
    entry, created = ledger_credit(enrollment=enrollment, course=course, category="ideology", hours=Decimal("2"))
    again, created_again = ledger_credit(enrollment=enrollment, course=course, category="ideology", hours=Decimal("2"))
    assert created and not created_again and again.pk == entry.pk
    assert HourLedgerEntry.objects.filter(enrollment=enrollment).count() == 1
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


def test_class_qualifies_when_every_category_and_total_are_met_and_certificate_hook_runs_on_commit(
    django_capture_on_commit_callbacks,
):
    enrollment = enrollment_for(PersonFactory(grade=Grade.SENIOR))  # 7 / 7 / 10
    credit(enrollment, "ideology", "4")
    credit(enrollment, "ideology", "4")
    credit(enrollment, "general", "7")
    credit(enrollment, "skill", "8")
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.OPEN  # skill 8 < 10 although the total 23 is close
    with (
        events.captured(enrollment_qualified) as published,
        django_capture_on_commit_callbacks(execute=True),
    ):
        credit(enrollment, "skill", "2")
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.QUALIFIED and enrollment.qualified_at
    assert published == [{"enrollment_id": enrollment.pk}]
    assert ledger_totals(enrollment) == {"ideology": Decimal("8"), "general": Decimal("7"), "skill": Decimal("10")}
