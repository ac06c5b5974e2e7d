import subprocess
import sys

import pytest

BASE = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings"}


def run_settings(env):
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        env={**BASE, **env},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"DEBUG": "1", "SECRET_KEY": "x" * 50}, "DEBUG must be off"),
        ({"DEBUG": "0"}, "SECRET_KEY must be set"),
        (
            {"DEBUG": "0", "SECRET_KEY": "x" * 50, "CECLOUD_CAPTCHA_TEST_MODE": "1"},
            "CECLOUD_CAPTCHA_TEST_MODE must be off",
        ),
        ({"DEBUG": "0", "SECRET_KEY": "x" * 50, "PAYMENT_GATEWAY": "dev"}, "PAYMENT_GATEWAY must be alipay"),
        ({"DEBUG": "0", "SECRET_KEY": "x" * 50}, "PAYMENT_GATEWAY must be alipay"),  # no merchant keys: dev
        (
            {"DEBUG": "0", "SECRET_KEY": "x" * 50, "PAYMENT_GATEWAY": "alipay"},
            "ALIPAY_APP_ID, ALIPAY_APP_PRIVATE_KEY_PATH and ALIPAY_PUBLIC_KEY_PATH must be set",
        ),
    ],
)
def test_production_profile_refuses_unsafe_settings(env, problem):
    result = run_settings({"CECLOUD_ENV": "production", **env})
    assert result.returncode != 0
    assert problem in result.stderr


SAFE_PRODUCTION = {
    "CECLOUD_ENV": "production",
    "DEBUG": "0",
    "SECRET_KEY": "k" * 50,
    "ALLOWED_HOSTS": "example.cn",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "SMS_BACKEND": "aliyun",
    "ALIPAY_APP_ID": "2021000000000001",
    "ALIPAY_APP_PRIVATE_KEY_PATH": "/etc/cecloud/alipay_app_private.pem",
    "ALIPAY_PUBLIC_KEY_PATH": "/etc/cecloud/alipay_public.pem",
}


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        # Rate limits, lockouts and Celery tasks in local memory are per process: useless behind gunicorn.
        ({"REDIS_URL": ""}, "REDIS_URL must be set"),
        # Behind a TLS proxy without a trusted list, every visitor would have the proxy's address.
        ({"SECURE_PROXY_SSL_HEADER": "1"}, "TRUSTED_PROXIES must list the proxies"),
        ({"SECURE_PROXY_SSL_HEADER": "1", "TRUSTED_PROXIES": "10.0.0.1,proxy.lan"}, "'proxy.lan' is not an IP"),
    ],
)
def test_production_profile_refuses_missing_redis_and_proxies(change, problem):
    result = run_settings({**SAFE_PRODUCTION, **change})
    assert result.returncode != 0
    assert problem in result.stderr


def test_production_profile_starts_behind_trusted_proxies():
    result = run_settings(
        {**SAFE_PRODUCTION, "SECURE_PROXY_SSL_HEADER": "1", "TRUSTED_PROXIES": "10.0.0.1, 172.16.0.0/12"}
    )
    assert result.returncode == 0, result.stderr


def test_production_csp_lets_the_payment_form_reach_the_alipay_gateway():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(' '.join(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']))",
        ],
        env={**BASE, **SAFE_PRODUCTION, "ALIPAY_GATEWAY_URL": "https://openapi.alipay.com/gateway.do"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["'self'", "https://openapi.alipay.com"]


def test_production_profile_starts_with_safe_settings():
    result = run_settings(
        {
            "CECLOUD_ENV": "production",
            "DEBUG": "0",
            "SECRET_KEY": "k" * 50,
            "ALLOWED_HOSTS": "example.cn",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "SMS_BACKEND": "aliyun",
            "ALIPAY_APP_ID": "2021000000000001",
            "ALIPAY_APP_PRIVATE_KEY_PATH": "/etc/cecloud/alipay_app_private.pem",
            "ALIPAY_PUBLIC_KEY_PATH": "/etc/cecloud/alipay_public.pem",
        }
    )
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_audit_log_is_append_only(db):
    from cecloud.core.audit import audit_log
    from cecloud.core.models import AuditLog

    entry = audit_log(event_type="test.event", subject_type="x", subject_id="1")
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditLog.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditLog.objects.filter(pk=entry.pk).update(event_type="changed")
