"""Notification events (see ``cecloud.core.events``)."""

from cecloud.core.events import Event

sms_notice_requested = Event(
    "notifications.sms_notice_requested",
    fields=("phone", "template", "params"),
    doc="A notice SMS is due (published after commit, robust): queue the retried send_sms task.",
)
