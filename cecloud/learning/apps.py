from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "cecloud.learning"
    label = "learning"
    verbose_name = "在线学习"
