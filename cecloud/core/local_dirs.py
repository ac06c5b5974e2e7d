"""Folders the platform writes to on the local disk, made when Django starts (CoreConfig.ready),
never when the settings module is imported.

The embedded default keeps its SQLite database in ``var/``, and WhiteNoise serves ``STATIC_ROOT``
(filled by ``collectstatic``; it warns at start-up when the folder is missing). Writers of other
files (the SMS log, the certificate signing key, media storage) create their own folders.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def local_dirs() -> list[Path]:
    folders = [Path(settings.STATIC_ROOT)]
    database = settings.DATABASES["default"]
    name = str(database.get("NAME") or "")
    if database["ENGINE"].endswith("sqlite3") and name and name != ":memory:" and not name.startswith("file:"):
        folders.append(Path(name).parent)
    return folders


def ensure_local_dirs() -> None:
    for folder in local_dirs():
        folder.mkdir(parents=True, exist_ok=True)
