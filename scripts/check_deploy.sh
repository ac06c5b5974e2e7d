#!/usr/bin/env bash
# `manage.py check --deploy --fail-level WARNING` under the production profile (CECLOUD_ENV=production),
# with throwaway production settings made here: a random SECRET_KEY, PostgreSQL and Redis URLs (not
# connected to), behind a TLS proxy (SECURE_PROXY_SSL_HEADER with TRUSTED_PROXIES), the Aliyun SMS
# backend, and freshly generated Alipay RSA keys and certificate Ed25519 key in a temporary folder.
# Fails on any warning, e.g. a missing HTTPS setting.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

"$PY" - "$tmp" <<'PYTHON'
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

folder = Path(sys.argv[1])
pem = serialization.Encoding.PEM
app_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
alipay_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
(folder / "alipay_app_private.pem").write_bytes(
    app_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
)
(folder / "alipay_public.pem").write_bytes(
    alipay_key.public_key().public_bytes(pem, serialization.PublicFormat.SubjectPublicKeyInfo)
)
(folder / "cert_signing_key.pem").write_bytes(
    ed25519.Ed25519PrivateKey.generate().private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
)
PYTHON

env -i PATH="$PATH" HOME="${HOME:-/tmp}" \
  DJANGO_SETTINGS_MODULE=config.settings \
  CECLOUD_ENV=production \
  DEBUG=0 \
  SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')" \
  ALLOWED_HOSTS=cecloud.example.cn \
  CSRF_TRUSTED_ORIGINS=https://cecloud.example.cn \
  CECLOUD_PUBLIC_BASE_URL=https://cecloud.example.cn \
  CECLOUD_VAR_DIR="$tmp/var" \
  DATABASE_URL=postgres://cecloud@127.0.0.1:5432/cecloud \
  REDIS_URL=redis://127.0.0.1:6379/0 \
  SECURE_PROXY_SSL_HEADER=1 \
  TRUSTED_PROXIES=10.0.0.2 \
  SMS_BACKEND=aliyun \
  SMS_ALIYUN_ACCESS_KEY_ID=throwaway-key-id \
  SMS_ALIYUN_ACCESS_KEY_SECRET=throwaway-key-secret \
  SMS_ALIYUN_TEMPLATE_CODES=verify_code=SMS_0000001 \
  PAYMENT_GATEWAY=alipay \
  ALIPAY_APP_ID=2021000000000001 \
  ALIPAY_SELLER_ID=2088000000000001 \
  ALIPAY_APP_PRIVATE_KEY_PATH="$tmp/alipay_app_private.pem" \
  ALIPAY_PUBLIC_KEY_PATH="$tmp/alipay_public.pem" \
  CERT_SIGNING_KEY_PATH="$tmp/cert_signing_key.pem" \
  "$PY" manage.py check --deploy --fail-level WARNING
