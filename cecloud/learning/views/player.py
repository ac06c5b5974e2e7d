"""课程学习: the player page and its JSON endpoints (session start, heartbeat, attention check).

The JSON endpoints are plain Django views behind the normal middleware: the session cookie
authenticates, CSRF is enforced (the page sends the token in ``X-CSRFToken``), and every rule
lives in ``services.playback``. Status codes: 200 for a heartbeat the server answered (accepted or
not, see ``reason``), 409 when the session was superseded, 403 when studying is closed, 400 for
malformed input, 401/403 for the wrong user.
"""

from __future__ import annotations

import json
import math
from pathlib import PurePosixPath

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_POST

from cecloud.core.errors import ServiceError
from cecloud.core.roles import Role, learner_required
from cecloud.core.throttle import rate_limited

from .. import throttles
from ..progress import ChapterProgress, course_chapters, course_percent
from ..selectors import assert_can_study, learner_course, learner_course_or_404
from ..services import playback, playback_rules

MAX_BODY = 2048


def quiz_url(enrollment_id: int, course_id: int) -> str:
    try:
        return reverse("exams:course_quiz", args=[enrollment_id, course_id])
    except NoReverseMatch:
        return ""


def _float_param(value: str | None) -> float | None:
    try:
        number = float(value) if value not in (None, "") else None
    except ValueError:
        return None
    return number if number is not None and math.isfinite(number) and number >= 0 else None


def _initial_chapter(chapters: list[ChapterProgress]) -> ChapterProgress | None:
    """Resume where the learner left off: the chapter last played unless complete, else the first unfinished."""
    if not chapters:
        return None
    played = [c for c in chapters if c.updated_at is not None]
    if played:
        last = max(played, key=lambda c: c.updated_at)
        if not last.complete:
            return last
    return next((c for c in chapters if not c.complete), chapters[0])


def _chapter_payload(item: ChapterProgress) -> dict:
    chapter = item.chapter
    hls = ""
    if chapter.has_hls:
        hls = reverse("learning:chapter_hls", args=[chapter.pk, PurePosixPath(chapter.hls_playlist).name])
    return {
        "id": chapter.pk,
        "title": chapter.title,
        "duration": item.duration,
        "watched": item.watched,
        "furthest": item.furthest,
        "resume": item.resume_at,
        "percent": item.percent,
        "complete": item.complete,
        "src": reverse("learning:chapter_video", args=[chapter.pk]),
        "hls": hls,
    }


@learner_required
@require_GET
def course_study(request, pk: int, course_pk: int):
    enrollment, selection = learner_course_or_404(user=request.user, enrollment_id=pk, course_id=course_pk)
    course = selection.course
    chapters = course_chapters(enrollment_id=enrollment.pk, course_id=course.pk)
    progress = course_percent((c.duration, c.watched) for c in chapters)
    closed = ""
    try:
        assert_can_study(enrollment=enrollment, course=course)
    except ServiceError as exc:
        closed = exc.message

    review = None
    by_id = {c.chapter.pk: c for c in chapters}
    initial = _initial_chapter(chapters)
    try:
        review_chapter = by_id.get(int(request.GET.get("chapter", "")))
    except ValueError:
        review_chapter = None
    if review_chapter is not None:
        initial = review_chapter
        start = _float_param(request.GET.get("start"))
        end = _float_param(request.GET.get("end"))
        if start is not None:
            start = min(start, review_chapter.duration)
            if end is None or end <= start:
                end = review_chapter.duration
            review = {"chapter": review_chapter.chapter.pk, "start": start, "end": min(end, review_chapter.duration)}

    config = {
        "heartbeat": float(getattr(settings, "CECLOUD_HEARTBEAT_SECONDS", 12)),
        "urls": {
            "start": reverse("learning:playback_start", args=[enrollment.pk, course.pk]),
            "beat": reverse("learning:playback_beat"),
            "attention": reverse("learning:playback_attention"),
            "quiz": quiz_url(enrollment.pk, course.pk),
        },
        "chapters": [_chapter_payload(c) for c in chapters],
        "initial": initial.chapter.pk if initial else None,
        "review": review,
        "closed": closed,
    }
    return render(
        request,
        "learning/player.html",
        {
            "enrollment": enrollment,
            "course": course,
            "selection": selection,
            "chapters": chapters,
            "initial": initial,
            "progress": progress,
            "quiz_url": config["urls"]["quiz"],
            "closed": closed,
            "review": review,
            "player_config": config,
            "heartbeat_seconds": int(config["heartbeat"]),
            "center_section": "classes",
        },
    )


