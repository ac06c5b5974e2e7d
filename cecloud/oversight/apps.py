from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "cecloud.oversight"
    label = "oversight"
    verbose_name = "监管"
