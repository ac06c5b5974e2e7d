"""Session rules enforced on every request (等保 2.0 level 3):

* ``IdleTimeoutMiddleware``: a session with no request for ``CECLOUD_IDLE_TIMEOUT_STAFF_MINUTES``
  (30, staff) or ``CECLOUD_IDLE_TIMEOUT_LEARNER_MINUTES`` (120, learners) is logged out and sent to
  its login page with a message. Every request counts as activity (the video player's heartbeats
  too), except the warning script's own status question. Pages warn before (``static/js/idle.js``).
* ``StaffSecurityMiddleware``: a staff session that has not passed the second factor reaches only
  the two-factor pages; then a staff password past its age must be changed before anything else.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from . import otp
from .password_policy import is_staff_account, password_expired

SESSION_LAST_ACTIVITY = "last_activity"
OPEN_PREFIXES = ("/static/", "/media/", "/captcha/", "/api/v1/pay/", "/pay/notify/")
EXPIRED_MESSAGE = "您已长时间未操作，为保障帐号安全已自动退出，请重新登录"


def idle_timeout_seconds(user) -> int:
    minutes = (
        settings.CECLOUD_IDLE_TIMEOUT_STAFF_MINUTES
        if is_staff_account(user)
        else settings.CECLOUD_IDLE_TIMEOUT_LEARNER_MINUTES
    )
    return max(60, int(minutes) * 60)


def touch(session, now: float | None = None) -> None:
    session[SESSION_LAST_ACTIVITY] = int(now if now is not None else time.time())


def seconds_left(request, now: float | None = None) -> int:
    """Seconds until this session is logged out for inactivity."""
    now = now if now is not None else time.time()
    last = request.session.get(SESSION_LAST_ACTIVITY, now)
    return max(0, int(last + idle_timeout_seconds(request.user) - now))


def _wants_json(request) -> bool:
    accept = request.headers.get("Accept", "")
    return request.path.startswith("/api/") or "application/json" in accept or request.headers.get("HX-Request")


def _login_url(staff: bool, path: str, method: str) -> str:
    if staff:
        query = {"timeout": "1"}
        if method == "GET":
            query["next"] = path
        return f"{reverse('accounts:staff_login')}?{urlencode(query)}"
    return f"{reverse('home')}?timeout=1#login"


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(OPEN_PREFIXES):
            return self.get_response(request)
        now = time.time()
        last = request.session.get(SESSION_LAST_ACTIVITY)
        timeout = idle_timeout_seconds(user)
        if last is not None and now - last > timeout:
            staff = is_staff_account(user)
            logout(request)
            login_url = _login_url(staff, request.get_full_path(), request.method)
            if _wants_json(request):
                response = JsonResponse({"detail": EXPIRED_MESSAGE, "code": "session_expired"}, status=401)
                response["HX-Redirect"] = login_url
                return response
            return redirect(login_url)
        passive = request.path == reverse("accounts:session_status")
        # Written at most once a minute (a session save per request would cost a write per heartbeat).
        if not passive and (last is None or now - last >= min(60, timeout // 30)):
            touch(request.session, now)
        return self.get_response(request)


def _two_factor_paths() -> set[str]:
    names = [
        "staff_login",
        "staff_2fa",
        "staff_2fa_enrol",
        "staff_2fa_codes",
        "staff_2fa_codes_download",
        "logout",
        "keepalive",
        "session_status",
    ]
    return {reverse(f"accounts:{name}") for name in names}


class StaffSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and is_staff_account(user)
            and not request.path.startswith(OPEN_PREFIXES)
        ):
            blocked = self._gate(request, user)
            if blocked is not None:
                return blocked
        return self.get_response(request)

    def _gate(self, request, user):
        open_paths = _two_factor_paths()
        if request.path in open_paths:
            return None
        if otp.required_for(user) and not otp.is_verified(request):
            if _wants_json(request):
                return JsonResponse({"detail": "请先完成二次验证", "code": "two_factor_required"}, status=403)
            target = "accounts:staff_2fa" if otp.confirmed_totp(user) else "accounts:staff_2fa_enrol"
            query = f"?{urlencode({'next': request.get_full_path()})}" if request.method == "GET" else ""
            return redirect(reverse(target) + query)
        if password_expired(user) and request.path != reverse("accounts:password_change"):
            if _wants_json(request):
                return JsonResponse({"detail": "密码已过期，请先修改密码", "code": "password_expired"}, status=403)
            return redirect(f"{reverse('accounts:password_change')}?expired=1")
        return None


def start_idle_clock(sender, request, user, **kwargs):
    """``user_logged_in``: a new session starts active (connected in ``AccountsConfig.ready``)."""
    if request is not None and hasattr(request, "session"):
        touch(request.session)
