"""Worker rows: each active worker's status, hours, order and certificate for a year.

Used by the unit HR list, the bureau drill-down, the worker page and the exports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, Exists, F, FilteredRelation, OuterRef, Q, QuerySet, Sum, Value, When
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from cecloud.billing.models import OrderLine, OrderStatus
from cecloud.certificates.models import Certificate, CertificateStatus
from cecloud.learning.models import CourseSelection, SelectionStatus
from cecloud.registry.models import Person, PersonStatus
from cecloud.training.models import Enrollment, EnrollmentStatus, HourCategory, HourLedgerEntry, TrainingYear

ZERO = Decimal("0")
CATEGORIES = [HourCategory.IDEOLOGY, HourCategory.GENERAL, HourCategory.SKILL]

STATUS_NONE = "none"
STATUS_UNPAID = "unpaid"
STATUS_LEARNING = "learning"
STATUS_QUALIFIED = "qualified"
WORKER_STATUSES = {
    STATUS_NONE: "未报名",
    STATUS_UNPAID: "未缴费",
    STATUS_LEARNING: "学习中",
    STATUS_QUALIFIED: "已合格",
}
NOT_DONE = (STATUS_NONE, STATUS_UNPAID, STATUS_LEARNING)
LIVE_CLASS = (EnrollmentStatus.OPEN, EnrollmentStatus.QUALIFIED)


def annotate_workers(people: QuerySet[Person], training_year: TrainingYear) -> QuerySet[Person]:
    """Each person with the year's class (LEFT JOIN, closed classes ignored) and a ``worker_status``."""
    unpaid = OrderLine.objects.filter(
        person_id=OuterRef("pk"),
        training_year=training_year,
        live=True,
        order__status=OrderStatus.PENDING,
        order__expires_at__gt=timezone.now(),
    )
    return (
        people.annotate(
            cls=FilteredRelation(
                "enrollments",
                condition=Q(enrollments__training_year=training_year, enrollments__status__in=LIVE_CLASS),
            )
        )
        .annotate(
            class_id=F("cls__id"),
            class_status=F("cls__status"),
            has_unpaid=Exists(unpaid),
        )
        .annotate(
            worker_status=Case(
                When(cls__status=EnrollmentStatus.QUALIFIED, then=Value(STATUS_QUALIFIED)),
                When(cls__id__isnull=False, then=Value(STATUS_LEARNING)),
                When(has_unpaid=True, then=Value(STATUS_UNPAID)),
                default=Value(STATUS_NONE),
            )
        )
    )


def looks_like_full_id(q: str) -> bool:
    return len(q) == 18 and q[:17].isdigit() and (q[17].isdigit() or q[17] == "X")


def search_people(people: QuerySet[Person], q: str) -> QuerySet[Person]:
    """By name (contains), by the full ID number (exact) or by its last 4–6 characters."""
    q = (q or "").strip().upper()
    if not q:
        return people
    if looks_like_full_id(q):
        return people.filter(id_number=q)
    if 4 <= len(q) <= 6 and all(c.isdigit() or c == "X" for c in q):
        return people.filter(id_number__endswith=q)
    return people.filter(name__contains=q)


def workers_queryset(
    people: QuerySet[Person],
    training_year: TrainingYear,
    *,
    q: str = "",
    grade: str = "",
    status: str = "",
) -> QuerySet[Person]:
    """Active workers with filters, ordered by name; paginate it, then ``worker_rows`` the page."""
    qs = search_people(people.filter(status=PersonStatus.ACTIVE), q)
    if grade:
        qs = qs.filter(grade=grade)
    qs = annotate_workers(qs, training_year)
    if status in WORKER_STATUSES:
        qs = qs.filter(worker_status=status)
    return qs.select_related("unit").order_by("name", "id")


@dataclass
class CategoryHours:
    category: str
    required: Decimal = ZERO
    selected: Decimal = ZERO
    earned: Decimal = ZERO

    @property
    def label(self) -> str:
        return HourCategory(self.category).label


