"""Electronic invoices (issue 3 point 11): issued after payment from the order's invoice information,
a local PDF with an embedded Chinese font, the 诺诺 issuer against a fake endpoint, failures visible."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone
from pypdf import PdfReader

from cecloud.billing.factories import learner, pay_with_dev, pending_order
from cecloud.billing.issuers import IssuerError
from cecloud.billing.issuers.local import LocalIssuer
from cecloud.billing.models import Invoice, InvoiceStatus, OrderEvent
from cecloud.billing.pdf import amount_in_words
from cecloud.billing.services import InvoiceInfo, invoice_issue, invoice_retry, order_refund_request
from cecloud.billing.tasks import invoices_retry

from .fake_nuonuo import FAKE_PDF, FakeNuonuo

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def embedded_fonts(data: bytes) -> dict[str, set[str]]:
    """BaseFont -> the FontFile keys of its descriptor (descendant fonts included)."""
    found: dict[str, set[str]] = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            candidates = [font] + [d.get_object() for d in font.get("/DescendantFonts", [])]
            for candidate in candidates:
                descriptor = candidate.get("/FontDescriptor")
                if descriptor is None:
                    continue
                keys = {k for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in descriptor.get_object()}
                found.setdefault(str(candidate["/BaseFont"]), set()).update(keys)
    return found


def paid_order(django_capture_on_commit_callbacks, *, invoice=None, user=None):
    user = user or learner()
    order = pending_order(user, invoice=invoice)
    with django_capture_on_commit_callbacks(execute=True):
        pay_with_dev(order)
    return order


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("120.00", "壹佰贰拾元整"),
        ("0.01", "壹分"),
        ("80.50", "捌拾元伍角"),
        ("1005.05", "壹仟零伍元零伍分"),
        ("100000.00", "壹拾万元整"),
        ("10010.00", "壹万零壹拾元整"),
        ("-120.00", "负壹佰贰拾元整"),
    ],
)
def test_amount_in_capital_numerals(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def test_local_invoice_pdf_holds_buyer_amount_issuer_with_the_font_embedded(django_capture_on_commit_callbacks):
    user = learner()
    order = paid_order(django_capture_on_commit_callbacks, user=user)
    invoice = Invoice.objects.get(order=order)
    assert invoice.status == InvoiceStatus.ISSUED and invoice.issuer == "local"
    assert (invoice.title, invoice.title_type, invoice.amount) == (user.person.name, "personal", Decimal("120.00"))
    data = invoice.pdf.read()
    text = pdf_text(data)
    for expected in [
        "增值税电子普通发票",
        invoice.invoice_no,
        timezone.localtime(invoice.issued_at).strftime("%Y年%m月%d日"),
        user.person.name,
        "培训费",
        "120.00",
        "壹佰贰拾元整",
        "江苏工勤人员继续教育云平台运营单位",
        order.order_no,
    ]:
        assert expected in text, expected
    fonts = embedded_fonts(data)
    cjk = {name: keys for name, keys in fonts.items() if "NotoSansSC" in name.replace("-", "")}
    assert cjk and all(keys & {"/FontFile", "/FontFile2", "/FontFile3"} for keys in cjk.values()), fonts
    assert set(cjk) == set(fonts), fonts  # every glyph comes from the embedded complete font
    assert OrderEvent.objects.filter(order=order, event="invoice_issued").exists()


def test_unit_title_invoice_carries_the_tax_number(django_capture_on_commit_callbacks):
    info = InvoiceInfo("unit", "某某科技有限公司", "91110000600037341L", "enterprise")
    order = paid_order(django_capture_on_commit_callbacks, invoice=info)
    invoice = Invoice.objects.get(order=order)
    text = pdf_text(invoice.pdf.read())
    assert "某某科技有限公司" in text and "91110000600037341L" in text


def test_issuing_failures_are_visible_and_retried(django_capture_on_commit_callbacks, monkeypatch):
    def broken(self, invoice):
        raise IssuerError("开票服务暂不可用")

    monkeypatch.setattr(LocalIssuer, "issue", broken)
    order = paid_order(django_capture_on_commit_callbacks)
    invoice = Invoice.objects.get(order=order)
    assert (invoice.status, invoice.last_error, invoice.attempts) == (InvoiceStatus.FAILED, "开票服务暂不可用", 1)
    assert OrderEvent.objects.filter(order=order, event="invoice_failed", note="开票服务暂不可用").exists()
    monkeypatch.undo()
    # The periodic job only picks failures older than a few minutes…
    assert invoices_retry() == 0
    Invoice.objects.filter(pk=invoice.pk).update(updated_at=timezone.now() - dt.timedelta(minutes=11))
    assert invoices_retry() == 1
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.ISSUED and invoice.last_error == "" and invoice.attempts == 2


def test_a_crash_while_rendering_is_recorded_not_lost(django_capture_on_commit_callbacks, monkeypatch):
    def crash(self, invoice):
        raise RuntimeError("font missing")

    monkeypatch.setattr(LocalIssuer, "issue", crash)
    order = paid_order(django_capture_on_commit_callbacks)
    invoice = Invoice.objects.get(order=order)
    assert invoice.status == InvoiceStatus.FAILED and invoice.last_error == "RuntimeError: font missing"
    monkeypatch.undo()
    invoice = invoice_retry(invoice=invoice, actor=None)
    assert invoice.status == InvoiceStatus.ISSUED


def test_refund_reverses_a_local_invoice_with_a_red_pdf(django_capture_on_commit_callbacks):
    from cecloud.accounts.factories import OperatorFactory

    order = paid_order(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        order_refund_request(order=order, actor=OperatorFactory(), reason="学员申请退款")
    invoice = Invoice.objects.get(order=order)
    assert (
        invoice.status == InvoiceStatus.REVERSED and invoice.reversal_no and invoice.reversal_no != invoice.invoice_no
    )
    text = pdf_text(invoice.reversal_pdf.read())
    assert "红字" in text and invoice.invoice_no in text and "-120.00" in text


# --- 诺诺 ---------------------------------------------------------------------------------------------


@pytest.fixture
def nuonuo():
    fake = FakeNuonuo(app_key="SD63236305", app_secret="SDDED2523BED4643", seller_tax="91320000MA1CEC001E").start()
    with override_settings(
        INVOICE_ISSUER="nuonuo",
        NUONUO_APP_KEY=fake.app_key,
        NUONUO_APP_SECRET=fake.app_secret,
        NUONUO_ACCESS_TOKEN="",
        NUONUO_API_URL=f"{fake.base}/open/v1/services",
        NUONUO_TOKEN_URL=f"{fake.base}/accessToken",
        INVOICE_SELLER_TAX_NUMBER=fake.seller_tax,
    ):
        yield fake
    fake.stop()


def test_nuonuo_issues_through_the_signed_api(nuonuo, django_capture_on_commit_callbacks):
    info = InvoiceInfo("unit", "某某科技有限公司", "91110000600037341L", "enterprise")
    order = paid_order(django_capture_on_commit_callbacks, invoice=info)
    invoice = Invoice.objects.get(order=order)
    assert invoice.status == InvoiceStatus.ISSUED and invoice.issuer == "nuonuo"
    assert (invoice.invoice_code, invoice.invoice_no) == ("032002300111", "00000001")
    assert invoice.pdf.read() == FAKE_PDF and invoice.pdf_url.endswith(".pdf")
    request = nuonuo.requests[0]
    assert request["method"] == "nuonuo.OpeMplatform.requestBillingNew"
    sent = request["content"]["order"]
    assert (sent["buyerName"], sent["buyerTaxNum"], sent["invoiceType"], sent["invoiceLine"]) == (
        "某某科技有限公司",
        "91110000600037341L",
        "1",
        "p",
    )
    assert sent["salerTaxNum"] == "91320000MA1CEC001E" and len(sent["orderNo"]) <= 20
    detail = sent["invoiceDetail"][0]
    assert (detail["goodsName"], detail["taxIncludedAmount"], detail["withTaxFlag"]) == ("培训费", "120.00", "1")
    assert Decimal(detail["taxExcludedAmount"]) + Decimal(detail["tax"]) == Decimal("120.00")
    assert order.order_no in sent["remark"]
    assert nuonuo.token_calls == 1


def test_nuonuo_in_progress_then_issued_on_retry(nuonuo, django_capture_on_commit_callbacks):
    nuonuo.pending_polls = 1
    order = paid_order(django_capture_on_commit_callbacks)
    invoice = Invoice.objects.get(order=order)
    assert invoice.status == InvoiceStatus.ISSUING and invoice.provider_serial and "开票中" in invoice.last_error
    invoice = invoice_issue(invoice_id=invoice.pk)
    assert invoice.status == InvoiceStatus.ISSUED
    assert len([r for r in nuonuo.requests if r["method"].endswith("requestBillingNew")]) == 1  # not billed twice


def test_nuonuo_failure_is_visible_to_operators(nuonuo, django_capture_on_commit_callbacks):
    nuonuo.fail_with = "购方税号有误"
    order = paid_order(django_capture_on_commit_callbacks)
    invoice = Invoice.objects.get(order=order)
    assert invoice.status == InvoiceStatus.FAILED and "购方税号有误" in invoice.last_error


def test_nuonuo_refuses_a_bad_signature(nuonuo, django_capture_on_commit_callbacks, settings):
    settings.NUONUO_APP_SECRET = "wrong-secret"
    settings.NUONUO_ACCESS_TOKEN = nuonuo.token
    order = paid_order(django_capture_on_commit_callbacks)
    invoice = Invoice.objects.get(order=order)
    assert invoice.status == InvoiceStatus.FAILED and "签名验证失败" in invoice.last_error


def test_nuonuo_reversal_sends_a_red_invoice_for_the_blue_one(nuonuo, django_capture_on_commit_callbacks):
    from cecloud.accounts.factories import OperatorFactory

    order = paid_order(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        order_refund_request(order=order, actor=OperatorFactory(), reason="学员申请退款")
    invoice = Invoice.objects.get(order=order)
    assert invoice.status == InvoiceStatus.REVERSED and invoice.reversal_no
    red = nuonuo.requests[-2]["content"]["order"]
    assert (red["invoiceType"], red["invoiceCode"], red["invoiceNum"]) == ("2", "032002300111", invoice.invoice_no)
    assert red["invoiceDetail"][0]["taxIncludedAmount"] == "-120.00"


def test_refund_while_nuonuo_is_still_issuing_reverses_once_the_blue_invoice_exists(
    nuonuo, django_capture_on_commit_callbacks
):
    from cecloud.accounts.factories import OperatorFactory

    nuonuo.pending_polls = 1
    order = paid_order(django_capture_on_commit_callbacks)
    assert Invoice.objects.get(order=order).status == InvoiceStatus.ISSUING
    nuonuo.pending_polls = 0  # the provider finishes the blue invoice meanwhile
    with django_capture_on_commit_callbacks(execute=True):
        order_refund_request(order=order, actor=OperatorFactory(), reason="学员申请退款")
    invoice = Invoice.objects.get(order=order)
    assert invoice.status == InvoiceStatus.REVERSED
    assert invoice.invoice_no and invoice.reversal_no
    assert [r["content"]["order"]["invoiceType"] for r in nuonuo.requests if "order" in r["content"]] == ["1", "2"]
