"""The in-process event registry (core.events): how lower apps trigger or ask higher ones."""

from __future__ import annotations

import pytest

from cecloud.core import events
from cecloud.core.events import Event


@pytest.fixture
def event():
    made = Event("test.something_happened", fields=("thing_id",), doc="for tests")
    yield made
    events._EVENTS.pop(made.name)


def test_publish_calls_every_subscriber_in_order_and_returns_their_answers(event):
    seen = []

    @event.subscribe
    def first(*, thing_id):
        seen.append(("first", thing_id))
        return 1

    @event.subscribe
    def second(*, thing_id):
        seen.append(("second", thing_id))
        return 2

    assert event.publish(thing_id=7) == [1, 2]
    assert seen == [("first", 7), ("second", 7)]


def test_subscribing_the_same_function_twice_keeps_one_subscription(event):
    def handler(*, thing_id):
        return thing_id

    event.subscribe(handler)
    event.subscribe(handler)
    assert event.publish(thing_id=3) == [3]
    event.unsubscribe(handler)
    assert event.publish(thing_id=3) == []


def test_payload_must_match_the_declared_fields(event):
    with pytest.raises(TypeError, match="thing_id"):
        event.publish(other=1)
    with pytest.raises(TypeError):
        event.publish(thing_id=1, extra=2)
    with pytest.raises(TypeError):
        event.publish_on_commit(other=1)


def test_an_event_name_is_declared_once(event):
    with pytest.raises(ValueError, match="declared twice"):
        Event(event.name, fields=(), doc="again")


@pytest.mark.django_db(transaction=True)
def test_publish_on_commit_waits_for_the_commit_and_is_dropped_on_rollback(event):
    from django.db import transaction

    seen = []
    event.subscribe(lambda *, thing_id: seen.append(thing_id))
    with transaction.atomic():
        event.publish_on_commit(thing_id=1)
        assert seen == []
    assert seen == [1]
    with pytest.raises(RuntimeError), transaction.atomic():
        event.publish_on_commit(thing_id=2)
        raise RuntimeError("rolled back")
    assert seen == [1]


def test_captured_silences_subscribers_and_records_payloads(event):
    seen = []
    event.subscribe(lambda *, thing_id: seen.append(thing_id))
    with events.captured(event) as published:
        event.publish(thing_id=5)
    assert published == [{"thing_id": 5}] and seen == []
    event.publish(thing_id=6)
    assert seen == [6]


def test_every_declared_event_has_a_subscriber_once_the_apps_are_ready():
    """An event nobody listens to would silently drop work (a certificate, an SMS, a refund)."""
    from django.apps import apps
    from django.utils.module_loading import autodiscover_modules

    assert apps.ready
    autodiscover_modules("events")  # every app's declared events, even one no module imported yet
    declared = {name: e for name, e in events.all_events().items() if not name.startswith("test.")}
    assert {
        "training.enrollment_qualified",
        "training.enrollment_reopened",
        "training.enrollment_in_use",
        "training.training_year_in_use",
        "billing.refund_requested",
        "certificates.certificate_issue_requested",
        "notifications.sms_notice_requested",
        "registry.import_job_queued",
        "catalog.chapter_hls_requested",
    } <= set(declared)
    orphans = sorted(name for name, e in declared.items() if not e.subscribers)
    assert orphans == []
