"""Bureau city dashboard on PostgreSQL with 300,000 learners (issue 7, "Done when").

Data: 300,000 learners in all 13 cities (the measured city, 南京市, holds a third of them, about
2,200 units in all), six training years (2018-2023) of classes with their orders, order lines and
hour ledgers (about 1.2 million classes and 9 million ledger entries), generated once with COPY
into a dedicated database ``cecloud_bench_dashboard`` and reused while its contents match the
generator (``bench_dashboard_meta``); ``--regenerate`` forces a new one.

subject:  the city bureau's dashboard page (``/oversight/bureau/?year=2023``) through the Django
          test client as a logged-in city bureau — middleware, session, selectors, charts, template.
baseline: one hand-written SQL statement returning the same numbers (completion by county × unit ×
          grade, order lines by day submitted and paid, qualifications by day).

The median of ``--repeat`` runs (after two warm-up runs) is reported in milliseconds; the numbers of
both are compared before anything is printed. Target: ratio ≤ 2 and under 1 s.

Server: the host, port and credentials of ``DATABASE_URL`` when it is PostgreSQL, else
postgres://postgres@127.0.0.1:5432; the database name is always ``cecloud_bench_dashboard``, so no
other database (and no other benchmark's) is touched.

Child process: ``python -m bench.dashboard child '<json options>'``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import statistics
import subprocess
import sys
import time

from . import ROOT, Result, benchmark, info

DEFAULT_LEARNERS = 300_000
DB_NAME = "cecloud_bench_dashboard"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
GENERATOR = "dashboard-v2"
CITY_CODE = "320100"  # 南京市
CITY_SHARE = 1 / 3
YEARS = [2018, 2019, 2020, 2021, 2022, 2023]
MEASURED_YEAR = 2023
PARTICIPATION = {2018: 0.50, 2019: 0.58, 2020: 0.66, 2021: 0.74, 2022: 0.80, 2023: 0.86}
QUALIFIED = {2018: 0.97, 2019: 0.96, 2020: 0.95, 2021: 0.93, 2022: 0.90, 2023: 0.62}
UNITS_PER_COUNTY = 20
UNITS_PER_CITY = 15
COURSE_HOURS = 4
COURSES_PER_CATEGORY = 5
CATEGORIES = ("ideology", "general", "skill")
GRADES = [("junior", 15), ("intermediate", 30), ("senior", 30), ("technician", 18), ("senior_technician", 7)]
MAX_RATIO = 2.0
MAX_MS = 1000.0


def database_url(base: str | None) -> str:
    """The benchmark's own database on the server of ``base`` (when PostgreSQL)."""
    server = DEFAULT_SERVER
    if base and base.startswith(("postgres://", "postgresql://")):
        server = base.split("?", 1)[0].rsplit("/", 1)[0]
    return f"{server}/{DB_NAME}"


# --- Generation (child) ----------------------------------------------------------------------------------


def _ensure_database(url: str) -> None:
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


def _meta(cursor) -> dict:
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
        _meta(cursor)
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


# --- Measurement (child) ---------------------------------------------------------------------------------

BASELINE_SQL = """
WITH scope AS (SELECT id FROM registry_region WHERE id = %(city)s OR parent_id = %(city)s)
SELECT 'c', p.region_id, p.unit_id, p.grade, NULL::date, NULL::date,
       count(*), count(e.id), count(e.id) FILTER (WHERE e.status = 'qualified'), NULL::numeric
  FROM registry_person p
  LEFT JOIN training_enrollment e
    ON e.person_id = p.id AND e.training_year_id = %(year)s AND e.status IN ('open', 'qualified')
 WHERE p.region_id IN (SELECT id FROM scope) AND p.status = 'active'
 GROUP BY p.region_id, p.unit_id, p.grade
UNION ALL
SELECT 'o', NULL, NULL, NULL, (o.created_at AT TIME ZONE 'Asia/Shanghai')::date,
       (o.paid_at AT TIME ZONE 'Asia/Shanghai')::date, count(*), NULL, NULL, sum(l.price)
  FROM billing_orderline l
  JOIN billing_order o ON o.id = l.order_id
  JOIN registry_person p ON p.id = l.person_id
 WHERE l.training_year_id = %(year)s AND p.region_id IN (SELECT id FROM scope)
 GROUP BY 5, 6
UNION ALL
SELECT 'q', NULL, NULL, NULL, (e.qualified_at AT TIME ZONE 'Asia/Shanghai')::date, NULL, count(*), NULL, NULL, NULL
  FROM training_enrollment e
  JOIN registry_person p ON p.id = e.person_id
 WHERE e.training_year_id = %(year)s AND e.status = 'qualified'
   AND p.region_id IN (SELECT id FROM scope) AND p.status = 'active'
 GROUP BY 5
"""


def _baseline(city_id: int, year_id: int) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(BASELINE_SQL, {"city": city_id, "year": year_id})
        return cursor.fetchall()


