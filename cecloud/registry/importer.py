"""Registry import from Excel (SPEC S1, issue 2 item 7).

The file has one header row — 姓名, 身份证号, 手机号, 工作单位, 所属地区, 技术等级, 岗位, 在岗状态 —
and one person per row. ``registry_import`` reads it once, with openpyxl's read-only reader:

- every cell is normalised (full-width digits, stray spaces, lower-case x) and checked, and every
  problem is collected as ``RowError(row, column, reason)``; the check uses precomputed lookups
  (regions, grades, units, cached ID-number partial sums) and never queries per row;
- clean rows go on in batches of ``BATCH_SIZE``: a **dry run** only counts what an import would
  create and update; a **real import** writes them in ONE transaction — on PostgreSQL while the
  file is still being read (a writer thread on the transaction's connection: units created in one
  statement, people by ``COPY``, updates through a temporary table, history by ``COPY``), on other
  databases after the whole file is checked (batches spooled to a temporary file). Existing
  people are fetched by ID number one batch at a time and updated with a ``PersonHistory`` row of
  the changed fields. Any bad row, in either mode, means nothing is written.

Progress is reported through ``progress(phase, processed_rows, total_rows)``; the caller
throttles what it stores (``JobProgress`` for the back office's ImportJob).
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import logging
import pickle
import queue
import re
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from operator import mul
from os import PathLike
from pathlib import PurePosixPath
from typing import IO, Any, NamedTuple

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from cecloud.core.audit import audit_log
from cecloud.core.errors import ServiceError
from cecloud.core.ids import ID_CHECK_CHARS, ID_WEIGHTS, PROVINCE_CODES, IdError, validate_id_number
from cecloud.core.text import is_valid_phone, normalize_phone

from .models import Grade, ImportJob, Person, PersonHistory, PersonStatus, Region, Unit
from .template import COLUMNS

logger = logging.getLogger(__name__)

BATCH_SIZE = 5000
PROGRESS_EVERY = 1000
HISTORY_SOURCE = "import"

ProgressCallback = Callable[[str, int, int | None], None]
Source = str | PathLike | IO[bytes]

PHASE_VALIDATE = "validate"  # reading and checking, nothing written yet
PHASE_WRITE = "write"  # writing checked rows
PHASE_IMPORT = "import"  # reading, checking and writing at once (PostgreSQL)

# Column names as shown in error lines.
COL_NAME, COL_ID, COL_PHONE, COL_UNIT, COL_REGION, COL_GRADE, COL_POST, COL_STATUS = COLUMNS
MAX_NAME = Person._meta.get_field("name").max_length
MAX_UNIT = Unit._meta.get_field("name").max_length
MAX_POST = Person._meta.get_field("post").max_length
COMPARED_FIELDS = ("name", "phone", "unit", "region", "grade", "post", "status")


class RowError(NamedTuple):
    """One problem in the file: Excel row number (header = 1), column name, reason (Chinese)."""

    row: int
    column: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason}

    def __str__(self) -> str:
        return f"第{self.row}行 [{self.column}] {self.reason}"


@dataclass
class ImportResult:
    dry_run: bool
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    units_created: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return f"共{self.total_rows}行，发现{len(self.errors)}处错误，未导入任何数据"
        verb = "将" if self.dry_run else ""
        text = (
            f"共{self.total_rows}行：{verb}新增 {self.created}，{verb}更新 {self.updated}，"
            f"无变化 {self.unchanged}，{verb}新建单位 {self.units_created}"
        )
        return ("校验通过（未写入）。" + text) if self.dry_run else text


# --- Text normalisation ---------------------------------------------------------------------------
# Full-width digits and Latin letters become half-width; Chinese punctuation (（）、·) is kept as is,
# because unit names are written with it. Matching of unit names uses a looser key (_unit_key).
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)}
_FULLWIDTH.update({cp: cp - 0xFEE0 for cp in range(0xFF21, 0xFF3B)})
_FULLWIDTH.update({cp: cp - 0xFEE0 for cp in range(0xFF41, 0xFF5B)})
_FULLWIDTH.update({0x3000: 0x20, 0xA0: 0x20, 0xFEFF: None, 0x200B: None})
_WS = re.compile(r"\s+")
_DIRTY = re.compile("[\\s\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\ufeff\u200b]")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff·（）"
# Spaces next to a Chinese character are stray ("张 三", "连云港市 海州区"); between Latin words they stay.
_WS_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
# Separators people put between the parts of a region or grade ("连云港市/海州区", "三级（高级工）").
_SEPARATORS = re.compile(r"[\s/／\\\-—–_,，、;；:：|()（）\[\]【】]+")
_PAREN_FOLD = str.maketrans({"（": "(", "）": ")", "【": "[", "】": "]", "，": ",", "：": ":", "；": ";"})


def clean_text(value: object) -> str:
    """A free-text cell: half-width digits and letters, no stray spaces."""
    if value is None:
        return ""
    if value.__class__ is not str:
        value = _number_to_text(value)
    if not _DIRTY.search(value):  # the common case: nothing to change
        return value
    text = value.translate(_FULLWIDTH)
    if _WS.search(text):
        text = _WS_NEAR_CJK.sub("", _WS.sub(" ", text).strip())
    return text


def _compact(value: object) -> str:
    """A coded cell (region, grade, status): no spaces or separators at all."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = _number_to_text(value)
    return _SEPARATORS.sub("", value.translate(_FULLWIDTH))


