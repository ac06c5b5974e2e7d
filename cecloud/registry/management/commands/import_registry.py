"""manage.py import_registry FILE.xlsx [--dry-run]: validate and import the personnel registry."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cecloud.registry.importer import PHASE_VALIDATE, registry_import


class Command(BaseCommand):
    help = "从Excel（.xlsx）导入人员库：--dry-run 仅校验不写入；有任何错误行则不导入；按身份证号更新已有人员"

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            help="人员信息 .xlsx 文件（表头：姓名, 身份证号, 手机号, 工作单位, 所属地区, 技术等级, 岗位, 在岗状态）",
        )
        parser.add_argument("--dry-run", action="store_true", help="仅校验，报告所有错误行，不写入数据")
        parser.add_argument("--progress", action="store_true", help="显示进度")

    def handle(self, *args, file: str, dry_run: bool, progress: bool, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}")
        last = [0.0]

        def report(phase: str, done: int, total: int | None) -> None:
            now = time.monotonic()
            if now - last[0] >= 2:
                last[0] = now
                label = "校验" if phase == PHASE_VALIDATE else "写入"
                self.stderr.write(f"{label} {done}" + (f"/{total}" if total else "") + " 行")

        result = registry_import(
            source=path, dry_run=dry_run, progress=report if progress else None, source_name=path.name
        )
        if result.errors:
            for error in result.errors:
                self.stdout.write(str(error))
            raise CommandError(result.summary(), returncode=1)
        self.stdout.write(self.style.SUCCESS(result.summary()))
