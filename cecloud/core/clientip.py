"""The client's IP address: the one place that reads ``REMOTE_ADDR`` and ``X-Forwarded-For``.

Behind a reverse proxy (or a load balancer, a CDN) every request comes from the proxy, and the
visitor's address is in ``X-Forwarded-For``, which each proxy extends on the right. Anyone can
send that header, so it is believed only as far as it was written by proxies we trust:
``TRUSTED_PROXIES`` (IP addresses and CIDR networks). Walking from the right, trusted proxies are
skipped; the first address that is not a trusted proxy is the client. A request whose peer is not
a trusted proxy is answered by its peer address, whatever headers it carries.

Used by the login lockout (django-axes, ``AXES_CLIENT_IP_CALLABLE``), every throttle, the audit log
and payment-notification logging.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def trusted_networks() -> tuple[Network, ...]:
    """``TRUSTED_PROXIES`` parsed (a list, or one comma-separated string)."""
    value = getattr(settings, "TRUSTED_PROXIES", ()) or ()
    if isinstance(value, str):
        value = value.split(",")
    return _networks(tuple(str(v) for v in value))


def parse_ip(value: str | None) -> Address | None:
    """An address from a header entry: ``1.2.3.4``, ``1.2.3.4:5678``, ``[2001:db8::1]:443``, ``2001:db8::1``."""
    text = (value or "").strip().strip('"')
    if not text or len(text) > 64:
        return None
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # IPv4 with a port
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text.partition("%")[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_trusted_proxy(address: Address | None) -> bool:
    return address is not None and any(address in network for network in trusted_networks())


def client_ip(request) -> str | None:
    """The client's address as a string, or None without a request or a usable peer address."""
    if request is None:
        return None
    meta = getattr(request, "META", {})
    peer = parse_ip(meta.get("REMOTE_ADDR"))
    if peer is None:
        return None
    if not is_trusted_proxy(peer):
        return str(peer)
    client = peer
    header = meta.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed(header.split(",") if header else []):
        address = parse_ip(entry)
        if address is None:  # garbage the client sent: the nearest address we know stands
            break
        client = address
        if not is_trusted_proxy(address):
            break
    return str(client)
