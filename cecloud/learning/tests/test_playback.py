"""Every credit rule of requirements S5 / issue 5 point 2–5, with the server clock injected.

A scripted client sends heartbeats faster than real time, skips ahead, replays, runs two sessions
or forges positions: it never earns more than the wall clock × tolerance.
"""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cecloud.classroom.selectors import class_progress, course_results
from cecloud.core.errors import ServiceError
from cecloud.core.testing import require_postgres
from cecloud.learning.factories import Clock, confirm_course, study_setup
from cecloud.learning.models import AttentionCheck, PlaybackSession, PlaybackStatus, WatchedChapter
from cecloud.learning.progress import course_percent, course_progress, intervals_length, intervals_merge
from cecloud.learning.services.playback import attention_answer, playback_heartbeat, playback_start
from cecloud.learning.services.playback_rules import Reason, parse_range, study_gate_forget
from cecloud.training.models import RegionSchedule

pytestmark = pytest.mark.django_db

TOL = 1.1


class Player:
    """A scripted client: keeps its own idea of position and talks to the service directly."""

    def __init__(self, setup, clock, session=None):
        self.setup, self.clock = setup, clock
        self.session = session or playback_start(
            user=setup.user, enrollment=setup.enrollment, course=setup.course, now=clock.now
        )

    def beat(self, start, position, chapter=None, token=None):
        chapter = chapter or self.setup.chapters[0]
        return playback_heartbeat(
            user=self.setup.user,
            token=token or self.session.token,
            chapter_id=chapter.pk,
            start=start,
            position=position,
            now=self.clock.now,
        )


def watched(setup, chapter=None) -> WatchedChapter:
    return WatchedChapter.objects.get(enrollment=setup.enrollment, chapter=chapter or setup.chapters[0])


@pytest.fixture
def setup():
    return study_setup(durations=(60.0, 120.0))


@pytest.fixture
def clock():
    return Clock()


# --- Interval arithmetic -------------------------------------------------------------------------------


def test_intervals_merge_keeps_a_sorted_disjoint_union():
    u = intervals_merge([], 10, 20)
    u = intervals_merge(u, 30, 40)
    assert u == [[10, 20], [30, 40]]
    assert intervals_merge(u, 15, 35) == [[10, 40]]
    assert intervals_merge(u, 0, 5) == [[0, 5], [10, 20], [30, 40]]
    assert intervals_merge(u, 20, 30) == [[10, 40]]  # touching intervals join
    assert intervals_merge(u, 12, 18) == u
    assert intervals_merge(u, 5, 5) == u
    assert intervals_length([[0, 5], [10, 20]]) == 15


def test_course_percent_is_duration_weighted_and_100_only_when_every_chapter_is_complete():
    assert course_percent([(60, 60), (120, 0)]) == Decimal("33.33")
    assert course_percent([(60, 0), (120, 120)]) == Decimal("66.66")
    assert course_percent([(60, 59.5), (120, 119.2)]) == Decimal("100")  # within a second each
    assert course_percent([(60, 60), (120, 118.5)]) == Decimal("99.16")
    assert course_percent([(100, 99.99), (1000, 0)]) == Decimal("9.09")
    assert course_percent([]) == Decimal("0")


# --- Honest playback ------------------------------------------------------------------------------------


def test_real_time_playback_is_credited_and_completes_the_chapter(setup, clock):
    player = Player(setup, clock)
    position = 0.0
    for _ in range(6):
        clock.advance(10)
        result = player.beat(position, position + 10)
        assert result.accepted and result.reason == Reason.OK
        assert result.credited == 10
        position += 10
    row = watched(setup)
    assert row.intervals == [[0, 60]] and row.watched_seconds == 60 and row.furthest == 60
    assert row.completed_at == clock.now
    assert result.chapter.percent == 100 and result.chapter.complete
    assert course_progress(enrollment_id=setup.enrollment.pk, course_id=setup.course.pk) == Decimal("33.33")
    session = PlaybackSession.objects.get(pk=player.session.pk)
    assert session.beats_accepted == 6 and session.credited_seconds == 60 and session.rejected_total == 0


