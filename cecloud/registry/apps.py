from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "cecloud.registry"
    label = "registry"
    verbose_name = "人员库"

    def ready(self):
        from . import subscribers  # noqa: F401  (stored import jobs run in a Celery task)
