"""培训证明 through the real pages at desktop and phone width: a qualified learner opens 培训证明
("2023年度培训证明 高级技师 学时 40"), prints the certificate (the PDF's text holds the name, the
hours and the number; the Chinese font is embedded; two downloads are identical), then anyone
checks it on the public verification page by number and through the QR code's URL. Screenshots of
every page, and the PDF's first page rendered to PNG."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from cecloud.accounts.factories import PASSWORD, LearnerFactory
from cecloud.certificates.models import Certificate
from cecloud.certificates.pdf import verification_url
from cecloud.certificates.tests.helpers import qualified_enrollment
from cecloud.registry.factories import PersonFactory, UnitFactory
from cecloud.registry.models import Grade
from cecloud.training.factories import training_year

from .conftest import SCREENSHOTS, fill_login, fill_staff_login

pytestmark = pytest.mark.django_db(transaction=True)


def _login(page, live_server, username):
    page.goto(live_server.url + "/")
    fill_login(page, username, PASSWORD)
    page.wait_for_url("**/accounts/welcome/")


def _pdf_to_png(data: bytes, name: str) -> None:
    """The PDF's first page as PNG next to the screenshots (pdftoppm from poppler-utils)."""
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm (poppler-utils) is needed to render the certificate for review")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    source = SCREENSHOTS / f"{name}.pdf"
    source.write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-singlefile", str(source), str(SCREENSHOTS / name)],
        check=True,
        timeout=60,
    )
    source.unlink()


def _fonts_embedded(data: bytes) -> list[str]:
    names = []
    for pdf_page in PdfReader(io.BytesIO(data)).pages:
        for ref in pdf_page["/Resources"]["/Font"].values():
            for descendant in ref.get_object().get("/DescendantFonts", []):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                assert "/FontFile2" in descriptor or "/FontFile3" in descriptor
                names.append(str(descendant.get_object()["/BaseFont"]))
    return names


def test_print_the_certificate_and_verify_it_publicly(live_server, page, shot, settings):
    settings.CECLOUD_PUBLIC_BASE_URL = live_server.url
    for year in range(2018, 2024):
        training_year(year)
    unit = UnitFactory(name="连云港市第一人民医院")
    person = PersonFactory(name="黄诗雨", grade=Grade.SENIOR_TECHNICIAN, unit=unit)
    user = LearnerFactory(person=person)
    enrollment = qualified_enrollment(person, 2023)  # the class qualifies; the task issues the certificate
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.pdf  # rendered and kept by the task

    _login(page, live_server, user.username)
    page.goto(live_server.url + "/training/classes/")
    card = page.locator(".class-card").first
    assert "已合格" in card.inner_text()
    assert card.locator("a:has-text('打印培训证明')").is_visible()
    shot("certificates-my-classes")

    page.click(".center-menu >> text=培训证明")
    page.wait_for_url("**/certificates/")
    assert page.locator(".center-menu-item.active").inner_text().strip() == "培训证明"
    item = page.locator(".cert-item").first
    line = " ".join(item.locator(".cert-line").inner_text().split())
    assert line == "2023年度培训证明 高级技师 学时 40"
    button = item.locator("a:has-text('打印培训证明')")
    assert button.is_visible()
    shot("certificates-mine")

    href = button.get_attribute("href")
    first = page.request.get(live_server.url + href)
    second = page.request.get(live_server.url + href)
    assert first.status == 200 and first.headers["content-type"] == "application/pdf"
    data = first.body()
    assert data == second.body()  # identical bytes on every download
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "黄诗雨" in text and certificate.number in text
    assert "40 学时" in text and "12 学时" in text and "16 学时" in text
    assert any("Serif" in name for name in _fonts_embedded(data))
    if page.viewport_name == "desktop":
        _pdf_to_png(data, "certificate-pdf-page1")

    # The button opens the PDF in a new tab for printing.
    with page.expect_popup() as popup_info:
        button.click()
    popup = popup_info.value
    popup.wait_for_load_state("commit")
    assert href in popup.url
    popup.close()

    # Anyone, without logging in: by number, then through the QR code's URL.
    page.context.clear_cookies()
    page.goto(live_server.url + "/certificates/verify/")
    assert page.locator("h1:has-text('培训证明查验')").is_visible()
    page.fill("#id_q", certificate.number)
    page.click("button:has-text('查验')")
    page.wait_for_url("**/certificates/verify/?q=*")
    result = page.locator(".verify-result")
    assert "证书有效" in result.inner_text()
    body = result.inner_text()
    assert "黄**" in body and "黄诗雨" not in body
    assert "连云港市第一人民医院" in body and "2023年度" in body and "高级技师" in body
    assert "合计 40 学时" in " ".join(body.split())
    shot("certificates-verify-number")

    page.goto(verification_url(certificate))
    assert "证书有效" in page.locator(".verify-result").inner_text()
    signature = page.locator(".verify-signature").inner_text()
    assert "签名有效" in signature and certificate.number in signature
    shot("certificates-verify-qr")

    page.fill("#id_q", "JSGQ2023999999")
    page.click("button:has-text('查验')")
    page.wait_for_url("**/certificates/verify/?q=*")
    assert "未查到该证书" in page.locator(".verify-result").inner_text()
    shot("certificates-verify-unknown")


def test_unit_hr_batch_verification(live_server, page, shot, tmp_path):
    from openpyxl import Workbook, load_workbook

    from cecloud.accounts.factories import UnitHRFactory
    from cecloud.training.factories import enrollment_for

    training_year(2023)
    unit = UnitFactory(name="连云港市第一人民医院")
    certified = PersonFactory(name="黄诗雨", grade=Grade.SENIOR_TECHNICIAN, unit=unit)
    certificate_number = Certificate.objects.get(enrollment=qualified_enrollment(certified, 2023)).number
    learning = PersonFactory(name="李强", grade=Grade.SENIOR, unit=unit)
    enrollment_for(learning, 2023)
    outsider = PersonFactory(name="孙丽", unit=UnitFactory(name="连云港市第二人民医院"))
    hr = UnitHRFactory(unit=unit, username="unithr_e2e")
    workbook = Workbook()
    workbook.active.append(["姓名", "身份证号"])
    for person in (certified, learning, outsider):
        workbook.active.append([person.name, person.id_number])
    upload = tmp_path / "名单.xlsx"
    workbook.save(upload)

    fill_staff_login(page, live_server.url, hr, PASSWORD)
    page.wait_for_url("**/oversight/**")
    page.goto(live_server.url + "/certificates/batch/")
    assert page.locator("h1:has-text('培训证明批量查验')").is_visible()
    page.set_input_files("#id_file", str(upload))
    page.select_option("#id_year", "2023")
    page.click("button:has-text('上传查验')")
    page.wait_for_load_state("domcontentloaded")
    table = page.locator(".batch-table")
    assert "黄诗雨" in table.inner_text() and certificate_number in table.inner_text()
    assert "李强" in table.inner_text() and "非本单位人员" in table.inner_text()
    assert "孙丽" not in table.inner_text()
    shot("certificates-batch")
    with page.expect_download() as info:
        page.click("a:has-text('导出Excel')")
    data = io.BytesIO(Path(info.value.path()).read_bytes())  # the download has no .xlsx name on disk
    rows = list(load_workbook(data).active.iter_rows(values_only=True))
    assert rows[1][1] == "黄诗雨" and rows[1][12] == certificate_number and rows[3][14] == "非本单位人员"
