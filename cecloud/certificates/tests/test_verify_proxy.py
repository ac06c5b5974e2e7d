"""证书查验 behind a reverse proxy: one bucket per real client, and a forged header buys nothing."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def lookup(client, **extra):
    return client.get(reverse("certificates:verify"), {"q": "JSGQ2023000001"}, **extra)


def test_clients_behind_a_trusted_proxy_have_their_own_limits(client, settings):
    settings.CERT_VERIFY_RATE_LIMIT = "3/600"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxy = {"REMOTE_ADDR": "10.0.0.5"}
    for _ in range(3):
        assert lookup(client, HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy).status_code == 200
    assert lookup(client, HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy).status_code == 429
    # A forged entry left of the proxy's is not the client; another visitor behind the proxy is.
    assert lookup(client, HTTP_X_FORWARDED_FOR="9.9.9.9, 198.51.100.1", **proxy).status_code == 429
    assert lookup(client, HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy).status_code == 200


def test_a_forged_header_from_an_untrusted_peer_does_not_give_a_fresh_bucket(client, settings):
    settings.CERT_VERIFY_RATE_LIMIT = "3/600"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    for i in range(3):
        assert lookup(client, REMOTE_ADDR="203.0.113.4", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code == 200
    assert lookup(client, REMOTE_ADDR="203.0.113.4", HTTP_X_FORWARDED_FOR="198.51.100.77").status_code == 429
