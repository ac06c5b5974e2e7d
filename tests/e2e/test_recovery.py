"""找回密码 in a real browser at desktop and phone width: 核认身份 → 验证真实性 (the code is read from
the file SMS sender) → 重置密码 → 完成, then a login with the new password; and the hotline when
no phone is bound."""

from __future__ import annotations

import pytest

from cecloud.accounts.factories import LearnerFactory
from cecloud.notifications.testing import file_outbox
from cecloud.registry.factories import PersonFactory, region

from .conftest import fill_login

pytestmark = pytest.mark.django_db(transaction=True)

NEW = "Zhaohui#2024"


@pytest.fixture
def outbox(settings, tmp_path):
    region("320706")  # a transactional test may have flushed the reference regions
    return file_outbox(settings, tmp_path)


def assert_no_horizontal_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"page scrolls sideways by {overflow}px"


def active_step(page) -> str:
    return page.locator(".recover-steps .step.active").inner_text().replace("\n", " ").strip()


def test_recover_the_password_with_an_sms_code(live_server, page, shot, outbox):
    learner = LearnerFactory(person__name="周找回", person__phone="13812345678")
    person = learner.person
    page.goto(live_server.url + "/")
    page.click("a:has-text('找回密码')")
    page.wait_for_url("**/accounts/recover/")
    assert page.locator("h1:has-text('学员找回密码')").is_visible()
    assert "核认身份" in active_step(page)
    assert page.locator("text=请输入姓名和身份证号，确认身份后重置密码。").is_visible()
    assert_no_horizontal_scroll(page)
    shot("recover-1-identity")

    # A wrong name is refused with the neutral message.
    page.fill("#id_name", "周不对")
    page.fill("#id_username", person.id_number)
    page.fill("#id_captcha_1", "PASSED")
    page.click("button:has-text('下一步')")
    assert page.locator("text=姓名或身份证号有误，请核对后重新输入").is_visible()
    shot("recover-1-mismatch")

    page.fill("#id_name", "周找回")
    page.fill("#id_username", person.id_number)
    page.fill("#id_captcha_1", "PASSED")
    page.click("button:has-text('下一步')")
    page.wait_for_url("**/accounts/recover/verify/")
    assert "验证真实性" in active_step(page)
    assert page.locator("#masked-phone").inner_text() == "138****5678"
    assert "13812345678" not in page.content()

    page.click("#send-code")
    page.locator("#send-status .alert-success").wait_for()
    assert "验证码已发送至 138****5678" in page.locator("#send-status").inner_text()
    assert page.locator("#send-code").is_disabled()  # the 60-second countdown
    assert "秒后可重新获取" in page.locator("#send-code").inner_text()
    code = outbox.last_code("13812345678")
    # A wrong code first: refused with the attempts left.
    page.fill("#id_code", "000000" if code != "000000" else "111111")
    page.click("button:has-text('下一步')")
    assert page.locator("text=验证码错误，还可输入2次").is_visible()
    page.fill("#id_code", code)
    shot("recover-2-verify")
    page.click("button:has-text('下一步')")
    page.wait_for_url("**/accounts/recover/reset/")
    assert "重置密码" in active_step(page)

    page.fill("#id_new_password1", NEW)
    page.fill("#id_new_password2", NEW + "x")
    page.click("button:has-text('确认重置')")
    assert page.locator("text=两次输入的新密码不一致").is_visible()
    page.fill("#id_new_password1", NEW)
    page.fill("#id_new_password2", NEW)
    shot("recover-3-reset")
    page.click("button:has-text('确认重置')")
    page.wait_for_url("**/accounts/recover/done/")
    assert "完成" in active_step(page)
    assert page.locator("text=密码重置成功").is_visible()
    assert_no_horizontal_scroll(page)
    shot("recover-4-done")

    page.click("a:has-text('去登录')")
    fill_login(page, person.id_number, NEW)
    page.wait_for_url("**/accounts/welcome/")
    assert page.locator("a:has-text('进入学员中心')").is_visible()


def test_no_bound_phone_shows_the_hotline(live_server, page, shot, outbox):
    person = PersonFactory(name="吴无号", phone="")
    page.goto(live_server.url + "/accounts/recover/")
    page.fill("#id_name", "吴无号")
    page.fill("#id_username", person.id_number)
    page.fill("#id_captcha_1", "PASSED")
    page.click("button:has-text('下一步')")
    page.wait_for_url("**/accounts/recover/verify/")
    alert = page.locator(".no-phone")
    assert alert.is_visible() and "未绑定手机号或手机号有误可联系客服：4000968823" in alert.inner_text()
    assert page.locator("#send-code").count() == 0
    assert_no_horizontal_scroll(page)
    shot("recover-2-no-phone")
    assert outbox.messages() == []
