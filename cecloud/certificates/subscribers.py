"""What certificates does when events are published (imported by ``CertificatesConfig.ready()``).

A class that qualifies (training's ``enrollment_qualified``, after commit) gets its certificate
from the retried ``certificates.issue`` task.
"""

import logging

from cecloud.training import events as training_events

from . import events, tasks

logger = logging.getLogger(__name__)


@events.certificate_issue_requested.subscribe
def queue_certificate_issue(*, enrollment_id: int) -> None:
    """Never raises into the publisher (a quiz submission): a broker outage or a failing task is
    logged, and the periodic sweep (``certificates.issue_missing``) issues the certificate later."""
    try:
        tasks.certificate_issue_task.delay(enrollment_id)
    except Exception:
        logger.exception("certificate issue not scheduled", extra={"enrollment_id": enrollment_id})


@training_events.enrollment_qualified.subscribe
def issue_for_qualified_class(*, enrollment_id: int) -> None:
    events.certificate_issue_requested.publish(enrollment_id=enrollment_id)
