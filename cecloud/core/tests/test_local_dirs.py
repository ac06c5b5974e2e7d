"""Importing the settings writes nothing to disk; the folders are made when Django starts."""

from __future__ import annotations

import subprocess
import sys

from django.conf import settings


def run(code: str, var_dir) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings", "CECLOUD_VAR_DIR": str(var_dir)},
        capture_output=True,
        text=True,
        check=False,
    )


def test_importing_settings_creates_no_folder(tmp_path):
    var_dir = tmp_path / "var"
    result = run("import config.settings as s; print(s.STATIC_ROOT)", var_dir)
    assert result.returncode == 0, result.stderr
    assert str(var_dir / "static") in result.stdout
    assert not var_dir.exists()


def test_django_start_up_makes_the_sqlite_and_static_folders(tmp_path):
    var_dir = tmp_path / "var"
    result = run("import django; django.setup()", var_dir)
    assert result.returncode == 0, result.stderr
    assert (var_dir / "static").is_dir()
    assert var_dir.is_dir()  # the SQLite database's folder
