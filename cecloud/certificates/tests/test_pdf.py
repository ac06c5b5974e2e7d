"""The certificate PDF: content, embedded Chinese fonts, identical bytes, and who may download it."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from cecloud.accounts.factories import LearnerFactory, UnitHRFactory
from cecloud.certificates.models import Certificate
from cecloud.certificates.pdf import render_certificate_pdf, verification_url
from cecloud.certificates.services import certificate_issue, certificate_pdf, certificate_revoke
from cecloud.registry.factories import PersonFactory, UnitFactory
from cecloud.registry.models import Grade

from .helpers import qualified_enrollment

pytestmark = pytest.mark.django_db


def _text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _fonts(data: bytes) -> dict[str, object]:
    """Every font of the PDF by base name, with its descriptor (descendant fonts for Type 0)."""
    found = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descendant = descendant.get_object()
                found[str(descendant["/BaseFont"])] = descendant["/FontDescriptor"].get_object()
    return found


@pytest.fixture
def certificate():
    unit = UnitFactory(name="连云港市第一人民医院")
    person = PersonFactory(name="黄诗雨", grade=Grade.SENIOR_TECHNICIAN, unit=unit)
    return certificate_issue(enrollment_id=qualified_enrollment(person).pk)[0]


def test_the_pdf_holds_the_certificate_data(certificate):
    data = render_certificate_pdf(certificate)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape, points
    text = _text(data)
    compact = "".join(text.split())
    assert "培训证明" in compact
    assert "黄诗雨" in text
    assert certificate.number in text
    assert "连云港市第一人民医院" in compact
    assert "高级技师" in text
    assert "40学时" in compact and "12学时" in compact and "16学时" in compact
    assert "思政" in text and "通识" in text and "岗位提升" in text
    masked = certificate.id_number[:3] + "*" * 11 + certificate.id_number[-4:]
    assert masked in text and certificate.id_number not in text  # only the masked ID number
    assert certificate.verify_code_display in text
    assert "江苏工勤人员继续教育云平台" in compact
    assert f"{certificate.issued_on.year}年{certificate.issued_on.month}月{certificate.issued_on.day}日" in compact
    assert reader.metadata.title == f"培训证明 {certificate.number}"


def test_the_chinese_font_is_embedded(certificate):
    fonts = _fonts(render_certificate_pdf(certificate))
    assert fonts, "no fonts"
    cjk = [name for name in fonts if "Serif" in name]
    assert cjk, fonts.keys()
    for name, descriptor in fonts.items():
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, f"{name} is not embedded"
        assert "+" in name  # a subset, not the 16 MB font


def test_a_rare_name_character_falls_back_to_the_complete_font():
    person = PersonFactory(name="王玥堃")  # 玥 and 堃 are outside GB 2312
    certificate = certificate_issue(enrollment_id=qualified_enrollment(person).pk)[0]
    data = render_certificate_pdf(certificate)
    assert "王玥堃" in _text(data)
    assert len(_fonts(data)) == 2  # the reduced font and the complete one for the two rare characters


def test_rendering_is_deterministic(certificate):
    assert render_certificate_pdf(certificate) == render_certificate_pdf(certificate)


def test_the_qr_code_leads_to_the_verification_page_with_the_signed_payload(certificate, settings):
    url = verification_url(certificate)
    assert url.startswith(settings.CECLOUD_PUBLIC_BASE_URL)
    assert f"/certificates/verify/{certificate.verify_code}/?p=" in url
    assert url.endswith(certificate.signed_payload)
    reader = PdfReader(io.BytesIO(render_certificate_pdf(certificate)))
    images = list(reader.pages[0].images)
    assert len(images) == 1  # the QR code (the seal is vector)
    assert images[0].image.size[0] == images[0].image.size[1] >= 21


def test_two_downloads_give_identical_bytes(client, certificate):
    user = LearnerFactory(person=certificate.person)
    client.force_login(user)
    url = reverse("certificates:pdf", args=[certificate.number])
    first = client.get(url)
    second = client.get(url)
    assert first.status_code == second.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    assert "inline" in first["Content-Disposition"] and certificate.number in first["Content-Disposition"]
    assert first.content == second.content
    assert first.content.startswith(b"%PDF-")
    certificate.refresh_from_db()
    assert certificate.pdf and certificate.pdf_sha256
    assert first["ETag"] == f'"{certificate.pdf_sha256}"'
    # The stored file is what later downloads return, even after a template change.
    assert certificate_pdf(certificate=certificate) == first.content


def test_only_the_owner_can_download(client, certificate):
    url = reverse("certificates:pdf", args=[certificate.number])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    other = LearnerFactory()
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert client.get(reverse("certificates:print_class", args=[certificate.enrollment_id])).status_code == 404
    client.logout()
    hr = UnitHRFactory(unit=certificate.person.unit)
    client.force_login(hr)
    assert client.get(url).status_code == 403  # not a learner page


def test_a_revoked_certificate_cannot_be_downloaded(client, certificate):
    certificate_revoke(certificate=certificate, reason="学时记录有误")
    user = LearnerFactory(person=certificate.person)
    client.force_login(user)
    response = client.get(reverse("certificates:pdf", args=[certificate.number]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("certificates:mine")
    assert "已撤销：学时记录有误" in response.content.decode()


def test_print_from_my_classes_issues_the_certificate_if_the_task_has_not_run(client):
    enrollment = qualified_enrollment()  # on_commit callbacks do not run in this test: no certificate yet
    assert not Certificate.objects.exists()
    user = LearnerFactory(person=enrollment.person)
    client.force_login(user)
    response = client.get(reverse("certificates:print_class", args=[enrollment.pk]))
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert response.status_code == 302 and response["Location"] == reverse(
        "certificates:pdf", args=[certificate.number]
    )
    assert client.get(response["Location"]).content.startswith(b"%PDF-")


def test_the_page_lists_qualified_classes_as_the_manual_shows(client, certificate):
    other_year = qualified_enrollment(certificate.person, year=2022)  # being issued: no certificate yet
    user = LearnerFactory(person=certificate.person)
    client.force_login(user)
    response = client.get(reverse("certificates:mine"))
    html = response.content.decode()
    assert response.status_code == 200 and response.context["center_section"] == "certificates"
    assert "2023年度培训证明" in html and "高级技师" in html and "学时 <b>40</b>" in html
    assert "2022年度培训证明" in html
    assert html.count('<i class="bi bi-printer"></i> 打印培训证明</a>') == 2
    assert reverse("certificates:pdf", args=[certificate.number]) in html
    assert reverse("certificates:print_class", args=[other_year.pk]) in html
    assert certificate.id_number not in html


def test_the_page_is_empty_before_any_class_qualifies(client):
    user = LearnerFactory()
    client.force_login(user)
    html = client.get(reverse("certificates:mine")).content.decode()
    assert "班级合格后，才可以看到班级培训证明" in html and "打印培训证明" not in html


def test_my_classes_and_the_results_tab_link_to_the_certificate(client, certificate):
    user = LearnerFactory(person=certificate.person)
    client.force_login(user)
    link = reverse("certificates:print_class", args=[certificate.enrollment_id])
    assert link in client.get(reverse("training:my_classes")).content.decode()
    home = reverse("training:class_home", args=[certificate.enrollment_id]) + "?tab=results"
    assert link in client.get(home).content.decode()


def test_the_font_command_reports_the_cached_reduced_font():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("certificate_fonts", stdout=out)
    assert "NotoSerifSC-GB2312" in out.getvalue() and "KB" in out.getvalue()


def test_the_reduced_font_covers_gb2312():
    from fontTools.ttLib import TTFont

    from cecloud.certificates.fonts import gb2312_codepoints, reduced_serif_font

    font = TTFont(str(reduced_serif_font()))
    cmap = font.getBestCmap()
    assert {ord(c) for c in "培训证明黄诗雨连云港市第一人民医院★"} <= set(cmap)
    assert len(gb2312_codepoints()) > 7000 and ord("玥") not in cmap  # rare characters use the fallback
    assert font["maxp"].numGlyphs < 9000
