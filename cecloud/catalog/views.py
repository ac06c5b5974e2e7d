"""试听 (preview): a published course's first chapter for a limited time, bytes honouring Range.

The player's own chapter videos are served by ``learning.views.media`` (learning decides who may watch)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_safe

from cecloud.core.errors import ServiceError

from . import services
from .models import Chapter, Course
from .selectors import chapter_with_video, preview_allowance
from .streaming import serve_ranged


def _chapter_or_404(pk: int) -> Chapter:
    chapter = chapter_with_video(pk)
    if chapter is None:
        raise Http404
    return chapter


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
