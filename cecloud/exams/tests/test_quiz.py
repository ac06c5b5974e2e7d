"""课后测验 rules (requirements S6, issue 5 points 7–10): availability, drawing, stored layout, scoring,
double and foreign submissions, the closed window, review, best score and the hour ledger."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cecloud.catalog.models import Course
from cecloud.classroom.selectors import class_progress, course_results
from cecloud.core import events
from cecloud.core.errors import NotFoundError, ServiceError
from cecloud.core.models import AuditLog
from cecloud.exams.factories import correct_answers, make_bank, make_question, wrong_answers
from cecloud.exams.models import (
    AttemptQuestion,
    AttemptStatus,
    MultipleScoring,
    Question,
    QuestionKind,
    QuestionOption,
    QuizAttempt,
    QuizPolicy,
)
from cecloud.exams.services import attempt_start, attempt_submit, score_item
from cecloud.learning.factories import Clock, study_setup, watch_everything
from cecloud.registry.models import Grade
from cecloud.training.events import enrollment_qualified
from cecloud.training.models import EnrollmentStatus, HourCategory, HourLedgerEntry, RegionSchedule
from cecloud.training.services import ledger_credit

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    s = study_setup(durations=(30.0,), hours="2")
    make_bank(s.course)
    return s


@pytest.fixture
def watched(setup):
    watch_everything(setup, Clock())
    return setup


def start(s):
    return attempt_start(user=s.user, enrollment=s.enrollment, course=s.course)


def submit(s, attempt, answers):
    return attempt_submit(user=s.user, public_id=attempt.public_id, answers=answers)


def close_window(s):
    today = timezone.localdate()
    RegionSchedule.objects.filter(training_year=s.enrollment.training_year).update(
        study_start=today - dt.timedelta(days=20), study_end=today - dt.timedelta(days=1)
    )


# --- Availability ------------------------------------------------------------------------------------


def test_quiz_needs_100_percent_progress(setup):
    with pytest.raises(ServiceError, match="课程进度达 100%.*当前课程进度 0%"):
        start(setup)
    client = Client()
    client.force_login(setup.user)
    response = client.get(reverse("exams:course_quiz", args=[setup.enrollment.pk, setup.course.pk]))
    assert response.status_code == 403
    assert "需课程观看完成后（课程进度达 100%），才可进行课后测验" in response.content.decode()
    assert not QuizAttempt.objects.exists()


def test_quiz_needs_the_study_window(watched):
    close_window(watched)
    with pytest.raises(ServiceError, match="当前不在学习考试时间内"):
        start(watched)


def test_quiz_of_an_unconfirmed_course_is_not_found(watched):
    client = Client()
    client.force_login(watched.user)
    other = study_setup(durations=(10.0,), user=watched.user, enrollment=watched.enrollment)
    other.selection.delete()
    assert client.get(reverse("exams:course_quiz", args=[watched.enrollment.pk, other.course.pk])).status_code == 404


# --- Drawing and layout ---------------------------------------------------------------------------------


def test_default_policy_draws_three_single_and_two_multiple_worth_20_each(watched):
    attempt = start(watched)
    items = list(attempt.items.order_by("position"))
    assert [i.kind for i in items] == ["single"] * 3 + ["multiple"] * 2
    assert [i.points for i in items] == [20] * 5
    assert (attempt.total_score, attempt.pass_score, attempt.multiple_scoring) == (
        100,
        60,
        MultipleScoring.ALL_OR_NOTHING,
    )
    for item in items:
        options = {o.pk: o for o in QuestionOption.objects.filter(question=item.question)}
        assert {o["id"] for o in item.options} == set(options)
        assert [o["text"] for o in item.options] == [options[o["id"]].text for o in item.options]
        assert item.correct == [i for i, o in enumerate(item.options) if options[o["id"]].is_correct]


def test_an_open_attempt_is_resumed_not_redrawn(watched):
    first = start(watched)
    assert start(watched).pk == first.pk
    assert QuizAttempt.objects.count() == 1


def test_options_are_shuffled_across_attempts(watched):
    orders = set()
    for _ in range(8):
        attempt = start(watched)
        orders.update(tuple(o["id"] for o in item.options) for item in attempt.items.filter(kind="single"))
        submit(watched, attempt, {})
    assert len(orders) > 6  # 24 single items over 6 questions: shuffled, not always A-B-C-D


def test_draw_prefers_the_questions_this_learner_has_seen_least(watched):
    first = start(watched)
    seen = set(first.items.values_list("question_id", flat=True))
    submit(watched, first, {})
    second = start(watched)
    drawn = set(second.items.values_list("question_id", flat=True))
    singles = set(Question.objects.filter(kind="single").values_list("pk", flat=True))
    multiples = set(Question.objects.filter(kind="multiple").values_list("pk", flat=True))
    assert not (drawn & seen & singles), "6 singles: the 3 unseen ones come first"
    assert len(drawn & multiples - seen) == 2, "4 multiples: the 2 unseen ones come first"
    submit(watched, second, {})
    third = start(watched)
    counts = {}
    for row in AttemptQuestion.objects.filter(attempt__in=[first, second]):
        counts[row.question_id] = counts.get(row.question_id, 0) + 1
    assert all(counts.get(q, 0) <= 1 for q in third.items.values_list("question_id", flat=True))


def test_other_learners_history_does_not_count(watched):
    other = study_setup(durations=(30.0,), name="其他学员")
    from cecloud.learning.factories import confirm_course

    confirm_course(other.enrollment, watched.course)
    other.course = watched.course
    other.chapters = list(watched.course.chapters.all())
    watch_everything(other, Clock())
    attempt_start(user=other.user, enrollment=other.enrollment, course=watched.course)
    assert AttemptQuestion.objects.count() == 5
    # watched's seen-counts are still all zero: any draw is fine, but no error and five fresh questions
    assert start(watched).items.count() == 5


def test_policy_mix_and_top_up_when_a_type_runs_short(watched):
    QuizPolicy.objects.create(
        course=watched.course, single_count=1, multiple_count=1, true_false_count=3, points_per_question=20
    )
    attempt = start(watched)
    kinds = list(attempt.items.order_by("position").values_list("kind", flat=True))
    assert len(kinds) == 5 and kinds.count("true_false") == 2  # only two 判断题 in the bank
    assert attempt.total_score == 100


def test_a_bank_too_small_refuses_clearly(watched):
    Question.objects.filter(course=watched.course).exclude(
        pk__in=Question.objects.filter(course=watched.course)[:3]
    ).update(is_active=False)
    with pytest.raises(ServiceError, match="题库题目不足"):
        start(watched)


def test_policy_must_total_100():
    policy = QuizPolicy(course=Course(pk=1), single_count=3, multiple_count=3, points_per_question=20)
    with pytest.raises(ValidationError, match="总分须为100分"):
        policy.clean()
    QuizPolicy(course=Course(pk=1), single_count=5, multiple_count=5, points_per_question=10).clean()


def test_review_never_changes_when_the_bank_is_edited(watched):
    attempt = start(watched)
    submit(watched, attempt, correct_answers(attempt))
    client = Client()
    client.force_login(watched.user)
    url = reverse("exams:attempt", args=[attempt.public_id])
    before = client.get(url).content.decode()
    item = attempt.items.order_by("position").first()
    question = item.question
    question.stem = "改过的题干"
    question.explanation = "改过的题析"
    question.save()
    question.options.update(is_correct=False, text="改过的选项")
    after = client.get(url).content.decode()
    assert "改过的" not in after
    assert item.stem in after
    attempt.refresh_from_db()
    assert attempt.score == 100

    def strip_tokens(html):
        return re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": |data-csrf=)"[^"]+"', "", html)

    assert strip_tokens(before) == strip_tokens(after)


# --- Answers never reach the browser before submission -------------------------------------------------


def test_the_attempt_page_reveals_no_answers(watched):
    attempt = start(watched)
    client = Client()
    client.force_login(watched.user)
    html = client.get(reverse("exams:attempt", args=[attempt.public_id])).content.decode()
    assert f"考试人员：<b>{watched.person.name}</b> <span>总分：100分</span> <span>及格：60分</span>" in html
    assert html.count("[20分]") == 5 and "答题卡" in html and "我要交卷" in html
    for item in attempt.items.all():
        assert item.stem in html
        assert item.explanation not in html
        values = re.findall(rf'name="q{item.pk}" value="(\d+)"', html)
        assert values == [str(i) for i in range(len(item.options))]  # positions only: nothing about correctness
    for word in ("正确答案", "题析", "is_correct", "correct", "回答正确"):
        assert word not in html
    # The page does not depend on the answer key at all: change every key and render again.
    for item in attempt.items.all():
        item.correct = [len(item.options) - 1]
        item.save(update_fields=["correct"])
    QuestionOption.objects.update(is_correct=False)
    again = client.get(reverse("exams:attempt", args=[attempt.public_id])).content.decode()

    def strip_tokens(page):
        return re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": |data-csrf=)"[^"]+"', "", page)

    assert strip_tokens(again) == strip_tokens(html)


# --- Scoring -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "correct", "chosen", "rule", "points"),
    [
        ("single", [1], [1], "all", 20),
        ("single", [1], [0], "all", 0),
        ("single", [1], [0, 1], "all", 0),
        ("single", [1], [], "all", 0),
        ("true_false", [0], [0], "all", 20),
        ("true_false", [0], [1], "all", 0),
        ("multiple", [0, 2], [0, 2], "all", 20),
        ("multiple", [0, 2], [0], "all", 0),  # 少选
        ("multiple", [0, 2], [0, 1, 2], "all", 0),  # 多选
        ("multiple", [0, 2], [1, 3], "all", 0),  # 错选
        ("multiple", [0, 2, 3], [0, 2], "partial", 10),
        ("multiple", [0, 2, 3], [0, 1], "partial", 0),
        ("multiple", [0, 2], [0, 1, 2], "partial", 0),
    ],
)
def test_score_item(kind, correct, chosen, rule, points):
    assert score_item(kind=kind, correct=correct, chosen=chosen, points=20, multiple_scoring=rule) == points


def test_the_server_scores_all_or_nothing_by_default(watched):
    attempt = start(watched)
    items = list(attempt.items.order_by("position"))
    answers = correct_answers(attempt)
    multiple = next(i for i in items if i.kind == "multiple")
    answers[str(multiple.pk)] = multiple.correct[:1]  # 少选
    answers[str(items[0].pk)] = ["junk", 99, -1]  # garbage is ignored → unanswered
    attempt = submit(watched, attempt, answers)
    assert attempt.score == 60 and attempt.passed
    multiple.refresh_from_db()
    assert multiple.earned == 0 and multiple.is_correct is False
    assert AttemptQuestion.objects.get(pk=items[0].pk).chosen == []


def test_partial_credit_when_the_policy_says_so(watched):
    QuizPolicy.objects.create(course=watched.course, multiple_scoring=MultipleScoring.PARTIAL)
    attempt = start(watched)
    answers = wrong_answers(attempt)
    for item in attempt.items.filter(kind="multiple"):
        answers[str(item.pk)] = item.correct[:1]
    assert submit(watched, attempt, answers).score == 20  # two 多选 half right: 10 + 10


# --- Submission rules --------------------------------------------------------------------------------------


def test_submitting_twice_changes_nothing(watched):
    attempt = start(watched)
    first = submit(watched, attempt, wrong_answers(attempt))
    assert first.score == 0 and not first.passed
    again = submit(watched, attempt, correct_answers(attempt))
    assert again.score == 0 and not again.passed and again.submitted_at == first.submitted_at
    assert not HourLedgerEntry.objects.exists()
    client = Client()
    client.force_login(watched.user)
    response = client.post(reverse("exams:attempt_submit", args=[attempt.public_id]), {})
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.score == 0


def test_someone_elses_attempt_cannot_be_submitted_or_seen(watched):
    attempt = start(watched)
    intruder = study_setup(durations=(10.0,), name="别人")
    with pytest.raises(NotFoundError):
        attempt_submit(user=intruder.user, public_id=attempt.public_id, answers=correct_answers(attempt))
    client = Client()
    client.force_login(intruder.user)
    assert client.get(reverse("exams:attempt", args=[attempt.public_id])).status_code == 404
    assert client.post(reverse("exams:attempt_submit", args=[attempt.public_id]), {}).status_code == 404
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS and attempt.score is None


def test_submitting_after_the_window_closed_changes_nothing(watched):
    attempt = start(watched)
    close_window(watched)
    with pytest.raises(ServiceError, match="当前不在学习考试时间内"):
        submit(watched, attempt, correct_answers(attempt))
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS and attempt.score is None
    assert not AttemptQuestion.objects.filter(attempt=attempt).exclude(chosen=[]).exists()
    assert not HourLedgerEntry.objects.exists()


# --- Passing: best score, ledger, class qualification ---------------------------------------------------------


def test_first_pass_credits_the_ledger_with_the_attempt_and_watched_intervals(watched):
    failed = start(watched)
    submit(watched, failed, wrong_answers(failed))
    passed = start(watched)
    submit(watched, passed, correct_answers(passed))
    later = start(watched)
    submit(watched, later, correct_answers(later))  # passing again changes nothing in the ledger
    entry = HourLedgerEntry.objects.get(enrollment=watched.enrollment, course=watched.course)
    assert entry.attempt_ref == str(passed.public_id)
    assert (entry.category, entry.hours) == (HourCategory.IDEOLOGY, Decimal("2"))
    assert entry.evidence["attempt"] == str(passed.public_id) and entry.evidence["score"] == 100
    chapter = watched.chapters[0]
    assert entry.evidence["watched"] == [
        {
            "chapter": chapter.pk,
            "duration": 30.0,
            "watched": 30.0,
            "intervals": [[0, 30]],
            "completed_at": entry.evidence["watched"][0]["completed_at"],
        }
    ]
    assert AuditLog.objects.filter(event_type="exams.course_passed").count() == 1
    result = course_results([watched.selection])[watched.selection.pk]
    assert result.progress == 100 and result.quiz_passed and result.passed and result.quiz_best_score == 100


def test_best_score_is_kept(watched):
    for answers in (wrong_answers, correct_answers, wrong_answers):
        attempt = start(watched)
        submit(watched, attempt, answers(attempt))
    result = course_results([watched.selection])[watched.selection.pk]
    assert result.quiz_best_score == 100 and result.quiz_passed


def test_passing_the_last_course_qualifies_the_class_and_triggers_the_certificate(django_capture_on_commit_callbacks):
    s = study_setup(durations=(20.0,), hours="10", category=HourCategory.SKILL, grade=Grade.SENIOR)  # 7/7/10
    make_bank(s.course)
    for category in (HourCategory.IDEOLOGY, HourCategory.GENERAL):
        other = study_setup(durations=(5.0,), hours="7", category=category, user=s.user, enrollment=s.enrollment)
        ledger_credit(
            enrollment=s.enrollment, course=other.course, category=category, hours=Decimal("7"), attempt_ref="x"
        )
    watch_everything(s, Clock())
    attempt = start(s)
    with (
        events.captured(enrollment_qualified) as published,
        django_capture_on_commit_callbacks(execute=True),
    ):
        submit(s, attempt, correct_answers(attempt))
    s.enrollment.refresh_from_db()
    assert s.enrollment.status == EnrollmentStatus.QUALIFIED
    assert published == [{"enrollment_id": s.enrollment.pk}]
    progress = class_progress(s.enrollment)
    assert progress.completed_by_category()[HourCategory.SKILL] == Decimal("10")


# --- Pages -----------------------------------------------------------------------------------------------------


def test_quiz_button_flow_and_result_page(watched):
    client = Client()
    client.force_login(watched.user)
    response = client.get(reverse("exams:course_quiz", args=[watched.enrollment.pk, watched.course.pk]))
    attempt = QuizAttempt.objects.get()
    assert response["Location"] == reverse("exams:attempt", args=[attempt.public_id])
    answers = wrong_answers(attempt)
    first = attempt.items.order_by("position").first()
    answers[str(first.pk)] = first.correct
    post = {f"q{k}": v for k, v in answers.items()}
    client.post(reverse("exams:attempt_submit", args=[attempt.public_id]), post)
    html = client.get(reverse("exams:attempt", args=[attempt.public_id])).content.decode()
    assert "得分" in html and "<b>20</b> 分" in html and "未合格" in html
    assert html.count("正确答案：") == 5 and html.count("我的答案：") == 5 and "题析：" in html
    assert "只看错题 (4)" in html and "继续测验" in html and "返回" in html
    wrong_with_range = [
        i for i in attempt.items.all() if i.pk != first.pk and i.chapter_id_snapshot and i.range_start is not None
    ]
    assert html.count("回看讲解") == len(wrong_with_range)
    for item in wrong_with_range:
        expected = reverse("learning:course_study", args=[watched.enrollment.pk, watched.course.pk])
        assert (
            f"{expected}?chapter={item.chapter_id_snapshot}&amp;start={item.range_start}&amp;end={item.range_end}"
            in html
        )
    wrong_only = client.get(reverse("exams:attempt", args=[attempt.public_id]) + "?wrong=1").content.decode()
    assert wrong_only.count("正确答案：") == 4 and first.stem not in wrong_only
    assert "查看全部" in wrong_only
    response = client.post(reverse("exams:attempt_continue", args=[attempt.public_id]))
    new = QuizAttempt.objects.exclude(pk=attempt.pk).get()
    assert response["Location"] == reverse("exams:attempt", args=[new.public_id])
    assert new.number == 2 and new.status == AttemptStatus.IN_PROGRESS


def test_class_home_shows_quiz_result(watched):
    attempt = start(watched)
    submit(watched, attempt, correct_answers(attempt))
    client = Client()
    client.force_login(watched.user)
    html = client.get(reverse("classroom:class_home", args=[watched.enrollment.pk])).content.decode()
    compact = html.replace(" ", "").replace("\n", "")
    assert "(课程进度100%课后测验合格)" in compact
    assert reverse("exams:course_quiz", args=[watched.enrollment.pk, watched.course.pk]) in html


def test_true_false_questions_show_their_words(watched):
    QuizPolicy.objects.create(course=watched.course, single_count=2, multiple_count=1, true_false_count=2)
    attempt = start(watched)
    tf = attempt.items.filter(kind=QuestionKind.TRUE_FALSE).first()
    assert [o["text"] for o in tf.options] == ["正确", "错误"]
    submit(watched, attempt, {str(tf.pk): [1 - tf.correct[0]]})
    client = Client()
    client.force_login(watched.user)
    html = client.get(reverse("exams:attempt", args=[attempt.public_id])).content.decode()
    truth = "正确" if tf.correct == [0] else "错误"
    assert f'正确答案：<b class="text-success">{truth}</b>' in html


def test_make_question_helper_builds_valid_options(setup):
    q = make_question(setup.course, QuestionKind.MULTIPLE, correct=[0, 1, 3])
    assert list(q.options.filter(is_correct=True).values_list("order", flat=True)) == [0, 1, 3]


def test_an_operator_adjustment_in_the_ledger_counts_as_passed(setup):
    from cecloud.training.models import LedgerSource

    ledger_credit(
        enrollment=setup.enrollment,
        course=setup.course,
        category=setup.selection.category,
        hours=setup.selection.hours,
        source=LedgerSource.ADJUSTMENT,
    )
    result = course_results([setup.selection])[setup.selection.pk]
    assert result.credited and result.passed and result.progress == 0 and not result.quiz_passed
