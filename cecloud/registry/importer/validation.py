"""Reading and checking a registry spreadsheet: normalisation, lookups, one row at a time."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from operator import mul
from os import PathLike
from typing import IO, Any, NamedTuple

from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from cecloud.core import spreadsheet
from cecloud.core.ids import ID_CHECK_CHARS, ID_WEIGHTS, PROVINCE_CODES, IdError, validate_id_number
from cecloud.core.spreadsheet import RowError, SpreadsheetTooLarge, check_xlsx_upload
from cecloud.core.text import is_valid_phone, normalize_phone

from ..models import Grade, Person, PersonStatus, Region, Unit
from ..template import COLUMNS

ProgressCallback = Callable[[str, int, int | None], None]  # (phase, processed rows, total rows or None)
Source = str | PathLike | IO[bytes]

PHASE_VALIDATE = "validate"  # reading and checking, nothing written yet
PHASE_WRITE = "write"  # writing checked rows
PHASE_IMPORT = "import"  # reading, checking and writing at once (PostgreSQL)

# Column names as shown in error lines.
COL_NAME, COL_ID, COL_PHONE, COL_UNIT, COL_REGION, COL_GRADE, COL_POST, COL_STATUS = COLUMNS
MAX_NAME = Person._meta.get_field("name").max_length
MAX_UNIT = Unit._meta.get_field("name").max_length
MAX_POST = Person._meta.get_field("post").max_length


@dataclass
class ImportResult(spreadsheet.ImportResult):
    """The imports' result with the registry's own counts."""

    unchanged: int = 0
    units_created: int = 0

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
    from ..models import GRADE_LEVELS

    table: dict[str, str] = {}
    for grade, level in GRADE_LEVELS.items():
        label = Grade(grade).label
        arabic = _LEVEL_DIGITS[level[0]] + "级"
        for form in (label, level, arabic, level + label, label + level, arabic + label, label + arabic):
            table[form] = grade
    return table


GRADES = _grade_lookup()
STATUSES = {label: value for value, label in PersonStatus.choices}


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
        check_xlsx_upload(source, profile="registry")
    except SpreadsheetTooLarge as exc:
        raise ImportFileError(exc.message) from None
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