def _number_to_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _unit_key(name: str) -> str:
    """How unit names are matched: case, full/half-width brackets and inner spaces do not matter."""
    return name.translate(_PAREN_FOLD).replace(" ", "").casefold()


def _shown(value: str, limit: int = 20) -> str:
    return value if len(value) <= limit else value[:limit] + "…"


# --- Lookups ----------------------------------------------------------------------------------------
class RegionLookup:
    """Resolve 所属地区 text to a region.

    Accepted: "连云港市海州区", "连云港市 海州区", "连云港海州区", "江苏省连云港市海州区", "海州区" (when no
    other city has a county of that name; "鼓楼区" is in 南京 and 徐州, so it is ambiguous), and a
    city alone ("连云港市", "连云港") for the city itself; "江苏省" is the province (省直单位).
    """

    def __init__(self, regions: Iterable[Region]):
        regions = list(regions)
        by_id = {r.id: r for r in regions}
        self.full_names: dict[int, str] = {}
        self.city_of: dict[int, int | None] = {}
        exact: dict[str, int] = {}
        county_only: dict[str, list[int]] = {}
        for r in regions:
            parent = by_id.get(r.parent_id)
            if r.level == Region.Level.COUNTY and parent is not None:
                self.full_names[r.id] = parent.name + r.name
                self.city_of[r.id] = parent.id
                for city_form in {parent.name, parent.name.removesuffix("市")}:
                    exact[city_form + r.name] = r.id
                county_only.setdefault(r.name, []).append(r.id)
            else:
                self.full_names[r.id] = r.name
                self.city_of[r.id] = r.id if r.level == Region.Level.CITY else None
                exact[r.name] = r.id
                if r.level == Region.Level.CITY:
                    exact.setdefault(r.name.removesuffix("市"), r.id)
        self.ambiguous: dict[str, str] = {}
        for name, ids in county_only.items():
            if len(ids) == 1:
                exact.setdefault(name, ids[0])
            else:
                self.ambiguous[name] = "、".join(sorted(self.full_names[i] for i in ids))
        self.exact = exact
        self.province_prefixes = tuple(
            sorted({p for r in regions if r.level == Region.Level.PROVINCE for p in (r.name, r.name[:2])}, key=len)[
                ::-1
            ]
        )

    def resolve(self, value: object) -> tuple[int | None, str | None]:
        """(region id, None) or (None, reason)."""
        found = self.exact.get(value)  # type: ignore[arg-type]
        if found is not None:
            return found, None
        text = _compact(value)
        if not text:
            return None, "所属地区不能为空"
        found = self.exact.get(text)
        if found is None:
            for prefix in self.province_prefixes:
                if text.startswith(prefix) and len(text) > len(prefix):
                    text = text[len(prefix) :]
                    found = self.exact.get(text)
                    break
        if found is not None:
            return found, None
        if text in self.ambiguous:
            return (
                None,
                f"所属地区“{text}”不唯一（{self.ambiguous[text]}），请写明所属市，如“{self.ambiguous[text].split('、')[0]}”",
            )
        return (
            None,
            f"所属地区“{_shown(clean_text(value))}”不存在，请填写“市+县区”，如“连云港市海州区”，市直单位填写市名",
        )


_LEVEL_DIGITS = {"五": "5", "四": "4", "三": "3", "二": "2", "一": "1"}


def _grade_lookup() -> dict[str, str]:
    """Grade labels and their 职业技能等级 forms: "高级工", "三级", "三级/高级工", "高级工（三级）", "3级"."""
    from .models import GRADE_LEVELS

    table: dict[str, str] = {}
    for grade, level in GRADE_LEVELS.items():
        label = Grade(grade).label
        arabic = _LEVEL_DIGITS[level[0]] + "级"
        for form in (label, level, arabic, level + label, label + level, arabic + label, label + arabic):
            table[form] = grade
    return table


GRADES = _grade_lookup()
STATUSES = {label: value for value, label in PersonStatus.choices}
GRADE_LABELS = dict(Grade.choices)
STATUS_LABELS = dict(PersonStatus.choices)


# --- Reading ------------------------------------------------------------------------------------------
class ImportFileError(Exception):
    """The file itself cannot be imported (not an .xlsx, wrong header); the message is Chinese."""

    def __init__(self, message: str, *, column: str = "文件", row: int = 1):
        super().__init__(message)
        self.error = RowError(row, column, message)


def open_rows(source: Source) -> tuple[Iterator[tuple], int | None, Any]:
    """The data rows of the first sheet (after a checked header), the row count if the file states
    it, and the workbook (close it when done)."""
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(f"文件无法读取，请上传 .xlsx 格式的 Excel 文件（{type(exc).__name__}）") from None
    if not workbook.worksheets:
        workbook.close()
        raise ImportFileError("文件中没有工作表")
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    header = [clean_text(v) for v in header]
    while header and not header[-1]:
        header.pop()
    if header != COLUMNS:
        workbook.close()
        shown = "、".join(h or "（空）" for h in header) or "（空）"
        raise ImportFileError(
            f"表头应为：{'、'.join(COLUMNS)}（共{len(COLUMNS)}列，顺序不可改变）；当前为：{shown}", column="表头"
        )
    max_row = sheet.max_row
    total = max_row - 1 if isinstance(max_row, int) and max_row > 1 else None
    return rows, total, workbook


