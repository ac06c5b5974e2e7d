"""The 在线选课 page with 1,000 published courses for the year (issue 4, "Done when").

baseline: a plain Django view rendering a static template (``learner/empty_state.html``: the same
          learner-centre layout, no data) through the same middleware, for the same logged-in learner.
subject:  ``learning:select`` for a 2023 class (技师 group) with some candidate and confirmed
          courses, 1,000 published courses offered for 2023 in the catalog.

Both are requested in one process through Django's full request handler (middleware, sessions,
auth, templates; no network), interleaved, after a warm-up; the result is the median server
time per request in milliseconds. Target: ratio ≤ 3.

The database is ``DATABASE_URL`` or, when unset, postgres://postgres@127.0.0.1:5432/cecloud_bench_selection
(created and migrated here). The bench data (provider "BENCH 课程提供方", its courses and a bench
learner) are created once and reused.

Child process: ``python -m bench.selection_page run [--requests N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

from . import ROOT, Result, benchmark, info, run_child

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/cecloud_bench_selection"
COURSES = 1000
MAX_RATIO = 3.0
BENCH_PROVIDER = "BENCH 课程提供方"


def _ensure_postgres_database(url: str) -> None:
    """Create the PostgreSQL database named in ``url`` when it does not exist."""
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import psycopg

    base, _, name = url.rpartition("/")
    name = name.split("?")[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def _prepare():
    """Inside the child: the data set and a logged-in client. Returns (client, select_url)."""
    from decimal import Decimal

    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    call_command("migrate", verbosity=0, interactive=False)

    from cecloud.accounts.models import Role, User
    from cecloud.catalog.models import Course, CourseLecturer, Lecturer, Provider
    from cecloud.learning.models import CourseSelection
    from cecloud.learning.services import selection_add, selection_confirm
    from cecloud.registry.models import Grade, Person, Region, Unit
    from cecloud.training.factories import enrollment_for, training_year
    from cecloud.training.models import HourCategory

    year = training_year(2023)
    provider, _ = Provider.objects.get_or_create(name=BENCH_PROVIDER, defaults={"short_name": "BENCH"})
    have = Course.objects.filter(provider=provider).count()
    if have < COURSES:
        lecturers = [Lecturer.objects.get_or_create(name=f"BENCH讲师{i}")[0] for i in range(20)]
        categories = [HourCategory.IDEOLOGY, HourCategory.GENERAL, HourCategory.SKILL]
        hours = [Decimal("0.5"), Decimal("1"), Decimal("2"), Decimal("3"), Decimal("4")]
        new = Course.objects.bulk_create(
            [
                Course(
                    title=f"基准测试课程{i:04d}：新时代岗位能力提升专题",
                    category=categories[i % 3],
                    provider=provider,
                    hours=hours[i % 5],
                    is_published=True,
                    rating=Decimal(i % 50) / 10,
                    rating_count=i % 7,
                    enrolled_count=i * 3,
                    sort_order=i,
                )
                for i in range(have, COURSES)
            ]
        )
        Course.years.through.objects.bulk_create([Course.years.through(course=c, trainingyear=year) for c in new])
        CourseLecturer.objects.bulk_create(
            [
                CourseLecturer(course=c, lecturer=lecturers[(c.sort_order + k) % len(lecturers)], sort_order=k)
                for c in new
                for k in range(2)
            ]
        )
    region = Region.objects.get(code="320706")
    unit, _ = Unit.objects.get_or_create(region=region, name="BENCH 单位")
    person, _ = Person.objects.get_or_create(
        id_number="320706198001010030",
        defaults={"name": "基准学员", "unit": unit, "region": region, "grade": Grade.TECHNICIAN},
    )
    user, _ = User.objects.get_or_create(
        username=person.id_number, defaults={"role": Role.LEARNER, "person": person, "display_name": person.name}
    )
    enrollment = enrollment_for(person, 2023)
    if not CourseSelection.objects.filter(enrollment=enrollment).exists():
        picks = list(Course.objects.filter(provider=provider).order_by("sort_order")[:6])
        for course in picks[:3]:
            selection_add(enrollment=enrollment, course=course)
        selection_confirm(enrollment=enrollment)
        for course in picks[3:]:
            selection_add(enrollment=enrollment, course=course)
    client = Client()
    client.force_login(user)
    return client, reverse("learning:select", args=[enrollment.pk])


def _child(requests: int) -> dict:
    import django
    from django.conf import settings

    django.setup()
    from django.test.utils import override_settings

    client, select_url = _prepare()
    with override_settings(ROOT_URLCONF="bench.selection_urls"):
        page = client.get(select_url)
        if page.status_code != 200 or "选课提示" not in page.content.decode():
            raise SystemExit(f"{select_url} answered {page.status_code} without the selection page")
        if client.get("/bench-baseline/").status_code != 200:
            raise SystemExit("the baseline view failed")
        timings: dict[str, list[float]] = {"subject": [], "baseline": []}
        for i in range(requests + 20):
            for key, url in (("subject", select_url), ("baseline", "/bench-baseline/")):
                start = time.perf_counter()
                response = client.get(url)
                elapsed = time.perf_counter() - start
                if response.status_code != 200:
                    raise SystemExit(f"{url} answered {response.status_code}")
                if i >= 20:  # warm-up discarded
                    timings[key].append(elapsed * 1000)
    from cecloud.catalog.models import Course

    return {
        "subject_ms": statistics.median(timings["subject"]),
        "baseline_ms": statistics.median(timings["baseline"]),
        "courses": Course.objects.filter(is_published=True, years__year=2023).count(),
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "debug": settings.DEBUG,
    }


@benchmark("selection_page", description="在线选课 page with 1,000 published courses vs a static template (ratio ≤ 3)")
def run(options: list[str]):
    parser = argparse.ArgumentParser(prog="bench selection_page")
    parser.add_argument("--requests", type=int, default=200)
    args, _unknown = parser.parse_known_args(options)
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    _ensure_postgres_database(url)
    data = run_child("bench.selection_page", ["--requests", str(args.requests)], {"DATABASE_URL": url})
    info(
        f"selection_page: {data['courses']} published courses for 2023 on {data['database']}, "
        f"{args.requests} requests each, median server time (DEBUG={data['debug']})"
    )
    yield Result(
        name="selection_page",
        value=data["subject_ms"],
        unit="ms",
        baseline=data["baseline_ms"],
        max_ratio=MAX_RATIO,
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["run"])
    parser.add_argument("--requests", type=int, default=200)
    cli = parser.parse_args()
    print(json.dumps(_child(cli.requests)))
