"""Writes for the information center: saving (sanitising) articles, attachments, view counts."""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath

from django.core.files.base import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cecloud.core.audit import audit_log
from cecloud.core.errors import ServiceError

from .models import ATTACHMENT_EXTENSIONS, Article, ArticleStatus, Attachment, Category
from .sanitize import sanitize_html, summarize
from .selectors import bump_cache_version

MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024


def _validate_article(article: Article) -> None:
    if not (article.title or "").strip():
        raise ServiceError("请填写标题")
    if article.category not in Category.values:
        raise ServiceError("请选择栏目")
    if article.region_id is not None and article.region.level not in ("city", "county"):
        raise ServiceError("发布范围只能选择市或县区")
    if article.status == ArticleStatus.PUBLISHED and not article.body.strip():
        raise ServiceError("正文为空，不能发布")


@transaction.atomic
def article_save(*, article: Article, actor=None, request=None) -> Article:
    """Create or update an article: sanitise the body, fill the summary, save, audit.

    Every write path (back office, demo data, scripts) goes through here, so an unsanitised
    body never reaches the database.
    """
    article.title = (article.title or "").strip()
    article.body = sanitize_html(article.body)
    article.summary = (article.summary or "").strip() or summarize(article.body)
    _validate_article(article)
    created = article.pk is None
    if created and actor is not None and getattr(actor, "is_authenticated", False):
        article.created_by = actor
    article.save()
    audit_log(
        event_type="infocenter.article_created" if created else "infocenter.article_updated",
        actor=actor,
        subject=article,
        extra_data={
            "category": article.category,
            "status": article.status,
            "region": article.region.code if article.region_id else "",
            "published_at": article.published_at.isoformat(),
            "pinned": article.pinned,
        },
        request=request,
    )
    transaction.on_commit(bump_cache_version)
    return article


def article_create(
    *,
    category: str,
    title: str,
    body: str,
    summary: str = "",
    region=None,
    pinned: bool = False,
    status: str = ArticleStatus.PUBLISHED,
    published_at: dt.datetime | None = None,
    actor=None,
) -> Article:
    article = Article(
        category=category,
        title=title,
        body=body,
        summary=summary,
        region=region,
        pinned=pinned,
        status=status,
        published_at=published_at or timezone.now(),
    )
    return article_save(article=article, actor=actor)


@transaction.atomic
def article_delete(*, article: Article, actor=None, request=None) -> None:
    """Delete an article and, once committed, its stored attachment files."""
    files = [(a.file.storage, a.file.name) for a in article.attachments.all() if a.file.name]
    audit_log(
        event_type="infocenter.article_deleted",
        actor=actor,
        subject=article,
        extra_data={"category": article.category, "attachments": len(files)},
        request=request,
    )
    article.delete()

    def remove_files():
        for storage, path in files:
            storage.delete(path)

    transaction.on_commit(remove_files)
    transaction.on_commit(bump_cache_version)


@transaction.atomic
def article_set_status(*, article: Article, status: str, actor=None, request=None) -> Article:
    """Publish or withdraw (back to draft) without touching the rest of the article."""
    if status not in ArticleStatus.values:
        raise ServiceError("状态无效")
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status == status:
        return article
    if status == ArticleStatus.PUBLISHED and not article.body.strip():
        raise ServiceError(f"《{article.title}》正文为空，不能发布")
    article.status = status
    article.save(update_fields=["status", "updated_at"])
    audit_log(
        event_type="infocenter.article_published"
        if status == ArticleStatus.PUBLISHED
        else "infocenter.article_withdrawn",
        actor=actor,
        subject=article,
        request=request,
    )
    transaction.on_commit(bump_cache_version)
    return article


def article_record_view(*, article: Article) -> None:
    """One more read; an atomic UPDATE so concurrent readers never lose a count."""
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)


def check_attachment_file(*, name: str, size: int) -> None:
    """Refuse file types outside the allow-list and files over the size limit."""
    ext = PurePath(name).suffix.lower().lstrip(".")
    if ext not in ATTACHMENT_EXTENSIONS:
        raise ServiceError(f"不支持的附件类型：{name}（可上传 {'、'.join(ATTACHMENT_EXTENSIONS)}）")
    if size > MAX_ATTACHMENT_BYTES:
        raise ServiceError(f"附件 {name} 超过 {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB")


@transaction.atomic
def attachment_save(*, attachment: Attachment, actor=None, request=None) -> Attachment:
    """Save an attachment (new upload or edit): check type and size, record size and display name."""
    upload_name = PurePath(attachment.file.name or "").name
    if not upload_name:
        raise ServiceError("请选择附件文件")
    size = attachment.file.size
    check_attachment_file(name=upload_name, size=size)
    attachment.size = size
    name = (attachment.name or "").strip() or upload_name
    if "." not in name and "." in upload_name:
        name = f"{name}.{upload_name.rsplit('.', 1)[-1]}"
    attachment.name = name
    created = attachment.pk is None
    attachment.save()
    if created:
        audit_log(
            event_type="infocenter.attachment_added",
            actor=actor,
            subject=attachment.article,
            extra_data={"attachment": attachment.name, "size": attachment.size},
            request=request,
        )
    return attachment


def attachment_add(*, article: Article, file: File, name: str = "", actor=None) -> Attachment:
    order = article.attachments.count()
    attachment = Attachment(article=article, file=file, name=name, sort_order=order)
    return attachment_save(attachment=attachment, actor=actor)


@transaction.atomic
def attachment_delete(*, attachment: Attachment, actor=None, request=None) -> None:
    storage, path = attachment.file.storage, attachment.file.name
    audit_log(
        event_type="infocenter.attachment_deleted",
        actor=actor,
        subject=attachment.article,
        extra_data={"attachment": attachment.name},
        request=request,
    )
    attachment.delete()
    if path:
        transaction.on_commit(lambda: storage.delete(path))
