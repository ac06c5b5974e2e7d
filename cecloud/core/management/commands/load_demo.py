"""Load demo data (idempotent: running it twice changes nothing) and print the demo accounts."""

from __future__ import annotations

from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

# Each app with demo data has demo.py with load(stdout); order matters.
DEMO_MODULES = [
    "cecloud.registry.demo",
    "cecloud.accounts.demo",
    "cecloud.training.demo",
    "cecloud.catalog.demo",
    "cecloud.exams.demo",  # question bank and quiz policies of the demo courses
    "cecloud.infocenter.demo",
    "cecloud.certificates.demo",  # earlier-year certificates for one worker of the demo unit
    "cecloud.oversight.demo",  # last: registrations and study for learners 11+ (needs courses, schedules)
]


class Command(BaseCommand):
    help = "加载演示数据（可重复执行）并打印演示帐号"

    def handle(self, *args, **options):
        results = {}
        with transaction.atomic():
            for name in DEMO_MODULES:
                module = import_module(name)
                results[name] = module.load(stdout=self.stdout)
        self.print_accounts(results)

    def print_accounts(self, results):
        from cecloud.accounts.demo import demo_learners

        out = self.stdout
        out.write("")
        out.write("演示帐号（首页登录，验证码在演示模式下可填 PASSED）：")
        for person in demo_learners(3):
            out.write(
                f"  学员  {person.name}  身份证号 {person.id_number}  默认密码 {person.id_number[-6:]}（{person.get_grade_display()}，{person.unit.name}）"
            )
        for role, username, password in results["cecloud.accounts.demo"]:
            out.write(f"  {role}  帐号 {username}  密码 {password}")
