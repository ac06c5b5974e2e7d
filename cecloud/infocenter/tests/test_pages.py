"""信息中心 pages, downloads, the home page's latest list and the back office."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cecloud.accounts.factories import BureauFactory, OperatorFactory, learner_in
from cecloud.infocenter.factories import make_article, make_attachment
from cecloud.infocenter.models import Article, ArticleStatus, Category

pytestmark = pytest.mark.django_db


def test_public_index_has_the_tabs_pinned_badge_dates_and_links(client):
    make_article(title="置顶公告", pinned=True, age=dt.timedelta(days=3))
    manual = make_article(title="学员操作手册", category=Category.MANUAL)
    response = client.get(reverse("infocenter:index"))
    html = response.content.decode()
    assert response.status_code == 200
    for tab in ("全部", "平台公告", "操作手册", "培训通知", "政策文件"):
        assert f">{tab}</a>" in html
    assert html.index("置顶公告") < html.index("学员操作手册")
    assert '<span class="badge text-bg-danger me-1">置顶</span>置顶公告' in html
    assert manual.get_absolute_url() in html
    assert timezone.localtime(manual.published_at).strftime("%Y-%m") in html


def test_category_filter_and_pagination_links_keep_the_category(client):
    for i in range(12):
        make_article(title=f"手册{i:02d}", category=Category.MANUAL, age=dt.timedelta(minutes=i + 1))
    make_article(title="一条政策", category=Category.POLICY, age=dt.timedelta(0))

    page1 = client.get(reverse("infocenter:index"), {"category": "manual"}).content.decode()
    assert "一条政策" not in page1 and "手册00" in page1 and "手册10" not in page1
    assert "?category=manual&amp;page=2" in page1
    page2 = client.get(reverse("infocenter:index"), {"category": "manual", "page": 2}).content.decode()
    assert "手册10" in page2 and "手册11" in page2 and "手册00" not in page2
    every = client.get(reverse("infocenter:index"), {"category": "bogus"}).content.decode()
    assert "一条政策" in every
    empty = client.get(reverse("infocenter:index"), {"category": "notice"}).content.decode()
    assert "暂无已发布的培训通知" in empty


def test_list_page_query_count_does_not_grow_with_articles(client, django_assert_max_num_queries):
    for i in range(10):
        article = make_article(region_code="320700" if i % 2 else None)
        make_attachment(article)
    learner = learner_in("320706")
    client.force_login(learner)
    with django_assert_max_num_queries(5):
        assert client.get(reverse("infocenter:center")).status_code == 200


def test_learner_center_uses_the_left_menu_and_centre_links(client):
    notice = make_article(title="连云港市通知", category=Category.NOTICE, region_code="320700")
    client.force_login(learner_in("320706"))
    html = client.get(reverse("infocenter:center")).content.decode()
    assert 'class="center-menu-item active" href="/info/center/"' in html
    assert reverse("infocenter:center_detail", args=[notice.code]) in html
    detail = client.get(reverse("infocenter:center_detail", args=[notice.code])).content.decode()
    assert "center-menu" in detail and "连云港市通知" in detail and "发布范围：连云港市" in detail


def test_learner_center_needs_a_learner(client):
    assert client.get(reverse("infocenter:center")).status_code == 302
    client.force_login(BureauFactory())
    assert client.get(reverse("infocenter:center")).status_code == 403


def test_detail_counts_reads_and_404s_outside_the_scope(client):
    notice = make_article(title="连云港市通知", body="<h3>一、培训对象</h3><p>在岗工勤人员</p>", region_code="320700")
    url = notice.get_absolute_url()
    assert client.get(url).status_code == 404  # anonymous
    client.force_login(learner_in("320106"))  # 南京
    assert client.get(url).status_code == 404
    client.force_login(learner_in("320706"))  # 海州区
    response = client.get(url)
    assert response.status_code == 200
    assert "<h3>一、培训对象</h3>" in response.content.decode()
    client.get(url)
    assert Article.objects.get(pk=notice.pk).view_count == 2


def test_scheduled_and_draft_articles_404_but_operators_preview_without_counting(client):
    scheduled = make_article(title="定时", published_at=timezone.now() + dt.timedelta(days=1))
    draft = make_article(title="草稿", status=ArticleStatus.DRAFT)
    for article in (scheduled, draft):
        assert client.get(article.get_absolute_url()).status_code == 404
    client.force_login(OperatorFactory())
    html = client.get(scheduled.get_absolute_url()).content.decode()
    assert "预览：本文将于" in html
    assert "预览：本文为草稿" in client.get(draft.get_absolute_url()).content.decode()
    assert Article.objects.get(pk=scheduled.pk).view_count == 0


def test_attachment_download_checks_the_article_is_readable(client):
    public = make_article(title="公开")
    public_file = make_attachment(public, name="学员操作手册.pdf", content=b"%PDF manual")
    scoped = make_article(title="连云港", region_code="320700")
    scoped_file = make_attachment(scoped, name="课时表.xlsx", content=b"xlsx")
    draft = make_article(title="草稿", status=ArticleStatus.DRAFT)
    draft_file = make_attachment(draft)

    response = client.get(public_file.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF manual"
    assert "attachment;" in response["Content-Disposition"]
    assert "filename*=utf-8''%E5%AD%A6%E5%91%98" in response["Content-Disposition"]

    assert client.get(scoped_file.get_absolute_url()).status_code == 404
    assert client.get(draft_file.get_absolute_url()).status_code == 404
    # an attachment code paired with another (readable) article is refused too
    assert client.get(reverse("infocenter:download", args=[public.code, scoped_file.code])).status_code == 404

    client.force_login(learner_in("320106"))
    assert client.get(scoped_file.get_absolute_url()).status_code == 404
    client.force_login(learner_in("320707"))  # 赣榆区 is in 连云港市
    assert client.get(scoped_file.get_absolute_url()).status_code == 200


def test_detail_lists_attachments_with_size(client):
    article = make_article(title="带附件")
    make_attachment(article, name="报名须知.pdf", content=b"x" * 2048)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "报名须知.pdf" in html and "2.0\xa0KB" in html


def test_home_page_shows_the_latest_with_pinned_first(client):
    make_article(title="较早的置顶公告", pinned=True, age=dt.timedelta(days=10))
    for i in range(7):
        make_article(title=f"通知{i}", category=Category.NOTICE, age=dt.timedelta(hours=i + 1))
    make_article(title="连云港市专属通知", region_code="320700", age=dt.timedelta(minutes=1))

    html = client.get(reverse("home")).content.decode()
    assert html.index("较早的置顶公告") < html.index("通知0")
    assert "连云港市专属通知" not in html
    assert "通知4" in html and "通知5" not in html  # six items

    client.force_login(learner_in("320706"))
    html = client.get(reverse("home")).content.decode()
    assert html.index("较早的置顶公告") < html.index("连云港市专属通知") < html.index("通知0")
    assert "[培训通知] 通知0" in html


def test_operator_publishes_in_the_back_office_and_the_body_is_sanitised(client, regions):
    client.force_login(OperatorFactory())
    add = reverse("admin:infocenter_article_add")
    page = client.get(add).content.decode()
    assert "全省（不限地区）" in page and "连云港市海州区" in page
    response = client.post(
        add,
        {
            "category": "notice",
            "title": "后台发布的通知",
            "summary": "",
            "body": '<p onclick="x()">正文<script>alert(1)</script><a href="javascript:void(0)">链接</a></p>',
            "status": "published",
            "published_at_0": "2023-09-01",
            "published_at_1": "08:00:00",
            "pinned": "on",
            "region": regions["320700"].pk,
            "attachments-TOTAL_FORMS": "1",
            "attachments-INITIAL_FORMS": "0",
            "attachments-MIN_NUM_FORMS": "0",
            "attachments-MAX_NUM_FORMS": "1000",
            "attachments-0-file": SimpleUploadedFile("报名表.xlsx", b"xlsx-bytes"),
            "attachments-0-name": "",
            "attachments-0-sort_order": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(title="后台发布的通知")
    assert article.body == '<p>正文<a rel="noopener noreferrer">链接</a></p>'
    assert article.pinned and article.region.code == "320700" and article.created_by is not None
    attachment = article.attachments.get()
    assert (attachment.name, attachment.size) == ("报名表.xlsx", 10)

    listing = client.get(reverse("admin:infocenter_article_changelist")).content.decode()
    assert "后台发布的通知" in listing and "预览" in listing and "连云港市" in listing


def test_back_office_refuses_bad_attachment_and_empty_published_body(client):
    client.force_login(OperatorFactory())
    response = client.post(
        reverse("admin:infocenter_article_add"),
        {
            "category": "announcement",
            "title": "空正文",
            "body": "<script>x</script>",
            "status": "published",
            "published_at_0": "2023-09-01",
            "published_at_1": "08:00:00",
            "attachments-TOTAL_FORMS": "1",
            "attachments-INITIAL_FORMS": "0",
            "attachments-MIN_NUM_FORMS": "0",
            "attachments-MAX_NUM_FORMS": "1000",
            "attachments-0-file": SimpleUploadedFile("virus.exe", b"MZ"),
            "attachments-0-sort_order": "0",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "不能发布" in html
    assert "exe" in html
    assert not Article.objects.filter(title="空正文").exists()


def test_back_office_actions_publish_and_withdraw(client):
    draft = make_article(title="待发布", status=ArticleStatus.DRAFT)
    client.force_login(OperatorFactory())
    changelist = reverse("admin:infocenter_article_changelist")
    client.post(changelist, {"action": "publish_selected", "_selected_action": [draft.pk]})
    assert Article.objects.get(pk=draft.pk).status == ArticleStatus.PUBLISHED
    client.post(changelist, {"action": "withdraw_selected", "_selected_action": [draft.pk]})
    assert Article.objects.get(pk=draft.pk).status == ArticleStatus.DRAFT


def test_a_body_written_around_the_service_is_still_sanitised_when_shown(client):
    raw = Article.objects.create(
        category=Category.ANNOUNCEMENT,
        title="绕过服务写入",
        body='<p>正文</p><script>alert(1)</script><img src="x" onerror="alert(2)">',
        status=ArticleStatus.PUBLISHED,
        published_at=timezone.now() - dt.timedelta(minutes=1),
    )
    html = client.get(raw.get_absolute_url()).content.decode()
    body = html[html.index('class="article-body"') :]
    assert "<p>正文</p>" in body
    assert "alert(" not in body and "onerror" not in body
