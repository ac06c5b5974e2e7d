"""Catalog writes: chapter videos, chapter order, publishing, ratings and previews (试听)."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from cecloud.core.audit import audit_log
from cecloud.core.errors import ServiceError

from . import events, media
from .models import Chapter, Course, HlsStatus, PreviewGrant
from .selectors import catalog_changed

logger = logging.getLogger(__name__)

# 试听: the first chapter's first PREVIEW_SECONDS of media, within a PREVIEW_WINDOW of wall clock once a day.
PREVIEW_SECONDS = int(getattr(settings, "CECLOUD_PREVIEW_SECONDS", 120))
PREVIEW_WINDOW = dt.timedelta(minutes=int(getattr(settings, "CECLOUD_PREVIEW_WINDOW_MINUTES", 10)))
PREVIEW_SALT = "cecloud.catalog.preview"


# --- Chapter videos ------------------------------------------------------------------------------


def hls_enabled() -> bool:
    """Make HLS renditions after upload: CECLOUD_VIDEO_HLS=auto (when ffmpeg exists, default) | off."""
    mode = str(getattr(settings, "CECLOUD_VIDEO_HLS", "auto")).lower()
    return mode != "off" and media.ffmpeg_path() is not None


def read_video_facts(chapter: Chapter) -> tuple[float, int]:
    """(duration in seconds, size in bytes) of the chapter's stored video."""
    storage = chapter.video.storage
    name = chapter.video.name
    size = storage.size(name)
    try:
        local_path = storage.path(name)
    except NotImplementedError:
        local_path = None
    with storage.open(name, "rb") as fh:
        duration = media.probe_duration(fh, size, local_path=local_path)
    return duration, size


@transaction.atomic
def chapter_video_saved(*, chapter: Chapter, actor=None) -> Chapter:
    """After an upload: read the duration from the file and schedule the HLS rendition.

    Raises ServiceError when the file cannot be read as a video.
    """
    if not chapter.video:
        Chapter.objects.filter(pk=chapter.pk).update(
            duration_seconds=0, video_size=0, hls_playlist="", hls_status=HlsStatus.NONE, hls_error=""
        )
        chapter.refresh_from_db()
        return chapter
    try:
        duration, size = read_video_facts(chapter)
    except (media.MediaError, OSError) as exc:
        raise ServiceError(f"无法读取视频时长，请上传 MP4 等常见格式的视频文件（{exc}）") from exc
    chapter.duration_seconds = round(duration, 3)
    chapter.video_size = size
    chapter.hls_playlist = ""
    chapter.hls_error = ""
    chapter.hls_status = HlsStatus.PENDING if hls_enabled() else HlsStatus.NONE
    chapter.save(update_fields=["duration_seconds", "video_size", "hls_playlist", "hls_status", "hls_error"])
    audit_log(
        event_type="catalog.chapter_video",
        actor=actor,
        subject=chapter,
        extra_data={"video": chapter.video.name, "duration": chapter.duration_seconds, "size": size},
    )
    if chapter.hls_status == HlsStatus.PENDING:
        events.chapter_hls_requested.publish_on_commit(chapter_id=chapter.pk, video_name=chapter.video.name)
    return chapter


@transaction.atomic
def chapters_renumber(*, course: Course) -> None:
    """Orders 1..n following the current order (ties by id)."""
    for index, chapter in enumerate(Chapter.objects.select_for_update().filter(course=course).order_by("order", "id")):
        if chapter.order != index + 1:
            Chapter.objects.filter(pk=chapter.pk).update(order=index + 1)


@transaction.atomic
def chapter_move(*, chapter: Chapter, direction: str, actor=None) -> None:
    """Move a chapter one place up or down in its course."""
    if direction not in {"up", "down"}:
        raise ServiceError("无效的移动方向")
    chapters_renumber(course=chapter.course)
    ordered = list(Chapter.objects.filter(course_id=chapter.course_id).order_by("order", "id"))
    index = next(i for i, c in enumerate(ordered) if c.pk == chapter.pk)
    other = index - 1 if direction == "up" else index + 1
    if other < 0 or other >= len(ordered):
        return
    a, b = ordered[index], ordered[other]
    Chapter.objects.filter(pk=a.pk).update(order=b.order)
    Chapter.objects.filter(pk=b.pk).update(order=a.order)
    audit_log(event_type="catalog.chapter_moved", actor=actor, subject=a, extra_data={"direction": direction})


