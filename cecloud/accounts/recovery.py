"""找回密码 (requirements S1), the manual's four steps: 1 核认身份 → 2 验证真实性 → 3 重置密码 → 4 完成.

* Step 1 takes the name and the ID number (登录帐号) with an image captcha. A wrong name for an
  existing ID and an unknown ID give the same message, so the page never tells someone who does
  not know the name whether an ID number is in the registry.
* Step 2 shows the registry's phone masked and sends a 6-digit code through the SMS sender
  (limits and storage: ``cecloud.notifications.services``); no usable phone → the hotline.
* Step 3 sets the new password with the same strength rules as 修改密码 (and logs out every
  other session); someone who has never logged in gets their account created here. The login
  lockout (django-axes) for that ID number is lifted.
* Step 4 confirms and links to the login box.

The flow lives in the server-side session: the person, the step reached, a random flow nonce
and timestamps. Every form also carries a signed step token (nonce + step) that must match the
session, so steps cannot be skipped, replayed from an old tab, or mixed between two flows.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from cecloud.core.audit import audit_log
from cecloud.core.errors import ServiceError
from cecloud.core.roles import Role
from cecloud.core.text import is_valid_phone, normalize_text
from cecloud.core.throttle import Throttle, Verdict, retry_message
from cecloud.notifications import services as sms
from cecloud.registry.models import Person, PersonStatus

from .lockout import lockout_reset
from .models import User
from .services import user_change_password

logger = logging.getLogger(__name__)

SESSION_KEY = "cecloud_recover"
TOKEN_SALT = "cecloud.accounts.recover.step"
PURPOSE = "password_reset"
FLOW_TTL = 30 * 60  # seconds from step 1 to the end of step 3
VERIFIED_TTL = 10 * 60  # seconds from a correct code to the new password

IDENTIFIED = "identified"
VERIFIED = "verified"
DONE = "done"
STEP_NUMBER = {IDENTIFIED: 2, VERIFIED: 3, DONE: 4}

IDENTITY_FAILED = "姓名或身份证号有误，请核对后重新输入"

# Every form post of the four steps, per client IP; failed 核认身份 per ID number (from anywhere), so
# that nobody can try name after name for one ID. An unknown ID counts the same (the answer is the same).
RECOVER_IP = Throttle("recover_ip", default="60/10m", message="找回密码操作过于频繁")
RECOVER_ID = Throttle("recover_id", default="5/1h", message="该身份证号核认身份失败次数过多")


def _now() -> float:
    return timezone.now().timestamp()


@dataclass(frozen=True)
class Flow:
    person_id: int
    step: str
    nonce: str
    started_at: float
    verified_at: float | None = None

    @property
    def token(self) -> str:
        return signing.dumps({"n": self.nonce, "s": self.step}, salt=TOKEN_SALT)

    def person(self) -> Person | None:
        return Person.objects.select_related("unit").filter(pk=self.person_id).first()


def _save(request, flow: Flow) -> None:
    request.session[SESSION_KEY] = {
        "pid": flow.person_id,
        "step": flow.step,
        "nonce": flow.nonce,
        "started": flow.started_at,
        "verified": flow.verified_at,
    }


def clear(request) -> None:
    request.session.pop(SESSION_KEY, None)


def current(request, step: str, *, token: str | None = None) -> Flow | None:
    """The flow if it is at ``step`` and still fresh; with ``token`` (POSTs), only if it matches."""
    data = request.session.get(SESSION_KEY)
    if not isinstance(data, dict) or data.get("step") != step:
        return None
    flow = Flow(
        person_id=data["pid"],
        step=data["step"],
        nonce=data["nonce"],
        started_at=data["started"],
        verified_at=data.get("verified"),
    )
    now = _now()
    if step != DONE and now - flow.started_at > FLOW_TTL:
        return None
    if step == VERIFIED and (flow.verified_at is None or now - flow.verified_at > VERIFIED_TTL):
        return None
    if token is not None:
        try:
            payload = signing.loads(token, salt=TOKEN_SALT, max_age=FLOW_TTL)
        except signing.BadSignature:
            return None
        if payload != {"n": flow.nonce, "s": step}:
            return None
    return flow


def reached_step(request) -> str | None:
    data = request.session.get(SESSION_KEY)
    return data.get("step") if isinstance(data, dict) else None


# --- Step 1: 核认身份 -------------------------------------------------------------------------------


class IdentityError(Exception):
    def __init__(self, message: str, verdict: Verdict | None = None):
        super().__init__(message)
        self.message = message
        self.verdict = verdict  # set when refused by the RECOVER_ID throttle (HTTP 429)


def identify(request, *, name: str, id_number: str) -> Flow:
    """Start a flow for the registry person with this name and ID number, or raise IdentityError
    with the same message whether the ID is unknown or the name is wrong. Past RECOVER_ID failed
    attempts for the ID number, IdentityError carries the throttle's verdict."""
    verdict = RECOVER_ID.hit(id_number)
    if not verdict.allowed:
        raise IdentityError(retry_message(RECOVER_ID.message, verdict), verdict)
    person = Person.objects.filter(id_number=id_number).first()
    given = normalize_text(name).replace(" ", "")
    if person is None or not secrets.compare_digest(person.name.encode(), given.encode()):
        audit_log(
            event_type="account.recover_identity_failed",
            subject_type="registry.person",
            subject_repr=id_number[:3] + "***" + id_number[-2:],
            request=request,
        )
        raise IdentityError(IDENTITY_FAILED)
    RECOVER_ID.refund(id_number)  # only wrong names count
    if person.status != PersonStatus.ACTIVE:
        raise IdentityError("该帐号当前不可用（非在岗），如有疑问请联系所在单位或客服")
    flow = Flow(person_id=person.pk, step=IDENTIFIED, nonce=secrets.token_urlsafe(16), started_at=_now())
    _save(request, flow)
    audit_log(event_type="account.recover_identified", subject=person, request=request)
    return flow


