"""报名缴费 through the real pages at desktop and phone width: 1 确认报名年度 → 2 确认报名信息 → the
order page → 立即支付 → the dev cashier's 确认支付 → 3 付款成功 / 4 报名成功, then 发票下载 and the
invoice PDF (text holds the buyer and the amount; the Chinese font is embedded). Unit HR pays for
a batch of workers in one order. Screenshots of every step."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from cecloud.accounts.factories import PASSWORD, LearnerFactory, UnitHRFactory
from cecloud.billing.models import Invoice, InvoiceStatus, Order, OrderStatus
from cecloud.registry.factories import PersonFactory, UnitFactory
from cecloud.registry.models import Grade
from cecloud.training.factories import enrollment_for, open_schedule, training_year
from cecloud.training.models import Enrollment

from .conftest import fill_login, fill_staff_login

pytestmark = pytest.mark.django_db(transaction=True)


def _login(page, live_server, username, landing="**/accounts/welcome/"):
    page.goto(live_server.url + "/")
    fill_login(page, username, PASSWORD)
    page.wait_for_url(landing)


def _staff_login(page, live_server, user, landing="**/oversight/**"):
    fill_staff_login(page, live_server.url, user, PASSWORD)
    page.wait_for_url(landing)


def _fonts(data: bytes) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for pdf_page in PdfReader(io.BytesIO(data)).pages:
        for ref in pdf_page["/Resources"].get_object().get("/Font", {}).values():
            font = ref.get_object()
            for candidate in [font] + [d.get_object() for d in font.get("/DescendantFonts", [])]:
                descriptor = candidate.get("/FontDescriptor")
                if descriptor is not None:
                    keys = {k for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in descriptor.get_object()}
                    found.setdefault(str(candidate["/BaseFont"]), set()).update(keys)
    return found


def test_register_pay_on_the_dev_cashier_and_download_the_invoice(live_server, page, shot):
    for year in range(2018, 2024):
        training_year(year)
    person = PersonFactory(name="周晓明", grade=Grade.SENIOR_TECHNICIAN)
    user = LearnerFactory(person=person)
    city = person.region.city
    open_schedule(city, 2023)
    open_schedule(city, 2022)
    enrollment_for(person, 2021)  # already registered: not offered again
    _login(page, live_server, user.username)

    page.click("a:has-text('去报名')")
    page.wait_for_url("**/billing/register/")
    steps = page.locator(".reg-steps").inner_text()
    assert re.sub(r"\s+", " ", steps).strip() == "1 确认报名年度 2 确认报名信息 3 付款成功 4 报名成功"
    years = page.locator("input[name=year]")
    assert [years.nth(i).get_attribute("value") for i in range(years.count())] == ["2023", "2022"]
    assert page.locator(".year-closed").get_by_text("2021年度").is_visible()
    assert page.locator(".year-closed").get_by_text("尚未公布2020年度的报名缴费时间").is_visible()
    shot("payment-1-years")
    page.click("button:has-text('下一步')")

    page.wait_for_url("**/billing/register/2023/")
    assert page.get_by_text("年度: 2023 技术等级: 高级技师").is_visible()
    assert page.get_by_text("增值税电子普通发票").is_visible()
    assert page.locator("#id_title").input_value() == "周晓明"
    page.click("text=单位")
    assert page.locator("#id_tax_number").is_visible()
    shot("payment-2-invoice-unit")
    page.click("label:has-text('个人')")
    assert not page.locator("#id_tax_number").is_visible()
    assert page.locator("#id_title").input_value() == "周晓明"
    shot("payment-2-confirm")
    page.click("button:has-text('提交订单')")

    page.wait_for_url("**/billing/orders/*/")
    order = Order.objects.get(person=person)
    head = re.sub(r"\s+", " ", page.locator(".order-head").inner_text())
    assert f"订单号: {order.order_no}" in head and re.fullmatch(r"\d{24}", order.order_no)
    for text in [
        "订单状态: 待支付",
        "订单类型: 个人报名",
        "支付方式: —",
        "请您在 24 小时内完成支付，否则订单会被自动取消。",
    ]:
        assert text in head, text
    total = re.sub(r"\s+", " ", page.locator(".order-total").inner_text())
    assert total == "合计: 40学时 支付金额: 120.00 元"
    assert page.get_by_text("【个人】周晓明").is_visible()
    shot("payment-order")
    page.click("button:has-text('立即支付')")

    page.wait_for_url("**/billing/dev/cashier/*/")
    assert page.get_by_text("收银台", exact=True).is_visible()
    assert page.locator(".cashier-amount").inner_text().replace(" ", "") == "¥120.00"
    assert page.locator("button:has-text('取消支付')").is_visible()
    shot("payment-cashier")
    page.click("button:has-text('确认支付')")

    page.wait_for_url("**/billing/orders/*/result/")
    assert page.locator(".result-title").inner_text() == "报名成功"
    assert page.locator(".reg-step.active").inner_text().replace("\n", " ").strip() == "4 报名成功"
    shot("payment-success")
    enrollment = Enrollment.objects.get(person=person, training_year__year=2023)
    assert enrollment.source_order_no == order.order_no
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID

    page.click(".center-menu >> text=发票下载")
    page.wait_for_url("**/billing/orders/")
    row = page.locator("tr", has_text=order.order_no)
    assert row.get_by_text("已支付").is_visible() and row.get_by_text("120.00").is_visible()
    shot("payment-invoices")
    row.get_by_text("订单详情").click()
    page.wait_for_url(f"**/billing/orders/{order.order_no}/")
    invoice = Invoice.objects.get(order=order)
    assert invoice.status == InvoiceStatus.ISSUED
    assert page.get_by_text(f"发票号码: {invoice.invoice_no}").is_visible()
    shot("payment-order-paid")
    with page.expect_download() as info:
        page.click("a:has-text('下载发票')")
    data = Path(info.value.path()).read_bytes()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "周晓明" in text and "120.00" in text and invoice.invoice_no in text
    fonts = _fonts(data)
    assert fonts and all(keys for keys in fonts.values()), fonts
    assert any("NotoSansSC" in name.replace("-", "") for name in fonts), fonts


def test_unit_hr_pays_for_a_batch_of_workers(live_server, page, shot):
    training_year(2023)
    unit = UnitFactory(name="连云港市第二人民医院", credit_code="")
    workers = [
        PersonFactory(unit=unit, name="张伟", grade=Grade.SENIOR_TECHNICIAN, post="驾驶员"),
        PersonFactory(unit=unit, name="李娜", grade=Grade.INTERMEDIATE, post="电工"),
        PersonFactory(unit=unit, name="王芳", grade=Grade.JUNIOR, post="厨师"),
    ]
    open_schedule(unit.region.city, 2023)
    enrollment_for(workers[2], 2023)
    hr = UnitHRFactory(unit=unit, username="hr_second_hospital")
    _staff_login(page, live_server, hr)
    page.goto(live_server.url + "/billing/unit/register/?year=2023")
    assert page.locator("tr", has_text="王芳").get_by_text("已报名").is_visible()
    page.locator("#check-all").check()
    assert page.locator("#sel-count").inner_text() == "2"
    assert page.locator("#sel-total").inner_text() == "200.00"
    shot("payment-unit-select")
    page.click("button:has-text('提交订单')")
    page.wait_for_url("**/billing/orders/*/")
    assert "订单类型: 单位报名" in re.sub(r"\s+", " ", page.locator(".order-head").inner_text())
    assert page.get_by_text("【单位】连云港市第二人民医院").is_visible()
    shot("payment-unit-order")
    page.click("button:has-text('立即支付')")
    page.wait_for_url("**/billing/dev/cashier/*/")
    page.click("button:has-text('确认支付')")
    page.wait_for_url("**/billing/orders/*/result/")
    assert page.locator(".result-title").inner_text() == "报名成功"
    shot("payment-unit-success")
    assert Enrollment.objects.filter(person__in=workers[:2], training_year__year=2023).count() == 2


def test_a_refunded_learner_is_offered_the_year_again(live_server, page, shot, django_capture_on_commit_callbacks):
    from cecloud.accounts.factories import OperatorFactory
    from cecloud.billing.factories import pay_with_dev, pending_order
    from cecloud.billing.services import order_refund_request

    training_year(2023)
    person = PersonFactory(name="吴海燕", grade=Grade.INTERMEDIATE)
    user = LearnerFactory(person=person)
    open_schedule(person.region.city, 2023)
    order = pending_order(user)
    with django_capture_on_commit_callbacks(execute=True):
        pay_with_dev(order)
        order_refund_request(order=order, actor=OperatorFactory(), reason="报错技术等级，申请退款")
    assert Enrollment.objects.get(person=person).status == "closed"
    _login(page, live_server, user.username)
    page.click("a:has-text('去报名')")
    page.wait_for_url("**/billing/register/")
    assert page.locator("input[name=year][value='2023']").is_enabled()
    assert page.locator(".year-closed").count() == 0 or "2023年度" not in page.locator(".year-closed").inner_text()
    shot("payment-years-after-refund")
    page.locator("input[name=year][value='2023']").check()
    page.click("button:has-text('下一步')")
    page.wait_for_url("**/billing/register/2023/")