# --- Phase 1: validation ------------------------------------------------------------------------------
class CleanRow(NamedTuple):
    row: int
    name: str
    id_number: str
    phone: str
    unit: tuple[int, str, str]  # (region id, display name, match key)
    region_id: int
    grade: str
    post: str
    status: str


class RowValidator:
    """Checks one row at a time; remembers ID numbers (duplicates) and the units seen."""

    def __init__(self, regions: RegionLookup, *, today: dt.date | None = None):
        self.regions = regions
        self.today = today or timezone.localdate()
        self.first_row_of_id: dict[str, int] = {}
        self.duplicate_noted: set[str] = set()
        self.units: dict[tuple[int, str], tuple[int, str, str]] = {}
        self._units_as_written: dict[tuple[int, str], tuple[int, str, str]] = {}
        # Weighted digit sums of the address (None: not a province code), birth date (None: not a
        # real date) and sequence parts of ID numbers: few distinct values, computed once each.
        self._address_sums: dict[str, Any] = {}
        self._birth_sums: dict[str, Any] = {}
        self._sequence_sums: dict[str, int] = {}

    def id_number(self, text: str) -> str:
        """The normalised ID number or IdError. The common case (a valid 18-character number) is
        checked here from cached partial sums; anything else goes to validate_id_number, which is
        the authority on every rule and gives the reason."""
        if len(text) == 18 and _ID18.match(text):
            if text[17] == "x":
                text = text[:17] + "X"
            address = self._address_sums.get(text[:6], _MISSING)
            if address is _MISSING:
                ok = text[:2] in PROVINCE_CODES
                address = self._address_sums[text[:6]] = _weighted(text[:6], 0) if ok else None
            birth = self._birth_sums.get(text[6:14], _MISSING)
            if birth is _MISSING:
                ok = _birth_ok(text[6:14], self.today)
                birth = self._birth_sums[text[6:14]] = _weighted(text[6:14], 6) if ok else None
            sequence = self._sequence_sums.get(text[14:17])
            if sequence is None:
                sequence = self._sequence_sums[text[14:17]] = _weighted(text[14:17], 14)
            valid_parts = address is not None and birth is not None
            if valid_parts and ID_CHECK_CHARS[(address + birth + sequence) % 11] == text[17]:
                return text
        return validate_id_number(text, today=self.today)

    def unit(self, region_id: int, name: str) -> tuple[int, str, str]:
        """(region id, name as first written, match key): one tuple per unit, shared by its rows."""
        unit = self._units_as_written.get((region_id, name))
        if unit is None:
            key = (region_id, _unit_key(name))
            unit = self.units.get(key)
            if unit is None:
                unit = self.units[key] = (region_id, name, key[1])
            self._units_as_written[(region_id, name)] = unit
        return unit

    def validate(self, row_no: int, values: tuple) -> tuple[CleanRow | None, list[RowError]]:
        errors: list[RowError] = []
        if len(values) < 8:
            values = tuple(values) + (None,) * (8 - len(values))
        raw_name, raw_id, raw_phone, raw_unit, raw_region, raw_grade, raw_post, raw_status = values[:8]

        name = clean_text(raw_name)
        if not name:
            errors.append(RowError(row_no, COL_NAME, "姓名不能为空"))
        elif len(name) > MAX_NAME:
            errors.append(RowError(row_no, COL_NAME, f"姓名过长（最多{MAX_NAME}个字）"))

        id_number = ""
        if isinstance(raw_id, float):
            errors.append(RowError(row_no, COL_ID, "身份证号须以文本格式填写（当前为数值，末几位可能已丢失）"))
        else:
            try:
                id_number = self.id_number(clean_text(raw_id))
            except IdError as exc:
                errors.append(RowError(row_no, COL_ID, str(exc)))
            else:
                first = self.first_row_of_id.setdefault(id_number, row_no)
                if first != row_no:
                    errors.append(RowError(row_no, COL_ID, f"身份证号与第{first}行重复"))
                    if id_number not in self.duplicate_noted:
                        self.duplicate_noted.add(id_number)
                        errors.append(RowError(first, COL_ID, f"身份证号与第{row_no}行重复"))

        if raw_phone.__class__ is str and _PHONE.match(raw_phone):
            phone = raw_phone
        else:
            phone = normalize_phone(raw_phone) if raw_phone is not None else ""
        if phone and not is_valid_phone(phone):
            errors.append(RowError(row_no, COL_PHONE, f"手机号“{_shown(phone)}”格式错误：应为1开头的11位手机号码"))

        unit_name = clean_text(raw_unit)
        if not unit_name:
            errors.append(RowError(row_no, COL_UNIT, "工作单位不能为空"))
        elif len(unit_name) > MAX_UNIT:
            errors.append(RowError(row_no, COL_UNIT, f"工作单位名称过长（最多{MAX_UNIT}个字）"))

        region_id, reason = self.regions.resolve(raw_region)
        if reason:
            errors.append(RowError(row_no, COL_REGION, reason))

        grade = GRADES.get(raw_grade)
        if grade is None:
            grade_text = _compact(raw_grade)
            grade = GRADES.get(grade_text)
        if grade is None:
            if grade_text:
                reason = f"技术等级“{_shown(grade_text)}”无效，应为：{'、'.join(Grade.labels)}"
            else:
                reason = "技术等级不能为空"
            errors.append(RowError(row_no, COL_GRADE, reason))

        post = clean_text(raw_post)
        if len(post) > MAX_POST:
            errors.append(RowError(row_no, COL_POST, f"岗位过长（最多{MAX_POST}个字）"))

        status = STATUSES.get(raw_status)
        if status is None:
            status_text = _compact(raw_status)
            status = STATUSES.get(status_text)
        if status is None:
            reason = f"在岗状态“{_shown(status_text)}”无效，应为“在岗”或“离岗”" if status_text else "在岗状态不能为空"
            errors.append(RowError(row_no, COL_STATUS, reason))

        if errors:
            return None, errors
        unit = self.unit(region_id, unit_name)
        return CleanRow(row_no, name, id_number, phone, unit, region_id, grade, post, status), errors


