"""The review table of applications (入库申请) and corrections (信息修改): every pair of states
tried on a real request through the one transition mechanism."""

from __future__ import annotations

import pytest

from cecloud.core.testing import all_pairs, assert_move
from cecloud.registry.factories import PersonFactory, region
from cecloud.registry.models import Application, CorrectionRequest, Grade, RequestStatus

pytestmark = pytest.mark.django_db

Q = RequestStatus
REQUEST_MOVES = {(Q.PENDING, Q.APPROVED), (Q.PENDING, Q.REJECTED)}


def test_the_tables_are_as_documented():
    assert set(Application.states.legal_pairs()) == REQUEST_MOVES
    assert set(CorrectionRequest.states.legal_pairs()) == REQUEST_MOVES


@pytest.mark.parametrize(("current", "to"), all_pairs(RequestStatus))
def test_application_moves(current, to):
    application = Application.objects.create(
        name="张三",
        id_number="320706197001010011",
        phone="13800000000",
        unit_name="测试单位",
        region=region("320706"),
        grade=Grade.SENIOR_TECHNICIAN,
    )
    assert_move(Application.states, application, current, to, legal=(current, to) in REQUEST_MOVES)


@pytest.mark.parametrize(("current", "to"), all_pairs(RequestStatus))
def test_correction_moves(current, to):
    correction = CorrectionRequest.objects.create(person=PersonFactory(), changes={"post": "电工"})
    assert_move(CorrectionRequest.states, correction, current, to, legal=(current, to) in REQUEST_MOVES)