# --- JSON endpoints -----------------------------------------------------------------------------------


def _json_body(request) -> dict | None:
    if len(request.body) > MAX_BODY:
        return None
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _learner_or_error(request) -> JsonResponse | None:
    user = request.user
    if not user.is_authenticated:
        return JsonResponse({"detail": "请先登录", "reason": "login"}, status=401)
    if user.role != Role.LEARNER:
        return JsonResponse({"detail": "无权访问", "reason": "forbidden"}, status=403)
    return None


@require_POST
def playback_start(request, pk: int, course_pk: int):
    error = _learner_or_error(request)
    if error:
        return error
    found = learner_course(user=request.user, enrollment_id=pk, course_id=course_pk)
    if found is None:
        return JsonResponse({"detail": "请先在选课页面选择并确认该课程后再学习", "reason": "closed"}, status=403)
    enrollment, selection = found
    try:
        session = playback.playback_start(
            user=request.user,
            enrollment=enrollment,
            course=selection.course,
            user_agent=request.headers.get("User-Agent", ""),
        )
    except ServiceError as exc:
        return JsonResponse({"detail": exc.message, "reason": "closed"}, status=403)
    chapters = course_chapters(enrollment_id=enrollment.pk, course_id=selection.course_id)
    return JsonResponse(
        {
            "token": session.token,
            "heartbeat": float(getattr(settings, "CECLOUD_HEARTBEAT_SECONDS", 12)),
            "chapters": [_chapter_payload(c) for c in chapters],
            "check": {"id": session.pending_check_id} if session.pending_check_id else None,
        }
    )


@require_POST
@rate_limited(throttles.HEARTBEAT, key="user")
def playback_beat(request):
    """One heartbeat: {"token", "chapter", "start", "position"} → the server's verdict."""
    error = _learner_or_error(request)
    if error:
        return error
    data = _json_body(request)
    if data is None:
        return JsonResponse({"accepted": False, "reason": "invalid", "message": "无效的学习记录"}, status=400)
    result = playback.playback_heartbeat(
        user=request.user,
        token=data.get("token"),
        chapter_id=data.get("chapter"),
        start=data.get("start"),
        position=data.get("position"),
    )
    return JsonResponse(result.as_dict(), status=playback_rules.HTTP_STATUS.get(result.reason, 200))


@require_POST
@rate_limited(throttles.ATTENTION, key="user")
def playback_attention(request):
    """The learner clicked “继续学习” on an attention check: {"token", "check"}."""
    error = _learner_or_error(request)
    if error:
        return error
    data = _json_body(request)
    if data is None:
        return JsonResponse({"detail": "无效的确认"}, status=400)
    try:
        playback.attention_answer(user=request.user, token=data.get("token"), check_id=data.get("check"))
    except ServiceError as exc:
        return JsonResponse({"detail": exc.message, "reason": exc.code}, status=409 if exc.code == "conflict" else 400)
    return JsonResponse({"ok": True})


@require_POST
def bench_noop(request):
    """Benchmarks only (CECLOUD_BENCH_ENDPOINTS): an authenticated JSON endpoint that does nothing,
    behind the same middleware and checks as the heartbeat — the baseline of bench/heartbeat.py."""
    if not getattr(settings, "CECLOUD_BENCH_ENDPOINTS", False):
        raise Http404
    error = _learner_or_error(request)
    if error:
        return error
    data = _json_body(request)
    if data is None:
        return JsonResponse({"ok": False}, status=400)
    return JsonResponse({"ok": True, "echo": data.get("position")})