_ID18 = re.compile(r"[0-9]{17}[0-9Xx]\Z")


_MISSING = object()


def _weighted(digits: str, offset: int) -> int:
    """Σ digit × GB 11643 weight for the digits that start at position ``offset``."""
    return sum(map(mul, ID_WEIGHTS[offset : offset + len(digits)], map(int, digits)))


_PHONE = re.compile(r"1[3-9][0-9]{9}\Z")


def _birth_ok(yyyymmdd: str, today: dt.date) -> bool:
    try:
        birth = dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        return False
    return birth.year >= 1800 and birth <= today


def _is_blank(values: tuple) -> bool:
    for v in values:  # noqa: SIM110 - a plain loop stops at the first filled cell, cheaply
        if v is not None and (v.__class__ is not str or v.strip()):
            return False
    return True


class _Spool:
    """Clean rows in pickled batches in a temporary file: flat memory for any file size."""

    def __init__(self):
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self.batches = 0

    def write(self, batch: list[CleanRow]) -> None:
        pickle.dump([tuple(r) for r in batch], self.file, protocol=pickle.HIGHEST_PROTOCOL)
        self.batches += 1

    def read(self) -> Iterator[list[CleanRow]]:
        self.file.seek(0)
        for _ in range(self.batches):
            yield [CleanRow(*r) for r in pickle.load(self.file)]  # noqa: S301 - our own temporary file

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> _Spool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# --- Existing people and units --------------------------------------------------------------------------
# PostgreSQL gets set-based SQL (``= ANY(array)``, ``COPY``); other databases (SQLite) use the ORM.
_EXISTING_FIELDS = ("id_number", "id", "name", "phone", "unit_id", "unit__region_id", "unit__name")
_EXISTING_FIELDS += ("region_id", "grade", "post", "status")
_PERSON = Person._meta.db_table
_UNIT = Unit._meta.db_table
_HISTORY = PersonHistory._meta.db_table
_EXISTING_SQL = f"""
    SELECT p.id_number, p.id, p.name, p.phone, p.unit_id, u.region_id, u.name, p.region_id, p.grade, p.post, p.status
    FROM {_PERSON} p JOIN {_UNIT} u ON u.id = p.unit_id
    WHERE p.id_number = ANY(%s)
"""  # noqa: S608 - table names from model metadata


_thread = threading.local()


def _db():
    """The connection the import writes through: the caller's, or the one a writer thread was given."""
    return getattr(_thread, "connection", None) or connection


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _max_params() -> int:
    limit = getattr(connection.features, "max_query_params", None) or BATCH_SIZE
    return max(100, min(BATCH_SIZE, limit - 10))


def _existing_people(id_numbers: list[str]) -> dict[str, tuple]:
    """ID number -> (id_number, pk, name, phone, unit_id, unit region, unit name, region_id, grade, post, status)."""
    if _is_postgres():
        with _db().cursor() as cursor:
            cursor.execute(_EXISTING_SQL, [id_numbers])
            return {row[0]: row for row in cursor.fetchall()}
    found: dict[str, tuple] = {}
    step = _max_params()
    for start in range(0, len(id_numbers), step):
        chunk = id_numbers[start : start + step]
        for values in Person.objects.filter(id_number__in=chunk).values_list(*_EXISTING_FIELDS).order_by():
            found[values[0]] = values
    return found


class UnitResolver:
    """Existing units by (region, name) — the rule of ``selectors.find_unit``: the unit of that name
    in the region, else the only one of that name in the same city (a city-level unit is often
    written with a county as the region, and vice versa). Names match by ``_unit_key``."""

    def __init__(self, city_of: dict[int, int | None]):
        self.city_of = city_of
        self.exact: dict[tuple[int, str], int] = {}
        self.in_city: dict[tuple[int, str], set[int]] = {}
        self.names: dict[int, str] = {}
        self.placed: dict[int, tuple[int, str]] = {}  # placeholder -> (region id, key)
        self._next_placeholder = 0
        for pk, region_id, name in Unit.objects.values_list("id", "region_id", "name").order_by("id"):
            self._add(pk, region_id, name)

    def reserve(self, region_id: int, name: str) -> int:
        """A placeholder (negative id) for a unit about to be created; later rows resolve to it."""
        self._next_placeholder -= 1
        placeholder = self._next_placeholder
        self._add(placeholder, region_id, name)
        return placeholder

    def confirm(self, placeholder: int, pk: int) -> None:
        """The placeholder's unit now exists with this primary key."""
        name = self.names.pop(placeholder)
        region_id, key = self.placed.pop(placeholder)
        self.exact[(region_id, key)] = pk
        self.names[pk] = name
        city = self.city_of.get(region_id)
        if city is not None:
            self.in_city[(city, key)].discard(placeholder)
            self.in_city[(city, key)].add(pk)

    def _add(self, pk: int, region_id: int, name: str) -> None:
        key = _unit_key(name)
        self.exact.setdefault((region_id, key), pk)
        self.names[pk] = name
        if pk < 0:
            self.placed[pk] = (region_id, key)
        city = self.city_of.get(region_id)
        if city is not None:
            self.in_city.setdefault((city, key), set()).add(pk)

    def resolve(self, region_id: int, key: str) -> int | None:
        found = self.exact.get((region_id, key))
        if found is None:
            city = self.city_of.get(region_id)
            candidates = self.in_city.get((city, key), ()) if city is not None else ()
            if len(candidates) == 1:
                found = next(iter(candidates))
        return found


