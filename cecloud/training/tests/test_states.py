"""The class (Enrollment) transition table: every pair of states tried on a real class through the
one transition mechanism, and the training services that move a class."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cecloud.core.errors import ConflictError
from cecloud.core.models import AuditLog
from cecloud.core.testing import all_pairs, assert_move
from cecloud.registry.factories import PersonFactory
from cecloud.training.factories import enrollment_for
from cecloud.training.models import Enrollment, EnrollmentStatus
from cecloud.training.selectors import requirement_for
from cecloud.training.services import enrollment_close, enrollment_mark_qualified, enrollment_snapshot

pytestmark = pytest.mark.django_db

E = EnrollmentStatus
ENROLLMENT_MOVES = {(E.OPEN, E.QUALIFIED), (E.OPEN, E.CLOSED), (E.CLOSED, E.OPEN)}


@pytest.fixture
def enrollment() -> Enrollment:
    return enrollment_for(PersonFactory())


def test_the_table_is_as_documented():
    assert set(Enrollment.states.legal_pairs()) == ENROLLMENT_MOVES


@pytest.mark.parametrize(("current", "to"), all_pairs(EnrollmentStatus))
def test_enrollment_moves(enrollment, current, to):
    assert_move(Enrollment.states, enrollment, current, to, legal=(current, to) in ENROLLMENT_MOVES)


def test_closing_is_idempotent_and_audited_once(enrollment):
    closed = enrollment_close(enrollment=enrollment, reason="订单已退款")
    assert (closed.status, closed.close_reason) == (EnrollmentStatus.CLOSED, "订单已退款")
    again = enrollment_close(enrollment=enrollment, reason="又一次")
    assert again.close_reason == "订单已退款"
    assert AuditLog.objects.filter(event_type="enrollment.closed").count() == 1


def test_a_qualified_class_is_never_closed(enrollment):
    Enrollment.objects.filter(pk=enrollment.pk).update(status=EnrollmentStatus.QUALIFIED)
    with pytest.raises(ConflictError, match="班级状态为已合格，不能改为已关闭"):
        enrollment_close(enrollment=enrollment, reason="x")


def test_qualifying_is_idempotent_and_a_closed_class_is_refused(enrollment):
    enrollment_mark_qualified(enrollment=enrollment)
    enrollment_mark_qualified(enrollment=enrollment)
    assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.QUALIFIED
    assert AuditLog.objects.filter(event_type="enrollment.qualified").count() == 1
    other = enrollment_for(PersonFactory(), 2023)
    Enrollment.objects.filter(pk=other.pk).update(status=EnrollmentStatus.CLOSED, closed_at=timezone.now())
    other.refresh_from_db()
    with pytest.raises(ConflictError):
        enrollment_mark_qualified(enrollment=other)


def test_the_snapshot_is_what_a_class_copies(enrollment):
    person = enrollment.person
    requirement = requirement_for(training_year=enrollment.training_year, grade=person.grade)
    snapshot = enrollment_snapshot(person, requirement)
    hours = {f"{category}_hours" for category in ("ideology", "general", "skill", "total")}
    assert set(snapshot) == {"grade", "grade_group", "unit", "region", "price", *hours}
    assert all(getattr(enrollment, name) == value for name, value in snapshot.items())
