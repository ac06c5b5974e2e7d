"""Throttles: sliding-window counters in the shared cache (Redis in production), and the 429 answer.

A throttle has a name and a rate, ``"<count>/<window>"`` with the window in seconds or with a unit
(``"20/600"``, ``"20/10m"``, ``"300/1h"``); ``"off"`` disables it. Rates come from
``settings.THROTTLE_RATES[name]`` (environment ``THROTTLE_<NAME>``, see config/settings.py), a
named setting, or the throttle's default.

The window slides: the count is the current fixed bucket plus the previous bucket weighted by
how much of it still lies inside the window (the sliding-window-counter approximation). A hit
increments the current bucket atomically (``cache.incr``: Redis INCR), so concurrent requests
each see their own count; a refused hit is taken back, so hammering a closed door does not keep
it closed. A caller that counts only failures hits first and ``refund``s on success.

Views use :func:`rate_limited` (a decorator) or :func:`check` (a call that returns the 429 or
None, for django-ninja routes). Every 429 carries ``Retry-After`` and a Chinese message: JSON
(``{"detail", "message", "reason": "throttled", "retry_after"}``) for JSON and API requests, a page
otherwise, and a bare message for htmx.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from .clientip import client_ip

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d+)?\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def _now() -> float:  # the clock of the platform (tests that move django.utils.timezone.now move it too)
    return timezone.now().timestamp()


@dataclass(frozen=True)
class Rate:
    limit: int
    window: int  # seconds


def parse_rate(text: str | None) -> Rate | None:
    """``"20/600"``, ``"20/10m"``, ``"5/h"`` → Rate; ``"off"`` or ``"0"`` → None (no limit)."""
    value = (text or "").strip().lower()
    if value in {"off", "0", "none"}:
        return None
    match = _RATE.match(value)
    if not match:
        raise ValueError(f"invalid throttle rate {text!r}: expected '<count>/<seconds>' such as '20/600'")
    count, amount, unit = int(match[1]), int(match[2] or 1), match[3]
    if count < 1 or amount < 1:
        raise ValueError(f"invalid throttle rate {text!r}")
    return Rate(count, amount * _UNITS[unit])


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    remaining: int  # hits left in the window (after this one)
    retry_after: int = 0  # seconds until one more hit is allowed (0 when allowed)
    limit: int = 0

    @property
    def until(self) -> datetime:
        """When the next hit is allowed, rounded up to the minute (what the message shows)."""
        moment = timezone.now() + timedelta(seconds=self.retry_after)
        if moment.second or moment.microsecond:
            moment = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
        return moment


OPEN = Verdict(True, remaining=10**9)


def local_time_text(moment: datetime) -> str:
    """``HH:MM`` in the platform's time zone (Asia/Shanghai), with the date when it is not today."""
    local = timezone.localtime(moment)
    if local.date() != timezone.localdate():
        return f"{local.month}月{local.day}日 {local:%H:%M}"
    return f"{local:%H:%M}"


