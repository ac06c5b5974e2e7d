"""课后测验 pages: start (or resume) an attempt, answer it, submit, review the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from cecloud.core.errors import NotFoundError, ServiceError
from cecloud.core.roles import learner_required
from cecloud.learning.selectors import learner_course_or_404

from . import services
from .models import KIND_ORDER, AttemptQuestion, QuestionKind, QuizAttempt
from .selectors import learner_attempt

LETTERS = "ABCDEFGHIJ"


@dataclass
class OptionView:
    index: int
    letter: str
    text: str
    chosen: bool = False
    correct: bool = False


@dataclass
class ItemView:
    item: AttemptQuestion
    options: list[OptionView]
    review_url: str = ""

    @property
    def pk(self) -> int:
        return self.item.pk

    @property
    def number(self) -> int:
        return self.item.position

    @property
    def kind_label(self) -> str:
        return QuestionKind(self.item.kind).label

    @property
    def is_multiple(self) -> bool:
        return self.item.kind == QuestionKind.MULTIPLE

    @property
    def is_true_false(self) -> bool:
        return self.item.kind == QuestionKind.TRUE_FALSE

    def _answer_text(self, positions: list[int]) -> str:
        if not positions:
            return "未作答"
        if self.is_true_false:
            return "、".join(self.options[i].text for i in positions if i < len(self.options))
        return "".join(LETTERS[i] for i in sorted(positions))

    @property
    def correct_text(self) -> str:
        return self._answer_text(self.item.correct)

    @property
    def chosen_text(self) -> str:
        return self._answer_text(self.item.chosen)


@dataclass
class CardGroup:
    label: str
    items: list[ItemView] = field(default_factory=list)


def _item_views(attempt: QuizAttempt, *, reveal: bool) -> list[ItemView]:
    views = []
    for item in attempt.items.order_by("position"):
        chosen = set(item.chosen) if reveal else set()
        correct = set(item.correct) if reveal else set()
        options = [
            OptionView(
                index=i,
                letter=LETTERS[i] if i < len(LETTERS) else str(i + 1),
                text=o["text"],
                chosen=i in chosen,
                correct=i in correct,
            )
            for i, o in enumerate(item.options)
        ]
        review_url = ""
        if reveal and not item.is_correct and item.chapter_id_snapshot and item.range_start is not None:
            review_url = (
                reverse("learning:course_study", args=[attempt.enrollment_id, attempt.course_id])
                + "?"
                + urlencode({"chapter": item.chapter_id_snapshot, "start": item.range_start, "end": item.range_end})
            )
        views.append(ItemView(item=item, options=options, review_url=review_url))
    return views


def _card(items: list[ItemView]) -> list[CardGroup]:
    groups = {kind: CardGroup(label=QuestionKind(kind).label) for kind in KIND_ORDER}
    for view in items:
        groups[view.item.kind].items.append(view)
    return [g for g in groups.values() if g.items]


def _attempt_or_404(request, public_id) -> QuizAttempt:
    attempt = learner_attempt(user=request.user, public_id=public_id)
    if attempt is None:
        raise Http404
    return attempt


def _class_url(attempt_or_enrollment_id: int) -> str:
    return reverse("classroom:class_home", args=[attempt_or_enrollment_id]) + "?tab=learning"


@learner_required
@require_GET
def course_quiz(request, pk: int, course_pk: int):
    """课后测验 from the class home or the player: resume the open attempt or draw a new one."""
    enrollment, selection = learner_course_or_404(user=request.user, enrollment_id=pk, course_id=course_pk)
    try:
        attempt = services.attempt_start(user=request.user, enrollment=enrollment, course=selection.course)
    except ServiceError as exc:
        return render(
            request,
            "exams/quiz_locked.html",
            {
                "enrollment": enrollment,
                "course": selection.course,
                "message": exc.message,
                "study_url": reverse("learning:course_study", args=[enrollment.pk, selection.course_id]),
                "class_url": _class_url(enrollment.pk),
            },
            status=403,
        )
    return HttpResponseRedirect(reverse("exams:attempt", args=[attempt.public_id]))


@learner_required
@require_GET
def attempt_page(request, public_id):
    attempt = _attempt_or_404(request, public_id)
    context = {
        "attempt": attempt,
        "enrollment": attempt.enrollment,
        "course": attempt.course,
        "person_name": attempt.enrollment.person.name,
        "class_url": _class_url(attempt.enrollment_id),
    }
    if not attempt.is_submitted:
        items = _item_views(attempt, reveal=False)
        context.update({"items": items, "card": _card(items)})
        return render(request, "exams/attempt.html", context)
    items = _item_views(attempt, reveal=True)
    wrong_only = request.GET.get("wrong") == "1"
    shown = [v for v in items if not v.item.is_correct] if wrong_only else items
    context.update(
        {
            "items": shown,
            "card": _card(items),
            "wrong_only": wrong_only,
            "wrong_count": sum(1 for v in items if not v.item.is_correct),
            "answered": sum(1 for v in items if v.item.chosen),
            "total": len(items),
            "base_url": reverse("exams:attempt", args=[attempt.public_id]),
        }
    )
    return render(request, "exams/result.html", context)


@learner_required
@require_POST
def attempt_submit(request, public_id):
    """我要交卷: the server scores; a second submission changes nothing."""
    attempt = _attempt_or_404(request, public_id)
    answers = {
        str(item_id): request.POST.getlist(f"q{item_id}") for item_id in attempt.items.values_list("pk", flat=True)
    }
    try:
        attempt = services.attempt_submit(user=request.user, public_id=attempt.public_id, answers=answers)
    except NotFoundError:
        raise Http404 from None
    except ServiceError as exc:
        messages.error(request, f"交卷失败：{exc.message}")
    return HttpResponseRedirect(reverse("exams:attempt", args=[attempt.public_id]))


@learner_required
@require_POST
def attempt_continue(request, public_id):
    """继续测验: a new attempt with a new draw (unlimited; the best score counts)."""
    attempt = _attempt_or_404(request, public_id)
    try:
        new = services.attempt_start(user=request.user, enrollment=attempt.enrollment, course=attempt.course)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("exams:attempt", args=[attempt.public_id]))
    return HttpResponseRedirect(reverse("exams:attempt", args=[new.public_id]))
