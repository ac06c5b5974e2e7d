"""The certificate transition table: every pair of states tried on a real certificate through the
one transition mechanism."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cecloud.certificates.models import Certificate, CertificateStatus
from cecloud.certificates.services import certificate_issue
from cecloud.core.testing import all_pairs, assert_move

from .helpers import qualified_enrollment

pytestmark = pytest.mark.django_db

C = CertificateStatus
CERTIFICATE_MOVES = {(C.VALID, C.REVOKED)}
# The database insists that a revoked certificate says when and why.
STATE_FIELDS = {
    C.VALID: {"revoked_at": None, "revoke_reason": ""},
    C.REVOKED: {"revoked_at": timezone.now(), "revoke_reason": "信息有误"},
}


def test_the_table_is_as_documented():
    assert set(Certificate.states.legal_pairs()) == CERTIFICATE_MOVES


@pytest.mark.parametrize(("current", "to"), all_pairs(CertificateStatus))
def test_certificate_moves(current, to):
    certificate, _ = certificate_issue(enrollment_id=qualified_enrollment().pk)
    legal = (current, to) in CERTIFICATE_MOVES
    assert_move(Certificate.states, certificate, current, to, legal=legal, state_fields=STATE_FIELDS)
