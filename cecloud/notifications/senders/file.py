"""Development and test sender: appends one JSON line per message to ``settings.SMS_FILE_PATH``.

The file is the "phone" of the development platform: tests and browser tests read codes from it.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from ..sms_templates import render_text
from .base import DevelopmentSender, SmsError, SmsResult

_lock = threading.Lock()


class FileSender(DevelopmentSender):
    name = "file"

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path or settings.SMS_FILE_PATH)

    def deliver(self, phone: str, template: str, params: dict[str, str]) -> SmsResult:
        record = {
            "time": timezone.now().isoformat(),
            "phone": phone,
            "template": template,
            "params": params,
            "text": render_text(template, params),
        }
        line = json.dumps(record, ensure_ascii=False) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with _lock, open(self.path, "a", encoding="utf-8") as fh:
                fh.write(line)
        except OSError as exc:
            raise SmsError(f"写入短信文件失败：{exc.strerror}", code="file") from exc
        return SmsResult()


def read_messages(path: str | os.PathLike | None = None, *, phone: str | None = None) -> list[dict]:
    """Every message in the file (oldest first), optionally only those to ``phone``."""
    target = Path(path or settings.SMS_FILE_PATH)
    if not target.exists():
        return []
    with open(target, encoding="utf-8") as fh:
        messages = [json.loads(line) for line in fh if line.strip()]
    return [m for m in messages if phone is None or m["phone"] == phone]
