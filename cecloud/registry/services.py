"""Registry writes: applications to join the registry (入库申请) and correction requests (修改信息).

Reviewers are operators (everything) and the unit HR of the unit concerned: for an application,
the unit its 工作单位 matched when it was submitted; for a correction, the person's current unit.
Approving applies the change in one transaction with a PersonHistory row and an audit entry;
the SMS notice goes out after commit. Rejecting records the reason.

Enumeration: the public application form answers every well-formed submission the same way
("申请已提交，审核结果将以短信通知"), whether the ID number is new, already in the registry, or
already has a pending application, so the form cannot be used to learn who is in the registry.
An ID already in the registry gets no application; instead the phone on file (not the one typed
in the form) is told, at most once a day, that the person can log in directly.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from cecloud.core.audit import audit_log
from cecloud.core.errors import ConflictError, PermissionDeniedError, ServiceError
from cecloud.core.ids import validate_id_number
from cecloud.core.masking import mask_id_number
from cecloud.core.roles import Role
from cecloud.core.text import is_valid_phone
from cecloud.notifications.services import sms_notify

from .models import (
    Application,
    CorrectionRequest,
    Grade,
    Person,
    PersonHistory,
    PersonStatus,
    Region,
    RequestStatus,
    Unit,
)
from .selectors import find_unit, is_operator

SMS_REASON_MAX = 30  # providers cap a template variable's length


def person_snapshot(person: Person, fields=None) -> dict:
    data = {
        "name": person.name,
        "phone": person.phone,
        "unit": person.unit.name,
        "unit_id": person.unit_id,
        "region": person.region.full_name,
        "region_id": person.region_id,
        "grade": person.grade,
        "post": person.post,
        "status": person.status,
    }
    if fields is None:
        return data
    keep = set(fields) | {f"{f}_id" for f in fields if f in ("unit", "region")}
    return {k: v for k, v in data.items() if k in keep}


# --- Person history: its one writer -----------------------------------------------------------------
HISTORY_FIELDS = ("name", "phone", "unit", "region", "grade", "post", "status")
HISTORY_COLUMNS = ("person_id", "changed_at", "changed_by_id", "source", "before", "after")


def person_history_record(
    entries: Iterable[tuple[int, dict, dict]], *, source: str, actor=None, changed_at=None, copy=None
) -> int:
    """Write PersonHistory rows, (person id, before, after) each — the only place that does, for
    back-office edits, imports, approved applications and corrections. ``copy`` (the registry
    import on PostgreSQL) streams the rows, in ``HISTORY_COLUMNS`` order, through the import's own
    connection instead of the ORM, stamped ``changed_at``. Returns how many rows were written."""
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    entries = list(entries)
    if copy is not None:
        at, dump = changed_at or timezone.now(), partial(json.dumps, ensure_ascii=False)
        rows = ((pk, at, actor_id, source, dump(b), dump(a)) for pk, b, a in entries)
        copy(PersonHistory._meta.db_table, HISTORY_COLUMNS, rows)
        return len(entries)
    PersonHistory.objects.bulk_create(  # changed_at: stamped by the model (auto_now_add)
        [PersonHistory(person_id=pk, changed_by_id=actor_id, source=source, before=b, after=a) for pk, b, a in entries],
        batch_size=1000,
    )
    return len(entries)


@transaction.atomic
def person_save(*, person: Person, changed_fields, actor, source: str = "admin") -> Person:
    """Save a person added or edited through a form (the back office), with one history row of
    the changed fields when an existing person changed."""
    fields = [f for f in HISTORY_FIELDS if f in changed_fields]
    before = None
    if person.pk is not None and fields:
        current = Person.objects.select_for_update(of=("self",)).select_related("unit", "region__parent")
        before = person_snapshot(current.get(pk=person.pk), fields)
    person.save()
    if before is not None:
        saved = Person.objects.select_related("unit", "region__parent").get(pk=person.pk)
        person_history_record([(person.pk, before, person_snapshot(saved, fields))], source=source, actor=actor)
    return person


def unit_resolve(*, name: str, region: Region) -> Unit:
    """The existing unit (see ``find_unit``) or a new one in ``region``; safe under concurrency."""
    found = find_unit(name=name, region=region)
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Unit.objects.create(name=name, region=region)
    except IntegrityError:  # created meanwhile by someone else
        return Unit.objects.get(name=name, region=region)


def _short(reason: str) -> str:
    return reason if len(reason) <= SMS_REASON_MAX else reason[: SMS_REASON_MAX - 1] + "…"


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请填写驳回原因")
    if len(reason) > 200:
        raise ServiceError("驳回原因不能超过200字")
    return reason


# --- Applications ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmitOutcome:
    """What happened, for tests and the audit trail; the applicant is shown the same page for all."""

    kind: str  # created | in_registry | duplicate_pending
    application: Application | None = None


def application_submit(
    *,
    name: str,
    id_number: str,
    phone: str,
    unit_name: str,
    region: Region,
    grade: str,
    post: str,
    request=None,
) -> SubmitOutcome:
    id_number = validate_id_number(id_number)  # the form validated already; services do not trust callers
    if not is_valid_phone(phone):
        raise ServiceError("手机号格式错误")
    if grade not in Grade.values:
        raise ServiceError("技术等级无效")
    existing = Person.objects.filter(id_number=id_number).only("id", "phone", "status").first()
    if existing is not None:
        audit_log(
            event_type="registry.application_in_registry",
            subject=existing,
            extra_data={"id_number": mask_id_number(id_number)},
            request=request,
        )
        if (
            existing.phone
            and existing.is_active
            and cache.add(f"registry:already-registered:{existing.pk}", 1, timeout=24 * 3600)
        ):
            sms_notify(phone=existing.phone, template="already_registered")
        return SubmitOutcome("in_registry")
    try:
        with transaction.atomic():
            application = Application.objects.create(
                name=name,
                id_number=id_number,
                phone=phone,
                unit_name=unit_name,
                unit=find_unit(name=unit_name, region=region),
                region=region,
                grade=grade,
                post=post,
            )
            audit_log(event_type="registry.application_submitted", subject=application, request=request)
    except IntegrityError:  # one pending application per ID number (database constraint)
        audit_log(
            event_type="registry.application_duplicate",
            subject_type="registry.application",
            subject_repr=mask_id_number(id_number),
            request=request,
        )
        return SubmitOutcome("duplicate_pending")
    return SubmitOutcome("created", application)


def can_review_application(*, user, application: Application) -> bool:
    if is_operator(user):
        return True
    return bool(getattr(user, "role", None) == Role.UNIT_HR and user.unit_id and user.unit_id == application.unit_id)


def _review(model, obj, *, to: str, actor, can_review) -> Application | CorrectionRequest:
    """Lock a pending application or correction for review (``REQUEST_TRANSITIONS``): refused once
    reviewed (ConflictError), or when ``actor`` may not review it."""
    locked = model.states.lock(obj, to=to)
    if not can_review(actor, locked):
        raise PermissionDeniedError("无权审核该申请")
    return locked


def _may_review_application(user, application: Application) -> bool:
    return can_review_application(user=user, application=application)


def _may_review_correction(user, correction: CorrectionRequest) -> bool:
    return can_review_correction(user=user, correction=correction)


def _reject(obj: Application | CorrectionRequest, *, actor, reason: str, request):
    """The one reject path of applications and corrections: PENDING → REJECTED with the reason."""
    reason = _clean_reason(reason)
    model = type(obj)
    kind, can_review = {
        Application: ("application", _may_review_application),
        CorrectionRequest: ("correction", _may_review_correction),
    }[model]
    locked = _review(model, obj, to=RequestStatus.REJECTED, actor=actor, can_review=can_review)
    return model.states.apply(
        locked,
        RequestStatus.REJECTED,
        actor=actor,
        event_type=f"registry.{kind}_rejected",
        data={"reason": reason},
        request=request,
        fields={"reviewed_at": timezone.now(), "reviewed_by": actor, "reject_reason": reason},
    )


@transaction.atomic
def application_approve(*, application: Application, actor, request=None) -> Person:
    application = _review(
        Application, application, to=RequestStatus.APPROVED, actor=actor, can_review=_may_review_application
    )
    unit = application.unit or unit_resolve(name=application.unit_name, region=application.region)
    try:
        with transaction.atomic():
            person = Person.objects.create(
                name=application.name,
                id_number=application.id_number,
                phone=application.phone,
                unit=unit,
                region=application.region,
                grade=application.grade,
                post=application.post,
                status=PersonStatus.ACTIVE,
            )
    except IntegrityError:
        raise ConflictError("该身份证号已在人员库中，无需入库，请驳回此申请") from None
    person_history_record([(person.pk, {}, person_snapshot(person))], source="application", actor=actor)
    Application.states.apply(
        application,
        RequestStatus.APPROVED,
        actor=actor,
        event_type="registry.application_approved",
        data={"person_id": person.pk, "unit_id": unit.pk},
        request=request,
        fields={"reviewed_at": timezone.now(), "reviewed_by": actor, "person": person, "unit": unit},
    )
    sms_notify(phone=application.phone, template="application_approved", params={"name": application.name})
    return person


@transaction.atomic
def application_reject(*, application: Application, actor, reason: str, request=None) -> Application:
    application = _reject(application, actor=actor, reason=reason, request=request)
    reason = application.reject_reason
    sms_notify(
        phone=application.phone,
        template="application_rejected",
        params={"name": application.name, "reason": _short(reason), "hotline": settings.CECLOUD_HOTLINE},
    )
    return application


# --- Corrections --------------------------------------------------------------------------------


def _validate_changes(changes: dict) -> dict:
    unknown = set(changes) - set(CorrectionRequest.FIELDS)
    if unknown:
        raise ServiceError("修改内容无效")
    if not changes:
        raise ServiceError("您没有修改任何信息")
    if "phone" in changes and not is_valid_phone(changes["phone"]):
        raise ServiceError("手机号格式错误，应为11位手机号")
    if "grade" in changes and changes["grade"] not in Grade.values:
        raise ServiceError("技术等级无效")
    if "region" in changes and not Region.objects.filter(pk=changes["region"]).exclude(level="province").exists():
        raise ServiceError("所属地区无效")
    for field in ("name", "unit"):
        if field in changes and not str(changes[field]).strip():
            raise ServiceError("修改内容不能为空")
    return changes


def correction_submit(
    *, person: Person, changes: dict, reason: str = "", actor=None, request=None
) -> CorrectionRequest:
    changes = _validate_changes(dict(changes))
    try:
        with transaction.atomic():
            correction = CorrectionRequest.objects.create(person=person, changes=changes, reason=reason[:200])
            audit_log(
                event_type="registry.correction_submitted",
                actor=actor,
                subject=correction,
                extra_data={"fields": sorted(changes)},
                request=request,
            )
    except IntegrityError:  # one pending request per person (database constraint)
        raise ConflictError("您已有待审核的信息修改申请，请等待审核结果") from None
    return correction


def can_review_correction(*, user, correction: CorrectionRequest) -> bool:
    if is_operator(user):
        return True
    return bool(
        getattr(user, "role", None) == Role.UNIT_HR and user.unit_id and user.unit_id == correction.person.unit_id
    )


@transaction.atomic
def correction_approve(*, correction: CorrectionRequest, actor, request=None) -> Person:
    correction = CorrectionRequest.states.lock(correction, to=RequestStatus.APPROVED)
    person = (
        Person.objects.select_for_update(of=("self",))
        .select_related("unit", "region__parent")
        .get(pk=correction.person_id)
    )
    correction.person = person
    if not can_review_correction(user=actor, correction=correction):
        raise PermissionDeniedError("无权审核该申请")
    changes = _validate_changes(dict(correction.changes))
    fields = [f for f in CorrectionRequest.FIELDS if f in changes]
    before = person_snapshot(person, fields)
    if "region" in changes:
        person.region = Region.objects.get(pk=changes["region"])
    if "unit" in changes:
        person.unit = unit_resolve(name=str(changes["unit"]).strip(), region=person.region)
    for field in ("name", "phone", "grade", "post"):
        if field in changes:
            setattr(person, field, str(changes[field]).strip())
    person.save()
    after = person_snapshot(person, fields)
    person_history_record([(person.pk, before, after)], source="correction", actor=actor)
    user_updates = {}
    if "name" in changes:
        user_updates["display_name"] = person.name
    if "phone" in changes:
        user_updates["phone"] = person.phone
    if user_updates:
        get_user_model().objects.filter(person=person).update(**user_updates)
    CorrectionRequest.states.apply(
        correction,
        RequestStatus.APPROVED,
        actor=actor,
        event_type="registry.correction_approved",
        data={"fields": fields, "person_id": person.pk},
        request=request,
        fields={"reviewed_at": timezone.now(), "reviewed_by": actor},
    )
    sms_notify(phone=person.phone, template="correction_approved", params={"name": person.name})
    return person


@transaction.atomic
def correction_reject(*, correction: CorrectionRequest, actor, reason: str, request=None) -> CorrectionRequest:
    correction = _reject(correction, actor=actor, reason=reason, request=request)
    reason = correction.reject_reason
    person = correction.person
    sms_notify(
        phone=person.phone, template="correction_rejected", params={"name": person.name, "reason": _short(reason)}
    )
    return correction
