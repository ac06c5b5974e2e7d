"""Notifications' subscribers (imported by ``NotificationsConfig.ready()``): queue notice SMS."""

from . import events, tasks


@events.sms_notice_requested.subscribe
def queue_sms(*, phone: str, template: str, params: dict[str, str]) -> None:
    tasks.send_sms.delay(phone, template, params)
