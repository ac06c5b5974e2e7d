from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "cecloud.billing"
    label = "billing"
    verbose_name = "订单与发票"

    def ready(self):
        from . import subscribers  # noqa: F401  (billing's events queue its Celery tasks)
