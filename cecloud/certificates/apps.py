from django.apps import AppConfig
from django.core import checks


class CertificatesConfig(AppConfig):
    name = "cecloud.certificates"
    label = "certificates"
    verbose_name = "培训证明"

    def ready(self):
        checks.register(check_signing_key)
        from . import subscribers  # noqa: F401  (a qualified class gets its certificate)


def check_signing_key(app_configs=None, **kwargs):
    """Production needs a configured signing key: printed certificates depend on it for years."""
    from django.conf import settings

    if getattr(settings, "CECLOUD_ENV", "") != "production":
        return []
    if getattr(settings, "CERT_SIGNING_KEY", "") or getattr(settings, "CERT_SIGNING_KEY_PATH", ""):
        try:
            from .signing import signing_key

            signing_key()
        except Exception as exc:
            return [checks.Error(f"Certificate signing key unusable: {exc}", id="certificates.E002")]
        return []
    return [
        checks.Error(
            "CERT_SIGNING_KEY or CERT_SIGNING_KEY_PATH must be set in production (certificate QR signatures)",
            id="certificates.E001",
        )
    ]
