"""Response headers that Django's SecurityMiddleware and django-csp do not set.

* ``Permissions-Policy``: the browser features a page may use, from ``settings.PERMISSIONS_POLICY``
  (a feature with no origins is denied; camera and microphone are denied unless configured).
* ``Cache-Control: no-store`` on every response Django produces, unless the view gave it a lifetime
  (``max-age``, ``s-maxage`` or ``public``). Personal data is on most pages, anonymous ones included
  (password recovery, certificate verification, the application form), so the rule is the page's
  origin rather than a list of pages: only static files, which WhiteNoise answers before this
  middleware runs, and responses a view marked cacheable are stored by browsers and proxies. Views
  that set ``private`` or ``no-transform`` get ``no-store`` added.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property

CACHEABLE_DIRECTIVES = ("max-age", "s-maxage", "public")


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """{"camera": [], "fullscreen": ["self"]} -> 'camera=(), fullscreen=(self)'."""
    parts = []
    for feature, origins in policy.items():
        allowed = " ".join(origin if origin in ("self", "*") else f'"{origin}"' for origin in origins)
        parts.append(f"{feature}=*" if allowed == "*" else f"{feature}=({allowed})")
    return ", ".join(parts)


def is_cacheable(cache_control: str) -> bool:
    directives = [part.strip().split("=")[0].lower() for part in cache_control.split(",")]
    return "no-store" not in directives and any(d in CACHEABLE_DIRECTIVES for d in directives)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    @cached_property
    def permissions_policy(self) -> str:
        return permissions_policy_header(getattr(settings, "PERMISSIONS_POLICY", {}))

    def __call__(self, request):
        response = self.get_response(request)
        if self.permissions_policy:
            response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        if not is_cacheable(response.headers.get("Cache-Control", "")):
            patch_cache_control(response, no_store=True)
        return response
