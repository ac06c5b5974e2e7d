"""The bureau dashboard benchmark's data: 300,000 learners in all 13 cities and six training years of
classes, orders and hour ledgers, written once with COPY into ``cecloud_bench_dashboard`` and kept
while ``bench_dashboard_meta`` matches the generator (see ``bench/dashboard.py``)."""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import time

from . import info

DB_NAME = "cecloud_bench_dashboard"
GENERATOR = "dashboard-v2"
CITY_CODE = "320100"  # 南京市
CITY_SHARE = 1 / 3
YEARS = [2018, 2019, 2020, 2021, 2022, 2023]
PARTICIPATION = {2018: 0.50, 2019: 0.58, 2020: 0.66, 2021: 0.74, 2022: 0.80, 2023: 0.86}
QUALIFIED = {2018: 0.97, 2019: 0.96, 2020: 0.95, 2021: 0.93, 2022: 0.90, 2023: 0.62}
UNITS_PER_COUNTY = 20
UNITS_PER_CITY = 15
COURSE_HOURS = 4
COURSES_PER_CATEGORY = 5
CATEGORIES = ("ideology", "general", "skill")
GRADES = [("junior", 15), ("intermediate", 30), ("senior", 30), ("technician", 18), ("senior_technician", 7)]


# --- Generation ----------------------------------------------------------------------------------


def ensure_database(url: str) -> None:
    import psycopg
    from dj_database_url import parse

    cfg = parse(url)
    conninfo = {"host": cfg["HOST"], "port": cfg["PORT"], "user": cfg["USER"], "password": cfg["PASSWORD"]}
    with psycopg.connect(dbname="postgres", autocommit=True, **{k: v for k, v in conninfo.items() if v}) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]]).fetchone():
            conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
            info(f"created database {cfg['NAME']}")


def _id_number(address: str, i: int) -> str:
    birth = dt.date(1964, 1, 1) + dt.timedelta(days=i % 15_000)
    first17 = f"{address}{birth:%Y%m%d}{i // 15_000 % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


