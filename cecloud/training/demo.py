"""Demo schedules: every year 2018–2023 open today for the demo cities; the notice's dates kept as an example."""

from __future__ import annotations

import datetime as dt

from cecloud.registry.models import Region

from .models import RegionSchedule, TrainingYear
from .seed import SEED_YEARS
from .selectors import local_today

DEMO_CITIES = ["320700", "320100"]  # 连云港市, 南京市
# 连人社函〔2023〕74号: 报名缴费 2023-09-10 — 10-20, 学习考试 2023-09-10 — 10-25 (kept on 灌云县 as an example).
NOTICE_EXAMPLE = (
    "320723",
    2023,
    dt.date(2023, 9, 10),
    dt.date(2023, 10, 20),
    dt.date(2023, 9, 10),
    dt.date(2023, 10, 25),
)


def load(stdout=None) -> None:
    from .models import YearRequirement
    from .seed import load_years

    load_years(TrainingYear, YearRequirement)  # idempotent; restores the seed if it was flushed
    today = local_today()
    years = {ty.year: ty for ty in TrainingYear.objects.filter(year__in=list(SEED_YEARS))}
    for code in DEMO_CITIES:
        region = Region.objects.get(code=code)
        for year in SEED_YEARS:
            RegionSchedule.objects.update_or_create(
                region=region,
                training_year=years[year],
                defaults={
                    "register_start": today - dt.timedelta(days=30),
                    "register_end": today + dt.timedelta(days=90),
                    "study_start": today - dt.timedelta(days=30),
                    "study_end": today + dt.timedelta(days=120),
                    "catch_up_open": True,
                },
            )
    code, year, rs, re_, ss, se = NOTICE_EXAMPLE
    RegionSchedule.objects.update_or_create(
        region=Region.objects.get(code=code),
        training_year=years[year],
        defaults={"register_start": rs, "register_end": re_, "study_start": ss, "study_end": se, "catch_up_open": True},
    )
    if stdout:
        stdout.write(f"学习年度：{len(years)} 个，演示地区时间安排已开放至 {today + dt.timedelta(days=90)}")
