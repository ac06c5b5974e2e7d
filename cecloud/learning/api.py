"""在线学习 for mobile apps (requirements S12) under /api/v1/learning/: course progress, opening the player,
heartbeats and attention checks — the same services as the web player (session auth, CSRF enforced)."""

from __future__ import annotations

from ninja import Router, Schema, Status

from cecloud.core import throttle
from cecloud.core.errors import PermissionDeniedError
from cecloud.core.roles import Role

from . import throttles
from .progress import course_chapters, course_percent
from .selectors import learner_course_or_404
from .services import playback, playback_rules

router = Router(tags=["在线学习"])


class ChapterOut(Schema):
    id: int
    title: str
    duration: float
    watched: float
    furthest: float
    resume: float
    percent: float
    complete: bool


class ProgressOut(Schema):
    course_id: int
    progress: float
    quiz_unlocked: bool
    chapters: list[ChapterOut]


class SessionOut(Schema):
    token: str
    heartbeat_seconds: float
    check_id: int | None = None


class BeatIn(Schema):
    token: str
    chapter: int
    start: float
    position: float


class BeatChapterOut(Schema):
    id: int
    duration: float
    watched: float
    furthest: float
    last_position: float
    percent: float
    complete: bool


class BeatOut(Schema):
    accepted: bool
    reason: str
    message: str
    credited: float
    chapter: BeatChapterOut | None = None
    check_id: int | None = None


class AttentionIn(Schema):
    token: str
    check: int


def _selection(request, enrollment_id: int, course_id: int):
    if request.user.role != Role.LEARNER:
        raise PermissionDeniedError("无权访问")
    return learner_course_or_404(user=request.user, enrollment_id=enrollment_id, course_id=course_id)


@router.get("/classes/{enrollment_id}/courses/{course_id}/progress", response=ProgressOut)
def course_progress(request, enrollment_id: int, course_id: int):
    """Chapters with their watched share and resume position; the course's progress."""
    enrollment, selection = _selection(request, enrollment_id, course_id)
    chapters = course_chapters(enrollment_id=enrollment.pk, course_id=selection.course_id)
    progress = course_percent((c.duration, c.watched) for c in chapters)
    return {
        "course_id": selection.course_id,
        "progress": float(progress),
        "quiz_unlocked": progress >= 100,
        "chapters": [
            {
                "id": c.chapter.pk,
                "title": c.chapter.title,
                "duration": c.duration,
                "watched": c.watched,
                "furthest": c.furthest,
                "resume": c.resume_at,
                "percent": c.percent,
                "complete": c.complete,
            }
            for c in chapters
        ],
    }


@router.post("/classes/{enrollment_id}/courses/{course_id}/play", response=SessionOut)
def open_player(request, enrollment_id: int, course_id: int):
    """Open the player: the learner's one active playback session (any other is superseded)."""
    enrollment, selection = _selection(request, enrollment_id, course_id)
    session = playback.playback_start(
        user=request.user,
        enrollment=enrollment,
        course=selection.course,
        user_agent=request.headers.get("User-Agent", ""),
    )
    return {
        "token": session.token,
        "heartbeat_seconds": playback_rules.config().heartbeat_seconds,
        "check_id": session.pending_check_id,
    }


@router.post("/play/beat", response={200: BeatOut, 400: BeatOut, 403: BeatOut, 409: BeatOut, 429: dict})
def beat(request, payload: BeatIn):
    """A heartbeat: the interval [start, position] of the chapter, credited only if the server agrees.

    200 with ``accepted`` false for too_fast / ahead / attention; 409 superseded; 403 closed; 400 invalid;
    429 past the per-learner limit (``Retry-After``).
    """
    if request.user.role != Role.LEARNER:
        raise PermissionDeniedError("无权访问")
    if refused := throttle.check(request, throttles.HEARTBEAT, key="user"):
        return refused
    result = playback.playback_heartbeat(
        user=request.user,
        token=payload.token,
        chapter_id=payload.chapter,
        start=payload.start,
        position=payload.position,
    )
    data = result.as_dict()
    data["check_id"] = result.check_id
    return Status(playback_rules.HTTP_STATUS.get(result.reason, 200), data)


@router.post("/play/attention")
def attention(request, payload: AttentionIn):
    """The learner confirmed an attention check ("继续学习")."""
    if refused := throttle.check(request, throttles.ATTENTION, key="user"):
        return refused
    playback.attention_answer(user=request.user, token=payload.token, check_id=payload.check)
    return {"ok": True}
