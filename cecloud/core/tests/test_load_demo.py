"""``load_demo`` runs from the runtime requirements alone and names no app.

The demo is loaded in a fresh process whose imports of the development-only packages (factory_boy,
Faker, pytest, Hypothesis, Playwright) fail, on its own SQLite database in a temporary folder.
Celery tasks are queued (in memory) rather than run inline: rendering the invoice PDFs of the demo
payments would take minutes, and the task modules are imported all the same.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from cecloud.core.management.commands import load_demo

DEV_ONLY = ("factory", "faker", "pytest", "hypothesis", "playwright", "_pytest")

# Runs manage.py with the development-only packages made unimportable.
BLOCKED_MANAGE = f"""
import runpy, sys
for name in {DEV_ONLY!r}:
    sys.modules[name] = None
sys.argv = ["manage.py", *sys.argv[1:]]
runpy.run_path("manage.py", run_name="__main__")
"""


def manage_without_dev_packages(var_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "MEDIA_ROOT", "SMS_FILE_PATH", "DJANGO_SETTINGS_MODULE"}
        and not key.startswith(("PYTEST", "CECLOUD_", "CELERY_"))
    }
    env.update(
        {
            "CECLOUD_ENV": "development",
            "CECLOUD_VAR_DIR": str(var_dir),
            "SMS_BACKEND": "console",
            "CELERY_TASK_ALWAYS_EAGER": "0",
        }
    )
    return subprocess.run(
        [sys.executable, "-c", BLOCKED_MANAGE, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_load_demo_needs_no_development_packages(tmp_path):
    migrate = manage_without_dev_packages(tmp_path, "migrate", "--noinput", "-v", "0")
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    demo = manage_without_dev_packages(tmp_path, "load_demo")
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert "演示帐号" in demo.stdout
    assert "帐号 operator" in demo.stdout
    assert "默认密码" in demo.stdout


def test_load_demo_discovers_demo_modules_in_installed_apps_order():
    names = [module.__name__ for module in load_demo.demo_modules()]
    apps_with_demo = [name.removesuffix(".demo") for name in names]
    assert apps_with_demo == [app for app in settings.INSTALLED_APPS if app in apps_with_demo]
    assert {"cecloud.registry.demo", "cecloud.accounts.demo", "cecloud.catalog.demo"} <= set(names)


def test_load_demo_imports_no_app():
    tree = ast.parse(Path(load_demo.__file__).read_text(encoding="utf-8"))
    imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    assert not [name for name in imported if name and name.startswith("cecloud")]
