"""One transition mechanism for every model with a status: a table of allowed moves per model and
one way to make a move.

A model declares its table next to its status choices and binds a ``StateMachine`` to itself::

    ORDER_TRANSITIONS = {OrderStatus.PENDING: {OrderStatus.PAID, OrderStatus.CANCELLED}, ...}

    class Order(models.Model):
        ...
        states = StateMachine("订单", OrderStatus, ORDER_TRANSITIONS)

Services then move a row with ``Order.states.transition(order, to=..., actor=..., fields={...})``
(or the module-level ``transition(order, to=...)``): inside a transaction the row is locked with
``select_for_update``, the move is checked against the table (an illegal one raises
``ConflictError`` with a Chinese message), the status and the given fields are saved with
``update_fields``, and the move is recorded in the same transaction: by the machine's recorder
when it has one (orders write their ``OrderEvent``), else in the audit log when the caller names
an ``event_type``.

A service that must look at the locked row before deciding (a permission check, work that has to
happen between the check and the save) uses the two halves: ``lock(pk, to=...)`` locks and checks
the move, and ``apply(locked, to=...)`` checks again and saves. ``idempotent=True`` makes asking
for the state a row is already in return the row unchanged (closing a closed class), unless the
table lists that state as a move to itself (then it is a real move that saves its fields).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

from .audit import audit_log
from .errors import ConflictError, NotFoundError

DEFAULT_MESSAGE = "{name}状态为{current}，不能改为{target}"


@dataclass(frozen=True)
class Transition:
    """One move, handed to the machine's recorder after the row was saved."""

    obj: models.Model
    from_state: str
    to_state: str
    actor: Any = None
    event_type: str = ""
    note: str = ""
    data: dict = field(default_factory=dict)
    request: Any = None


def audit_recorder(change: Transition) -> None:
    """The default record: an audit-log entry on the row, when the caller names the event."""
    if change.event_type:
        audit_log(
            event_type=change.event_type,
            actor=change.actor,
            subject=change.obj,
            extra_data=change.data,
            request=change.request,
        )


