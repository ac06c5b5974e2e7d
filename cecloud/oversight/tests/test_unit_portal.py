"""The unit HR portal: statuses, hours and progress per worker, filters and search, pagination,
the Excel export (full ID numbers, audited), and the audited full-ID view."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cecloud.billing.models import OrderKind, OrderStatus
from cecloud.core.masking import mask_id_number
from cecloud.core.models import AuditLog
from cecloud.learning.models import CourseSelection, SelectionStatus
from cecloud.registry.factories import PersonFactory
from cecloud.registry.models import Grade, PersonStatus
from cecloud.training.factories import training_year
from cecloud.training.models import EnrollmentStatus

from ..selectors import scope, workers
from ..testing import course_for, make_class, make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr_client(world):
    client = Client()
    client.force_login(world.users["hr_a"])
    return client


@pytest.fixture
def team(world):
    """Unit A: one worker in each status for 2023, plus one who left (离岗)."""
    unit = world.unit_a
    people = {
        "none": world.person_a,
        "unpaid": PersonFactory(name="钱未缴", unit=unit, grade=Grade.SENIOR),
        "learning": PersonFactory(name="孙学习", unit=unit, grade=Grade.TECHNICIAN),
        "qualified": PersonFactory(name="周合格", unit=unit, grade=Grade.SENIOR),
        "left": PersonFactory(name="吴离岗", unit=unit, status=PersonStatus.INACTIVE),
    }
    make_order(people["unpaid"], 2023, status=OrderStatus.PENDING, created_at=timezone.now() - dt.timedelta(hours=1))
    learning = make_class(
        people["learning"],
        2023,
        opened_at=timezone.now() - dt.timedelta(days=3),
        earned={"ideology": Decimal("12"), "skill": Decimal("4")},  # 技师: 12 / 12 / 16
    )
    for category, hours in (("ideology", "12"), ("general", "6"), ("skill", "8")):
        CourseSelection.objects.create(
            enrollment=learning,
            course=course_for(category, Decimal(hours)),
            category=category,
            hours=Decimal(hours),
            status=SelectionStatus.CONFIRMED,
            confirmed_at=timezone.now(),
        )
    make_class(people["qualified"], 2023, status=EnrollmentStatus.QUALIFIED)
    make_class(people["left"], 2023)
    return people


def test_each_worker_has_status_payment_hours_and_progress(world, team):
    ty = training_year(2023)
    qs = workers.workers_queryset(scope.people_in_scope(world.users["hr_a"]), ty)
    rows = {r.person.name: r for r in workers.worker_rows(list(qs), ty)}
    assert set(rows) == {"张海州", "钱未缴", "孙学习", "周合格"}  # 离岗 not listed
    assert {name: r.status for name, r in rows.items()} == {
        "张海州": "none",
        "钱未缴": "unpaid",
        "孙学习": "learning",
        "周合格": "qualified",
    }
    assert rows["钱未缴"].payment_label == "待支付" and rows["张海州"].payment_label == "—"
    learning = rows["孙学习"]
    assert learning.payment_label == "已缴费（个人缴费）" and learning.amount is not None
    assert [(c.label, c.required, c.selected, c.earned) for c in learning.categories] == [
        ("思政", Decimal("12"), Decimal("12"), Decimal("12")),
        ("通识", Decimal("12"), Decimal("6"), Decimal("0")),
        ("岗位提升", Decimal("16"), Decimal("8"), Decimal("4")),
    ]
    assert learning.selected_total == Decimal("26") and learning.earned_total == Decimal("16")
    assert learning.percent == 40  # 16 of 40
    assert rows["周合格"].percent == 100 and rows["周合格"].is_done


def test_an_expired_unpaid_order_is_not_registered_and_a_closed_class_does_not_count(world):
    person = world.person_a
    make_order(person, 2023, status=OrderStatus.PENDING, created_at=timezone.now() - dt.timedelta(hours=25))
    other = PersonFactory(unit=world.unit_a)
    make_class(other, 2023, status=EnrollmentStatus.CLOSED)
    counts = workers.status_counts(scope.people_in_scope(world.users["hr_a"]), training_year(2023))
    assert counts == {"none": 2, "unpaid": 0, "learning": 0, "qualified": 0}


def test_unit_order_payment_is_shown_as_paid_by_the_unit(world):
    make_class(world.person_a, 2023, with_order=False)
    make_order(world.person_a, 2023, kind=OrderKind.UNIT, buyer=world.users["hr_a"])
    ty = training_year(2023)
    qs = workers.workers_queryset(scope.people_in_scope(world.users["hr_a"]), ty)
    (row,) = workers.worker_rows(list(qs), ty)
    assert row.payment_label == "已缴费（单位缴费）"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "unpaid"}, {"钱未缴"}),
        ({"status": "learning"}, {"孙学习"}),
        ({"status": "qualified"}, {"周合格"}),
        ({"status": "none"}, {"张海州"}),
        ({"grade": Grade.TECHNICIAN}, {"孙学习"}),
        ({"q": "周"}, {"周合格"}),
        ({"year": 2022}, {"张海州", "钱未缴", "孙学习", "周合格"}),
        ({"year": 2022, "status": "qualified"}, set()),
    ],
)
def test_filters(hr_client, team, params, expected):
    response = hr_client.get(reverse("oversight:unit_workers"), params)
    assert response.status_code == 200
    assert {r.person.name for r in response.context["rows"]} == expected


def test_search_by_full_id_or_its_last_four_and_the_page_shows_it_masked(hr_client, team):
    person = team["qualified"]
    for q in (person.id_number, person.id_number.lower(), person.id_number[-4:]):
        response = hr_client.get(reverse("oversight:unit_workers"), {"q": q})
        assert [r.person.pk for r in response.context["rows"]] == [person.pk], q
        table = response.content.decode().split("worker-table")[1].split("</table>")[0]
        assert mask_id_number(person.id_number) in table and person.id_number not in table


def test_other_units_workers_never_appear(hr_client, world, team):
    response = hr_client.get(reverse("oversight:unit_workers"), {"q": world.person_b.name})
    assert response.context["rows"] == []
    response = hr_client.get(reverse("oversight:unit_workers"), {"q": world.person_c.id_number})
    assert response.context["rows"] == []


def test_pagination_and_constant_queries(hr_client, world, django_assert_max_num_queries):
    for i in range(45):
        person = PersonFactory(unit=world.unit_a, name=f"员工{i:02d}")
        if i % 3 == 0:
            make_class(person, 2023, status=EnrollmentStatus.QUALIFIED)
        elif i % 3 == 1:
            make_class(person, 2023, earned={"general": Decimal("2")})
    url = reverse("oversight:unit_workers")
    hr_client.get(url)  # warm the session and content types
    with django_assert_max_num_queries(20):
        first = hr_client.get(url)
    assert len(first.context["rows"]) == 20 and first.context["page_obj"].paginator.count == 46
    third = hr_client.get(url, {"page": 3})
    assert len(third.context["rows"]) == 6
    names = [r.person.name for r in first.context["rows"]] + [r.person.name for r in third.context["rows"]]
    assert len(set(names)) == 26


def read_xlsx(content: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [list(row) for row in ws.iter_rows(values_only=True)]


def test_unit_export_has_full_id_numbers_and_is_audited(hr_client, world, team):
    response = hr_client.get(reverse("oversight:unit_export"), {"year": 2023, "status": "learning"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert ".xlsx" in response["Content-Disposition"]
    rows = read_xlsx(response.content)
    header, data = rows[0], rows[1:]
    assert header[:4] == ["序号", "姓名", "身份证号", "手机号"]
    assert len(data) == 1
    row = dict(zip(header, data[0], strict=True))
    person = team["learning"]
    assert row["姓名"] == "孙学习" and row["身份证号"] == person.id_number
    assert row["手机号"] != person.phone and row["手机号"].endswith(person.phone[-4:])
    assert row["状态"] == "学习中" and row["缴费情况"] == "已缴费（个人缴费）"
    assert (row["要求学时"], row["已选学时"], row["已获学时"], row["学习进度(%)"]) == (40, 26, 16, 40)
    assert (row["已获思政"], row["已获通识"], row["已获岗位提升"]) == (12, 0, 4)
    entry = AuditLog.objects.get(event_type="oversight.export")
    assert entry.actor == world.users["hr_a"] and entry.subject_id == str(world.unit_a.pk)
    assert entry.extra_data == {
        "kind": "unit_workers",
        "filters": {"year": 2023, "grade": "", "status": "learning", "q": ""},
        "rows": 1,
        "full_id_numbers": True,
    }


def test_full_export_lists_every_active_worker(hr_client, team):
    rows = read_xlsx(hr_client.get(reverse("oversight:unit_export")).content)
    assert sorted(r[1] for r in rows[1:]) == sorted(["张海州", "钱未缴", "孙学习", "周合格"])
    assert [r[0] for r in rows[1:]] == [1, 2, 3, 4]


def test_bureau_unit_export_masks_id_numbers_and_is_audited(world, team):
    client = Client()
    client.force_login(world.users["bureau_haizhou"])
    response = client.get(reverse("oversight:bureau_unit_export", args=[world.unit_a.pk]))
    rows = read_xlsx(response.content)
    ids = {r[2] for r in rows[1:]}
    assert ids == {mask_id_number(p.id_number) for k, p in team.items() if k != "left"}
    entry = AuditLog.objects.get(event_type="oversight.export")
    assert entry.extra_data["kind"] == "bureau_unit_workers" and entry.extra_data["full_id_numbers"] is False
    assert entry.actor == world.users["bureau_haizhou"]


def test_bureau_statistics_export_and_audit(world, team):
    client = Client()
    client.force_login(world.users["bureau_city"])
    response = client.get(reverse("oversight:bureau_export"), {"year": 2023})
    wb = load_workbook(io.BytesIO(response.content), read_only=True)
    assert wb.sheetnames == ["按县区", "按单位", "按等级", "每日报名缴费", "说明"]
    by_region = [list(r) for r in wb["按县区"].iter_rows(values_only=True)]
    total = by_region[-1]
    assert total[0] == "合计" and total[1:5] == [6, 2, 1, 1]  # 在岗 6 (4 in A, B, C), 已报名 2, 学习中 1, 已合格 1
    units = {r[0]: r for r in wb["按单位"].iter_rows(min_row=2, values_only=True)}
    assert units["海州区第一医院"][2:6] == (4, 2, 1, 1)
    entry = AuditLog.objects.get(event_type="oversight.export")
    assert entry.extra_data["kind"] == "bureau_statistics" and entry.subject_id == str(world.city.pk)


def test_viewing_the_full_id_number_is_audited(hr_client, world):
    url = reverse("oversight:worker_detail", args=[world.person_a.pk])
    page = hr_client.get(url).content.decode()
    assert world.person_a.id_number not in page and mask_id_number(world.person_a.id_number) in page
    assert not AuditLog.objects.filter(event_type="pii.id_number_viewed").exists()
    fragment = hr_client.post(url, HTTP_HX_REQUEST="true").content.decode()
    assert world.person_a.id_number in fragment and "本次查看已记录" in fragment
    entry = AuditLog.objects.get(event_type="pii.id_number_viewed")
    assert entry.actor == world.users["hr_a"] and entry.subject_id == str(world.person_a.pk)
    assert world.person_a.id_number not in entry.subject_repr
    full_page = hr_client.post(url).content.decode()  # without htmx: the page with the number
    assert world.person_a.id_number in full_page
    assert AuditLog.objects.filter(event_type="pii.id_number_viewed").count() == 2


def test_worker_page_shows_every_year(hr_client, world):
    make_class(world.person_a, 2021, status=EnrollmentStatus.QUALIFIED)
    make_class(world.person_a, 2023, earned={"ideology": Decimal("2")})
    response = hr_client.get(reverse("oversight:worker_detail", args=[world.person_a.pk]))
    history = {year.year: row.status for year, row in response.context["history"]}
    assert history[2021] == "qualified" and history[2023] == "learning" and history[2022] == "none"


def test_portal_links_to_payment_and_reviews(hr_client, team):
    html = hr_client.get(reverse("oversight:unit_workers")).content.decode()
    assert reverse("billing:unit_register") in html
    assert reverse("oversight:reviews") in html
    assert reverse("oversight:unit_reminders") in html
    assert "echarts.min.js" in html and "oversight/charts.js" in html


def test_a_qualified_workers_certificate_number_links_to_public_verification(hr_client, world):
    from cecloud.training.events import enrollment_qualified

    enrollment = make_class(world.person_a, 2023, status=EnrollmentStatus.QUALIFIED)
    enrollment_qualified.publish(enrollment_id=enrollment.pk)  # what the ledger schedules after commit
    certificate = enrollment.certificate
    response = hr_client.get(reverse("oversight:unit_workers"))
    (row,) = response.context["rows"]
    assert row.certificate_number == certificate.number
    assert row.certificate_url == reverse("certificates:verify_code", args=[certificate.verify_code])
    assert row.certificate_url in response.content.decode()
    verify = Client().get(row.certificate_url)  # public: no login needed
    assert verify.status_code == 200 and certificate.number in verify.content.decode()
    rows = read_xlsx(hr_client.get(reverse("oversight:unit_export")).content)
    assert rows[1][22] == certificate.number and rows[1][23].endswith(row.certificate_url)


def test_opening_an_application_with_its_full_id_number_is_audited(hr_client, world):
    from cecloud.registry.models import Application

    application = Application.objects.create(
        name="申请人",
        id_number="32070619900101102X",
        phone="13800138000",
        unit_name=world.unit_a.name,
        unit=world.unit_a,
        region=world.haizhou,
        grade=Grade.SENIOR,
    )
    page = hr_client.get(reverse("oversight:application_review", args=[application.pk]))
    assert application.id_number in page.content.decode()
    entry = AuditLog.objects.get(event_type="pii.id_number_viewed")
    assert entry.actor == world.users["hr_a"] and entry.subject_type == "registry.application"
