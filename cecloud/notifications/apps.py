from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "cecloud.notifications"
    label = "notifications"
    verbose_name = "短信通知"

    def ready(self):
        from . import subscribers  # noqa: F401  (notice SMS go out through a Celery task)
