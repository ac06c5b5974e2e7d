"""HTML sanitising for article bodies (nh3 / ammonia): an allow-list, nothing executable survives.

Kept: headings, paragraphs, lists, tables, links (rel="noopener noreferrer"), images,
bold/italic and a few inline marks, plus a small set of presentational classes the article
stylesheet knows. Dropped: <script>/<style> with their content, every other tag (its text kept),
event-handler and style attributes, and URLs whose scheme is not http, https, mailto or tel
(so javascript: and data: links lose their href/src).
"""

from __future__ import annotations

import re

import nh3

ALLOWED_TAGS = {
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "br",
    "hr",
    "div",
    "span",
    "blockquote",
    "pre",
    "code",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "caption",
    "colgroup",
    "col",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "a",
    "img",
    "figure",
    "figcaption",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "mark",
    "small",
}

ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "col": {"span"},
    "colgroup": {"span"},
}

# Presentational classes styled by `.article-body` in cecloud.css; any other class is dropped.
ALLOWED_CLASSES = {
    "p": {"lead", "note", "doc-number", "doc-meta", "text-center", "text-end", "figure-desc", "signature"},
    "div": {"note", "figure-desc", "doc-header"},
    "h1": {"doc-title", "text-center"},
    "h2": {"doc-title", "text-center"},
    "ol": {"step-list", "flow"},
    "ul": {"flow"},
    "table": {"data-table"},
    "td": {"num"},
    "th": {"num"},
    "span": {"label", "kbd"},
}

URL_SCHEMES = {"http", "https", "mailto", "tel"}

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags={"script", "style"},
    attributes=ALLOWED_ATTRIBUTES,
    allowed_classes=ALLOWED_CLASSES,
    url_schemes=URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
)

_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def sanitize_html(html: str) -> str:
    """The safe subset of ``html`` (idempotent: sanitising twice changes nothing)."""
    return _cleaner.clean(html or "").strip()


def plain_text(html: str) -> str:
    """The text of a (sanitised) fragment on one line, entities decoded."""
    import html as html_lib

    text = _TAGS.sub(" ", html or "")
    return _SPACE.sub(" ", html_lib.unescape(text)).strip()


def summarize(html: str, length: int = 120) -> str:
    text = plain_text(html)
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
