"""Build the certificate's reduced font now (otherwise the first certificate render builds it):
``manage.py certificate_fonts``. Useful in an image build or a deployment step."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from cecloud.certificates.fonts import reduced_serif_font


class Command(BaseCommand):
    help = "生成培训证明使用的精简字体（GB 2312 字符集）并缓存"

    def handle(self, *args, **options):
        start = time.monotonic()
        path = reduced_serif_font()
        self.stdout.write(f"{path} ({path.stat().st_size // 1024} KB, {time.monotonic() - start:.1f} s)")
