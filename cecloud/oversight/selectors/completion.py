"""The bureau dashboard and the completion tables (per region, unit and grade, and per day)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, FilteredRelation, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from cecloud.billing.models import OrderLine
from cecloud.registry.models import Grade, Person, PersonStatus, Region, Unit
from cecloud.training.models import Enrollment, EnrollmentStatus, RegionSchedule, TrainingYear
from cecloud.training.selectors import schedule_for

from .scope import bureau_region_ids
from .workers import LIVE_CLASS, ZERO

GRADE_ORDER = [g.value for g in reversed(Grade)]  # 高级技师 first, as the notice lists them


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
