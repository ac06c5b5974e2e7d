"""What the idle-timeout warning (static/js/idle.js, loaded by base.html) needs to know."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from .security_middleware import idle_timeout_seconds


def session_timeout(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "IDLE": {
            "timeout": idle_timeout_seconds(user),
            "warning": max(1, int(settings.CECLOUD_IDLE_WARNING_MINUTES)) * 60,
            "status_url": reverse("accounts:session_status"),
            "keepalive_url": reverse("accounts:keepalive"),
        }
    }
