import datetime as dt

import pytest
from django.utils import timezone


class Clock:
    """A frozen, movable ``timezone.now`` for time travel in tests."""

    def __init__(self, start: dt.datetime):
        self.now = start

    def advance(self, **kwargs) -> None:
        self.now += dt.timedelta(**kwargs)


@pytest.fixture
def clock(monkeypatch):
    c = Clock(timezone.now())
    monkeypatch.setattr(timezone, "now", lambda: c.now)
    return c


@pytest.fixture
def sms_file(settings, tmp_path):
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.log")
    return tmp_path / "sms.log"
