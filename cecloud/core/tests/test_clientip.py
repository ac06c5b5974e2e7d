"""One client-IP helper: X-Forwarded-For is believed only as far as trusted proxies wrote it."""

import re
from pathlib import Path

import pytest
from django.test import RequestFactory

from cecloud.core.clientip import client_ip, parse_ip

rf = RequestFactory()
READS_PEER = re.compile(r"REMOTE_ADDR|HTTP_X_FORWARDED_FOR|HTTP_X_REAL_IP|(?i:[\"']x-(forwarded-for|real-ip)[\"'])")


def request(remote="203.0.113.5", xff=None):
    extra = {"REMOTE_ADDR": remote}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return rf.get("/", **extra)


def test_without_trusted_proxies_the_peer_is_the_client(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request("203.0.113.5")) == "203.0.113.5"
    assert client_ip(request("203.0.113.5", xff="1.2.3.4")) == "203.0.113.5"  # spoofed header ignored


def test_a_spoofed_header_from_an_untrusted_peer_is_ignored(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request("198.51.100.7", xff="10.0.0.1, 1.2.3.4")) == "198.51.100.7"


@pytest.mark.parametrize(
    ("remote", "xff", "expected"),
    [
        ("10.0.0.2", "198.51.100.7", "198.51.100.7"),  # one trusted proxy
        ("10.0.0.2", "1.2.3.4, 198.51.100.7", "198.51.100.7"),  # the client's forged entry is left of it
        ("10.0.0.2", "1.2.3.4, 198.51.100.7, 10.0.0.9", "198.51.100.7"),  # two trusted proxies
        ("10.0.0.2", "198.51.100.7,10.0.0.9,  10.0.0.8", "198.51.100.7"),
        ("10.0.0.2", "10.0.0.7, 10.0.0.9", "10.0.0.7"),  # all trusted: the leftmost
        ("10.0.0.2", "", "10.0.0.2"),  # no header: the proxy itself
        ("10.0.0.2", "garbage, 198.51.100.7", "198.51.100.7"),
        ("10.0.0.2", "198.51.100.7, garbage", "10.0.0.2"),  # nothing usable written by our proxy
        ("10.0.0.2", "198.51.100.7:52311", "198.51.100.7"),
        ("10.0.0.2", "[2001:db8::5]:443", "2001:db8::5"),
        ("10.0.0.2", "2001:db8::5", "2001:db8::5"),
        ("::ffff:10.0.0.2", "198.51.100.7", "198.51.100.7"),
        ("192.168.1.1", "198.51.100.7", "192.168.1.1"),  # not in the list
        ("172.16.0.5", "198.51.100.7", "198.51.100.7"),  # a single address in the list
    ],
)
def test_x_forwarded_for_is_walked_from_the_right(settings, remote, xff, expected):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "172.16.0.5"]
    assert client_ip(request(remote, xff)) == expected


def test_a_comma_separated_string_is_accepted(settings):
    settings.TRUSTED_PROXIES = "10.0.0.0/8, 2001:db8:ffff::/48"
    assert client_ip(request("2001:db8:ffff::1", xff="198.51.100.7")) == "198.51.100.7"


def test_no_request_or_no_peer():
    assert client_ip(None) is None
    assert client_ip(request("")) is None
    assert parse_ip("not-an-ip") is None and parse_ip("x" * 100) is None


def test_axes_uses_the_helper(settings):
    from axes.helpers import get_client_ip_address

    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert get_client_ip_address(request("10.0.0.2", xff="198.51.100.7")) == "198.51.100.7"


def test_nothing_else_reads_the_peer_address_or_forwarding_headers():
    root = Path(__file__).resolve().parents[3]
    offenders = []
    for path in [*root.joinpath("cecloud").rglob("*.py"), *root.joinpath("config").rglob("*.py")]:
        if "tests" in path.parts or "migrations" in path.parts or path.name == "clientip.py":
            continue
        if READS_PEER.search(path.read_text(encoding="utf-8")):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []
