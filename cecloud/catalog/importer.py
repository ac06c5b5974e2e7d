"""Bulk import of course metadata from Excel (.xlsx): a dry run lists every bad row, then all or nothing.

Columns (first row is the header, order free): 课程名称*, 课程分类* (思政/通识/岗位提升),
课程标签, 课程提供方* (full name or 简称 of an existing provider), 讲师 (names separated by
、 or , — created when new), 学时* (a multiple of 0.5), 适用年度* ("2023", "2021,2022" or
"2018-2023"), 是否发布 (是/否), 排序, 课程简介. A course is matched by provider and title:
re-importing updates it. Videos are uploaded per chapter in the back office.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from openpyxl import Workbook

from cecloud.core.audit import audit_log
from cecloud.core.spreadsheet import (
    ImportResult,
    RowError,
    SheetError,
    SheetRow,
    check_rows,
    sheet_rows,
    xlsx_append,
    xlsx_bytes,
)
from cecloud.core.text import normalize_text
from cecloud.training.models import HourCategory, TrainingYear

from .models import Chapter, Course, CourseLecturer, Lecturer, Provider, SubjectTag
from .selectors import catalog_changed

COLUMNS = ["课程名称", "课程分类", "课程标签", "课程提供方", "讲师", "学时", "适用年度", "是否发布", "排序", "课程简介"]
REQUIRED = {"课程名称", "课程分类", "课程提供方", "学时", "适用年度"}
MAX_ROWS = 20_000
_SPLIT = re.compile(r"[、,，;；/\s]+")
_CATEGORY = {label: value for value, label in HourCategory.choices} | {value: value for value in HourCategory.values}
_CATEGORY |= {"思想政治": HourCategory.IDEOLOGY, "岗位技能提升": HourCategory.SKILL, "岗位技能": HourCategory.SKILL}


@dataclass
class CourseRow:
    row: int
    title: str
    category: str
    tag: str
    provider: Provider
    lecturers: list[str]
    hours: Decimal
    years: list[int]
    published: bool
    sort_order: int | None
    description: str


def template_workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "课程"
    xlsx_append(ws, COLUMNS)
    xlsx_append(
        ws,
        [
            "《党的十九届六中全会精神总体解读》",
            "思政",
            "中共党史",
            "江苏省机关事业单位技术工人等级考核培训单位联席会",
            "宋承敏、王小广",
            4,
            "2018-2023",
            "否",
            1,
            "课程简介",
        ],
    )
    for column, width in zip("ABCDEFGHIJ", [40, 10, 12, 40, 20, 8, 14, 10, 8, 40], strict=True):
        ws.column_dimensions[column].width = width
    return xlsx_bytes(wb)


def _parse_years(value: str, known: set[int]) -> list[int]:
    text = normalize_text(value).replace("—", "-").replace("–", "-").replace("~", "-").replace("至", "-")
    years: set[int] = set()
    for part in _SPLIT.split(text):
        if not part:
            continue
        match = re.fullmatch(r"(\d{4})(?:年)?(?:-(\d{4})(?:年)?)?", part)
        if not match:
            raise ValueError(f"无法识别的年度“{part}”，应为 2023、2021,2022 或 2018-2023")
        start = int(match.group(1))
        end = int(match.group(2) or start)
        if end < start:
            raise ValueError(f"年度范围“{part}”起止颠倒")
        years.update(range(start, end + 1))
    if not years:
        raise ValueError("不能为空")
    unknown = sorted(years - known)
    if unknown:
        raise ValueError("学习年度不存在：" + "、".join(str(y) for y in unknown))
    return sorted(years)


def _cell(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalize_text(value)


def read_rows(fileobj) -> tuple[list[CourseRow], list[RowError], int]:
    """Parse and validate every row; never writes."""
    try:
        rows = sheet_rows(fileobj, columns=COLUMNS, required=REQUIRED, cell=_cell)
    except SheetError as exc:
        return [], [exc.error], 0
    providers = {}
    for p in Provider.objects.all():
        providers[p.name] = p
        if p.short_name:
            providers.setdefault(p.short_name, p)
    known_years = set(TrainingYear.objects.values_list("year", flat=True))
    seen: dict[tuple[int, str], int] = {}

    def parse(row: SheetRow) -> CourseRow:
        cells, bad = row.cells, row.bad
        title = cells.get("课程名称", "")
        if len(title) > 200:
            bad("课程名称", "不能超过200个字")
        category = _CATEGORY.get(cells.get("课程分类", ""))
        if cells.get("课程分类") and category is None:
            bad("课程分类", "应为 思政、通识 或 岗位提升")
        provider = providers.get(cells.get("课程提供方", ""))
        if cells.get("课程提供方") and provider is None:
            bad("课程提供方", f"课程提供方“{cells['课程提供方']}”不存在，请先在后台添加")
        hours = None
        if cells.get("学时"):
            try:
                hours = Decimal(cells["学时"])
            except InvalidOperation:
                bad("学时", "应为数字，如 0.5、2、4")
            else:
                if hours <= 0 or hours > 100 or (hours * 2) % 1 != 0:
                    bad("学时", "应为大于0的 0.5 的整数倍")
        years: list[int] = []
        if cells.get("适用年度"):
            try:
                years = _parse_years(cells["适用年度"], known_years)
            except ValueError as exc:
                bad("适用年度", str(exc))
        published_text = cells.get("是否发布", "") or "否"
        if published_text not in {"是", "否"}:
            bad("是否发布", "应为 是 或 否")
        sort_order = None
        if cells.get("排序"):
            try:
                sort_order = int(cells["排序"])
            except ValueError:
                bad("排序", "应为整数")
        tag = cells.get("课程标签", "")
        if len(tag) > 30:
            bad("课程标签", "不能超过30个字")
        lecturers = [name for name in _SPLIT.split(cells.get("讲师", "")) if name]
        if any(len(name) > 50 for name in lecturers):
            bad("讲师", "讲师姓名不能超过50个字")
        if provider and title:
            key = (provider.pk, title)
            if key in seen:
                bad("课程名称", f"与第{seen[key]}行重复（同一提供方的课程名称须唯一）")
            else:
                seen[key] = row.number
        return CourseRow(
            row=row.number,
            title=title,
            category=category,
            tag=tag,
            provider=provider,
            lecturers=list(dict.fromkeys(lecturers)),
            hours=hours,
            years=years,
            published=published_text == "是",
            sort_order=sort_order,
            description=cells.get("课程简介", ""),
        )

    parsed, errors, total = check_rows(rows, required=REQUIRED, max_rows=MAX_ROWS, parse=parse)
    if total == 0 and not errors:
        errors.append(RowError(2, "", "文件中没有课程数据"))
    # Publishing needs playable chapters: only existing courses with videos may be imported as published.
    wanted = [r for r in parsed if r.published]
    if wanted:
        existing = {
            (c.provider_id, c.title): c.pk
            for c in Course.objects.filter(title__in=[r.title for r in wanted]).only("pk", "provider_id", "title")
        }
        playable = set(
            Chapter.objects.filter(course_id__in=list(existing.values()), duration_seconds__gt=0)
            .exclude(video="")
            .values_list("course_id", flat=True)
        )
        for r in wanted:
            if existing.get((r.provider.pk, r.title)) not in playable:
                errors.append(RowError(r.row, "是否发布", "课程尚无可播放的章节视频，请先导入为“否”，上传视频后再发布"))
    errors.sort(key=lambda e: e.row)
    return parsed, errors, total


def import_courses(fileobj, *, dry_run: bool, actor=None) -> ImportResult:
    rows, errors, total = read_rows(fileobj)
    result = ImportResult(dry_run=dry_run, total_rows=total, errors=errors)
    if errors or dry_run:
        if not errors:
            existing = {(c.provider_id, c.title) for c in Course.objects.only("provider_id", "title")}
            result.updated = sum(1 for r in rows if (r.provider.pk, r.title) in existing)
            result.created = len(rows) - result.updated
        return result
    with transaction.atomic():
        years = {ty.year: ty for ty in TrainingYear.objects.all()}
        for r in rows:
            tag = SubjectTag.objects.get_or_create(name=r.tag)[0] if r.tag else None
            defaults = {
                "category": r.category,
                "hours": r.hours,
                "tag": tag,
                "is_published": r.published,
                "description": r.description,
            }
            if r.sort_order is not None:
                defaults["sort_order"] = r.sort_order
            course, created = Course.objects.update_or_create(provider=r.provider, title=r.title, defaults=defaults)
            course.years.set([years[y] for y in r.years])
            if r.lecturers:
                CourseLecturer.objects.filter(course=course).delete()
                for order, name in enumerate(r.lecturers):
                    lecturer = Lecturer.objects.get_or_create(name=name)[0]
                    CourseLecturer.objects.create(course=course, lecturer=lecturer, sort_order=order)
            if created:
                result.created += 1
            else:
                result.updated += 1
        audit_log(
            event_type="catalog.courses_imported",
            actor=actor,
            subject_type="catalog.course",
            extra_data={"rows": total, "created": result.created, "updated": result.updated},
        )
        transaction.on_commit(catalog_changed)
    return result
