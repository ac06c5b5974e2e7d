"""Server-verified watch time (requirements S5): playback sessions, heartbeats and attention checks.

Progress is what the server saw watched in real time, never what the browser claims. The player
sends a heartbeat every ~10–15 s while playing (and on pause, end and hide) with the chapter,
the playback session token, the position of the previous acknowledged beat (``start``) and the
current position. The interval [start, position] is credited — merged into the union of watched
intervals of that class and chapter — only if all of these hold:

1. the token is the learner's one ACTIVE session (opening the player elsewhere supersedes it);
2. no attention check is waiting for an answer (time while one is pending earns nothing: answering
   moves the baseline to the answer time);
3. the study window is open and the course is confirmed in the class (``assert_can_study``, cached
   for a minute, its window end re-checked on every beat);
4. ``start`` is at or before the furthest point credited (seeking ahead earns nothing; ``EPSILON``
   absorbs float rounding of resumed positions — a hole it skips is never credited);
5. ``position - start`` ≤ server seconds since the previous accepted heartbeat × ``tolerance``.

A rejected beat does not move the baseline, so the next valid beat covers a lost one exactly when
the elapsed server time allows it. Since every accepted interval is bounded by the server time
elapsed since the previous accepted beat of the only active session, the union can never grow
faster than the wall clock × tolerance, whatever positions a client forges.

The settings, the refusal reasons and the cached study gate live in ``playback_rules``; the SQL that
locks and writes a heartbeat's rows in ``heartbeat_rows``.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from cecloud.catalog.models import Chapter, Course
from cecloud.core.errors import ConflictError, ServiceError
from cecloud.training.models import Enrollment

from ..models import AttentionCheck, PlaybackSession, PlaybackStatus, WatchedChapter
from ..progress import chapter_is_complete, intervals_length, intervals_merge
from ..progress import round3 as _r
from ..selectors import assert_can_study
from .heartbeat_rows import ChapterState, lock_rows, write_accepted
from .playback_rules import REASON_COUNTERS, REASON_MESSAGES, PlaybackConfig, Reason, config, study_gate

EPSILON = 0.5  # seconds a beat may start past the furthest point (rounding); never credited as such
MAX_INTERVALS = 1000  # a union this fragmented is not an honest player's


# --- Sessions ------------------------------------------------------------------------------------------


def _ensure_watched_rows(enrollment: Enrollment, course: Course) -> None:
    chapters = Chapter.objects.filter(course=course).exclude(video="").values_list("pk", flat=True)
    WatchedChapter.objects.bulk_create(
        [WatchedChapter(enrollment=enrollment, course=course, chapter_id=pk) for pk in chapters],
        ignore_conflicts=True,
    )


def playback_start(
    *, user, enrollment: Enrollment, course: Course, user_agent: str = "", now: dt.datetime | None = None
) -> PlaybackSession:
    """Open the player: a new ACTIVE session for the learner; any other active one is superseded.

    Raises ServiceError unless the course is confirmed in the class and the study window is open.
    The attention-check schedule carries over from the learner's latest session, so reopening the
    player neither skips nor resets a due check.
    """
    assert_can_study(enrollment=enrollment, course=course)
    cfg = config()
    for attempt in range(3):
        try:
            with transaction.atomic():
                return _start(user=user, enrollment=enrollment, course=course, user_agent=user_agent, now=now, cfg=cfg)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _start(*, user, enrollment, course, user_agent, now, cfg: PlaybackConfig) -> PlaybackSession:
    # Serialise the learner's openings on their account row (the partial unique index is the backstop).
    get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()
    now = now or timezone.now()
    active = list(PlaybackSession.objects.select_for_update().filter(user=user, status=PlaybackStatus.ACTIVE))
    latest = PlaybackSession.objects.filter(user=user).order_by("-started_at", "-pk").first()
    next_check = cfg.next_check_in()
    if latest is not None:
        if latest.pending_check_id:
            next_check = 0.0
        elif math.isfinite(next_check):
            next_check = min(next_check, max(0.0, latest.next_check_at - latest.played_seconds))
    if active:
        PlaybackSession.objects.filter(pk__in=[s.pk for s in active]).update(
            status=PlaybackStatus.SUPERSEDED, ended_at=now
        )
    session = PlaybackSession.objects.create(
        user=user,
        enrollment=enrollment,
        course=course,
        token=secrets.token_urlsafe(32),
        started_at=now,
        last_beat_at=now,
        next_check_at=next_check if math.isfinite(next_check) else 1e12,
        user_agent=(user_agent or "")[:200],
    )
    _ensure_watched_rows(enrollment, course)
    return session


# --- Heartbeats ----------------------------------------------------------------------------------------


@dataclass
class HeartbeatResult:
    accepted: bool
    reason: str
    credited: float = 0.0
    chapter: ChapterState | None = None
    check_id: int | None = None
    message: str = ""

    def as_dict(self) -> dict:
        return {
            "accepted": self.accepted,
            "reason": self.reason,
            "message": self.message or REASON_MESSAGES.get(self.reason, ""),
            "credited": self.credited,
            "chapter": self.chapter.as_dict() if self.chapter else None,
            "check": {"id": self.check_id} if self.check_id else None,
        }


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _reject(session_id: int, reason: str, **extra) -> HeartbeatResult:
    name = REASON_COUNTERS[reason]
    PlaybackSession.objects.filter(pk=session_id).update(**{name: F(name) + 1})
    return HeartbeatResult(False, reason, **extra)


def _slow_path(*, user, token: str, chapter_pk: int | None) -> HeartbeatResult | None:
    """The fast lock found nothing: an unknown token, a chapter outside the course, or a chapter added to
    the course after the player opened (its row is created, then None says: lock again)."""
    session = PlaybackSession.objects.select_for_update().filter(token=token, user_id=user.pk).first()
    if session is None:
        return HeartbeatResult(False, Reason.INVALID)
    if session.status != PlaybackStatus.ACTIVE:
        return _reject(session.pk, Reason.SUPERSEDED)
    if session.pending_check_id:
        return _reject(session.pk, Reason.ATTENTION, check_id=session.pending_check_id)
    if _late_chapter_row(session, chapter_pk) is None:
        return _reject(session.pk, Reason.INVALID)
    return None


def playback_heartbeat(
    *, user, token: str, chapter_id, start, position, now: dt.datetime | None = None
) -> HeartbeatResult:
    """Credit [start, position] of the chapter if every rule holds (see the module docstring)."""
    cfg = config()
    token = str(token or "")[:64]
    start_s, position_s = _number(start), _number(position)
    try:
        chapter_pk = int(chapter_id)
    except (TypeError, ValueError):
        chapter_pk = None
    with transaction.atomic():
        rows = lock_rows(token=token, user_id=user.pk, chapter_pk=chapter_pk) if chapter_pk is not None else None
        if rows is None:
            refused = _slow_path(user=user, token=token, chapter_pk=chapter_pk)
            if refused is not None:
                return refused
            rows = lock_rows(token=token, user_id=user.pk, chapter_pk=chapter_pk)
            if rows is None:
                return HeartbeatResult(False, Reason.INVALID)
        now = now or timezone.now()
        if rows.status != PlaybackStatus.ACTIVE:
            return _reject(rows.session_id, Reason.SUPERSEDED)
        if rows.pending_check_id:
            return _reject(rows.session_id, Reason.ATTENTION, check_id=rows.pending_check_id)
        closed = study_gate(enrollment_id=rows.enrollment_id, course_id=rows.course_id, cfg=cfg)
        if closed:
            return _reject(rows.session_id, Reason.CLOSED, message=closed)
        duration = rows.duration
        state = rows.state()
        if (
            start_s is None
            or position_s is None
            or duration <= 0
            or not (0 <= start_s <= position_s <= duration + 5)
            or len(rows.intervals) >= MAX_INTERVALS
        ):
            return _reject(rows.session_id, Reason.INVALID, chapter=state)
        position_s = min(position_s, duration)
        start_s = min(start_s, position_s)
        if start_s > rows.furthest + EPSILON:
            return _reject(rows.session_id, Reason.AHEAD, chapter=state)
        elapsed = max(0.0, (now - rows.last_beat_at).total_seconds())
        length = position_s - start_s
        if length > elapsed * cfg.tolerance:
            return _reject(rows.session_id, Reason.TOO_FAST, chapter=state)

        # Accepted: merge the interval, move the baseline, maybe issue an attention check.
        before = rows.watched_seconds
        rows.intervals = intervals_merge(rows.intervals, start_s, position_s)
        rows.watched_seconds = min(intervals_length(rows.intervals), _r(duration))
        rows.furthest = _r(max(rows.furthest, position_s))
        rows.last_position = _r(position_s)
        completed = rows.completed_at is None and chapter_is_complete(rows.watched_seconds, duration)
        credited = _r(max(0.0, rows.watched_seconds - before))
        write_accepted(rows, now=now, length=length, credited=credited, completed=completed)
        check_id = None
        if length > 0 and rows.played_seconds + length >= rows.next_check_at:
            check = AttentionCheck.objects.create(
                session_id=rows.session_id, chapter_id=rows.chapter_id, position=rows.last_position, issued_at=now
            )
            PlaybackSession.objects.filter(pk=rows.session_id).update(
                pending_check=check, checks_issued=F("checks_issued") + 1
            )
            check_id = check.pk
        return HeartbeatResult(True, Reason.OK, credited=credited, chapter=rows.state(), check_id=check_id)


def _late_chapter_row(session: PlaybackSession, chapter_pk: int | None) -> WatchedChapter | None:
    """A chapter added to the course after the player opened: create its row on first beat."""
    if chapter_pk is None:
        return None
    chapter = Chapter.objects.filter(pk=chapter_pk, course_id=session.course_id).exclude(video="").first()
    if chapter is None:
        return None
    WatchedChapter.objects.bulk_create(
        [WatchedChapter(enrollment_id=session.enrollment_id, course_id=session.course_id, chapter=chapter)],
        ignore_conflicts=True,
    )
    return (
        WatchedChapter.objects.select_for_update(of=("self",))
        .select_related("chapter")
        .get(enrollment_id=session.enrollment_id, chapter=chapter)
    )


# --- Attention checks --------------------------------------------------------------------------------


@transaction.atomic
def attention_answer(*, user, token: str, check_id, now: dt.datetime | None = None) -> PlaybackSession:
    """The learner clicked “继续学习”: clear the check and restart the clock from now.

    Idempotent for a check already answered. Raises ServiceError for a session that is not the
    learner's or was superseded.
    """
    session = PlaybackSession.objects.select_for_update().filter(token=str(token or "")[:64], user_id=user.pk).first()
    if session is None:
        raise ServiceError("无效的学习记录")
    if session.status != PlaybackStatus.ACTIVE:
        raise ConflictError(REASON_MESSAGES[Reason.SUPERSEDED])
    try:
        check_pk = int(check_id)
    except (TypeError, ValueError):
        raise ServiceError("无效的确认") from None
    if session.pending_check_id is None:
        return session
    if session.pending_check_id != check_pk:
        raise ServiceError("无效的确认")
    now = now or timezone.now()
    AttentionCheck.objects.filter(pk=check_pk).update(answered_at=now)
    cfg = config()
    next_in = cfg.next_check_in()
    session.pending_check = None
    session.last_beat_at = now
    session.checks_answered += 1
    session.next_check_at = session.played_seconds + next_in if math.isfinite(next_in) else 1e12
    session.save(update_fields=["pending_check", "last_beat_at", "checks_answered", "next_check_at"])
    return session
