"""Two-factor login for staff accounts (unit HR, bureau, operator): TOTP with recovery codes.

等保 2.0 level 3 asks administrators to combine two factors, one of them cryptographic. Every staff
account logs in with its password (工作人员登录, ``staff.py``) and then a 6-digit code from an
authenticator app (django-otp's ``TOTPDevice``), or one of its one-time recovery codes (a
``StaticDevice``). Until then the session reaches only the two-factor pages
(``security_middleware.StaffSecurityMiddleware``).

* Enrolment (first login): an unconfirmed TOTP device with a fresh key is shown as a QR code (the
  ``otpauth://`` URI, drawn by segno as inline SVG) and as a manual key; a correct code confirms it
  and creates ``CECLOUD_STAFF_RECOVERY_CODES`` recovery codes, shown once.
* Wrong codes: after ``CECLOUD_STAFF_2FA_MAX_FAILURES`` in a row the account's codes are refused for
  ``CECLOUD_STAFF_2FA_LOCKOUT_MINUTES``; the counter is the TOTP device's own (a database row, so it
  holds across processes) and a right code clears it. A used TOTP time step cannot be replayed.
* A verified session carries ``"<user id>:<two_factor_epoch>"``; an operator's reset (back office)
  deletes the devices and bumps the epoch, so every session verified before must verify again.
* Every login, failure, lockout, enrolment and reset is written to the audit log.

``CECLOUD_STAFF_2FA`` can be turned off only outside production (the production profile refuses).
"""

from __future__ import annotations

import datetime as dt
from base64 import b32encode
from dataclasses import dataclass

import segno
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cecloud.core.audit import audit_log

from .models import User
from .password_policy import is_staff_account

SESSION_VERIFIED = "staff_2fa_verified"
SESSION_NEW_CODES = "staff_2fa_new_codes"
TOTP_NAME = "身份验证器"
RECOVERY_NAME = "恢复码"


def required_for(user) -> bool:
    """Whether this (authenticated) account must pass the second factor."""
    return bool(getattr(settings, "CECLOUD_STAFF_2FA", True)) and is_staff_account(user)


def session_token(user) -> str:
    return f"{user.pk}:{user.two_factor_epoch}"


def is_verified(request) -> bool:
    return request.session.get(SESSION_VERIFIED) == session_token(request.user)


def mark_verified(request, user, device=None) -> None:
    """The session passed the second factor: a new session key (no fixation across the two steps)."""
    request.session.cycle_key()
    request.session[SESSION_VERIFIED] = session_token(user)
    if device is not None:
        request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id


def confirmed_totp(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def pending_totp(user) -> TOTPDevice:
    """The unconfirmed device being enrolled (made once, with a fresh random key)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def manual_key(device: TOTPDevice) -> str:
    """The key as typed into an authenticator app: base32 in groups of four."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_svg(device: TOTPDevice) -> SafeString:
    """The ``otpauth://`` URI as an inline SVG QR code (no script, no style attribute, no CDN)."""
    svg = segno.make(device.config_url, error="m").svg_inline(scale=5, border=2, title="二次验证二维码")
    return mark_safe(svg)  # noqa: S308 - segno's own markup of our own URI


def remaining_recovery_codes(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- Verifying a code -------------------------------------------------------------------------------------


@dataclass
class Result:
    ok: bool
    message: str = ""
    method: str = ""  # "totp" | "recovery_code"
    locked_until: dt.datetime | None = None


def _max_failures() -> int:
    return max(1, int(getattr(settings, "CECLOUD_STAFF_2FA_MAX_FAILURES", 5)))


def _lockout() -> dt.timedelta:
    return dt.timedelta(minutes=max(1, int(getattr(settings, "CECLOUD_STAFF_2FA_LOCKOUT_MINUTES", 15))))


def locked_until(device: TOTPDevice | None) -> dt.datetime | None:
    """When the account may try codes again after too many wrong ones (None: it may now)."""
    if device is None or device.throttling_failure_count < _max_failures() or not device.throttling_failure_timestamp:
        return None
    until = device.throttling_failure_timestamp + _lockout()
    return until if until > timezone.now() else None


def locked_message(until: dt.datetime) -> str:
    return f"验证码错误次数过多，请于 {timezone.localtime(until):%H:%M} 后再试"


def normalise_code(code: str) -> str:
    return "".join(str(code or "").split()).lower()


def _check(user: User, totp: TOTPDevice, code: str) -> str:
    """Check ``code`` against the TOTP device, then the recovery codes: the method that accepted it, or ""."""
    if code.isdigit() and len(code) == totp.digits:
        return "totp" if totp.verify_token(code) else ""
    for device in StaticDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(code):
            totp.throttle_reset(commit=True)
            return "recovery_code"
    totp.throttle_increment(commit=True)
    return ""


def verify(request, user: User, code: str, *, device: TOTPDevice | None = None) -> Result:
    """Check a login's code (or, with ``device``, the code confirming an enrolment); audit the outcome."""
    code = normalise_code(code)
    enrolling = device is not None
    with transaction.atomic():
        target = device or confirmed_totp(user)
        totp = TOTPDevice.objects.select_for_update().filter(pk=target.pk).first() if target else None
        if totp is None:
            return Result(False, "请先绑定身份验证器")
        until = locked_until(totp)
        if until is not None:
            return Result(False, locked_message(until), locked_until=until)
        method = "totp" if enrolling and totp.verify_token(code) else ("" if enrolling else _check(user, totp, code))
        if method:
            return Result(True, method=method)
        until = locked_until(totp)
        left = _max_failures() - totp.throttling_failure_count
        audit_log(
            event_type="account.2fa_locked" if until else "account.login_failed",
            actor=user,
            subject=user,
            extra_data={"stage": "enrolment" if enrolling else "second_factor", "reason": "wrong_code"},
            request=request,
        )
    if until is not None:
        return Result(False, locked_message(until), locked_until=until)
    return Result(False, f"验证码错误，还可尝试 {left} 次")


@transaction.atomic
def confirm_enrolment(request, user: User, device: TOTPDevice) -> list[str]:
    """The first right code confirmed ``device``: keep it as the only TOTP device and make recovery codes."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = new_recovery_codes(user)
    audit_log(event_type="account.2fa_enrolled", actor=user, subject=user, request=request)
    return codes


def new_recovery_codes(user: User) -> list[str]:
    """Replace the account's recovery codes with a new set (each usable once)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    count = max(1, int(getattr(settings, "CECLOUD_STAFF_RECOVERY_CODES", 10)))
    codes = []
    while len(codes) < count:
        token = StaticToken.random_token()
        if token not in codes:
            codes.append(token)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=token) for token in codes)
    return codes


@transaction.atomic
def reset(*, user: User, actor, request=None) -> None:
    """An operator resets a staff account's two-factor login (lost phone): devices deleted, sessions unverified.

    The next login enrols a new authenticator."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    User.objects.filter(pk=user.pk).update(two_factor_epoch=F("two_factor_epoch") + 1)
    user.refresh_from_db(fields=["two_factor_epoch"])
    audit_log(event_type="account.2fa_reset", actor=actor, subject=user, request=request)


def record_login(request, user, *, method: str) -> None:
    """The login notification of the audit trail (every successful login, learners' and staff's)."""
    audit_log(
        event_type="account.login",
        actor=user,
        subject=user,
        extra_data={"role": user.role, "method": method},
        request=request,
    )
