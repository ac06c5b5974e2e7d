"""Video delivery and 试听 (preview). Access is checked on every request; bytes honour Range."""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_safe

from cecloud.core.errors import ServiceError

from . import services
from .models import Chapter, Course
from .selectors import preview_allowance
from .streaming import redirect_if_remote, serve_ranged

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
    key = f"catalog:watch:{user.pk}:{chapter.course_id}"
    allowed = cache.get(key)
    if allowed is None:
        from cecloud.learning.selectors import person_can_watch

        allowed = person_can_watch(person_id=user.person_id, course_id=chapter.course_id)
        cache.set(key, allowed, WATCH_CACHE_SECONDS)
    return allowed


def _chapter_or_404(pk: int) -> Chapter:
    chapter = Chapter.objects.filter(pk=pk).select_related("course").first()
    if chapter is None or not chapter.video:
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


@login_required
@require_GET
def preview(request, pk: int):
    """试听: the first chapter of a published course, for a limited time, without selecting it."""
    course = get_object_or_404(Course, pk=pk, is_published=True)
    context = {"course": course, "preview_seconds": services.PREVIEW_SECONDS}
    try:
        grant, chapter = services.preview_start(user=request.user, course=course)
    except ServiceError as exc:
        context["error"] = exc.message
    else:
        token = services.preview_token(grant=grant, chapter=chapter)
        context.update(
            {
                "chapter": chapter,
                "video_url": reverse("catalog:preview_video", args=[chapter.pk]) + f"?t={token}",
                "seconds_left": max(0, int((grant.expires_at - timezone.now()).total_seconds())),
                "media_seconds": min(services.PREVIEW_SECONDS, int(chapter.duration_seconds + 0.999)),
            }
        )
    template = "catalog/_preview.html" if request.htmx else "catalog/preview.html"
    return render(request, template, context)


@login_required
@require_safe
def preview_video(request, pk: int):
    """Bytes of a preview: only the first PREVIEW_SECONDS of media, only while the grant lasts."""
    chapter = _chapter_or_404(pk)
    try:
        services.preview_grant_from_token(token=request.GET.get("t", ""), user=request.user, chapter=chapter)
    except ServiceError as exc:
        raise PermissionDenied(exc.message) from None
    allowance = preview_allowance(chapter, seconds=services.PREVIEW_SECONDS)
    if not allowance:
        raise Http404
    return serve_ranged(
        request, chapter.video.storage, chapter.video.name, allowance=allowance, size=chapter.video_size or None
    )
