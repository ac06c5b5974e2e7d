"""No inline script, style or event handler anywhere, so the strict Content-Security-Policy (script-src and
style-src 'self', config/settings.py) breaks nothing.

* Every template's source: no <script> without src (JSON data blocks aside), no <style>, no style="…",
  no on…="…" attribute, no javascript: URL.
* The pages themselves, with the demo data: a crawl of every page reachable by links, anonymously, as a
  learner with classes and certificates, as unit HR, as a bureau and as the operator in the back office
  (one page per URL shape), so that what Python writes into HTML (format_html, widgets, the admin) is
  checked too. The browser tests check the same in Chromium (securitypolicyviolation, tests/e2e).
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[1]
# Rendered to PDF on the server (billing/issuers/local.py), never served to a browser.
NOT_SERVED = {"billing/templates/billing/invoice_pdf.html"}
DATA_BLOCK_TYPES = {"application/json", "application/ld+json"}

TEMPLATE_PATTERNS = [
    ("inline <script>", re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)),
    ("<style> element", re.compile(r"<style\b", re.I)),
    ("style attribute", re.compile(r"\sstyle\s*=", re.I)),
    ("event-handler attribute", re.compile(r"\son[a-z]+\s*=", re.I)),
    ("javascript: URL", re.compile(r"javascript:", re.I)),
]
COMMENTS = re.compile(r"{#.*?#}|{% comment %}.*?{% endcomment %}|<!--.*?-->", re.S)


def project_templates() -> list[Path]:
    return sorted(
        path
        for path in (ROOT / "cecloud").rglob("templates/**/*.html")
        if str(path.relative_to(ROOT / "cecloud")) not in NOT_SERVED
    )


def test_templates_have_no_inline_script_style_or_handler():
    found = []
    for path in project_templates():
        source = COMMENTS.sub("", path.read_text(encoding="utf-8"))
        for label, pattern in TEMPLATE_PATTERNS:
            for match in pattern.finditer(source):
                line = source.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {label}: {match.group(0)[:60]}")
    assert not found, "\n".join(found)


class InlineFinder(HTMLParser):
    """Collects CSP problems and same-site links of one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src") and attributes.get("type") not in DATA_BLOCK_TYPES:
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs:
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>: {value}")
            elif name.startswith("on"):
                self.problems.append(f"{name} attribute on <{tag}>")
            elif name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"javascript: URL on <{tag}>")
        if tag == "a" and (attributes.get("href") or "").startswith("/"):
            self.links.append(attributes["href"])


SKIP = re.compile(r"^//|^/static/|^/media/|logout|/move/|/delete/|/api/v1/openapi")


def shape(path: str) -> str:
    """One page per URL shape: /admin/billing/order/12/change/ and …/13/… are the same page."""
    return re.sub(r"\d+", "N", path.split("?")[0])


def crawl(client, starts: list[str], limit: int) -> dict[str, list[str]]:
    seen, queue, problems = set(), list(starts), {}
    while queue and len(seen) < limit:
        url = queue.pop(0).split("#")[0]
        if not url or SKIP.search(url) or shape(url) in seen:
            continue
        seen.add(shape(url))
        response = client.get(url, follow=True)
        if "text/html" not in response.headers.get("Content-Type", "") or response.status_code >= 400:
            continue
        finder = InlineFinder()
        finder.feed(response.content.decode("utf-8", "replace"))
        if finder.problems:
            problems[url] = sorted(set(finder.problems))
        queue.extend(finder.links)
    return problems


@pytest.mark.django_db
def test_pages_have_no_inline_script_style_or_handler(client, settings):
    from cecloud.accounts.models import User
    from cecloud.core.roles import Role

    settings.CECLOUD_STAFF_2FA = False  # force_login has no second factor; the 2FA pages are checked above
    call_command("load_demo", stdout=io.StringIO())
    learner = (
        User.objects.filter(role=Role.LEARNER, must_change_password=False, person__enrollments__status="qualified")
        .order_by("pk")
        .first()
    )
    users = {
        "anonymous": (None, ["/", "/info/", "/certificates/verify/", "/registry/apply/", "/api/v1/docs"]),
        "learner": (learner, ["/accounts/center/", "/training/classes/", "/billing/register/"]),
        "unit HR": (User.objects.get(username="unithr"), ["/oversight/"]),
        "bureau": (User.objects.get(username="bureau_lyg"), ["/oversight/"]),
        "operator": (User.objects.get(username="operator"), ["/admin/"]),
    }
    found = {}
    for name, (user, starts) in users.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for url, problems in crawl(client, starts, limit=200).items():
            found[f"{name} {url}"] = problems
    assert not found, "\n".join(f"{page}: {problems}" for page, problems in found.items())
