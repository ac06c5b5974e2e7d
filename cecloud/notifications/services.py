"""Sending SMS and issuing/checking verification codes (requirements S1).

Codes: 6 digits, valid 5 minutes, single use, void after 3 wrong entries, stored as a keyed
hash (HMAC-SHA256 with the secret key and a per-code salt: a leaked table cannot be brute-forced
without the key). Sending limits per phone, whatever the purpose: one code per 60 seconds, 5 in
any hour, 10 in any 24 hours (sliding windows; Aliyun's defaults). Concurrency: the phone's
``PhoneThrottle`` row is locked while the limits are checked and the code row is written; a code
is consumed with a conditional UPDATE, so two correct entries at once succeed once.

The provider call for a code happens after the limit transaction commits (no row lock is held
across a network call); a failed send marks the code ``failed`` and is not counted against the
hourly/daily limits (the 60-second interval still applies).
"""

from __future__ import annotations

import enum
import logging
import math
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from cecloud.core.errors import ServiceError
from cecloud.core.masking import mask_phone

from . import events
from .models import PhoneThrottle, SmsLog, VerificationCode
from .senders import SmsError, SmsResult, get_sender

logger = logging.getLogger(__name__)

CODE_LENGTH = 6
CODE_TTL = timedelta(minutes=5)
RESEND_INTERVAL = timedelta(seconds=60)
HOURLY_LIMIT = 5
DAILY_LIMIT = 10
MAX_ATTEMPTS = 3
VERIFY_TEMPLATE = "verify_code"


class SendRefused(ServiceError):
    code = "sms_limit"

    def __init__(self, message: str, *, retry_after: int = 0):
        super().__init__(message)
        self.retry_after = retry_after


# --- Sending -----------------------------------------------------------------------------------


def sms_deliver(*, phone: str, template: str, params: dict[str, str]) -> SmsResult:
    """Send now through the configured sender and record it (without parameters)."""
    backend = settings.SMS_BACKEND
    now = timezone.now()
    try:
        result = get_sender().send(phone, template, params)
    except SmsError as exc:
        SmsLog.objects.create(
            phone=phone,
            template=template,
            backend=backend,
            status=SmsLog.Status.FAILED,
            error_code=exc.code[:64],
            error=exc.message[:200],
            created_at=now,
        )
        logger.warning("sms failed", extra={"phone": mask_phone(phone), "template": template, "error_code": exc.code})
        raise
    SmsLog.objects.create(
        phone=phone,
        template=template,
        backend=backend,
        status=SmsLog.Status.SENT,
        provider_id=result.provider_id[:64],
        created_at=now,
    )
    logger.info("sms sent", extra={"phone": mask_phone(phone), "template": template, "backend": backend})
    return result


def sms_notify(*, phone: str, template: str, params: dict[str, str] | None = None) -> None:
    """Queue a notice (approval results…) to be sent once the current transaction commits.

    A failing provider never undoes or breaks the change that triggered the notice: the task
    records the failure (and Celery retries transient ones in production).
    """
    if not phone:
        return
    payload = {k: str(v) for k, v in (params or {}).items()}
    events.sms_notice_requested.publish_on_commit(robust=True, phone=phone, template=template, params=payload)


# --- Verification codes -------------------------------------------------------------------------


def _hash(code: str, salt: str) -> str:
    return salted_hmac("cecloud.notifications.verification_code", f"{salt}:{code}", algorithm="sha256").hexdigest()


def _lock_phone(phone: str) -> None:
    PhoneThrottle.objects.bulk_create([PhoneThrottle(phone=phone)], ignore_conflicts=True)
    PhoneThrottle.objects.select_for_update().get(phone=phone)


def _check_limits(phone: str, now) -> None:
    sent = VerificationCode.objects.filter(phone=phone)
    last = sent.order_by("-created_at").values_list("created_at", flat=True).first()
    if last is not None and now - last < RESEND_INTERVAL:
        wait = max(1, math.ceil((RESEND_INTERVAL - (now - last)).total_seconds()))
        raise SendRefused(f"验证码发送过于频繁，请{wait}秒后再试", retry_after=wait)
    counted = sent.exclude(state=VerificationCode.State.FAILED)
    if counted.filter(created_at__gt=now - timedelta(hours=1)).count() >= HOURLY_LIMIT:
        raise SendRefused("该手机号1小时内获取验证码次数已达上限，请稍后再试", retry_after=3600)
    if counted.filter(created_at__gt=now - timedelta(hours=24)).count() >= DAILY_LIMIT:
        raise SendRefused(
            f"该手机号24小时内获取验证码次数已达上限，请明天再试或联系客服：{settings.CECLOUD_HOTLINE}",
            retry_after=86400,
        )


