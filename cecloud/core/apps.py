from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cecloud.core"
    label = "core"
    verbose_name = "核心"
