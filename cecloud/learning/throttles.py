"""Per-learner limits on the player's JSON endpoints (web and API), on ``core.throttle``.

The player beats every CECLOUD_HEARTBEAT_SECONDS (12 s): five a minute, plus retries, seeks and
chapter changes. The default allowance (30 a minute) leaves a generous burst; a client that
floods gets 429 with ``Retry-After`` and a Chinese message, before any database work."""

from __future__ import annotations

from django.conf import settings

from cecloud.core.throttle import Rate, Throttle


class HeartbeatThrottle(Throttle):
    """Never below what the configured heartbeat needs: three times the beats a minute the player sends
    (a deployment or a test that beats every second must not be throttled by the 12-second default)."""

    @property
    def rate(self) -> Rate | None:
        rate = super().rate
        if rate is None:
            return None
        seconds = max(0.1, float(getattr(settings, "CECLOUD_HEARTBEAT_SECONDS", 12) or 12))
        needed = int(3 * rate.window / seconds) + 1
        return rate if rate.limit >= needed else Rate(needed, rate.window)


HEARTBEAT = HeartbeatThrottle("heartbeat_user", default="30/1m", message="学习记录提交过于频繁")
ATTENTION = Throttle("attention_user", default="20/1m", message="确认操作过于频繁")
