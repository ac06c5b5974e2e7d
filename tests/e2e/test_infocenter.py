"""信息中心 in a real browser, at desktop and phone width: the public list and the manual, the
learner-centre version with the region's notice, and the home page's latest items."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from cecloud.accounts.factories import learner_in
from cecloud.infocenter import demo
from cecloud.infocenter.models import Article, Category
from cecloud.registry.factories import region

pytestmark = pytest.mark.django_db(transaction=True)

MANUAL = "江苏工勤人员继续教育云平台学员操作手册"
NOTICE = "关于做好2023年度全市机关事业单位工勤人员继续教育培训工作的通知"


@pytest.fixture
def demo_articles():
    region("320700")  # a transactional test may have flushed the reference regions
    demo.load()
    return {a.category: a for a in Article.objects.all()}


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def assert_no_horizontal_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"page scrolls sideways by {overflow}px"


def test_visitor_opens_the_info_center_and_reads_the_manual(live_server, page, shot, demo_articles):
    page.goto(live_server.url + "/")
    latest = page.locator(".article-list li")
    assert latest.first.inner_text().startswith("置顶")
    assert NOTICE not in page.locator(".article-list").inner_text()  # scoped to 连云港市

    page.goto(live_server.url + "/info/")
    tabs = page.locator(".info-tab")
    assert tabs.all_inner_texts() == ["全部", "平台公告", "操作手册", "培训通知", "政策文件"]
    items = page.locator(".info-item")
    assert items.count() == 3
    assert items.first.locator(".badge", has_text="置顶").is_visible()
    assert_no_horizontal_scroll(page)
    shot("infocenter-index")

    page.click(".info-tab:has-text('操作手册')")
    page.wait_for_url("**/info/?category=manual")
    assert page.locator(".info-tab.active").inner_text() == "操作手册"
    assert page.locator(".info-item").count() == 1
    page.click(f".info-title:has-text('{MANUAL}')")
    page.wait_for_url("**/info/a/**")
    assert page.locator("h1.article-title").inner_text() == MANUAL
    body = page.locator(".article-body")
    for heading in ["一、培训流程", "二、学员登录/找回密码", "三、报名缴费", "四、学员中心"]:
        assert body.locator("h2", has_text=heading).is_visible()
    assert body.locator(".figure-desc").first.is_visible()
    assert page.locator(".article-attachments a", has_text=f"{MANUAL}.pdf").is_visible()
    assert_no_horizontal_scroll(page)
    shot("infocenter-manual")

    with page.expect_download() as download_info:
        page.click(f".article-attachments a:has-text('{MANUAL}.pdf')")
    assert download_info.value.suggested_filename == f"{MANUAL}.pdf"

    response = page.goto(live_server.url + demo_articles[Category.NOTICE].get_absolute_url())
    assert response.status == 404  # the Lianyungang notice is not public


def test_lianyungang_learner_reads_the_notice_in_the_learner_centre(live_server, page, shot, demo_articles):
    sign_in(page, live_server, learner_in("320706"))  # 海州区, a county of 连云港市
    page.goto(live_server.url + "/")
    assert page.locator(".article-list li").nth(1).inner_text().startswith("[培训通知] " + NOTICE)
    page.locator(".article-list").scroll_into_view_if_needed()
    shot("infocenter-home-latest")

    page.goto(live_server.url + "/training/classes/")
    page.click(".center-menu >> text=信息中心")
    page.wait_for_url("**/info/center/")
    assert page.locator(".center-menu-item.active").inner_text().strip() == "信息中心"
    assert page.locator(".info-item").count() == 4
    assert_no_horizontal_scroll(page)
    shot("infocenter-center")

    page.click(".info-tab:has-text('培训通知')")
    page.click(f".info-title:has-text('{NOTICE}')")
    page.wait_for_url("**/info/center/a/**")
    assert page.locator(".center-menu-item.active").inner_text().strip() == "信息中心"
    assert page.locator(".article-meta", has_text="发布范围：连云港市").is_visible()
    table = page.locator(".article-body table").first
    assert table.locator("td", has_text="技师、高级技师").is_visible()
    assert table.locator("tbody tr").first.locator("td").all_inner_texts() == ["技师、高级技师", "40", "12", "12", "16"]
    assert_no_horizontal_scroll(page)
    shot("infocenter-notice")

    page.click(f".article-body a:has-text('{MANUAL}')")
    page.wait_for_url("**/info/a/**")
    assert page.locator("h1.article-title").inner_text() == MANUAL


def test_nanjing_learner_does_not_see_the_lianyungang_notice(live_server, page, demo_articles):
    sign_in(page, live_server, learner_in("320106"))
    page.goto(live_server.url + "/info/center/?category=notice")
    assert page.locator(".info-item").count() == 0
    assert page.locator("text=暂无已发布的培训通知").is_visible()