class StateMachine:
    """The allowed moves of one model's status field, and the only way to make them."""

    def __init__(
        self,
        name: str,
        states: type[models.TextChoices],
        table: Mapping[str, Iterable[str]],
        *,
        field: str = "status",
        message: str = DEFAULT_MESSAGE,
        recorder: Callable[[Transition], None] = audit_recorder,
    ):
        self.name = name
        self.states = states
        self.field = field
        self.message = message
        self.recorder = recorder
        self.model: type[models.Model] | None = None
        self.table: dict[str, frozenset[str]] = {str(k): frozenset(str(v) for v in vs) for k, vs in table.items()}
        values = set(states.values)
        if set(self.table) != values:
            raise ValueError(f"{name}: the table must list every state once, missing {values - set(self.table)}")
        unknown = {to for targets in self.table.values() for to in targets} - values
        if unknown:
            raise ValueError(f"{name}: unknown target states {unknown}")

    # Bound to its model like a field: ``states = StateMachine(...)`` in the class body.
    def contribute_to_class(self, cls: type[models.Model], name: str) -> None:
        if self.model is not None and self.model is not cls:
            raise ValueError(f"{self.name}: a state machine serves one model")
        self.model = cls
        setattr(cls, name, self)

    def __repr__(self) -> str:
        return f"<StateMachine {self.name} {self.model.__name__ if self.model else ''}>"

    # --- the table ----------------------------------------------------------------------------

    def allowed(self, current: str) -> frozenset[str]:
        return self.table.get(str(current), frozenset())

    def can(self, current: str, to: str) -> bool:
        return str(to) in self.allowed(current)

    def legal_pairs(self) -> list[tuple[str, str]]:
        return [(a, b) for a in self.states.values for b in self.states.values if self.can(a, b)]

    def illegal_pairs(self) -> list[tuple[str, str]]:
        return [(a, b) for a in self.states.values for b in self.states.values if not self.can(a, b)]

    def label(self, state: str) -> str:
        try:
            return str(self.states(state).label)
        except ValueError:
            return str(state)

    # --- checking -----------------------------------------------------------------------------

    def refusal(self, obj: models.Model, to: str, message: str | None = None) -> ConflictError:
        current = getattr(obj, self.field)
        text = (message or self.message).format(
            name=self.name, current=self.label(current), target=self.label(to), obj=obj
        )
        return ConflictError(text, details={"from": str(current), "to": str(to)})

    def check(self, obj: models.Model, to: str, *, message: str | None = None) -> None:
        """Raise ``ConflictError`` unless the table allows moving ``obj`` to ``to``."""
        if not self.can(getattr(obj, self.field), to):
            raise self.refusal(obj, to, message)

    # --- moving -------------------------------------------------------------------------------

    def lock(
        self,
        target: models.Model | int,
        *,
        to: str | None = None,
        message: str | None = None,
        idempotent: bool = False,
        related: Iterable[str] = (),
    ) -> models.Model:
        """The row, locked (call inside a transaction); with ``to``, refused unless the move is allowed."""
        if self.model is None:
            raise RuntimeError(f"{self.name}: the state machine is not bound to a model")
        pk = target.pk if isinstance(target, models.Model) else target
        queryset = self.model._default_manager.select_for_update()
        if related:
            queryset = queryset.select_related(*related)
        obj = queryset.filter(pk=pk).first()
        if obj is None:
            raise NotFoundError(f"{self.name}不存在")
        if to is not None and not (idempotent and self._already(obj, to)):
            self.check(obj, to, message=message)
        return obj

    def _already(self, obj: models.Model, to: str) -> bool:
        current = getattr(obj, self.field)
        return current == to and not self.can(current, to)

    def apply(
        self,
        obj: models.Model,
        to: str,
        *,
        actor=None,
        event_type: str = "",
        note: str = "",
        data: dict | None = None,
        fields: Mapping[str, Any] | None = None,
        request=None,
        message: str | None = None,
        idempotent: bool = False,
    ) -> models.Model:
        """Move a row the caller has locked: check, set the status and ``fields``, save only those
        (and any ``auto_now`` field), record the move. Returns the row."""
        if idempotent and self._already(obj, to):
            return obj
        self.check(obj, to, message=message)
        from_state = getattr(obj, self.field)
        fields = dict(fields or {})
        setattr(obj, self.field, to)
        for name, value in fields.items():
            setattr(obj, name, value)
        touched = [f.name for f in obj._meta.concrete_fields if getattr(f, "auto_now", False)]
        update = [self.field, *(name for name in fields if name != self.field)]
        obj.save(update_fields=[*update, *(name for name in touched if name not in update)])
        self.recorder(
            Transition(
                obj=obj,
                from_state=str(from_state),
                to_state=str(to),
                actor=actor,
                event_type=event_type,
                note=note,
                data=dict(data or {}),
                request=request,
            )
        )
        return obj

    def transition(
        self,
        target: models.Model | int,
        *,
        to: str,
        related: Iterable[str] = (),
        **kwargs,
    ) -> models.Model:
        """Lock the row, check the move, save and record it, in one transaction. Returns the locked row."""
        with transaction.atomic():
            obj = self.lock(target, related=related)
            return self.apply(obj, to, **kwargs)


def machine_for(target: models.Model | type[models.Model]) -> StateMachine:
    """The state machine bound to a model (or an instance's model)."""
    model = target if isinstance(target, type) else type(target)
    for klass in model.__mro__:
        for value in vars(klass).values():
            if isinstance(value, StateMachine):
                return value
    raise LookupError(f"{model.__name__} has no state machine")


def transition(target: models.Model | type[models.Model], pk: int | None = None, *, to: str, **kwargs) -> models.Model:
    """``transition(order, to=OrderStatus.PAID, ...)`` or ``transition(Order, pk, to=...)``: the
    bound machine's ``transition`` (lock, check, save with update_fields, record)."""
    machine = machine_for(target)
    if isinstance(target, type):
        if pk is None:
            raise TypeError("transition(Model, pk, to=...) needs the primary key")
        return machine.transition(pk, to=to, **kwargs)
    return machine.transition(target, to=to, **kwargs)
