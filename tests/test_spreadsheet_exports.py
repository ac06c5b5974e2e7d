"""Every spreadsheet the platform writes is safe from formula injection (OWASP "CSV injection").

Hostile text is seeded into every user-writable field that reaches an export (invoice titles,
names, 岗位, unit and region names, refund reasons, the uploaded ID list, import errors); each
export is then fetched through its view, as the role that uses it, and no .xlsx cell may be a
formula and no cell text (.xlsx or .csv) may start with a character a spreadsheet evaluates.

``EXPORTS`` is the registry of exports: a module that writes a spreadsheet and is not listed
there (with a walk below) fails ``test_every_module_that_writes_a_spreadsheet_is_walked``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from cecloud.accounts.factories import BureauFactory, OperatorFactory, UnitHRFactory
from cecloud.billing.factories import learner, pay_with_dev, pending_order
from cecloud.billing.models import Order
from cecloud.core.audit import audit_log
from cecloud.core.spreadsheet import FORMULA_PREFIXES, csv_writer, is_formula_like, safe_cell
from cecloud.oversight.testing import make_class
from cecloud.registry.factories import PersonFactory, UnitFactory, region
from cecloud.registry.models import ImportJob, Region
from cecloud.training.factories import open_schedule, training_year

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "  =1+1",
    '＝HYPERLINK("http://x")',
]

# module that writes a spreadsheet -> the walks (tests below) that fetch its exports
EXPORTS = {
    "cecloud/billing/exports.py": ["reconciliation"],
    "cecloud/billing/admin/orders.py": ["reconciliation"],
    "cecloud/oversight/exports.py": ["unit_workers", "bureau_unit_workers", "bureau_statistics"],
    "cecloud/oversight/views.py": ["unit_workers", "bureau_unit_workers", "bureau_statistics"],
    "cecloud/certificates/exports.py": ["batch_verification"],
    "cecloud/certificates/views.py": ["batch_verification"],
    "cecloud/registry/template.py": ["registry_template"],
    "cecloud/registry/views.py": ["registry_template"],
    "cecloud/registry/admin.py": ["registry_import_errors"],
    "cecloud/catalog/importer.py": ["course_import_template"],
    "cecloud/catalog/admin.py": ["course_import_template"],
    "cecloud/exams/importer.py": ["question_import_template"],
    "cecloud/exams/admin.py": ["question_import_template"],
    "cecloud/core/admin.py": ["audit_log"],
    "cecloud/core/spreadsheet.py": ["(the writers)"],
}
WRITES_SPREADSHEET = re.compile(
    r"\bWorkbook\(|\bcsv\.(writer|DictWriter)\(|\bcsv_writer\(|\bxlsx_(bytes|response)\(|XLSX_CONTENT_TYPE"
    r"|content_type=.*(spreadsheetml|text/csv)"
)
# Outside core.spreadsheet nobody writes cells or files past the sanitiser.
BYPASS = re.compile(r"\bcsv\.(writer|DictWriter)\(|\b(ws|sheet|worksheet|notes)\.append\(|\b(wb|workbook|book)\.save\(")


def _source_modules():
    for path in sorted((ROOT / "cecloud").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if "/tests/" in relative or "/migrations/" in relative or relative.endswith("/testing.py"):
            continue
        yield relative, path.read_text(encoding="utf-8")


def test_every_module_that_writes_a_spreadsheet_is_walked():
    found = {relative for relative, text in _source_modules() if WRITES_SPREADSHEET.search(text)}
    assert found <= set(EXPORTS), (
        "A module writes a spreadsheet without being walked here: add its export to EXPORTS and a walk "
        f"below (new: {sorted(found - set(EXPORTS))})"
    )


def test_no_export_writes_past_the_sanitiser():
    offenders = [
        f"{relative}: {match.group(0)}"
        for relative, text in _source_modules()
        if relative != "cecloud/core/spreadsheet.py"
        for match in BYPASS.finditer(text)
    ]
    assert not offenders, "write cells with core.spreadsheet.xlsx_append/xlsx_bytes/csv_writer: " + ", ".join(offenders)


# --- the sanitiser ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_like_text_is_escaped(value):
    assert safe_cell(value) == "'" + value and not safe_cell(value).startswith(FORMULA_PREFIXES)


@pytest.mark.parametrize(
    "value", [-2, -2.5, 0, dt.date(2023, 1, 1), dt.datetime(2023, 1, 1, 8), None, "张三", "2018-2023", "a=b", ""]
)
def test_other_values_keep_their_type(value):
    assert safe_cell(value) is value


def test_csv_writer_escapes_every_cell():
    buffer = io.StringIO()
    csv_writer(buffer).writerows([HOSTILE, [-1, 2.5, "正常"]])
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert rows[0] == ["'" + v for v in HOSTILE] and rows[1] == ["-1", "2.5", "正常"]


# --- walking every export ---------------------------------------------------------------------------


def assert_safe_xlsx(content: bytes) -> int:
    """No formula cell and no formula-like text in any sheet; returns how many hostile cells were seen."""
    assert content[:2] == b"PK", "not an .xlsx"
    workbook = load_workbook(io.BytesIO(content))
    escaped = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    assert not is_formula_like(cell.value), f"{sheet.title}!{cell.coordinate}: {cell.value!r}"
                    escaped += any(v in cell.value for v in HOSTILE)
    return escaped


def assert_safe_csv(content: bytes) -> int:
    text = content.decode("utf-8-sig")
    escaped = 0
    for row in csv.reader(io.StringIO(text)):
        for value in row:
            assert not is_formula_like(value), f"CSV cell {value!r}"
            escaped += any(v in value for v in HOSTILE)
    return escaped


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def hostile_unit(db):
    """A unit and region with hostile names, people with hostile names and 岗位, some in a class."""
    for year in range(2021, 2024):
        training_year(year)
    city = region("320700")
    open_schedule(city, 2023)
    county = region("320706")
    Region.objects.filter(pk=county.pk).update(name=HOSTILE[1])
    county.refresh_from_db()
    unit = UnitFactory(name=HOSTILE[0], region=county)
    people = [
        PersonFactory(unit=unit, name=HOSTILE[i], post=HOSTILE[(i + 1) % len(HOSTILE)]) for i in range(len(HOSTILE))
    ]
    make_class(people[0], 2023)
    return unit, city, county, people


@pytest.mark.django_db
def test_walk_reconciliation():
    order = pending_order(learner())
    pay_with_dev(order)
    Order.objects.filter(pk=order.pk).update(invoice_title=HOSTILE[0])
    for value in HOSTILE[1:4]:
        other = pending_order(learner())
        pay_with_dev(other)
        Order.objects.filter(pk=other.pk).update(invoice_title=value)
    response = logged_in(OperatorFactory()).get(
        reverse("admin:billing_order_reconciliation"),
        {"day": timezone.localdate().isoformat(), "gateway": "dev", "verify": "1"},
    )
    assert response.status_code == 200
    assert assert_safe_xlsx(response.content) >= 4


def test_walk_unit_workers(hostile_unit):
    unit, _city, _county, people = hostile_unit
    response = logged_in(UnitHRFactory(unit=unit)).get(reverse("oversight:unit_export"), {"year": 2023})
    assert response.status_code == 200
    assert assert_safe_xlsx(response.content) >= 2 * len(people)


def test_walk_bureau_unit_workers(hostile_unit):
    unit, _city, county, people = hostile_unit
    response = logged_in(BureauFactory(region=county)).get(
        reverse("oversight:bureau_unit_export", args=[unit.pk]), {"year": 2023}
    )
    assert response.status_code == 200
    assert assert_safe_xlsx(response.content) >= 2 * len(people)


def test_walk_bureau_statistics(hostile_unit):
    _unit, city, _county, _people = hostile_unit
    response = logged_in(BureauFactory(region=city)).get(reverse("oversight:bureau_export"), {"year": 2023})
    assert response.status_code == 200
    assert assert_safe_xlsx(response.content) >= 1


def test_walk_batch_verification(hostile_unit):
    unit, _city, _county, people = hostile_unit
    client = logged_in(UnitHRFactory(unit=unit))
    upload = Workbook()
    upload.active.append(["身份证号"])
    for person in people:
        upload.active.append([person.id_number])
    for value in HOSTILE:
        upload.active.append([value])
    buffer = io.BytesIO()
    upload.save(buffer)
    buffer.name = "名单.xlsx"
    buffer.seek(0)
    page = client.post(reverse("certificates:batch"), {"file": buffer, "year": ""})
    assert page.status_code == 200 and page.context["token"], page.context["form"].errors
    response = client.get(reverse("certificates:batch_download", args=[page.context["token"]]))
    assert response.status_code == 200
    assert assert_safe_xlsx(response.content) >= len(people)


@pytest.mark.django_db
def test_walk_registry_template():
    response = Client().get(reverse("registry:template"))
    assert response.status_code == 200
    assert_safe_xlsx(response.content)


@pytest.mark.django_db
def test_walk_registry_import_errors():
    operator = OperatorFactory()
    job = ImportJob.objects.create(
        created_by=operator,
        dry_run=True,
        status=ImportJob.Status.FAILED,
        errors=[{"row": i + 2, "column": value, "reason": value} for i, value in enumerate(HOSTILE)],
    )
    response = logged_in(operator).get(reverse("admin:registry_importjob_errors", args=[job.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert assert_safe_csv(response.content) == 2 * len(HOSTILE)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["admin:catalog_course_import_template", "admin:exams_question_import_template"])
def test_walk_import_templates(name):
    response = logged_in(OperatorFactory()).get(reverse(name))
    assert response.status_code == 200
    assert_safe_xlsx(response.content)


@pytest.mark.django_db
def test_walk_audit_log():
    url = reverse("admin:core_auditlog_export")
    for value in HOSTILE:
        audit_log(event_type="registry.person_updated", subject_repr=value, extra_data={"post": value})
    response = logged_in(OperatorFactory()).get(url)
    assert response.status_code == 200
    assert assert_safe_xlsx(response.content) >= len(HOSTILE)
