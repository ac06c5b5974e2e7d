"""The sender interface and its errors."""

from __future__ import annotations

from dataclasses import dataclass


class SmsError(Exception):
    """Sending failed. ``code`` is the provider's (or our) error code, ``message`` its text."""

    def __init__(self, message: str, *, code: str = "error", transient: bool = False):
        super().__init__(message)
        self.message = message
        self.code = code
        self.transient = transient

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class SmsRateLimited(SmsError):
    """The provider refused because of its own per-phone flow control."""


@dataclass(frozen=True)
class SmsResult:
    provider_id: str = ""  # the provider's message id (Aliyun BizId)
    request_id: str = ""


class SmsSender:
    """Send one text message built from a named template and its parameters."""

    name = "base"

    def send(self, phone: str, template: str, params: dict[str, str]) -> SmsResult:  # pragma: no cover
        raise NotImplementedError


class DevelopmentSender(SmsSender):
    """console/file: they show the message text (codes included), so they refuse to run in the
    production profile, where that text would end up in logs or on a web node's disk."""

    def send(self, phone: str, template: str, params: dict[str, str]) -> SmsResult:
        from django.conf import settings

        if getattr(settings, "CECLOUD_ENV", "") == "production":
            raise SmsError(f"生产环境不能使用{self.name}短信通道，请配置 SMS_BACKEND=aliyun", code="config")
        return self.deliver(phone, template, params)

    def deliver(self, phone: str, template: str, params: dict[str, str]) -> SmsResult:  # pragma: no cover
        raise NotImplementedError
