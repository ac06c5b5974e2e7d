from django.apps import AppConfig


class ClassroomConfig(AppConfig):
    name = "cecloud.classroom"
    label = "classroom"
    verbose_name = "我的班级"
