"""Service-layer errors. The message is Chinese and safe to show to the user."""

from __future__ import annotations


class ServiceError(Exception):
    """A rule refused the action; ``message`` is shown to the user as is."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None, details: object = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details

    def __str__(self) -> str:
        return self.message


class PermissionDeniedError(ServiceError):
    code = "forbidden"


class NotFoundError(ServiceError):
    code = "not_found"


class ConflictError(ServiceError):
    code = "conflict"
