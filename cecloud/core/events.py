"""In-process events: how a lower layer triggers or asks a higher one without importing it.

Dependencies run one way, down the layers (docs/architecture.md). When something that happens in
a lower app must start work in a higher one — a class qualifies (training) and a certificate is
issued (certificates); a refunded class is reopened (training) and its stale course candidates go
(learning) — the lower app declares an :class:`Event` in its own ``events.py`` and publishes it;
the higher app subscribes in its ``subscribers.py``, which its ``AppConfig.ready()`` imports. The
same mechanism hands work from an app's services to its own Celery tasks, so that ``services``
never import ``tasks`` (``tasks`` call ``services``).

An event is also how a lower app asks a question that only higher apps can answer ("is this class
in use?"): :meth:`Event.publish` returns every subscriber's answer.

Rules:
* An event names its payload fields; publishing with other fields is a programming error.
* Subscribers run synchronously, in subscription order, inside the publisher's transaction —
  unless the publisher chose :meth:`Event.publish_on_commit` (side effects such as Celery tasks).
* No business rule hides in a subscriber that the publisher's caller would be surprised by:
  each event's ``doc`` says what subscribers do, and ``docs/architecture.md`` lists them all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)

Handler = Callable[..., Any]

_EVENTS: dict[str, Event] = {}


class Event:
    """A named thing that happened (or a question), with a fixed set of payload fields."""

    def __init__(self, name: str, *, fields: tuple[str, ...], doc: str):
        if name in _EVENTS:
            raise ValueError(f"event {name!r} declared twice")
        self.name = name
        self.fields = frozenset(fields)
        self.doc = doc
        self._handlers: list[Handler] = []
        _EVENTS[name] = self

    def __repr__(self) -> str:
        return f"<Event {self.name}>"

    def subscribe(self, handler: Handler) -> Handler:
        """Add ``handler`` (called with the payload as keyword arguments); usable as a decorator.

        Subscribing the same function twice (a module imported again) keeps one subscription.
        """
        key = (handler.__module__, handler.__qualname__)
        if all((h.__module__, h.__qualname__) != key for h in self._handlers):
            self._handlers.append(handler)
        return handler

    def unsubscribe(self, handler: Handler) -> None:
        self._handlers = [h for h in self._handlers if h is not handler]

    @property
    def subscribers(self) -> tuple[Handler, ...]:
        return tuple(self._handlers)

    def _check(self, payload: dict[str, Any]) -> None:
        if set(payload) != self.fields:
            raise TypeError(f"{self.name} takes {sorted(self.fields)}, got {sorted(payload)}")

    def publish(self, **payload: Any) -> list[Any]:
        """Call every subscriber now; returns their answers in subscription order."""
        self._check(payload)
        return [handler(**payload) for handler in self._handlers]

    def publish_on_commit(self, *, robust: bool = False, **payload: Any) -> None:
        """Call every subscriber after the current transaction commits (at once outside one).

        ``robust``: a failing subscriber is logged instead of raised into the committing caller.
        """
        self._check(payload)
        transaction.on_commit(lambda: self.publish(**payload), robust=robust)


def all_events() -> dict[str, Event]:
    """Every declared event by name (for documentation and tests)."""
    return dict(_EVENTS)


@contextmanager
def captured(event: Event) -> Iterator[list[dict[str, Any]]]:
    """For tests: while inside, ``event`` reaches no subscriber; its payloads are recorded instead."""
    saved = event._handlers
    published: list[dict[str, Any]] = []
    event._handlers = [lambda **payload: published.append(payload)]
    try:
        yield published
    finally:
        event._handlers = saved