def test_union_within_a_second_of_the_duration_is_100_percent(setup, clock):
    player = Player(setup, clock)
    clock.advance(40)
    assert player.beat(0, 30).accepted
    clock.advance(30)
    assert player.beat(30, 59.2).accepted
    assert watched(setup).completed_at is not None
    assert course_results([setup.selection])[setup.selection.pk].progress == Decimal("33.33")


def test_resume_position_and_pause_beats(setup, clock):
    player = Player(setup, clock)
    clock.advance(12)
    player.beat(0, 12)
    clock.advance(300)  # paused for five minutes
    result = player.beat(12, 12)  # a pause/hide beat without movement
    assert result.accepted and result.credited == 0
    assert watched(setup).last_position == 12


def test_a_lost_heartbeat_is_covered_by_the_next_valid_one_when_time_allows(setup, clock):
    player = Player(setup, clock)
    clock.advance(10)
    assert player.beat(0, 10).accepted
    clock.advance(10)  # the beat for [10, 20] is lost on the network
    clock.advance(10)
    result = player.beat(10, 30)  # the client still starts from its last acknowledged position
    assert result.accepted and result.credited == 20
    assert watched(setup).intervals == [[0, 30]]


# --- Faster than real time ----------------------------------------------------------------------------------


def test_playback_faster_than_real_time_earns_nothing_extra(setup, clock):
    player = Player(setup, clock)
    clock.advance(10)
    result = player.beat(0, 20)  # 2× speed
    assert not result.accepted and result.reason == Reason.TOO_FAST
    assert watched(setup).watched_seconds == 0
    # The baseline did not move, so once the wall clock has caught up the same claim is fine.
    clock.advance(10)
    assert player.beat(0, 20).accepted
    assert watched(setup).watched_seconds == 20


def test_tolerance_is_about_ten_percent(setup, clock):
    player = Player(setup, clock)
    clock.advance(10)
    assert player.beat(0, 11).accepted  # 1.1×
    clock.advance(10)
    assert player.beat(11, 22.2).reason == Reason.TOO_FAST  # 1.12×


def test_rapid_fire_heartbeats_earn_no_more_than_real_time(setup, clock):
    player = Player(setup, clock)
    position = 0.0
    for _ in range(200):  # a bot: a beat every 0.1 s, each claiming a full second
        clock.advance(0.1)
        if player.beat(position, position + 1).accepted:
            position += 1
    elapsed = 20.0
    assert watched(setup).watched_seconds <= elapsed * TOL


def test_replaying_a_heartbeat_earns_nothing(setup, clock):
    player = Player(setup, clock)
    clock.advance(10)
    assert player.beat(0, 10).accepted
    for _ in range(5):
        again = player.beat(0, 10)
        assert not again.accepted and again.reason == Reason.TOO_FAST
    assert watched(setup).watched_seconds == 10
    assert PlaybackSession.objects.get(pk=player.session.pk).rejected_too_fast == 5


# --- Seeking ---------------------------------------------------------------------------------------------


def test_seeking_beyond_the_furthest_point_earns_nothing(setup, clock):
    player = Player(setup, clock)
    clock.advance(10)
    player.beat(0, 10)
    clock.advance(10)
    result = player.beat(40, 50)  # skipped ahead from 10 to 40
    assert not result.accepted and result.reason == Reason.AHEAD
    assert result.chapter.furthest == 10
    assert watched(setup).intervals == [[0, 10]]
    assert PlaybackSession.objects.get(pk=player.session.pk).rejected_ahead == 1


def test_rewatching_is_free_and_earns_nothing_new(setup, clock):
    player = Player(setup, clock)
    clock.advance(30)
    player.beat(0, 30)
    clock.advance(10)
    result = player.beat(5, 15)  # rewound
    assert result.accepted and result.credited == 0
    clock.advance(20)
    result = player.beat(15, 35)  # watches on past the furthest point
    assert result.accepted and result.credited == 5
    assert watched(setup).intervals == [[0, 35]]


def test_small_rounding_past_the_furthest_point_leaves_an_uncredited_hole(setup, clock):
    player = Player(setup, clock)
    clock.advance(10)
    player.beat(0, 10)
    clock.advance(10)
    result = player.beat(10.4, 20.4)  # within EPSILON of the furthest point
    assert result.accepted
    row = watched(setup)
    assert row.intervals == [[0, 10], [10.4, 20.4]]
    assert row.watched_seconds == 20  # the 0.4 s skipped is not credited