@dataclass
class WorkerRow:
    person: Person
    status: str
    enrollment_id: int | None = None
    required_total: Decimal = ZERO
    categories: list[CategoryHours] = field(default_factory=list)
    order_no: str = ""
    order_status: str = ""
    order_kind: str = ""
    paid_at: dt.datetime | None = None
    amount: Decimal | None = None
    certificate_number: str = ""
    certificate_url: str = ""

    @property
    def status_label(self) -> str:
        return WORKER_STATUSES[self.status]

    @property
    def is_done(self) -> bool:
        return self.status == STATUS_QUALIFIED

    @property
    def selected_total(self) -> Decimal:
        return sum((c.selected for c in self.categories), ZERO)

    @property
    def earned_total(self) -> Decimal:
        return sum((c.earned for c in self.categories), ZERO)

    @property
    def percent(self) -> int:
        """学习进度: earned hours, each category counted up to its requirement, over the total."""
        if not self.required_total:
            return 0
        counted = sum((min(c.earned, c.required) for c in self.categories), ZERO)
        return min(100, int(counted * 100 / self.required_total))

    @property
    def payment_label(self) -> str:
        if self.paid_at:
            kind = "单位缴费" if self.order_kind == "unit" else "个人缴费"
            return f"已缴费（{kind}）"
        if self.status == STATUS_UNPAID:
            return "待支付"
        return "—"


def certificates_for(enrollment_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """enrollment id -> (certificate number, public verify URL) for valid certificates (one query)."""
    ids = [i for i in enrollment_ids if i]
    if not ids:
        return {}
    rows = Certificate.objects.filter(enrollment_id__in=ids, status=CertificateStatus.VALID)
    return {
        enrollment_id: (number, certificate_verify_url(code))
        for enrollment_id, number, code in rows.values_list("enrollment_id", "number", "verify_code")
    }


def certificate_verify_url(code: str) -> str:
    """The public verification page of a certificate (anyone, e.g. HR, can open it)."""
    try:
        return reverse("certificates:verify_code", args=[code])
    except NoReverseMatch:
        try:
            return f"{reverse('certificates:verify')}?code={code}"
        except NoReverseMatch:
            return ""


def worker_rows(people: Sequence[Person], training_year: TrainingYear) -> list[WorkerRow]:
    """Details for one page of annotated people, in four more queries whatever the page size."""
    class_ids = [p.class_id for p in people if p.class_id]
    classes = {e.pk: e for e in Enrollment.objects.filter(pk__in=class_ids)}
    earned: dict[tuple[int, str], Decimal] = {}
    for row in (
        HourLedgerEntry.objects.filter(enrollment_id__in=class_ids)
        .values("enrollment_id", "category")
        .annotate(total=Sum("hours"))
        .order_by()
    ):
        earned[(row["enrollment_id"], row["category"])] = row["total"]
    selected: dict[tuple[int, str], Decimal] = {}
    for row in (
        CourseSelection.objects.filter(enrollment_id__in=class_ids, status=SelectionStatus.CONFIRMED)
        .values("enrollment_id", "category")
        .annotate(total=Sum("hours"))
        .order_by()
    ):
        selected[(row["enrollment_id"], row["category"])] = row["total"]
    lines = {
        line.person_id: line
        for line in OrderLine.objects.filter(
            person_id__in=[p.pk for p in people], training_year=training_year, live=True
        ).select_related("order")
    }
    certificates = certificates_for(class_ids)
    rows = []
    for person in people:
        enrollment = classes.get(person.class_id)
        row = WorkerRow(person=person, status=person.worker_status, enrollment_id=person.class_id)
        if enrollment is not None:
            required = enrollment.hours_by_category()
            row.required_total = enrollment.total_hours
            row.categories = [
                CategoryHours(
                    category=c,
                    required=required[c],
                    selected=selected.get((enrollment.pk, c), ZERO),
                    earned=earned.get((enrollment.pk, c), ZERO),
                )
                for c in CATEGORIES
            ]
        else:
            row.categories = [CategoryHours(category=c) for c in CATEGORIES]
        line = lines.get(person.pk)
        if line is not None and (line.order.status == OrderStatus.PAID or row.status == STATUS_UNPAID):
            row.order_no = line.order.order_no
            row.order_status = line.order.status
            row.order_kind = line.order.kind
            row.paid_at = line.order.paid_at
            row.amount = line.price
        if enrollment is not None and enrollment.pk in certificates:
            row.certificate_number, row.certificate_url = certificates[enrollment.pk]
        rows.append(row)
    return rows


def status_counts(people: QuerySet[Person], training_year: TrainingYear) -> dict[str, int]:
    """How many active workers are in each status (one grouped query)."""
    counts = {key: 0 for key in WORKER_STATUSES}
    for row in (
        annotate_workers(people.filter(status=PersonStatus.ACTIVE), training_year)
        .values("worker_status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[row["worker_status"]] = row["n"]
    return counts


def worker_history(person: Person, years: Sequence[TrainingYear]) -> list[tuple[TrainingYear, WorkerRow]]:
    """One worker's standing in each year (the worker page), newest year first."""
    history = []
    for training_year in years:
        annotated = annotate_workers(Person.objects.filter(pk=person.pk), training_year).get()
        history.extend((training_year, row) for row in worker_rows([annotated], training_year))
    return history
