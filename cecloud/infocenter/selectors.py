"""Reads for the information center: who may read what, lists, the home page's latest items.

Visibility: published, publish time reached, and either unscoped or scoped to one of the
reader's regions. A learner's regions are their registry region and, for a county, its city;
unit HR take their unit's region the same way; a bureau sees its own region, its city (for a
county bureau) and its counties (for a city bureau); operators see everything; anonymous
visitors see unscoped articles only.
"""

from __future__ import annotations

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .models import Article, ArticleStatus, Attachment, Category

PER_PAGE = 10
LATEST_CACHE_SECONDS = 60
_VERSION_KEY = "infocenter:version"

ALL = None  # sentinel: every region (operators)


def _region_and_city(region) -> set[int]:
    if region is None:
        return set()
    ids = {region.pk}
    if region.level == "county" and region.parent_id:
        ids.add(region.parent_id)
    return ids


def reader_region_ids(user) -> set[int] | None:
    """Region ids whose scoped articles ``user`` may read; ``None`` means all regions."""
    if user is None or not user.is_authenticated:
        return set()
    if user.is_operator or user.is_superuser:
        return ALL
    if user.is_learner:
        person = user.person
        return _region_and_city(person.region if person else None)
    if user.is_unit_hr:
        return _region_and_city(user.unit.region if user.unit_id else None)
    if user.is_bureau and user.region_id:
        region = user.region
        if region.level == "province":
            return ALL
        ids = _region_and_city(region)
        if region.level == "city":
            ids |= set(region.children.values_list("pk", flat=True))
        return ids
    return set()


def can_preview(user) -> bool:
    """Back-office users who edit articles may open drafts and scheduled ones (预览)."""
    return bool(user and user.is_authenticated and user.is_staff and user.has_perm("infocenter.change_article"))


def visible_articles(*, user=None, now=None) -> QuerySet[Article]:
    now = now or timezone.now()
    qs = Article.objects.filter(status=ArticleStatus.PUBLISHED, published_at__lte=now)
    regions = reader_region_ids(user)
    if regions is ALL:
        return qs
    return qs.filter(Q(region__isnull=True) | Q(region_id__in=regions))


def readable_article(*, user, code: str) -> Article | None:
    """The article ``code`` if ``user`` may read it (operators may preview drafts), else None."""
    base = Article.objects.select_related("region", "region__parent")
    if can_preview(user):
        article = base.filter(code=code).first()
    else:
        article = visible_articles(user=user).select_related("region", "region__parent").filter(code=code).first()
    return article


def article_attachments(*, article: Article) -> list[Attachment]:
    return list(article.attachments.all())


def attachment_for_download(*, user, article_code: str, attachment_code: str) -> Attachment | None:
    article = readable_article(user=user, code=article_code)
    if article is None:
        return None
    return Attachment.objects.filter(article=article, code=attachment_code).select_related("article").first()


def _listing(qs: QuerySet[Article]) -> QuerySet[Article]:
    return (
        qs.select_related("region", "region__parent")
        .annotate(attachment_count=Count("attachments"))
        .defer("body")
        .order_by("-pinned", "-published_at", "-id")
    )


def articles_for(
    *, user=None, category: str | None = None, page: int | str | None = 1, per_page: int = PER_PAGE
) -> Page:
    """One page of the articles ``user`` may read, pinned first then newest; optionally one category."""
    qs = visible_articles(user=user)
    if category:
        qs = qs.filter(category=category)
    return Paginator(_listing(qs), per_page).get_page(page)


def category_tabs() -> list[tuple[str, str]]:
    return [("", "全部"), *Category.choices]


def _cache_version() -> int:
    return cache.get_or_set(_VERSION_KEY, 1, None)


def bump_cache_version() -> None:
    """Called after any article write so cached 'latest' lists are rebuilt."""
    try:
        cache.incr(_VERSION_KEY)
    except ValueError:
        cache.set(_VERSION_KEY, 2, None)


def latest_articles(*, user=None, limit: int = 6) -> list[Article]:
    """The home page's newest items for ``user``: pinned first, then newest.

    Cached briefly per set of reader regions (the home page is the busiest page); any article
    write bumps the cache version, and the short timeout brings scheduled articles in on time.
    """
    regions = reader_region_ids(user)
    scope = "all" if regions is ALL else ".".join(str(i) for i in sorted(regions)) or "public"
    key = f"infocenter:latest:{_cache_version()}:{scope}:{limit}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    now = timezone.now()
    items = list(_listing(visible_articles(user=user, now=now))[:limit])
    cache.set(key, items, _seconds_until_next_publication(now))
    return items


def _seconds_until_next_publication(now) -> int:
    """The cache lifetime: never past the moment the next scheduled article goes live."""
    upcoming = (
        Article.objects.filter(status=ArticleStatus.PUBLISHED, published_at__gt=now)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    if upcoming is None:
        return LATEST_CACHE_SECONDS
    return max(1, min(LATEST_CACHE_SECONDS, int((upcoming - now).total_seconds())))