def test_positions_outside_the_chapter_are_invalid(setup, clock):
    player = Player(setup, clock)
    clock.advance(10)
    for start, position in [(-5, 5), (5, 2), ("x", 3), (0, float("nan")), (0, 100)]:
        assert player.beat(start, position).reason == Reason.INVALID
    assert PlaybackSession.objects.get(pk=player.session.pk).rejected_invalid == 5


def test_a_chapter_of_another_course_is_invalid(setup, clock):
    other = study_setup(durations=(30.0,), user=setup.user, enrollment=setup.enrollment)
    player = Player(setup, clock)
    clock.advance(10)
    assert player.beat(0, 10, chapter=other.chapters[0]).reason == Reason.INVALID
    assert not WatchedChapter.objects.filter(chapter=other.chapters[0], watched_seconds__gt=0).exists()


# --- One active session ----------------------------------------------------------------------------------


def test_opening_the_player_elsewhere_supersedes_the_old_session(setup, clock):
    first = Player(setup, clock)
    clock.advance(10)
    assert first.beat(0, 10).accepted
    second = Player(setup, clock)
    clock.advance(10)
    old = first.beat(10, 20)
    assert not old.accepted and old.reason == Reason.SUPERSEDED
    assert old.as_dict()["message"] == "已在其他页面播放"
    assert second.beat(10, 20).accepted
    sessions = {s.pk: s for s in PlaybackSession.objects.filter(user=setup.user)}
    assert sessions[first.session.pk].status == PlaybackStatus.SUPERSEDED
    assert sessions[first.session.pk].rejected_superseded == 1
    assert sessions[second.session.pk].status == PlaybackStatus.ACTIVE
    assert PlaybackSession.objects.filter(user=setup.user, status=PlaybackStatus.ACTIVE).count() == 1


def test_two_sessions_alternating_earn_no_more_than_real_time(setup, clock):
    a = Player(setup, clock)
    b = Player(setup, clock, session=None)
    position = 0.0
    for _ in range(10):
        clock.advance(5)
        for player in (a, b):  # each claims the full 5 s in "parallel"
            if player.beat(position, position + 5).accepted:
                position += 5
    assert watched(setup).watched_seconds <= 50 * TOL


def test_another_learners_token_is_refused(setup, clock):
    player = Player(setup, clock)
    other = study_setup(durations=(60.0,), name="李四")
    clock.advance(10)
    result = playback_heartbeat(
        user=other.user, token=player.session.token, chapter_id=setup.chapters[0].pk, start=0, position=10
    )
    assert result.reason == Reason.INVALID
    assert watched(setup).watched_seconds == 0


def test_one_session_across_chapters_shares_one_clock(setup, clock):
    player = Player(setup, clock)
    clock.advance(10)
    assert player.beat(0, 10, chapter=setup.chapters[0]).accepted
    result = player.beat(0, 10, chapter=setup.chapters[1])  # a second chapter "in parallel"
    assert result.reason == Reason.TOO_FAST


# --- Study window and confirmation -------------------------------------------------------------------------


def test_the_player_needs_a_confirmed_course_and_an_open_window(setup, clock):
    other = study_setup(durations=(30.0,), user=setup.user, enrollment=setup.enrollment)
    other.selection.delete()
    with pytest.raises(ServiceError, match="请先在选课页面选择并确认该课程"):
        playback_start(user=setup.user, enrollment=setup.enrollment, course=other.course)


def test_heartbeats_stop_counting_when_the_study_window_closes(setup, clock):
    player = Player(setup, clock)
    clock.advance(10)
    assert player.beat(0, 10).accepted
    today = timezone.localdate()
    RegionSchedule.objects.filter(training_year=setup.enrollment.training_year).update(
        study_start=today - dt.timedelta(days=10), study_end=today - dt.timedelta(days=1)
    )
    study_gate_forget(enrollment_id=setup.enrollment.pk, course_id=setup.course.pk)
    clock.advance(10)
    result = player.beat(10, 20)
    assert not result.accepted and result.reason == Reason.CLOSED
    assert "当前不在学习考试时间内" in result.message
    assert watched(setup).watched_seconds == 10
    assert PlaybackSession.objects.get(pk=player.session.pk).rejected_closed == 1
    with pytest.raises(ServiceError, match="学习考试时间"):
        playback_start(user=setup.user, enrollment=setup.enrollment, course=setup.course)


