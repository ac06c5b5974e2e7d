"""Spreadsheets in and out: what every .xlsx and .csv the platform writes and every .xlsx it reads share.

Out (exports): ``safe_cell`` is the one cell sanitiser (formula injection, OWASP "CSV injection"):
a text value that a spreadsheet program would read as a formula gets a leading apostrophe, while
numbers, dates and Decimals keep their type. Every export writes through ``xlsx_append`` /
``xlsx_bytes`` or ``csv_writer``, which apply it.

In (imports): ``check_xlsx_upload`` bounds an uploaded .xlsx by its zip directory and a streaming
scan (decompressed size, compression ratio, members, rows, columns, cells, shared strings) before
openpyxl parses anything; the limits are ``settings.SPREADSHEET_UPLOAD_LIMITS``. The back-office
imports (course metadata, question banks) then share the row error, the import result, reading the
first sheet by its header names, and the loop that checks its rows.

(The registry import streams 300,000 rows with its own reader, but reports with the same
``RowError`` and ``ImportResult``: see ``registry/importer``.)
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from django.conf import settings
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell

UNREADABLE = "无法读取文件，请上传 .xlsx 格式的 Excel 文件"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

T = TypeVar("T")


# --- Exports: the cell sanitiser and the writers ---------------------------------------------------
# A cell whose text starts with one of these is a formula (or DDE call) to Excel, WPS and LibreOffice;
# tab and CR too, as some of them drop a leading tab/CR before parsing. Full-width forms are included:
# input methods and "auto-correct" can turn them into the ASCII ones when a cell is edited.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_LEADING_BLANKS = " \n\u3000\u00a0"


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula (also after leading blanks)."""
    return text.startswith(FORMULA_PREFIXES) or text.lstrip(_LEADING_BLANKS).startswith(FORMULA_PREFIXES)


def safe_cell(value):
    """The value as it may be written to a cell: formula-like text gets a leading ``'`` (shown as
    text, never evaluated); every other value (numbers, negative ones too, dates, Decimals, None)
    is returned unchanged."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def safe_row(values: Iterable) -> list:
    return [safe_cell(v) for v in values]


def xlsx_append(sheet, values: Iterable) -> None:
    """Append one row to a worksheet (normal or write-only), every value through ``safe_cell``;
    styled ``WriteOnlyCell``s keep their style."""
    row = []
    for value in values:
        if isinstance(value, Cell):  # a styled cell (openpyxl.cell.WriteOnlyCell)
            _sanitise_cell(value)
            row.append(value)
        else:
            row.append(safe_cell(value))
    sheet.append(row)


def _sanitise_cell(cell) -> None:
    if cell.data_type == "f" or isinstance(cell.value, str):
        text = cell.value if isinstance(cell.value, str) else str(cell.value)
        cell.value = safe_cell(text)
        cell.data_type = "s"


def xlsx_bytes(workbook: Workbook) -> bytes:
    """The saved workbook. A normal (not write-only) workbook is swept first: no cell is written as
    a formula and every text cell goes through ``safe_cell``, whoever filled it."""
    if not getattr(workbook, "write_only", False):
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    _sanitise_cell(cell)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class _SafeCsvWriter:
    def __init__(self, fileobj, **kwargs):
        self._writer = csv.writer(fileobj, **kwargs)

    def writerow(self, values: Iterable):
        return self._writer.writerow(safe_row(values))

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for values in rows:
            self.writerow(values)


def csv_writer(fileobj, **kwargs) -> _SafeCsvWriter:
    """A ``csv.writer`` whose every cell goes through ``safe_cell``."""
    return _SafeCsvWriter(fileobj, **kwargs)


# --- Uploads: bounded before parsing ----------------------------------------------------------------
DEFAULT_UPLOAD_LIMITS = {
    "max_unzipped_mb": 50,  # all members of the zip together, decompressed
    "max_ratio": 200,  # decompressed ÷ compressed, for members over 1 MB
    "max_members": 500,
    "max_rows": 50_000,  # on any sheet (the highest row number, and the rows present)
    "max_columns": 200,
    "max_cells": 2_000_000,
    "max_shared_strings": 1_000_000,
}
_RATIO_FROM = 1024 * 1024
_CHUNK = 1024 * 1024
_MAX_TAG = 1024 * 1024


def _patterns(prefix: bytes) -> tuple[re.Pattern, ...]:
    """(row tag, row number, cell tag, shared string tag, dimension) for tags named with ``prefix``."""
    return (
        re.compile(rb"<" + prefix + rb"row[\s>/]"),
        re.compile(rb"<" + prefix + rb"row\s[^>]*?\br=[\"'](\d+)"),
        re.compile(rb"<" + prefix + rb"c[\s>/]"),
        re.compile(rb"<" + prefix + rb"si[\s>/]"),
        re.compile(rb"<" + prefix + rb"dimension\s[^>]*?\bref=[\"']([A-Za-z]*)(\d*)(?::([A-Za-z]+)(\d+))?"),
    )


_PLAIN = _patterns(b"")  # fast (a literal start); the usual case
_PREFIXED = _patterns(rb"(?:[A-Za-z_][\w.-]*:)?")  # for text that names these tags with a namespace prefix
_PREFIX_HINT = re.compile(rb":(?:row|c|si|dimension)[\s>/]")
_WIDE_REF = re.compile(rb"\br=[\"']([A-Za-z]{2,})\d")  # a cell reference from column AA on


class SpreadsheetTooLarge(ValueError):
    """An uploaded .xlsx exceeds a limit; ``message`` (Chinese) says which and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def upload_limits(profile: str = "default") -> dict[str, int]:
    """The limits of a profile: ``SPREADSHEET_UPLOAD_LIMITS[profile]`` over its ``default`` over ours."""
    configured = getattr(settings, "SPREADSHEET_UPLOAD_LIMITS", {})
    return {**DEFAULT_UPLOAD_LIMITS, **configured.get("default", {}), **configured.get(profile, {})}


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


