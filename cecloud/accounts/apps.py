from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cecloud.accounts"
    label = "accounts"
    verbose_name = "账号"
