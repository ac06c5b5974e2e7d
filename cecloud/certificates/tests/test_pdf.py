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


def test_rare_name_characters_are_embedded_and_extractable():
    person = PersonFactory(name="王玥堃")  # 玥 and 堃 are outside GB 2312
    certificate = certificate_issue(enrollment_id=qualified_enrollment(person).pk)[0]
    data = render_certificate_pdf(certificate)
    assert "王玥堃" in _text(data)
    assert len(_fonts(data)) == 1  # one subset of the complete font holds every character


def test_only_the_glyphs_used_are_embedded(certificate):
    from fontTools.ttLib import TTFont

    font_file = next(iter(_fonts(render_certificate_pdf(certificate)).values()))["/FontFile3"].get_object()
    assert font_file["/Subtype"] == "/CIDFontType0C"
    cff = font_file.get_data()
    assert len(cff) < 80_000  # a subset, not the 11 MB font
    # Every character of the page has its glyph; a character that is not used does not.
    otf = TTFont()
    from fontTools.cffLib import CFFFontSet

    fontset = CFFFontSet()
    fontset.decompile(io.BytesIO(cff), otf)
    names = set(fontset[fontset.fontNames[0]].charset)
    from cecloud.certificates.fonts import certificate_font

    font = certificate_font()
    for char in "培训证明黄诗雨连云港市第一人民医院40":
        assert f"cid{font.glyph(char).cid:05d}" in names, char
    assert f"cid{font.glyph('鑫').cid:05d}" not in names


def test_long_unit_names_wrap_and_keep_the_page_readable():
    unit = UnitFactory(
        name="江苏省连云港市海州区城市管理综合行政执法局第三中队后勤保障服务中心机关事务管理办公室综合科" * 2
    )
    person = PersonFactory(name="欧阳·娜仁其其格", unit=unit)
    certificate = certificate_issue(enrollment_id=qualified_enrollment(person).pk)[0]
    data = render_certificate_pdf(certificate)
    compact = "".join(_text(data).split())
    assert "欧阳·娜仁其其格" in compact and unit.name in compact and "特此证明" in compact
    assert len(PdfReader(io.BytesIO(data)).pages) == 1


@pytest.mark.parametrize("repeat", [0, 1, 3])
def test_the_statement_steps_down_in_size_rather_than_run_into_the_qr_code(repeat):
    from cecloud.certificates.fonts import certificate_font
    from cecloud.certificates.pdf_canvas import Canvas
    from cecloud.certificates.pdf_typeset import set_paragraph

    unit = "江苏省连云港市海州区城市管理综合行政执法局第三中队后勤保障服务中心机关事务管理办公室综合科" * repeat
    parts = [
        ("兹证明", False),
        ("黄诗雨", True),
        (f"（身份证号：320***********0014），工作单位：{unit}，" + "参加" * 30, False),
    ]
    bottom, size = set_paragraph(Canvas(certificate_font()), 60.0, parts)
    if repeat == 0:
        assert size == 15.0  # an ordinary statement keeps the full size
    if repeat == 3:
        assert size < 15.0  # ~270 characters of unit name cannot fit five lines at 15 pt
    closing_and_table = size * 1.45 / (72 / 25.4) + 4 + 18  # mm
    qr_top = 210 - 13.65 - 7.5 - 29 - 1.5
    assert bottom + closing_and_table < qr_top


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
    # The image is exactly the QR code of that URL (dark modules black), module for module.
    import segno

    from cecloud.certificates.pdf_seal import QR_MASK

    matrix = segno.make(url, error="m", micro=False, mask=QR_MASK, boost_error=False).matrix
    image = images[0].image.convert("L")
    assert image.size == (len(matrix), len(matrix))
    assert all(
        (image.getpixel((x, y)) < 128) == bool(module) for y, row in enumerate(matrix) for x, module in enumerate(row)
    )


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
    assert link in client.get(reverse("classroom:my_classes")).content.decode()
    home = reverse("classroom:class_home", args=[certificate.enrollment_id]) + "?tab=results"
    assert link in client.get(home).content.decode()


def test_line_breaking_follows_the_chinese_rules():
    from cecloud.certificates.fonts import certificate_font
    from cecloud.certificates.pdf_typeset import break_lines, split_tokens

    font = certificate_font()
    size = 10.0
    # Width for exactly 10 CJK characters: the 11th character (a comma) must not start a line.
    tokens = split_tokens(font, [("一二三四五六七八九十，十一", False)], size)
    lines = break_lines(tokens, 10 * size, 0)
    assert "".join(t.text for t in lines[0]).endswith("十，")
    # An opening bracket never ends a line; Latin words and underlined names are never split.
    tokens = split_tokens(font, [("一二三四五六七八九（十）", False)], size)
    lines = break_lines(tokens, 10 * size, 0)
    assert "".join(t.text for t in lines[1]).startswith("（")
    tokens = split_tokens(font, [("一二三四五六七八", False), ("黄诗雨", True), ("JSGQ2023000001", False)], size)
    texts = [[t.text for t in line] for line in break_lines(tokens, 10 * size, 0)]
    assert ["黄诗雨"] in [[t for t in line if t == "黄诗雨"] for line in texts]
    assert any("JSGQ2023000001" in line for line in texts)
