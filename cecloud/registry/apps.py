from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "cecloud.registry"
    label = "registry"
    verbose_name = "人员库"
