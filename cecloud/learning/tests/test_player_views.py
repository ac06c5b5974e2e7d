"""The 课程学习 page and its JSON endpoints: ownership, CSRF, status codes, resume and review ranges."""

from __future__ import annotations

import datetime as dt
import json
from unittest import mock

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from cecloud.accounts.factories import LearnerFactory
from cecloud.learning.factories import study_setup
from cecloud.learning.models import PlaybackSession, WatchedChapter
from cecloud.training.models import RegionSchedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    return study_setup(durations=(60.0, 120.0))


@pytest.fixture
def client_in(setup):
    client = Client()
    client.force_login(setup.user)
    return client


def study_url(setup, **params):
    url = reverse("learning:course_study", args=[setup.enrollment.pk, setup.course.pk])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def start_url(setup):
    return reverse("learning:playback_start", args=[setup.enrollment.pk, setup.course.pk])


def post_json(client, url, data, **extra):
    return client.post(url, data=json.dumps(data), content_type="application/json", **extra)


def config_of(response) -> dict:
    html = response.content.decode()
    marker = '<script id="player-config" type="application/json">'
    start = html.index(marker) + len(marker)
    return json.loads(html[start : html.index("</script>", start)])


def test_player_page_lists_chapters_with_progress_and_the_quiz_at_the_end(client_in, setup):
    response = client_in.get(study_url(setup))
    assert response.status_code == 200
    html = response.content.decode()
    assert setup.course.title in html
    for chapter in setup.chapters:
        assert chapter.title in html
    assert "章节目录" in html and "课后测验" in html
    assert "课程进度达 100% 后才可进行课后测验" in html
    assert "hls.min.js" in html and "learning/player.js" in html
    config = config_of(response)
    assert [c["id"] for c in config["chapters"]] == [c.pk for c in setup.chapters]
    assert config["chapters"][0]["src"] == reverse("learning:chapter_video", args=[setup.chapters[0].pk])
    assert config["initial"] == setup.chapters[0].pk
    assert config["urls"]["beat"] == reverse("learning:playback_beat")


def test_player_resumes_the_last_unfinished_chapter(client_in, setup):
    WatchedChapter.objects.create(
        enrollment=setup.enrollment,
        course=setup.course,
        chapter=setup.chapters[1],
        intervals=[[0, 40]],
        watched_seconds=40,
        furthest=40,
        last_position=40,
        updated_at=timezone.now(),
    )
    config = config_of(client_in.get(study_url(setup)))
    assert config["initial"] == setup.chapters[1].pk
    second = config["chapters"][1]
    assert second["resume"] == 40 and second["percent"] == 33.33 and second["furthest"] == 40


def test_review_range_plays_exactly_that_part(client_in, setup):
    config = config_of(client_in.get(study_url(setup, chapter=setup.chapters[1].pk, start=30, end=45)))
    assert config["review"] == {"chapter": setup.chapters[1].pk, "start": 30.0, "end": 45.0}
    assert config["initial"] == setup.chapters[1].pk
    bad = config_of(client_in.get(study_url(setup, chapter=999999, start=30, end=45)))
    assert bad["review"] is None


def test_only_the_learners_own_confirmed_course(setup):
    other = Client()
    other.force_login(LearnerFactory())
    assert other.get(study_url(setup)).status_code == 404
    unconfirmed = study_setup(durations=(30.0,), user=setup.user, enrollment=setup.enrollment)
    unconfirmed.selection.delete()
    own = Client()
    own.force_login(setup.user)
    url = reverse("learning:course_study", args=[setup.enrollment.pk, unconfirmed.course.pk])
    assert own.get(url).status_code == 404
    anonymous = Client().get(study_url(setup))
    assert anonymous.status_code == 302


def test_closed_window_shows_the_reason_instead_of_the_player(client_in, setup):
    today = timezone.localdate()
    RegionSchedule.objects.filter(training_year=setup.enrollment.training_year).update(
        study_start=today - dt.timedelta(days=20), study_end=today - dt.timedelta(days=1)
    )
    html = client_in.get(study_url(setup)).content.decode()
    assert "当前不在学习考试时间内" in html
    assert 'id="player-video"' not in html
    response = post_json(client_in, start_url(setup), {})
    assert response.status_code == 403 and "学习考试时间" in response.json()["detail"]


