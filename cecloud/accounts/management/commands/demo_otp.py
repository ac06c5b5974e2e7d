"""Print the current two-factor code of the demo staff accounts (development and test only)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from cecloud.accounts.demo import DEMO_TOTP_KEY


class Command(BaseCommand):
    help = "显示演示工作人员帐号当前的二次验证动态码（仅限开发环境）"

    def handle(self, *args, **options):
        if settings.CECLOUD_ENV == "production":
            raise CommandError("生产环境没有演示密钥")
        totp = TOTP(bytes.fromhex(DEMO_TOTP_KEY), step=30, t0=0, digits=6)
        left = 30 - int(time.time()) % 30
        self.stdout.write(f"{totp.token():06d}  （{left} 秒内有效）")
