"""Excel (.xlsx) exports for the portals, written with openpyxl in write-only mode (constant memory).

Worker lists are written in pages of the same queryset the page shows, so an export of thousands
of workers runs a constant number of queries per 500 rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from cecloud.core.masking import mask_id_number, mask_phone
from cecloud.core.spreadsheet import XLSX_CONTENT_TYPE, xlsx_append, xlsx_bytes
from cecloud.registry.models import Person
from cecloud.training.models import TrainingYear

from .selectors import workers
from .selectors.completion import Completion, Dashboard
from .selectors.workers import WorkerRow

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1559A8")
BATCH = 500

WORKER_HEADER = [
    "序号",
    "姓名",
    "身份证号",
    "手机号",
    "工作单位",
    "技术等级",
    "岗位/工种",
    "学习年度",
    "状态",
    "缴费情况",
    "缴费时间",
    "金额(元)",
    "要求学时",
    "已选学时",
    "已选思政",
    "已选通识",
    "已选岗位提升",
    "已获学时",
    "已获思政",
    "已获通识",
    "已获岗位提升",
    "学习进度(%)",
    "证书编号",
    "证书查验",
]
WORKER_WIDTHS = [6, 10, 21, 14, 24, 10, 12, 9, 8, 16, 17, 9, 9, 9, 9, 9, 11, 9, 9, 9, 11, 11, 22, 40]


def _header(ws, titles: list[str], widths: list[int] | None = None) -> None:
    cells = []
    for title in titles:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cells.append(cell)
    for i, width in enumerate(widths or [], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    xlsx_append(ws, cells)


def _num(value):
    """Decimals as numbers Excel can sum (hours have one decimal place)."""
    if value is None:
        return None
    return float(value)


def iter_worker_rows(queryset: QuerySet[Person], training_year: TrainingYear) -> Iterator[WorkerRow]:
    paginator = Paginator(queryset, BATCH)
    for number in paginator.page_range:
        yield from workers.worker_rows(list(paginator.page(number).object_list), training_year)


def worker_sheet_rows(
    rows: Iterable[WorkerRow], training_year: TrainingYear, *, full_id_numbers: bool, absolute=lambda url: url
) -> Iterator[list]:
    for i, row in enumerate(rows, start=1):
        p = row.person
        cats = row.categories
        yield [
            i,
            p.name,
            p.id_number if full_id_numbers else mask_id_number(p.id_number),
            mask_phone(p.phone),
            p.unit.name,
            p.get_grade_display(),
            p.post,
            training_year.year,
            row.status_label,
            row.payment_label,
            timezone.localtime(row.paid_at).strftime("%Y-%m-%d %H:%M") if row.paid_at else "",
            _num(row.amount),
            _num(row.required_total) if row.enrollment_id else None,
            _num(row.selected_total) if row.enrollment_id else None,
            *[_num(c.selected) if row.enrollment_id else None for c in cats],
            _num(row.earned_total) if row.enrollment_id else None,
            *[_num(c.earned) if row.enrollment_id else None for c in cats],
            row.percent if row.enrollment_id else None,
            row.certificate_number,
            absolute(row.certificate_url) if row.certificate_url else "",
        ]


def workers_workbook(
    *,
    title: str,
    queryset: QuerySet[Person],
    training_year: TrainingYear,
    full_id_numbers: bool,
    absolute=lambda url: url,
) -> tuple[bytes, int]:
    """The worker list as an .xlsx; returns (content, number of rows)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    _header(ws, WORKER_HEADER, WORKER_WIDTHS)
    count = 0
    for values in worker_sheet_rows(
        iter_worker_rows(queryset, training_year),
        training_year,
        full_id_numbers=full_id_numbers,
        absolute=absolute,
    ):
        xlsx_append(ws, values)
        count += 1
    return _save(wb), count


COMPLETION_HEADER = ["", "在岗人数", "已报名", "学习中", "已合格", "未报名", "报名率(%)", "完成率(%)"]


def _completion_values(c: Completion, label: str | None = None) -> list:
    return [
        label if label is not None else c.label,
        c.workers,
        c.registered,
        c.learning,
        c.qualified,
        c.not_registered,
        c.registered_rate,
        c.rate,
    ]


def dashboard_workbook(board: Dashboard, units: list[Completion]) -> tuple[bytes, int]:
    """The bureau's statistics: by county, by unit, by grade, and by day."""
    wb = Workbook(write_only=True)
    year = board.training_year.year
    ws = wb.create_sheet("按县区")
    _header(ws, ["县区", *COMPLETION_HEADER[1:]], [22, 10, 10, 10, 10, 10, 11, 11])
    for c in board.by_region:
        xlsx_append(ws, _completion_values(c))
    xlsx_append(ws, _completion_values(board.total, "合计"))
    ws = wb.create_sheet("按单位")
    _header(ws, ["单位", "所属地区", *COMPLETION_HEADER[1:]], [36, 22, 10, 10, 10, 10, 10, 11, 11])
    for c in units:
        values = _completion_values(c)
        xlsx_append(ws, [values[0], c.code, *values[1:]])
    ws = wb.create_sheet("按等级")
    _header(ws, ["技术等级", *COMPLETION_HEADER[1:]], [12, 10, 10, 10, 10, 10, 11, 11])
    for c in board.by_grade:
        xlsx_append(ws, _completion_values(c))
    ws = wb.create_sheet("每日报名缴费")
    _header(ws, ["日期", "报名人数", "缴费人数", "缴费金额(元)", "合格人数"], [12, 10, 10, 13, 10])
    for d in board.days:
        xlsx_append(ws, [d.day.isoformat(), d.registered, d.paid, float(d.amount), d.qualified])
    ws = wb.create_sheet("说明")
    xlsx_append(ws, [f"{board.region.full_name} {year}年度工勤人员继续教育统计"])
    xlsx_append(ws, [f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}"])
    xlsx_append(
        ws,
        [
            "在岗人数：人员库中在岗的工勤人员；已报名：已缴费开班；已合格：完成全部学时要求；完成率 = 已合格 ÷ 在岗人数。"
        ],
    )
    return _save(wb), len(board.by_region) + len(units) + len(board.by_grade) + len(board.days)


def _save(wb: Workbook) -> bytes:
    return xlsx_bytes(wb)


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response
