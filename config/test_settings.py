"""Settings for the test suite: the normal settings with the test-mode environment defaults.

Environment variables still win (CI sets DATABASE_URL and REDIS_URL for the PostgreSQL run).
"""

import os
import tempfile

os.environ.setdefault("CECLOUD_ENV", "test")
os.environ.setdefault("CECLOUD_CAPTCHA_TEST_MODE", "1")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="cecloud-media-"))
os.environ.setdefault("SMS_BACKEND", "file")
os.environ.setdefault("SMS_FILE_PATH", os.path.join(tempfile.mkdtemp(prefix="cecloud-sms-"), "sms.log"))

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tasks run inline unless a test starts a real worker (the `celery_worker` fixture flips this).
CELERY_TASK_ALWAYS_EAGER = True