@transaction.atomic
def course_set_published(*, course_ids: list[int], published: bool, actor=None) -> int:
    """Publish or unpublish courses; a course needs chapters with videos to be published."""
    courses = list(Course.objects.filter(pk__in=course_ids).order_by("pk"))
    if published:
        with_video = set(
            Chapter.objects.filter(course_id__in=course_ids)
            .exclude(video="")
            .filter(duration_seconds__gt=0)
            .values_list("course_id", flat=True)
        )
        missing = [c.title for c in courses if c.pk not in with_video]
        if missing:
            raise ServiceError("以下课程没有可播放的章节视频，不能发布：" + "、".join(missing[:10]))
    changed = Course.objects.filter(pk__in=[c.pk for c in courses]).exclude(is_published=published)
    count = changed.update(is_published=published, updated_at=timezone.now())
    for course in courses:
        audit_log(
            event_type="catalog.course_published" if published else "catalog.course_unpublished",
            actor=actor,
            subject=course,
        )
    transaction.on_commit(catalog_changed)
    return count


def course_rating_refresh(*, course_id: int, average: Decimal | float | None, count: int) -> None:
    """Store the course's 综合评价 (average of its evaluations, requirements S8) and the number of ratings.

    Called by the evaluation service after an evaluation is created or changed, with the new
    aggregate computed in the same transaction.
    """
    value = Decimal(str(average or 0)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    value = min(max(value, Decimal("0")), Decimal("5"))
    Course.objects.filter(pk=course_id).update(rating=value, rating_count=max(int(count), 0))
    transaction.on_commit(catalog_changed)


def course_enrolled_increment(*, course_ids: list[int]) -> None:
    """报名人数 +1 for each course (called when a learner confirms them)."""
    if course_ids:
        Course.objects.filter(pk__in=course_ids).update(enrolled_count=F("enrolled_count") + 1)


# --- 试听 -----------------------------------------------------------------------------------------


def preview_chapter(course: Course) -> Chapter | None:
    return Chapter.objects.filter(course=course).exclude(video="").order_by("order", "id").first()


@transaction.atomic
def preview_start(*, user, course: Course, now: dt.datetime | None = None) -> tuple[PreviewGrant, Chapter]:
    """Start (or resume) today's preview of a course's first chapter.

    One window per learner, course and day: the first call starts it, later calls the same day
    resume it until it ends. Previewing never records progress.
    """
    now = now or timezone.now()
    if not getattr(user, "is_authenticated", False):
        raise ServiceError("请先登录")
    if not course.is_published:
        raise ServiceError("该课程未发布")
    chapter = preview_chapter(course)
    if chapter is None or chapter.duration_seconds <= 0:
        raise ServiceError("该课程暂不支持试听")
    day = timezone.localtime(now).date()
    grant = PreviewGrant.objects.filter(user=user, course=course, day=day).first()
    if grant is None:
        try:
            with transaction.atomic():
                grant = PreviewGrant.objects.create(user=user, course=course, day=day, expires_at=now + PREVIEW_WINDOW)
        except IntegrityError:
            grant = PreviewGrant.objects.get(user=user, course=course, day=day)
    if grant.expires_at <= now:
        raise ServiceError("今日该课程的试听时间已用完，请明天再试听或选择课程后学习")
    return grant, chapter


def preview_token(*, grant: PreviewGrant, chapter: Chapter) -> str:
    return signing.dumps({"g": grant.pk, "u": grant.user_id, "c": chapter.pk}, salt=PREVIEW_SALT, compress=True)


def preview_grant_from_token(*, token: str, user, chapter: Chapter, now: dt.datetime | None = None) -> PreviewGrant:
    """The grant a preview token stands for, checked against the user, the chapter and the clock."""
    now = now or timezone.now()
    try:
        data = signing.loads(token, salt=PREVIEW_SALT, max_age=PREVIEW_WINDOW.total_seconds() + 60)
    except signing.BadSignature:
        raise ServiceError("试听链接无效或已过期") from None
    if data.get("u") != user.pk or data.get("c") != chapter.pk:
        raise ServiceError("试听链接无效")
    grant = PreviewGrant.objects.filter(pk=data.get("g"), user=user, course_id=chapter.course_id).first()
    if grant is None or grant.expires_at <= now:
        raise ServiceError("试听时间已结束")
    return grant
