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


@pytest.fixture
def page(browser, viewport):
    context = browser.new_context(
        viewport=VIEWPORTS[viewport], locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.viewport_name = viewport
    yield page
    context.close()


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
