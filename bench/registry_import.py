"""Registry import of a generated 300,000-row spreadsheet on PostgreSQL (issue 2, "Done when").

baseline: plain openpyxl read-only iteration over every row of the same file, in its own process.
subject:  the real import (``cecloud.registry.importer.registry_import``, not a dry run) into an
          empty registry, in its own process.

Results: ``registry_import`` (seconds; target ratio ≤ 2) and ``registry_import_peak_rss`` (peak
resident set size of the import process in MB against the baseline process; target ≤ 500 MB).

The file is generated once and cached under bench/data/. The database is ``DATABASE_URL`` (must be
PostgreSQL) or, when unset, postgres://postgres@127.0.0.1:5432/cecloud_bench, created and migrated
here. Its registry is emptied before the import only when the database name contains "bench";
otherwise a non-empty registry is refused.

Child processes: ``python -m bench.registry_import {prepare|baseline|import} FILE``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

from . import DATA_DIR, ROOT, Result, benchmark, info

DEFAULT_ROWS = 300_000
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/cecloud_bench"
MAX_RATIO = 2.0
MAX_RSS_MB = 500.0

HEADER = ["姓名", "身份证号", "手机号", "工作单位", "所属地区", "技术等级", "岗位", "在岗状态"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华红玉兰建国海燕晓东文斌志宏春梅小红永辉秀珍卫东"
POSTS = [
    "驾驶员",
    "电工",
    "厨师",
    "维修工",
    "绿化工",
    "保安员",
    "收发员",
    "打字员",
    "水工",
    "锅炉工",
    "护理员",
    "档案员",
]
UNIT_KINDS = [
    "人民医院",
    "中学",
    "小学",
    "机关事务管理中心",
    "城市管理局",
    "卫生院",
    "水利站",
    "交通运输局",
    "档案馆",
    "图书馆",
]
GRADE_FORMS = {
    "初级工": ["初级工", "初级工", "五级"],
    "中级工": ["中级工", "中级工", "四级/中级工"],
    "高级工": ["高级工", "高级工", "三级（高级工）"],
    "技师": ["技师", "技师", "二级"],
    "高级技师": ["高级技师", "高级技师", "一级/高级技师"],
}
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _id_number(address: str, birth: dt.date, seq: int) -> str:
    first17 = f"{address}{birth:%Y%m%d}{seq:03d}"
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def generate(path: Path, rows: int, *, seed: int = 2023) -> None:
    """A valid registry file: unique ID numbers, all 13 cities, units in counties and cities."""
    sys.path.insert(0, str(ROOT))
    from openpyxl import Workbook

    from cecloud.registry.regions_data import CITIES

    rnd = random.Random(seed)
    county_names = [name for _c, _n, counties in CITIES for _code, name in counties]
    unique_counties = {n for n in county_names if county_names.count(n) == 1}
    # ~3,000 units: (region text as operators write it, unit name, ID address code)
    units = []
    for city_code, city, counties in CITIES:
        for code, county in counties:
            for k in range(25):
                forms = [f"{city}{county}", f"{city} {county}"]
                if county in unique_counties:
                    forms.append(county)
                units.append(
                    (forms, f"{city}{county}{UNIT_KINDS[k % len(UNIT_KINDS)]}{k // len(UNIT_KINDS) + 1}", code)
                )
        for k in range(12):
            units.append(([city], f"{city}{UNIT_KINDS[k % len(UNIT_KINDS)]}直属{k + 1}", city_code[:4] + "02"))
    birth0 = dt.date(1964, 1, 1)
    days = 15_000
    grades = list(GRADE_FORMS)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("人员信息")
    ws.append(HEADER)
    for i in range(rows):
        forms, unit, address = units[rnd.randrange(len(units))]
        birth = birth0 + dt.timedelta(days=i % days)
        id_number = _id_number(address, birth, (i // days) % 500 * 2 + rnd.randrange(2))
        if rnd.random() < 0.05:
            id_number = id_number[:-1] + id_number[-1].lower()
        grade = grades[rnd.randrange(len(grades))]
        ws.append(
            [
                SURNAMES[rnd.randrange(len(SURNAMES))] + "".join(rnd.sample(GIVEN, rnd.randrange(1, 3))),
                id_number,
                "" if rnd.random() < 0.05 else f"1{rnd.choice('3456789')}{rnd.randrange(10**9):09d}",
                unit,
                forms[rnd.randrange(len(forms))],
                rnd.choice(GRADE_FORMS[grade]),
                POSTS[rnd.randrange(len(POSTS))],
                "离岗" if rnd.random() < 0.03 else "在岗",
            ]
        )
    tmp = path.with_suffix(".tmp")
    wb.save(tmp)
    tmp.replace(path)


def data_file(rows: int) -> Path:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / f"registry_{rows}.xlsx"
    if not path.exists():
        info(f"generating {path} ({rows} rows, once)")
        started = time.perf_counter()
        generate(path, rows)
        info(f"generated in {time.perf_counter() - started:.1f} s")
    return path


# --- child processes -------------------------------------------------------------------------------------------
def _report(**data) -> None:
    data["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    print("RESULT " + json.dumps(data), flush=True)


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def child_baseline(path: str) -> None:
    from openpyxl import load_workbook

    started, cpu = time.perf_counter(), time.process_time()
    wb = load_workbook(path, read_only=True, data_only=True)
    count = 0
    for _row in wb.worksheets[0].iter_rows(values_only=True):
        count += 1
    wb.close()
    _report(seconds=time.perf_counter() - started, cpu_seconds=time.process_time() - cpu, rows=count - 1)


def child_prepare(path: str) -> None:
    import psycopg
    from dj_database_url import parse

    url = os.environ["DATABASE_URL"]
    cfg = parse(url)
    if not cfg["ENGINE"].endswith("postgresql"):
        raise SystemExit(f"registry_import bench needs PostgreSQL; DATABASE_URL is {cfg['ENGINE']}")
    name = cfg["NAME"]
    conninfo = {"host": cfg["HOST"] or None, "port": cfg["PORT"] or None, "user": cfg["USER"] or None}
    conninfo["password"] = cfg["PASSWORD"] or None
    with psycopg.connect(dbname="postgres", autocommit=True, **{k: v for k, v in conninfo.items() if v}) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"# created database {name}", flush=True)
    _django()
    from django.core.management import call_command
    from django.db import connection

    from cecloud.registry.models import Person, Unit

    call_command("migrate", verbosity=0, interactive=False)
    if Person.objects.exists() or Unit.objects.exists():
        if "bench" not in name:
            raise SystemExit(
                f"database {name} already has a registry; the benchmark imports into an empty registry and only "
                "empties databases whose name contains 'bench' (unset DATABASE_URL to use cecloud_bench)"
            )
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE registry_personhistory, registry_person, registry_unit RESTART IDENTITY CASCADE")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE registry_person")
    _report(seconds=0.0, database=name)


def child_import(path: str) -> None:
    _django()
    from cecloud.registry.importer import registry_import

    marks = {"read": 0.0}

    def progress(phase: str, done: int, total: int | None) -> None:
        marks["read"] = time.perf_counter()  # the last call comes when the last row has been read

    started, cpu = time.perf_counter(), time.process_time()
    result = registry_import(source=path, dry_run=False, progress=progress, source_name=Path(path).name)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if result.errors:
        raise SystemExit("import reported errors: " + "; ".join(str(e) for e in result.errors[:5]))
    _report(
        seconds=seconds,
        read_seconds=marks["read"] - started,
        cpu_seconds=cpu,
        rows=result.total_rows,
        created=result.created,
        units_created=result.units_created,
    )


def _run_child(mode: str, path: Path, env: dict[str, str]) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.registry_import", mode, str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("# "):
            print(line, flush=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise SystemExit(f"bench child '{mode}' failed (exit {proc.returncode})")
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    return json.loads(lines[-1].removeprefix("RESULT "))


@benchmark("registry_import", description="300,000-row registry import on PostgreSQL vs plain openpyxl iteration")
def run(argv: list[str]):
    parser = argparse.ArgumentParser(prog="bench registry_import")
    parser.add_argument("--rows", type=int, default=int(os.environ.get("BENCH_REGISTRY_ROWS", DEFAULT_ROWS)))
    parser.add_argument(
        "--repeat",
        type=int,
        default=int(os.environ.get("BENCH_REPEAT", "1")),
        help="alternate baseline and import N times and keep the fastest of each (for busy machines)",
    )
    options, _unknown = parser.parse_known_args(argv)
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env["CELERY_TASK_ALWAYS_EAGER"] = "1"
    path = data_file(options.rows)
    path.read_bytes()  # warm the page cache so neither measurement pays for the first disk read
    baselines, subjects = [], []
    for _ in range(max(1, options.repeat)):
        _run_child("prepare", path, env)  # an empty registry for every import
        baselines.append(_run_child("baseline", path, env))
        subjects.append(_run_child("import", path, env))
    baseline = min(baselines, key=lambda r: r["seconds"])
    subject = min(subjects, key=lambda r: r["seconds"])
    if len(subjects) > 1:
        info(
            "runs (baseline/import s): "
            + ", ".join(f"{b['seconds']:.1f}/{s['seconds']:.1f}" for b, s in zip(baselines, subjects, strict=True))
        )
    if subject["created"] != options.rows or baseline["rows"] != options.rows:
        raise SystemExit(
            f"expected {options.rows} rows, baseline read {baseline['rows']}, import created {subject['created']}"
        )
    info(
        f"rows={subject['rows']} created={subject['created']} units_created={subject['units_created']} "
        f"reading+checking+writing {subject['read_seconds']:.1f}s, last writes+commit "
        f"{subject['seconds'] - subject['read_seconds']:.1f}s ({subject['rows'] / subject['seconds']:.0f} rows/s) "
        f"database={_db_name(env['DATABASE_URL'])}"
    )
    info(
        f"process CPU: baseline {baseline['cpu_seconds']:.1f} s, import {subject['cpu_seconds']:.1f} s "
        "(plus the PostgreSQL server's own work)"
    )
    yield Result("registry_import", subject["seconds"], "s", baseline["seconds"], max_ratio=MAX_RATIO)
    yield Result("registry_import_peak_rss", subject["maxrss_mb"], "MB", baseline["maxrss_mb"], max_value=MAX_RSS_MB)


def _db_name(url: str) -> str:
    return url.rsplit("/", 1)[-1].split("?", 1)[0]


if __name__ == "__main__":
    mode, file = sys.argv[1], sys.argv[2]
    {"prepare": child_prepare, "baseline": child_baseline, "import": child_import}[mode](file)
