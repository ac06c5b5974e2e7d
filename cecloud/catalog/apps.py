from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "cecloud.catalog"
    label = "catalog"
    verbose_name = "课程"
