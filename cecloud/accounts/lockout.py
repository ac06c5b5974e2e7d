"""Login limits: the account lockout (django-axes) and the throttles per client IP and per IP + account.

* The lockout key is the normalised login name (``core.login_name.normalize_login``), the same
  name the backend authenticates: every spelling of an ID number is one account
  (``AXES_USERNAME_CALLABLE``). The account is locked after ``AXES_FAILURE_LIMIT`` failures from
  anywhere, for ``AXES_COOLOFF_TIME``; retrying while locked does not move the unlock time.
* ``login_ip`` counts failed password checks per client IP (``core.clientip``): generous, a
  unit's workers share an office NAT address. ``login_ip_account`` counts them per IP and login
  name: tight. A login that succeeds is taken back from both, so only failures count.
* After a failure the form says how many attempts are left (``还可尝试 N 次``); a lockout or a
  throttle answers 429 with the time (Asia/Shanghai) when to try again and ``Retry-After``.

Any login page (the learner box, the staff login) calls :func:`login_throttle` before
``authenticate`` with the normalised name, :func:`login_succeeded` after a success and
:func:`failure_message` after a failure.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cecloud.core.clientip import client_ip
from cecloud.core.login_name import normalize_login
from cecloud.core.throttle import Throttle, Verdict, local_time_text, retry_message

LOGIN_IP = Throttle("login_ip", default="200/15m", message="该网络地址登录尝试过于频繁")
LOGIN_IP_ACCOUNT = Throttle("login_ip_account", default="10/1h", message="该帐号登录失败次数过多")
CAPTCHA_REFRESH = Throttle("captcha_ip", default="60/1m", message="验证码刷新过于频繁")


def axes_username(request, credentials: dict | None) -> str | None:
    """``AXES_USERNAME_CALLABLE``: the normalised login name from the credentials or the POST."""
    field = settings.AXES_USERNAME_FORM_FIELD
    raw = None
    if credentials:
        raw = credentials.get(field, credentials.get("username"))
    if raw is None and request is not None:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        raw = data.get(field)
    return normalize_login(raw) or None


def _ip_key(request) -> str:
    return client_ip(request) or "unknown"


def _ip_account_key(request, login: str) -> str:
    return f"{_ip_key(request)}|{login}"


# --- Throttles ----------------------------------------------------------------------------------------


def login_throttle(request, login: str, *, template: str = "accounts/locked.html") -> HttpResponse | None:
    """Count one password check for this client and login name; the 429 page if either is over."""
    login = normalize_login(login)
    per_account = LOGIN_IP_ACCOUNT.hit(_ip_account_key(request, login))
    if not per_account.allowed:
        return _throttled(request, per_account, LOGIN_IP_ACCOUNT.message, "登录失败次数过多", template)
    per_ip = LOGIN_IP.hit(_ip_key(request))
    if not per_ip.allowed:
        LOGIN_IP_ACCOUNT.refund(_ip_account_key(request, login))
        return _throttled(request, per_ip, LOGIN_IP.message, "登录尝试过于频繁", template)
    request.cecloud_login_verdict = per_account
    return None


def login_succeeded(request, login: str) -> None:
    """A login that succeeded is no failure: give back what :func:`login_throttle` counted."""
    login = normalize_login(login)
    LOGIN_IP_ACCOUNT.refund(_ip_account_key(request, login))
    LOGIN_IP.refund(_ip_key(request))


def failure_message(request, login: str, message: str) -> str:
    """The form's error after a failed password check, with the attempts left."""
    left = [get_failure_limit(request, {"username": login}) - (getattr(request, "axes_failures_since_start", 0) or 0)]
    verdict = getattr(request, "cecloud_login_verdict", None)
    if verdict is not None:
        left.append(verdict.remaining)
    remaining = min(left)
    if remaining > 0:
        return f"{message}，还可尝试 {remaining} 次"
    blocked = LOGIN_IP_ACCOUNT.peek(_ip_account_key(request, normalize_login(login)))
    return retry_message(f"{message}，{LOGIN_IP_ACCOUNT.message}", blocked)


def _throttled(request, verdict: Verdict, message: str, title: str, template: str) -> HttpResponse:
    response = render(request, template, {"title": title, "message": retry_message(message, verdict)}, status=429)
    response["Retry-After"] = str(max(1, verdict.retry_after))
    return response


# --- Account lockout (django-axes) ----------------------------------------------------------------------


def unlock_at(request, login: str) -> datetime | None:
    """When the account ``login`` is unlocked if nobody tries meanwhile (None: not locked)."""
    cooloff = get_cool_off(request)
    if cooloff is None:
        return None
    limit = get_failure_limit(request, {"username": login})
    rows = (
        AccessAttempt.objects.filter(username=login, attempt_time__gte=timezone.now() - cooloff)
        .order_by("-attempt_time")
        .values_list("attempt_time", "failures_since_start")
    )
    total = 0
    for attempt_time, failures in rows:
        total += failures
        if total >= limit:
            return attempt_time + cooloff
    return None


def lockout_response(request, credentials: dict | None, *, template: str = "accounts/locked.html") -> HttpResponse:
    """The 429 page of a locked account: 帐号已锁定，请于 HH:MM 后再试."""
    login = axes_username(request, credentials or getattr(request, "axes_credentials", None)) or ""
    until = unlock_at(request, login) if login else None
    if until is None:  # locked, but the attempts were cleaned meanwhile: a full cool-off
        until = timezone.now() + (get_cool_off(request) or timedelta(minutes=15))
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    shown = Verdict(False, 0, seconds).until
    message = f"为保护帐号安全，帐号已锁定，请于 {local_time_text(shown)} 后再试"
    response = render(request, template, {"title": "登录失败次数过多", "message": message}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def lockout_reset(request, login: str) -> None:
    """Lift the lockout of ``login`` (password recovered) and this client's IP + account throttle."""
    login = normalize_login(login)
    axes_reset(username=login)
    if request is not None:
        LOGIN_IP_ACCOUNT.reset(_ip_account_key(request, login))