def _ts(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S+08")


class Copier:
    """Stream rows into one table with COPY on a connection of its own (tab-separated text, ``\\N`` for
    NULL), so that several tables can be filled at once from one pass over the generated data.
    Foreign-key triggers are skipped while loading (``session_replication_role = replica``); the
    generator writes consistent ids itself."""

    def __init__(self, table: str, columns: list[str]):
        import psycopg
        from django.db import connection

        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        self.conn = psycopg.connect(**{k: v for k, v in params.items() if v is not None and k != "prepare_threshold"})
        self.conn.execute("SET session_replication_role = replica")
        self.cursor = self.conn.cursor()
        self.copy_context = self.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN")
        self.copy = self.copy_context.__enter__()
        self.buffer = io.StringIO()
        self.rows = 0

    def row(self, *values) -> None:
        self.buffer.write("\t".join("\\N" if v is None else str(v) for v in values))
        self.buffer.write("\n")
        self.rows += 1
        if self.buffer.tell() > 4_000_000:
            self.flush()

    def line(self, text: str) -> None:
        """One pre-formatted row (ending with a newline): the fast path for millions of rows."""
        self.buffer.write(text)
        self.rows += 1
        if self.rows % 20_000 == 0 and self.buffer.tell() > 4_000_000:
            self.flush()

    def flush(self) -> None:
        self.copy.write(self.buffer.getvalue())
        self.buffer = io.StringIO()

    def close(self) -> int:
        self.flush()
        self.copy_context.__exit__(None, None, None)
        self.conn.commit()
        self.conn.close()
        return self.rows


class _Stamps:
    """Timestamps as COPY text, by whole minutes after a start (memoised: generation formats ~10
    million of them, from a few hundred thousand distinct minutes)."""

    def __init__(self, start: dt.datetime):
        self.start = start
        self.cache: dict[int, str] = {}

    def __call__(self, minutes: int) -> str:
        text = self.cache.get(minutes)
        if text is None:
            text = self.cache[minutes] = _ts(self.start + dt.timedelta(minutes=minutes))
        return text


def read_meta(cursor) -> dict:
    cursor.execute("CREATE TABLE IF NOT EXISTS bench_dashboard_meta (key text PRIMARY KEY, value text NOT NULL)")
    cursor.execute("SELECT key, value FROM bench_dashboard_meta")
    return dict(cursor.fetchall())


def generate(learners: int, seed: int = 2023) -> dict:
    """Fill the database (everything the dashboard reads) and return what was written."""
    from django.db import connection

    from cecloud.accounts.models import Role, User
    from cecloud.catalog.models import Course, Provider
    from cecloud.registry.models import Region, Unit
    from cecloud.training.models import TrainingYear, YearRequirement

    rnd = random.Random(seed)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE training_hourledgerentry, learning_courseselection, billing_orderline, billing_orderevent, "
            "billing_invoice, billing_refund, billing_paymentnotification, billing_order, training_enrollment, "
            "oversight_reminder, registry_personhistory, registry_person, registry_unit, core_auditlog, "
            "catalog_course, catalog_provider, bench_dashboard_meta RESTART IDENTITY CASCADE"
        )
        cursor.execute("DELETE FROM accounts_user WHERE username LIKE 'bench_%%'")
    years = {ty.year: ty for ty in TrainingYear.objects.filter(year__in=YEARS)}
    requirements = {
        (r.training_year.year, r.grade_group): r for r in YearRequirement.objects.select_related("training_year")
    }
    buyer = User.objects.create_user(username="bench_buyer", role=Role.OPERATOR, display_name="bench")
    provider = Provider.objects.create(name="基准测试课程提供方")
    courses = {}
    for category in CATEGORIES:
        courses[category] = [
            Course.objects.create(
                title=f"基准课程 {category} {k}", category=category, provider=provider, hours=COURSE_HOURS
            ).pk
            for k in range(COURSES_PER_CATEGORY)
        ]
    # Units: 20 per county and 15 city-level per city.
    cities = list(Region.objects.filter(level="city").order_by("code"))
    units: list[Unit] = []
    for city in cities:
        for county in Region.objects.filter(parent=city).order_by("code"):
            units += [Unit(name=f"{county.name}单位{k + 1}", region=county) for k in range(UNITS_PER_COUNTY)]
        units += [Unit(name=f"{city.name}直属单位{k + 1}", region=city) for k in range(UNITS_PER_CITY)]
    Unit.objects.bulk_create(units, batch_size=2000)
    units = list(Unit.objects.select_related("region").order_by("id"))
    measured = [u for u in units if u.region.code[:4] == CITY_CODE[:4]]
    others = [u for u in units if u.region.code[:4] != CITY_CODE[:4]]
    grade_names = [g for g, _w in GRADES]
    grade_weights = [w for _g, w in GRADES]
    now = dt.datetime(2024, 3, 1, 12, 0)
    people = Copier(
        "registry_person",
        [
            "id",
            "name",
            "id_number",
            "phone",
            "unit_id",
            "region_id",
            "grade",
            "post",
            "status",
            "created_at",
            "updated_at",
        ],
    )
    person_rows = []
    for i in range(1, learners + 1):
        unit = rnd.choice(measured) if rnd.random() < CITY_SHARE else rnd.choice(others)
        grade = rnd.choices(grade_names, grade_weights)[0]
        active = rnd.random() >= 0.03
        region_code = unit.region.code if unit.region.level == "county" else unit.region.code[:4] + "02"
        people.row(
            i,
            f"学员{i}",
            _id_number(region_code, i),
            f"139{i:08d}",
            unit.pk,
            unit.region_id,
            grade,
            "驾驶员",
            "active" if active else "inactive",
            _ts(now),
            _ts(now),
        )
        person_rows.append((i, unit.pk, unit.region_id, grade, active))
    people.close()
    enrollments = Copier(
        "training_enrollment",
        [
            "id", "person_id", "training_year_id", "grade", "grade_group", "unit_id", "region_id",
            "ideology_hours", "general_hours", "skill_hours", "total_hours", "price", "status",
            "opened_at", "qualified_at", "closed_at", "close_reason", "source_order_no",
        ],
    )  # fmt: skip
    orders = Copier(
        "billing_order",
        [
            "id", "order_no", "kind", "status", "training_year_id", "buyer_id", "person_id", "unit_id",
            "region_id", "total_hours", "total_amount", "gateway", "trade_no", "created_at", "expires_at",
            "paid_at", "cancelled_at", "cancel_reason", "refunded_at", "invoice_title_type", "invoice_title",
            "invoice_tax_number", "invoice_buyer_kind", "needs_attention", "attention_note",
        ],
    )  # fmt: skip
    lines = Copier(
        "billing_orderline",
        [
            "id", "order_id", "person_id", "training_year_id", "grade", "grade_group", "ideology_hours",
            "general_hours", "skill_hours", "hours", "price", "live", "enrollment_id",
        ],
    )  # fmt: skip
    ledger = Copier(
        "training_hourledgerentry",
        ["enrollment_id", "course_id", "category", "hours", "source", "attempt_ref", "evidence", "created_at"],
    )
    enrollment_id = order_id = 0
    for year in YEARS:
        ty = years[year].pk
        stamp = _Stamps(dt.datetime(year, 9, 10, 8, 0))  # minutes after the window opens -> text
        participation, qualified_share = PARTICIPATION[year], QUALIFIED[year]
        shapes = {}
        for group in ("technician", "skilled"):
            req = requirements[(year, group)]
            hours = (req.ideology_hours, req.general_hours, req.skill_hours)
            total = sum(hours)
            head = f"{ty}\t"
            snapshot = "\t".join(str(h) for h in hours) + f"\t{total}\t{req.price}"
            plan = [
                f"\t{courses[category][k]}\t{category}\t{COURSE_HOURS}\tquiz_pass\t\t{{}}\t"
                for category, need in zip(CATEGORIES, hours, strict=True)
                for k in range(int(-(-need // COURSE_HOURS)))
            ]
            shapes[group] = (head, snapshot, total, req.price, plan)
        write_enrollment, write_order, write_line, write_ledger = (
            enrollments.line,
            orders.line,
            lines.line,
            ledger.line,
        )
        for pid, unit_id, region_id, grade, active in person_rows:
            group = "technician" if grade in ("technician", "senior_technician") else "skilled"
            head, snapshot, total, price, plan = shapes[group]
            draw = rnd.random()
            if draw >= participation * (1 if active else 0.3):
                if draw < participation + 0.04:  # submitted but never paid: expired or cancelled
                    order_id += 1
                    created = rnd.randrange(40 * 1440)
                    if rnd.random() < 0.5:
                        status, cancelled_at, reason, live = "cancelled", stamp(created + 120), "用户取消订单", "f"
                    else:
                        status, cancelled_at, reason, live = "pending", "\\N", "", "t"
                    write_order(
                        f"{order_id}\t{year}{order_id:020d}\tpersonal\t{status}\t{ty}\t{buyer.pk}\t{pid}\t{unit_id}"
                        f"\t{region_id}\t{total}\t{price}\t\t\t{stamp(created)}\t{stamp(created + 1440)}\t\\N"
                        f"\t{cancelled_at}\t{reason}\t\\N\tpersonal\t学员{pid}\t\tindividual\tf\t\n"
                    )
                    write_line(f"{order_id}\t{order_id}\t{pid}\t{head}{grade}\t{group}\t{snapshot}\t{live}\t\\N\n")
                continue
            enrollment_id += 1
            order_id += 1
            opened = rnd.randrange(40 * 1440)
            created = opened - rnd.randrange(3, 120)
            roll = rnd.random()
            status = "qualified" if roll < qualified_share else ("closed" if roll > 0.995 else "open")
            order_no = f"{year}{order_id:020d}"
            opened_text = stamp(opened)
            if status == "closed":
                qualified_at, closed_at, close_reason = "\\N", stamp(opened + 3 * 1440), "退款"
                order_status, refunded_at, live = "refunded", closed_at, "f"
            else:
                qualified_at = stamp(opened + rnd.randrange(60, 30 * 1440)) if status == "qualified" else "\\N"
                closed_at, close_reason, order_status, refunded_at, live = "\\N", "", "paid", "\\N", "t"
            write_enrollment(
                f"{enrollment_id}\t{pid}\t{head}{grade}\t{group}\t{unit_id}\t{region_id}\t{snapshot}\t{status}"
                f"\t{opened_text}\t{qualified_at}\t{closed_at}\t{close_reason}\t{order_no}\n"
            )
            write_order(
                f"{order_id}\t{order_no}\tpersonal\t{order_status}\t{ty}\t{buyer.pk}\t{pid}\t{unit_id}\t{region_id}"
                f"\t{total}\t{price}\tdev\tT{order_id}\t{stamp(created)}\t{stamp(created + 1440)}\t{opened_text}"
                f"\t\\N\t\t{refunded_at}\tpersonal\t学员{pid}\t\tindividual\tf\t\n"
            )
            write_line(f"{order_id}\t{order_id}\t{pid}\t{head}{grade}\t{group}\t{snapshot}\t{live}\t{enrollment_id}\n")
            if status == "closed":
                continue
            taken = plan if status == "qualified" else plan[: rnd.randrange(len(plan))]
            credited = opened
            for entry in taken:
                credited += rnd.randrange(30, 600)
                write_ledger(f"{enrollment_id}{entry}{stamp(credited)}\n")
        info(f"generated {year}: classes so far {enrollment_id:,}, orders {order_id:,}, ledger {ledger.rows:,}")
    counts = {
        "people": people.rows,
        "classes": enrollments.close(),
        "orders": orders.close(),
        "lines": lines.close(),
        "ledger": ledger.close(),
    }
    with connection.cursor() as cursor:
        for table in ("registry_person", "training_enrollment", "billing_order", "billing_orderline"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        read_meta(cursor)
        cursor.execute(
            "INSERT INTO bench_dashboard_meta (key, value) VALUES ('generator', %s), ('learners', %s), ('counts', %s)",
            [GENERATOR, str(learners), json.dumps(counts)],
        )
    connection.ensure_connection()
    old_autocommit = connection.get_autocommit()
    connection.set_autocommit(True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.set_autocommit(old_autocommit)
    info(f"generated {counts} in {time.perf_counter() - started:.0f} s")
    return counts
