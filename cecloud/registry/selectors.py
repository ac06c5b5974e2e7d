"""Registry reads: regions for forms, review queues scoped to the reviewer, request display."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from cecloud.core.roles import Role

from .models import Application, CorrectionRequest, Grade, Person, Region, RequestStatus, Unit


def cities() -> QuerySet[Region]:
    return Region.objects.filter(level=Region.Level.CITY).order_by("sort_order", "code")


def counties(*, city: Region | None) -> QuerySet[Region]:
    if city is None:
        return Region.objects.none()
    return Region.objects.filter(parent=city, level=Region.Level.COUNTY).order_by("sort_order", "code")


def region_by_code(code: str) -> Region | None:
    if not code:
        return None
    return Region.objects.filter(code=code).select_related("parent").first()


def find_unit(*, name: str, region: Region) -> Unit | None:
    """The unit with this exact name in the region; else the only one with this name in the same
    city (city-level units are often written with a county as the region, and vice versa)."""
    exact = Unit.objects.filter(region=region, name=name).first()
    if exact is not None:
        return exact
    city = region.city
    if city is None:
        return None
    candidates = list(
        Unit.objects.filter(name=name, region__in=Region.objects.filter(pk=city.pk) | city.children.all())[:2]
    )
    return candidates[0] if len(candidates) == 1 else None


# --- Review queues ----------------------------------------------------------------------------


def is_operator(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (user.role == Role.OPERATOR or user.is_superuser)


def applications_for_reviewer(*, user, status: str | None = RequestStatus.PENDING) -> QuerySet[Application]:
    qs = Application.objects.select_related("region__parent", "unit", "reviewed_by")
    if status:
        qs = qs.filter(status=status)
    if is_operator(user):
        return qs
    if getattr(user, "role", None) == Role.UNIT_HR and user.unit_id:
        return qs.filter(unit_id=user.unit_id)
    return qs.none()


def corrections_for_reviewer(*, user, status: str | None = RequestStatus.PENDING) -> QuerySet[CorrectionRequest]:
    qs = CorrectionRequest.objects.select_related("person__unit", "person__region__parent", "reviewed_by")
    if status:
        qs = qs.filter(status=status)
    if is_operator(user):
        return qs
    if getattr(user, "role", None) == Role.UNIT_HR and user.unit_id:
        return qs.filter(person__unit_id=user.unit_id)
    return qs.none()


def application_for_reviewer(*, user, pk: int) -> Application:
    """404 (not 403) for a request outside the reviewer's scope: its existence is not revealed."""
    found = applications_for_reviewer(user=user, status=None).filter(pk=pk).first()
    if found is None:
        raise Http404("申请不存在")
    return found


def correction_for_reviewer(*, user, pk: int) -> CorrectionRequest:
    found = corrections_for_reviewer(user=user, status=None).filter(pk=pk).first()
    if found is None:
        raise Http404("申请不存在")
    return found


def processed_requests_for_reviewer(*, user, limit: int = 20) -> tuple[list[Application], list[CorrectionRequest]]:
    apps = applications_for_reviewer(user=user, status=None).exclude(status=RequestStatus.PENDING)
    corrections = corrections_for_reviewer(user=user, status=None).exclude(status=RequestStatus.PENDING)
    return (
        list(apps.order_by("-reviewed_at", "-id")[:limit]),
        list(corrections.order_by("-reviewed_at", "-id")[:limit]),
    )


# --- Corrections -------------------------------------------------------------------------------

CORRECTION_LABELS = {
    "name": "姓名",
    "phone": "手机号",
    "unit": "工作单位",
    "region": "所属地区",
    "grade": "技术等级",
    "post": "岗位",
}


def pending_correction(*, person: Person) -> CorrectionRequest | None:
    return person.corrections.filter(status=RequestStatus.PENDING).first()


def latest_correction(*, person: Person) -> CorrectionRequest | None:
    return person.corrections.order_by("-submitted_at", "-id").first()


def _display(field: str, value) -> str:
    if value in (None, ""):
        return "—"
    if field == "region":
        region = (
            value if isinstance(value, Region) else Region.objects.filter(pk=value).select_related("parent").first()
        )
        return region.full_name if region else "—"
    if field == "unit":
        return value.name if isinstance(value, Unit) else str(value)
    if field == "grade":
        return Grade(value).label if value in Grade.values else str(value)
    return str(value)


def correction_rows(correction: CorrectionRequest, *, masked: bool = False) -> list[dict]:
    """[{field, label, current, requested}] for the fields the learner asked to change.

    ``current`` is the registry's present value while pending; once reviewed the history keeps
    the values at the time."""
    from cecloud.core.masking import mask_phone

    person = correction.person
    rows = []
    for field in CorrectionRequest.FIELDS:
        if field not in correction.changes:
            continue
        current = getattr(person, field)
        requested = correction.changes[field]
        row = {
            "field": field,
            "label": CORRECTION_LABELS[field],
            "current": _display(field, current),
            "requested": _display(field, requested),
        }
        if masked and field == "phone":
            row["current"], row["requested"] = mask_phone(row["current"]), mask_phone(row["requested"])
        rows.append(row)
    return rows
