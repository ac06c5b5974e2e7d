"""Watched progress (requirements S5): interval arithmetic and the reads built on ``WatchedChapter``.

* Chapter progress = watched share of its duration; 100% exactly when the union of watched
  intervals covers the duration within a second (``COMPLETE_SLACK``), otherwise at most 99.99%.
* Course progress = the duration-weighted share over its chapters with a video; 100% exactly when
  every chapter is complete.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from cecloud.catalog.models import Chapter

from .models import CourseSelection, WatchedChapter

COMPLETE_SLACK = 1.0
HUNDRED = Decimal("100")
ZERO = Decimal("0")


def round3(value: float) -> float:
    return round(float(value), 3)


def intervals_length(intervals: list[list[float]]) -> float:
    return round3(sum(end - start for start, end in intervals))


def intervals_merge(intervals: list[list[float]], start: float, end: float) -> list[list[float]]:
    """The union of sorted disjoint ``intervals`` and [start, end], sorted and disjoint."""
    start, end = round3(start), round3(end)
    if end <= start:
        return [list(i) for i in intervals]
    merged: list[list[float]] = []
    for a, b in intervals:
        if b < start or a > end:
            merged.append([a, b])
        else:
            start, end = min(a, start), max(b, end)
    merged.append([start, end])
    merged.sort()
    return merged


def chapter_is_complete(watched_seconds: float, duration: float) -> bool:
    return duration > 0 and watched_seconds >= duration - COMPLETE_SLACK


def chapter_percent(watched_seconds: float, duration: float) -> float:
    """Watched share of a chapter in percent: 100 exactly when complete, else at most 99.99."""
    if duration <= 0:
        return 0.0
    if chapter_is_complete(watched_seconds, duration):
        return 100.0
    return min(99.99, math.floor(watched_seconds / duration * 10000) / 100)


def course_percent(parts: Iterable[tuple[float, float]]) -> Decimal:
    """Duration-weighted progress of (duration, watched) pairs, as a percent with two places."""
    total = done = 0.0
    complete = True
    for duration, watched in parts:
        if duration <= 0:
            continue
        total += duration
        if chapter_is_complete(watched, duration):
            done += duration
        else:
            complete = False
            done += min(watched, duration)
    if total <= 0:
        return ZERO
    if complete:
        return HUNDRED
    value = (Decimal(str(done)) * HUNDRED / Decimal(str(total))).quantize(Decimal("0.01"), rounding=ROUND_FLOOR)
    return min(value, Decimal("99.99"))


# --- Reads ------------------------------------------------------------------------------------------


def progress_by_selection(selections: Iterable[CourseSelection]) -> dict[int, Decimal]:
    """Course progress (percent) per selection id, in two queries for any number of selections."""
    selections = list(selections)
    if not selections:
        return {}
    course_ids = {s.course_id for s in selections}
    enrollment_ids = {s.enrollment_id for s in selections}
    chapters: dict[int, list[tuple[int, float]]] = {}
    for pk, course_id, duration in (
        Chapter.objects.filter(course_id__in=course_ids)
        .exclude(video="")
        .values_list("pk", "course_id", "duration_seconds")
    ):
        chapters.setdefault(course_id, []).append((pk, duration))
    watched: dict[tuple[int, int], float] = {
        (enrollment_id, chapter_id): seconds
        for enrollment_id, chapter_id, seconds in WatchedChapter.objects.filter(
            enrollment_id__in=enrollment_ids, course_id__in=course_ids
        ).values_list("enrollment_id", "chapter_id", "watched_seconds")
    }
    return {
        s.pk: course_percent(
            (duration, watched.get((s.enrollment_id, chapter_id), 0.0))
            for chapter_id, duration in chapters.get(s.course_id, [])
        )
        for s in selections
    }


class WatchedRatio:
    """``complete`` and ``percent`` of a chapter from its ``watched`` seconds and its ``duration``."""

    watched: float
    duration: float

    @property
    def complete(self) -> bool:
        return chapter_is_complete(self.watched, self.duration)

    @property
    def percent(self) -> float:
        return chapter_percent(self.watched, self.duration)


@dataclass
class ChapterProgress(WatchedRatio):
    chapter: Chapter
    watched: float = 0.0
    furthest: float = 0.0
    last_position: float = 0.0
    intervals: list | None = None
    updated_at: object = None

    @property
    def duration(self) -> float:
        return float(self.chapter.duration_seconds)

    @property
    def percent_text(self) -> str:
        value = self.percent
        return f"{value:.0f}" if value in (0, 100) else f"{value:.2f}".rstrip("0").rstrip(".")

    @property
    def resume_at(self) -> float:
        """Where playback resumes: the last position, from the start again once at the very end."""
        if self.last_position >= self.duration - COMPLETE_SLACK:
            return 0.0
        return self.last_position


def course_chapters(*, enrollment_id: int, course_id: int) -> list[ChapterProgress]:
    """The course's playable chapters in order, each with what the class has watched of it."""
    chapters = list(Chapter.objects.filter(course_id=course_id).exclude(video="").order_by("order", "id"))
    rows = {
        wc.chapter_id: wc
        for wc in WatchedChapter.objects.filter(enrollment_id=enrollment_id, course_id=course_id).only(
            "chapter_id", "watched_seconds", "furthest", "last_position", "intervals", "updated_at"
        )
    }
    result = []
    for chapter in chapters:
        wc = rows.get(chapter.pk)
        if wc is None:
            result.append(ChapterProgress(chapter=chapter, intervals=[]))
        else:
            result.append(
                ChapterProgress(
                    chapter=chapter,
                    watched=wc.watched_seconds,
                    furthest=wc.furthest,
                    last_position=wc.last_position,
                    intervals=wc.intervals,
                    updated_at=wc.updated_at,
                )
            )
    return result


def course_progress(*, enrollment_id: int, course_id: int) -> Decimal:
    return course_percent(
        (c.duration, c.watched) for c in course_chapters(enrollment_id=enrollment_id, course_id=course_id)
    )


def watched_evidence(*, enrollment_id: int, course_id: int) -> list[dict]:
    """The watched intervals behind a course's progress, for the hour ledger's evidence."""
    return [
        {
            "chapter": wc.chapter_id,
            "duration": wc.chapter.duration_seconds,
            "watched": wc.watched_seconds,
            "intervals": wc.intervals,
            "completed_at": wc.completed_at.isoformat() if wc.completed_at else None,
        }
        for wc in WatchedChapter.objects.filter(enrollment_id=enrollment_id, course_id=course_id)
        .select_related("chapter")
        .order_by("chapter__order", "chapter_id")
    ]
