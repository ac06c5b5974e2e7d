"""证书查验: anyone checks a certificate by number, code or QR code; lookups are rate-limited."""

import pytest
from django.urls import reverse

from cecloud.certificates.services import certificate_issue, certificate_revoke
from cecloud.registry.factories import PersonFactory, UnitFactory
from cecloud.registry.models import Grade

from .helpers import qualified_enrollment, tampered

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate():
    unit = UnitFactory(name="连云港市第一人民医院")
    person = PersonFactory(name="黄诗雨", grade=Grade.SENIOR, unit=unit)
    return certificate_issue(enrollment_id=qualified_enrollment(person).pk)[0]


def lookup(client, q, **extra):
    return client.get(reverse("certificates:verify"), {"q": q}, **extra)


def test_the_page_needs_no_login_and_publishes_the_public_key(client):
    response = client.get(reverse("certificates:verify"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "培训证明查验" in html and "证书编号或查验码" in html
    key = response.context["keys"][0]
    assert key.current and key.base64 in html and "BEGIN PUBLIC KEY" in html
    pem = client.get(reverse("certificates:public_key"))
    assert pem.status_code == 200 and pem.content.decode() == key.pem


def test_a_valid_certificate_by_number(client, certificate):
    response = lookup(client, certificate.number)
    html = response.content.decode()
    assert response.status_code == 200
    assert "证书有效" in html
    assert "黄**" in html and "黄诗雨" not in html  # name partly masked
    assert "连云港市第一人民医院" in html
    assert "2023年度" in html and "高级工" in html
    assert "思政 7 · 通识 7 · 岗位提升 10 · 合计 <b>24</b> 学时" in html
    assert certificate.id_number not in html and certificate.id_number[-4:] not in html


def test_a_valid_certificate_by_code_as_people_type_it(client, certificate):
    typed = certificate.verify_code_display.lower()  # "abcd-efgh-jklm"
    html = lookup(client, f"  {typed} ").content.decode()
    assert "证书有效" in html and certificate.number in html


def test_a_revoked_certificate_shows_the_reason(client, certificate):
    certificate_revoke(certificate=certificate, reason="发现学时记录异常，已核销")
    html = lookup(client, certificate.number).content.decode()
    assert "证书已撤销" in html and "撤销原因：发现学时记录异常，已核销" in html
    assert "证书有效" not in html


@pytest.mark.parametrize("query", ["JSGQ2023999999", "ABCDEFGHJKMN", "随便输入", "1"])
def test_unknown_certificates(client, certificate, query):
    html = lookup(client, query).content.decode()
    assert "未查到该证书" in html and "证书有效" not in html


def test_the_qr_code_url_shows_the_certificate_and_a_valid_signature(client, certificate):
    url = reverse("certificates:verify_code", args=[certificate.verify_code])
    response = client.get(url, {"p": certificate.signed_payload})
    html = response.content.decode()
    assert response.status_code == 200
    assert "证书有效" in html and certificate.number in html
    assert "签名有效" in html and response.context["payload"].valid
    assert response.context["payload_matches"] is True


def test_a_tampered_qr_payload_is_refused(client, certificate):
    url = reverse("certificates:verify_code", args=[certificate.verify_code])
    html = client.get(url, {"p": tampered(certificate.signed_payload)}).content.decode()
    assert "签名无效" in html and "请勿采信" in html


def test_a_signed_payload_for_a_certificate_the_server_does_not_know_is_still_checkable(client, certificate):
    """After a move to new servers the record may be missing; the signature still proves the content."""
    payload = certificate.signed_payload
    url = reverse("certificates:verify_code", args=["ZZZZZZZZZZZZ"])
    html = client.get(url, {"p": payload}).content.decode()
    assert "未查到该证书" in html and "签名有效" in html and certificate.number in html


def test_a_payload_of_another_certificate_does_not_match(client, certificate):
    other = certificate_issue(enrollment_id=qualified_enrollment().pk)[0]
    url = reverse("certificates:verify_code", args=[certificate.verify_code])
    response = client.get(url, {"p": other.signed_payload})
    assert response.context["payload_matches"] is False
    assert "与上方证书记录不一致" in response.content.decode()


def test_lookups_are_rate_limited_per_client_ip(client, certificate, settings):
    settings.CERT_VERIFY_RATE_LIMIT = "5/600"
    for i in range(5):
        assert lookup(client, f"JSGQ202300000{i}", REMOTE_ADDR="10.0.0.1").status_code == 200
    blocked = lookup(client, certificate.number, REMOTE_ADDR="10.0.0.1")
    html = blocked.content.decode()
    assert blocked.status_code == 429
    assert "查询过于频繁" in html and "分钟后再试" in html
    assert "证书有效" not in html and int(blocked["Retry-After"]) > 0
    # The QR code route counts too; another address is not affected; the empty page is not a lookup.
    qr = client.get(reverse("certificates:verify_code", args=[certificate.verify_code]), REMOTE_ADDR="10.0.0.1")
    assert qr.status_code == 429
    assert client.get(reverse("certificates:verify"), REMOTE_ADDR="10.0.0.1").status_code == 200
    assert "证书有效" in lookup(client, certificate.number, REMOTE_ADDR="10.0.0.2").content.decode()


def test_the_default_limit_is_twenty_lookups_in_ten_minutes(client, certificate):
    statuses = [lookup(client, certificate.number, REMOTE_ADDR="10.0.0.9").status_code for _ in range(21)]
    assert statuses[:20] == [200] * 20 and statuses[20] == 429
