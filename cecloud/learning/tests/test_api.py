"""/api/v1/learning/: the mobile API runs the same rules as the web player, with CSRF enforced."""

from __future__ import annotations

import datetime as dt
import json
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from cecloud.learning.factories import study_setup
from cecloud.learning.models import WatchedChapter

pytestmark = pytest.mark.django_db


def post(client, url, data, **extra):
    return client.post(url, data=json.dumps(data), content_type="application/json", **extra)


def test_progress_open_beat_and_supersede():
    s = study_setup(durations=(60.0, 30.0))
    client = Client()
    client.force_login(s.user)
    base = f"/api/v1/learning/classes/{s.enrollment.pk}/courses/{s.course.pk}"
    progress = client.get(base + "/progress").json()
    assert progress["progress"] == 0 and not progress["quiz_unlocked"]
    assert [c["id"] for c in progress["chapters"]] == [c.pk for c in s.chapters]
    t0 = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=t0):
        token = post(client, base + "/play", {}).json()["token"]
    chapter = s.chapters[0].pk
    with mock.patch("django.utils.timezone.now", return_value=t0 + dt.timedelta(seconds=12)):
        ok = post(
            client, "/api/v1/learning/play/beat", {"token": token, "chapter": chapter, "start": 0, "position": 12}
        )
        fast = post(
            client, "/api/v1/learning/play/beat", {"token": token, "chapter": chapter, "start": 12, "position": 40}
        )
    assert ok.status_code == 200 and ok.json()["accepted"] and ok.json()["chapter"]["watched"] == 12
    assert fast.status_code == 200 and fast.json()["reason"] == "too_fast"
    assert WatchedChapter.objects.get(enrollment=s.enrollment, chapter_id=chapter).watched_seconds == 12
    post(client, base + "/play", {})
    old = post(client, "/api/v1/learning/play/beat", {"token": token, "chapter": chapter, "start": 12, "position": 13})
    assert old.status_code == 409 and old.json()["message"] == "已在其他页面播放"
    assert client.get(base + "/progress").json()["chapters"][0]["percent"] == 20.0


def test_api_enforces_csrf_and_ownership():
    s = study_setup(durations=(60.0,))
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(s.user)
    base = f"/api/v1/learning/classes/{s.enrollment.pk}/courses/{s.course.pk}"
    assert post(strict, base + "/play", {}).status_code == 403
    other = Client()
    other.force_login(study_setup(durations=(10.0,), name="别人").user)
    assert other.get(base + "/progress").status_code == 404
    assert Client().get(base + "/progress").status_code == 401
