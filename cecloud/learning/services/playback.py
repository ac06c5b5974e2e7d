"""Server-verified watch time (SPEC S5): playback sessions, heartbeats and attention checks.

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
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from cecloud.catalog.models import Chapter, Course
from cecloud.core.errors import ConflictError, ServiceError
from cecloud.training.models import Enrollment

from ..models import AttentionCheck, PlaybackSession, PlaybackStatus, WatchedChapter
from ..progress import chapter_is_complete, chapter_percent, intervals_length, intervals_merge
from ..progress import round3 as _r
from ..selectors import assert_can_study

EPSILON = 0.5  # seconds a beat may start past the furthest point (rounding); never credited as such
MAX_INTERVALS = 1000  # a union this fragmented is not an honest player's

_rng = random.SystemRandom()


class Reason:
    OK = "ok"
    SUPERSEDED = "superseded"
    TOO_FAST = "too_fast"
    AHEAD = "ahead"
    ATTENTION = "attention"
    CLOSED = "closed"
    INVALID = "invalid"


REASON_COUNTERS = {
    Reason.SUPERSEDED: "rejected_superseded",
    Reason.TOO_FAST: "rejected_too_fast",
    Reason.AHEAD: "rejected_ahead",
    Reason.ATTENTION: "rejected_attention",
    Reason.CLOSED: "rejected_closed",
    Reason.INVALID: "rejected_invalid",
}

REASON_MESSAGES = {
    Reason.SUPERSEDED: "已在其他页面播放",
    Reason.TOO_FAST: "播放进度快于实际时间，本段不计入学习进度",
    Reason.AHEAD: "首次观看不能快进，本段不计入学习进度",
    Reason.ATTENTION: "请先点击“继续学习”确认学习状态",
    Reason.INVALID: "无效的学习记录",
}


# --- Configuration ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlaybackConfig:
    heartbeat_seconds: float
    tolerance: float
    attention_min: float
    attention_max: float
    gate_cache_seconds: int

    @property
    def attention_enabled(self) -> bool:
        return self.attention_max > 0

    def next_check_in(self) -> float:
        """Seconds of playback until the next attention check (a random moment in the range)."""
        if not self.attention_enabled:
            return math.inf
        return _rng.uniform(self.attention_min, self.attention_max)


def parse_range(text: str) -> tuple[float, float]:
    """ "600-1200" → (600, 1200); "30" → (30, 30); "off" / "0" / "" → (0, 0) (disabled)."""
    text = (text or "").strip().lower()
    if text in {"", "0", "off", "none"}:
        return 0.0, 0.0
    low, _, high = text.partition("-")
    a, b = float(low), float(high or low)
    if a <= 0 or b < a:
        raise ValueError(f"invalid attention-check range {text!r}")
    return a, b


def config() -> PlaybackConfig:
    low, high = parse_range(str(getattr(settings, "CECLOUD_ATTENTION_CHECK_SECONDS", "600-1200")))
    return PlaybackConfig(
        heartbeat_seconds=float(getattr(settings, "CECLOUD_HEARTBEAT_SECONDS", 12)),
        tolerance=float(getattr(settings, "CECLOUD_HEARTBEAT_TOLERANCE", 1.1)),
        attention_min=low,
        attention_max=high,
        gate_cache_seconds=int(getattr(settings, "CECLOUD_STUDY_GATE_CACHE_SECONDS", 60)),
    )


# --- Study gate (cached) ---------------------------------------------------------------------------


def _gate_key(enrollment_id: int, course_id: int) -> str:
    return f"learning:gate:{enrollment_id}:{course_id}"


def study_gate(*, enrollment_id: int, course_id: int, cfg: PlaybackConfig | None = None) -> str | None:
    """None when the learner may study the course in the class today, else the Chinese reason.

    The result of ``assert_can_study`` is cached for ``gate_cache_seconds`` together with the
    window's last day, which is compared with today on every call.
    """
    cfg = cfg or config()
    today = timezone.localdate()
    key = _gate_key(enrollment_id, course_id)
    cached = cache.get(key)
    if cached is None:
        enrollment = Enrollment.objects.select_related("training_year", "region").get(pk=enrollment_id)
        try:
            assert_can_study(enrollment=enrollment, course=course_id, today=today)
        except ServiceError as exc:
            cached = ("closed", exc.message)
        else:
            from cecloud.training.selectors import schedule_for

            schedule = schedule_for(region=enrollment.region, training_year=enrollment.training_year)
            cached = ("open", schedule.study_end.isoformat())
        cache.set(key, cached, cfg.gate_cache_seconds)
    state, value = cached
    if state == "closed":
        return value
    if today > dt.date.fromisoformat(value):
        return "当前不在学习考试时间内"
    return None


def study_gate_forget(*, enrollment_id: int, course_id: int) -> None:
    cache.delete(_gate_key(enrollment_id, course_id))


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
class ChapterState:
    chapter_id: int
    duration: float
    watched: float
    furthest: float
    last_position: float
    intervals: list[list[float]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return chapter_is_complete(self.watched, self.duration)

    @property
    def percent(self) -> float:
        return chapter_percent(self.watched, self.duration)

    def as_dict(self) -> dict:
        return {
            "id": self.chapter_id,
            "duration": self.duration,
            "watched": self.watched,
            "furthest": self.furthest,
            "last_position": self.last_position,
            "percent": self.percent,
            "complete": self.complete,
        }


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


# The heartbeat is the platform's hottest write (tens of thousands of learners every ~12 s), so its
# accepted path is two statements: one that locks and reads the session and watched-chapter rows
# together, one that writes both (a data-modifying CTE on PostgreSQL). Rare paths use the ORM.


@dataclass
class _Locked:
    """The locked rows of one heartbeat: the playback session and the watched chapter."""

    session_id: int
    status: str
    enrollment_id: int
    course_id: int
    pending_check_id: int | None
    last_beat_at: dt.datetime
    played_seconds: float
    next_check_at: float
    credited_seconds: float
    wc_id: int
    chapter_id: int
    intervals: list
    watched_seconds: float
    furthest: float
    last_position: float
    completed_at: dt.datetime | None
    duration: float

    def state(self) -> ChapterState:
        return ChapterState(
            chapter_id=self.chapter_id,
            duration=self.duration,
            watched=self.watched_seconds,
            furthest=self.furthest,
            last_position=self.last_position,
            intervals=self.intervals,
        )


def _aware(value) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime) and timezone.is_aware(value):
        return value
    if isinstance(value, str):
        value = parse_datetime(value)
    return timezone.make_aware(value, dt.UTC) if timezone.is_naive(value) else value


def _tables() -> dict[str, str]:
    return {
        "session": PlaybackSession._meta.db_table,
        "watched": WatchedChapter._meta.db_table,
        "chapter": Chapter._meta.db_table,
    }


def _lock_rows(*, token: str, user_id: int, chapter_pk: int) -> _Locked | None:
    """Lock and read the session and the watched chapter in one statement (None when either is missing)."""
    postgres = connection.vendor == "postgresql"
    sql = (  # noqa: S608 - table names come from the models; values are parameters
        "SELECT s.id, s.status, s.enrollment_id, s.course_id, s.pending_check_id, s.last_beat_at,"
        " s.played_seconds, s.next_check_at, s.credited_seconds, w.id, w.chapter_id, w.intervals,"
        " w.watched_seconds, w.furthest, w.last_position, w.completed_at, c.duration_seconds"
        " FROM {session} s"
        " JOIN {watched} w ON w.enrollment_id = s.enrollment_id AND w.course_id = s.course_id AND w.chapter_id = %s"
        " JOIN {chapter} c ON c.id = w.chapter_id"
        " WHERE s.token = %s AND s.user_id = %s"
    ).format(**_tables())
    if postgres:
        if getattr(settings, "CECLOUD_HEARTBEAT_ASYNC_COMMIT", True):
            # Don't wait for the WAL flush of this transaction: a crash can lose the last fraction of a
            # second of heartbeats, which is exactly a lost heartbeat (the next one covers the time
            # when the clock allows), never a wrong credit. Transaction-local.
            sql = sql.replace(" FROM ", ", set_config('synchronous_commit', 'off', true) FROM ", 1)
        sql += " FOR UPDATE OF s, w"  # SQLite: BEGIN IMMEDIATE already serialises writers
    with connection.cursor() as cursor:
        cursor.execute(sql, [chapter_pk, token, user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    intervals = row[11]
    if isinstance(intervals, str | bytes):
        intervals = json.loads(intervals)
    return _Locked(
        session_id=row[0],
        status=row[1],
        enrollment_id=row[2],
        course_id=row[3],
        pending_check_id=row[4],
        last_beat_at=_aware(row[5]),
        played_seconds=row[6],
        next_check_at=row[7],
        credited_seconds=row[8],
        wc_id=row[9],
        chapter_id=row[10],
        intervals=intervals or [],
        watched_seconds=row[12],
        furthest=row[13],
        last_position=row[14],
        completed_at=_aware(row[15]),
        duration=float(row[16]),
    )


def _write_accepted(rows: _Locked, *, now: dt.datetime, length: float, credited: float, completed: bool) -> None:
    ops = connection.ops
    stamp = ops.adapt_datetimefield_value(now)
    watched_params = [
        json.dumps(rows.intervals),
        rows.watched_seconds,
        rows.furthest,
        rows.last_position,
        stamp,
        stamp if completed else None,
        rows.wc_id,
    ]
    session_params = [
        stamp,
        rows.chapter_id,
        rows.last_position,
        _r(rows.played_seconds + length),
        _r(rows.credited_seconds + credited),
        rows.session_id,
    ]
    tables = _tables()
    watched_sql = (
        "UPDATE {watched} SET intervals = %s{cast}, watched_seconds = %s, furthest = %s, last_position = %s,"
        " updated_at = %s, completed_at = COALESCE(completed_at, %s) WHERE id = %s"
    )
    session_sql = (  # noqa: S608 - table names come from the models; values are parameters
        "UPDATE {session} SET last_beat_at = %s, last_chapter_id = %s, last_position = %s, played_seconds = %s,"
        " credited_seconds = %s, beats_accepted = beats_accepted + 1 WHERE id = %s"
    ).format(**tables)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            watched_sql = watched_sql.format(cast="::jsonb", **tables)
            cursor.execute(f"WITH w AS ({watched_sql}) {session_sql}", watched_params + session_params)
        else:
            cursor.execute(watched_sql.format(cast="", **tables), watched_params)
            cursor.execute(session_sql, session_params)


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
        rows = _lock_rows(token=token, user_id=user.pk, chapter_pk=chapter_pk) if chapter_pk is not None else None
        if rows is None:
            refused = _slow_path(user=user, token=token, chapter_pk=chapter_pk)
            if refused is not None:
                return refused
            rows = _lock_rows(token=token, user_id=user.pk, chapter_pk=chapter_pk)
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
        _write_accepted(rows, now=now, length=length, credited=credited, completed=completed)
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