def test_the_cached_gate_still_checks_the_last_day(setup, clock, monkeypatch):
    player = Player(setup, clock)
    clock.advance(10)
    assert player.beat(0, 10).accepted  # caches "open until the window's last day"
    last_day = RegionSchedule.objects.get(
        region=setup.enrollment.region.city or setup.enrollment.region, training_year=setup.enrollment.training_year
    ).study_end
    monkeypatch.setattr(
        "cecloud.learning.services.playback_rules.timezone.localdate", lambda: last_day + dt.timedelta(days=1)
    )
    clock.advance(10)
    assert player.beat(10, 20).reason == Reason.CLOSED


# --- Attention checks -----------------------------------------------------------------------------------------


@override_settings(CECLOUD_ATTENTION_CHECK_SECONDS="30")
def test_attention_check_stops_crediting_until_answered(setup, clock):
    player = Player(setup, clock)
    position = 0.0
    issued = None
    for _ in range(3):
        clock.advance(10)
        result = player.beat(position, position + 10)
        assert result.accepted
        position += 10
        issued = issued or result.check_id
    assert issued, "a check is issued once 30 s have been played"
    check = AttentionCheck.objects.get(pk=issued)
    assert check.session_id == player.session.pk and check.position == 30 and check.answered_at is None
    # While it waits, nothing is credited however long the page stays open.
    clock.advance(10)
    result = player.beat(position, position + 10)
    assert not result.accepted and result.reason == Reason.ATTENTION and result.check_id == issued
    clock.advance(300)
    attention_answer(user=setup.user, token=player.session.token, check_id=issued, now=clock.now)
    result = player.beat(position, position + 10)  # the unanswered time does not count
    assert result.reason == Reason.TOO_FAST
    clock.advance(10)
    assert player.beat(position, position + 10).accepted
    session = PlaybackSession.objects.get(pk=player.session.pk)
    assert (session.checks_issued, session.checks_answered, session.rejected_attention) == (1, 1, 1)
    assert AttentionCheck.objects.get(pk=issued).response_seconds == 310
    assert watched(setup).watched_seconds == 40


@override_settings(CECLOUD_ATTENTION_CHECK_SECONDS="30")
def test_reopening_the_player_does_not_skip_a_pending_check(setup, clock):
    player = Player(setup, clock)
    for i in range(3):
        clock.advance(10)
        result = player.beat(i * 10, i * 10 + 10)
    assert result.check_id
    reopened = Player(setup, clock)  # a bot reloads instead of answering
    clock.advance(10)
    result = reopened.beat(30, 40)
    assert result.accepted and result.check_id, "the first progress in the new session asks again"


@override_settings(CECLOUD_ATTENTION_CHECK_SECONDS="25")
def test_reopening_the_player_keeps_the_check_schedule(setup, clock):
    player = Player(setup, clock)
    clock.advance(20)
    player.beat(0, 20)
    reopened = Player(setup, clock)
    clock.advance(10)
    assert reopened.beat(20, 30).check_id  # 5 s were left before the check


def test_answering_a_wrong_or_foreign_check_is_refused(setup, clock):
    player = Player(setup, clock)
    session = PlaybackSession.objects.get(pk=player.session.pk)
    check = AttentionCheck.objects.create(session=session, issued_at=clock.now)
    PlaybackSession.objects.filter(pk=session.pk).update(pending_check=check)
    with pytest.raises(ServiceError, match="无效的确认"):
        attention_answer(user=setup.user, token=session.token, check_id=check.pk + 999)
    other = study_setup(durations=(10.0,), name="王五")
    with pytest.raises(ServiceError, match="无效的学习记录"):
        attention_answer(user=other.user, token=session.token, check_id=check.pk)
    Player(setup, clock)  # superseded
    with pytest.raises(ServiceError, match="已在其他页面播放"):
        attention_answer(user=setup.user, token=session.token, check_id=check.pk)


