"""The anonymous 人员信息 application form is throttled per client IP (HTTP 429, Retry-After)."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_application_posts_are_limited_per_client_ip(settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "apply_ip": "3/1h"}
    url = reverse("registry:apply")
    for _ in range(3):
        assert Client().post(url, {"name": "张三"}, REMOTE_ADDR="192.0.2.30").status_code == 400
    blocked = Client().post(url, {"name": "张三"}, REMOTE_ADDR="192.0.2.30")
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) > 0
    assert "提交过于频繁" in blocked.content.decode()
    assert Client().get(url, REMOTE_ADDR="192.0.2.30").status_code == 200
    assert Client().post(url, {"name": "张三"}, REMOTE_ADDR="192.0.2.31").status_code == 400


def test_captcha_refresh_is_limited_per_client_ip(settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "captcha_ip": "3/1m"}
    url = reverse("captcha-refresh")
    xhr = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest", "REMOTE_ADDR": "192.0.2.40"}
    for _ in range(3):
        assert Client().get(url, **xhr).status_code == 200
    blocked = Client().get(url, **xhr)
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) > 0
