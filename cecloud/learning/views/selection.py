"""在线选课: the selection page of a class, htmx add/remove, confirmation. Rules live in the services."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from cecloud.catalog.models import Course
from cecloud.catalog.selectors import SORTS, CourseFilters, ListingCard, listing_page, providers_cached
from cecloud.core.errors import ServiceError
from cecloud.core.roles import learner_required
from cecloud.core.templatetags.cecloud import hours as fmt_hours
from cecloud.training.models import HourCategory

from ..selectors import CATEGORY_ORDER, SelectionSummary, learner_enrollment, selection_summary
from ..services import selection_add, selection_confirm, selection_remove

PAGE_SIZE = 12
FILTER_KEYS = ("category", "provider", "q", "sort", "page")


@dataclass
class CourseCard:
    listing: ListingCard
    state: str  # confirmed | candidate | full | open | closed
    add_url: str
    remove_url: str


def _enrollment_or_404(request, pk: int):
    enrollment = learner_enrollment(user=request.user, enrollment_id=pk)
    if enrollment is None:
        raise Http404
    return enrollment


def _default_category(summary: SelectionSummary) -> str:
    for line in summary.lines:
        if not line.is_full:
            return line.category
    return HourCategory.IDEOLOGY


def _state_params(params, summary: SelectionSummary) -> dict[str, str]:
    """The listing state (filters, sort, page) with the category made explicit."""
    state = {key: params.get(key, "") for key in FILTER_KEYS if params.get(key)}
    state.setdefault("category", _default_category(summary))
    return state


def _url(base: str, state: dict[str, str], **changes) -> str:
    merged = {**state, **changes}
    if any(key in changes for key in ("category", "provider", "q", "sort")):
        merged.pop("page", None)
    merged = {k: v for k, v in merged.items() if v not in ("", None)}
    return f"{base}?{urlencode(merged)}" if merged else base


def _card_state(card: ListingCard, summary: SelectionSummary) -> str:
    selection = summary.by_course.get(card.id)
    if selection is not None:
        return selection.status
    if not summary.selectable:
        return "closed"
    return "full" if summary.by_category[card.category].is_full else "open"


_SENTINEL = 987654321


def _listing_context(request, enrollment, summary: SelectionSummary, params) -> dict:
    state = _state_params(params, summary)
    filters = CourseFilters.from_query(state, default_category=_default_category(summary))
    page = listing_page(
        training_year=enrollment.training_year, filters=filters, page=state.get("page"), page_size=PAGE_SIZE
    )
    state_query = urlencode(state)
    add = reverse("learning:select_add", args=[enrollment.pk, _SENTINEL]) + "?" + state_query
    remove = reverse("learning:select_remove", args=[enrollment.pk, _SENTINEL]) + "?" + state_query
    cards = [
        CourseCard(
            listing=card,
            state=_card_state(card, summary),
            add_url=add.replace(str(_SENTINEL), str(card.id), 1),
            remove_url=remove.replace(str(_SENTINEL), str(card.id), 1),
        )
        for card in page.cards
    ]
    base = reverse("learning:select", args=[enrollment.pk])
    return {
        "enrollment": enrollment,
        "summary": summary,
        "filters": filters,
        "page": page,
        "cards": cards,
        "state_query": state_query,
        "category_options": [("all", "全部", _url(base, state, category="all"))]
        + [(c, HourCategory(c).label, _url(base, state, category=c)) for c in CATEGORY_ORDER],
        "current_category": filters.category or "all",
        "provider_options": [("", "全部", "全部", _url(base, state, provider=""))]
        + [(str(pk), name, short, _url(base, state, provider=str(pk))) for pk, name, short in providers_cached()],
        "current_provider": str(filters.provider_id or ""),
        "sort_options": [(key, label, _url(base, state, sort=key)) for key, (label, _order) in SORTS.items()],
        "page_urls": {
            "prev": _url(base, state, page=str(page.number - 1)) if page.has_previous else "",
            "next": _url(base, state, page=str(page.number + 1)) if page.has_next else "",
            "numbers": [
                (n, _url(base, state, page=str(n)) if n != Paginator.ELLIPSIS else "") for n in page.elided_page_range()
            ],
        },
        "search_hidden": {k: v for k, v in state.items() if k in ("category", "provider", "sort")},
    }


@learner_required
@require_GET
def select(request, pk: int):
    enrollment = _enrollment_or_404(request, pk)
    summary = selection_summary(enrollment)
    context = _listing_context(request, enrollment, summary, request.GET)
    context.update({"center_section": "classes"})
    return render(request, "learning/select/page.html", context)


def _after_change(request, enrollment, error: str = ""):
    """htmx: the results grid plus out-of-band tip, bar and 选课清单; otherwise back to the page."""
    if not request.htmx:
        if error:
            messages.error(request, error)
        return HttpResponseRedirect(_url(reverse("learning:select", args=[enrollment.pk]), request.GET.dict()))
    summary = selection_summary(enrollment)
    context = _listing_context(request, enrollment, summary, request.GET)
    context["error"] = error
    return render(request, "learning/select/_changed.html", context)


def _change(request, pk: int, course_pk: int, change):
    """Add or remove a candidate course (``change`` is the service), then the changed page parts."""
    enrollment = _enrollment_or_404(request, pk)
    course = get_object_or_404(Course, pk=course_pk)
    error = ""
    try:
        change(enrollment=enrollment, course=course, actor=request.user)
    except ServiceError as exc:
        error = exc.message
    return _after_change(request, enrollment, error)


@learner_required
@require_POST
def select_add(request, pk: int, course_pk: int):
    return _change(request, pk, course_pk, selection_add)


@learner_required
@require_POST
def select_remove(request, pk: int, course_pk: int):
    return _change(request, pk, course_pk, selection_remove)


@learner_required
@require_POST
def select_confirm(request, pk: int):
    enrollment = _enrollment_or_404(request, pk)
    back = reverse("learning:select", args=[enrollment.pk])
    try:
        confirmed = selection_confirm(enrollment=enrollment, actor=request.user, request=request)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(back)
    if not confirmed:
        messages.info(request, "没有待确认的课程（所选课程可能已确认）")
        return HttpResponseRedirect(back)
    hours = sum(s.hours for s in confirmed)
    summary = selection_summary(enrollment)
    text = f"选课成功：已确认 {len(confirmed)} 门课程，共 {fmt_hours(hours)} 学时"
    if summary.structure_met:
        messages.success(request, text + "，选课已完成，请开始课程学习")
        return HttpResponseRedirect(reverse("classroom:class_home", args=[enrollment.pk]) + "?tab=learning")
    messages.success(request, text + f"，还需选课 {fmt_hours(summary.need_to_select)} 学时")
    return HttpResponseRedirect(back)
