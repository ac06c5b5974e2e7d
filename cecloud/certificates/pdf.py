"""The certificate as an A4 PDF, designed as a real certificate and drawn directly.

A certificate is a form with fixed places, not a document that flows: it is drawn here with PDF
operators (through ``pydyf``, the PDF writer WeasyPrint uses) rather than laid out by an HTML
engine. Only the statement paragraph is set as running text (CJK line breaking with the usual
rules: no closing punctuation at a line start, no opening one at a line end, Latin words and the
learner's name kept whole, lines justified). That keeps a render near the cost of WeasyPrint's
one-line page (``make bench BENCH_ARGS=certificate_pdf``) while the page keeps the look of a
certificate:

- a gold triple frame, the title 培训证明, the statement with the learner's name and the hours
  underlined, the hours per category in a table, the issuer and the issue date;
- a red round seal drawn as vector art: two rings, the issuer's name set along the upper arc
  (real text in the embedded font), a five-pointed star and the caption;
- a QR code (segno) with the verification URL, the verification code and the signed payload,
  embedded as a 1-bit image without interpolation (sharp in print);
- Noto Serif SC embedded as a subset (``fonts.py``) with a ToUnicode map, so the text can be
  searched, copied and extracted.

This module lays out the page and writes the file; ``pdf_canvas`` holds the units, the palette and
the drawing operators, ``pdf_typeset`` the statement paragraph, ``pdf_seal`` the seal and the QR code.

Deterministic: the only date is the issue date, the file identifier is the certificate number,
and only frozen certificate data is printed — rendering twice gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import zlib

import pydyf
from django.conf import settings
from django.urls import reverse

from cecloud.core.masking import mask_id_number
from cecloud.core.text import format_decimal

from .fonts import certificate_font
from .models import Certificate
from .pdf_canvas import (
    BODY_LEFT,
    GOLD,
    GOLD_LIGHT,
    HEAD_FILL,
    HEAD_INK,
    INK,
    LEFT,
    MM,
    MUTED,
    PAGE_H,
    PAGE_W,
    PAPER,
    RIGHT,
    RULE,
    SUBTITLE_INK,
    TITLE_RED,
    TOP,
    Canvas,
    mm_x,
    mm_y,
    num,
)
from .pdf_seal import ISSUER, draw_seal, qr_image
from .pdf_typeset import line_baseline, set_paragraph

SUBTITLE = "机关事业单位工勤技能岗位人员继续教育"


def verification_url(certificate: Certificate, *, with_payload: bool = True) -> str:
    """The public verification page for this certificate (what the QR code opens)."""
    base = settings.CECLOUD_PUBLIC_BASE_URL.rstrip("/")
    url = base + reverse("certificates:verify_code", args=[certificate.verify_code])
    if with_payload:
        url += "?p=" + certificate.signed_payload
    return url


# -- the page --------------------------------------------------------------------------------------


def _frame(canvas: Canvas) -> None:
    canvas.rect(0, 0, PAGE_W, PAGE_H, fill=PAPER)
    for inset, width, color in ((8.3, 2.6, GOLD), (12.025, 0.45, GOLD), (13.55, 0.2, GOLD_LIGHT)):
        canvas.rect(
            mm_x(inset), mm_x(inset), mm_x(297 - 2 * inset), mm_x(210 - 2 * inset), stroke=color, width=width * MM
        )


def _hours_table(canvas: Canvas, top_mm: float, certificate: Certificate) -> float:
    width_mm, row_mm = 150.0, 9.0
    left = (297 - width_mm) / 2
    cell = width_mm / 5
    head_top = mm_y(top_mm)
    canvas.rect(mm_x(left), head_top - row_mm * MM, width_mm * MM, row_mm * MM, fill=HEAD_FILL)
    rule = 0.3 * MM
    canvas.rect(mm_x(left), mm_y(top_mm + 2 * row_mm), width_mm * MM, 2 * row_mm * MM, stroke=RULE, width=rule)
    canvas.line(mm_x(left), mm_y(top_mm + row_mm), mm_x(left + width_mm), mm_y(top_mm + row_mm), rule, RULE)
    for i in range(1, 5):
        canvas.line(mm_x(left + i * cell), mm_y(top_mm), mm_x(left + i * cell), mm_y(top_mm + 2 * row_mm), rule, RULE)
    heads = ["学习年度", "思政", "通识", "岗位提升", "合计"]
    values = [
        str(certificate.year),
        f"{format_decimal(certificate.ideology_hours)} 学时",
        f"{format_decimal(certificate.general_hours)} 学时",
        f"{format_decimal(certificate.skill_hours)} 学时",
        f"{format_decimal(certificate.total_hours)} 学时",
    ]
    for i, (head, value) in enumerate(zip(heads, values, strict=True)):
        centre = mm_x(left + (i + 0.5) * cell)
        canvas.text(
            centre, line_baseline(top_mm * MM, row_mm * MM, 11, canvas.font), head, 11, HEAD_INK, align="center"
        )
        color = TITLE_RED if i == 4 else INK
        row_top = (top_mm + row_mm) * MM
        canvas.text(centre, line_baseline(row_top, row_mm * MM, 13, canvas.font), value, 13, color, align="center")
    return top_mm + 2 * row_mm


def _page(canvas: Canvas, certificate: Certificate) -> None:
    """Draw the certificate (the QR code is the image resource /Im1)."""
    font = canvas.font
    _frame(canvas)
    canvas.text(
        mm_x(RIGHT),
        line_baseline(TOP * MM, 6 * MM, 9.5, font),
        f"证书编号：{certificate.number}",
        9.5,
        MUTED,
        align="right",
    )
    title_top = TOP + 6 + 7
    spacing = 6 * MM
    canvas.text(
        mm_x(148.5), line_baseline(title_top * MM, 48, 40, font), "培训证明", 40, TITLE_RED, spacing, align="center"
    )
    subtitle_top = title_top + 48 / MM + 1
    canvas.text(
        mm_x(148.5),
        line_baseline(subtitle_top * MM, 14.4, 10, font),
        SUBTITLE,
        10,
        SUBTITLE_INK,
        0.8 * MM,
        align="center",
    )

    parts = [
        ("兹证明", False),
        (certificate.name, True),
        (
            f"（身份证号：{mask_id_number(certificate.id_number)}），工作单位：{certificate.unit_name}，"
            f"技术等级：{certificate.get_grade_display()}，参加{certificate.year}年度工勤技能岗位人员继续教育培训，"
            "完成规定课程学习并经考核合格，共获得",
            False,
        ),
        (format_decimal(certificate.total_hours), True),
        ("学时。", False),
    ]
    bottom, size = set_paragraph(canvas, subtitle_top + 14.4 / MM + 8, parts)
    closing_height = size * 1.45
    canvas.text(mm_x(BODY_LEFT) + 2 * size, line_baseline(bottom * MM, closing_height, size, font), "特此证明。", size)
    _hours_table(canvas, bottom + closing_height / MM + 4, certificate)

    # Bottom left: the QR code and how to verify; bottom right: the issuer, the date and the seal.
    qr_size = 29.0
    qr_left, qr_bottom = LEFT, 210 - 13.65 - 7.5
    canvas.rect(mm_x(qr_left - 1.5), mm_y(qr_bottom + 1.5), (qr_size + 3) * MM, (qr_size + 3) * MM, fill="#ffffff")
    canvas.ops.append(
        f"q {num(qr_size * MM)} 0 0 {num(qr_size * MM)} {num(mm_x(qr_left))} {num(mm_y(qr_bottom))} cm /Im1 Do Q"
    )
    line = 8.5 * 1.7
    text_left = mm_x(qr_left + qr_size + 6)
    first_top = qr_bottom * MM - 3 * line
    baseline = line_baseline(first_top, line, 8.5, font)
    label = "扫码查验 · 查验码 "
    canvas.text(text_left, baseline, label, 8.5, MUTED)
    canvas.text(text_left + font.width(label, 8.5), baseline, certificate.verify_code_display, 10, INK, 0.3 * MM)
    verify_page = settings.CECLOUD_PUBLIC_BASE_URL.rstrip("/") + reverse("certificates:verify")
    canvas.text(text_left, line_baseline(first_top + line, line, 8.5, font), f"查验网址：{verify_page}", 8.5, MUTED)
    canvas.text(
        text_left,
        line_baseline(first_top + 2 * line, line, 8.5, font),
        f"所属地区：{certificate.region_name}",
        8.5,
        MUTED,
    )

    sign_centre, sign_line = 297 - 13.65 - 22 - 40, 28.0
    sign_top = (210 - 13.65 - 14) * MM - 2 * sign_line
    issued = certificate.issued_on
    canvas.text(mm_x(sign_centre), line_baseline(sign_top, sign_line, 14, font), ISSUER, 14, align="center")
    date_text = f"{issued.year}年{issued.month}月{issued.day}日"
    canvas.text(
        mm_x(sign_centre), line_baseline(sign_top + sign_line, sign_line, 14, font), date_text, 14, align="center"
    )
    draw_seal(canvas, sign_centre, 210 - 13.65 - 4 - 20)


# -- the PDF file ----------------------------------------------------------------------------------


def _deflate(data: bytes) -> bytes:
    return zlib.compress(data, 6)


def _font_objects(document: pydyf.PDF, canvas: Canvas) -> pydyf.Dictionary:
    font = canvas.font
    used = sorted(canvas.glyphs.items())
    digest = hashlib.sha256(",".join(str(cid) for cid, _ in used).encode()).digest()
    tag = "".join(chr(65 + b % 26) for b in digest[:6])
    base_name = f"/{tag}+{font.postscript_name}"

    cff = font.subset_cff({gid for _, (gid, _, _) in used})
    font_file = pydyf.Stream([_deflate(cff)], {"Subtype": "/CIDFontType0C", "Filter": "/FlateDecode"})
    document.add_object(font_file)
    descriptor = pydyf.Dictionary(
        {
            "Type": "/FontDescriptor",
            "FontName": base_name,
            "Flags": 6,  # serif, symbolic
            "FontBBox": pydyf.Array(font.bbox),
            "ItalicAngle": 0,
            "Ascent": font.ascent,
            "Descent": font.descent,
            "CapHeight": font.cap_height,
            "StemV": 80,
            "FontFile3": font_file.reference,
        }
    )
    document.add_object(descriptor)
    widths = pydyf.Array()
    for cid, (_, advance, _) in used:
        if advance != 1000:
            widths.extend([cid, pydyf.Array([advance])])
    cid_font = pydyf.Dictionary(
        {
            "Type": "/Font",
            "Subtype": "/CIDFontType0",
            "BaseFont": base_name,
            "CIDSystemInfo": pydyf.Dictionary(
                {"Registry": pydyf.String("Adobe"), "Ordering": pydyf.String("Identity"), "Supplement": 0}
            ),
            "FontDescriptor": descriptor.reference,
            "DW": 1000,
            "W": widths,
        }
    )
    document.add_object(cid_font)
    mapped = [(cid, text) for cid, (_, _, text) in used if text]
    cmap = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
    ]
    for start in range(0, len(mapped), 100):
        batch = mapped[start : start + 100]
        cmap.append(f"{len(batch)} beginbfchar")
        cmap.extend(f"<{cid:04x}> <{text.encode('utf-16-be').hex()}>" for cid, text in batch)
        cmap.append("endbfchar")
    cmap += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    to_unicode = pydyf.Stream([_deflate("\n".join(cmap).encode("ascii"))], {"Filter": "/FlateDecode"})
    document.add_object(to_unicode)
    type0 = pydyf.Dictionary(
        {
            "Type": "/Font",
            "Subtype": "/Type0",
            "BaseFont": base_name,
            "Encoding": "/Identity-H",
            "DescendantFonts": pydyf.Array([cid_font.reference]),
            "ToUnicode": to_unicode.reference,
        }
    )
    document.add_object(type0)
    return type0


def render_certificate_pdf(certificate: Certificate) -> bytes:
    canvas = Canvas(certificate_font())
    _page(canvas, certificate)
    qr_modules, qr_bits = qr_image(verification_url(certificate))

    document = pydyf.PDF()
    issued = certificate.issued_on.strftime("D:%Y%m%d000000+08'00'")
    document.info.update(
        {
            "Title": pydyf.String(f"培训证明 {certificate.number}"),
            "Author": pydyf.String(ISSUER),
            "Subject": pydyf.String(f"{certificate.year}年度培训证明"),
            "Creator": pydyf.String("cecloud"),
            "Producer": pydyf.String(f"cecloud (pydyf {pydyf.__version__})"),
            "CreationDate": pydyf.String(issued),
            "ModDate": pydyf.String(issued),
        }
    )
    font = _font_objects(document, canvas)
    image = pydyf.Stream(
        [_deflate(qr_bits)],
        {
            "Type": "/XObject",
            "Subtype": "/Image",
            "Width": qr_modules,
            "Height": qr_modules,
            "ColorSpace": "/DeviceGray",
            "BitsPerComponent": 1,
            "Interpolate": "false",
            "Filter": "/FlateDecode",
        },
    )
    document.add_object(image)
    seal_state = pydyf.Dictionary({"Type": "/ExtGState", "ca": 0.9, "CA": 0.9})
    document.add_object(seal_state)
    content = pydyf.Stream([_deflate("\n".join(canvas.ops).encode("ascii"))], {"Filter": "/FlateDecode"})
    document.add_object(content)
    page = pydyf.Dictionary(
        {
            "Type": "/Page",
            "Parent": document.pages.reference,
            "MediaBox": pydyf.Array([0, 0, num(PAGE_W), num(PAGE_H)]),
            "Contents": content.reference,
            "Resources": pydyf.Dictionary(
                {
                    "Font": pydyf.Dictionary({"F1": font.reference}),
                    "XObject": pydyf.Dictionary({"Im1": image.reference}),
                    "ExtGState": pydyf.Dictionary({"GS1": seal_state.reference}),
                }
            ),
        }
    )
    document.add_page(page)
    output = io.BytesIO()
    document.write(output, version=b"1.7", identifier=certificate.number.encode("ascii"), compress=True)
    return output.getvalue()
