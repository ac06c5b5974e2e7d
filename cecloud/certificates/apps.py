from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "cecloud.certificates"
    label = "certificates"
    verbose_name = "培训证明"
