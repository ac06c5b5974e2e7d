"""找回密码 is throttled: wrong names for one ID number, and form posts per client IP (HTTP 429)."""

import pytest
from django.test import Client
from django.urls import reverse

from cecloud.registry.factories import PersonFactory

pytestmark = pytest.mark.django_db

URL = reverse("accounts:recover")


def identify(client, name, id_number, **extra):
    data = {"name": name, "username": id_number, "captcha_0": "x", "captcha_1": "PASSED"}
    return client.post(URL, data, **extra)


def test_wrong_names_for_one_id_are_limited_from_any_address(settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "recover_id": "5/1h", "recover_ip": "100/10m"}
    person = PersonFactory()
    for i in range(5):
        response = identify(Client(), f"猜测{i}", person.id_number, REMOTE_ADDR=f"198.51.100.{i + 1}")
        assert response.status_code == 400
    # The ID spelled otherwise is the same ID; even the right name is refused now.
    spaced = f"{person.id_number[:6]} {person.id_number[6:]}".lower()
    blocked = identify(Client(), person.name, spaced, REMOTE_ADDR="198.51.100.99")
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) > 0
    html = blocked.content.decode()
    assert "核认身份失败次数过多" in html and "后再试" in html
    # Another ID number is not affected; the right name never counts as a failure.
    other = PersonFactory()
    for _ in range(7):
        assert identify(Client(), other.name, other.id_number, REMOTE_ADDR="198.51.100.99").status_code == 302


def test_unknown_ids_are_limited_the_same_way(settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "recover_id": "3/1h", "recover_ip": "100/10m"}
    for _ in range(3):
        assert identify(Client(), "张三", "11010519491231002X").status_code == 400
    assert identify(Client(), "张三", "11010519491231002X").status_code == 429


def test_recovery_posts_are_limited_per_client_ip(settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "recover_ip": "3/10m", "recover_id": "100/1h"}
    for _ in range(3):
        assert identify(Client(), "张三", "11010519491231002X", REMOTE_ADDR="192.0.2.7").status_code == 400
    blocked = identify(Client(), "张三", "11010519491231002X", REMOTE_ADDR="192.0.2.7")
    assert blocked.status_code == 429 and "找回密码操作过于频繁" in blocked.content.decode()
    assert int(blocked["Retry-After"]) > 0
    # The later steps share the allowance; the page itself (GET) is not counted.
    assert (
        Client().post(reverse("accounts:recover_verify"), {"code": "123456"}, REMOTE_ADDR="192.0.2.7").status_code
        == 429
    )
    assert Client().get(URL, REMOTE_ADDR="192.0.2.7").status_code == 200
    assert identify(Client(), "张三", "11010519491231002X", REMOTE_ADDR="192.0.2.8").status_code == 400
