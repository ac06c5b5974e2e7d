"""Shared test helpers."""

from __future__ import annotations

import os

import pytest
from django.conf import settings


def _postgres_missing() -> bool:
    return not settings.IS_POSTGRES


def require_postgres():
    """Call at the top of a PostgreSQL-only test (concurrency, row locks).

    On SQLite the test is skipped (the CI's second run uses PostgreSQL); when
    CECLOUD_REQUIRE_POSTGRES=1 (CI's PostgreSQL run) a missing PostgreSQL is a failure.
    """
    if _postgres_missing():
        if os.environ.get("CECLOUD_REQUIRE_POSTGRES") == "1":
            pytest.fail("This test needs PostgreSQL (DATABASE_URL) and CECLOUD_REQUIRE_POSTGRES=1 is set")
        pytest.skip("PostgreSQL-only test: runs in CI's PostgreSQL pass (set DATABASE_URL)")


@pytest.fixture
def postgres_only():
    require_postgres()


def all_pairs(states) -> list[tuple[str, str]]:
    """Every (from, to) pair of a status choices class, for parametrizing a transitions-table test."""
    return [(a, b) for a in states.values for b in states.values]


def assert_move(machine, row, current: str, to: str, *, legal: bool, state_fields=None) -> None:
    """Put ``row`` in ``current`` behind the machine's back, ask the machine to move it to ``to`` and
    check that the table decides: a legal move is saved, an illegal one raises ConflictError and
    leaves the row as it was. ``state_fields`` maps a state to the other fields its rows must have
    (database constraints such as "a submitted attempt has a score")."""
    from cecloud.core.errors import ConflictError

    state_fields = state_fields or {}
    manager = type(row)._default_manager
    manager.filter(pk=row.pk).update(**{machine.field: current, **state_fields.get(current, {})})
    if legal:
        moved = machine.transition(row, to=to, fields=state_fields.get(to, {}))
        assert getattr(moved, machine.field) == to
    else:
        with pytest.raises(ConflictError) as refused:
            machine.transition(row, to=to, fields=state_fields.get(to, {}))
        assert refused.value.details == {"from": current, "to": to}
    assert getattr(manager.get(pk=row.pk), machine.field) == (to if legal else current)
