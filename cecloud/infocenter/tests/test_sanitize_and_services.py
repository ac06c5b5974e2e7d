"""Bodies are sanitised on every save; attachments are checked; reads are counted atomically."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cecloud.core.errors import ServiceError
from cecloud.core.models import AuditLog
from cecloud.infocenter.factories import make_article, make_attachment
from cecloud.infocenter.models import Article, ArticleStatus, Category
from cecloud.infocenter.sanitize import sanitize_html
from cecloud.infocenter.services import article_record_view, article_save, article_set_status, attachment_add

pytestmark = pytest.mark.django_db

HOSTILE = """
<h2 style="color:red" onclick="steal()">一、培训对象</h2>
<script>alert(document.cookie)</script>
<style>body{display:none}</style>
<p onmouseover="x()">全市<strong>在岗</strong><em>工勤人员</em>。<b>加粗</b><i>斜体</i></p>
<img src="/media/a.png" alt="图" onerror="alert(1)">
<a href="javascript:alert(1)">点我</a>
<a href="JaVaScRiPt:alert(2)">大小写</a>
<a href=" java&#x09;script:alert(3)">实体</a>
<a href="https://www.example.cn/a" target="_top" rel="opener">外部链接</a>
<img src="data:image/svg+xml;base64,PHN2Zz4=">
<iframe src="https://evil.example"></iframe>
<form action="/x"><input name="q"></form>
<ul><li>一</li></ul><ol><li>二</li></ol>
<table><thead><tr><th>等级</th></tr></thead><tbody><tr><td colspan="2">40</td></tr></tbody></table>
"""


def test_service_sanitises_scripts_handlers_styles_and_javascript_urls():
    article = make_article(body=HOSTILE)
    body = Article.objects.get(pk=article.pk).body

    for banned in (
        "<script",
        "alert(document",
        "<style",
        "display:none",
        "onclick",
        "onerror",
        "onmouseover",
        "javascript:",
        "JaVaScRiPt",
        "style=",
        "data:image",
        "<iframe",
        "<form",
        "<input",
    ):
        assert banned not in body, banned
    for kept in (
        "<h2>一、培训对象</h2>",
        "<strong>在岗</strong>",
        "<em>工勤人员</em>",
        "<b>加粗</b>",
        "<i>斜体</i>",
        '<img src="/media/a.png" alt="图">',
        "<ul><li>一</li></ul>",
        "<ol><li>二</li></ol>",
        "<th>等级</th>",
        '<td colspan="2">40</td>',
    ):
        assert kept in body, kept
    assert '<a href="https://www.example.cn/a" rel="noopener noreferrer">外部链接</a>' in body
    assert "点我" in body and "target=" not in body


def test_sanitising_is_idempotent_and_summary_comes_from_the_text():
    article = make_article(body="<h2>标题</h2><p>第一段&amp;内容</p>" + "<p>很长</p>" * 100)
    assert sanitize_html(article.body) == article.body
    assert article.summary.startswith("标题 第一段&内容")
    assert len(article.summary) <= 120


def test_unknown_classes_are_dropped_and_article_classes_kept():
    body = sanitize_html('<p class="note evil">注意</p><p class="figure-desc">图示</p><td class="num">1</td>')
    assert '<p class="note">注意</p>' in body
    assert '<p class="figure-desc">图示</p>' in body


def test_publishing_an_empty_body_is_refused():
    with pytest.raises(ServiceError, match="正文为空"):
        make_article(body="<script>only()</script>")
    draft = make_article(body="", status=ArticleStatus.DRAFT)
    with pytest.raises(ServiceError, match="正文为空"):
        article_set_status(article=draft, status=ArticleStatus.PUBLISHED)


def test_region_scope_must_be_a_city_or_a_county():
    from cecloud.registry.factories import region

    article = Article(category=Category.NOTICE, title="全省", body="<p>x</p>", region=region("320000"))
    with pytest.raises(ServiceError, match="市或县区"):
        article_save(article=article)


def test_saves_and_status_changes_are_audited():
    article = make_article(title="审计")
    article_set_status(article=article, status=ArticleStatus.DRAFT)
    events = list(
        AuditLog.objects.filter(subject_id=str(article.pk)).order_by("id").values_list("event_type", flat=True)
    )
    assert events == ["infocenter.article_created", "infocenter.article_withdrawn"]


def test_view_count_uses_an_atomic_update():
    article = make_article()
    stale = Article.objects.get(pk=article.pk)
    article_record_view(article=article)
    article_record_view(article=stale)  # a stale instance cannot overwrite the other read
    assert Article.objects.get(pk=article.pk).view_count == 2


def test_attachment_records_name_and_size_and_refuses_bad_types():
    article = make_article()
    attachment = make_attachment(article, name="须知.pdf", content=b"x" * 1234)
    assert (attachment.name, attachment.size) == ("须知.pdf", 1234)
    assert "须知" not in attachment.file.name.split("/")[-2]  # random directory
    with pytest.raises(ServiceError, match="不支持的附件类型"):
        attachment_add(article=article, file=SimpleUploadedFile("run.exe", b"MZ"))
    named = attachment_add(article=article, file=SimpleUploadedFile("a.docx", b"doc"), name="报名表")
    assert named.name == "报名表.docx"
