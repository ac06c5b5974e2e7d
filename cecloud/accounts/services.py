"""Account write services (password changes)."""

from __future__ import annotations

from django.contrib.auth import password_validation, update_session_auth_hash
from django.db import transaction
from django.utils import timezone

from cecloud.core.audit import audit_log

from .models import User


@transaction.atomic
def user_change_password(*, user: User, new_password: str, request=None) -> None:
    """Set a new password; every other session of this user is logged out.

    Django ties sessions to a hash of the password, so the change invalidates all existing
    sessions; the current one (if a request is given) is re-keyed and stays logged in.
    """
    password_validation.validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    audit_log(event_type="account.password_changed", actor=user, subject=user, request=request)
    if request is not None:
        update_session_auth_hash(request, user)
