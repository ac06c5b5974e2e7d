"""A fixed-window counter per client IP in the shared cache (Redis in production).

The public verification page counts every lookup; past the limit it answers 429 until the window
ends, so nobody can walk through certificate numbers or guess codes.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

from cecloud.core.audit import client_ip


def verify_limit() -> tuple[int, int]:
    """(lookups, window seconds): CERT_VERIFY_RATE_LIMIT as "20/600"."""
    text = str(getattr(settings, "CERT_VERIFY_RATE_LIMIT", "") or "20/600")
    count, _, window = text.partition("/")
    return int(count), int(window or 600)


def hit(request, *, scope: str = "certverify") -> tuple[bool, int]:
    """Count one lookup from this client; returns (allowed, seconds until the window resets)."""
    limit, window = verify_limit()
    now = int(time.time())
    bucket = now // window
    ip = client_ip(request) or "unknown"
    key = f"ratelimit:{scope}:{ip}:{bucket}"
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 5)
        count = 1
    return count <= limit, (bucket + 1) * window - now
