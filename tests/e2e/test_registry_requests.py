"""入库申请 and 修改信息 in a real browser at desktop and phone width: the public form with the
dependent county select (htmx), a learner's correction from 个人信息, and the unit HR review."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from cecloud.accounts.factories import LearnerFactory, UnitHRFactory
from cecloud.registry.factories import UnitFactory, region
from cecloud.registry.models import Application, CorrectionRequest, RequestStatus

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def unit(settings, tmp_path):
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.log")
    return UnitFactory(name="连云港市第一人民医院", region=region("320706"))


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def assert_no_horizontal_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"page scrolls sideways by {overflow}px"


def test_apply_online_then_the_unit_hr_approves(live_server, page, shot, unit):
    page.goto(live_server.url + "/")
    page.locator("a:has-text('在线填写入库申请')").click()
    page.wait_for_url("**/registry/apply/")
    page.click("button:has-text('提交申请')")
    assert page.locator("text=请输入姓名").first.is_visible()
    assert page.locator("text=请选择所属地区（市）").is_visible()
    shot("apply-errors")
    page.fill("#id_name", "陈申请")
    page.fill("#id_id_number", "32070619900101102x")
    page.fill("#id_phone", "13800138000")
    page.fill("#id_unit_name", "连云港市第一人民医院")
    page.select_option("#id_city", "320700")
    page.wait_for_function(
        "() => document.querySelectorAll('#id_county option').length > 3"
    )  # htmx loaded the counties
    page.select_option("#id_county", "320706")
    page.select_option("#id_grade", "senior")
    page.fill("#id_post", "驾驶员")
    page.fill("#id_captcha_1", "PASSED")
    assert_no_horizontal_scroll(page)
    shot("apply-form")
    page.click("button:has-text('提交申请')")
    page.wait_for_url("**/registry/apply/done/")
    assert page.locator("text=审核结果将以短信通知").is_visible()
    shot("apply-done")
    app = Application.objects.get()
    assert app.unit == unit and app.id_number == "32070619900101102X"

    page.context.clear_cookies()
    sign_in(page, live_server, UnitHRFactory(unit=unit))
    page.goto(live_server.url + "/oversight/reviews/")
    assert page.locator("td:has-text('陈申请')").is_visible()
    assert_no_horizontal_scroll(page)
    shot("review-list")
    page.click("a.btn:has-text('审核')")
    page.wait_for_url("**/oversight/reviews/application/*/")
    assert page.locator("dd:has-text('32070619900101102X')").is_visible()
    shot("review-application")
    page.click("button:has-text('审核通过')")
    page.wait_for_url("**/oversight/reviews/")
    assert page.locator("text=已通过 陈申请 的入库申请").is_visible()
    app.refresh_from_db()
    assert app.status == RequestStatus.APPROVED and app.person.unit == unit


def test_a_learner_asks_for_a_correction_from_the_profile(live_server, page, shot, unit):
    learner = LearnerFactory(person__name="黄原名", person__unit=unit, person__post="电工")
    sign_in(page, live_server, learner)
    page.goto(live_server.url + "/accounts/profile/")
    page.click("a:has-text('修改信息')")
    page.wait_for_url("**/registry/correction/")
    page.fill("#id_post", "驾驶员")
    assert page.locator("#id_city").input_value() == "320700"  # pre-filled with the registry's region
    assert page.locator("#id_county").input_value() == "320706"
    page.select_option("#id_county", "320707")
    assert_no_horizontal_scroll(page)
    shot("correction-form")
    page.click("button:has-text('提交修改申请')")
    page.locator(".correction-status:has-text('正在审核中')").wait_for()
    assert page.locator("td:has-text('连云港市赣榆区')").is_visible()
    shot("correction-pending")
    correction = CorrectionRequest.objects.get()
    assert correction.changes == {"post": "驾驶员", "region": region("320707").pk}

    hr_page = page.context.new_page()
    hr_page.context.clear_cookies()
    sign_in(hr_page, live_server, UnitHRFactory(unit=unit))
    hr_page.goto(live_server.url + f"/oversight/reviews/correction/{correction.pk}/")
    hr_page.fill("#id_reason", "请先在单位更新岗位")
    hr_page.click("button:has-text('驳回')")
    hr_page.wait_for_url("**/oversight/reviews/")
    hr_page.close()

    page.context.clear_cookies()
    sign_in(page, live_server, learner)
    page.goto(live_server.url + "/accounts/profile/")
    assert page.locator("text=未通过审核").is_visible() and page.locator("text=请先在单位更新岗位").is_visible()
    shot("profile-correction-rejected")
