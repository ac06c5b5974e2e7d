"""Demo articles: the seed's notice and manual, idempotent loading."""

import re

import pytest

from cecloud.accounts.factories import learner_in
from cecloud.core.models import AuditLog
from cecloud.infocenter import demo
from cecloud.infocenter.models import Article, Attachment, Category
from cecloud.infocenter.selectors import latest_articles, visible_articles

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    demo.load()
    return {a.category: a for a in Article.objects.all()}


def test_demo_has_the_four_categories_and_loading_twice_changes_nothing(loaded):
    assert set(loaded) == {Category.ANNOUNCEMENT, Category.MANUAL, Category.NOTICE, Category.POLICY}
    audit_before, files_before = AuditLog.objects.count(), Attachment.objects.count()
    bodies = {a.pk: (a.body, a.published_at) for a in Article.objects.all()}
    demo.load()
    assert Article.objects.count() == 4
    assert AuditLog.objects.count() == audit_before
    assert Attachment.objects.count() == files_before == 2
    assert {a.pk: (a.body, a.published_at) for a in Article.objects.all()} == bodies


def test_the_notice_is_scoped_to_lianyungang_with_the_hours_table(loaded):
    notice = loaded[Category.NOTICE]
    assert notice.title == "关于做好2023年度全市机关事业单位工勤人员继续教育培训工作的通知"
    assert notice.region.code == "320700"
    assert "连人社函〔2023〕74号" in notice.body
    assert re.search(
        r"<td>技师、高级技师</td><td class=\"num\">40</td><td class=\"num\">12</td>"
        r"<td class=\"num\">12</td><td class=\"num\">16</td>",
        re.sub(r">\s+<", "><", notice.body),
    )
    assert "2023年9月10日—10月20日" in notice.body and "2023年9月10日—10月25日" in notice.body
    assert f'href="{loaded[Category.MANUAL].get_absolute_url()}"' in notice.body

    assert notice in visible_articles(user=learner_in("320706"))
    assert notice not in visible_articles(user=learner_in("320106"))
    assert notice not in visible_articles(user=None)


def test_the_manual_keeps_its_structure_through_the_sanitiser(loaded):
    manual = loaded[Category.MANUAL]
    source = demo.manual_html()
    for cls in set(re.findall(r'class="([^"]+)"', source)):
        assert source.count(f'class="{cls}"') == manual.body.count(f'class="{cls}"'), cls
    for heading in ("一、培训流程", "二、学员登录/找回密码", "三、报名缴费", "四、学员中心", "（五）个人信息"):
        assert heading in manual.body
    assert manual.body.count('class="figure-desc"') >= 6
    assert manual.region is None
    pdf = manual.attachments.get()
    assert pdf.name == "江苏工勤人员继续教育云平台学员操作手册.pdf"
    with pdf.file.open("rb") as fh:
        assert fh.read(5) == b"%PDF-"


def test_the_policy_only_restates_what_the_notice_says(loaded):
    policy = loaded[Category.POLICY]
    assert "苏人社发〔2018〕154号" in policy.title
    assert "以发文机关公布的文本为准" in policy.body


def test_home_page_latest_puts_the_pinned_welcome_first(loaded):
    anonymous = [a.category for a in latest_articles(user=None)]
    assert anonymous == [Category.ANNOUNCEMENT, Category.MANUAL, Category.POLICY]
    learner = [a.category for a in latest_articles(user=learner_in("320706"))]
    assert learner == [Category.ANNOUNCEMENT, Category.NOTICE, Category.MANUAL, Category.POLICY]
