"""Reads for the unit HR and bureau portals (SPEC S10).

Scopes: a unit HR account sees the people of ``user.unit``; a bureau account sees the people whose
registry region is its region (a city: the city itself and all its counties; a county: itself).
Anything outside the scope is a 404, never a 403 that would reveal its existence.

Population: the current registry's active (在岗) workers — the notice's 培训对象. A worker's status
for a year is computed in SQL from the class (Enrollment, closed classes ignored) and live unpaid
orders:

* 已合格 ``qualified`` — the class is qualified;
* 学习中 ``learning`` — the class is open;
* 未缴费 ``unpaid`` — no class, an unpaid order that has not expired;
* 未报名 ``none`` — none of these.

Efficiency: the bureau dashboard is three grouped queries whatever the region's size (completion by
county × unit × grade rolled up in Python; order lines by day; qualifications by day); list pages
run a constant number of queries per page.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.db.models import Case, Count, Exists, F, FilteredRelation, OuterRef, Q, QuerySet, Sum, Value, When
from django.db.models.functions import TruncDate
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from cecloud.accounts.models import Role
from cecloud.billing.models import OrderLine, OrderStatus
from cecloud.learning.models import CourseSelection, SelectionStatus
from cecloud.registry.models import Grade, Person, PersonStatus, Region, Unit
from cecloud.training.models import (
    Enrollment,
    EnrollmentStatus,
    HourCategory,
    HourLedgerEntry,
    RegionSchedule,
    TrainingYear,
)
from cecloud.training.selectors import schedule_for

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
GRADE_ORDER = [g.value for g in reversed(Grade)]  # 高级技师 first, as the notice lists them


# --- Years ------------------------------------------------------------------------------------------------


def active_years() -> list[TrainingYear]:
    return list(TrainingYear.objects.filter(is_active=True).order_by("-year"))


def pick_year(years: Sequence[TrainingYear], value) -> TrainingYear:
    """The requested year if offered, else the latest; 404 when no year exists at all."""
    if not years:
        raise Http404("没有开放的学习年度")
    try:
        wanted = int(value)
    except (TypeError, ValueError):
        return years[0]
    return next((y for y in years if y.year == wanted), years[0])


# --- Scopes ----------------------------------------------------------------------------------------------


def bureau_region_ids(region: Region) -> list[int]:
    """A city: itself and its counties; a county: itself."""
    if region.level == Region.Level.CITY:
        return [region.pk, *Region.objects.filter(parent=region).values_list("pk", flat=True)]
    return [region.pk]


def bureau_regions(user) -> list[Region]:
    """The regions a bureau may look at one by one (its own first, then its counties)."""
    region = user.region
    if region.level == Region.Level.CITY:
        return [region, *Region.objects.filter(parent=region).order_by("sort_order", "code")]
    return [region]


def bureau_scope_region(user, code: str | None) -> Region:
    """The region a bureau asked for (``?region=code``), which must be in its scope (else 404)."""
    if not code or code == user.region.code:
        return user.region
    found = next((r for r in bureau_regions(user) if r.code == code), None)
    if found is None:
        raise Http404("地区不存在")
    return found


def people_in_scope(user) -> QuerySet[Person]:
    """Everyone (any status) a staff account may see; none for any other role."""
    if user.role == Role.UNIT_HR and user.unit_id:
        return Person.objects.filter(unit_id=user.unit_id)
    if user.role == Role.BUREAU and user.region_id:
        return Person.objects.filter(region_id__in=bureau_region_ids(user.region))
    return Person.objects.none()


def worker_for_viewer(*, user, pk: int) -> Person:
    found = people_in_scope(user).select_related("unit", "region__parent").filter(pk=pk).first()
    if found is None:
        raise Http404("人员不存在")
    return found


def unit_for_bureau(*, user, pk: int) -> Unit:
    found = (
        Unit.objects.select_related("region__parent")
        .filter(pk=pk, region_id__in=bureau_region_ids(user.region))
        .first()
    )
    if found is None:
        raise Http404("单位不存在")
    return found


# --- Worker rows (unit HR list, bureau drill-down, exports) ---------------------------------------------


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
    """enrollment id -> (certificate number, public verify URL) for valid certificates (one query).

    The certificates app is looked up by name so that this page keeps working (without the
    column's content) in a tree where it is not installed.
    """
    ids = [i for i in enrollment_ids if i]
    if not ids:
        return {}
    try:
        certificate = apps.get_model("certificates", "Certificate")
    except LookupError:
        return {}
    rows = certificate.objects.filter(enrollment_id__in=ids)
    if any(f.name == "status" for f in certificate._meta.get_fields()):
        rows = rows.filter(status="valid")
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


# --- Bureau dashboard -------------------------------------------------------------------------------------


@dataclass
class Completion:
    key: object
    label: str
    workers: int = 0
    registered: int = 0
    qualified: int = 0
    code: str = ""

    @property
    def learning(self) -> int:
        return self.registered - self.qualified

    @property
    def not_registered(self) -> int:
        return self.workers - self.registered

    @property
    def rate(self) -> float:
        """完成率 (%), one decimal."""
        return round(self.qualified * 100 / self.workers, 1) if self.workers else 0.0

    @property
    def registered_rate(self) -> float:
        return round(self.registered * 100 / self.workers, 1) if self.workers else 0.0

    def add(self, workers: int, registered: int, qualified: int) -> None:
        self.workers += workers
        self.registered += registered
        self.qualified += qualified


@dataclass
class DayPoint:
    day: dt.date
    registered: int = 0
    paid: int = 0
    amount: Decimal = ZERO
    qualified: int = 0


@dataclass
class Dashboard:
    region: Region
    training_year: TrainingYear
    total: Completion
    by_region: list[Completion]
    by_grade: list[Completion]
    lowest_units: list[Completion]
    days: list[DayPoint]
    schedule: RegionSchedule | None
    unit_count: int
    by_unit: dict[int, Completion] = field(default_factory=dict, repr=False)

    @property
    def day_totals(self) -> DayPoint:
        total = DayPoint(day=self.days[0].day if self.days else dt.date.today())
        for d in self.days:
            total.registered += d.registered
            total.paid += d.paid
            total.amount += d.amount
            total.qualified += d.qualified
        return total


def completion_groups(people: QuerySet[Person], training_year: TrainingYear) -> list[dict]:
    """THE completion aggregate: active workers × the year's live class, grouped by region, unit, grade."""
    return list(
        people.filter(status=PersonStatus.ACTIVE)
        .annotate(
            cls=FilteredRelation(
                "enrollments",
                condition=Q(enrollments__training_year=training_year, enrollments__status__in=LIVE_CLASS),
            )
        )
        .values("region_id", "unit_id", "grade")
        .annotate(
            workers=Count("id"),
            registered=Count("cls__id"),
            qualified=Count("cls__id", filter=Q(cls__status=EnrollmentStatus.QUALIFIED)),
        )
        .order_by()
    )


def order_days(region_ids: list[int], training_year: TrainingYear) -> list[dict]:
    """Order lines of people in the regions for the year, by the local day submitted and the day paid."""
    return list(
        # The order's own year (always the lines' year) lets PostgreSQL hash-join the year's orders
        # instead of looking each order up by id.
        OrderLine.objects.filter(
            training_year=training_year, order__training_year=training_year, person__region_id__in=region_ids
        )
        .annotate(created_day=TruncDate("order__created_at"), paid_day=TruncDate("order__paid_at"))
        .values("created_day", "paid_day")
        .annotate(n=Count("id"), amount=Sum("price"))
        .order_by()
    )


def qualified_days(region_ids: list[int], training_year: TrainingYear) -> list[dict]:
    return list(
        Enrollment.objects.filter(
            training_year=training_year,
            status=EnrollmentStatus.QUALIFIED,
            person__region_id__in=region_ids,
            person__status=PersonStatus.ACTIVE,
        )
        .annotate(day=TruncDate("qualified_at"))
        .values("day")
        .annotate(n=Count("id"))
        .order_by()
    )


def _as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def daily_series(order_rows: list[dict], qualified_rows: list[dict], schedule: RegionSchedule | None) -> list[DayPoint]:
    """报名 (order lines submitted), 缴费 (paid) and 合格 per local day, over the window.

    The axis runs from the registration window's start to the study window's end, widened to any
    day with activity (catch-up years, late payments); days without activity are zeros.
    """
    points: dict[dt.date, DayPoint] = {}

    def point(day: dt.date) -> DayPoint:
        if day not in points:
            points[day] = DayPoint(day=day)
        return points[day]

    for row in order_rows:
        created, paid = _as_date(row["created_day"]), _as_date(row["paid_day"])
        if created is not None:
            point(created).registered += row["n"]
        if paid is not None:
            p = point(paid)
            p.paid += row["n"]
            p.amount += row["amount"] or ZERO
    for row in qualified_rows:
        day = _as_date(row["day"])
        if day is not None:
            point(day).qualified += row["n"]
    today = timezone.localdate()
    start = min([*points, *([schedule.register_start] if schedule else [])], default=None)
    # Up to the end of the window, but not into the future (no line of zeros for days to come).
    end = max(
        [*points, *([min(schedule.study_end, max(today, schedule.register_start))] if schedule else [])], default=None
    )
    if start is None:
        return []
    if (end - start).days > 400:  # a long catch-up history: keep the last 400 days on the axis
        start = end - dt.timedelta(days=400)
    days = []
    day = start
    while day <= end:
        days.append(points.get(day) or DayPoint(day=day))
        day += dt.timedelta(days=1)
    return days


# On PostgreSQL the completion groups and the qualification days come from ONE pass over the
# region's people joined to the year's classes (GROUPING SETS), instead of two joins. Same numbers
# as the ORM path (completion_groups + qualified_days), which other databases use.
COMPLETION_SQL = """
SELECT p.region_id, p.unit_id, p.grade, (e.qualified_at AT TIME ZONE %(tz)s)::date AS qualified_day,
       count(*), count(e.id), count(e.id) FILTER (WHERE e.status = %(qualified)s),
       GROUPING(p.region_id, p.unit_id, p.grade)
  FROM {person} p
  LEFT JOIN {enrollment} e
    ON e.person_id = p.id AND e.training_year_id = %(year)s AND e.status IN (%(open)s, %(qualified)s)
 WHERE p.region_id = ANY(%(regions)s) AND p.status = %(active)s
 GROUP BY GROUPING SETS ((p.region_id, p.unit_id, p.grade), ((e.qualified_at AT TIME ZONE %(tz)s)::date))
"""


def _completion_postgres(region_ids: list[int], training_year: TrainingYear) -> tuple[list[dict], list[dict]]:
    from django.conf import settings
    from django.db import connection, transaction

    sql = COMPLETION_SQL.format(person=Person._meta.db_table, enrollment=Enrollment._meta.db_table)
    params = {
        "regions": list(region_ids),
        "year": training_year.pk,
        "open": EnrollmentStatus.OPEN.value,
        "qualified": EnrollmentStatus.QUALIFIED.value,
        "active": PersonStatus.ACTIVE.value,
        "tz": settings.TIME_ZONE,
    }
    completion, qualified = [], []
    with transaction.atomic(), connection.cursor() as cursor:
        # A short aggregate: compiling it (JIT) would cost more than it saves.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        for region_id, unit_id, grade, day, n, registered, n_qualified, grouping in cursor.fetchall():
            if grouping == 0:
                completion.append(
                    {
                        "region_id": region_id,
                        "unit_id": unit_id,
                        "grade": grade,
                        "workers": n,
                        "registered": registered,
                        "qualified": n_qualified,
                    }
                )
            elif day is not None and n_qualified:
                qualified.append({"day": day, "n": n_qualified})
    return completion, qualified


def dashboard_rows(region_ids: list[int], training_year: TrainingYear) -> tuple[list[dict], list[dict], list[dict]]:
    """(completion groups, order-line days, qualification days) for the regions and year."""
    from django.db import connection

    if connection.vendor == "postgresql":
        completion, qualified = _completion_postgres(region_ids, training_year)
        return completion, order_days(region_ids, training_year), qualified
    return (
        completion_groups(Person.objects.filter(region_id__in=region_ids), training_year),
        order_days(region_ids, training_year),
        qualified_days(region_ids, training_year),
    )


def _region_label(region: Region, scope: Region) -> str:
    if region.level == Region.Level.CITY:
        return "市本级" if scope.level == Region.Level.CITY else region.name
    return region.name


def dashboard(*, region: Region, training_year: TrainingYear, lowest: int = 10) -> Dashboard:
    """The bureau dashboard for a region (a city with its counties, or one county)."""
    region_ids = bureau_region_ids(region)
    regions = {r.pk: r for r in Region.objects.filter(pk__in=region_ids)}
    by_region = {pk: Completion(key=pk, label=_region_label(r, region), code=r.code) for pk, r in regions.items()}
    by_grade = {g: Completion(key=g, label=Grade(g).label) for g in GRADE_ORDER}
    by_unit: dict[int, Completion] = {}
    total = Completion(key=region.pk, label=region.full_name, code=region.code)
    completion, order_rows, qualified_rows = dashboard_rows(region_ids, training_year)
    for row in completion:
        counts = (row["workers"], row["registered"], row["qualified"])
        total.add(*counts)
        by_region[row["region_id"]].add(*counts)
        if row["grade"] in by_grade:
            by_grade[row["grade"]].add(*counts)
        by_unit.setdefault(row["unit_id"], Completion(key=row["unit_id"], label="")).add(*counts)
    ranked = sorted(by_unit.values(), key=lambda c: (c.rate, -c.workers, c.key))[:lowest]
    names = dict(Unit.objects.filter(pk__in=[c.key for c in ranked]).values_list("pk", "name"))
    for c in ranked:
        c.label = names.get(c.key, "")
    ordered_regions = sorted(
        by_region.values(), key=lambda c: (regions[c.key].level != Region.Level.CITY, regions[c.key].sort_order)
    )
    schedule = schedule_for(region=region, training_year=training_year)
    return Dashboard(
        region=region,
        training_year=training_year,
        total=total,
        by_region=[c for c in ordered_regions if c.workers or regions[c.key].level == Region.Level.COUNTY],
        by_grade=list(by_grade.values()),
        lowest_units=ranked,
        days=daily_series(order_rows, qualified_rows, schedule),
        schedule=schedule,
        unit_count=len(by_unit),
        by_unit=by_unit,
    )


def grade_completion(people: QuerySet[Person], training_year: TrainingYear) -> list[Completion]:
    """Completion per grade (高级技师 first) for any set of people, e.g. one unit."""
    by_grade = {g: Completion(key=g, label=Grade(g).label) for g in GRADE_ORDER}
    for row in completion_groups(people, training_year):
        if row["grade"] in by_grade:
            by_grade[row["grade"]].add(row["workers"], row["registered"], row["qualified"])
    return list(by_grade.values())


def unit_completion(*, region: Region, training_year: TrainingYear, q: str = "") -> list[Completion]:
    """Every unit of the region (with or without workers) and its completion, lowest rate first."""
    region_ids = bureau_region_ids(region)
    stats: dict[int, Completion] = defaultdict(lambda: Completion(key=0, label=""))
    for row in completion_groups(Person.objects.filter(region_id__in=region_ids), training_year):
        stats[row["unit_id"]].add(row["workers"], row["registered"], row["qualified"])
    units = Unit.objects.filter(region_id__in=region_ids).select_related("region__parent")
    if q:
        units = units.filter(name__contains=q.strip())
    result = []
    for unit in units:
        c = stats.get(unit.pk) or Completion(key=unit.pk, label="")
        c.key, c.label, c.code = unit.pk, unit.name, unit.region.full_name
        result.append(c)
    result.sort(key=lambda c: (c.workers == 0, c.rate, -c.workers, c.key))
    return result


def schedules_for_bureau(user) -> list[RegionSchedule]:
    """Every schedule that applies in the bureau's regions (a county also sees its city's), newest first."""
    ids = bureau_region_ids(user.region)
    if user.region.level == Region.Level.COUNTY and user.region.parent_id:
        ids.append(user.region.parent_id)
    return list(
        RegionSchedule.objects.filter(region_id__in=ids)
        .select_related("region__parent", "training_year")
        .order_by("-training_year__year", "region__code")
    )