def code_send(*, phone: str, purpose: str, scope: str = "") -> VerificationCode:
    """Issue a new code for (phone, purpose, scope) and send it; raises SendRefused or ServiceError."""
    now = timezone.now()
    code = f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"
    salt = secrets.token_hex(8)
    with transaction.atomic():
        _lock_phone(phone)
        _check_limits(phone, now)
        VerificationCode.objects.filter(
            phone=phone, purpose=purpose, scope=scope, state=VerificationCode.State.ACTIVE
        ).update(state=VerificationCode.State.SUPERSEDED)
        row = VerificationCode.objects.create(
            phone=phone,
            purpose=purpose,
            scope=scope,
            salt=salt,
            code_hash=_hash(code, salt),
            created_at=now,
            expires_at=now + CODE_TTL,
        )
    try:
        sms_deliver(phone=phone, template=VERIFY_TEMPLATE, params={"code": code})
    except SmsError as exc:
        VerificationCode.objects.filter(pk=row.pk, state=VerificationCode.State.ACTIVE).update(
            state=VerificationCode.State.FAILED
        )
        message = "短信发送过于频繁，请稍后再试" if exc.code.endswith("LIMIT_CONTROL") else "短信发送失败，请稍后再试"
        raise ServiceError(f"{message}；如仍无法接收可联系客服：{settings.CECLOUD_HOTLINE}", code="sms_failed")
    return row


class CheckOutcome(enum.Enum):
    OK = "ok"
    NONE = "none"
    EXPIRED = "expired"
    WRONG = "wrong"
    VOIDED = "voided"


@dataclass(frozen=True)
class CheckResult:
    outcome: CheckOutcome
    attempts_left: int = 0

    @property
    def ok(self) -> bool:
        return self.outcome is CheckOutcome.OK

    @property
    def message(self) -> str:
        return {
            CheckOutcome.OK: "",
            CheckOutcome.NONE: "验证码无效，请先获取验证码",
            CheckOutcome.EXPIRED: "验证码已过期，请重新获取",
            CheckOutcome.WRONG: f"验证码错误，还可输入{self.attempts_left}次",
            CheckOutcome.VOIDED: "验证码错误次数过多，已失效，请重新获取",
        }[self.outcome]


def code_check(*, phone: str, purpose: str, scope: str = "", code: str) -> CheckResult:
    """Check and (when right) consume the active code. Wrong entries are counted even though the
    caller is refused, so nothing here raises inside the transaction."""
    now = timezone.now()
    code = (code or "").strip()
    with transaction.atomic():
        row = (
            VerificationCode.objects.select_for_update()
            .filter(phone=phone, purpose=purpose, scope=scope, state=VerificationCode.State.ACTIVE)
            .first()
        )
        if row is None:
            return CheckResult(CheckOutcome.NONE)
        if row.expires_at <= now:
            VerificationCode.objects.filter(pk=row.pk).update(state=VerificationCode.State.EXPIRED)
            return CheckResult(CheckOutcome.EXPIRED)
        if len(code) == CODE_LENGTH and code.isdigit() and constant_time_compare(_hash(code, row.salt), row.code_hash):
            used = VerificationCode.objects.filter(pk=row.pk, state=VerificationCode.State.ACTIVE).update(
                state=VerificationCode.State.USED, used_at=now
            )
            return CheckResult(CheckOutcome.OK if used else CheckOutcome.NONE)
        attempts = row.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            VerificationCode.objects.filter(pk=row.pk).update(
                attempts=F("attempts") + 1, state=VerificationCode.State.VOIDED
            )
            return CheckResult(CheckOutcome.VOIDED)
        VerificationCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
        return CheckResult(CheckOutcome.WRONG, attempts_left=MAX_ATTEMPTS - attempts)


def seconds_until_resend(*, phone: str) -> int:
    """For the page's countdown: 0 when a new code may be requested now."""
    last = VerificationCode.objects.filter(phone=phone).order_by("-created_at").values_list("created_at", flat=True)
    last = last.first()
    if last is None:
        return 0
    remaining = (RESEND_INTERVAL - (timezone.now() - last)).total_seconds()
    return max(0, math.ceil(remaining))