def test_attention_range_setting():
    assert parse_range("600-1200") == (600, 1200)
    assert parse_range("30") == (30, 30)
    assert parse_range("off") == (0, 0)
    with pytest.raises(ValueError):
        parse_range("20-10")


# --- Property: forged positions never beat the clock ------------------------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    beats=st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=30),  # seconds before the beat
            st.floats(min_value=0, max_value=200),  # claimed start
            st.floats(min_value=0, max_value=200),  # claimed length
            st.booleans(),  # reopen the player first
        ),
        min_size=1,
        max_size=40,
    )
)
def test_forged_heartbeats_never_earn_more_than_the_wall_clock(beats):
    setup = study_setup(durations=(120.0,), name="机器人")
    clock = Clock()
    player = Player(setup, clock)
    elapsed = 0.0
    for wait, start, length, reopen in beats:
        if reopen:
            player = Player(setup, clock)
        clock.advance(wait)
        elapsed += wait
        player.beat(start, start + length)
        total = WatchedChapter.objects.get(enrollment=setup.enrollment, chapter=setup.chapters[0]).watched_seconds
        assert total <= elapsed * TOL + 1e-6


# --- Results on the class pages ---------------------------------------------------------------------------------


def test_course_results_and_class_progress_show_watched_progress(setup, clock):
    second = confirm_course(setup.enrollment, study_setup(durations=(10.0,), user=setup.user).course)
    player = Player(setup, clock)
    clock.advance(60)
    player.beat(0, 60)
    results = class_progress(setup.enrollment).results
    assert results[setup.selection.pk].progress == Decimal("33.33")
    assert results[second.pk].progress == 0
    assert not results[setup.selection.pk].quiz_unlocked


# --- Concurrency (PostgreSQL) ------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_identical_heartbeats_are_credited_once():
    require_postgres()
    setup = study_setup(durations=(60.0,))
    start = timezone.now()
    session = playback_start(user=setup.user, enrollment=setup.enrollment, course=setup.course, now=start)
    later = start + dt.timedelta(seconds=10)
    results, barrier = [], threading.Barrier(4)

    def send():
        try:
            barrier.wait()
            results.append(
                playback_heartbeat(
                    user=setup.user,
                    token=session.token,
                    chapter_id=setup.chapters[0].pk,
                    start=0,
                    position=10,
                    now=later,
                )
            )
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.reason for r in results) == ["ok", "too_fast", "too_fast", "too_fast"]
    assert WatchedChapter.objects.get(enrollment=setup.enrollment).watched_seconds == 10
    session.refresh_from_db()
    assert session.beats_accepted == 1 and session.rejected_too_fast == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_player_openings_leave_one_active_session():
    require_postgres()
    setup = study_setup(durations=(60.0,))
    barrier, errors = threading.Barrier(4), []

    def open_player():
        try:
            barrier.wait()
            playback_start(user=setup.user, enrollment=setup.enrollment, course=setup.course)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=open_player) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert PlaybackSession.objects.filter(user=setup.user).count() == 4
    assert PlaybackSession.objects.filter(user=setup.user, status=PlaybackStatus.ACTIVE).count() == 1


# --- A lean hot path ----------------------------------------------------------------------------------------


def test_an_accepted_heartbeat_is_one_locking_read_and_one_write(setup, clock):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    player = Player(setup, clock)
    clock.advance(10)
    assert player.beat(0, 10).accepted  # warms the study-window cache
    clock.advance(10)
    with CaptureQueriesContext(connection) as ctx:
        assert player.beat(10, 20).accepted
    statements = [
        q["sql"]
        for q in ctx.captured_queries
        if not q["sql"].upper().startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"))
    ]
    expected = 2 if connection.vendor == "postgresql" else 3  # SQLite has no data-modifying CTE
    assert len(statements) == expected, statements
    assert statements[0].startswith("SELECT") and "learning_watchedchapter" in statements[0]
    if connection.vendor == "postgresql":
        assert "FOR UPDATE OF s, w" in statements[0] and "synchronous_commit" in statements[0]
        assert statements[1].startswith("WITH w AS (UPDATE")
