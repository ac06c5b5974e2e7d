from django.apps import AppConfig


class ExamsConfig(AppConfig):
    name = "cecloud.exams"
    label = "exams"
    verbose_name = "课后测验"
