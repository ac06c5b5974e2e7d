from django.apps import AppConfig


class InfocenterConfig(AppConfig):
    name = "cecloud.infocenter"
    label = "infocenter"
    verbose_name = "信息中心"
