from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "cecloud.billing"
    label = "billing"
    verbose_name = "订单与发票"
