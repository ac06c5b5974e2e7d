from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "cecloud.catalog"
    label = "catalog"
    verbose_name = "课程"

    def ready(self):
        from . import subscribers  # noqa: F401  (uploaded videos get an HLS rendition in a Celery task)
