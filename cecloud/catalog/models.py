"""Course catalog (requirements S4): subject tags, providers, lecturers, courses, chapters and their videos.

Categories are the three ``HourCategory`` values of the training app (their hours are required
separately); the path shown on cards ("思想政治 > 思政") comes from ``CATEGORY_PATHS``.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from cecloud.training.models import CATEGORY_PATHS, HourCategory, TrainingYear


class SubjectTag(models.Model):
    """课程标签, e.g. 中共党史."""

    name = models.CharField("标签", max_length=30, unique=True)
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "课程标签"
        verbose_name_plural = "课程标签"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class Provider(models.Model):
    """课程提供方."""

    name = models.CharField("课程提供方", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=30, blank=True)
    sort_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "课程提供方"
        verbose_name_plural = "课程提供方"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class Lecturer(models.Model):
    """讲师; a course has several, in order."""

    name = models.CharField("姓名", max_length=50, unique=True)
    title = models.CharField("职称/职务", max_length=100, blank=True)
    bio = models.TextField("简介", blank=True)

    class Meta:
        verbose_name = "讲师"
        verbose_name_plural = "讲师"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Course(models.Model):
    title = models.CharField("课程名称", max_length=200)
    category = models.CharField("课程分类", max_length=10, choices=HourCategory.choices)
    tag = models.ForeignKey(
        SubjectTag, verbose_name="课程标签", null=True, blank=True, on_delete=models.SET_NULL, related_name="courses"
    )
    provider = models.ForeignKey(Provider, verbose_name="课程提供方", on_delete=models.PROTECT, related_name="courses")
    lecturers = models.ManyToManyField(
        Lecturer, verbose_name="讲师", through="CourseLecturer", related_name="courses", blank=True
    )
    hours = models.DecimalField("学时", max_digits=4, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))])
    years = models.ManyToManyField(TrainingYear, verbose_name="适用年度", related_name="courses", blank=True)
    is_published = models.BooleanField("已发布", default=False)
    # 综合评价: the average of the evaluations (requirements S8), kept current by course_rating_refresh.
    rating = models.DecimalField(
        "综合评价",
        max_digits=3,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0), MaxValueValidator(5)],
    )
    rating_count = models.PositiveIntegerField("评价人数", default=0)
    # 报名人数: learners who confirmed the course; maintained with F() at confirmation, never recounted per page.
    enrolled_count = models.PositiveIntegerField("报名人数", default=0)
    cover = models.ImageField("封面", upload_to="courses/covers/", blank=True)
    description = models.TextField("课程简介", blank=True)
    sort_order = models.IntegerField("排序", default=0, help_text="默认排序：数值小的在前")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "课程"
        verbose_name_plural = "课程"
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "title"], name="course_unique_title_per_provider"),
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="course_hours_positive"),
            models.CheckConstraint(
                condition=models.Q(rating__gte=0) & models.Q(rating__lte=5), name="course_rating_0_to_5"
            ),
        ]
        indexes = [
            models.Index(fields=["is_published", "category", "sort_order"], name="course_listing"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def category_path(self) -> str:
        return CATEGORY_PATHS.get(self.category, self.get_category_display())


class CourseLecturer(models.Model):
    course = models.ForeignKey(Course, verbose_name="课程", on_delete=models.CASCADE, related_name="course_lecturers")
    lecturer = models.ForeignKey(Lecturer, verbose_name="讲师", on_delete=models.PROTECT, related_name="+")
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "课程讲师"
        verbose_name_plural = "课程讲师"
        ordering = ["sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "lecturer"], name="course_lecturer_once")]

    def __str__(self) -> str:
        return f"{self.course} - {self.lecturer}"


def chapter_video_path(instance: Chapter, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "mp4"
    return f"videos/{uuid.uuid4().hex}.{ext}"


class HlsStatus(models.TextChoices):
    NONE = "none", "未转码"
    PENDING = "pending", "转码中"
    READY = "ready", "已生成"
    FAILED = "failed", "转码失败"
    UNAVAILABLE = "unavailable", "无 ffmpeg"


class Chapter(models.Model):
    """A chapter of a course: one video; the player lists chapters by ``order``."""

    course = models.ForeignKey(Course, verbose_name="课程", on_delete=models.CASCADE, related_name="chapters")
    order = models.PositiveIntegerField("顺序", default=0)
    title = models.CharField("章节名称", max_length=200)
    video = models.FileField("视频", upload_to=chapter_video_path, blank=True, max_length=300)
    duration_seconds = models.FloatField("时长(秒)", default=0, help_text="上传视频后自动读取")
    video_size = models.PositiveBigIntegerField("视频大小(字节)", default=0)
    # HLS rendition (made by catalog.tasks.chapter_make_hls when ffmpeg is available): storage path of the playlist.
    hls_playlist = models.CharField("HLS 播放列表", max_length=300, blank=True)
    hls_status = models.CharField("HLS 状态", max_length=12, choices=HlsStatus.choices, default=HlsStatus.NONE)
    hls_error = models.CharField("转码错误", max_length=500, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "章节"
        verbose_name_plural = "章节"
        ordering = ["course", "order", "id"]
        indexes = [models.Index(fields=["course", "order"], name="chapter_course_order")]

    def __str__(self) -> str:
        return f"{self.course} · {self.title}"

    @property
    def has_hls(self) -> bool:
        return self.hls_status == HlsStatus.READY and bool(self.hls_playlist)

    @property
    def duration_display(self) -> str:
        total = int(round(self.duration_seconds))
        hours, rest = divmod(total, 3600)
        minutes, seconds = divmod(rest, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"


class PreviewGrant(models.Model):
    """试听: one per learner, course and day; the preview ends at ``expires_at`` (wall clock)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(Course, verbose_name="课程", on_delete=models.CASCADE, related_name="preview_grants")
    day = models.DateField("日期")
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    expires_at = models.DateTimeField("结束时间")

    class Meta:
        verbose_name = "试听记录"
        verbose_name_plural = "试听记录"
        ordering = ["-started_at"]
        constraints = [models.UniqueConstraint(fields=["user", "course", "day"], name="preview_once_per_day")]

    def __str__(self) -> str:
        return f"{self.user} {self.course} {self.day}"