class Throttle:
    def __init__(self, name: str, *, default: str, message: str = "操作过于频繁", setting: str | None = None):
        self.name = name
        self.default = default
        self.message = message
        self.setting = setting

    def __repr__(self) -> str:
        return f"Throttle({self.name!r})"

    @property
    def rate(self) -> Rate | None:
        text = getattr(settings, self.setting, None) if self.setting else None
        if not text:  # unset or empty: the next source ("off" is how to disable)
            text = (getattr(settings, "THROTTLE_RATES", None) or {}).get(self.name)
        return parse_rate(text or self.default)

    def _key(self, key: str, bucket: int) -> str:
        digest = hashlib.sha256(str(key).encode()).hexdigest()[:32]
        return f"throttle:{self.name}:{digest}:{bucket}"

    def _position(self, rate: Rate) -> tuple[int, float]:
        bucket, elapsed = divmod(_now(), rate.window)
        return int(bucket), elapsed

    @staticmethod
    def _estimate(rate: Rate, previous: int, current: int, elapsed: float) -> float:
        return previous * (rate.window - elapsed) / rate.window + current

    @staticmethod
    def _retry_after(rate: Rate, previous: int, current: int, elapsed: float) -> int:
        """Seconds until one more hit fits, if nobody hits meanwhile."""
        room = rate.limit - 1  # the count that must be reached for one more hit to fit
        w = rate.window
        if current <= room and previous > 0:
            at = w * (1 - (room - current) / previous)  # in this bucket
            if at < w:
                return max(1, math.ceil(at - elapsed))
        wait_next = w * (1 - room / current) if current > room else 0.0  # in the next bucket
        return max(1, math.ceil(w - elapsed + wait_next))

    def _counts(self, rate: Rate, key: str) -> tuple[int, float, int, int]:
        bucket, elapsed = self._position(rate)
        values = cache.get_many([self._key(key, bucket - 1), self._key(key, bucket)])
        previous = int(values.get(self._key(key, bucket - 1)) or 0)
        current = int(values.get(self._key(key, bucket)) or 0)
        return bucket, elapsed, previous, current

    def peek(self, key: str) -> Verdict:
        """Whether one more hit would be allowed, without counting it."""
        rate = self.rate
        if rate is None:
            return OPEN
        _, elapsed, previous, current = self._counts(rate, key)
        estimate = self._estimate(rate, previous, current, elapsed)
        if estimate + 1 > rate.limit:
            return Verdict(False, 0, self._retry_after(rate, previous, current, elapsed), rate.limit)
        return Verdict(True, math.floor(rate.limit - estimate), 0, rate.limit)

    def hit(self, key: str) -> Verdict:
        """Count one hit for ``key``; refused (and not counted) past the limit."""
        rate = self.rate
        if rate is None:
            return OPEN
        bucket, elapsed = self._position(rate)
        current_key = self._key(key, bucket)
        timeout = 2 * rate.window + 5
        cache.add(current_key, 0, timeout=timeout)
        try:
            current = cache.incr(current_key)
        except ValueError:  # expired between add and incr
            cache.set(current_key, 1, timeout=timeout)
            current = 1
        previous = int(cache.get(self._key(key, bucket - 1)) or 0)
        estimate = self._estimate(rate, previous, current, elapsed)
        if estimate > rate.limit:
            self._decr(current_key)
            return Verdict(False, 0, self._retry_after(rate, previous, current - 1, elapsed), rate.limit)
        return Verdict(True, math.floor(rate.limit - estimate), 0, rate.limit)

    def refund(self, key: str) -> None:
        """Take back one hit of ``key`` (a login that succeeded counts as no failure)."""
        rate = self.rate
        if rate is not None:
            bucket, _ = self._position(rate)
            self._decr(self._key(key, bucket))

    def reset(self, key: str) -> None:
        rate = self.rate
        if rate is not None:
            bucket, _ = self._position(rate)
            cache.delete_many([self._key(key, bucket - 1), self._key(key, bucket)])

    @staticmethod
    def _decr(cache_key: str) -> None:
        try:
            if int(cache.get(cache_key) or 0) > 0:
                cache.decr(cache_key)
        except ValueError:
            pass


# --- Keys -----------------------------------------------------------------------------------------


def ip_key(request) -> str:
    return f"ip:{client_ip(request) or 'unknown'}"


def user_key(request) -> str:
    """The signed-in user (a learner's heartbeats), else the client IP."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return ip_key(request)


KEYS: dict[str, Callable] = {"ip": ip_key, "user": user_key}


# --- The 429 answer -----------------------------------------------------------------------------------


def wants_json(request) -> bool:
    return (
        request.path.startswith("/api/")
        or (request.content_type or "").startswith("application/json")
        or "application/json" in request.headers.get("Accept", "")
    )


def retry_message(message: str, verdict: Verdict) -> str:
    return f"{message}，请于 {local_time_text(verdict.until)} 后再试"


def too_many_requests(request, verdict: Verdict, message: str, *, title: str = "操作过于频繁") -> HttpResponse:
    """HTTP 429 with ``Retry-After`` and the message completed with the time to retry."""
    text = retry_message(message, verdict)
    retry_after = max(1, verdict.retry_after)
    if wants_json(request):
        body = {"detail": text, "message": text, "reason": "throttled", "retry_after": retry_after}
        response = JsonResponse(body, status=429)
    elif getattr(request, "htmx", False):
        response = render(request, "core/_throttled_message.html", {"message": text}, status=429)
    else:
        response = render(request, "core/throttled.html", {"message": text, "title": title}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def check(request, throttle: Throttle, *, key: str | Callable = "ip", message: str | None = None):
    """Count this request against ``throttle``; the 429 response when refused, else None."""
    key_func = KEYS[key] if isinstance(key, str) else key
    verdict = throttle.hit(key_func(request))
    if verdict.allowed:
        return None
    return too_many_requests(request, verdict, message or throttle.message)


def rate_limited(throttle: Throttle, *, key: str | Callable = "ip", methods=("POST",), message: str | None = None):
    """Decorator: count requests of ``methods`` against ``throttle``; 429 past the limit."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods:
                refused = check(request, throttle, key=key, message=message)
                if refused is not None:
                    return refused
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
