"""信息中心 pages: the public list and article, the learner-centre versions, attachment downloads."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from cecloud.core.roles import learner_required

from . import selectors, services
from .models import Category
from .sanitize import sanitize_html


def _category(request) -> str:
    value = request.GET.get("category", "")
    return value if value in Category.values else ""


def _list_context(request, *, in_center: bool) -> dict:
    category = _category(request)
    page = selectors.articles_for(user=request.user, category=category or None, page=request.GET.get("page"))
    return {
        "page_obj": page,
        "articles": page.object_list,
        "category": category,
        "category_label": Category(category).label if category else "全部",
        "tabs": selectors.category_tabs(),
        "in_center": in_center,
        "center_section": "info" if in_center else "",
    }


@require_GET
def index(request):
    """Public 信息中心: category tabs, pinned first, newest next; a signed-in reader also sees their region's items."""
    return render(request, "infocenter/index.html", _list_context(request, in_center=False))


@require_GET
@learner_required
def center(request):
    """学员中心 → 信息中心: the same list inside the left-menu layout."""
    return render(request, "infocenter/center.html", _list_context(request, in_center=True))


def _article_context(request, code: str, *, in_center: bool) -> dict:
    article = selectors.readable_article(user=request.user, code=code)
    if article is None:
        raise Http404("信息不存在或未发布")
    preview = not article.is_live
    if not preview:
        services.article_record_view(article=article)
        article.view_count += 1
    return {
        "article": article,
        # Stored bodies are sanitised on save; sanitising again here (about 0.5 ms for the manual)
        # also covers rows written around the services, e.g. by a shell session or a raw import.
        "body_html": mark_safe(sanitize_html(article.body)),  # noqa: S308
        "attachments": selectors.article_attachments(article=article),
        "preview": preview,
        "in_center": in_center,
        "center_section": "info" if in_center else "",
    }


@require_GET
def detail(request, code: str):
    return render(request, "infocenter/detail.html", _article_context(request, code, in_center=False))


@require_GET
@learner_required
def center_detail(request, code: str):
    return render(request, "infocenter/center_detail.html", _article_context(request, code, in_center=True))


@require_GET
def download(request, code: str, attachment_code: str):
    """An attachment, only if its article is readable by this user (else 404, revealing nothing)."""
    attachment = selectors.attachment_for_download(
        user=request.user, article_code=code, attachment_code=attachment_code
    )
    if attachment is None:
        raise Http404("附件不存在")
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("附件文件已丢失") from None
    response = FileResponse(handle, as_attachment=True, filename=attachment.name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
