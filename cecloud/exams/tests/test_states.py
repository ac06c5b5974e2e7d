"""The quiz attempt transition table: every pair of states tried on a real attempt through the one
transition mechanism."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cecloud.core.testing import all_pairs, assert_move
from cecloud.exams.models import AttemptStatus, QuizAttempt
from cecloud.learning.factories import study_setup

pytestmark = pytest.mark.django_db

A = AttemptStatus
ATTEMPT_MOVES = {(A.IN_PROGRESS, A.SUBMITTED)}
# The database insists that a submitted attempt has a score and a time, an open one neither.
STATE_FIELDS = {
    A.IN_PROGRESS: {"score": None, "submitted_at": None},
    A.SUBMITTED: {"score": 80, "submitted_at": timezone.now()},
}


def test_the_table_is_as_documented():
    assert set(QuizAttempt.states.legal_pairs()) == ATTEMPT_MOVES


@pytest.mark.parametrize(("current", "to"), all_pairs(AttemptStatus))
def test_attempt_moves(current, to):
    s = study_setup(durations=(30.0,), hours="2")
    attempt = QuizAttempt.objects.create(
        enrollment=s.enrollment, course=s.course, user=s.user, started_at=timezone.now()
    )
    legal = (current, to) in ATTEMPT_MOVES
    assert_move(QuizAttempt.states, attempt, current, to, legal=legal, state_fields=STATE_FIELDS)
