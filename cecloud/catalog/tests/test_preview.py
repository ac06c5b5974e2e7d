"""试听: the first chapter, limited media and a limited window a day, for anyone logged in; never progress."""

from __future__ import annotations

import datetime as dt
import math
import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from cecloud.accounts.factories import LearnerFactory, UnitHRFactory
from cecloud.catalog import services
from cecloud.catalog.factories import ChapterFactory, CourseFactory, demo_video_bytes
from cecloud.catalog.models import PreviewGrant
from cecloud.catalog.selectors import preview_allowance
from cecloud.core.errors import ServiceError
from cecloud.learning.models import CourseSelection

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    course = CourseFactory()
    ChapterFactory(course=course, order=2, title="第二讲")
    ChapterFactory(course=course, order=1, title="第一讲")
    return course


def _video_url(html: str) -> str:
    return re.search(r'src="([^"]+preview-video[^"]+)"', html).group(1).replace("&amp;", "&")


def test_preview_shows_the_first_chapter_to_any_logged_in_user(client, course):
    client.force_login(UnitHRFactory())  # not even a learner
    response = client.get(reverse("catalog:preview", args=[course.pk]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "第一讲" in html and "第二讲" not in html
    assert "试听不计入学习进度" in html
    video = client.get(_video_url(html))
    assert video.status_code == 206  # always partial: never the whole file unasked
    assert video["Accept-Ranges"] == "bytes"


def test_anonymous_visitors_cannot_preview(client, course):
    response = client.get(reverse("catalog:preview", args=[course.pk]))
    assert response.status_code == 302


def test_unpublished_course_has_no_preview(client):
    course = CourseFactory(is_published=False)
    ChapterFactory(course=course)
    client.force_login(LearnerFactory())
    assert client.get(reverse("catalog:preview", args=[course.pk])).status_code == 404


def test_preview_never_creates_a_selection_or_progress(client, course):
    user = LearnerFactory()
    client.force_login(user)
    html = client.get(reverse("catalog:preview", args=[course.pk])).content.decode()
    b"".join(client.get(_video_url(html)).streaming_content)
    assert not CourseSelection.objects.exists()
    assert PreviewGrant.objects.filter(user=user, course=course).count() == 1


def test_the_token_is_bound_to_the_user_and_the_chapter(client, course):
    owner = LearnerFactory()
    client.force_login(owner)
    url = _video_url(client.get(reverse("catalog:preview", args=[course.pk])).content.decode())
    client.force_login(LearnerFactory())
    assert client.get(url).status_code == 403
    client.force_login(owner)
    other_chapter = course.chapters.get(order=2)
    token = url.split("?t=")[1]
    assert client.get(reverse("catalog:preview_video", args=[other_chapter.pk]) + f"?t={token}").status_code == 403
    assert (
        client.get(reverse("catalog:preview_video", args=[course.chapters.get(order=1).pk]) + "?t=forged").status_code
        == 403
    )


def test_the_window_lasts_a_limited_time_once_a_day(course):
    user = LearnerFactory()
    start = timezone.now()
    grant, chapter = services.preview_start(user=user, course=course, now=start)
    assert grant.expires_at == start + services.PREVIEW_WINDOW
    again, _ = services.preview_start(user=user, course=course, now=start + dt.timedelta(minutes=1))
    assert again.pk == grant.pk  # resumed, not restarted
    token = services.preview_token(grant=grant, chapter=chapter)
    services.preview_grant_from_token(token=token, user=user, chapter=chapter, now=start + dt.timedelta(minutes=2))
    later = start + services.PREVIEW_WINDOW + dt.timedelta(seconds=1)
    with pytest.raises(ServiceError, match="试听时间已用完"):
        services.preview_start(user=user, course=course, now=later)
    with pytest.raises(ServiceError, match="试听时间已结束"):
        services.preview_grant_from_token(token=token, user=user, chapter=chapter, now=later)
    tomorrow = start + dt.timedelta(days=1)
    fresh, _ = services.preview_start(user=user, course=course, now=tomorrow)
    assert fresh.pk != grant.pk


def test_an_expired_window_refuses_the_bytes(client, course):
    user = LearnerFactory()
    client.force_login(user)
    url = _video_url(client.get(reverse("catalog:preview", args=[course.pk])).content.decode())
    PreviewGrant.objects.filter(user=user).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(url, HTTP_RANGE="bytes=0-").status_code == 403
    html = client.get(reverse("catalog:preview", args=[course.pk])).content.decode()
    assert "今日该课程的试听时间已用完" in html


def test_only_the_first_minutes_of_media_are_served(client, monkeypatch):
    """A 6-second video with a 2-second preview: only the first third of the bytes (and the moov)."""
    course = CourseFactory()
    data = demo_video_bytes(4)
    chapter = ChapterFactory(
        course=course, order=1, video=ContentFile(data, name="v.mp4"), duration_seconds=6.0, video_size=len(data)
    )
    allowance = preview_allowance(chapter, seconds=2)
    limit = math.ceil(len(data) * 2 / 6)
    assert allowance[0].start == 0 and allowance[0].end == limit - 1
    assert len(allowance) == 1  # faststart file: the index is inside the allowed start

    user = LearnerFactory()
    client.force_login(user)
    grant, _ = services.preview_start(user=user, course=course)
    url = (
        reverse("catalog:preview_video", args=[chapter.pk])
        + "?t="
        + services.preview_token(grant=grant, chapter=chapter)
    )
    monkeypatch.setattr(services, "PREVIEW_SECONDS", 2)
    response = client.get(url, HTTP_RANGE="bytes=0-")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 0-{limit - 1}/{len(data)}"
    assert b"".join(response.streaming_content) == data[:limit]
    assert client.get(url, HTTP_RANGE=f"bytes={limit}-").status_code == 416
    assert client.get(url, HTTP_RANGE="bytes=-100").status_code == 416
    middle = client.get(url, HTTP_RANGE=f"bytes=10-{limit + 500}")
    assert middle["Content-Range"] == f"bytes 10-{limit - 1}/{len(data)}"


def test_a_non_faststart_file_may_also_fetch_its_index():
    import struct

    def box(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I4s", 8 + len(payload), kind) + payload

    mvhd = box(b"mvhd", bytes([0, 0, 0, 0]) + struct.pack(">IIII", 0, 0, 1000, 600_000) + bytes(80))
    data = box(b"ftyp", b"isom\x00\x00\x02\x00") + box(b"mdat", bytes(100_000)) + box(b"moov", mvhd)
    chapter = ChapterFactory(video=ContentFile(data, name="slow.mp4"), duration_seconds=600.0, video_size=len(data))
    spans = preview_allowance(chapter, seconds=120)
    assert spans[0].start == 0 and spans[0].end == math.ceil(len(data) * 120 / 600) - 1
    moov_start = len(data) - len(box(b"moov", mvhd))
    assert (spans[1].start, spans[1].end) == (moov_start, len(data) - 1)


def test_a_course_without_video_has_no_preview():
    course = CourseFactory()
    ChapterFactory(course=course, video=None, duration_seconds=0)
    with pytest.raises(ServiceError, match="暂不支持试听"):
        services.preview_start(user=LearnerFactory(), course=course)
