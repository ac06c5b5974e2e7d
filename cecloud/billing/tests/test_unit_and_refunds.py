"""Unit payment (单位报名, issue 3 point 9) and operator refunds (point 10)."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from cecloud.accounts.factories import OperatorFactory
from cecloud.billing.factories import learner, pay_with_dev, pending_order, unit_hr
from cecloud.billing.models import (
    Invoice,
    InvoiceStatus,
    Order,
    OrderKind,
    OrderLine,
    OrderStatus,
    RefundStatus,
)
from cecloud.billing.services import order_create_for_unit, order_refund_request, refund_blockers
from cecloud.catalog.factories import CourseFactory
from cecloud.core.errors import ServiceError
from cecloud.registry.factories import PersonFactory, UnitFactory
from cecloud.registry.models import Grade, Unit
from cecloud.training.factories import enrollment_for, training_year
from cecloud.training.models import Enrollment, EnrollmentStatus

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def unit():
    return UnitFactory(name="连云港市第二人民医院", kind=Unit.Kind.INSTITUTION, credit_code="123207004660001239")


@pytest.fixture
def workers(unit):
    return [
        PersonFactory(unit=unit, name="张伟", grade=Grade.SENIOR_TECHNICIAN),
        PersonFactory(unit=unit, name="李娜", grade=Grade.INTERMEDIATE),
        PersonFactory(unit=unit, name="王芳", grade=Grade.JUNIOR),
    ]


def test_unit_hr_sees_its_workers_with_filters_and_states(unit, workers):
    hr = unit_hr(unit)
    PersonFactory(name="外单位人员")
    enrollment_for(workers[0], 2023)
    client = client_for(hr)
    html = client.get(reverse("billing:unit_register"), {"year": 2023}).content.decode()
    for label in ["单位报名", "张伟", "李娜", "王芳", "已报名", "未报名", "提交订单", "学习年度", "技术等级"]:
        assert label in html
    assert "外单位人员" not in html
    assert workers[0].id_number not in html  # masked
    only_new = client.get(reverse("billing:unit_register"), {"year": 2023, "state": "none"}).content.decode()
    assert "张伟" not in only_new and "李娜" in only_new
    by_grade = client.get(reverse("billing:unit_register"), {"year": 2023, "grade": Grade.JUNIOR}).content.decode()
    assert "王芳" in by_grade and "李娜" not in by_grade
    by_name = client.get(reverse("billing:unit_register"), {"year": 2023, "q": "李"}).content.decode()
    assert "李娜" in by_name and "王芳" not in by_name


def test_one_unit_order_pays_for_every_listed_worker(unit, workers, django_capture_on_commit_callbacks):
    hr = unit_hr(unit)
    client = client_for(hr)
    response = client.post(
        reverse("billing:unit_register"),
        {"year": "2023", "person": [str(p.pk) for p in workers], "tax_number": ""},
    )
    order = Order.objects.get(kind=OrderKind.UNIT)
    assert response["Location"] == reverse("billing:order_detail", args=[order.order_no])
    assert (order.unit, order.buyer, order.person, order.total_amount, order.total_hours) == (
        unit,
        hr,
        None,
        Decimal("280.00"),
        Decimal("88"),
    )
    assert (order.invoice_title_type, order.invoice_title, order.invoice_tax_number, order.invoice_buyer_kind) == (
        "unit",
        "连云港市第二人民医院",
        "123207004660001239",
        "institution",
    )
    html = client.get(response["Location"]).content.decode()
    for label in [
        "订单类型: 单位报名",
        "张伟",
        "年度: 2023 技术等级: 高级技师",
        "年度: 2023 技术等级: 初级工",
        "280.00",
    ]:
        assert label in html.replace("</dt> <dd>", " ").replace('</dt> <dd class="order-no">', " ")
    with django_capture_on_commit_callbacks(execute=True):
        pay_with_dev(order, actor=hr)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    enrollments = Enrollment.objects.filter(training_year__year=2023, person__in=workers)
    assert enrollments.count() == 3
    assert {e.source_order_no for e in enrollments} == {order.order_no}
    assert all(line.enrollment_id for line in order.lines.all())
    assert Invoice.objects.get(order=order).title == "连云港市第二人民医院"
    assert "单位订单" in client.get(reverse("billing:unit_orders")).content.decode()


def test_workers_already_registered_or_pending_are_refused_by_name(unit, workers):
    hr = unit_hr(unit)
    enrollment_for(workers[0], 2023)
    learner_user = learner()
    learner_user.person.unit = unit
    learner_user.person.region = unit.region
    learner_user.person.name = "赵强"
    learner_user.person.save()
    pending_order(learner_user)
    with pytest.raises(ServiceError) as error:
        order_create_for_unit(
            user=hr,
            training_year=training_year(2023),
            person_ids=[workers[0].pk, workers[1].pk, learner_user.person.pk],
        )
    assert "已报名2023年度：张伟" in error.value.message
    assert "已有2023年度待支付订单：赵强" in error.value.message
    assert not Order.objects.filter(kind=OrderKind.UNIT).exists()
    response = client_for(hr).post(
        reverse("billing:unit_register"), {"year": "2023", "person": [str(workers[0].pk), str(workers[1].pk)]}
    )
    assert response.status_code == 200 and "已报名2023年度：张伟" in response.content.decode()


def test_workers_of_another_unit_are_refused(unit, workers):
    hr = unit_hr(unit)
    stranger = PersonFactory()
    with pytest.raises(ServiceError, match="不属于本单位"):
        order_create_for_unit(user=hr, training_year=training_year(2023), person_ids=[workers[1].pk, stranger.pk])


def test_an_enterprise_unit_must_give_its_tax_number(workers):
    enterprise = UnitFactory(kind=Unit.Kind.ENTERPRISE, credit_code="")
    person = PersonFactory(unit=enterprise)
    hr = unit_hr(enterprise)
    with pytest.raises(ServiceError, match="企业抬头须填写纳税人识别号"):
        order_create_for_unit(user=hr, training_year=training_year(2023), person_ids=[person.pk])
    order = order_create_for_unit(
        user=hr, training_year=training_year(2023), person_ids=[person.pk], tax_number="91440300708461136T"
    )
    assert order.invoice_tax_number == "91440300708461136T"


def test_a_pending_unit_order_blocks_the_learners_own_order(unit):
    user = learner()
    person = user.person
    person.unit = unit
    person.region = unit.region
    person.save()
    hr = unit_hr(unit)
    order = order_create_for_unit(user=hr, training_year=training_year(2023), person_ids=[person.pk])
    with pytest.raises(ServiceError, match="单位已为您提交2023年度的报名订单"):
        pending_order(user)
    html = client_for(user).get(reverse("billing:register")).content.decode()
    assert "单位已为您提交报名订单" in html
    # The learner cannot open the unit's order, but 发票下载 lists it once paid.
    assert client_for(user).get(reverse("billing:order_detail", args=[order.order_no])).status_code == 404
    pay_with_dev(order, actor=hr)
    html = client_for(user).get(reverse("billing:orders")).content.decode()
    assert order.order_no in html and "发票由单位下载" in html


def test_unit_orders_are_visible_only_to_the_units_hr(unit, workers):
    hr = unit_hr(unit)
    order = order_create_for_unit(user=hr, training_year=training_year(2023), person_ids=[workers[1].pk])
    other_hr = unit_hr(UnitFactory())
    assert client_for(other_hr).get(reverse("billing:order_detail", args=[order.order_no])).status_code == 404
    assert client_for(hr).get(reverse("billing:order_detail", args=[order.order_no])).status_code == 200
    assert client_for(learner()).get(reverse("billing:unit_register")).status_code == 403


# --- refunds ---------------------------------------------------------------------------------------


def test_refund_closes_the_class_and_reverses_the_invoice(django_capture_on_commit_callbacks):
    user = learner()
    order = pending_order(user)
    with django_capture_on_commit_callbacks(execute=True):
        pay_with_dev(order)
    order.refresh_from_db()
    operator = OperatorFactory()
    assert refund_blockers(order) == []
    with django_capture_on_commit_callbacks(execute=True):
        refund = order_refund_request(order=order, actor=operator, reason="学员调离，申请退款")
    refund.refresh_from_db()
    order.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED and refund.requested_by == operator
    assert order.status == OrderStatus.REFUNDED and order.refunded_at
    enrollment = Enrollment.objects.get(person=user.person)
    assert enrollment.status == EnrollmentStatus.CLOSED and "学员调离" in enrollment.close_reason
    assert Invoice.objects.get(order=order).status == InvoiceStatus.REVERSED
    assert not OrderLine.objects.filter(order=order, live=True).exists()
    events = list(order.events.values_list("event", flat=True))
    for event in ["refund_requested", "refunded", "invoice_reversal_requested", "invoice_reversed"]:
        assert event in events
    assert events.index("refund_requested") < events.index("refunded") < events.index("invoice_reversed")


def test_a_refunded_learner_registers_again_and_the_class_reopens(django_capture_on_commit_callbacks):
    from cecloud.billing.selectors import registration_years
    from cecloud.core.models import AuditLog
    from cecloud.learning.models import CourseSelection

    user = learner(grade=Grade.INTERMEDIATE)
    first = pending_order(user)
    with django_capture_on_commit_callbacks(execute=True):
        pay_with_dev(first)
    enrollment = Enrollment.objects.get(person=user.person)
    course = CourseFactory()
    CourseSelection.objects.create(enrollment=enrollment, course=course, category=course.category, hours=course.hours)
    with django_capture_on_commit_callbacks(execute=True):
        order_refund_request(order=first, actor=OperatorFactory(), reason="报错技术等级，申请退款")
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.CLOSED
    option = next(o for o in registration_years(user.person) if o.training_year.year == 2023)
    assert option.state == "open" and option.selectable

    # The learner was promoted meanwhile: the new class takes today's grade and requirements.
    user.person.grade = Grade.SENIOR_TECHNICIAN
    user.person.save(update_fields=["grade"])
    second = pending_order(user)
    assert second.pk != first.pk and second.total_hours == Decimal("40")
    with django_capture_on_commit_callbacks(execute=True):
        pay_with_dev(second)
    second.refresh_from_db()
    enrollment.refresh_from_db()
    assert second.status == OrderStatus.PAID and not second.needs_attention
    assert Enrollment.objects.filter(person=user.person).count() == 1  # the same class, reopened
    assert enrollment.status == EnrollmentStatus.OPEN and enrollment.closed_at is None and not enrollment.close_reason
    assert enrollment.source_order_no == second.order_no and enrollment.grade == Grade.SENIOR_TECHNICIAN
    assert enrollment.total_hours == Decimal("40")
    assert not CourseSelection.objects.filter(enrollment=enrollment).exists()  # old candidates dropped
    assert second.lines.get().enrollment_id == enrollment.pk
    assert AuditLog.objects.filter(event_type="enrollment.reopened", subject_id=str(enrollment.pk)).exists()
    with pytest.raises(ServiceError, match="无需重复报名"):
        pending_order(user)


def test_a_closed_class_with_credited_hours_is_not_reopened():
    from cecloud.training.models import HourCategory
    from cecloud.training.services import enrollment_close, ledger_credit

    user = learner()
    enrollment = enrollment_for(user.person, 2023)
    course = CourseFactory()
    ledger_credit(enrollment=enrollment, course=course, category=HourCategory.IDEOLOGY, hours=Decimal("2"))
    enrollment_close(enrollment=enrollment, reason="人工关闭")
    with pytest.raises(ServiceError, match="班级已关闭"):
        pending_order(user)


def test_no_refund_once_a_course_was_selected():
    from cecloud.catalog.factories import CourseFactory
    from cecloud.learning.models import CourseSelection, SelectionStatus

    user = learner()
    order = pending_order(user)
    pay_with_dev(order)
    order.refresh_from_db()
    enrollment = Enrollment.objects.get(person=user.person)
    course = CourseFactory()
    CourseSelection.objects.create(enrollment=enrollment, course=course, category=course.category, hours=course.hours)
    assert refund_blockers(order) == []  # a candidate can still be removed: nothing consumed
    CourseSelection.objects.filter(enrollment=enrollment).update(
        status=SelectionStatus.CONFIRMED, confirmed_at="2023-10-01T10:00:00+08:00"
    )
    blockers = refund_blockers(order)
    assert blockers and user.person.name in blockers[0] and "已选课" in blockers[0]
    with pytest.raises(ServiceError, match="已选课"):
        order_refund_request(order=order, actor=OperatorFactory(), reason="x")
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.OPEN


def test_only_paid_orders_are_refunded_and_a_reason_is_required():
    user = learner()
    order = pending_order(user)
    with pytest.raises(ServiceError, match="只有已支付的订单可以退款"):
        order_refund_request(order=order, actor=OperatorFactory(), reason="x")
    pay_with_dev(order)
    with pytest.raises(ServiceError, match="请填写退款原因"):
        order_refund_request(order=order, actor=OperatorFactory(), reason=" ")


def test_refunding_a_unit_order_closes_every_class(unit, workers, django_capture_on_commit_callbacks):
    hr = unit_hr(unit)
    order = order_create_for_unit(user=hr, training_year=training_year(2023), person_ids=[p.pk for p in workers])
    with django_capture_on_commit_callbacks(execute=True):
        pay_with_dev(order, actor=hr)
    with django_capture_on_commit_callbacks(execute=True):
        order_refund_request(order=order, actor=OperatorFactory(), reason="单位统一退款")
    assert set(Enrollment.objects.filter(person__in=workers).values_list("status", flat=True)) == {"closed"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_payments_reopen_a_refunded_class_once():
    import threading

    from django.db import connection

    from cecloud.core.testing import require_postgres
    from cecloud.training.services import enrollment_close, enrollment_open

    require_postgres()
    user = learner()
    enrollment = enrollment_for(user.person, 2023)
    enrollment_close(enrollment=enrollment, reason="订单已退款")
    barrier = threading.Barrier(4)
    results, errors = [], []

    def pay(order_no):
        try:
            barrier.wait(timeout=10)
            results.append(enrollment_open(person=user.person, training_year=training_year(2023), order_no=order_no))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(f"ORDER{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert sorted(created for _, created in results) == [False, False, False, True]
    enrollment.refresh_from_db()
    winner = next(e for e, created in results if created)
    assert enrollment.status == EnrollmentStatus.OPEN and enrollment.source_order_no == winner.source_order_no
