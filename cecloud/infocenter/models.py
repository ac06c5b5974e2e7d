"""Information center 信息中心 (requirements S9): articles in four categories with attachments.

An article is visible when it is published and its publish time has come; a region scope
(a city or a county) narrows it to the people of that region (a city's article reaches its
counties too). Bodies are stored already sanitised (see ``sanitize.py``, called by the services).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

ATTACHMENT_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "wps", "txt", "zip", "rar", "jpg", "png"]


def new_code() -> str:
    """An opaque public identifier (URLs never carry sequential ids)."""
    return secrets.token_hex(6)


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    # A random directory keeps the stored path unguessable; downloads go through the view anyway.
    return f"infocenter/{timezone.localdate():%Y/%m}/{secrets.token_hex(8)}/{filename}"


class Category(models.TextChoices):
    ANNOUNCEMENT = "announcement", "平台公告"
    MANUAL = "manual", "操作手册"
    NOTICE = "notice", "培训通知"
    POLICY = "policy", "政策文件"


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


class Article(models.Model):
    code = models.CharField("编号", max_length=16, unique=True, default=new_code, editable=False)
    category = models.CharField("栏目", max_length=20, choices=Category.choices)
    title = models.CharField("标题", max_length=200)
    summary = models.CharField("摘要", max_length=300, blank=True, help_text="留空时自动取正文开头。")
    body = models.TextField(
        "正文",
        blank=True,
        help_text="HTML 正文：可用标题、段落、列表、表格、链接、图片、加粗、斜体；脚本、样式和事件属性保存时会被清除。",
    )
    region = models.ForeignKey(
        "registry.Region",
        verbose_name="发布范围",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level__in": ["city", "county"]},
        help_text="留空表示全省可见；选市则该市及所辖县区的学员可见；选县区则仅该县区可见。",
    )
    pinned = models.BooleanField("置顶", default=False)
    status = models.CharField("状态", max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    published_at = models.DateTimeField("发布时间", default=timezone.now, help_text="晚于当前时间即为定时发布。")
    view_count = models.PositiveIntegerField("阅读次数", default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "信息"
        verbose_name_plural = "信息发布"
        ordering = ["-pinned", "-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-pinned", "-published_at"], name="info_article_listing"),
            models.Index(fields=["category", "status", "-published_at"], name="info_article_category"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("infocenter:detail", args=[self.code])

    @property
    def is_live(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED and self.published_at <= timezone.now()

    @property
    def state_label(self) -> str:
        if self.status != ArticleStatus.PUBLISHED:
            return "草稿"
        return "已发布" if self.published_at <= timezone.now() else "定时发布"


class Attachment(models.Model):
    code = models.CharField("编号", max_length=16, unique=True, default=new_code, editable=False)
    article = models.ForeignKey(Article, verbose_name="信息", on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(
        "文件",
        upload_to=attachment_upload_to,
        max_length=255,
        validators=[FileExtensionValidator(ATTACHMENT_EXTENSIONS)],
    )
    name = models.CharField("附件名称", max_length=200, blank=True, help_text="留空时使用文件名。")
    size = models.PositiveBigIntegerField("大小（字节）", default=0, editable=False)
    sort_order = models.PositiveIntegerField("排序", default=0)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("infocenter:download", args=[self.article.code, self.code])

    @property
    def extension(self) -> str:
        return self.name.rsplit(".", 1)[-1].lower() if "." in self.name else ""
