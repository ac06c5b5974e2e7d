"""The transition mechanism itself (cecloud.core.transitions); each model's table is tested beside
its app (``test_states.py``)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import models

from cecloud.core.errors import ConflictError, NotFoundError
from cecloud.core.models import AuditLog
from cecloud.core.transitions import StateMachine, Transition, machine_for, transition
from cecloud.registry.factories import region
from cecloud.registry.models import REQUEST_TRANSITIONS, Application, Grade, RequestStatus


class Light(models.TextChoices):
    RED = "red", "红灯"
    GREEN = "green", "绿灯"
    AMBER = "amber", "黄灯"


LIGHT_TABLE = {Light.RED: {Light.GREEN}, Light.GREEN: {Light.AMBER}, Light.AMBER: {Light.RED, Light.AMBER}}


def test_the_table_lists_every_state_and_only_known_targets():
    with pytest.raises(ValueError, match="every state"):
        StateMachine("灯", Light, {Light.RED: {Light.GREEN}})
    with pytest.raises(ValueError, match="unknown target"):
        StateMachine("灯", Light, {**LIGHT_TABLE, Light.RED: {"blue"}})


def test_legal_and_illegal_pairs_partition_every_pair():
    machine = StateMachine("灯", Light, LIGHT_TABLE)
    legal = {("red", "green"), ("green", "amber"), ("amber", "red"), ("amber", "amber")}
    assert set(machine.legal_pairs()) == legal
    assert len(machine.illegal_pairs()) == 9 - len(legal)
    assert machine.can(Light.RED, Light.GREEN) and not machine.can(Light.GREEN, Light.RED)


def test_an_illegal_move_is_refused_in_chinese_with_both_states():
    machine = StateMachine("信号灯", Light, LIGHT_TABLE)
    with pytest.raises(ConflictError) as refused:
        machine.check(SimpleNamespace(status=Light.GREEN), Light.RED)
    assert refused.value.message == "信号灯状态为绿灯，不能改为红灯"
    assert refused.value.code == "conflict"
    assert refused.value.details == {"from": "green", "to": "red"}
    with pytest.raises(ConflictError, match="灯7 已是绿灯"):
        machine.check(SimpleNamespace(status=Light.GREEN, pk=7), Light.RED, message="灯{obj.pk} 已是{current}")


def _application(**overrides) -> Application:
    values = {
        "name": "张三",
        "id_number": "320706197001010011",
        "phone": "13800000000",
        "unit_name": "测试单位",
        "region": region("320706"),
        "grade": Grade.SENIOR_TECHNICIAN,
    }
    return Application.objects.create(**{**values, **overrides})


@pytest.mark.django_db
def test_a_model_finds_its_machine():
    assert machine_for(Application) is Application.states
    assert machine_for(_application()) is Application.states
    assert Application.states.model is Application
    with pytest.raises(LookupError):
        machine_for(AuditLog)


@pytest.mark.django_db
def test_transition_saves_the_status_and_the_given_fields_only_and_audits_the_event():
    application = _application()
    application.name = "改了但不该保存"
    moved = transition(
        application,
        to=RequestStatus.REJECTED,
        event_type="registry.application_rejected",
        data={"reason": "资料不全"},
        fields={"reject_reason": "资料不全"},
    )
    assert moved.status == RequestStatus.REJECTED and moved is not application  # the locked row
    stored = Application.objects.get(pk=application.pk)
    assert (stored.status, stored.reject_reason, stored.name) == (RequestStatus.REJECTED, "资料不全", "张三")
    (entry,) = AuditLog.objects.filter(event_type="registry.application_rejected")
    assert entry.subject_id == str(application.pk) and entry.extra_data == {"reason": "资料不全"}


@pytest.mark.django_db
def test_transition_by_model_and_primary_key():
    application = _application()
    transition(Application, application.pk, to=RequestStatus.APPROVED)
    assert Application.objects.get(pk=application.pk).status == RequestStatus.APPROVED
    assert not AuditLog.objects.exists()  # no event named, nothing to audit
    with pytest.raises(NotFoundError, match="申请不存在"):
        transition(Application, application.pk + 1000, to=RequestStatus.APPROVED)


@pytest.mark.django_db
def test_a_refused_move_changes_nothing_and_records_nothing():
    application = _application(status=RequestStatus.APPROVED)
    with pytest.raises(ConflictError, match="该申请已处理（已通过），请刷新页面"):
        transition(application, to=RequestStatus.REJECTED, event_type="x", fields={"reject_reason": "晚了"})
    stored = Application.objects.get(pk=application.pk)
    assert (stored.status, stored.reject_reason) == (RequestStatus.APPROVED, "")
    assert not AuditLog.objects.exists()


@pytest.mark.django_db
def test_idempotent_re_entry_returns_the_row_unchanged_and_records_nothing():
    application = _application(status=RequestStatus.REJECTED, reject_reason="第一次")
    again = transition(
        application, to=RequestStatus.REJECTED, idempotent=True, event_type="x", fields={"reject_reason": "第二次"}
    )
    assert again.reject_reason == "第一次"
    assert Application.objects.get(pk=application.pk).reject_reason == "第一次"
    assert not AuditLog.objects.exists()
    with pytest.raises(ConflictError):  # idempotent only for the state the row is in
        transition(application, to=RequestStatus.APPROVED, idempotent=True)


@pytest.mark.django_db
def test_lock_checks_the_move_before_the_caller_does_its_work():
    application = _application(status=RequestStatus.APPROVED)
    with pytest.raises(ConflictError):
        Application.states.lock(application, to=RequestStatus.REJECTED)
    assert Application.states.lock(application).pk == application.pk  # without ``to``: just the lock


@pytest.mark.django_db
def test_the_recorder_runs_in_the_same_transaction_as_the_save():
    seen: list[Transition] = []

    def failing(change: Transition) -> None:
        seen.append(change)
        raise RuntimeError("recorder failed")

    machine = StateMachine("申请", RequestStatus, REQUEST_TRANSITIONS, recorder=failing)
    machine.model = Application
    application = _application()
    with pytest.raises(RuntimeError):
        machine.transition(application, to=RequestStatus.APPROVED, actor=None, note="n", data={"k": 1})
    (change,) = seen
    assert (change.from_state, change.to_state, change.note, change.data) == ("pending", "approved", "n", {"k": 1})
    assert Application.objects.get(pk=application.pk).status == RequestStatus.PENDING  # rolled back
