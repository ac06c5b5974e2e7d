"""Test helpers for the information center (articles go through the service, so they are sanitised)."""

from __future__ import annotations

import datetime as dt
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cecloud.registry.factories import region

from .models import Article, ArticleStatus, Attachment, Category
from .services import article_create, attachment_add

_seq = itertools.count(1)


def make_article(
    *,
    title: str | None = None,
    category: str = Category.ANNOUNCEMENT,
    body: str = "<p>正文</p>",
    region_code: str | None = None,
    pinned: bool = False,
    status: str = ArticleStatus.PUBLISHED,
    published_at: dt.datetime | None = None,
    age: dt.timedelta | None = None,
) -> Article:
    if published_at is None:
        published_at = timezone.now() - (age if age is not None else dt.timedelta(hours=1))
    return article_create(
        category=category,
        title=title or f"测试信息{next(_seq)}",
        body=body,
        region=region(region_code) if region_code else None,
        pinned=pinned,
        status=status,
        published_at=published_at,
    )


def make_attachment(article: Article, *, name: str = "报名须知.pdf", content: bytes = b"%PDF-1.4 test") -> Attachment:
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return attachment_add(article=article, file=upload)
