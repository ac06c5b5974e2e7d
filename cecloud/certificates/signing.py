"""Ed25519-signed certificate payloads: the QR code carries a compact token that anyone can check
offline with the platform's public key (published on the verification page), also after a move
to new servers.

Token: base64url (no padding) of ``body + signature``, where ``body`` is the compact binary form of
the certificate's data (``payload.py``) and the 64-byte signature covers ``CONTEXT + body``.

Keys (settings / environment):
- ``CERT_SIGNING_KEY``: the private key as base64 of the raw 32 bytes, or a PEM (PKCS#8) text;
- ``CERT_SIGNING_KEY_PATH``: a PEM file;
- ``CERT_PREVIOUS_PUBLIC_KEYS``: comma-separated base64 public keys still trusted after a rotation.
Without a key, development generates one once under ``var/`` and keeps it; tests generate one per
process; production refuses to sign.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import struct
import threading
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from . import payload
from .payload import b64url_decode, b64url_encode

CONTEXT = b"cecloud-certificate-v1\n"
SIGNATURE_BYTES = 64
MAX_TOKEN_LENGTH = 1024
DEV_KEY_FILENAME = "cert_signing_key.pem"

_lock = threading.Lock()
_cache: dict[tuple, Ed25519PrivateKey] = {}


# --- keys -----------------------------------------------------------------------------------------


def _private_from_text(text: str) -> Ed25519PrivateKey:
    text = text.strip()
    if "BEGIN" in text:
        key = serialization.load_pem_private_key(text.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ImproperlyConfigured("CERT_SIGNING_KEY must be an Ed25519 key")
        return key
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise ImproperlyConfigured("CERT_SIGNING_KEY must be base64 of 32 raw bytes or a PEM key") from exc
    if len(raw) != 32:
        raise ImproperlyConfigured("CERT_SIGNING_KEY must be base64 of exactly 32 raw bytes")
    return Ed25519PrivateKey.from_private_bytes(raw)


def private_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _development_key(path: Path) -> Ed25519PrivateKey:
    """Generate the key once (exclusive create, so concurrent processes agree) and keep it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        key = Ed25519PrivateKey.generate()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(private_pem(key))
    return _private_from_text(path.read_text())


def signing_key() -> Ed25519PrivateKey:
    raw = getattr(settings, "CERT_SIGNING_KEY", "")
    path = getattr(settings, "CERT_SIGNING_KEY_PATH", "")
    env = getattr(settings, "CECLOUD_ENV", "development")
    cache_key = (raw, path, env, str(getattr(settings, "VAR_DIR", "")))
    with _lock:
        if cache_key in _cache:
            return _cache[cache_key]
        if raw:
            key = _private_from_text(raw)
        elif path:
            key = _private_from_text(Path(path).read_text())
        elif env == "production":
            raise ImproperlyConfigured("CERT_SIGNING_KEY or CERT_SIGNING_KEY_PATH must be set in production")
        elif env == "test":
            key = Ed25519PrivateKey.generate()
        else:
            key = _development_key(Path(settings.VAR_DIR) / DEV_KEY_FILENAME)
        _cache[cache_key] = key
        return key


def public_raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id_of(key: Ed25519PublicKey) -> str:
    """A short fingerprint printed in the payload: the first 8 hex digits of SHA-256(raw key)."""
    return hashlib.sha256(public_raw(key)).hexdigest()[:8]


def parse_public_key(text: str) -> Ed25519PublicKey:
    """A public key from base64 of the raw 32 bytes, a PEM text, or a path to a PEM file."""
    text = text.strip()
    if not text:
        raise ValueError("empty public key")
    if "BEGIN" not in text and os.path.sep in text and Path(text).is_file():
        text = Path(text).read_text().strip()
    if "BEGIN" in text:
        key = serialization.load_pem_public_key(text.encode())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return key
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise ValueError("public key must be base64 or PEM") from exc
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key has 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


@dataclass(frozen=True)
class PublicKeyInfo:
    key_id: str
    base64: str
    pem: str
    current: bool


def published_keys() -> list[PublicKeyInfo]:
    """The current public key first, then the previous ones still trusted."""
    keys = [(signing_key().public_key(), True)]
    for text in str(getattr(settings, "CERT_PREVIOUS_PUBLIC_KEYS", "") or "").split(","):
        if text.strip():
            keys.append((parse_public_key(text), False))
    return [
        PublicKeyInfo(
            key_id=key_id_of(key),
            base64=base64.b64encode(public_raw(key)).decode(),
            pem=key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode(),
            current=current,
        )
        for key, current in keys
    ]


# --- payloads -------------------------------------------------------------------------------------


def sign_payload(data: dict, *, key: Ed25519PrivateKey | None = None) -> str:
    """The token for a certificate's data (see ``payload.py``); Ed25519 is deterministic, so the
    same data and key always give the same token."""
    key = key or signing_key()
    body = payload.pack(data, key_id=bytes.fromhex(key_id_of(key.public_key())))
    return b64url_encode(body + key.sign(CONTEXT + body))


@dataclass(frozen=True)
class PayloadCheck:
    valid: bool
    reason: str = ""
    data: dict = field(default_factory=dict)
    key_id: str = ""


def verify_payload(token: str, *, public_keys: list[Ed25519PublicKey] | None = None) -> PayloadCheck:
    """Check a token against the trusted public keys (or the given ones); never raises."""
    token = (token or "").strip()
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return PayloadCheck(valid=False, reason="格式错误")
    try:
        blob = b64url_decode(token)
    except ValueError:
        return PayloadCheck(valid=False, reason="格式错误")
    body, signature = blob[:-SIGNATURE_BYTES], blob[-SIGNATURE_BYTES:]
    try:
        data = payload.unpack(body)
    except (payload.PayloadError, UnicodeDecodeError, struct.error, ValueError):
        return PayloadCheck(valid=False, reason="格式错误")
    if public_keys is None:
        public_keys = [parse_public_key(info.base64) for info in published_keys()]
    for key in public_keys:
        try:
            key.verify(signature, CONTEXT + body)
        except InvalidSignature:
            continue
        return PayloadCheck(valid=True, data=data, key_id=key_id_of(key))
    return PayloadCheck(valid=False, reason="签名无效", data=data)
