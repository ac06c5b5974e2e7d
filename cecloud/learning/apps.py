from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "cecloud.learning"
    label = "learning"
    verbose_name = "在线学习"

    def ready(self):
        from . import subscribers  # noqa: F401  (answers and reacts to training's events)
