"""Online learning (SPEC S4/S5): course selection (选课) for a class.

Selection part: ``CourseSelection`` — one row per class and course; a candidate (加入候选)
until the learner confirms (确认选中的课程), then confirmed for good. Playback, watched
intervals and progress live beside it (added by the learning issue).
"""

from __future__ import annotations

from django.db import models

from cecloud.catalog.models import Course
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
