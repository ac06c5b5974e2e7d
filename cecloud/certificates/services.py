"""Certificate services (the certificates issue builds issuing, PDF and verification here)."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def on_enrollment_qualified(*, enrollment_id: int) -> None:
    """Called after commit when a class qualifies; the certificates issue schedules issuing here."""
    logger.info("enrollment qualified", extra={"enrollment_id": enrollment_id})