class _Scan:
    """Counts what a sheet parser would meet, over decompressed chunks (a tag may span two)."""

    def __init__(self, limits: dict[str, int]):
        self.limits = limits
        self.rows = self.cells = self.strings = 0

    def member(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        carry = b""
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                data = carry + chunk
                cut = data.rfind(b"<")
                if cut >= 0 and data.find(b">", cut) < 0:
                    carry, data = data[cut:], data[:cut]
                    if len(carry) > _MAX_TAG:
                        raise SpreadsheetTooLarge(
                            "文件内容异常（XML 标签过长），无法读取，请用 Excel 另存为 .xlsx 后上传"
                        )
                else:
                    carry = b""
                self.text(data)
        self.text(carry)

    def text(self, data: bytes) -> None:
        limits = self.limits
        row_tag, row_number, cell_tag, string_tag, dimension = _PREFIXED if _PREFIX_HINT.search(data) else _PLAIN
        self.rows += len(row_tag.findall(data))
        self.cells += len(cell_tag.findall(data))
        self.strings += len(string_tag.findall(data))
        highest = max((int(n) for n in row_number.findall(data)), default=0)
        widest = max((_column_number(c) for c in _WIDE_REF.findall(data)), default=0)
        for match in dimension.finditer(data):
            for letters, digits in (match.group(1, 2), match.group(3, 4)):
                if letters:
                    widest = max(widest, _column_number(letters))
                if digits:
                    highest = max(highest, int(digits))
        if max(self.rows, highest) > limits["max_rows"]:
            raise SpreadsheetTooLarge(f"表格超过 {limits['max_rows']} 行，请拆分后上传")
        if widest > limits["max_columns"]:
            raise SpreadsheetTooLarge(f"表格超过 {limits['max_columns']} 列，请删除多余的列后上传")
        if self.cells > limits["max_cells"]:
            raise SpreadsheetTooLarge(f"表格超过 {limits['max_cells']} 个单元格，请拆分后上传")
        if self.strings > limits["max_shared_strings"]:
            raise SpreadsheetTooLarge(f"表格中的文本超过 {limits['max_shared_strings']} 条，请拆分后上传")


def check_xlsx_upload(source, *, profile: str = "default") -> None:
    """Refuse an uploaded .xlsx that is too big to parse safely (zip bomb, huge shared strings, a
    sheet claiming a million rows or columns), before openpyxl reads it: ``SpreadsheetTooLarge``
    with a Chinese message. ``source`` is a path or a seekable binary file (rewound afterwards). A
    file that is not a zip at all passes: the caller's reader reports it as unreadable."""
    limits = upload_limits(profile)
    position = source.tell() if hasattr(source, "seek") else None
    try:
        try:
            archive = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return
        with archive:
            members = archive.infolist()
            if len(members) > limits["max_members"]:
                raise SpreadsheetTooLarge(
                    f"文件包含的部件过多（超过 {limits['max_members']} 个），请用 Excel 另存后上传"
                )
            total = sum(info.file_size for info in members)
            max_bytes = limits["max_unzipped_mb"] * 1024 * 1024
            if total > max_bytes:
                raise SpreadsheetTooLarge(f"文件解压后超过 {limits['max_unzipped_mb']} MB，请拆分后上传")
            for info in members:
                if info.file_size > _RATIO_FROM and info.file_size > limits["max_ratio"] * max(info.compress_size, 1):
                    raise SpreadsheetTooLarge(f"文件压缩比异常（超过 {limits['max_ratio']} 倍），请用 Excel 另存后上传")
            scan = _Scan(limits)
            for info in members:
                if not info.is_dir():
                    scan.member(archive, info)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError):
        return  # damaged: the reader reports it
    finally:
        if position is not None:
            source.seek(position)


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
        check_xlsx_upload(fileobj)
    except SpreadsheetTooLarge as exc:
        raise SheetError(RowError(0, "", exc.message)) from None
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