def _diff(old: tuple, new: CleanRow, unit_id: int | None, units: UnitResolver, full_names: dict[int, str]):
    """(before, after) of the changed fields only, in the layout of ``services.person_snapshot``."""
    _id, _pk, name, phone, old_unit_id, _unit_region, unit_name, region_id, grade, post, status = old
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    if name != new.name:
        before["name"], after["name"] = name, new.name
    if phone != new.phone:
        before["phone"], after["phone"] = phone, new.phone
    if old_unit_id != unit_id:
        before["unit"], after["unit"] = unit_name, units.names.get(unit_id, new.unit[1])
        before["unit_id"], after["unit_id"] = old_unit_id, unit_id
    if region_id != new.region_id:
        before["region"], after["region"] = full_names.get(region_id, ""), full_names.get(new.region_id, "")
        before["region_id"], after["region_id"] = region_id, new.region_id
    if grade != new.grade:
        before["grade"], after["grade"] = grade, new.grade
    if post != new.post:
        before["post"], after["post"] = post, new.post
    if status != new.status:
        before["status"], after["status"] = status, new.status
    return before, after


# --- Phase 2: writing --------------------------------------------------------------------------------------
_PERSON_COLUMNS = ("name", "id_number", "phone", "unit_id", "region_id", "grade", "post", "status")
_UPDATE_COLUMNS = ("id", "name", "phone", "unit_id", "region_id", "grade", "post", "status")
_UPDATE_TABLE = "registry_import_person_update"


def _copy(table: str, columns: Iterable[str], rows: Iterable[tuple]) -> None:
    """PostgreSQL COPY FROM STDIN through Django's connection (inside the current transaction)."""
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    with _db().cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _insert_people(rows: list[tuple], now) -> None:
    """rows: tuples in _PERSON_COLUMNS order."""
    if not rows:
        return
    if _is_postgres():
        _copy(_PERSON, (*_PERSON_COLUMNS, "created_at", "updated_at"), ((*row, now, now) for row in rows))
        return
    Person.objects.bulk_create([Person(**dict(zip(_PERSON_COLUMNS, row, strict=True))) for row in rows])


def _update_people(rows: list[tuple], now) -> None:
    """rows: tuples in _UPDATE_COLUMNS order (pk first)."""
    if not rows:
        return
    if _is_postgres():
        sets = ", ".join(f"{c} = u.{c}" for c in _UPDATE_COLUMNS[1:])
        with _db().cursor() as cursor:
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {_UPDATE_TABLE} (id bigint PRIMARY KEY, name text, phone text,"
                " unit_id bigint, region_id bigint, grade text, post text, status text) ON COMMIT DROP"
            )
            cursor.execute(f"TRUNCATE {_UPDATE_TABLE}")
        _copy(_UPDATE_TABLE, _UPDATE_COLUMNS, rows)
        with _db().cursor() as cursor:
            cursor.execute(
                f"UPDATE {_PERSON} p SET {sets}, updated_at = %s FROM {_UPDATE_TABLE} u WHERE p.id = u.id",  # noqa: S608
                [now],
            )
        return
    people = []
    for values in rows:
        person = Person(updated_at=now)
        for attname, value in zip(_UPDATE_COLUMNS, values, strict=True):
            setattr(person, attname, value)
        people.append(person)
    fields = [c.removesuffix("_id") for c in _UPDATE_COLUMNS[1:]] + ["updated_at"]
    Person.objects.bulk_update(people, fields, batch_size=1000)


def _record_history(entries: list[tuple[int, dict, dict]], actor_id: int | None, now) -> None:
    if not entries:
        return
    if _is_postgres():
        rows = (
            (pk, now, actor_id, HISTORY_SOURCE, json.dumps(b, ensure_ascii=False), json.dumps(a, ensure_ascii=False))
            for pk, b, a in entries
        )
        _copy(_HISTORY, ("person_id", "changed_at", "changed_by_id", "source", "before", "after"), rows)
        return
    PersonHistory.objects.bulk_create(
        [
            PersonHistory(person_id=pk, changed_by_id=actor_id, source=HISTORY_SOURCE, before=b, after=a)
            for pk, b, a in entries
        ],
        batch_size=1000,
    )


