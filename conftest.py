"""Test-wide fixtures. Settings: config/test_settings.py (captcha test mode, temp media, file SMS)."""

import pytest


@pytest.fixture(autouse=True)
def _isolated_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    """``Client.force_login`` bypasses authentication, the staff second factor included (accounts/testing.py).
    The real staff login (password, then a TOTP code) is tested in accounts and tests/e2e/test_staff_login.py."""
    from django.test import Client

    from cecloud.accounts.testing import verified_force_login

    monkeypatch.setattr(Client, "force_login", verified_force_login)


@pytest.fixture
def regions(db):
    from cecloud.registry.models import Region

    return {r.code: r for r in Region.objects.all()}


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker (a thread of this process) on the configured broker: memory:// with the
    cache+memory:// result backend in the embedded default, Redis when REDIS_URL is set. Tasks are
    sent, not run eagerly, while it runs. The worker uses its own database connection, so the test
    needs committed data: this fixture makes the test transactional. Mark such tests celery_worker."""
    from celery.contrib.testing.worker import start_worker

    from config import celery_app

    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=60) as worker:
            yield worker
    finally:
        celery_app.conf.task_always_eager = eager
