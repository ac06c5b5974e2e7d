"""SMS senders: one interface, chosen by ``settings.SMS_BACKEND`` (console | file | aliyun).

``get_sender().send(phone, template, params)`` sends one message built from a named template
(see ``cecloud.notifications.sms_templates``) or raises ``SmsError``. Senders never log the
parameters: a verification code must not end up in a log file.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from .base import SmsError, SmsRateLimited, SmsResult, SmsSender

BACKENDS = {
    "console": "cecloud.notifications.senders.console.ConsoleSender",
    "file": "cecloud.notifications.senders.file.FileSender",
    "aliyun": "cecloud.notifications.senders.aliyun.AliyunSender",
}


def get_sender(backend: str | None = None) -> SmsSender:
    name = backend or settings.SMS_BACKEND
    path = BACKENDS.get(name, name)  # a dotted path to a custom sender is accepted too
    try:
        cls = import_string(path)
    except ImportError as exc:
        raise SmsError(f"未知的短信通道：{name}", code="config") from exc
    return cls()


__all__ = ["BACKENDS", "SmsError", "SmsRateLimited", "SmsResult", "SmsSender", "get_sender"]
