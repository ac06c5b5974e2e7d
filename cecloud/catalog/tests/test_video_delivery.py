"""Chapter videos: range requests, who may watch, object storage redirects, HLS renditions."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.urls import reverse

from cecloud.accounts.factories import LearnerFactory, OperatorFactory, UnitHRFactory
from cecloud.catalog import media, services, tasks
from cecloud.catalog.factories import ChapterFactory, CourseFactory, demo_video_bytes
from cecloud.catalog.models import HlsStatus
from cecloud.catalog.streaming import ByteSpan, RangeNotSatisfiable, parse_range
from cecloud.learning.services import selection_add, selection_confirm
from cecloud.training.factories import enrollment_for, open_schedule

pytestmark = pytest.mark.django_db


# --- Range header parsing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", ByteSpan(0, 99)),
        ("bytes=100-", ByteSpan(100, 999)),
        ("bytes=-50", ByteSpan(950, 999)),
        ("bytes=-5000", ByteSpan(0, 999)),
        ("bytes=900-5000", ByteSpan(900, 999)),
        ("bytes=999-999", ByteSpan(999, 999)),
        (None, None),
        ("", None),
        ("bytes=5-1", None),  # invalid: ignored
        ("items=0-1", None),  # unknown unit: ignored
        ("bytes=0-1,5-6", None),  # several ranges: the whole file
        ("bytes=abc", None),
    ],
)
def test_parse_range(header, expected):
    assert parse_range(header, 1000) == expected


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=5000-6000", "bytes=-0"])
def test_unsatisfiable_ranges(header):
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, 1000)


# --- Who may watch ---------------------------------------------------------------------------------------


@pytest.fixture
def chapter():
    return ChapterFactory(course=CourseFactory(hours=Decimal("2")))


@pytest.fixture
def learner_with_course(chapter):
    user = LearnerFactory()
    enrollment = enrollment_for(user.person, 2023)
    selection_add(enrollment=enrollment, course=chapter.course)
    selection_confirm(enrollment=enrollment)
    return user, enrollment


def _video_url(chapter):
    return reverse("learning:chapter_video", args=[chapter.pk])


def test_anonymous_is_sent_to_login(client, chapter):
    response = client.get(_video_url(chapter))
    assert response.status_code == 302
    assert "/accounts/login" in response["Location"] or "next=" in response["Location"]


def test_a_learner_without_the_confirmed_course_may_not_watch(client, chapter):
    user = LearnerFactory()
    enrollment = enrollment_for(user.person, 2023)
    client.force_login(user)
    assert client.get(_video_url(chapter)).status_code == 403
    selection_add(enrollment=enrollment, course=chapter.course)  # a candidate is not enough
    assert client.get(_video_url(chapter)).status_code == 403


def test_staff_portals_may_not_watch_but_operators_may(client, chapter):
    client.force_login(UnitHRFactory())
    assert client.get(_video_url(chapter)).status_code == 403
    client.force_login(OperatorFactory())
    assert client.get(_video_url(chapter)).status_code == 200


def test_whole_file_with_accept_ranges(client, chapter, learner_with_course):
    client.force_login(learner_with_course[0])
    response = client.get(_video_url(chapter))
    data = demo_video_bytes(1)
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "video/mp4"
    assert int(response["Content-Length"]) == len(data)
    assert b"".join(response.streaming_content) == data


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [("bytes=0-99", 0, 99), ("bytes=100-", 100, None), ("bytes=-64", -64, None)],
)
def test_partial_content(client, chapter, learner_with_course, header, start, end):
    client.force_login(learner_with_course[0])
    data = demo_video_bytes(1)
    size = len(data)
    response = client.get(_video_url(chapter), HTTP_RANGE=header)
    assert response.status_code == 206
    first = start if start >= 0 else size + start
    last = size - 1 if end is None else end
    assert response["Content-Range"] == f"bytes {first}-{last}/{size}"
    assert int(response["Content-Length"]) == last - first + 1
    assert b"".join(response.streaming_content) == data[first : last + 1]


def test_range_past_the_end_is_416(client, chapter, learner_with_course):
    client.force_login(learner_with_course[0])
    size = len(demo_video_bytes(1))
    response = client.get(_video_url(chapter), HTTP_RANGE=f"bytes={size}-")
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{size}"


def test_head_gives_headers_only(client, chapter, learner_with_course):
    client.force_login(learner_with_course[0])
    response = client.head(_video_url(chapter), HTTP_RANGE="bytes=0-9")
    assert response.status_code == 206
    assert response["Content-Length"] == "10"
    assert response.content == b""


def test_outside_the_study_window_the_video_is_refused(client, chapter, learner_with_course):
    user, enrollment = learner_with_course
    today = dt.date.today()
    open_schedule(
        enrollment.region.city,
        2023,
        study_start=today - dt.timedelta(days=20),
        study_end=today - dt.timedelta(days=1),
    )
    client.force_login(user)
    assert client.get(_video_url(chapter)).status_code == 403


class SignedUrlStorage(FileSystemStorage):
    """Stands for an S3-compatible backend: absolute, signed, short-lived URLs."""

    def url(self, name):
        return f"https://oss.example.com/{name}?X-Amz-Expires=300&X-Amz-Signature=abc"


def test_object_storage_redirects_to_a_short_lived_url(client, chapter, learner_with_course, settings):
    client.force_login(learner_with_course[0])
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.SignedUrlStorage", "OPTIONS": {"location": settings.MEDIA_ROOT}},
    }
    response = client.get(_video_url(chapter))
    assert response.status_code == 302
    assert response["Location"] == f"https://oss.example.com/{chapter.video.name}?X-Amz-Expires=300&X-Amz-Signature=abc"
    assert "no-store" in response["Cache-Control"]


# --- Upload handling and HLS -------------------------------------------------------------------------------


def test_uploaded_video_duration_is_read_and_hls_scheduled(monkeypatch, django_capture_on_commit_callbacks):
    chapter = ChapterFactory(video=None, duration_seconds=0, video_size=0)
    chapter.video.save("lesson.mp4", ContentFile(demo_video_bytes(3)), save=True)
    calls = []
    monkeypatch.setattr(tasks.chapter_make_hls, "delay", lambda *args: calls.append(args))
    monkeypatch.setattr(services, "hls_enabled", lambda: True)
    with django_capture_on_commit_callbacks(execute=True):
        services.chapter_video_saved(chapter=chapter)
    chapter.refresh_from_db()
    assert chapter.duration_seconds == pytest.approx(5.0, abs=0.1)
    assert chapter.video_size == len(demo_video_bytes(3))
    assert chapter.hls_status == HlsStatus.PENDING
    assert calls == [(chapter.pk, chapter.video.name)]


def test_a_file_that_is_not_a_video_is_refused():
    chapter = ChapterFactory(video=ContentFile(b"hello, not a video", name="x.mp4"))
    with pytest.raises(services.ServiceError, match="无法读取视频时长"):
        services.chapter_video_saved(chapter=chapter)


def test_without_ffmpeg_the_rendition_is_marked_unavailable(monkeypatch):
    chapter = ChapterFactory()
    monkeypatch.setattr(media, "ffmpeg_path", lambda: None)
    assert tasks.chapter_make_hls(chapter.pk, chapter.video.name) == HlsStatus.UNAVAILABLE
    chapter.refresh_from_db()
    assert chapter.hls_status == HlsStatus.UNAVAILABLE
    assert not services.hls_enabled()


def test_a_stale_job_leaves_the_chapter_alone():
    chapter = ChapterFactory()
    assert tasks.chapter_make_hls(chapter.pk, "videos/some-older-upload.mp4") == "stale"
    chapter.refresh_from_db()
    assert chapter.hls_status == HlsStatus.NONE


def test_hls_rendition_with_ffmpeg_and_its_delivery(client, chapter, learner_with_course):
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg not installed (CI installs it)")
    chapter.video.save("long.mp4", ContentFile(demo_video_bytes(4)), save=True)
    assert tasks.chapter_make_hls(chapter.pk, chapter.video.name) == HlsStatus.READY
    chapter.refresh_from_db()
    assert chapter.has_hls
    assert chapter.hls_playlist.startswith(f"hls/{chapter.pk}/") and chapter.hls_playlist.endswith("index.m3u8")
    playlist = chapter.video.storage.open(chapter.hls_playlist).read().decode()
    assert "#EXTM3U" in playlist and "#EXT-X-ENDLIST" in playlist
    segment = next(line for line in playlist.splitlines() if line.endswith(".ts"))

    client.force_login(learner_with_course[0])
    response = client.get(reverse("learning:chapter_hls", args=[chapter.pk, "index.m3u8"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.apple.mpegurl"
    assert b"#EXTM3U" in b"".join(response.streaming_content)
    response = client.get(reverse("learning:chapter_hls", args=[chapter.pk, segment]))
    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp2t"
    assert client.get(reverse("learning:chapter_hls", args=[chapter.pk, "..%2Fsecret.ts"])).status_code == 404

    client.force_login(LearnerFactory())
    assert client.get(reverse("learning:chapter_hls", args=[chapter.pk, "index.m3u8"])).status_code == 403
