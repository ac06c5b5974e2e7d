from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cecloud.accounts"
    label = "accounts"
    verbose_name = "账号"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .security_middleware import start_idle_clock

        user_logged_in.connect(start_idle_clock, dispatch_uid="cecloud.accounts.start_idle_clock")
