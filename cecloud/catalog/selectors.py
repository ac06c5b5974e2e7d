"""Catalog reads: the course listing of a year (filters, search, sort), chapters and video sources.

The listing a learner pages through is the same for everyone with the same filters, so a page of
it (count, cards rendered once) is cached for ``LISTING_TTL`` seconds under the catalog
*generation*; every catalog write (services, back office, import, demo) calls ``catalog_changed``
so operators' changes show at once. Per-learner state (selected, confirmed, category full) is
never cached: the selection page adds it on every request.
"""

from __future__ import annotations

import hashlib
import math
import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString

from cecloud.core.text import normalize_text
from cecloud.training.models import HourCategory, TrainingYear

from . import media
from .models import Chapter, Course, CourseLecturer, Provider
from .streaming import ByteSpan

SORTS = {
    # key: (label, order_by)
    "default": ("默认排序", ("sort_order", "id")),
    "hours": ("学时", ("-hours", "sort_order", "id")),
    "rating": ("综合评价", ("-rating", "-rating_count", "sort_order", "id")),
}


@dataclass(frozen=True)
class CourseFilters:
    category: str = ""  # an HourCategory value or "" for all
    provider_id: int | None = None
    q: str = ""
    sort: str = "default"

    @classmethod
    def from_query(cls, params, *, default_category: str = "") -> CourseFilters:
        category = params.get("category", default_category)
        if category not in HourCategory.values and category != "all":
            category = default_category
        if category == "all":
            category = ""
        try:
            provider_id = int(params.get("provider") or 0) or None
        except (TypeError, ValueError):
            provider_id = None
        sort = params.get("sort") or "default"
        if sort not in SORTS:
            sort = "default"
        return cls(category=category, provider_id=provider_id, q=normalize_text(params.get("q"))[:50], sort=sort)


def lecturers_prefetch() -> Prefetch:
    return Prefetch(
        "course_lecturers",
        queryset=CourseLecturer.objects.select_related("lecturer").order_by("sort_order", "id"),
        to_attr="ordered_lecturers",
    )


def published_courses(*, training_year: TrainingYear) -> QuerySet[Course]:
    return Course.objects.filter(is_published=True, years=training_year)


def course_listing(*, training_year: TrainingYear, filters: CourseFilters) -> QuerySet[Course]:
    """Published courses offered for the year, filtered and sorted; lecturers prefetched."""
    qs = published_courses(training_year=training_year)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.provider_id:
        qs = qs.filter(provider_id=filters.provider_id)
    if filters.q:
        qs = qs.filter(title__icontains=filters.q)
    return qs.select_related("provider", "tag").prefetch_related(lecturers_prefetch()).order_by(*SORTS[filters.sort][1])


def lecturer_names(course: Course) -> list[str]:
    """Lecturer names in order; uses the prefetched ``ordered_lecturers`` when present."""
    rows = getattr(course, "ordered_lecturers", None)
    if rows is None:
        rows = course.course_lecturers.select_related("lecturer").order_by("sort_order", "id")
    return [row.lecturer.name for row in rows]


def active_providers() -> list[Provider]:
    return list(Provider.objects.filter(is_active=True).order_by("sort_order", "id"))


# --- Cached listing ----------------------------------------------------------------------------------

LISTING_TTL = 60
GENERATION_KEY = "catalog:generation"


def catalog_generation() -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex[:12], None)
        generation = cache.get(GENERATION_KEY) or "0"
    return generation


def catalog_changed() -> None:
    """Invalidate every cached listing page (call after any write to courses, providers, lecturers, tags)."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex[:12], None)


@dataclass(frozen=True)
class ListingCard:
    id: int
    category: str
    title: str
    body: SafeString  # the card's state-independent HTML (cover, title, tags, meta, lecturers, hours)
    preview_url: str


@dataclass(frozen=True)
class ListingPage:
    count: int
    number: int
    num_pages: int
    page_size: int
    cards: list[ListingCard]

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    def elided_page_range(self):
        return Paginator(range(self.count), self.page_size).get_elided_page_range(
            self.number, on_each_side=2, on_ends=1
        )


def _page_number(value) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


def providers_cached() -> list[tuple[int, str, str]]:
    """(id, name, short name) of the active providers, cached with the listing."""
    key = f"catalog:providers:{catalog_generation()}"
    providers = cache.get(key)
    if providers is None:
        providers = [(p.pk, p.name, p.display_name) for p in active_providers()]
        cache.set(key, providers, LISTING_TTL)
    return providers


def listing_page(*, training_year: TrainingYear, filters: CourseFilters, page, page_size: int) -> ListingPage:
    """One page of the year's published courses for these filters, cards rendered; cached."""
    number = _page_number(page)
    digest = hashlib.sha1(filters.q.encode(), usedforsecurity=False).hexdigest()[:16]
    key = ":".join(
        str(part)
        for part in (
            "catalog:listing",
            catalog_generation(),
            training_year.pk,
            filters.category or "all",
            filters.provider_id or 0,
            digest,
            filters.sort,
            number,
            page_size,
        )
    )
    cached = cache.get(key)
    if cached is not None:
        return cached
    page_obj = Paginator(course_listing(training_year=training_year, filters=filters), page_size).get_page(number)
    year_label = f"{training_year.year}年"
    cards = [
        ListingCard(
            id=course.pk,
            category=course.category,
            title=course.title,
            body=SafeString(
                render_to_string(
                    "catalog/_course_card_body.html",
                    {"course": course, "lecturers": "、".join(lecturer_names(course)), "year_label": year_label},
                )
            ),
            preview_url=reverse("catalog:preview", args=[course.pk]),
        )
        for course in page_obj
    ]
    result = ListingPage(
        count=page_obj.paginator.count,
        number=page_obj.number,
        num_pages=page_obj.paginator.num_pages,
        page_size=page_size,
        cards=cards,
    )
    cache.set(key, result, LISTING_TTL)
    return result


def course_chapters(course: Course) -> list[Chapter]:
    return list(Chapter.objects.filter(course=course).order_by("order", "id"))


def chapter_with_video(pk: int) -> Chapter | None:
    """The chapter (with its course) if it exists and has a video file, else None."""
    chapter = Chapter.objects.filter(pk=pk).select_related("course").first()
    return chapter if chapter is not None and chapter.video else None


def preview_allowance(chapter: Chapter, *, seconds: int) -> list[ByteSpan]:
    """The bytes a preview may fetch: the share of the file covering the first ``seconds`` of media
    (plus the ``moov`` index when it sits at the end of a non-faststart MP4)."""
    size = chapter.video_size or chapter.video.storage.size(chapter.video.name)
    if size <= 0:
        return []
    duration = chapter.duration_seconds
    if duration <= 0:
        return []
    share = min(1.0, seconds / duration)
    limit = max(1, math.ceil(size * share))
    spans = [ByteSpan(0, limit - 1)]
    if share < 1.0:
        try:
            with chapter.video.storage.open(chapter.video.name, "rb") as fh:
                boxes = media.mp4_top_level_boxes(fh, size)
        except (media.MediaError, OSError):
            boxes = []
        moov = next((b for b in boxes if b.type == "moov"), None)
        if moov is not None and moov.offset >= limit:
            spans.append(ByteSpan(moov.offset, moov.end - 1))
    return spans