def test_csrf_is_enforced_on_every_endpoint(setup):
    client = Client(enforce_csrf_checks=True)
    client.force_login(setup.user)
    assert post_json(client, start_url(setup), {}).status_code == 403
    assert post_json(client, reverse("learning:playback_beat"), {}).status_code == 403
    assert post_json(client, reverse("learning:playback_attention"), {}).status_code == 403
    assert not PlaybackSession.objects.exists()
    page = client.get(study_url(setup))
    token = page.cookies["csrftoken"].value
    response = post_json(client, start_url(setup), {}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200 and response.json()["token"]


def test_heartbeat_endpoint_round_trip(client_in, setup):
    t0 = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=t0):
        token = post_json(client_in, start_url(setup), {}).json()["token"]
    beat = reverse("learning:playback_beat")
    chapter = setup.chapters[0].pk
    with mock.patch("django.utils.timezone.now", return_value=t0 + dt.timedelta(seconds=12)):
        ok = post_json(client_in, beat, {"token": token, "chapter": chapter, "start": 0, "position": 12})
        fast = post_json(client_in, beat, {"token": token, "chapter": chapter, "start": 12, "position": 30})
    assert ok.status_code == 200 and ok.json()["accepted"] and ok.json()["chapter"]["watched"] == 12
    assert fast.status_code == 200 and fast.json()["reason"] == "too_fast" and not fast.json()["accepted"]
    assert post_json(client_in, beat, {"token": token}).status_code == 400
    garbage = client_in.post(beat, data=b"not json", content_type="application/json")
    assert garbage.status_code == 400
    with mock.patch("django.utils.timezone.now", return_value=t0 + dt.timedelta(seconds=20)):
        post_json(client_in, start_url(setup), {})  # another page opens the player
        old = post_json(client_in, beat, {"token": token, "chapter": chapter, "start": 12, "position": 20})
    assert old.status_code == 409 and old.json()["message"] == "已在其他页面播放"


@override_settings(CECLOUD_ATTENTION_CHECK_SECONDS="10")
def test_attention_endpoint(client_in, setup):
    t0 = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=t0):
        token = post_json(client_in, start_url(setup), {}).json()["token"]
    beat = reverse("learning:playback_beat")
    with mock.patch("django.utils.timezone.now", return_value=t0 + dt.timedelta(seconds=11)):
        data = post_json(client_in, beat, {"token": token, "chapter": setup.chapters[0].pk, "start": 0, "position": 11})
    check = data.json()["check"]["id"]
    answer = post_json(client_in, reverse("learning:playback_attention"), {"token": token, "check": check})
    assert answer.status_code == 200 and answer.json() == {"ok": True}
    wrong = post_json(client_in, reverse("learning:playback_attention"), {"token": "nope", "check": check})
    assert wrong.status_code == 400


def test_json_endpoints_refuse_anonymous_and_staff(setup):
    anonymous = Client()
    assert post_json(anonymous, reverse("learning:playback_beat"), {}).status_code == 401
    from cecloud.accounts.factories import OperatorFactory

    staff = Client()
    staff.force_login(OperatorFactory())
    assert post_json(staff, reverse("learning:playback_beat"), {}).status_code == 403


def test_bench_endpoint_exists_only_when_enabled(client_in):
    url = reverse("learning:bench_noop")
    assert post_json(client_in, url, {"position": 1}).status_code == 404
    with override_settings(CECLOUD_BENCH_ENDPOINTS=True):
        response = post_json(client_in, url, {"position": 1})
    assert response.status_code == 200 and response.json() == {"ok": True, "echo": 1}


def test_class_home_links_to_the_player_and_shows_progress(client_in, setup):
    WatchedChapter.objects.create(
        enrollment=setup.enrollment,
        course=setup.course,
        chapter=setup.chapters[0],
        intervals=[[0, 60]],
        watched_seconds=60,
        furthest=60,
        last_position=60,
    )
    html = client_in.get(reverse("classroom:class_home", args=[setup.enrollment.pk])).content.decode()
    assert study_url(setup) in html
    assert "课程进度33.33%" in html.replace(" ", "")


def test_my_classes_shows_the_watched_progress(client_in, setup):
    WatchedChapter.objects.create(
        enrollment=setup.enrollment,
        course=setup.course,
        chapter=setup.chapters[0],
        intervals=[[0, 60]],
        watched_seconds=60,
        furthest=60,
        last_position=60,
    )
    html = client_in.get(reverse("classroom:my_classes")).content.decode()
    assert "课程学习进度 <b>33.33</b>%" in html
