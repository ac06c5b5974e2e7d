"""Staff password rules beyond strength (等保 2.0 level 3): periodic change and no reuse.

* Expiry: a staff password older than ``CECLOUD_STAFF_PASSWORD_MAX_AGE_DAYS`` (90; 0 = never) must be
  changed before anything else (``security_middleware.StaffSecurityMiddleware``). The age counts from
  ``User.password_changed_at``, or from the account's creation when it was never changed.
* History: the last ``CECLOUD_STAFF_PASSWORD_HISTORY`` (5) password hashes of a staff account are
  kept in ``PasswordHistory`` (hashes only); ``PasswordHistoryValidator`` refuses a new password that
  matches one of them or the current one. Django calls the validator's ``password_changed`` whenever a
  password is saved (a change, a recovery, an operator's reset in the back office), which records it.

Learners are not concerned: their accounts follow the learner manual (requirements S1).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from cecloud.core.roles import Role


def is_staff_account(user) -> bool:
    return user is not None and getattr(user, "role", Role.LEARNER) != Role.LEARNER


def history_length() -> int:
    return max(0, int(getattr(settings, "CECLOUD_STAFF_PASSWORD_HISTORY", 5)))


def max_age_days() -> int:
    return max(0, int(getattr(settings, "CECLOUD_STAFF_PASSWORD_MAX_AGE_DAYS", 90)))


def password_expires_at(user) -> dt.datetime | None:
    """When a staff account's password expires (None: never, or not a staff account)."""
    days = max_age_days()
    if not days or not is_staff_account(user):
        return None
    since = user.password_changed_at or user.date_joined
    return since + dt.timedelta(days=days) if since else None


def password_expired(user, now: dt.datetime | None = None) -> bool:
    expires = password_expires_at(user)
    return expires is not None and (now or timezone.now()) >= expires


def _recent_hashes(user) -> list[str]:
    from .models import PasswordHistory

    keep = history_length()
    if not keep or user.pk is None:
        return []
    return list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[:keep])


class PasswordHistoryValidator:
    """A staff account's new password may not be its current one or one of its last N (hashes compared)."""

    def validate(self, password, user=None):
        if not is_staff_account(user) or not history_length():
            return
        hashes = _recent_hashes(user)
        if user.pk is not None and user.has_usable_password():
            from .models import User

            current = User.objects.filter(pk=user.pk).values_list("password", flat=True).first()
            if current:
                hashes.insert(0, current)
        if any(check_password(password, encoded) for encoded in dict.fromkeys(hashes)):
            raise ValidationError(f"新密码不能与最近使用过的{history_length()}个密码相同", code="password_reused")

    def password_changed(self, password, user=None):
        """Record the new hash (Django calls this after saving a new password) and drop older ones."""
        if not is_staff_account(user) or not history_length() or user.pk is None:
            return
        from .models import PasswordHistory

        PasswordHistory.objects.create(user=user, password=user.password)
        stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[history_length() :]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()

    def get_help_text(self):
        return f"工作人员的新密码不能与最近使用过的{history_length()}个密码相同"
