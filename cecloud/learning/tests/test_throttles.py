"""Heartbeats and attention answers are throttled per learner (web and API): a burst is fine, a
flood gets 429 with Retry-After and a Chinese message in JSON."""

import datetime as dt
import json
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cecloud.learning.factories import study_setup

pytestmark = pytest.mark.django_db

API_BEAT = "/api/v1/learning/play/beat"
API_ATTENTION = "/api/v1/learning/play/attention"


def post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def learner_client(name="黄诗雨"):
    s = study_setup(durations=(600.0,), name=name)
    client = Client()
    client.force_login(s.user)
    return s, client


def assert_throttled(response):
    assert response.status_code == 429
    body = response.json()
    assert body["reason"] == "throttled" and "过于频繁" in body["detail"] and "后再试" in body["detail"]
    assert int(response["Retry-After"]) >= 1


@pytest.mark.parametrize("url", [reverse("learning:playback_beat"), API_BEAT])
def test_a_flood_of_heartbeats_is_refused_per_learner(url, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "heartbeat_user": "30/1m"}
    _, client = learner_client()
    body = {"token": "x", "chapter": 1, "start": 0, "position": 1}
    statuses = [post(client, url, body).status_code for _ in range(30)]
    assert 429 not in statuses
    assert_throttled(post(client, url, body))
    # Another learner (the same office address) is not affected.
    _, other = learner_client(name="别人")
    assert post(other, url, body).status_code != 429


def test_the_player_cadence_with_retries_is_never_throttled():
    s, client = learner_client()
    base = f"/api/v1/learning/classes/{s.enrollment.pk}/courses/{s.course.pk}"
    t0 = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=t0):
        token = post(client, base + "/play", {}).json()["token"]
    position = 0.0
    for n in range(1, 41):  # eight minutes: a beat every 12 s, each sent twice (a retry)
        with mock.patch("django.utils.timezone.now", return_value=t0 + dt.timedelta(seconds=12 * n)):
            for _ in range(2):
                r = post(
                    client,
                    API_BEAT,
                    {"token": token, "chapter": s.chapters[0].pk, "start": position, "position": position + 12},
                )
                assert r.status_code != 429
        position += 12


@pytest.mark.parametrize("url", [reverse("learning:playback_attention"), API_ATTENTION])
def test_a_flood_of_attention_answers_is_refused(url, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "attention_user": "5/1m"}
    _, client = learner_client()
    for _ in range(5):
        assert post(client, url, {"token": "x", "check": 1}).status_code != 429
    assert_throttled(post(client, url, {"token": "x", "check": 1}))
