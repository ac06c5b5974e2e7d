from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "cecloud.notifications"
    label = "notifications"
    verbose_name = "短信通知"
