"""Background SMS (notices). Verification codes are sent inline by ``code_send``."""

from __future__ import annotations

from celery import shared_task

from .senders import SmsError


@shared_task(bind=True, max_retries=3, default_retry_delay=60, ignore_result=True)
def send_sms(self, phone: str, template: str, params: dict[str, str]) -> None:
    from .services import sms_deliver

    try:
        sms_deliver(phone=phone, template=template, params=params)
    except SmsError as exc:
        if exc.transient and not self.request.is_eager:
            raise self.retry(exc=exc) from exc
        # Recorded in SmsLog by sms_deliver; a notice is not worth failing anything else for.
