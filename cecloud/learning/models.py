"""Online learning (requirements S4/S5): course selection (选课) for a class.

Selection part: ``CourseSelection`` — one row per class and course; a candidate (加入候选)
until the learner confirms (确认选中的课程), then confirmed for good. Playback, watched
intervals and progress live beside it: ``PlaybackSession`` (one active player per learner, the
server-clock baseline and per-reason heartbeat counters), ``AttentionCheck`` and ``WatchedChapter``
(the union of watched intervals per class and chapter). Course evaluations (课程评价) are
``CourseEvaluation``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cecloud.catalog.models import Chapter, Course
from cecloud.training.models import Enrollment, HourCategory


class SelectionStatus(models.TextChoices):
    CANDIDATE = "candidate", "待确认"
    CONFIRMED = "confirmed", "已确认"


class CourseSelection(models.Model):
    """A course in a class's selection. Confirmed rows are never changed or deleted.

    ``category`` and ``hours`` are snapshots of the course taken when added and refreshed at
    confirmation; the hours credited for the course later are these.
    """

    enrollment = models.ForeignKey(Enrollment, verbose_name="班级", on_delete=models.CASCADE, related_name="selections")
    course = models.ForeignKey(Course, verbose_name="课程", on_delete=models.PROTECT, related_name="selections")
    category = models.CharField("课程分类", max_length=10, choices=HourCategory.choices)
    hours = models.DecimalField("学时", max_digits=4, decimal_places=1)
    status = models.CharField("状态", max_length=10, choices=SelectionStatus.choices, default=SelectionStatus.CANDIDATE)
    created_at = models.DateTimeField("加入时间", auto_now_add=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    confirm_round = models.PositiveSmallIntegerField("确认批次", null=True, blank=True)

    class Meta:
        verbose_name = "选课记录"
        verbose_name_plural = "选课记录"
        ordering = ["enrollment", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "course"], name="selection_once_per_course"),
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="selection_hours_positive"),
            models.CheckConstraint(
                condition=models.Q(status="candidate", confirmed_at__isnull=True)
                | models.Q(status="confirmed", confirmed_at__isnull=False),
                name="selection_confirmed_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["enrollment", "status"], name="selection_enrollment_status"),
            models.Index(fields=["course", "status"], name="selection_course_status"),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment} · {self.course}"

    @property
    def is_confirmed(self) -> bool:
        return self.status == SelectionStatus.CONFIRMED


# --- Playback (requirements S5): server-verified watch time ------------------------------------------------


class PlaybackStatus(models.TextChoices):
    ACTIVE = "active", "播放中"
    SUPERSEDED = "superseded", "已在其他页面播放"


class PlaybackSession(models.Model):
    """One opening of the player. A learner has at most one ACTIVE session (a partial unique
    index); opening the player elsewhere supersedes the old one, whose heartbeats are refused.

    The session holds the server-clock baseline (``last_beat_at``: the previous accepted heartbeat)
    that bounds how much watching a heartbeat may claim, the attention-check schedule, and the
    counters of accepted and rejected heartbeats by reason (kept here instead of one row per beat).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="学员帐号", on_delete=models.CASCADE, related_name="playback_sessions"
    )
    enrollment = models.ForeignKey(Enrollment, verbose_name="班级", on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(Course, verbose_name="课程", on_delete=models.CASCADE, related_name="+")
    token = models.CharField("播放令牌", max_length=64, unique=True)
    status = models.CharField("状态", max_length=12, choices=PlaybackStatus.choices, default=PlaybackStatus.ACTIVE)
    started_at = models.DateTimeField("开始时间")
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    last_beat_at = models.DateTimeField("上次有效心跳")
    last_chapter = models.ForeignKey(
        Chapter, verbose_name="最近章节", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_position = models.FloatField("最近位置(秒)", default=0)
    # Attention checks: issued when played_seconds reaches next_check_at; none credited while pending.
    played_seconds = models.FloatField("播放时长(秒)", default=0, help_text="有效心跳覆盖的播放时长（含回看）")
    next_check_at = models.FloatField("下次确认(播放秒数)", default=0)
    pending_check = models.ForeignKey(
        "AttentionCheck", verbose_name="待确认", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Counters (oversight, bot spotting).
    credited_seconds = models.FloatField("新增观看(秒)", default=0)
    beats_accepted = models.PositiveIntegerField("有效心跳", default=0)
    rejected_superseded = models.PositiveIntegerField("拒绝:已被替代", default=0)
    rejected_too_fast = models.PositiveIntegerField("拒绝:快于实际时间", default=0)
    rejected_ahead = models.PositiveIntegerField("拒绝:超出已看位置", default=0)
    rejected_attention = models.PositiveIntegerField("拒绝:待确认", default=0)
    rejected_closed = models.PositiveIntegerField("拒绝:不在学习时间", default=0)
    rejected_invalid = models.PositiveIntegerField("拒绝:无效", default=0)
    checks_issued = models.PositiveIntegerField("确认次数", default=0)
    checks_answered = models.PositiveIntegerField("已确认次数", default=0)
    user_agent = models.CharField("浏览器", max_length=200, blank=True)

    class Meta:
        verbose_name = "播放会话"
        verbose_name_plural = "播放会话"
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(status="active"), name="playback_one_active_session_per_user"
            ),
        ]
        indexes = [models.Index(fields=["user", "started_at"], name="playback_user_started")]

    def __str__(self) -> str:
        return f"{self.user} · {self.course} · {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.status == PlaybackStatus.ACTIVE

    @property
    def rejected_total(self) -> int:
        return (
            self.rejected_superseded
            + self.rejected_too_fast
            + self.rejected_ahead
            + self.rejected_attention
            + self.rejected_closed
            + self.rejected_invalid
        )


class AttentionCheck(models.Model):
    """An attention check (click to continue) issued by the server during playback."""

    session = models.ForeignKey(
        PlaybackSession, verbose_name="播放会话", on_delete=models.CASCADE, related_name="attention_checks"
    )
    chapter = models.ForeignKey(Chapter, verbose_name="章节", null=True, on_delete=models.SET_NULL, related_name="+")
    position = models.FloatField("视频位置(秒)", default=0)
    issued_at = models.DateTimeField("发出时间")
    answered_at = models.DateTimeField("确认时间", null=True, blank=True)

    class Meta:
        verbose_name = "学习状态确认"
        verbose_name_plural = "学习状态确认"
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"{self.session_id} @ {self.issued_at:%H:%M:%S}"

    @property
    def response_seconds(self) -> float | None:
        if self.answered_at is None:
            return None
        return (self.answered_at - self.issued_at).total_seconds()


class WatchedChapter(models.Model):
    """What the server has seen watched of one chapter in one class (班级).

    ``intervals`` is the union of credited intervals ([[start, end], ...] in seconds, sorted and
    disjoint); ``watched_seconds`` its length; ``furthest`` the furthest point credited (seeking
    beyond it earns nothing). Keyed by class so that each year's hours need their own watching.
    """

    enrollment = models.ForeignKey(Enrollment, verbose_name="班级", on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(Course, verbose_name="课程", on_delete=models.CASCADE, related_name="+")
    chapter = models.ForeignKey(Chapter, verbose_name="章节", on_delete=models.CASCADE, related_name="+")
    intervals = models.JSONField("已观看区间", default=list, blank=True)
    watched_seconds = models.FloatField("已观看(秒)", default=0)
    furthest = models.FloatField("最远位置(秒)", default=0)
    last_position = models.FloatField("续播位置(秒)", default=0)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", null=True, blank=True)

    class Meta:
        verbose_name = "章节观看记录"
        verbose_name_plural = "章节观看记录"
        ordering = ["enrollment", "chapter__order", "chapter_id"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "chapter"], name="watched_once_per_class_chapter"),
            models.CheckConstraint(condition=models.Q(watched_seconds__gte=0), name="watched_non_negative"),
        ]
        indexes = [models.Index(fields=["enrollment", "course"], name="watched_enrollment_course")]

    def __str__(self) -> str:
        return f"{self.enrollment_id} · {self.chapter_id} · {self.watched_seconds:.0f}s"


