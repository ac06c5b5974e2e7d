"""Per-learner limits on the player's JSON endpoints (web and API), on ``core.throttle``.

The player beats every CECLOUD_HEARTBEAT_SECONDS (12 s): five a minute, plus retries, seeks and
chapter changes. The default allowance (30 a minute) leaves a generous burst; a client that
floods gets 429 with ``Retry-After`` and a Chinese message, before any database work."""

from __future__ import annotations

from cecloud.core.throttle import Throttle

HEARTBEAT = Throttle("heartbeat_user", default="30/1m", message="学习记录提交过于频繁")
ATTENTION = Throttle("attention_user", default="20/1m", message="确认操作过于频繁")
