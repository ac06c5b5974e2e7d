"""What the back-office Excel imports share (course metadata, question banks): the row error,
the import result, reading the first sheet by its header names, and the loop that checks its rows.

(The registry import streams 300,000 rows with its own reader, but reports with the same
``RowError`` and ``ImportResult``: see ``registry/importer``.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from openpyxl import load_workbook

UNREADABLE = "无法读取文件，请上传 .xlsx 格式的 Excel 文件"

T = TypeVar("T")


@dataclass
class RowError:
    """One problem in the file: Excel row number (header = 1; 0 = the file itself), column, reason (Chinese)."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, object]:
        """As stored with an import job."""
        return {"row": self.row, "column": self.column, "reason": self.message}

    def __str__(self) -> str:
        return f"第{self.row}行 [{self.column}] {self.message}"


@dataclass
class ImportResult:
    dry_run: bool
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class SheetError(Exception):
    """The file cannot be imported at all (unreadable, or a required column is missing)."""

    def __init__(self, error: RowError):
        super().__init__(error.message)
        self.error = error


def sheet_rows(
    fileobj, *, columns: Iterable[str], required: set[str], cell: Callable[[object], str]
) -> Iterator[tuple[int, dict[str, str]]]:
    """The non-empty rows of the first sheet as (Excel row number, {column: cell text}), columns found
    by their header, in any order. Raises ``SheetError`` before yielding anything when the file is
    not a readable .xlsx or lacks a required column."""
    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable upload is reported the same way
        raise SheetError(RowError(0, "", UNREADABLE)) from None
    rows = workbook.worksheets[0].iter_rows(values_only=True)
    header = [cell(value) for value in next(rows, [])]
    index = {name: i for i, name in enumerate(header) if name}
    missing = [c for c in columns if c in required and c not in index]
    if missing:
        workbook.close()
        raise SheetError(RowError(1, "、".join(missing), "缺少必填列"))
    return _non_empty(workbook, rows, index, cell)


def _non_empty(workbook, rows, index: dict[str, int], cell) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        for number, values in enumerate(rows, start=2):
            cells = {name: cell(values[i]) if i < len(values) else "" for name, i in index.items()}
            if any(cells.values()):
                yield number, cells
    finally:
        workbook.close()


@dataclass
class SheetRow:
    """One non-empty row being checked: its Excel row number, its cells and the errors found in it."""

    number: int
    cells: dict[str, str]
    errors: list[RowError] = field(default_factory=list)

    def bad(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, message))


def check_rows(
    rows: Iterable[tuple[int, dict[str, str]]],
    *,
    required: Iterable[str],
    max_rows: int,
    parse: Callable[[SheetRow], T],
) -> tuple[list[T], list[RowError], int]:
    """The row loop of an import: (parsed rows, errors, rows read).

    Each row must fill the required columns; ``parse`` checks the rest (reporting problems with
    ``row.bad``) and returns the parsed row, which is kept only when the row has no error. Reading
    stops with an error after ``max_rows`` rows.
    """
    required = sorted(required)
    parsed: list[T] = []
    errors: list[RowError] = []
    total = 0
    for number, cells in rows:
        total += 1
        if total > max_rows:
            errors.append(RowError(number, "", f"一次最多导入 {max_rows} 行"))
            break
        row = SheetRow(number, cells)
        for column in required:
            if not cells.get(column):
                row.bad(column, "不能为空")
        value = parse(row)
        if row.errors:
            errors.extend(row.errors)
            continue
        parsed.append(value)
    return parsed, errors, total
