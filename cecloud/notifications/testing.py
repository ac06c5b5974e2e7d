"""Test helpers for code that sends SMS.

In a test module::

    @pytest.fixture
    def outbox(settings, tmp_path):
        return file_outbox(settings, tmp_path)
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .senders.file import read_messages


class Outbox:
    def __init__(self, path):
        self.path = path

    def messages(self, phone: str | None = None, template: str | None = None) -> list[dict]:
        return [m for m in read_messages(self.path, phone=phone) if template is None or m["template"] == template]

    def last_code(self, phone: str) -> str:
        codes = self.messages(phone=phone, template="verify_code")
        assert codes, f"no verification code was sent to {phone}"
        return codes[-1]["params"]["code"]


def file_outbox(settings, tmp_path) -> Outbox:
    """Switch to the file sender, writing to a fresh file for this test."""
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.log")
    return Outbox(tmp_path / "sms.log")


class Clock:
    """A frozen, movable ``timezone.now`` for time travel in tests."""

    def __init__(self, start: dt.datetime):
        self.now = start

    def advance(self, **kwargs) -> None:
        self.now += dt.timedelta(**kwargs)


def install_clock(monkeypatch) -> Clock:
    c = Clock(timezone.now())
    monkeypatch.setattr(timezone, "now", lambda: c.now)
    return c
