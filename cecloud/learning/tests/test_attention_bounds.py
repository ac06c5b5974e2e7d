"""Attention checks bound credit (requirements S5, issue 11 defect 3).

No credit past the point where a check falls due until it is answered: a client that stays silent
past a due check and then sends one beat covering the whole gap is credited only up to the due
point, and a pending check belongs to the learner, not to the player session — reopening the
player (another tab, the API, another course) does not get round it.
"""

from __future__ import annotations

import datetime as dt
import json
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cecloud.learning.factories import Clock, study_setup
from cecloud.learning.models import AttentionCheck, PlaybackSession, WatchedChapter
from cecloud.learning.services.playback import attention_answer, playback_heartbeat, playback_start
from cecloud.learning.services.playback_rules import Reason

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("checks_every_30_seconds")]


@pytest.fixture
def checks_every_30_seconds(settings):
    settings.CECLOUD_ATTENTION_CHECK_SECONDS = "30"


@pytest.fixture
def setup():
    return study_setup(durations=(300.0,))


@pytest.fixture
def clock():
    return Clock()


def open_player(setup, clock, course=None):
    return playback_start(user=setup.user, enrollment=setup.enrollment, course=course or setup.course, now=clock.now)


def beat(setup, clock, session, start, position, chapter=None):
    return playback_heartbeat(
        user=setup.user,
        token=session.token,
        chapter_id=(chapter or setup.chapters[0]).pk,
        start=start,
        position=position,
        now=clock.now,
    )


def watched(setup, chapter=None) -> WatchedChapter:
    return WatchedChapter.objects.get(enrollment=setup.enrollment, chapter=chapter or setup.chapters[0])


# --- The silent gap ---------------------------------------------------------------------------------------


def test_one_beat_over_a_silent_gap_is_credited_only_up_to_the_due_check(setup, clock):
    session = open_player(setup, clock)
    clock.advance(200)  # silent well past the check due at 30 s of playback
    result = beat(setup, clock, session, 0, 200)
    assert result.accepted and result.check_id, "the beat that crosses the due point asks the check"
    assert result.credited == 30 and result.position == 30
    row = watched(setup)
    assert row.intervals == [[0, 30]] and row.watched_seconds == 30 and row.furthest == 30
    check = AttentionCheck.objects.get(pk=result.check_id)
    assert check.position == 30 and check.answered_at is None
    # Nothing more until it is answered, whatever is claimed.
    for start, position in ((30, 60), (200, 210), (0, 30)):
        clock.advance(20)
        refused = beat(setup, clock, session, start, position)
        assert not refused.accepted and refused.reason == Reason.ATTENTION and refused.check_id == check.pk
    assert watched(setup).watched_seconds == 30
    # Answered: credit resumes from the due point on the server clock of the answer.
    attention_answer(user=setup.user, token=session.token, check_id=check.pk, now=clock.now)
    clock.advance(10)
    assert beat(setup, clock, session, 30, 40).accepted
    assert watched(setup).intervals == [[0, 40]]


def test_a_gap_after_some_honest_beats_is_cut_at_the_due_point(setup, clock):
    session = open_player(setup, clock)
    clock.advance(20)
    assert beat(setup, clock, session, 0, 20).accepted
    clock.advance(120)
    result = beat(setup, clock, session, 20, 140)
    assert result.accepted and result.check_id and result.credited == 10
    assert watched(setup).intervals == [[0, 30]]
    stored = PlaybackSession.objects.get(pk=session.pk)
    assert stored.pending_check_id == result.check_id and stored.played_seconds == 30 and stored.checks_issued == 1


def test_rewatching_counts_towards_the_check_and_never_credits_past_it(setup, clock):
    session = open_player(setup, clock)
    clock.advance(20)
    assert beat(setup, clock, session, 0, 20).accepted
    clock.advance(100)
    result = beat(setup, clock, session, 0, 100)  # the check falls due after 10 s more of playback
    assert result.check_id and result.position == 10 and result.credited == 0
    assert watched(setup).intervals == [[0, 20]]
    clock.advance(100)
    assert beat(setup, clock, session, 10, 100).reason == Reason.ATTENTION


def test_a_silent_gap_never_earns_more_than_the_checks_allow(setup, clock):
    """A bot that answers nothing earns one schedule's worth (30 s here), whatever it does."""
    session = open_player(setup, clock)
    position = 0.0
    for _ in range(10):
        clock.advance(120)
        beat(setup, clock, session, position, min(300, position + 120))
        position = watched(setup).furthest
        session = open_player(setup, clock)  # and reopen, to try the next session's first beat
    assert watched(setup).watched_seconds == 30


# --- Reopening the player ---------------------------------------------------------------------------------


