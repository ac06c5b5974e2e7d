"""The signed QR payload: Ed25519, checkable offline with the published public key."""

import base64
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from cecloud.certificates import signing
from cecloud.certificates.pdf import verification_url
from cecloud.certificates.services import certificate_issue, payload_data, person_hash

from .helpers import qualified_enrollment, sample_payload, tampered


def raw_b64(key: Ed25519PrivateKey) -> str:
    return base64.b64encode(key.private_bytes_raw()).decode()


def public_b64(key: Ed25519PrivateKey) -> str:
    return base64.b64encode(signing.public_raw(key.public_key())).decode()


def run_command(*args) -> tuple[int, str]:
    from io import StringIO

    out = StringIO()
    try:
        call_command("verify_certificate_payload", *args, stdout=out)
    except SystemExit as exc:
        return int(exc.code), out.getvalue()
    return 0, out.getvalue()


@pytest.mark.django_db
def test_the_certificate_payload_is_compact_signed_and_decodes_to_its_data():
    enrollment = qualified_enrollment(name="黄诗雨")
    certificate = certificate_issue(enrollment_id=enrollment.pk)[0]
    token = certificate.signed_payload
    assert len(token) < 170  # a small QR code
    check = signing.verify_payload(token)
    assert check.valid and check.key_id == certificate.key_id
    assert check.data["n"] == certificate.number and check.data["c"] == certificate.verify_code
    assert check.data["y"] == 2023 and check.data["g"] == "高级技师"
    assert check.data["m"] == "黄**" and check.data["h"] == ["12", "12", "16", "40"]
    assert check.data["d"] == certificate.issued_on.isoformat()
    assert check.data["p"] == person_hash("黄诗雨", enrollment.person.id_number)
    assert enrollment.person.id_number not in json.dumps(check.data, ensure_ascii=False)
    # Ed25519 is deterministic: signing the same data again gives the same token.
    assert signing.sign_payload(payload_data(certificate)) == token


def test_the_binary_form_round_trips_fractional_hours_and_long_names():
    key = Ed25519PrivateKey.generate()
    data = sample_payload(h=["7.5", "7", "10", "24.5"], m="欧阳**", g="junior", c="Z2Z2Z2Z2Z2Z2")
    check = signing.verify_payload(signing.sign_payload(data, key=key), public_keys=[key.public_key()])
    assert check.valid
    assert check.data["h"] == ["7.5", "7", "10", "24.5"] and check.data["m"] == "欧阳**"
    assert check.data["g"] == "初级工" and check.data["c"] == "Z2Z2Z2Z2Z2Z2" and check.data["y"] == 2023


def test_tampered_payloads_and_signatures_are_refused():
    key = Ed25519PrivateKey.generate()
    token = signing.sign_payload(sample_payload(), key=key)
    public = [key.public_key()]
    assert signing.verify_payload(token, public_keys=public).valid
    changed = signing.verify_payload(tampered(token), public_keys=public)
    assert not changed.valid and changed.reason == "签名无效"
    assert changed.data["h"][3] == "48"  # what the forger wanted to claim, refused
    assert not signing.verify_payload(tampered(token, offset=-1, delta=1), public_keys=public).valid  # signature
    body_only = signing.b64url_encode(signing.b64url_decode(token)[:-64])
    for garbage in ["", "abc", "a.b", "!!!???", body_only, token[:-10], "x" * 5000]:
        assert not signing.verify_payload(garbage, public_keys=public).valid


def test_a_payload_signed_with_another_key_is_refused():
    ours, theirs = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    token = signing.sign_payload(sample_payload(), key=theirs)
    check = signing.verify_payload(token, public_keys=[ours.public_key()])
    assert not check.valid and check.reason == "签名无效"


def test_keys_from_settings_base64_pem_and_file(settings, tmp_path):
    key = Ed25519PrivateKey.generate()
    settings.CERT_SIGNING_KEY, settings.CERT_SIGNING_KEY_PATH = raw_b64(key), ""
    assert signing.published_keys()[0].base64 == public_b64(key)
    settings.CERT_SIGNING_KEY = signing.private_pem(key).decode()
    assert signing.published_keys()[0].base64 == public_b64(key)
    path = tmp_path / "key.pem"
    path.write_bytes(signing.private_pem(key))
    settings.CERT_SIGNING_KEY, settings.CERT_SIGNING_KEY_PATH = "", str(path)
    assert signing.published_keys()[0].base64 == public_b64(key)
    settings.CERT_SIGNING_KEY = base64.b64encode(b"short").decode()
    with pytest.raises(ImproperlyConfigured):
        signing.signing_key()


def test_previous_public_keys_stay_trusted_after_a_rotation(settings):
    old, new = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    printed = signing.sign_payload(sample_payload(n="JSGQ2022000001"), key=old)
    settings.CERT_SIGNING_KEY = raw_b64(new)
    settings.CERT_PREVIOUS_PUBLIC_KEYS = public_b64(old)
    keys = signing.published_keys()
    assert [k.current for k in keys] == [True, False]
    assert signing.verify_payload(printed).valid


def test_development_generates_a_key_once_and_keeps_it(settings, tmp_path):
    settings.CERT_SIGNING_KEY = settings.CERT_SIGNING_KEY_PATH = ""
    settings.CECLOUD_ENV = "development"
    settings.VAR_DIR = tmp_path
    first = signing.published_keys()[0].base64
    signing._cache.clear()
    assert signing.published_keys()[0].base64 == first  # read back from var/, not regenerated
    key_file = tmp_path / signing.DEV_KEY_FILENAME
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_production_refuses_to_sign_without_a_key(settings):
    settings.CERT_SIGNING_KEY = settings.CERT_SIGNING_KEY_PATH = ""
    settings.CECLOUD_ENV = "production"
    with pytest.raises(ImproperlyConfigured, match="CERT_SIGNING_KEY"):
        signing.signing_key()
    from cecloud.certificates.apps import check_signing_key

    assert [e.id for e in check_signing_key()] == ["certificates.E001"]


@pytest.mark.django_db
def test_the_command_verifies_a_payload_or_the_whole_qr_url():
    certificate = certificate_issue(enrollment_id=qualified_enrollment().pk)[0]
    code, out = run_command(certificate.signed_payload)
    assert code == 0 and out.startswith("VALID") and certificate.number in out
    code, out = run_command(verification_url(certificate))
    assert code == 0 and "VALID" in out


@pytest.mark.django_db
def test_the_command_with_an_explicit_public_key(tmp_path):
    certificate = certificate_issue(enrollment_id=qualified_enrollment().pk)[0]
    published = signing.published_keys()[0]
    assert run_command(certificate.signed_payload, "--public-key", published.base64)[0] == 0
    pem_file = tmp_path / "public.pem"
    pem_file.write_text(published.pem)
    assert run_command(certificate.signed_payload, "--public-key", str(pem_file))[0] == 0
    stranger = Ed25519PrivateKey.generate().public_key()
    stranger_pem = stranger.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    code, out = run_command(certificate.signed_payload, "--public-key", stranger_pem.decode())
    assert code == 1 and "INVALID" in out and "NOT trustworthy" in out


@pytest.mark.django_db
def test_the_command_refuses_a_tampered_payload():
    certificate = certificate_issue(enrollment_id=qualified_enrollment().pk)[0]
    code, out = run_command(tampered(certificate.signed_payload))
    assert code == 1 and out.startswith("INVALID: 签名无效")
