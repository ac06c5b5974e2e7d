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
