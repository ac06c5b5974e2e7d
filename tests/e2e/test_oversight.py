"""Unit HR and bureau portals in a real browser at desktop and phone width: charts drawn by the
local ECharts (no CDN), every chart with its table, no sideways scrolling on a phone, the audited
full-ID view, one-click reminders and the schedule form."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from cecloud.accounts.factories import BureauFactory, UnitHRFactory
from cecloud.core.models import AuditLog
from cecloud.oversight.testing import make_class, make_order, populate
from cecloud.registry.factories import PersonFactory
from cecloud.registry.models import Grade
from cecloud.training.models import EnrollmentStatus

pytestmark = pytest.mark.django_db(transaction=True)

NAMES = ["王建国", "李秀英", "张伟", "刘芳", "陈静", "杨洋", "赵磊", "黄丽", "周杰", "吴敏", "徐强", "孙娜"]


@pytest.fixture
def data(settings, tmp_path):
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.log")
    world = populate(11, people=160, units=9, days=28, state_weights=[2, 1, 1, 2, 3, 5, 0.3])
    unit = world["units"][0]
    unit.name = "连云港市第一人民医院"
    unit.save(update_fields=["name"])
    now = timezone.now()
    grades = [Grade.SENIOR_TECHNICIAN, Grade.TECHNICIAN, Grade.SENIOR, Grade.INTERMEDIATE, Grade.JUNIOR]
    for i, name in enumerate(NAMES):
        person = PersonFactory(unit=unit, name=name, grade=grades[i % len(grades)])
        kind = i % 4
        if kind == 0:
            make_class(person, 2023, status=EnrollmentStatus.QUALIFIED, opened_at=now - dt.timedelta(days=12))
        elif kind == 1:
            make_class(
                person,
                2023,
                opened_at=now - dt.timedelta(days=5),
                earned={"ideology": Decimal("8"), "general": Decimal("4")},
            )
        elif kind == 2:
            make_order(person, 2023, status="pending", created_at=now - dt.timedelta(hours=3))
    return {
        "unit": unit,
        "city": world["city"],
        "hr": UnitHRFactory(unit=unit),
        "bureau": BureauFactory(region=world["city"]),
    }


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def assert_no_horizontal_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"page scrolls sideways by {overflow}px"


def wait_for_charts(page, count: int) -> None:
    page.wait_for_function(f"() => document.querySelectorAll('[data-chart-ready]').length >= {count}")
    for chart in page.locator("[data-chart]").all():
        box = chart.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 150  # drawn at the container's size
        assert chart.locator("canvas").count() == 1


def test_unit_hr_portal(live_server, page, shot, data):
    sources = []
    page.on("request", lambda request: sources.append(request.url))
    sign_in(page, live_server, data["hr"])
    page.goto(live_server.url + "/oversight/")
    page.wait_for_url("**/oversight/unit/")
    wait_for_charts(page, 2)
    assert page.locator("h1:has-text('人员学习情况')").is_visible()
    assert page.locator("td[data-label='状态'] >> text=已合格").first.is_visible()
    assert page.locator("td[data-label='状态'] >> text=学习中").first.is_visible()
    assert page.locator("td[data-label='状态'] >> text=未缴费").first.is_visible()
    assert all(url.startswith(live_server.url) for url in sources), "every asset is served locally"
    assert any(url.endswith("/static/vendor/echarts/echarts.min.js") for url in sources)
    assert_no_horizontal_scroll(page)
    shot("oversight-unit-workers")

    page.select_option("#id_status", "learning")
    page.click("button:has-text('查询')")
    page.wait_for_url("**status=learning**")
    assert page.locator("td[data-label='状态'] >> text=未缴费").count() == 0
    with page.expect_download() as download:
        page.click("a:has-text('导出Excel')")
    assert download.value.suggested_filename.endswith(".xlsx")
    assert AuditLog.objects.filter(event_type="oversight.export").count() == 1

    page.click("td[data-label='姓名'] a >> nth=0")
    page.wait_for_url("**/oversight/workers/*/")
    page.click("button:has-text('查看完整号码')")
    page.wait_for_selector("text=本次查看已记录")
    assert AuditLog.objects.filter(event_type="pii.id_number_viewed").count() == 1
    shot("oversight-worker")
    assert_no_horizontal_scroll(page)

    page.goto(live_server.url + "/oversight/unit/reminders/")
    assert page.locator("button:has-text('一键提醒全部未完成人员')").is_visible()
    assert_no_horizontal_scroll(page)
    shot("oversight-reminders")
    page.click("button:has-text('一键提醒全部未完成人员')")
    page.wait_for_selector("text=发送学习提醒短信")
    assert page.locator("text=今天已提醒").first.is_visible()


def test_bureau_portal(live_server, page, shot, data):
    sign_in(page, live_server, data["bureau"])
    page.goto(live_server.url + "/oversight/")
    page.wait_for_url("**/oversight/bureau/")
    wait_for_charts(page, 4)
    for table in ("#table-region", "#table-grade", "#table-units"):
        assert page.locator(table).count() == 1  # every chart has its table
    assert page.locator("#table-region a:has-text('海州区')").is_visible()
    assert_no_horizontal_scroll(page)
    shot("oversight-bureau-dashboard")

    # The charts follow the window: a narrower window gives a narrower canvas (resize on window resize).
    width = page.locator("#chart-days canvas").bounding_box()["width"]
    size = page.viewport_size
    page.set_viewport_size({"width": 1000 if size["width"] > 1000 else 320, "height": size["height"]})
    page.wait_for_function(
        f"() => document.querySelector('#chart-days canvas').getBoundingClientRect().width < {width - 20}"
    )
    assert_no_horizontal_scroll(page)
    page.set_viewport_size(size)

    page.click("#table-region a:has-text('海州区')")
    page.wait_for_url("**region=320706**")
    wait_for_charts(page, 3)
    shot("oversight-bureau-county")

    page.goto(live_server.url + "/oversight/bureau/units/")
    assert_no_horizontal_scroll(page)
    shot("oversight-bureau-units")
    page.click("a:has-text('连云港市第一人民医院')")
    page.wait_for_url("**/oversight/bureau/units/*/**")
    wait_for_charts(page, 2)
    assert_no_horizontal_scroll(page)
    shot("oversight-bureau-unit")
    page.fill("#id_q", "王建国")
    page.click("button:has-text('查询')")
    page.wait_for_url("**q=**")
    assert page.locator("td[data-label='姓名'] >> text=王建国").is_visible()

    page.goto(live_server.url + "/oversight/bureau/schedules/")
    page.fill("#id_register_end", "2023-09-01")
    page.fill("#id_register_start", "2023-09-10")
    page.click("button:has-text('保存')")
    assert page.locator("text=报名缴费结束日期不能早于开始日期").is_visible()
    assert_no_horizontal_scroll(page)
    shot("oversight-bureau-schedules")
