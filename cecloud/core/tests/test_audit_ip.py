"""The audit log records the real client behind a trusted proxy, and never a forged header."""

import pytest
from django.test import RequestFactory

from cecloud.core.audit import audit_log

pytestmark = pytest.mark.django_db


def test_the_audit_log_records_the_client_behind_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxied = RequestFactory().get("/", REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.23")
    assert audit_log(event_type="test.proxied", request=proxied).ip_address == "198.51.100.23"
    direct = RequestFactory().get("/", REMOTE_ADDR="198.51.100.99", HTTP_X_FORWARDED_FOR="1.1.1.1")
    assert audit_log(event_type="test.direct", request=direct).ip_address == "198.51.100.99"
