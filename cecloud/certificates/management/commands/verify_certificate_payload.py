"""Check a certificate QR payload offline: ``manage.py verify_certificate_payload PAYLOAD [--public-key KEY]``.

PAYLOAD may be the token itself or the whole URL read from the QR code (its ``p`` parameter is
used). KEY is base64 of the raw 32-byte public key, a PEM text or a PEM file path; without it the
platform's published keys are used. Exit status 0 when the signature is valid, 1 otherwise.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from django.core.management.base import BaseCommand, CommandError

from cecloud.certificates.signing import parse_public_key, verify_payload


def extract_token(text: str) -> str:
    text = text.strip()
    if "://" in text or text.startswith("/"):
        values = parse_qs(urlsplit(text).query).get("p")
        if not values:
            raise CommandError("the URL has no p= payload")
        return values[0]
    return text


class Command(BaseCommand):
    help = "核验培训证明二维码中的签名数据（Ed25519），输出是否有效及解码内容"

    def add_arguments(self, parser):
        parser.add_argument("payload", help="the payload (or the whole URL from the QR code)")
        parser.add_argument("--public-key", default="", help="base64 raw public key, PEM text or PEM file path")

    def handle(self, *args, **options):
        keys = None
        if options["public_key"]:
            try:
                keys = [parse_public_key(options["public_key"])]
            except ValueError as exc:
                raise CommandError(f"bad public key: {exc}") from exc
        check = verify_payload(extract_token(options["payload"]), public_keys=keys)
        if check.valid:
            self.stdout.write(f"VALID (key {check.key_id})")
        else:
            self.stdout.write(f"INVALID: {check.reason}")
        if check.data:
            label = "content" if check.valid else "content (NOT trustworthy)"
            self.stdout.write(f"{label}: " + json.dumps(check.data, ensure_ascii=False, sort_keys=True))
        if not check.valid:
            raise SystemExit(1)
