"""Training years, hour requirements, prices, regional schedules and classes (班级) — requirements S2/S5."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from cecloud.core.transitions import StateMachine
from cecloud.registry.models import Grade, GradeGroup, Person, Region


class HourCategory(models.TextChoices):
    """The three course categories whose hours are required separately."""

    IDEOLOGY = "ideology", "思政"
    GENERAL = "general", "通识"
    SKILL = "skill", "岗位提升"


CATEGORY_PATHS = {
    HourCategory.IDEOLOGY: "思想政治 > 思政",
    HourCategory.GENERAL: "通识教育 > 通识",
    HourCategory.SKILL: "岗位技能 > 岗位提升",
}


class TrainingYear(models.Model):
    year = models.PositiveIntegerField("学习年度", unique=True)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "学习年度"
        verbose_name_plural = "学习年度"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年度"


class YearRequirement(models.Model):
    """Per grade group: required hours per category, and the price (requirements S2 table)."""

    training_year = models.ForeignKey(
        TrainingYear, verbose_name="学习年度", on_delete=models.CASCADE, related_name="requirements"
    )
    grade_group = models.CharField("等级组", max_length=20, choices=GradeGroup.choices)
    ideology_hours = models.DecimalField("思政学时", max_digits=5, decimal_places=1)
    general_hours = models.DecimalField("通识学时", max_digits=5, decimal_places=1)
    skill_hours = models.DecimalField("岗位提升学时", max_digits=5, decimal_places=1)
    price = models.DecimalField("金额(元)", max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = "学时要求与价格"
        verbose_name_plural = "学时要求与价格"
        ordering = ["training_year", "grade_group"]
        constraints = [
            models.UniqueConstraint(fields=["training_year", "grade_group"], name="requirement_unique_per_group"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="requirement_price_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.training_year} {self.get_grade_group_display()}"

    @property
    def total_hours(self) -> Decimal:
        return self.ideology_hours + self.general_hours + self.skill_hours

    def hours_by_category(self) -> dict[str, Decimal]:
        return {
            HourCategory.IDEOLOGY: self.ideology_hours,
            HourCategory.GENERAL: self.general_hours,
            HourCategory.SKILL: self.skill_hours,
        }


class RegionSchedule(models.Model):
    """A city's (or county's) windows for one year. A county schedule overrides its city's."""

    region = models.ForeignKey(Region, verbose_name="地区", on_delete=models.CASCADE, related_name="schedules")
    training_year = models.ForeignKey(
        TrainingYear, verbose_name="学习年度", on_delete=models.CASCADE, related_name="schedules"
    )
    register_start = models.DateField("报名缴费开始")
    register_end = models.DateField("报名缴费结束")
    study_start = models.DateField("学习考试开始")
    study_end = models.DateField("学习考试结束")
    catch_up_open = models.BooleanField("开放补学", default=True, help_text="往年度（补学）是否开放报名与学习")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "地区时间安排"
        verbose_name_plural = "地区时间安排"
        ordering = ["region__code", "-training_year__year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "training_year"], name="schedule_unique_region_year"),
            models.CheckConstraint(
                condition=models.Q(register_end__gte=models.F("register_start")), name="schedule_register_order"
            ),
            models.CheckConstraint(
                condition=models.Q(study_end__gte=models.F("study_start")), name="schedule_study_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.training_year}"


class EnrollmentStatus(models.TextChoices):
    OPEN = "open", "学习中"
    QUALIFIED = "qualified", "已合格"
    CLOSED = "closed", "已关闭"


# A class qualifies once its ledger meets the requirement, or is closed when its order is refunded
# (never once qualified); a closed class nothing was used in is reopened by the next paid order.
ENROLLMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    EnrollmentStatus.OPEN: frozenset({EnrollmentStatus.QUALIFIED, EnrollmentStatus.CLOSED}),
    EnrollmentStatus.QUALIFIED: frozenset(),
    EnrollmentStatus.CLOSED: frozenset({EnrollmentStatus.OPEN}),
}


class Enrollment(models.Model):
    """班级: one learner, one training year; opened once when the order is paid.

    The grade and the hour requirement are snapshotted at opening so that later changes to
    the registry or the year's table never change a class already opened.
    """

    person = models.ForeignKey(Person, verbose_name="学员", on_delete=models.PROTECT, related_name="enrollments")
    training_year = models.ForeignKey(
        TrainingYear, verbose_name="学习年度", on_delete=models.PROTECT, related_name="enrollments"
    )
    grade = models.CharField("技术等级", max_length=20, choices=Grade.choices)
    grade_group = models.CharField("等级组", max_length=20, choices=GradeGroup.choices)
    unit = models.ForeignKey("registry.Unit", verbose_name="报名时单位", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name="报名时地区", on_delete=models.PROTECT, related_name="+")
    ideology_hours = models.DecimalField("思政学时要求", max_digits=5, decimal_places=1)
    general_hours = models.DecimalField("通识学时要求", max_digits=5, decimal_places=1)
    skill_hours = models.DecimalField("岗位提升学时要求", max_digits=5, decimal_places=1)
    total_hours = models.DecimalField("总学时要求", max_digits=5, decimal_places=1)
    price = models.DecimalField("金额(元)", max_digits=10, decimal_places=2)
    status = models.CharField("状态", max_length=10, choices=EnrollmentStatus.choices, default=EnrollmentStatus.OPEN)
    opened_at = models.DateTimeField("开班时间", auto_now_add=True)
    qualified_at = models.DateTimeField("合格时间", null=True, blank=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    close_reason = models.CharField("关闭原因", max_length=200, blank=True)
    source_order_no = models.CharField("订单号", max_length=32, blank=True, db_index=True)

    states = StateMachine("班级", EnrollmentStatus, ENROLLMENT_TRANSITIONS)

    class Meta:
        verbose_name = "班级"
        verbose_name_plural = "班级"
        ordering = ["-training_year__year"]
        constraints = [models.UniqueConstraint(fields=["person", "training_year"], name="enrollment_once_per_year")]
        indexes = [models.Index(fields=["training_year", "status"]), models.Index(fields=["unit", "training_year"])]

    def __str__(self) -> str:
        return f"{self.training_year.year}年度 {self.get_grade_display()} {self.person.name}"

    def hours_by_category(self) -> dict[str, Decimal]:
        return {
            HourCategory.IDEOLOGY: self.ideology_hours,
            HourCategory.GENERAL: self.general_hours,
            HourCategory.SKILL: self.skill_hours,
        }


class LedgerSource(models.TextChoices):
    QUIZ_PASS = "quiz_pass", "课后测验合格"
    ADJUSTMENT = "adjustment", "人工调整"


class HourLedgerEntry(models.Model):
    """Append-only ledger of credited hours; each entry points at its evidence.

    One entry per class and course (the first pass of the course's quiz). The certificate is
    issued from the ledger, never from counters.
    """

    enrollment = models.ForeignKey(Enrollment, verbose_name="班级", on_delete=models.PROTECT, related_name="ledger")
    course = models.ForeignKey("catalog.Course", verbose_name="课程", on_delete=models.PROTECT, related_name="+")
    category = models.CharField("课程分类", max_length=10, choices=HourCategory.choices)
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1)
    source = models.CharField("来源", max_length=12, choices=LedgerSource.choices, default=LedgerSource.QUIZ_PASS)
    attempt_ref = models.CharField("测验记录", max_length=64, blank=True, help_text="the passing attempt's id")
    evidence = models.JSONField("证据", default=dict, blank=True)
    created_at = models.DateTimeField("记入时间", auto_now_add=True)

    class Meta:
        verbose_name = "学时记录"
        verbose_name_plural = "学时记录"
        ordering = ["enrollment", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "course"], name="ledger_once_per_course"),
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="ledger_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment} +{self.hours} {self.get_category_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("学时记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("学时记录只能追加，不能删除")
