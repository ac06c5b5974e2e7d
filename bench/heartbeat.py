"""Heartbeat throughput through gunicorn on PostgreSQL (issue 5, "Done when").

subject:  ``POST /learning/play/beat/`` — the real heartbeat of the player (session cookie, CSRF
          header, JSON body), every one accepted: each simulated learner advances its position by
          the real time since its previous beat, so every request runs the whole write path (row
          locks on the playback session and the watched chapter, interval merge, two updates).
baseline: ``POST /learning/bench/noop/`` — an authenticated JSON endpoint that does nothing,
          behind the same server, middleware, session, CSRF check and JSON parsing (enabled only
          by ``CECLOUD_BENCH_ENDPOINTS=1``).

The server is gunicorn with ``--workers`` sync workers (persistent database connections, Redis
sessions and cache when Redis answers on REDIS_URL or redis://127.0.0.1:6379/14). Concurrent
simulated learners (threads in one client process, each its own learner and playback session)
send requests back to back for ``--seconds`` per phase; baseline and heartbeat phases alternate
``--rounds`` times. Results: ``heartbeat_rps`` (requests/second; target ratio ≥ 0.5) and the
p50/p99 latency of both (informational).

The database is ``DATABASE_URL`` or, when unset, postgres://postgres@127.0.0.1:5432/cecloud_bench_heartbeat
(created and migrated here; the bench learners and course are created once and reused).

Child process: ``python -m bench.heartbeat prepare --learners N`` (prints the learners' session
cookies as JSON).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

from . import ROOT, Result, benchmark, info

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/cecloud_bench_heartbeat"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
MIN_RATIO = 0.5
CHAPTER_SECONDS = 36_000.0  # long enough never to finish during a run
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
BENCH_COURSE = "BENCH 心跳基准课程"


def _id_number(n: int) -> str:
    birth = dt.date(1975, 1, 1) + dt.timedelta(days=n // 400)
    first17 = f"320706{birth:%Y%m%d}{n % 400 * 2 + 1:03d}"[:17]
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def _ensure_postgres_database(url: str) -> None:
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("bench heartbeat needs PostgreSQL (DATABASE_URL=postgres://…)")
    import psycopg

    base, _, name = url.rpartition("/")
    name = name.split("?")[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _redis_url() -> str:
    url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    host_port = url.split("://", 1)[1].split("/", 1)[0]
    host, _, port = host_port.rpartition(":")
    try:
        with socket.create_connection((host or "127.0.0.1", int(port or 6379)), timeout=1):
            return url
    except OSError:
        return ""


# --- Child: data and sessions -----------------------------------------------------------------------


def _prepare(learners: int) -> dict:
    import django

    django.setup()
    from decimal import Decimal

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.base import SessionBase
    from django.core.management import call_command
    from django.middleware.csrf import _get_new_csrf_string
    from django.utils.module_loading import import_string

    call_command("migrate", verbosity=0, interactive=False)

    from django.conf import settings

    from cecloud.accounts.models import Role, User
    from cecloud.catalog.models import Chapter, Course, Provider
    from cecloud.learning.factories import confirm_course
    from cecloud.learning.models import PlaybackSession, WatchedChapter
    from cecloud.registry.models import Grade, Person, Region, Unit
    from cecloud.training.factories import enrollment_for, training_year
    from cecloud.training.models import HourCategory

    training_year(2023)
    provider, _ = Provider.objects.get_or_create(name="BENCH 课程提供方", defaults={"short_name": "BENCH"})
    course, _ = Course.objects.get_or_create(
        provider=provider,
        title=BENCH_COURSE,
        defaults={"category": HourCategory.GENERAL, "hours": Decimal("2"), "is_published": True},
    )
    chapter, _ = Chapter.objects.get_or_create(
        course=course,
        order=1,
        defaults={"title": "第一讲 基准章节", "video": "videos/bench.mp4", "duration_seconds": CHAPTER_SECONDS},
    )
    region = Region.objects.get(code="320706")
    unit, _ = Unit.objects.get_or_create(region=region, name="BENCH 单位")
    engine: type[SessionBase] = import_string(settings.SESSION_ENGINE + ".SessionStore")
    out = []
    for n in range(learners):
        person, _ = Person.objects.get_or_create(
            id_number=_id_number(n),
            defaults={"name": f"基准学员{n}", "unit": unit, "region": region, "grade": Grade.TECHNICIAN},
        )
        user, _ = User.objects.get_or_create(
            username=person.id_number, defaults={"role": Role.LEARNER, "person": person, "display_name": person.name}
        )
        enrollment = enrollment_for(person, 2023)
        confirm_course(enrollment, course)
        session = engine()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "cecloud.accounts.backends.RegistryBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        out.append(
            {
                "session": session.session_key,
                "csrf": _get_new_csrf_string(),
                "start": f"/learning/classes/{enrollment.pk}/courses/{course.pk}/play/",
                "chapter": chapter.pk,
            }
        )
    # Every run starts from an empty watched state (the positions start at 0).
    learner_users = User.objects.filter(username__in=[_id_number(n) for n in range(learners)])
    PlaybackSession.objects.filter(user__in=learner_users).delete()
    WatchedChapter.objects.filter(chapter=chapter).delete()
    return {"learners": out, "session_cookie": settings.SESSION_COOKIE_NAME, "csrf_cookie": settings.CSRF_COOKIE_NAME}


def _counters(learners: int) -> dict:
    import django

    django.setup()
    from django.db.models import Sum

    from cecloud.learning.models import PlaybackSession

    fields = ["beats_accepted", "rejected_too_fast", "rejected_ahead", "rejected_superseded", "rejected_invalid"]
    totals = PlaybackSession.objects.filter(user__username__in=[_id_number(n) for n in range(learners)]).aggregate(
        **{f: Sum(f) for f in fields}
    )
    return {k: v or 0 for k, v in totals.items()}


# --- Load generator ----------------------------------------------------------------------------------


class Learner:
    def __init__(self, port: int, data: dict, cookies: tuple[str, str]):
        self.port = port
        self.data = data
        session_cookie, csrf_cookie = cookies
        self.headers = {
            "Content-Type": "application/json",
            "X-CSRFToken": data["csrf"],
            "Cookie": f"{session_cookie}={data['session']}; {csrf_cookie}={data['csrf']}",
            "Host": "127.0.0.1",
        }
        self.token = ""
        self.position = 0.0
        self.last = 0.0

    def post(self, path: str, body: dict) -> tuple[int, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("POST", path, body=json.dumps(body), headers=self.headers)
            response = conn.getresponse()
            payload = response.read()
        finally:
            conn.close()
        try:
            return response.status, json.loads(payload or b"{}")
        except ValueError:
            return response.status, {}

    def start(self) -> None:
        status, data = self.post(self.data["start"], {})
        if status != 200:
            raise SystemExit(f"opening the player answered {status}: {data}")
        self.token = data["token"]
        self.answered()

    def beat_body(self) -> dict:
        # Claim only the time since the previous answer arrived: the server's clock has certainly
        # advanced at least that much since it accepted the previous beat, so every beat is accepted.
        start = self.position
        self.position = round(start + max(0.0, time.monotonic() - self.last), 3)
        return {"token": self.token, "chapter": self.data["chapter"], "start": start, "position": self.position}

    def answered(self) -> None:
        self.last = time.monotonic()


def _phase(learners: list[Learner], path: str, seconds: float) -> tuple[int, list[float], int, float]:
    """Every learner sends requests back to back for ``seconds``: (requests, latencies ms, failures, elapsed s)."""
    latencies: list[list[float]] = [[] for _ in learners]
    failures = [0] * len(learners)
    deadline = time.monotonic() + seconds
    barrier = threading.Barrier(len(learners))

    def work(i: int) -> None:
        learner = learners[i]
        barrier.wait()
        while time.monotonic() < deadline:
            body = learner.beat_body() if path.endswith("/beat/") else {"token": learner.token, "position": 1.5}
            t0 = time.perf_counter()
            status, data = learner.post(path, body)
            latencies[i].append((time.perf_counter() - t0) * 1000)
            learner.answered()
            if status != 200 or (path.endswith("/beat/") and not data.get("accepted")):
                failures[i] += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(learners))]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    flat = [x for lane in latencies for x in lane]
    return len(flat), flat, sum(failures), elapsed


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _wait_ready(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/health", headers={"Host": "127.0.0.1"})
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer in time")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@benchmark(
    "heartbeat",
    description="Heartbeats per second through gunicorn on PostgreSQL vs an authenticated no-op (ratio ≥ 0.5)",
)
def run(options: list[str]):
    parser = argparse.ArgumentParser(prog="bench heartbeat")
    parser.add_argument("--learners", type=int, default=16, help="concurrent simulated learners")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each phase")
    parser.add_argument("--rounds", type=int, default=2, help="baseline/heartbeat phase pairs")
    args, _unknown = parser.parse_known_args(options)
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    _ensure_postgres_database(url)
    redis_url = _redis_url()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CECLOUD_ENV": "development",
        "DEBUG": "0",
        "CECLOUD_CAPTCHA_TEST_MODE": "0",
        "CECLOUD_BENCH_ENDPOINTS": "1",
        # The per-learner heartbeat throttle runs (its cost is measured) but never refuses the bench's beats.
        "THROTTLE_HEARTBEAT_USER": "1000000/60",
        "CECLOUD_ATTENTION_CHECK_SECONDS": "600-1200",
        "DB_CONN_MAX_AGE": "300",
        "LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    prepared = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "bench.heartbeat", "prepare", "--learners", str(args.learners)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if prepared.returncode != 0:
        raise RuntimeError(f"heartbeat prepare failed:\n{prepared.stderr[-2000:]}")
    data = json.loads(prepared.stdout.strip().splitlines()[-1])
    port = _free_port()
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    server = subprocess.Popen(  # noqa: S603 - fixed arguments
        [gunicorn, "config.wsgi:application", "--workers", str(args.workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "--timeout", "60"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        _wait_ready(port, server)
        cookies = (data["session_cookie"], data["csrf_cookie"])
        learners = [Learner(port, item, cookies) for item in data["learners"]]
        for learner in learners:
            learner.start()
        # warm-up: every worker has its connections and caches
        _phase(learners, "/learning/bench/noop/", 1.0)
        _phase(learners, "/learning/play/beat/", 1.0)
        totals = {"baseline": [0, [], 0, 0.0], "heartbeat": [0, [], 0, 0.0]}
        for _ in range(args.rounds):
            for key, path in (("baseline", "/learning/bench/noop/"), ("heartbeat", "/learning/play/beat/")):
                count, latencies, failures, elapsed = _phase(learners, path, args.seconds)
                totals[key][0] += count
                totals[key][1].extend(latencies)
                totals[key][2] += failures
                totals[key][3] += elapsed
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    counters_proc = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bench.heartbeat", "counters", "--learners", str(args.learners)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    counters = json.loads(counters_proc.stdout.strip().splitlines()[-1]) if counters_proc.returncode == 0 else {}
    base_count, base_lat, base_fail, base_time = totals["baseline"]
    beat_count, beat_lat, beat_fail, beat_time = totals["heartbeat"]
    if base_fail or beat_fail:
        raise RuntimeError(
            f"requests failed or heartbeats were refused: baseline {base_fail}, heartbeat {beat_fail}; counters {counters}"
        )
    info(
        f"heartbeat: gunicorn {args.workers} sync workers, {args.learners} concurrent learners, "
        f"{args.rounds}×{args.seconds:g} s per side, PostgreSQL, sessions/cache on {'Redis' if redis_url else 'database/local memory'}"
    )
    info(
        f"heartbeat: {beat_count} heartbeats all accepted (session counters: {counters}), {base_count} baseline requests; "
        f"mean latency {statistics.mean(beat_lat):.1f} ms vs {statistics.mean(base_lat):.1f} ms"
    )
    yield Result(
        name="heartbeat_rps",
        value=beat_count / beat_time,
        unit="req/s",
        baseline=base_count / base_time,
        min_ratio=MIN_RATIO,
    )
    yield Result(name="heartbeat_p50", value=_percentile(beat_lat, 0.5), unit="ms", baseline=_percentile(base_lat, 0.5))
    yield Result(
        name="heartbeat_p99", value=_percentile(beat_lat, 0.99), unit="ms", baseline=_percentile(base_lat, 0.99)
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    cli = argparse.ArgumentParser()
    cli.add_argument("command", choices=["prepare", "counters"])
    cli.add_argument("--learners", type=int, default=16)
    parsed = cli.parse_args()
    if parsed.command == "prepare":
        print(json.dumps(_prepare(parsed.learners)))
    else:
        print(json.dumps(_counters(parsed.learners)))
