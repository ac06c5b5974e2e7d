"""批量查验 for unit HR: an .xlsx of ID numbers in, per person and year out (own unit only)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from cecloud.accounts.factories import BureauFactory, LearnerFactory, UnitHRFactory
from cecloud.billing.factories import pending_order
from cecloud.certificates.exports import HEADERS
from cecloud.certificates.selectors import NOT_OWN_UNIT, batch_verify
from cecloud.certificates.services import certificate_issue
from cecloud.core.models import AuditLog
from cecloud.registry.factories import PersonFactory, UnitFactory, valid_id_number
from cecloud.registry.models import Grade
from cecloud.training.factories import enrollment_for, open_schedule
from cecloud.training.services import enrollment_close

from .helpers import qualified_enrollment

pytestmark = pytest.mark.django_db


def xlsx(rows, name="名单.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(
        name, buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


@pytest.fixture
def world():
    unit = UnitFactory(name="连云港市第一人民医院")
    other_unit = UnitFactory(name="连云港市第二人民医院")
    certified = PersonFactory(unit=unit, name="黄诗雨", grade=Grade.SENIOR_TECHNICIAN)
    certificate = certificate_issue(enrollment_id=qualified_enrollment(certified).pk)[0]
    learning = PersonFactory(unit=unit, name="李强", grade=Grade.SENIOR)
    learning_class = enrollment_for(learning, 2023)
    ordered = LearnerFactory(person__unit=unit, person__name="王芳", person__grade=Grade.SENIOR)
    open_schedule(ordered.person.region.city, 2023)
    pending_order(ordered, 2023)  # registered, not paid yet
    idle = PersonFactory(unit=unit, name="赵敏")
    outsider = PersonFactory(unit=other_unit, name="孙丽")
    enrollment_for(outsider, 2023)
    return {
        "unit": unit,
        "hr": UnitHRFactory(unit=unit),
        "certified": certified,
        "certificate": certificate,
        "learning": learning,
        "learning_class": learning_class,
        "ordered": ordered.person,
        "idle": idle,
        "outsider": outsider,
        "unknown": valid_id_number("320706"),
    }


def test_per_person_and_year_for_the_own_unit_only(world):
    ids = [
        world["certified"].id_number,
        world["learning"].id_number,
        world["ordered"].id_number,
        world["idle"].id_number,
        world["outsider"].id_number,
        world["unknown"],
        "123",
        world["certified"].id_number.lower(),  # a duplicate (lower-case x is the same number)
    ]
    rows = batch_verify(unit=world["unit"], id_numbers=ids)
    by_name = {r.name: r for r in rows if r.name}

    certified = by_name["黄诗雨"]
    assert (certified.year, certified.grade, certified.registered, certified.paid) == (2023, "高级技师", True, True)
    assert certified.hours == {"ideology": 12, "general": 12, "skill": 16} and certified.total == 40
    assert certified.qualified and certified.certificate_number == world["certificate"].number
    assert certified.certificate_status == "有效"

    learning = by_name["李强"]
    assert learning.registered and learning.paid and not learning.qualified
    assert learning.total == 0 and learning.required == 24 and learning.certificate_number == ""

    ordered = by_name["王芳"]
    assert ordered.registered and not ordered.paid and ordered.total is None and "待支付" in ordered.note

    idle = by_name["赵敏"]
    assert not idle.registered and not idle.paid and idle.note == "未报名"

    others = [r for r in rows if not r.has_data]
    assert [r.note for r in others[:2]] == [NOT_OWN_UNIT, NOT_OWN_UNIT]  # another unit; not in the registry
    assert {r.id_number for r in others[:2]} == {world["outsider"].id_number, world["unknown"]}
    assert others[2].id_number == "123" and "18位" in others[2].note
    assert all(r.hours == {} and r.year is None for r in others)
    assert len(rows) == 7  # the duplicate is reported once


def test_a_closed_class_is_not_paid_and_the_year_filter(world):
    enrollment_close(enrollment=world["learning_class"], reason="订单已退款")
    row = batch_verify(unit=world["unit"], id_numbers=[world["learning"].id_number])[0]
    assert row.registered and not row.paid and "订单已退款" in row.note
    rows = batch_verify(unit=world["unit"], id_numbers=[world["certified"].id_number], year=2022)
    assert len(rows) == 1 and rows[0].year == 2022 and rows[0].note == "未报名"


def test_upload_shows_the_table_and_exports_the_workbook_with_an_audit_trail(client, world):
    client.force_login(world["hr"])
    upload = xlsx(
        [
            ["序号", "身份证号", "姓名"],
            [1, world["certified"].id_number, "黄诗雨"],
            [2, world["outsider"].id_number, "孙丽"],
            [3, world["idle"].id_number, ""],
        ]
    )
    response = client.post(reverse("certificates:batch"), {"file": upload, "year": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "黄诗雨" in html and world["certificate"].number in html
    assert "孙丽" not in html and NOT_OWN_UNIT in html  # no data for other units, not even the name
    assert world["certified"].id_number not in html  # masked on the page
    assert "赵敏" in html and "未报名" in html
    assert AuditLog.objects.filter(event_type="certificate.batch_verify", actor=world["hr"]).count() == 1

    token = response.context["token"]
    download = client.get(reverse("certificates:batch_download", args=[token]))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(download.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == HEADERS
    first = dict(zip(HEADERS, values[1], strict=True))
    assert first["身份证号"] == world["certified"].id_number and first["姓名"] == "黄诗雨"
    assert (first["是否报名"], first["是否缴费"], first["是否合格"]) == ("是", "是", "是")
    assert (first["思政学时"], first["通识学时"], first["岗位提升学时"], first["总学时"]) == (12, 12, 16, 40)
    assert first["证书编号"] == world["certificate"].number and first["证书状态"] == "有效"
    other = dict(zip(HEADERS, values[2], strict=True))
    assert other["姓名"] is None and other["备注"] == NOT_OWN_UNIT and other["总学时"] is None
    export = AuditLog.objects.get(event_type="certificate.batch_export")
    assert export.actor == world["hr"] and export.extra_data["own_unit_people"] == 2
    assert world["certified"].id_number not in str(export.extra_data)  # masked in the log


def test_the_first_column_is_used_without_a_header(client, world):
    client.force_login(world["hr"])
    upload = xlsx([[world["certified"].id_number], [world["learning"].id_number]])
    response = client.post(reverse("certificates:batch"), {"file": upload})
    assert [r.name for r in response.context["rows"]] == ["黄诗雨", "李强"]


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("名单.xlsx", b"this is not a spreadsheet"), "文件无法读取"),
        (SimpleUploadedFile("名单.csv", b"320706197001010116\n"), "请上传 .xlsx 格式"),
        (xlsx([["身份证号"]]), "文件中没有身份证号"),
        (xlsx([["身份证号"], [320706197001010116]]), "第2行的身份证号是数值格式"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(client, world, upload, message):
    client.force_login(world["hr"])
    response = client.post(reverse("certificates:batch"), {"file": upload})
    assert response.status_code == 200 and message in response.content.decode()
    assert response.context["rows"] is None
    assert not AuditLog.objects.filter(event_type__startswith="certificate.batch").exists()


def test_only_unit_hr_may_use_it_and_only_their_own_results(client, world):
    url = reverse("certificates:batch")
    assert client.get(url).status_code == 302
    client.force_login(LearnerFactory())
    assert client.get(url).status_code == 403
    client.force_login(BureauFactory())
    assert client.get(url).status_code == 403
    client.force_login(world["hr"])
    response = client.post(url, {"file": xlsx([[world["certified"].id_number]])})
    token = response.context["token"]
    other_hr = UnitHRFactory(unit=world["unit"])
    client.force_login(other_hr)
    expired = client.get(reverse("certificates:batch_download", args=[token]), follow=True)
    assert "查询结果已过期" in expired.content.decode()  # a token is bound to the account that made it


def test_hours_beyond_a_category_requirement_count_up_to_it_as_on_the_certificate(world):
    from decimal import Decimal

    from cecloud.catalog.factories import CourseFactory
    from cecloud.training.services import ledger_credit

    extra = CourseFactory(category="general", hours=Decimal("4"))
    ledger_credit(enrollment=world["learning_class"], course=extra, category="general", hours=Decimal("4"))
    extra = CourseFactory(category="general", hours=Decimal("4"))
    ledger_credit(enrollment=world["learning_class"], course=extra, category="general", hours=Decimal("4"))
    row = batch_verify(unit=world["unit"], id_numbers=[world["learning"].id_number])[0]
    assert row.hours["general"] == 7 and row.total == 7  # 8 credited, 7 required (高级工)
