"""Personnel registry (人员库): regions, units and the people who may log in (requirements S1)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cecloud.core.masking import mask_id_number
from cecloud.core.transitions import StateMachine


class Region(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", "省"
        CITY = "city", "市"
        COUNTY = "county", "县区/功能板块"

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=50)
    level = models.CharField("级别", max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "地区"
        verbose_name_plural = "地区"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        if self.level == self.Level.COUNTY and self.parent_id:
            return f"{self.parent.name}{self.name}"
        return self.name

    @property
    def city(self) -> Region | None:
        if self.level == self.Level.CITY:
            return self
        if self.level == self.Level.COUNTY:
            return self.parent
        return None


class Unit(models.Model):
    class Kind(models.TextChoices):
        AGENCY = "agency", "机关"
        INSTITUTION = "institution", "事业单位"
        ORGANIZATION = "organization", "社会团体"
        ENTERPRISE = "enterprise", "企业"

    name = models.CharField("单位名称", max_length=100)
    region = models.ForeignKey(Region, verbose_name="所属地区", on_delete=models.PROTECT, related_name="units")
    kind = models.CharField("单位类型", max_length=20, choices=Kind.choices, default=Kind.INSTITUTION)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["region__code", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="unit_unique_name_in_region")]

    def __str__(self) -> str:
        return self.name


class Grade(models.TextChoices):
    """技术工人等级 (requirements S1): 五级 初级工 … 一级 高级技师."""

    JUNIOR = "junior", "初级工"
    INTERMEDIATE = "intermediate", "中级工"
    SENIOR = "senior", "高级工"
    TECHNICIAN = "technician", "技师"
    SENIOR_TECHNICIAN = "senior_technician", "高级技师"


GRADE_LEVELS = {
    Grade.JUNIOR: "五级",
    Grade.INTERMEDIATE: "四级",
    Grade.SENIOR: "三级",
    Grade.TECHNICIAN: "二级",
    Grade.SENIOR_TECHNICIAN: "一级",
}


class GradeGroup(models.TextChoices):
    """Hour requirements are set per group (requirements S2)."""

    SKILLED = "skilled", "等级工"
    TECHNICIAN = "technician", "技师、高级技师"


def grade_group(grade: str) -> str:
    if grade in (Grade.TECHNICIAN, Grade.SENIOR_TECHNICIAN):
        return GradeGroup.TECHNICIAN
    return GradeGroup.SKILLED


class PersonStatus(models.TextChoices):
    ACTIVE = "active", "在岗"
    INACTIVE = "inactive", "离岗"


class Person(models.Model):
    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField("身份证号", max_length=18, unique=True)
    phone = models.CharField("手机号", max_length=11, blank=True)
    unit = models.ForeignKey(Unit, verbose_name="工作单位", on_delete=models.PROTECT, related_name="people")
    region = models.ForeignKey(Region, verbose_name="所属地区", on_delete=models.PROTECT, related_name="people")
    grade = models.CharField("技术等级", max_length=20, choices=Grade.choices)
    post = models.CharField("岗位/工种", max_length=100, blank=True)
    status = models.CharField("在岗状态", max_length=10, choices=PersonStatus.choices, default=PersonStatus.ACTIVE)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员库"
        ordering = ["id"]
        indexes = [models.Index(fields=["unit", "status"]), models.Index(fields=["region", "grade"])]

    def __str__(self) -> str:
        return f"{self.name}（{mask_id_number(self.id_number)}）"

    @property
    def is_active(self) -> bool:
        return self.status == PersonStatus.ACTIVE

    @property
    def grade_group(self) -> str:
        return grade_group(self.grade)


class PersonHistory(models.Model):
    """Every change applied to a registry entry (import update, approved correction)."""

    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.CASCADE, related_name="history")
    changed_at = models.DateTimeField("时间", auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField("来源", max_length=30)  # import | correction | application | admin
    before = models.JSONField("修改前", default=dict)
    after = models.JSONField("修改后", default=dict)

    class Meta:
        verbose_name = "人员变更记录"
        verbose_name_plural = "人员变更记录"
        ordering = ["-changed_at", "-id"]


class RequestStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已通过"
    REJECTED = "rejected", "已驳回"


# Applications (入库申请) and corrections (信息修改) are reviewed once: approved or rejected.
REQUEST_TRANSITIONS: dict[str, frozenset[str]] = {
    RequestStatus.PENDING: frozenset({RequestStatus.APPROVED, RequestStatus.REJECTED}),
    RequestStatus.APPROVED: frozenset(),
    RequestStatus.REJECTED: frozenset(),
}
REQUEST_REFUSED = "该申请已处理（{current}），请刷新页面"


class Application(models.Model):
    """入库申请: someone not in the registry asks to be added (same fields as the template)."""

    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField("身份证号", max_length=18)
    phone = models.CharField("手机号", max_length=11)
    unit_name = models.CharField("工作单位", max_length=100)
    unit = models.ForeignKey(
        Unit, verbose_name="单位（匹配）", null=True, blank=True, on_delete=models.SET_NULL, related_name="applications"
    )
    region = models.ForeignKey(Region, verbose_name="所属地区", on_delete=models.PROTECT, related_name="+")
    grade = models.CharField("技术等级", max_length=20, choices=Grade.choices)
    post = models.CharField("岗位/工种", max_length=100, blank=True)
    status = models.CharField("状态", max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reject_reason = models.CharField("驳回原因", max_length=200, blank=True)
    person = models.ForeignKey(
        Person, verbose_name="入库人员", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    states = StateMachine("申请", RequestStatus, REQUEST_TRANSITIONS, message=REQUEST_REFUSED)

    class Meta:
        verbose_name = "入库申请"
        verbose_name_plural = "入库申请"
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"], condition=models.Q(status="pending"), name="application_one_pending_per_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{mask_id_number(self.id_number)}）"


class CorrectionRequest(models.Model):
    """修改信息: a logged-in learner asks to correct their registry data."""

    FIELDS = ("name", "phone", "unit", "region", "grade", "post")

    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.CASCADE, related_name="corrections")
    # {"field": new value}; unit by name (found or created on approval), region by pk
    changes = models.JSONField("修改内容")
    reason = models.CharField("说明", max_length=200, blank=True)
    status = models.CharField("状态", max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reject_reason = models.CharField("驳回原因", max_length=200, blank=True)

    states = StateMachine("申请", RequestStatus, REQUEST_TRANSITIONS, message=REQUEST_REFUSED)

    class Meta:
        verbose_name = "信息修改申请"
        verbose_name_plural = "信息修改申请"
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(status="pending"), name="correction_one_pending_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person.name} 的信息修改申请"


class ImportJob(models.Model):
    """A registry import started from the back office; polled for progress."""

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        VALIDATING = "validating", "校验中"
        IMPORTING = "importing", "导入中"
        DONE = "done", "已完成"
        FAILED = "failed", "有错误，未导入"
        ERROR = "error", "系统错误"

    file = models.FileField("文件", upload_to="imports/registry/")
    dry_run = models.BooleanField("仅校验", default=False)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField("总行数", default=0)
    processed_rows = models.PositiveIntegerField("已处理", default=0)
    created_count = models.PositiveIntegerField("新增", default=0)
    updated_count = models.PositiveIntegerField("更新", default=0)
    errors = models.JSONField("错误", default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "人员导入"
        verbose_name_plural = "人员导入"
        ordering = ["-created_at"]

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status in (self.Status.DONE, self.Status.FAILED) else 0
        return min(100, int(self.processed_rows * 100 / self.total_rows))
