"""Development sender: prints the message (the developer's terminal stands in for the phone)."""

from __future__ import annotations

import sys

from ..sms_templates import render_text
from .base import DevelopmentSender, SmsResult


class ConsoleSender(DevelopmentSender):
    name = "console"

    def deliver(self, phone: str, template: str, params: dict[str, str]) -> SmsResult:
        text = render_text(template, params)
        # Written to stdout, not to the logging system, so the text never reaches log storage.
        sys.stdout.write(f"[SMS to {phone}] {text}\n")
        sys.stdout.flush()
        return SmsResult()