# --- Step 2: 验证真实性 -------------------------------------------------------------------------------


def bound_phone(person: Person) -> str | None:
    phone = (person.phone or "").strip()
    return phone if is_valid_phone(phone) else None


def _scope(person: Person) -> str:
    return f"person:{person.pk}"


def send_code(*, person: Person) -> None:
    """Raises ServiceError (SendRefused for the limits) with a message for the page."""
    phone = bound_phone(person)
    if phone is None:  # the page offers no button then; a forged POST gets the same answer
        raise ServiceError("未绑定手机号或手机号有误，无法发送验证码")
    sms.code_send(phone=phone, purpose=PURPOSE, scope=_scope(person))


def seconds_until_resend(*, person: Person) -> int:
    phone = bound_phone(person)
    return sms.seconds_until_resend(phone=phone) if phone else 0


def verify_code(request, flow: Flow, *, person: Person, code: str) -> sms.CheckResult:
    phone = bound_phone(person)
    if phone is None:
        return sms.CheckResult(sms.CheckOutcome.NONE)
    result = sms.code_check(phone=phone, purpose=PURPOSE, scope=_scope(person), code=code)
    if result.ok:
        _save(
            request,
            Flow(
                person_id=flow.person_id,
                step=VERIFIED,
                nonce=flow.nonce,
                started_at=flow.started_at,
                verified_at=_now(),
            ),
        )
        audit_log(event_type="account.recover_verified", subject=person, request=request)
    return result


# --- Step 3: 重置密码 -------------------------------------------------------------------------------


def account_for(person: Person) -> User:
    """The learner's account, or an unsaved one (for the password validators) if never logged in."""
    user = User.objects.filter(person=person).first()
    return user or User(username=person.id_number, display_name=person.name, role=Role.LEARNER, person=person)


@transaction.atomic
def _set_password(*, person: Person, new_password: str) -> User:
    user = User.objects.select_for_update().filter(person=person).first()
    if user is None:
        try:
            with transaction.atomic():
                user = User.for_learner(person)
                user.set_unusable_password()
                user.save()
        except IntegrityError:  # a first login created it meanwhile
            user = User.objects.select_for_update().get(person=person)
    user_change_password(user=user, new_password=new_password)
    return user


def reset_password(request, flow: Flow, *, person: Person, new_password: str) -> User:
    """Set the new password (other sessions end), lift the login lockout, move the flow to 完成."""
    user = _set_password(person=person, new_password=new_password)
    audit_log(event_type="account.password_recovered", actor=None, subject=user, request=request)
    lockout_reset(request, person.id_number)
    _save(
        request,
        Flow(person_id=flow.person_id, step=DONE, nonce=flow.nonce, started_at=flow.started_at),
    )
    return user
