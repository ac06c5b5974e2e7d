"""The Content-Security-Policy in Chromium: the browser tests' watcher catches a violation (so every other
browser test, whose `page` fails on one, really runs under the policy), and the API docs page draws
Swagger UI from local files only, with no request leaving the site."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from .conftest import VIEWPORTS, watch_csp

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_watcher_reports_what_the_policy_blocks(live_server, browser):
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="zh-CN")
    violations = watch_csp(context)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/")
        assert "script-src 'self'" in page.evaluate(
            "fetch(location.href).then(r => r.headers.get('content-security-policy'))"
        )
        # What an injected inline handler or style would do: both are refused and reported.
        page.evaluate("document.body.setAttribute('style', 'background: red')")
        page.evaluate(
            "() => { const s = document.createElement('script'); s.textContent = 'window.hacked = 1';"
            " document.body.appendChild(s); }"
        )
        page.wait_for_timeout(300)
        assert page.evaluate("window.hacked") is None
        assert any("style-src" in v for v in violations), violations
        assert any("script-src" in v for v in violations), violations
    finally:
        context.close()


def test_api_docs_page_works_offline_under_the_policy(live_server, page, shot):
    outside = []

    def only_this_site(route):
        if urlsplit(route.request.url).netloc != urlsplit(live_server.url).netloc:
            outside.append(route.request.url)
            return route.abort()
        return route.continue_()

    page.route("**/*", only_this_site)
    page.goto(live_server.url + "/api/v1/docs")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "江苏工勤人员继续教育云平台 API" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator(".opblock").first.wait_for()  # the operations were read from openapi.json
    assert outside == []
    shot("api-docs")
