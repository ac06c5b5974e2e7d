"""Chapter videos for the player (MP4 with Range, HLS playlist and segments).

The bytes are catalog's (``catalog.streaming``); who may fetch them is learning's rule (a course
confirmed in a class whose study window is open), checked on every request and cached briefly.
"""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.views.decorators.http import require_safe

from cecloud.catalog.models import Chapter
from cecloud.catalog.selectors import chapter_with_video
from cecloud.catalog.streaming import redirect_if_remote, serve_ranged

from ..selectors import person_can_watch

WATCH_CACHE_SECONDS = 60
_HLS_NAME = re.compile(r"^[A-Za-z0-9_-]+\.(m3u8|ts)$")


def can_watch(user, chapter: Chapter) -> bool:
    """Operators always; a learner when the course is confirmed in a class whose study window is open."""
    if not user.is_authenticated:
        return False
    if user.is_operator:
        return True
    if not user.is_learner or not user.person_id:
        return False
    key = f"learning:watch:{user.pk}:{chapter.course_id}"
    allowed = cache.get(key)
    if allowed is None:
        allowed = person_can_watch(person_id=user.person_id, course_id=chapter.course_id)
        cache.set(key, allowed, WATCH_CACHE_SECONDS)
    return allowed


def _chapter_or_404(pk: int) -> Chapter:
    chapter = chapter_with_video(pk)
    if chapter is None:
        raise Http404
    return chapter


@login_required
@require_safe
def chapter_video(request, pk: int):
    """The chapter's video for the player: a redirect to object storage, or range-served bytes."""
    chapter = _chapter_or_404(pk)
    if not can_watch(request.user, chapter):
        raise PermissionDenied("请先选择并确认该课程")
    storage, name = chapter.video.storage, chapter.video.name
    remote = redirect_if_remote(storage, name)
    if remote is not None:
        return remote
    return serve_ranged(request, storage, name, size=chapter.video_size or None)


@login_required
@require_safe
def chapter_hls(request, pk: int, name: str):
    """The HLS playlist and segments of a chapter (same access rule as the MP4)."""
    chapter = _chapter_or_404(pk)
    if not chapter.has_hls or not _HLS_NAME.match(name):
        raise Http404
    if not can_watch(request.user, chapter):
        raise PermissionDenied("请先选择并确认该课程")
    storage = chapter.video.storage
    path = chapter.hls_playlist.rsplit("/", 1)[0] + "/" + name
    if not storage.exists(path):
        raise Http404
    if name.endswith(".ts"):
        remote = redirect_if_remote(storage, path)
        if remote is not None:
            return remote
    return serve_ranged(request, storage, path, cache_seconds=300 if name.endswith(".ts") else 0)
