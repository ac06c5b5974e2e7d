"""The one throttle: a sliding window in the cache, 429 with Retry-After and a Chinese message."""

import json

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from cecloud.core import throttle as throttle_module
from cecloud.core.throttle import Rate, Throttle, parse_rate, rate_limited

rf = RequestFactory()


@pytest.fixture
def clock(monkeypatch):
    now = [600.0 * 1_000_000]
    monkeypatch.setattr(throttle_module, "_now", lambda: now[0])
    return now


def test_rates_parse():
    assert parse_rate("20/600") == Rate(20, 600)
    assert parse_rate("20/10m") == Rate(20, 600)
    assert parse_rate("5/h") == Rate(5, 3600)
    assert parse_rate(" 3 / 1d ") == Rate(3, 86400)
    for off in ("off", "0", "OFF"):
        assert parse_rate(off) is None
    for bad in ("x", "5", "5/0", "-1/60", "0/60", "", None):
        with pytest.raises(ValueError):
            parse_rate(bad)


def test_hits_are_counted_and_refused_past_the_limit(clock, settings):
    settings.THROTTLE_RATES = {"t": "3/60"}
    t = Throttle("t", default="100/60")
    assert [t.hit("k").remaining for _ in range(3)] == [2, 1, 0]
    refused = t.hit("k")
    assert not refused.allowed and 0 < refused.retry_after <= 120
    assert t.hit("other").allowed  # keys are independent
    assert not t.peek("k").allowed


def test_a_refused_hit_is_not_counted_and_a_refund_gives_one_back(clock, settings):
    settings.THROTTLE_RATES = {"t": "2/60"}
    t = Throttle("t", default="2/60")
    t.hit("k"), t.hit("k")
    for _ in range(10):
        assert not t.hit("k").allowed
    t.refund("k")
    assert t.hit("k").allowed and not t.hit("k").allowed


def test_the_window_slides_rather_than_resetting_at_a_boundary(clock, settings):
    settings.THROTTLE_RATES = {"t": "10/60"}
    t = Throttle("t", default="10/60")
    clock[0] += 50  # late in a bucket
    for _ in range(10):
        assert t.hit("k").allowed
    clock[0] += 15  # a new bucket has begun, but the ten hits were 15 s ago
    assert not t.hit("k").allowed
    clock[0] += 30  # 45 s after: a quarter of the old hits has slid out
    assert t.peek("k").allowed
    verdict = t.hit("k")
    assert verdict.allowed


def test_retry_after_is_when_one_more_hit_fits(clock, settings):
    settings.THROTTLE_RATES = {"t": "4/100"}
    t = Throttle("t", default="4/100")
    for _ in range(4):
        t.hit("k")
    wait = t.hit("k").retry_after
    clock[0] += wait - 1
    assert not t.peek("k").allowed
    clock[0] += 1
    assert t.peek("k").allowed


def test_an_empty_rate_means_the_default(clock, settings):
    settings.THROTTLE_RATES = {"t": ""}
    settings.EMPTY_RATE = ""
    for t in (Throttle("t", default="1/60"), Throttle("t", default="1/60", setting="EMPTY_RATE")):
        assert t.rate == Rate(1, 60)


def test_off_disables_and_a_named_setting_wins(clock, settings):
    settings.THROTTLE_RATES = {"t": "off"}
    t = Throttle("t", default="1/60")
    assert all(t.hit("k").allowed for _ in range(50))
    settings.MY_RATE = "1/60"
    named = Throttle("n", default="100/60", setting="MY_RATE")
    assert named.hit("k").allowed and not named.hit("k").allowed


def view(request):
    return HttpResponse("ok")


def test_the_decorator_answers_429_with_retry_after_a_page_json_or_htmx(clock, settings):
    settings.THROTTLE_RATES = {"d": "1/60"}
    limited = rate_limited(Throttle("d", default="1/60", message="提交过于频繁"))(view)
    assert limited(rf.post("/x", REMOTE_ADDR="192.0.2.1")).status_code == 200
    assert limited(rf.get("/x", REMOTE_ADDR="192.0.2.1")).status_code == 200  # GET is not counted
    page = limited(rf.post("/x", REMOTE_ADDR="192.0.2.1"))
    assert page.status_code == 429 and int(page["Retry-After"]) > 0
    text = page.content.decode()
    assert "提交过于频繁，请于" in text and "后再试" in text and "<html" in text
    as_json = limited(rf.post("/x", data="{}", content_type="application/json", REMOTE_ADDR="192.0.2.1"))
    body = json.loads(as_json.content)
    assert as_json.status_code == 429 and body["reason"] == "throttled" and "提交过于频繁" in body["detail"]
    assert int(as_json["Retry-After"]) == body["retry_after"]
    htmx = rf.post("/x", REMOTE_ADDR="192.0.2.1")
    htmx.htmx = True
    fragment = limited(htmx)
    assert fragment.status_code == 429 and "<html" not in fragment.content.decode()
    assert limited(rf.post("/x", REMOTE_ADDR="192.0.2.2")).status_code == 200


def test_concurrent_hits_never_exceed_the_limit(settings):
    from concurrent.futures import ThreadPoolExecutor

    settings.THROTTLE_RATES = {"c": "25/600"}
    t = Throttle("c", default="25/600")
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: t.hit("k").allowed, range(100)))
    assert sum(results) == 25


def test_a_mistyped_rate_in_the_environment_stops_the_start():
    import subprocess
    import sys

    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings", "THROTTLE_LOGIN_IP": "20 per minute"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0 and "THROTTLE_LOGIN_IP" in result.stderr
