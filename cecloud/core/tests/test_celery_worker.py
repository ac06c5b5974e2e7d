"""The `celery_worker` fixture runs tasks in a real worker (not eagerly), with the broker of the
environment: memory:// in the embedded default, Redis when REDIS_URL is set (CI's second run)."""

from __future__ import annotations

import threading

import pytest
from celery.result import EagerResult
from django.conf import settings

from cecloud.registry.factories import region
from cecloud.registry.models import Region
from config import celery_app


@celery_app.task(name="cecloud.tests.worker_probe")
def worker_probe(value: int) -> dict:
    """Runs in the worker: reports its thread and reads the database through its own connection."""
    return {
        "thread": threading.get_ident(),
        "double": value * 2,
        "regions": Region.objects.count(),
        "eager": bool(worker_probe.request.is_eager),
    }


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_task_runs_in_the_worker_thread_not_eagerly(celery_worker):
    region("320706")  # reference data (reloaded if an earlier transactional test flushed it)
    assert celery_app.conf.task_always_eager is False

    result = worker_probe.delay(21)

    assert not isinstance(result, EagerResult)
    outcome = result.get(timeout=30)
    assert outcome["double"] == 42
    assert outcome["eager"] is False
    assert outcome["thread"] != threading.get_ident()
    assert outcome["regions"] == Region.objects.count() > 100  # the worker sees committed data


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_broker_follows_the_environment(celery_worker):
    broker = celery_app.connection_for_write().as_uri()
    if settings.REDIS_URL:
        assert broker.startswith("redis://")
    else:
        assert broker.startswith("memory://")
    assert worker_probe.delay(1).get(timeout=30)["double"] == 2


@pytest.mark.django_db
def test_eager_mode_is_back_after_the_worker_test():
    """The suite's default (tasks inline) holds outside tests that use the worker."""
    assert celery_app.conf.task_always_eager is True
    assert isinstance(worker_probe.delay(2), EagerResult)