def _create_units(units: list[tuple[int, str, str]], now) -> list[tuple[int, int, str]]:
    """Insert these units (region id, name, key); returns (pk, region id, name) of each."""
    kind = Unit._meta.get_field("kind").default
    if _is_postgres():
        with _db().cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {_UNIT} (region_id, name, kind, credit_code, created_at)"  # noqa: S608
                " SELECT r, n, %s, '', %s FROM unnest(%s::bigint[], %s::text[]) AS t(r, n) RETURNING id, region_id, name",
                [kind, now, [u[0] for u in units], [u[1] for u in units]],
            )
            return cursor.fetchall()
    created = Unit.objects.bulk_create(
        [Unit(region_id=region_id, name=name, kind=kind) for region_id, name, _k in units]
    )
    if all(u.pk is not None for u in created):
        return [(u.pk, u.region_id, u.name) for u in created]
    wanted = {(u[0], u[1]) for u in units}  # a backend that cannot return ids from a bulk insert
    found = Unit.objects.filter(name__in={u[1] for u in units}).values_list("id", "region_id", "name")
    return [row for row in found if (row[1], row[2]) in wanted]


def _lock_registry_import() -> None:
    """One import writes at a time (two imports of the same new person would collide)."""
    if _is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x7265_6769])  # "regi"


class _Writer:
    """Writes clean batches inside the caller's transaction: new units, new people, changed people
    with their history. Existing people are fetched by ID number one batch at a time."""

    def __init__(self, regions: RegionLookup, result: ImportResult, actor):
        _lock_registry_import()
        self.regions = regions
        self.result = result
        self.actor = actor
        self.actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
        self.now = timezone.now()
        self.resolver = UnitResolver(regions.city_of)
        self.unit_ids: dict[tuple[int, str], int] = {}
        # Nobody can add people while the import holds the lock, except through the unique index
        # (which fails the import cleanly), so an empty registry needs no lookups.
        self.registry_empty = not Person.objects.exists()

    def _resolve_units(self, batch: list[CleanRow]) -> None:
        """Unit ids for the batch's rows; units no existing one matches are created (one statement)."""
        unit_ids = self.unit_ids
        resolver = self.resolver
        waiting: dict[int, list[tuple[int, str]]] = {}
        for r in batch:
            key = (r.unit[0], r.unit[2])
            if key in unit_ids:
                continue
            pk = resolver.resolve(*key)
            if pk is None:
                pk = resolver.reserve(r.unit[0], r.unit[1])
                waiting[pk] = []
            unit_ids[key] = pk
            if pk < 0:
                waiting[pk].append(key)
        if not waiting:
            return
        new_units = [(resolver.placed[p][0], resolver.names[p], "") for p in waiting]
        created = {(region_id, name): pk for pk, region_id, name in _create_units(new_units, self.now)}
        for placeholder, keys in waiting.items():
            pk = created[(resolver.placed[placeholder][0], resolver.names[placeholder])]
            resolver.confirm(placeholder, pk)
            for key in keys:
                unit_ids[key] = pk
        self.result.units_created += len(waiting)

    def write(self, batch: list[CleanRow]) -> None:
        self._resolve_units(batch)
        unit_ids = self.unit_ids
        existing = {} if self.registry_empty else _existing_people([r.id_number for r in batch])
        inserts, updates, history = [], [], []
        for r in batch:
            unit_id = unit_ids[(r.unit[0], r.unit[2])]
            old = existing.get(r.id_number)
            if old is None:
                inserts.append((r.name, r.id_number, r.phone, unit_id, r.region_id, r.grade, r.post, r.status))
                continue
            before, after = _diff(old, r, unit_id, self.resolver, self.regions.full_names)
            if not after:
                self.result.unchanged += 1
                continue
            updates.append((old[1], r.name, r.phone, unit_id, r.region_id, r.grade, r.post, r.status))
            history.append((old[1], before, after))
        _insert_people(inserts, self.now)
        _update_people(updates, self.now)
        _record_history(history, self.actor_id, self.now)
        self.result.created += len(inserts)
        self.result.updated += len(updates)

    def finish(self, source_name: str) -> None:
        result = self.result
        audit_log(
            event_type="registry.imported",
            actor=self.actor,
            subject_type="registry.person",
            subject_repr=source_name[:200],
            extra_data={
                "file": source_name,
                "rows": result.total_rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "units_created": result.units_created,
            },
        )