# --- Course evaluation (requirements S8) -------------------------------------------------------------------


class CourseEvaluation(models.Model):
    """课程评价: 课件内容 and 教师授课质量, 1–5 stars; one per learner and course, changeable.

    The course's 综合评价 is the average over evaluations of (课件内容 + 教师授课质量) / 2.
    """

    person = models.ForeignKey(
        "registry.Person", verbose_name="学员", on_delete=models.CASCADE, related_name="course_evaluations"
    )
    course = models.ForeignKey(Course, verbose_name="课程", on_delete=models.CASCADE, related_name="evaluations")
    enrollment = models.ForeignKey(Enrollment, verbose_name="班级", on_delete=models.CASCADE, related_name="+")
    content_score = models.PositiveSmallIntegerField("课件内容")
    teaching_score = models.PositiveSmallIntegerField("教师授课质量")
    comment = models.TextField("评价内容", max_length=500, blank=True)
    created_at = models.DateTimeField("评价时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "课程评价"
        verbose_name_plural = "课程评价"
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["person", "course"], name="evaluation_once_per_learner_course"),
            models.CheckConstraint(
                condition=models.Q(content_score__gte=1, content_score__lte=5), name="evaluation_content_1_to_5"
            ),
            models.CheckConstraint(
                condition=models.Q(teaching_score__gte=1, teaching_score__lte=5), name="evaluation_teaching_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.course}"

    @property
    def overall(self) -> float:
        return (self.content_score + self.teaching_score) / 2
