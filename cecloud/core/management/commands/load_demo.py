"""Load demo data (idempotent: running it twice changes nothing) and print the demo accounts.

The command names no app: it imports the ``demo`` module of every installed app that has one, in
``INSTALLED_APPS`` order (which follows the layers, so an app's demo data can rely on the demo data
of the apps below it), and calls its ``load(stdout=None)`` inside one transaction. A demo module may
also define ``account_lines(result) -> list[str]``: given what its ``load`` returned, the lines
printed under "演示帐号" at the end.

Demo modules run in production images too, so they import only runtime dependencies
(``requirements.txt``): never the test factories, factory_boy or Faker.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import module_has_submodule


def demo_modules() -> list[ModuleType]:
    """Every installed app's ``demo`` module, in ``INSTALLED_APPS`` order."""
    return [
        import_module(f"{config.name}.demo")
        for config in apps.get_app_configs()
        if module_has_submodule(config.module, "demo")
    ]


class Command(BaseCommand):
    help = "加载演示数据（可重复执行）并打印演示帐号"

    def handle(self, *args, **options):
        results = []
        with transaction.atomic():
            for module in demo_modules():
                results.append((module, module.load(stdout=self.stdout)))
        self.stdout.write("")
        self.stdout.write("演示帐号（首页登录，验证码在演示模式下可填 PASSED）：")
        for module, result in results:
            describe = getattr(module, "account_lines", None)
            for line in describe(result) if describe else []:
                self.stdout.write(f"  {line}")
