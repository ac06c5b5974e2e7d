"""The public verification page's limit: lookups per client IP (``core.throttle``, sliding window in
the shared cache), so that nobody can walk through certificate numbers or guess codes. Past the
limit the page answers 429 until a lookup fits again."""

from __future__ import annotations

from cecloud.core.throttle import Throttle, ip_key

VERIFY = Throttle("cert_verify", default="20/600", setting="CERT_VERIFY_RATE_LIMIT", message="查询过于频繁")


def verify_limit() -> tuple[int, int]:
    """(lookups, window seconds): CERT_VERIFY_RATE_LIMIT as "20/600"; (0, 0) when turned off."""
    rate = VERIFY.rate
    return (rate.limit, rate.window) if rate else (0, 0)


def hit(request) -> tuple[bool, int]:
    """Count one lookup from this client; returns (allowed, seconds until one more lookup fits)."""
    verdict = VERIFY.hit(ip_key(request))
    return verdict.allowed, verdict.retry_after
