"""Demo registry: units in two cities and about 50 learners across every grade (valid ID numbers)."""

from __future__ import annotations

import datetime as dt

from cecloud.core.ids import id_check_char

from .models import Grade, Person, PersonStatus, Region, Unit

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "秀英",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀兰",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "文",
    "华",
    "红",
    "玉兰",
    "建国",
    "海燕",
]
POSTS = ["驾驶员", "电工", "厨师", "维修工", "绿化工", "保安员", "收发员", "打字员", "水工", "锅炉工"]

UNITS = [
    # (region code, name, kind, credit code or "")
    ("320700", "连云港市人力资源和社会保障局", "agency", ""),
    ("320706", "连云港市第一人民医院", "institution", ""),
    ("320706", "海州区机关事务管理中心", "institution", ""),
    ("320707", "赣榆区城市管理局", "agency", ""),
    ("320100", "南京市机关事务管理局", "agency", ""),
    ("320106", "南京市鼓楼区教育局", "agency", ""),
]

# The first learner is the one the README and the browser tests use.
DEMO_LEARNER_ID = None  # filled in by make_id below


def make_id(region_code: str, birth: dt.date, seq: int) -> str:
    first17 = f"{region_code}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)


def demo_people() -> list[dict]:
    grades = list(Grade.values)
    people = []
    for i in range(50):
        unit = UNITS[1 + i % (len(UNITS) - 1)]
        region_code = unit[0]
        birth = dt.date(1970 + i % 25, 1 + i % 12, 1 + (i * 7) % 28)
        people.append(
            {
                "name": SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 3) % len(GIVEN)],
                "id_number": make_id(region_code if region_code != "320700" else "320706", birth, 11 + 2 * i),
                "phone": f"139{(i * 7919) % 100000000:08d}",
                "unit": unit,
                "grade": grades[i % len(grades)] if i else Grade.SENIOR_TECHNICIAN,
                "post": POSTS[i % len(POSTS)],
                "status": PersonStatus.INACTIVE if i == 49 else PersonStatus.ACTIVE,
            }
        )
    return people


def load(stdout=None) -> dict:
    from .regions_data import load_regions

    if not Region.objects.filter(code="320000").exists():  # reference data (a data migration) was flushed
        load_regions(Region)
    regions = {r.code: r for r in Region.objects.all()}
    units = {}
    for code, name, kind, credit in UNITS:
        unit, _ = Unit.objects.get_or_create(
            region=regions[code], name=name, defaults={"kind": kind, "credit_code": credit}
        )
        units[name] = unit
    created = 0
    for p in demo_people():
        unit = units[p["unit"][1]]
        _, was_created = Person.objects.get_or_create(
            id_number=p["id_number"],
            defaults={
                "name": p["name"],
                "phone": p["phone"],
                "unit": unit,
                "region": unit.region,
                "grade": p["grade"],
                "post": p["post"],
                "status": p["status"],
            },
        )
        created += was_created
    if stdout:
        stdout.write(f"人员库：{Person.objects.count()} 人（本次新增 {created}），单位 {Unit.objects.count()} 个")
    return {"units": units}
