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
import json
import os
import statistics
import subprocess
import sys
import time

from . import ROOT, Result, benchmark, info
from .dashboard_data import CITY_CODE, DB_NAME, GENERATOR, ensure_database, generate, read_meta

DEFAULT_LEARNERS = 300_000
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
MEASURED_YEAR = 2023
MAX_RATIO = 2.0
MAX_MS = 1000.0


def database_url(base: str | None) -> str:
    """The benchmark's own database on the server of ``base`` (when PostgreSQL)."""
    server = DEFAULT_SERVER
    if base and base.startswith(("postgres://", "postgresql://")):
        server = base.split("?", 1)[0].rsplit("/", 1)[0]
    return f"{server}/{DB_NAME}"


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
    ensure_database(options["url"])
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
        meta = read_meta(cursor)
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
