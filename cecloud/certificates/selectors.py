"""Certificate reads: the learner's list, public lookups, and unit HR batch verification."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from cecloud.core.ids import IdError, validate_id_number
from cecloud.registry.models import Person, Unit
from cecloud.training.models import Enrollment, EnrollmentStatus, HourCategory, HourLedgerEntry

from .codes import classify, normalise_query
from .models import Certificate

# --- learner ---------------------------------------------------------------------------------------


@dataclass
class LearnerCertificate:
    enrollment: Enrollment
    certificate: Certificate | None

    @property
    def title(self) -> str:
        return f"{self.enrollment.training_year.year}年度培训证明"

    @property
    def hours(self) -> Decimal:
        return self.certificate.total_hours if self.certificate else self.enrollment.total_hours


def learner_certificates(person: Person | None) -> list[LearnerCertificate]:
    """The learner's qualified classes with their certificates (None while being issued)."""
    if person is None:
        return []
    enrollments = (
        Enrollment.objects.filter(person=person, status=EnrollmentStatus.QUALIFIED)
        .select_related("training_year")
        .order_by("-training_year__year")
    )
    certificates = {c.enrollment_id: c for c in Certificate.objects.filter(person=person)}
    return [LearnerCertificate(enrollment=e, certificate=certificates.get(e.pk)) for e in enrollments]


def owner_certificate(*, user, number: str) -> Certificate | None:
    """The certificate with this number if it belongs to the logged-in learner."""
    if not getattr(user, "person_id", None):
        return None
    return Certificate.objects.filter(number=normalise_query(number), person_id=user.person_id).first()


def owner_enrollment(*, user, enrollment_id: int) -> Enrollment | None:
    if not getattr(user, "person_id", None):
        return None
    return Enrollment.objects.filter(pk=enrollment_id, person_id=user.person_id).first()


# --- public lookup ---------------------------------------------------------------------------------


def certificate_lookup(query: str) -> Certificate | None:
    """By certificate number (JSGQ2023000123) or verification code (ABCD-EFGH-JKLM)."""
    query = normalise_query(query)
    kind = classify(query)
    if kind == "number":
        return Certificate.objects.filter(number=query).first()
    if kind == "code":
        return Certificate.objects.filter(verify_code=query).first()
    return None


# --- unit HR batch verification ----------------------------------------------------------------------

NOT_OWN_UNIT = "非本单位人员"
MAX_BATCH_IDS = 2000


@dataclass
class BatchRow:
    id_number: str
    name: str = ""
    year: int | None = None
    grade: str = ""
    registered: bool = False
    paid: bool = False
    hours: dict[str, Decimal] = field(default_factory=dict)
    total: Decimal | None = None
    required: Decimal | None = None
    qualified: bool = False
    certificate_number: str = ""
    certificate_status: str = ""
    note: str = ""

    @property
    def has_data(self) -> bool:
        return bool(self.name)


def _registered_years(person_ids: list[int]) -> dict[int, set[int]]:
    """Years with a live order line (pending or paid) per person: registered even if not yet paid."""
    from cecloud.billing.models import OrderLine, OrderStatus

    result: dict[int, set[int]] = {}
    rows = OrderLine.objects.filter(
        person_id__in=person_ids,
        live=True,
        order__status__in=[OrderStatus.PENDING, OrderStatus.PAID],
    ).values_list("person_id", "training_year__year", "order__status", "order__expires_at")
    now = timezone.now()
    for person_id, year, status, expires_at in rows:
        if status == OrderStatus.PENDING and expires_at and expires_at <= now:
            continue
        result.setdefault(person_id, set()).add(year)
    return result


def batch_verify(*, unit: Unit, id_numbers: list[str], year: int | None = None) -> list[BatchRow]:
    """Per ID number and year: registered / paid / hours per category / certified.

    Only people of ``unit`` are reported; anyone else (another unit, or not in the registry) is
    "非本单位人员" without data, so the answer never reveals who exists elsewhere. "Paid" is an
    opened class (classes open only on payment); a closed class (refunded) is not paid.
    """
    entries: list[tuple[str, str]] = []  # (valid ID number, "") or (the text as given, the reason)
    seen = set()
    for raw in id_numbers:
        text = str(raw).strip()
        if not text:
            continue
        try:
            entry = (validate_id_number(text), "")
        except IdError as exc:
            entry = (text, str(exc))
        if entry[0].upper() not in seen:
            seen.add(entry[0].upper())
            entries.append(entry)
    valid = [number for number, error in entries if not error]
    people = {p.id_number: p for p in Person.objects.filter(id_number__in=valid, unit=unit)}
    person_ids = [p.pk for p in people.values()]
    enrollments: dict[int, list[Enrollment]] = {}
    qs = Enrollment.objects.filter(person_id__in=person_ids).select_related("training_year")
    if year:
        qs = qs.filter(training_year__year=year)
    for e in qs.order_by("-training_year__year"):
        enrollments.setdefault(e.person_id, []).append(e)
    enrollment_ids = [e.pk for items in enrollments.values() for e in items]
    hours: dict[int, dict[str, Decimal]] = {}
    for row in (
        HourLedgerEntry.objects.filter(enrollment_id__in=enrollment_ids)
        .values("enrollment_id", "category")
        .annotate(total=Sum("hours"))
    ):
        hours.setdefault(row["enrollment_id"], {})[row["category"]] = row["total"]
    certificates = {c.enrollment_id: c for c in Certificate.objects.filter(enrollment_id__in=enrollment_ids)}
    registered = _registered_years(person_ids)

    rows: list[BatchRow] = []
    for number, error in entries:
        if error:
            rows.append(BatchRow(id_number=number, note=error))
            continue
        person = people.get(number)
        if person is None:
            rows.append(BatchRow(id_number=number, note=NOT_OWN_UNIT))
            continue
        person_enrollments = enrollments.get(person.pk, [])
        reg_years = sorted(
            {y for y in registered.get(person.pk, set()) if not year or y == year}
            - {e.training_year.year for e in person_enrollments},
            reverse=True,
        )
        for e in person_enrollments:
            # As on the certificate and the class home: a category counts up to its requirement.
            required = e.hours_by_category()
            credited = {c: min(hours.get(e.pk, {}).get(c, Decimal("0")), required[c]) for c in HourCategory.values}
            cert = certificates.get(e.pk)
            closed = e.status == EnrollmentStatus.CLOSED
            rows.append(
                BatchRow(
                    id_number=number,
                    name=person.name,
                    year=e.training_year.year,
                    grade=e.get_grade_display(),
                    registered=True,
                    paid=not closed,
                    hours=credited,
                    total=sum(credited.values()),
                    required=e.total_hours,
                    qualified=e.status == EnrollmentStatus.QUALIFIED,
                    certificate_number=cert.number if cert else "",
                    certificate_status=cert.get_status_display() if cert else "",
                    note=f"班级已关闭（{e.close_reason}）"
                    if closed and e.close_reason
                    else ("班级已关闭" if closed else ""),
                )
            )
        for y in reg_years:
            rows.append(
                BatchRow(
                    id_number=number, name=person.name, year=y, grade=person.get_grade_display(), registered=True,
                    note="已提交订单，待支付",
                )
            )  # fmt: skip
        if not person_enrollments and not reg_years:
            rows.append(
                BatchRow(id_number=number, name=person.name, year=year, grade=person.get_grade_display(), note="未报名")
            )
    return rows
