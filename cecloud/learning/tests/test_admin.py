"""Back office: read-only playback oversight (counters per session, attention checks) and evaluations."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cecloud.accounts.factories import OperatorFactory
from cecloud.learning.factories import Clock, study_setup
from cecloud.learning.models import PlaybackSession
from cecloud.learning.services.playback import playback_heartbeat, playback_start

pytestmark = pytest.mark.django_db


def test_playback_sessions_are_listed_with_counters_and_bots_stand_out():
    honest, bot = study_setup(durations=(60.0,), name="认真学员"), study_setup(durations=(60.0,), name="刷课脚本")
    clock = Clock()
    sessions = {
        name: playback_start(user=s.user, enrollment=s.enrollment, course=s.course, now=clock.now)
        for name, s in (("honest", honest), ("bot", bot))
    }
    clock.advance(10)
    playback_heartbeat(
        user=honest.user,
        token=sessions["honest"].token,
        chapter_id=honest.chapters[0].pk,
        start=0,
        position=10,
        now=clock.now,
    )
    for i in range(5):  # skipping ahead again and again
        playback_heartbeat(
            user=bot.user,
            token=sessions["bot"].token,
            chapter_id=bot.chapters[0].pk,
            start=20 + i,
            position=30 + i,
            now=clock.now,
        )
    client = Client()
    client.force_login(OperatorFactory())
    url = reverse("admin:learning_playbacksession_changelist")
    page = client.get(url).content.decode()
    assert "认真学员" in page and "刷课脚本" in page
    flagged = client.get(url + "?suspicious=rejected").content.decode()
    assert "刷课脚本" in flagged and "认真学员" not in flagged
    assert PlaybackSession.objects.get(pk=sessions["bot"].pk).rejected_ahead == 5
    for name in ("attentioncheck", "watchedchapter", "courseevaluation"):
        assert client.get(reverse(f"admin:learning_{name}_changelist")).status_code == 200
    detail = client.get(reverse("admin:learning_playbacksession_change", args=[sessions["bot"].pk])).content.decode()
    assert sessions["bot"].token not in detail  # the token is never shown