def test_a_pending_check_survives_reopening_the_player(setup, clock):
    first = open_player(setup, clock)
    for i in range(3):
        clock.advance(10)
        result = beat(setup, clock, first, i * 10, i * 10 + 10)
    issued = result.check_id
    assert issued
    reopened = open_player(setup, clock)  # a bot reloads instead of answering
    assert reopened.pending_check_id == issued, "the new session knows the check at once"
    clock.advance(10)
    refused = beat(setup, clock, reopened, 30, 40)
    assert not refused.accepted and refused.reason == Reason.ATTENTION and refused.check_id == issued
    clock.advance(300)
    again = open_player(setup, clock)
    clock.advance(100)
    assert beat(setup, clock, again, 30, 130).reason == Reason.ATTENTION
    assert watched(setup).watched_seconds == 30
    # Answered in the newest session: credit resumes there, from the answer on.
    attention_answer(user=setup.user, token=again.token, check_id=issued, now=clock.now)
    assert AttentionCheck.objects.get(pk=issued).answered_at == clock.now
    clock.advance(10)
    assert beat(setup, clock, again, 30, 40).accepted
    assert watched(setup).watched_seconds == 40


def test_reopening_before_the_check_keeps_the_due_point(setup, clock):
    first = open_player(setup, clock)
    clock.advance(20)
    assert beat(setup, clock, first, 0, 20).accepted
    reopened = open_player(setup, clock)
    clock.advance(100)  # silent in the new session too
    result = beat(setup, clock, reopened, 20, 120)
    assert result.accepted and result.check_id and result.credited == 10
    assert watched(setup).intervals == [[0, 30]]


def test_a_pending_check_blocks_the_learners_other_courses_too(setup, clock):
    other = study_setup(durations=(300.0,), user=setup.user, enrollment=setup.enrollment)
    first = open_player(setup, clock)
    clock.advance(40)
    issued = beat(setup, clock, first, 0, 40).check_id
    assert issued
    elsewhere = open_player(other, clock)
    assert elsewhere.pending_check_id == issued
    clock.advance(10)
    assert beat(other, clock, elsewhere, 0, 10).reason == Reason.ATTENTION
    assert watched(other).watched_seconds == 0


def test_the_superseded_session_cannot_answer_the_carried_check(setup, clock):
    first = open_player(setup, clock)
    clock.advance(40)
    issued = beat(setup, clock, first, 0, 40).check_id
    open_player(setup, clock)
    with pytest.raises(Exception, match="已在其他页面播放"):
        attention_answer(user=setup.user, token=first.token, check_id=issued, now=clock.now)


# --- The same through the web player's endpoints and the API ------------------------------------------------


def _post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


@pytest.mark.parametrize("kind", ["web", "api"])
def test_silent_gap_and_reopen_through_http(setup, kind):
    client = Client()
    client.force_login(setup.user)
    if kind == "web":
        start_url = reverse("learning:playback_start", args=[setup.enrollment.pk, setup.course.pk])
        beat_url, attention_url = reverse("learning:playback_beat"), reverse("learning:playback_attention")
    else:
        start_url = f"/api/v1/learning/classes/{setup.enrollment.pk}/courses/{setup.course.pk}/play"
        beat_url, attention_url = "/api/v1/learning/play/beat", "/api/v1/learning/play/attention"

    def check_of(data):
        return data.get("check_id") or (data.get("check") or {}).get("id")

    t0 = timezone.now()
    chapter = setup.chapters[0].pk
    with mock.patch("django.utils.timezone.now", return_value=t0):
        token = _post(client, start_url, {}).json()["token"]
    with mock.patch("django.utils.timezone.now", return_value=t0 + dt.timedelta(seconds=200)):
        gap = _post(client, beat_url, {"token": token, "chapter": chapter, "start": 0, "position": 200})
        assert gap.status_code == 200
        body = gap.json()
        assert body["accepted"] and body["credited"] == 30 and body["position"] == 30
        issued = check_of(body)
        assert issued
        reopened = _post(client, start_url, {}).json()
    assert check_of(reopened) == issued
    with mock.patch("django.utils.timezone.now", return_value=t0 + dt.timedelta(seconds=400)):
        refused = _post(
            client, beat_url, {"token": reopened["token"], "chapter": chapter, "start": 30, "position": 200}
        )
        assert refused.json()["reason"] == "attention" and check_of(refused.json()) == issued
        assert _post(client, attention_url, {"token": reopened["token"], "check": issued}).status_code == 200
    with mock.patch("django.utils.timezone.now", return_value=t0 + dt.timedelta(seconds=410)):
        ok = _post(client, beat_url, {"token": reopened["token"], "chapter": chapter, "start": 30, "position": 40})
    assert ok.json()["accepted"] and ok.json()["credited"] == 10
    assert watched(setup).watched_seconds == 40
