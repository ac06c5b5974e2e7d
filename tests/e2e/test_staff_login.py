"""工作人员登录 with TOTP two-factor in a real browser, at desktop and phone width: the first login
enrols an authenticator (the manual key read from the page gives the code), shows the recovery codes
once, then the portal; after logging out, the next login asks for a code, refuses a wrong one and
accepts the right one. Also the idle-timeout warning and its 继续 button."""

from __future__ import annotations

import pytest

from cecloud.accounts.factories import PASSWORD, UnitHRFactory
from cecloud.accounts.testing import hex_key_from_manual, totp_code
from cecloud.core.models import AuditLog
from cecloud.registry.factories import UnitFactory

from .conftest import fill_staff_login

pytestmark = pytest.mark.django_db(transaction=True)


def _logout(page, base_url: str) -> None:
    page.goto(base_url + "/")  # any page with the header (the portal may have no open year here)
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
    page.locator("form[action='/accounts/logout/'] button").click()
    page.wait_for_url("**/")


def _assert_fits(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"page scrolls sideways by {overflow}px"


def test_staff_login_with_totp_enrolment_then_a_code(live_server, page, shot):
    hr = UnitHRFactory(unit=UnitFactory(name="连云港市第一人民医院"), username="hr_2fa", display_name="第一医院人事科")
    page.goto(live_server.url + "/")
    page.locator("footer").get_by_role("link", name="工作人员登录").click()
    page.wait_for_url("**/accounts/staff/login/")
    assert page.locator("h1:has-text('工作人员登录')").is_visible()
    _assert_fits(page)
    shot("staff-login")

    page.fill("#id_username", hr.username)
    page.fill("#id_password", PASSWORD)
    page.fill("#id_captcha_1", "PASSED")
    page.click("button:has-text('登录')")
    page.wait_for_url("**/accounts/staff/2fa/enrol/**")
    assert page.locator(".otp-qr svg").is_visible()
    _assert_fits(page)
    shot("staff-2fa-enrol")

    key = hex_key_from_manual(page.locator("#otp-manual-key").inner_text())
    page.fill("#id_code", totp_code(key))
    page.click("button:has-text('确认绑定')")
    page.wait_for_url("**/accounts/staff/2fa/recovery-codes/")
    assert page.locator(".recovery-codes li").count() == 10
    with page.expect_download() as download:
        page.click("a:has-text('下载恢复码')")
    assert download.value.suggested_filename == "cecloud-recovery-codes.txt"
    _assert_fits(page)
    shot("staff-2fa-recovery-codes")
    page.click("button:has-text('我已保存恢复码，进入系统')")
    page.wait_for_url("**/oversight/**")

    _logout(page, live_server.url)
    page.goto(live_server.url + "/accounts/staff/login/")
    page.fill("#id_username", hr.username)
    page.fill("#id_password", PASSWORD)
    page.fill("#id_captcha_1", "PASSED")
    page.click("button:has-text('登录')")
    page.wait_for_url("**/accounts/staff/2fa/**")
    right = totp_code(key, steps_ahead=1)  # the enrolment used this 30-second step's code
    page.fill("#id_code", "000000" if right != "000000" else "111111")
    page.click("button:has-text('验证')")
    assert page.locator(".invalid-feedback", has_text="验证码错误，还可尝试 4 次").is_visible()
    _assert_fits(page)
    shot("staff-2fa-wrong-code")
    page.fill("#id_code", right)
    page.click("button:has-text('验证')")
    page.wait_for_url("**/oversight/**")
    shot("staff-portal-after-2fa")

    events = list(AuditLog.objects.filter(actor=hr).values_list("event_type", flat=True))
    assert events.count("account.login") == 2 and "account.2fa_enrolled" in events and "account.login_failed" in events


def test_the_idle_warning_offers_to_continue(live_server, page, shot, settings):
    settings.CECLOUD_IDLE_TIMEOUT_STAFF_MINUTES = 1  # the warning (5 minutes) is due at once
    hr = UnitHRFactory(unit=UnitFactory(name="连云港市第一人民医院"))
    fill_staff_login(page, live_server.url, hr, PASSWORD)
    page.wait_for_url("**/oversight/**")
    page.goto(live_server.url + "/")  # a page of the site's own layout (the portal may have no open year here)
    warning = page.locator(".idle-warning")
    warning.wait_for(state="visible")
    assert "您已长时间未操作，将于 1 分钟后退出" in warning.inner_text()
    shot("idle-warning")
    with page.expect_response("**/accounts/session/keepalive/") as keepalive:
        warning.get_by_role("button", name="继续").click()
    assert keepalive.value.ok
    # The script asks again (the server says a minute is left: still within the warning time).
    page.evaluate("window.cecloudIdle.check()")
    warning.wait_for(state="visible")
