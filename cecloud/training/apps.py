from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "cecloud.training"
    label = "training"
    verbose_name = "培训年度与班级"
