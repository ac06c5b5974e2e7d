"""The rows of one heartbeat, read and written in raw SQL.

The heartbeat is the platform's hottest write (tens of thousands of learners every ~12 s), so its
accepted path is two statements: one that locks and reads the session and watched-chapter rows
together, one that writes both (a data-modifying CTE on PostgreSQL). Rare paths use the ORM
(``playback``).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from cecloud.catalog.models import Chapter

from ..models import PlaybackSession, WatchedChapter
from ..progress import WatchedRatio
from ..progress import round3 as _r


@dataclass
class ChapterState(WatchedRatio):
    chapter_id: int
    duration: float
    watched: float
    furthest: float
    last_position: float
    intervals: list[list[float]] = field(default_factory=list)

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
class LockedRows:
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


def lock_rows(*, token: str, user_id: int, chapter_pk: int) -> LockedRows | None:
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
    return LockedRows(
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


def write_accepted(rows: LockedRows, *, now: dt.datetime, length: float, credited: float, completed: bool) -> None:
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
