"""Certificate events (see ``cecloud.core.events``)."""

from cecloud.core.events import Event

certificate_issue_requested = Event(
    "certificates.certificate_issue_requested",
    fields=("enrollment_id",),
    doc="A qualified class needs its certificate: queue the retried issuing task (certificates.issue).",
)
