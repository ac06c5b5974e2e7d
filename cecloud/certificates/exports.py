"""The batch verification result as an .xlsx file (and its cached form between page and download)."""

from __future__ import annotations

import secrets
from dataclasses import asdict
from decimal import Decimal

from django.core.cache import cache

from cecloud.core.spreadsheet import xlsx_append, xlsx_bytes
from cecloud.training.models import HourCategory

from .selectors import BatchRow

HEADERS = [
    "身份证号", "姓名", "学习年度", "技术等级", "是否报名", "是否缴费",
    "思政学时", "通识学时", "岗位提升学时", "总学时", "要求学时", "是否合格", "证书编号", "证书状态", "备注",
]  # fmt: skip
CACHE_SECONDS = 30 * 60


def _yes(value: bool, has_data: bool) -> str:
    if not has_data:
        return ""
    return "是" if value else "否"


def _number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def row_values(row: BatchRow) -> list:
    data = row.has_data
    enrolled = row.total is not None
    return [
        row.id_number,
        row.name,
        row.year or "",
        row.grade,
        _yes(row.registered, data),
        _yes(row.paid, data),
        *[_number(row.hours.get(c)) if enrolled else None for c in HourCategory.values],
        _number(row.total),
        _number(row.required),
        _yes(row.qualified, data),
        row.certificate_number,
        row.certificate_status,
        row.note,
    ]


def batch_workbook(rows: list[BatchRow], *, unit_name: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "培训证明批量查验"
    xlsx_append(sheet, HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8F0FA")
    for row in rows:
        xlsx_append(sheet, row_values(row))
    for col, width in zip("ABCDEFGHIJKLMNO", [21, 10, 9, 10, 8, 8, 9, 9, 12, 8, 8, 8, 17, 8, 24], strict=True):
        sheet.column_dimensions[col].width = width
    sheet.freeze_panes = "A2"
    workbook.properties.creator = unit_name
    return xlsx_bytes(workbook)


def _key(user_id: int, token: str) -> str:
    return f"certbatch:{user_id}:{token}"


def store_rows(*, user_id: int, rows: list[BatchRow]) -> str:
    token = secrets.token_urlsafe(16)
    cache.set(_key(user_id, token), [asdict(r) for r in rows], timeout=CACHE_SECONDS)
    return token


def load_rows(*, user_id: int, token: str) -> list[BatchRow] | None:
    data = cache.get(_key(user_id, token))
    if data is None:
        return None
    return [BatchRow(**item) for item in data]
