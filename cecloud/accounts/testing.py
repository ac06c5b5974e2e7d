"""Test helpers for staff logins (used by the test-wide conftest and the browser tests)."""

from __future__ import annotations

import time

from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import otp

_force_login = Client.force_login


def verified_force_login(self, user, backend=None):
    """``Client.force_login`` skips authentication, so for a staff account it skips the second factor too.

    The root conftest installs this in place of ``Client.force_login``; tests of the real login go
    through the staff login page and a TOTP code (``totp_code``)."""
    _force_login(self, user, backend)
    if otp.required_for(user):
        session = self.session
        session[otp.SESSION_VERIFIED] = otp.session_token(user)
        session.save()


def give_totp(user, key: str | None = None) -> TOTPDevice:
    """A confirmed authenticator for ``user`` (a hex key, random when not given)."""
    fields = {"key": key} if key else {}
    return TOTPDevice.objects.create(user=user, name=otp.TOTP_NAME, confirmed=True, **fields)


def totp_code(device_or_hex_key, *, steps_ahead: int = 0) -> str:
    """The 6-digit code of a device (or a hex key) now, or ``steps_ahead`` 30-second steps later.

    A code is accepted once per time step; a second login within the same 30 s uses ``steps_ahead=1``
    (within the device's tolerance of one step)."""
    key = device_or_hex_key.bin_key if isinstance(device_or_hex_key, TOTPDevice) else bytes.fromhex(device_or_hex_key)
    totp = TOTP(key, step=30, t0=0, digits=6)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def hex_key_from_manual(manual_key: str) -> str:
    """The hex key behind the base32 manual key shown on the enrolment page."""
    from base64 import b32decode

    text = "".join(manual_key.split()).upper()
    return b32decode(text + "=" * (-len(text) % 8)).hex()