class _BackgroundWriter:
    """PostgreSQL: a thread hands the batches to ``_Writer`` through the transaction's own
    connection while this thread goes on reading the file, so reading and writing overlap (the
    database works in its own process; the thread mostly waits on the socket). This thread does
    not touch the connection until ``close()``; progress reports use a separate connection."""

    def __init__(self, writer: _Writer):
        self.writer = writer
        self.connection = connections[DEFAULT_DB_ALIAS]
        self.queue: queue.Queue[list[CleanRow] | None] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.connection.inc_thread_sharing()
        self.thread = threading.Thread(target=self._run, name="registry-import-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        _thread.connection = self.connection
        try:
            while (batch := self.queue.get()) is not None:
                if self.error is None:
                    try:
                        self.writer.write(batch)
                    except BaseException as exc:  # re-raised by close() in the importing thread
                        self.error = exc
        finally:
            _thread.connection = None

    def write(self, batch: list[CleanRow]) -> None:
        if self.error is None:
            self.queue.put(batch)

    def close(self) -> None:
        """Wait for the queued batches; raise what the writer raised."""
        self.queue.put(None)
        self.thread.join()
        self.connection.dec_thread_sharing()
        if self.error is not None:
            raise self.error


class _DryRunCounter:
    """What a real import would do, counted batch by batch against the registry as it is now."""

    def __init__(self, regions: RegionLookup, result: ImportResult):
        self.regions = regions
        self.result = result
        self.resolver = UnitResolver(regions.city_of)
        self.unit_ids: dict[tuple[int, str], int | None] = {}

    def unit_id(self, unit: tuple[int, str, str]) -> int:
        key = (unit[0], unit[2])
        pk = self.unit_ids.get(key)
        if pk is None:
            pk = self.resolver.resolve(*key)
            if pk is None:  # the import would create it (a placeholder, as the writer does)
                pk = self.resolver.reserve(unit[0], unit[1])
                self.result.units_created += 1
            self.unit_ids[key] = pk
        return pk

    def count(self, batch: list[CleanRow]) -> None:
        result = self.result
        existing = _existing_people([r.id_number for r in batch])
        for r in batch:
            unit_id = self.unit_id(r.unit)
            old = existing.get(r.id_number)
            if old is None:
                result.created += 1
            elif _diff(old, r, unit_id, self.resolver, self.regions.full_names)[1]:
                result.updated += 1
            else:
                result.unchanged += 1


# --- Entry point ---------------------------------------------------------------------------------------------
def _import_streaming(check: Callable, writer: _Writer, source_name: str) -> None:
    """PostgreSQL: the whole pass in one transaction (opened by the caller); batches are written
    by a thread while reading goes on."""
    background = _BackgroundWriter(writer)
    try:
        check(sink=background.write, phase=PHASE_IMPORT)
    finally:
        background.close()
    if writer.result.ok:
        writer.finish(source_name)
    else:
        transaction.set_rollback(True)


def _import_spooled(
    check: Callable,
    new_writer: Callable[[], _Writer],
    result: ImportResult,
    source_name: str,
    progress: ProgressCallback | None,
) -> None:
    """Other databases (SQLite: one writer at a time): check everything into a spool first, then
    write it in one short transaction."""
    with _Spool() as spool:
        check(sink=spool.write, phase=PHASE_VALIDATE)
        if not result.ok:
            return
        if progress:
            progress(PHASE_WRITE, 0, result.total_rows)
        with transaction.atomic():
            writer = new_writer()
            done = 0
            for batch in spool.read():
                writer.write(batch)
                done += len(batch)
                if progress:
                    progress(PHASE_WRITE, done, result.total_rows)
            writer.finish(source_name)


@contextmanager
def _bulk_gc():
    """While importing: many short-lived objects and hardly any reference cycles, so let the cyclic
    collector run less often, and not re-scan the objects that were alive before (gc.freeze)."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(threshold[0], 50_000), threshold[1], threshold[2])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _validate(
    rows: Iterator[tuple],
    validator: RowValidator,
    result: ImportResult,
    *,
    total: int | None,
    sink: Callable[[list[CleanRow]], None],
    progress: ProgressCallback | None,
    phase: str,
) -> None:
    """Check every row; hand clean rows to ``sink`` in batches until the first bad row (after
    which nothing will be written, so the rest is only checked). Errors end up sorted by row."""
    errors = result.errors
    batch: list[CleanRow] = []
    count = 0
    validate = validator.validate
    if progress:
        progress(phase, 0, total)
    for row_no, values in enumerate(rows, start=2):
        if _is_blank(values):
            continue
        count += 1
        clean, row_errors = validate(row_no, values)
        if row_errors:
            errors.extend(row_errors)
            batch = []
        elif not errors:
            batch.append(clean)
            if len(batch) >= BATCH_SIZE:
                sink(batch)
                batch = []
        if progress and count % PROGRESS_EVERY == 0:
            progress(phase, count, total if total and total >= count else None)
    if batch and not errors:
        sink(batch)
    result.total_rows = count
    if count == 0 and not errors:
        errors.append(RowError(2, "文件", "文件中没有数据行"))
    errors.sort(key=lambda e: e.row)
    if progress:
        progress(phase, count, count)


def registry_import(
    *,
    source: Source,
    dry_run: bool,
    actor=None,
    progress: ProgressCallback | None = None,
    source_name: str = "",
) -> ImportResult:
    """Validate (and unless ``dry_run`` import) a registry spreadsheet. Never raises for bad input:
    problems come back in ``result.errors``; nothing is written when there is any.

    - dry run: one pass, no writes; counts what an import would create and update.
    - PostgreSQL: one pass inside one transaction; clean batches are written (COPY) while the
      file is still being read, so the server works alongside the reader; any bad row rolls
      everything back.
    - other databases (SQLite): one pass that spools clean batches to a temporary file, then
      one short transaction that writes them (SQLite has a single writer: keep it short).
    """
    result = ImportResult(dry_run=dry_run)
    if not source_name:
        name = getattr(source, "name", "") if hasattr(source, "read") else source
        source_name = PurePosixPath(str(name or "").replace("\\", "/")).name
    try:
        rows, total, workbook = open_rows(source)
    except ImportFileError as exc:
        result.errors.append(exc.error)
        return result
    regions = RegionLookup(Region.objects.order_by("code"))
    validator = RowValidator(regions)
    check = partial(_validate, rows, validator, result, total=total, progress=progress)
    try:
        with _bulk_gc():
            if dry_run:
                check(sink=_DryRunCounter(regions, result).count, phase=PHASE_VALIDATE)
            elif _is_postgres():
                with transaction.atomic():
                    _import_streaming(check, _Writer(regions, result, actor), source_name)
            else:
                _import_spooled(check, partial(_Writer, regions, result, actor), result, source_name, progress)
    except IntegrityError:
        result.errors.append(RowError(1, "文件", "导入时人员库被同时修改（身份证号冲突），未导入任何数据，请重新导入"))
    finally:
        workbook.close()
    if result.errors:
        result.created = result.updated = result.unchanged = result.units_created = 0
    return result


# --- Back-office jobs (ImportJob) -------------------------------------------------------------------------------
MAX_STORED_ERRORS = 20_000
PROGRESS_INTERVAL = 1.0  # seconds between progress writes to the ImportJob row


def job_file_name(job: ImportJob) -> str:
    return PurePosixPath(job.file.name or "").name


def import_job_create(*, upload, dry_run: bool, actor) -> ImportJob:
    """Store the uploaded file as an ImportJob and start the import task after commit."""
    from .tasks import run_import_job

    with transaction.atomic():
        job = ImportJob.objects.create(file=upload, dry_run=dry_run, created_by=actor)
        audit_log(
            event_type="registry.import_started",
            actor=actor,
            subject=job,
            subject_repr=job_file_name(job),
            extra_data={"dry_run": dry_run, "file": job_file_name(job)},
        )
        transaction.on_commit(lambda: run_import_job.delay(job.pk))
    return job


def import_job_create_from(*, job: ImportJob, actor) -> ImportJob:
    """导入 after a successful 仅校验: a real import of the same stored file."""
    from .tasks import run_import_job

    if not job.dry_run or job.status != ImportJob.Status.DONE:
        raise ServiceError("只有校验通过的文件才能直接导入")
    with transaction.atomic():
        new = ImportJob.objects.create(file=job.file.name, dry_run=False, created_by=actor)
        audit_log(
            event_type="registry.import_started",
            actor=actor,
            subject=new,
            subject_repr=job_file_name(new),
            extra_data={"dry_run": False, "file": job_file_name(new), "validated_by_job": job.pk},
        )
        transaction.on_commit(lambda: run_import_job.delay(new.pk))
    return new


class JobProgress:
    """Progress callback that stores processed/total rows on the ImportJob at most once a second.

    During the write phase the import's transaction is open on the default connection, where an
    update would only become visible at commit; on PostgreSQL the row is then updated through a
    second connection so the progress page keeps moving (SQLite has a single writer: skipped).
    """

    def __init__(self, job_id: int, *, interval: float = PROGRESS_INTERVAL):
        self.job_id = job_id
        self.interval = interval
        self.phase = ""
        self.last = 0.0
        self._side = None

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if phase == self.phase and now - self.last < self.interval:
            return
        self.phase, self.last = phase, now
        status = ImportJob.Status.VALIDATING if phase == PHASE_VALIDATE else ImportJob.Status.IMPORTING
        self.save(status=status, processed_rows=done, total_rows=total or 0)

    def save(self, **fields) -> None:
        if not connection.in_atomic_block:
            ImportJob.objects.filter(pk=self.job_id).update(**fields)
            return
        if not _is_postgres():
            return
        if self._side is None:
            self._side = connections.create_connection(DEFAULT_DB_ALIAS)
            self._side.set_autocommit(True)
        table = connection.ops.quote_name(ImportJob._meta.db_table)
        sets = ", ".join(f"{connection.ops.quote_name(name)} = %s" for name in fields)
        with self._side.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET {sets} WHERE id = %s", [*fields.values(), self.job_id])  # noqa: S608

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None


def _stored_errors(errors: list[RowError]) -> list[dict]:
    stored = [e.as_dict() for e in errors[:MAX_STORED_ERRORS]]
    if len(errors) > MAX_STORED_ERRORS:
        stored.append(
            {"row": 0, "column": "文件", "reason": f"错误过多：共{len(errors)}处，仅保存前{MAX_STORED_ERRORS}处"}
        )
    return stored


def import_job_run(*, job_id: int) -> str:
    """Run a pending ImportJob (the Celery task's body). Returns the final status."""
    started = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.VALIDATING
    )
    if not started:  # already run (a redelivered task) or deleted
        return ImportJob.objects.filter(pk=job_id).values_list("status", flat=True).first() or ""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    progress = JobProgress(job_id)
    try:
        with job.file.open("rb") as fh:
            result = registry_import(
                source=fh, dry_run=job.dry_run, actor=job.created_by, progress=progress, source_name=job_file_name(job)
            )
    except Exception:
        logger.exception("registry import job %s failed", job_id)
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.ERROR,
            finished_at=timezone.now(),
            errors=[
                {"row": 0, "column": "文件", "reason": "系统错误，导入未完成，未写入任何数据。请稍后重试或联系技术支持"}
            ],
        )
        return ImportJob.Status.ERROR
    finally:
        progress.close()
    status = ImportJob.Status.DONE if result.ok else ImportJob.Status.FAILED
    ImportJob.objects.filter(pk=job_id).update(
        status=status,
        total_rows=result.total_rows,
        processed_rows=result.total_rows,
        created_count=result.created,
        updated_count=result.updated,
        errors=_stored_errors(result.errors),
        finished_at=timezone.now(),
    )
    return status
