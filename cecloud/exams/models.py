"""课后测验 (requirements S6): question bank per course, quiz policy, attempts with their stored layout.

Each attempt stores what it drew (``AttemptQuestion``: the question, its stem, its options in the
shuffled order shown, the correct option positions, the explanation and the chapter range) so
that its review and its score never change when the bank is edited later (Moodle's approach).
The correct positions are only ever rendered after submission.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from cecloud.catalog.models import Chapter, Course
from cecloud.core.transitions import StateMachine
from cecloud.training.models import Enrollment


class QuestionKind(models.TextChoices):
    SINGLE = "single", "单选题"
    MULTIPLE = "multiple", "多选题"
    TRUE_FALSE = "true_false", "判断题"


KIND_ORDER = [QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.TRUE_FALSE]
TRUE_FALSE_OPTIONS = ["正确", "错误"]


class Question(models.Model):
    course = models.ForeignKey(Course, verbose_name="课程", on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField("题型", max_length=12, choices=QuestionKind.choices, default=QuestionKind.SINGLE)
    stem = models.TextField("题干", max_length=2000)
    explanation = models.TextField("题析", blank=True)
    knowledge_point = models.CharField("知识点", max_length=100, blank=True)
    chapter = models.ForeignKey(
        Chapter,
        verbose_name="讲解章节",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="讲授该知识点的章节；答错时可“回看讲解”",
    )
    range_start = models.FloatField("讲解开始(秒)", null=True, blank=True, validators=[MinValueValidator(0)])
    range_end = models.FloatField("讲解结束(秒)", null=True, blank=True, validators=[MinValueValidator(0)])
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveIntegerField("排序", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "试题"
        verbose_name_plural = "试题"
        ordering = ["course", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "stem"], name="question_unique_stem_per_course"),
            models.CheckConstraint(
                condition=models.Q(range_start__isnull=True, range_end__isnull=True)
                | models.Q(range_start__isnull=False, range_end__isnull=False, range_end__gt=models.F("range_start")),
                name="question_range_ordered",
            ),
        ]
        indexes = [models.Index(fields=["course", "kind", "is_active"], name="question_draw")]

    def __str__(self) -> str:
        return self.stem[:40]

    def clean(self):
        if (self.range_start is None) != (self.range_end is None):
            raise ValidationError("讲解开始和讲解结束须同时填写")
        if self.range_start is not None and self.range_end <= self.range_start:
            raise ValidationError("讲解结束须晚于讲解开始")
        if self.range_start is not None and self.chapter_id is None:
            raise ValidationError("填写讲解时间时须选择讲解章节")
        if self.chapter_id and self.course_id and self.chapter.course_id != self.course_id:
            raise ValidationError("讲解章节须属于本课程")

    @property
    def has_range(self) -> bool:
        return self.chapter_id is not None and self.range_start is not None


class QuestionOption(models.Model):
    question = models.ForeignKey(Question, verbose_name="试题", on_delete=models.CASCADE, related_name="options")
    order = models.PositiveSmallIntegerField("顺序", default=0)
    text = models.CharField("选项内容", max_length=500)
    is_correct = models.BooleanField("正确答案", default=False)

    class Meta:
        verbose_name = "选项"
        verbose_name_plural = "选项"
        ordering = ["question", "order", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class MultipleScoring(models.TextChoices):
    ALL_OR_NOTHING = "all", "多选、少选、错选均不得分"
    PARTIAL = "partial", "少选得一半分，多选、错选不得分"


class QuizPolicy(models.Model):
    """A course's quiz: how many questions of each type, points each, pass mark, multi-choice rule.

    Without a row the default applies (3 单选 + 2 多选, 20 points each, 60 to pass, all-or-nothing).
    """

    course = models.OneToOneField(Course, verbose_name="课程", on_delete=models.CASCADE, related_name="quiz_policy")
    single_count = models.PositiveSmallIntegerField("单选题数", default=3)
    multiple_count = models.PositiveSmallIntegerField("多选题数", default=2)
    true_false_count = models.PositiveSmallIntegerField("判断题数", default=0)
    points_per_question = models.PositiveSmallIntegerField(
        "每题分值", default=20, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    pass_score = models.PositiveSmallIntegerField(
        "及格分", default=60, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    multiple_scoring = models.CharField(
        "多选题计分", max_length=10, choices=MultipleScoring.choices, default=MultipleScoring.ALL_OR_NOTHING
    )
    shuffle_options = models.BooleanField("选项乱序", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "测验规则"
        verbose_name_plural = "测验规则"
        ordering = ["course"]
        constraints = [
            models.CheckConstraint(condition=models.Q(pass_score__lte=100), name="quiz_pass_score_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.course} 测验规则"

    @property
    def question_count(self) -> int:
        return self.single_count + self.multiple_count + self.true_false_count

    @property
    def total_score(self) -> int:
        return self.question_count * self.points_per_question

    def counts(self) -> dict[str, int]:
        return {
            QuestionKind.SINGLE: self.single_count,
            QuestionKind.MULTIPLE: self.multiple_count,
            QuestionKind.TRUE_FALSE: self.true_false_count,
        }

    def clean(self):
        if self.question_count <= 0:
            raise ValidationError("至少需要1道题")
        if self.total_score != 100:
            raise ValidationError(f"总分须为100分（当前 {self.question_count} 题 × {self.points_per_question} 分）")
        if self.pass_score > self.total_score:
            raise ValidationError("及格分不能高于总分")


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "答题中"
    SUBMITTED = "submitted", "已交卷"


# An attempt is submitted once (submitting again returns it unchanged); a new sitting is a new attempt.
ATTEMPT_TRANSITIONS: dict[str, frozenset[str]] = {
    AttemptStatus.IN_PROGRESS: frozenset({AttemptStatus.SUBMITTED}),
    AttemptStatus.SUBMITTED: frozenset(),
}


class QuizAttempt(models.Model):
    """One sitting of a course's quiz by a learner in a class; identified in URLs by ``public_id``."""

    public_id = models.UUIDField("编号", default=uuid.uuid4, unique=True, editable=False)
    enrollment = models.ForeignKey(
        Enrollment, verbose_name="班级", on_delete=models.PROTECT, related_name="quiz_attempts"
    )
    course = models.ForeignKey(Course, verbose_name="课程", on_delete=models.PROTECT, related_name="quiz_attempts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="学员帐号", on_delete=models.PROTECT, related_name="quiz_attempts"
    )
    number = models.PositiveIntegerField("第几次", default=1)
    status = models.CharField("状态", max_length=12, choices=AttemptStatus.choices, default=AttemptStatus.IN_PROGRESS)
    total_score = models.PositiveSmallIntegerField("总分", default=100)
    pass_score = models.PositiveSmallIntegerField("及格分", default=60)
    multiple_scoring = models.CharField(
        "多选题计分", max_length=10, choices=MultipleScoring.choices, default=MultipleScoring.ALL_OR_NOTHING
    )
    score = models.PositiveSmallIntegerField("得分", null=True, blank=True)
    passed = models.BooleanField("合格", default=False)
    started_at = models.DateTimeField("开始时间")
    submitted_at = models.DateTimeField("交卷时间", null=True, blank=True)

    states = StateMachine("测验", AttemptStatus, ATTEMPT_TRANSITIONS)

    class Meta:
        verbose_name = "测验记录"
        verbose_name_plural = "测验记录"
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "course"],
                condition=models.Q(status="in_progress"),
                name="attempt_one_open_per_class_course",
            ),
            models.CheckConstraint(
                condition=models.Q(status="in_progress", score__isnull=True, submitted_at__isnull=True)
                | models.Q(status="submitted", score__isnull=False, submitted_at__isnull=False),
                name="attempt_submitted_has_score",
            ),
        ]
        indexes = [
            models.Index(fields=["enrollment", "course", "status"], name="attempt_class_course"),
            models.Index(fields=["user", "course"], name="attempt_user_course"),
        ]

    def __str__(self) -> str:
        return f"{self.course} 第{self.number}次"

    @property
    def is_submitted(self) -> bool:
        return self.status == AttemptStatus.SUBMITTED