def _check_same_numbers(rows: list[tuple], board) -> None:
    """The baseline's rows summed the dashboard's way must give the dashboard's numbers."""
    workers = registered = qualified = 0
    by_day_registered: dict = {}
    by_day_paid: dict = {}
    by_day_qualified: dict = {}
    for kind, _r, _u, _g, day1, day2, n, reg, qual, _amount in rows:
        if kind == "c":
            workers, registered, qualified = workers + n, registered + reg, qualified + qual
        elif kind == "o":
            by_day_registered[day1] = by_day_registered.get(day1, 0) + n
            if day2 is not None:
                by_day_paid[day2] = by_day_paid.get(day2, 0) + n
        else:
            by_day_qualified[day1] = by_day_qualified.get(day1, 0) + n
    total = board.total
    mismatch = []
    if (workers, registered, qualified) != (total.workers, total.registered, total.qualified):
        mismatch.append(
            f"totals {(workers, registered, qualified)} != {(total.workers, total.registered, total.qualified)}"
        )
    days = {d.day: d for d in board.days}
    for day, n in by_day_registered.items():
        if days.get(day) is None or days[day].registered != n:
            mismatch.append(f"registered on {day}")
    for day, n in by_day_paid.items():
        if days.get(day) is None or days[day].paid != n:
            mismatch.append(f"paid on {day}")
    for day, n in by_day_qualified.items():
        if days.get(day) is None or days[day].qualified != n:
            mismatch.append(f"qualified on {day}")
    if mismatch:
        raise SystemExit("baseline and dashboard disagree: " + "; ".join(mismatch[:5]))


def _median_ms(func, repeat: int) -> float:
    for _ in range(2):
        func()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def child(options: dict) -> None:
    _ensure_database(options["url"])
    os.environ["DATABASE_URL"] = options["url"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from cecloud.accounts.models import Role, User
    from cecloud.oversight.selectors import completion
    from cecloud.registry.models import Region
    from cecloud.training.models import TrainingYear

    call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        meta = _meta(cursor)
    if options["regenerate"] or meta.get("generator") != GENERATOR or meta.get("learners") != str(options["learners"]):
        info(f"generating {options['learners']:,} learners and six years of classes (once; cached in {DB_NAME})")
        counts = generate(options["learners"])
    else:
        counts = json.loads(meta["counts"])
        info(f"reusing {DB_NAME}: {counts}")
    city = Region.objects.get(code=CITY_CODE)
    year = TrainingYear.objects.get(year=MEASURED_YEAR)
    bureau, _ = User.objects.get_or_create(
        username="bench_bureau", defaults={"role": Role.BUREAU, "region": city, "display_name": "南京市人社局"}
    )
    client = Client()
    client.force_login(bureau)
    url = f"/oversight/bureau/?year={MEASURED_YEAR}"

    def page():
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"dashboard answered {response.status_code}")
        return response

    response = page()
    board = response.context["board"] if response.context else completion.dashboard(region=city, training_year=year)
    _check_same_numbers(_baseline(city.pk, year.pk), board)
    info(
        f"{city.name} {MEASURED_YEAR}: workers={board.total.workers:,} registered={board.total.registered:,} "
        f"qualified={board.total.qualified:,} units={board.unit_count:,} days={len(board.days)} "
        f"(numbers equal the baseline's)"
    )
    subject = _median_ms(page, options["repeat"])
    baseline = _median_ms(lambda: _baseline(city.pk, year.pk), options["repeat"])
    selectors_only = _median_ms(lambda: completion.dashboard(region=city, training_year=year), options["repeat"])
    print(
        "RESULT "
        + json.dumps({"subject_ms": subject, "baseline_ms": baseline, "selectors_ms": selectors_only, **counts}),
        flush=True,
    )


@benchmark(
    "bureau_dashboard",
    description="city bureau dashboard over 300,000 learners and six years on PostgreSQL vs one hand-written SQL",
)
def run(argv: list[str]):
    parser = argparse.ArgumentParser(prog="bench bureau_dashboard")
    parser.add_argument(
        "--learners", type=int, default=int(os.environ.get("BENCH_DASHBOARD_LEARNERS", DEFAULT_LEARNERS))
    )
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--regenerate", action="store_true")
    options, _unknown = parser.parse_known_args(argv)
    child_options = {
        "url": database_url(os.environ.get("DATABASE_URL")),
        "learners": options.learners,
        "repeat": options.repeat,
        "regenerate": options.regenerate,
    }
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env["CELERY_TASK_ALWAYS_EAGER"] = "1"
    env["DB_CONN_MAX_AGE"] = "600"  # persistent connections, as the web processes run in production
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.dashboard", "child", json.dumps(child_options)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    result = None
    for line in proc.stdout:
        if line.startswith("RESULT "):
            result = json.loads(line.removeprefix("RESULT "))
        elif line.startswith("# "):
            print(line, end="", flush=True)
    if proc.wait() != 0 or result is None:
        raise SystemExit(f"bureau_dashboard child failed (exit {proc.returncode})")
    info(
        f"dashboard {result['subject_ms']:.0f} ms (selectors alone {result['selectors_ms']:.0f} ms), "
        f"baseline SQL {result['baseline_ms']:.0f} ms; classes={result['classes']:,} ledger={result['ledger']:,}"
    )
    yield Result(
        "bureau_dashboard",
        result["subject_ms"],
        "ms",
        result["baseline_ms"],
        max_ratio=MAX_RATIO,
        max_value=MAX_MS,
    )


if __name__ == "__main__":
    if sys.argv[1] == "child":
        child(json.loads(sys.argv[2]))
