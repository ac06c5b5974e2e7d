"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium), never a downloaded browser.

Screenshots go to test-artifacts/screenshots/ (CI prints the path). Two viewports are used
throughout: desktop 1366×768 and phone 360×740.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM is still used synchronously.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CECLOUD_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(
    os.environ.get("CECLOUD_SCREENSHOTS", Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots")
)
VIEWPORTS = {
    "desktop": {"width": 1366, "height": 768},
    "phone": {"width": 360, "height": 740},
}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--autoplay-policy=no-user-gesture-required",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.fail(
            f"Browser tests need Debian's Chromium at {CHROMIUM}: install it with `apt-get install chromium` "
            "(the tests never download a browser)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request):
    return request.param


# Every page reports what the Content-Security-Policy blocked (config/settings.py: no inline script or style).
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolation(e.effectiveDirective + " blocked " + (e.blockedURI || "inline") + " in "
    + (e.sourceFile || e.documentURI) + ":" + e.lineNumber + " " + (e.sample || ""));
}, true);
"""


def watch_csp(context) -> list[str]:
    """Collect the context's CSP violations: the DOM event, and Chromium's console message as a fallback."""
    violations: list[str] = []
    context.expose_function("__cspViolation", lambda text: violations.append(text))
    context.add_init_script(CSP_LISTENER)
    context.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return violations


@pytest.fixture
def page(browser, viewport):
    context = browser.new_context(
        viewport=VIEWPORTS[viewport], locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True
    )
    context.set_default_timeout(15_000)
    violations = watch_csp(context)
    page = context.new_page()
    page.viewport_name = viewport
    yield page
    context.close()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(dict.fromkeys(violations))


@pytest.fixture
def shot(page):
    """shot("name") saves test-artifacts/screenshots/<name>-<viewport>.png (full page)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}-{page.viewport_name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def fill_login(page, username: str, password: str) -> None:
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.fill("#id_captcha_1", "PASSED")
    page.click("button:has-text('登录')")


def fill_staff_login(page, base_url: str, user, password: str, *, device=None, next_url: str = "") -> None:
    """工作人员登录 (login name, password, captcha), then the authenticator's code.

    ``device``: the user's TOTP device; one with a random key is made when the user has none (the
    first-login enrolment itself is walked by test_staff_login.py)."""
    from cecloud.accounts.otp import confirmed_totp
    from cecloud.accounts.testing import give_totp, totp_code

    device = device or confirmed_totp(user) or give_totp(user)
    page.goto(base_url + "/accounts/staff/login/" + (f"?next={next_url}" if next_url else ""))
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.fill("#id_captcha_1", "PASSED")
    page.click("button:has-text('登录')")
    page.wait_for_url("**/accounts/staff/2fa/**")
    # One code per 30-second step: a second login in the same step takes the next step's code.
    page.fill("#id_code", totp_code(device, steps_ahead=1 if device.last_t >= 0 else 0))
    page.click("button:has-text('验证')")
    page.wait_for_load_state("domcontentloaded")