class AttemptQuestion(models.Model):
    """A drawn question of an attempt, as shown: options in display order; the key kept server-side."""

    attempt = models.ForeignKey(QuizAttempt, verbose_name="测验", on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, verbose_name="试题", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField("题号")
    kind = models.CharField("题型", max_length=12, choices=QuestionKind.choices)
    points = models.PositiveSmallIntegerField("分值")
    stem = models.TextField("题干")
    options = models.JSONField("选项(显示顺序)", default=list)  # [{"id": option id, "text": ...}]
    correct = models.JSONField(
        "正确选项位置", default=list
    )  # positions in ``options``; never rendered before submission
    explanation = models.TextField("题析", blank=True)
    chapter_id_snapshot = models.PositiveBigIntegerField("讲解章节", null=True, blank=True)
    range_start = models.FloatField("讲解开始(秒)", null=True, blank=True)
    range_end = models.FloatField("讲解结束(秒)", null=True, blank=True)
    chosen = models.JSONField("作答", default=list, blank=True)
    is_correct = models.BooleanField("正确", null=True, blank=True)
    earned = models.PositiveSmallIntegerField("得分", default=0)

    class Meta:
        verbose_name = "测验题目"
        verbose_name_plural = "测验题目"
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="attempt_question_position_once"),
            models.UniqueConstraint(fields=["attempt", "question"], name="attempt_question_once"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id} #{self.position}"
