"""Who sees which article: region scope, publish time, drafts."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from cecloud.accounts.factories import BureauFactory, OperatorFactory, UnitHRFactory, learner_in
from cecloud.infocenter.factories import make_article
from cecloud.infocenter.models import ArticleStatus, Category
from cecloud.infocenter.selectors import articles_for, latest_articles, readable_article, visible_articles
from cecloud.registry.factories import UnitFactory, region

pytestmark = pytest.mark.django_db


def titles(user, **kwargs):
    return {a.title for a in visible_articles(user=user, **kwargs)}


@pytest.fixture
def lyg_notice():
    return make_article(title="连云港市通知", category=Category.NOTICE, region_code="320700")


def test_city_notice_reaches_city_and_county_learners_only(lyg_notice):
    everyone = make_article(title="全省公告")
    city_learner = learner_in("320700")
    haizhou_learner = learner_in("320706")
    nanjing_learner = learner_in("320106")

    assert titles(city_learner) == {"连云港市通知", "全省公告"}
    assert titles(haizhou_learner) == {"连云港市通知", "全省公告"}
    assert titles(nanjing_learner) == {"全省公告"}
    assert titles(AnonymousUser()) == {"全省公告"}
    assert titles(None) == {everyone.title}


def test_county_notice_is_not_seen_by_a_sibling_county_or_the_city_level():
    make_article(title="海州区通知", category=Category.NOTICE, region_code="320706")
    assert titles(learner_in("320706")) == {"海州区通知"}
    assert titles(learner_in("320707")) == set()  # 赣榆区
    assert titles(learner_in("320700")) == set()  # a city-level unit is not in the county
    assert titles(AnonymousUser()) == set()


def test_detail_is_none_for_readers_outside_the_scope(lyg_notice):
    assert readable_article(user=learner_in("320706"), code=lyg_notice.code) == lyg_notice
    assert readable_article(user=learner_in("320106"), code=lyg_notice.code) is None
    assert readable_article(user=AnonymousUser(), code=lyg_notice.code) is None


def test_staff_see_unscoped_and_their_region(lyg_notice):
    make_article(title="海州区通知", region_code="320706")
    make_article(title="南京市通知", region_code="320100")
    make_article(title="全省公告")

    haizhou_hr = UnitHRFactory(unit=UnitFactory(region=region("320706")))
    assert titles(haizhou_hr) == {"连云港市通知", "海州区通知", "全省公告"}
    city_bureau = BureauFactory(region=region("320700"))
    assert titles(city_bureau) == {"连云港市通知", "海州区通知", "全省公告"}
    county_bureau = BureauFactory(region=region("320707"))
    assert titles(county_bureau) == {"连云港市通知", "全省公告"}
    nanjing_bureau = BureauFactory(region=region("320100"))
    assert titles(nanjing_bureau) == {"南京市通知", "全省公告"}
    assert titles(OperatorFactory()) == {"连云港市通知", "海州区通知", "南京市通知", "全省公告"}


def test_scheduled_article_appears_only_at_its_publish_time():
    when = timezone.now() + dt.timedelta(hours=2)
    article = make_article(title="定时公告", published_at=when)
    reader = learner_in("320706")

    assert titles(reader) == set()
    assert readable_article(user=reader, code=article.code) is None
    assert latest_articles(user=reader) == []
    assert titles(reader, now=when - dt.timedelta(seconds=1)) == set()
    assert titles(reader, now=when) == {"定时公告"}


def test_drafts_are_hidden_from_everyone_but_back_office_preview():
    draft = make_article(title="草稿", status=ArticleStatus.DRAFT)
    assert titles(learner_in("320706")) == set()
    assert titles(AnonymousUser()) == set()
    assert titles(OperatorFactory()) == set()  # lists show published items only, even to operators
    assert readable_article(user=learner_in("320706"), code=draft.code) is None
    assert readable_article(user=OperatorFactory(), code=draft.code) == draft  # 预览
    assert readable_article(user=BureauFactory(), code=draft.code) is None


def test_lists_put_pinned_first_then_newest_and_filter_by_category():
    old_pinned = make_article(title="置顶旧", pinned=True, age=dt.timedelta(days=30))
    newest = make_article(title="最新", category=Category.POLICY, age=dt.timedelta(minutes=5))
    older = make_article(title="较早", category=Category.MANUAL, age=dt.timedelta(days=2))

    page = articles_for(user=None)
    assert [a.title for a in page] == [old_pinned.title, newest.title, older.title]
    assert [a.title for a in articles_for(user=None, category=Category.MANUAL)] == ["较早"]
    assert [a.title for a in latest_articles(user=None, limit=2)] == ["置顶旧", "最新"]


def test_pagination_ten_per_page_and_out_of_range_pages_clamp():
    for i in range(23):
        make_article(title=f"公告{i:02d}", age=dt.timedelta(minutes=i))
    first = articles_for(user=None, page=1)
    assert first.paginator.num_pages == 3
    assert [a.title for a in first][:2] == ["公告00", "公告01"]
    assert len(articles_for(user=None, page=3).object_list) == 3
    assert articles_for(user=None, page=99).number == 3
    assert articles_for(user=None, page="x").number == 1


def test_latest_articles_cache_is_refreshed_by_a_new_article(django_capture_on_commit_callbacks):
    reader = learner_in("320706")
    make_article(title="第一条")
    assert [a.title for a in latest_articles(user=reader)] == ["第一条"]
    with django_capture_on_commit_callbacks(execute=True):
        make_article(title="第二条", region_code="320700", age=dt.timedelta(minutes=1))
    assert [a.title for a in latest_articles(user=reader)] == ["第二条", "第一条"]
    assert [a.title for a in latest_articles(user=None)] == ["第一条"]


def test_latest_articles_cache_never_outlives_the_next_scheduled_article():
    from cecloud.infocenter.selectors import LATEST_CACHE_SECONDS, _seconds_until_next_publication

    now = timezone.now()
    assert _seconds_until_next_publication(now) == LATEST_CACHE_SECONDS
    make_article(title="十秒后", published_at=now + dt.timedelta(seconds=10))
    assert 1 <= _seconds_until_next_publication(now) <= 10
