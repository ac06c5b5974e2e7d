"""What a heartbeat is judged by: the settings, the reasons a beat is refused, and the study gate.

The study gate (``assert_can_study``: the window is open and the course is confirmed in the class)
is cached for ``gate_cache_seconds`` with the window's last day, which is re-checked on every beat.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from cecloud.core.errors import ServiceError
from cecloud.training.models import Enrollment
from cecloud.training.selectors import schedule_for

from ..selectors import assert_can_study

_rng = random.SystemRandom()


class Reason:
    OK = "ok"
    SUPERSEDED = "superseded"
    TOO_FAST = "too_fast"
    AHEAD = "ahead"
    ATTENTION = "attention"
    CLOSED = "closed"
    INVALID = "invalid"


REASON_COUNTERS = {
    Reason.SUPERSEDED: "rejected_superseded",
    Reason.TOO_FAST: "rejected_too_fast",
    Reason.AHEAD: "rejected_ahead",
    Reason.ATTENTION: "rejected_attention",
    Reason.CLOSED: "rejected_closed",
    Reason.INVALID: "rejected_invalid",
}

REASON_MESSAGES = {
    Reason.SUPERSEDED: "已在其他页面播放",
    Reason.TOO_FAST: "播放进度快于实际时间，本段不计入学习进度",
    Reason.AHEAD: "首次观看不能快进，本段不计入学习进度",
    Reason.ATTENTION: "请先点击“继续学习”确认学习状态",
    Reason.INVALID: "无效的学习记录",
}

# The HTTP status of a refused beat for the player and the API (any other refusal is a 200 with the reason).
HTTP_STATUS = {
    Reason.SUPERSEDED: 409,
    Reason.CLOSED: 403,
    Reason.INVALID: 400,
}


# --- Configuration ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlaybackConfig:
    heartbeat_seconds: float
    tolerance: float
    attention_min: float
    attention_max: float
    gate_cache_seconds: int

    @property
    def attention_enabled(self) -> bool:
        return self.attention_max > 0

    def next_check_in(self) -> float:
        """Seconds of playback until the next attention check (a random moment in the range)."""
        if not self.attention_enabled:
            return math.inf
        return _rng.uniform(self.attention_min, self.attention_max)


def parse_range(text: str) -> tuple[float, float]:
    """ "600-1200" → (600, 1200); "30" → (30, 30); "off" / "0" / "" → (0, 0) (disabled)."""
    text = (text or "").strip().lower()
    if text in {"", "0", "off", "none"}:
        return 0.0, 0.0
    low, _, high = text.partition("-")
    a, b = float(low), float(high or low)
    if a <= 0 or b < a:
        raise ValueError(f"invalid attention-check range {text!r}")
    return a, b


def config() -> PlaybackConfig:
    low, high = parse_range(str(getattr(settings, "CECLOUD_ATTENTION_CHECK_SECONDS", "600-1200")))
    return PlaybackConfig(
        heartbeat_seconds=float(getattr(settings, "CECLOUD_HEARTBEAT_SECONDS", 12)),
        tolerance=float(getattr(settings, "CECLOUD_HEARTBEAT_TOLERANCE", 1.1)),
        attention_min=low,
        attention_max=high,
        gate_cache_seconds=int(getattr(settings, "CECLOUD_STUDY_GATE_CACHE_SECONDS", 60)),
    )


# --- Study gate (cached) ---------------------------------------------------------------------------


def _gate_key(enrollment_id: int, course_id: int) -> str:
    return f"learning:gate:{enrollment_id}:{course_id}"


def study_gate(*, enrollment_id: int, course_id: int, cfg: PlaybackConfig | None = None) -> str | None:
    """None when the learner may study the course in the class today, else the Chinese reason.

    The result of ``assert_can_study`` is cached for ``gate_cache_seconds`` together with the
    window's last day, which is compared with today on every call.
    """
    cfg = cfg or config()
    today = timezone.localdate()
    key = _gate_key(enrollment_id, course_id)
    cached = cache.get(key)
    if cached is None:
        enrollment = Enrollment.objects.select_related("training_year", "region").get(pk=enrollment_id)
        try:
            assert_can_study(enrollment=enrollment, course=course_id, today=today)
        except ServiceError as exc:
            cached = ("closed", exc.message)
        else:
            schedule = schedule_for(region=enrollment.region, training_year=enrollment.training_year)
            cached = ("open", schedule.study_end.isoformat())
        cache.set(key, cached, cfg.gate_cache_seconds)
    state, value = cached
    if state == "closed":
        return value
    if today > dt.date.fromisoformat(value):
        return "当前不在学习考试时间内"
    return None


def study_gate_forget(*, enrollment_id: int, course_id: int) -> None:
    cache.delete(_gate_key(enrollment_id, course_id))
