"""Settings for the test suite: the normal settings with the test-mode environment defaults.

Environment variables still win (CI sets DATABASE_URL and REDIS_URL for the PostgreSQL run).
Under pytest-xdist each worker gets its own media folder, SMS log and Redis database, so that
one worker's cache flush or SMS file never reaches another's tests.
"""

import os
import re
import tempfile
from pathlib import Path

os.environ.setdefault("CECLOUD_ENV", "test")
os.environ.setdefault("CECLOUD_CAPTCHA_TEST_MODE", "1")
os.environ.setdefault("SMS_BACKEND", "file")

_worker = os.environ.get("PYTEST_XDIST_WORKER", "gw")
_worker_index = int(re.sub(r"\D", "", _worker) or 0)

if os.environ.get("REDIS_URL"):
    # redis://host:port/N → N + worker index (CI uses /15 on one core, /15–/12 with several workers)
    _url = os.environ["REDIS_URL"]
    _match = re.match(r"^(.*)/(\d+)$", _url)
    _base, _db = (_match.group(1), int(_match.group(2))) if _match else (_url.rstrip("/"), 0)
    os.environ["REDIS_URL"] = f"{_base}/{(_db - _worker_index) % 16}"

from config.settings import *  # noqa: E402,F403

MEDIA_ROOT = Path(tempfile.mkdtemp(prefix=f"cecloud-media-{_worker}-"))
SMS_FILE_PATH = os.path.join(tempfile.mkdtemp(prefix=f"cecloud-sms-{_worker}-"), "sms.log")

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tasks run inline unless a test starts a real worker (the `celery_worker` fixture flips this).
CELERY_TASK_ALWAYS_EAGER = True
