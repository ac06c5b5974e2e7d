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

Deterministic: the only date is the issue date, the file identifier is the certificate number,
and only frozen certificate data is printed — rendering twice gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import zlib
from dataclasses import dataclass, field

import pydyf
import segno
from django.conf import settings
from django.urls import reverse

from cecloud.core.masking import mask_id_number
from cecloud.core.text import format_decimal

from .fonts import CertificateFont, certificate_font
from .models import Certificate

ISSUER = "江苏工勤人员继续教育云平台"
SEAL_CAPTION = "培训证明专用章"
SUBTITLE = "机关事业单位工勤技能岗位人员继续教育"
QR_MASK = 2

MM = 72 / 25.4  # points per millimetre
PAGE_W, PAGE_H = 297 * MM, 210 * MM  # A4 landscape

PAPER = "#fffdf6"
INK = "#2a2118"
MUTED = "#5b4a33"
GOLD = "#b3852d"
GOLD_LIGHT = "#dcc38c"
TITLE_RED = "#9c1f1f"
SEAL_RED = "#d0222b"
RULE = "#c9ad76"
HEAD_FILL = "#f4ead3"
HEAD_INK = "#5b4426"
SUBTITLE_INK = "#8a7452"
UNDERLINE = "#7a6448"

# The content box inside the frame (millimetres from the top left corner of the page).
LEFT, RIGHT, TOP = 33.65, 297 - 33.65, 20.65
BODY_LEFT, BODY_RIGHT = LEFT + 4, RIGHT - 4

NO_LINE_START = set("，。、；：！？）」』】》〉”’…·%,.;:!?)]}")
NO_LINE_END = set("（「『【《〈“‘([{")
WORD = re.compile(r"[A-Za-z0-9*#\-_.:/]+|.", re.S)


def verification_url(certificate: Certificate, *, with_payload: bool = True) -> str:
    """The public verification page for this certificate (what the QR code opens)."""
    base = settings.CECLOUD_PUBLIC_BASE_URL.rstrip("/")
    url = base + reverse("certificates:verify_code", args=[certificate.verify_code])
    if with_payload:
        url += "?p=" + certificate.signed_payload
    return url


def _num(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _rgb(color: str) -> str:
    r, g, b = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return f"{_num(r)} {_num(g)} {_num(b)}"


def _x(mm: float) -> float:
    return mm * MM


def _y(mm_from_top: float) -> float:
    return PAGE_H - mm_from_top * MM


@dataclass
class _Token:
    text: str
    width: float
    underline: bool = False
    pad: float = 0.0  # points before and after an underlined field


@dataclass
class _Canvas:
    """A page's content stream and the characters it uses."""

    font: CertificateFont
    ops: list[str] = field(default_factory=list)
    glyphs: dict[int, tuple[int, int, str]] = field(default_factory=dict)  # cid -> (gid, advance, text)

    def _hex(self, text: str) -> str:
        codes = []
        for char in text:
            glyph = self.font.glyph(char)
            if glyph.cid not in self.glyphs:
                self.glyphs[glyph.cid] = (glyph.gid, glyph.advance, char if glyph.gid else "")
            codes.append(f"{glyph.cid:04x}")
        return "<" + "".join(codes) + ">"

    # -- text ----------------------------------------------------------------------------------

    def text(self, x, y, text, size, color=INK, spacing=0.0, align="left"):
        """One line of text with its baseline at (x, y) points; ``align`` moves x to the text's
        start (``center``/``right`` ignore the spacing after the last character)."""
        if not text:
            return
        if align != "left":
            width = self.font.width(text, size, spacing) - spacing
            x -= width / 2 if align == "center" else width
        self.ops.append(
            f"BT /F1 {_num(size)} Tf {_num(spacing)} Tc {_rgb(color)} rg {_num(x)} {_num(y)} Td {self._hex(text)} Tj ET"
        )

    def text_rotated(self, x, y, text, size, degrees, color):
        """Text at (x, y) rotated clockwise by ``degrees`` around its origin."""
        t = math.radians(-degrees)
        c, s = math.cos(t), math.sin(t)
        self.ops.append(
            f"BT /F1 {_num(size)} Tf 0 Tc {_rgb(color)} rg {_num(c)} {_num(s)} {_num(-s)} {_num(c)} "
            f"{_num(x)} {_num(y)} Tm {self._hex(text)} Tj ET"
        )

    def tokens_line(self, x, y, tokens: list[_Token], gap: float, size: float, color=INK):
        """Tokens placed one after another from (x, y) with ``gap`` points between them."""
        parts, cursor, previous, underlines = [], x, None, []
        for token in tokens:
            start = cursor + token.pad
            move = f"{_num(start)} {_num(y)}" if previous is None else f"{_num(start - previous)} 0"
            parts.append(f"{move} Td {self._hex(token.text)} Tj")
            previous = start
            if token.underline:
                underlines.append((cursor, cursor + token.width))
            cursor += token.width + gap
        self.ops.append(f"BT /F1 {_num(size)} Tf 0 Tc {_rgb(color)} rg {' '.join(parts)} ET")
        for left, right in underlines:
            self.line(left, y - 0.16 * size, right, y - 0.16 * size, 0.3 * MM, UNDERLINE)

    # -- shapes -----------------------------------------------------------------------------------

    def rect(self, x, y, w, h, *, fill=None, stroke=None, width=0.0):
        if fill:
            self.ops.append(f"{_rgb(fill)} rg {_num(x)} {_num(y)} {_num(w)} {_num(h)} re f")
        if stroke:
            self.ops.append(f"{_rgb(stroke)} RG {_num(width)} w {_num(x)} {_num(y)} {_num(w)} {_num(h)} re S")

    def line(self, x1, y1, x2, y2, width, color):
        self.ops.append(f"{_rgb(color)} RG {_num(width)} w {_num(x1)} {_num(y1)} m {_num(x2)} {_num(y2)} l S")

    def circle(self, cx, cy, r, width, color):
        k = 0.5523 * r
        self.ops.append(
            f"{_rgb(color)} RG {_num(width)} w {_num(cx + r)} {_num(cy)} m "
            f"{_num(cx + r)} {_num(cy + k)} {_num(cx + k)} {_num(cy + r)} {_num(cx)} {_num(cy + r)} c "
            f"{_num(cx - k)} {_num(cy + r)} {_num(cx - r)} {_num(cy + k)} {_num(cx - r)} {_num(cy)} c "
            f"{_num(cx - r)} {_num(cy - k)} {_num(cx - k)} {_num(cy - r)} {_num(cx)} {_num(cy - r)} c "
            f"{_num(cx + k)} {_num(cy - r)} {_num(cx + r)} {_num(cy - k)} {_num(cx + r)} {_num(cy)} c S"
        )

    def polygon(self, points, color):
        first, *rest = points
        path = f"{_num(first[0])} {_num(first[1])} m " + " ".join(f"{_num(x)} {_num(y)} l" for x, y in rest)
        self.ops.append(f"{_rgb(color)} rg {path} h f")


# -- the statement paragraph ------------------------------------------------------------------------


def _tokens(font: CertificateFont, parts: list[tuple[str, bool]], size: float) -> list[_Token]:
    """Break points: between CJK characters, around Latin words; underlined fields stay whole."""
    tokens = []
    for text, underline in parts:
        if underline:
            pad = 2 * MM
            tokens.append(_Token(text, font.width(text, size) + 2 * pad, underline=True, pad=pad))
            continue
        for match in WORD.finditer(text):
            word = match.group()
            tokens.append(_Token(word, font.width(word, size)))
    return tokens


def _break_lines(tokens: list[_Token], width: float, indent: float) -> list[list[_Token]]:
    lines: list[list[_Token]] = [[]]
    used = indent
    for token in tokens:
        line = lines[-1]
        fits = used + token.width <= width + 0.01
        hanging = token.text[0] in NO_LINE_START and line  # hangs into the margin rather than wrap
        if fits or hanging or not line:
            line.append(token)
            used += token.width
            continue
        carried = []
        while len(line) > 1 and line[-1].text[-1] in NO_LINE_END:
            carried.insert(0, line.pop())
        lines.append([*carried, token])
        used = sum(t.width for t in lines[-1])
    return lines


def _paragraph(canvas: _Canvas, top_mm: float, parts: list[tuple[str, bool]]) -> tuple[float, float]:
    """Set the statement as a justified paragraph with a two-character first-line indent, at 15 pt,
    or smaller when a very long unit name would need more than five lines (the hours table must stay
    clear of the QR code and the seal). Returns (its bottom in mm, the size used)."""
    font = canvas.font
    width = (BODY_RIGHT - BODY_LEFT) * MM
    size, leading = 15.0, 2.05
    while True:
        indent = 2 * size
        lines = _break_lines(_tokens(font, parts, size), width, indent)
        if len(lines) <= 5 or size <= 11:
            break
        size, leading = size - 1, 1.8
    line_height = size * leading
    for number, line in enumerate(lines):
        start = _x(BODY_LEFT) + (indent if number == 0 else 0)
        natural = sum(t.width for t in line)
        last = number == len(lines) - 1
        gap = 0.0 if last or len(line) < 2 else (width - (start - _x(BODY_LEFT)) - natural) / (len(line) - 1)
        baseline = _baseline(top_mm * MM + number * line_height, line_height, size, font)
        canvas.tokens_line(start, baseline, line, gap, size)
    return top_mm + len(lines) * line_height / MM, size


def _baseline(top_pt: float, line_height: float, size: float, font: CertificateFont) -> float:
    """The baseline (PDF y) of a line box whose top is ``top_pt`` points below the page top,
    with the glyphs' ascent + descent centred in it as CSS does."""
    content = (font.ascent - font.descent) * size / 1000
    return PAGE_H - (top_pt + (line_height - content) / 2 + font.ascent * size / 1000)


# -- the page --------------------------------------------------------------------------------------


def _frame(canvas: _Canvas) -> None:
    canvas.rect(0, 0, PAGE_W, PAGE_H, fill=PAPER)
    for inset, width, color in ((8.3, 2.6, GOLD), (12.025, 0.45, GOLD), (13.55, 0.2, GOLD_LIGHT)):
        canvas.rect(_x(inset), _x(inset), _x(297 - 2 * inset), _x(210 - 2 * inset), stroke=color, width=width * MM)


def _hours_table(canvas: _Canvas, top_mm: float, certificate: Certificate) -> float:
    width_mm, row_mm = 150.0, 9.0
    left = (297 - width_mm) / 2
    cell = width_mm / 5
    head_top = _y(top_mm)
    canvas.rect(_x(left), head_top - row_mm * MM, width_mm * MM, row_mm * MM, fill=HEAD_FILL)
    rule = 0.3 * MM
    canvas.rect(_x(left), _y(top_mm + 2 * row_mm), width_mm * MM, 2 * row_mm * MM, stroke=RULE, width=rule)
    canvas.line(_x(left), _y(top_mm + row_mm), _x(left + width_mm), _y(top_mm + row_mm), rule, RULE)
    for i in range(1, 5):
        canvas.line(_x(left + i * cell), _y(top_mm), _x(left + i * cell), _y(top_mm + 2 * row_mm), rule, RULE)
    heads = ["学习年度", "思政", "通识", "岗位提升", "合计"]
    values = [
        str(certificate.year),
        f"{format_decimal(certificate.ideology_hours)} 学时",
        f"{format_decimal(certificate.general_hours)} 学时",
        f"{format_decimal(certificate.skill_hours)} 学时",
        f"{format_decimal(certificate.total_hours)} 学时",
    ]
    for i, (head, value) in enumerate(zip(heads, values, strict=True)):
        centre = _x(left + (i + 0.5) * cell)
        canvas.text(centre, _baseline(top_mm * MM, row_mm * MM, 11, canvas.font), head, 11, HEAD_INK, align="center")
        color = TITLE_RED if i == 4 else INK
        row_top = (top_mm + row_mm) * MM
        canvas.text(centre, _baseline(row_top, row_mm * MM, 13, canvas.font), value, 13, color, align="center")
    return top_mm + 2 * row_mm


def _seal(canvas: _Canvas, cx_mm: float, cy_mm: float) -> None:
    """The round seal (40 mm): rings, the issuer along the upper arc, a star, the caption."""
    cx, cy = _x(cx_mm), _y(cy_mm)
    canvas.ops.append("q /GS1 gs")
    canvas.circle(cx, cy, 19.4 * MM, 1.15 * MM, SEAL_RED)
    canvas.circle(cx, cy, 18.2 * MM, 0.25 * MM, SEAL_RED)
    size = (4.6 if len(ISSUER) <= 13 else 4.0) * MM
    radius, spread = 14.4 * MM, 250.0
    step = spread / max(1, len(ISSUER) - 1)
    for i, char in enumerate(ISSUER):
        angle = -spread / 2 + i * step  # degrees clockwise from the top
        t = math.radians(angle)
        # The point on the arc, then the glyph origin half an em left and 0.38 em below it.
        px, py = cx + radius * math.sin(t), cy + radius * math.cos(t)
        advance = canvas.font.glyph(char).advance * size / 1000
        ox, oy = -advance / 2, -0.38 * size
        c, s = math.cos(-t), math.sin(-t)
        canvas.text_rotated(px + ox * c - oy * s, py + ox * s + oy * c, char, size, angle, SEAL_RED)
    star = []
    for k in range(10):
        r = (5.2 if k % 2 == 0 else 2.1) * MM
        a = math.radians(90 - k * 36)
        star.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    canvas.polygon(star, SEAL_RED)
    canvas.text(cx, cy - 10.6 * MM, SEAL_CAPTION, 2.7 * MM, SEAL_RED, align="center")
    canvas.ops.append("Q")


def _qr_image(data: str) -> tuple[int, bytes]:
    """A QR code (error correction M) as 1-bit rows, 0 = dark. The mask pattern is fixed: valid
    for every symbol, and it spares segno scoring all eight (its costliest step)."""
    matrix = segno.make(data, error="m", micro=False, mask=QR_MASK, boost_error=False).matrix
    size = len(matrix)
    row_bytes = (size + 7) // 8
    rows = []
    for row in matrix:
        bits = "".join("0" if module else "1" for module in row).ljust(row_bytes * 8, "1")
        rows.append(int(bits, 2).to_bytes(row_bytes, "big"))
    return size, b"".join(rows)


def _page(canvas: _Canvas, certificate: Certificate) -> None:
    """Draw the certificate (the QR code is the image resource /Im1)."""
    font = canvas.font
    _frame(canvas)
    canvas.text(
        _x(RIGHT), _baseline(TOP * MM, 6 * MM, 9.5, font), f"证书编号：{certificate.number}", 9.5, MUTED, align="right"
    )
    title_top = TOP + 6 + 7
    spacing = 6 * MM
    canvas.text(_x(148.5), _baseline(title_top * MM, 48, 40, font), "培训证明", 40, TITLE_RED, spacing, align="center")
    subtitle_top = title_top + 48 / MM + 1
    canvas.text(
        _x(148.5), _baseline(subtitle_top * MM, 14.4, 10, font), SUBTITLE, 10, SUBTITLE_INK, 0.8 * MM, align="center"
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
    bottom, size = _paragraph(canvas, subtitle_top + 14.4 / MM + 8, parts)
    closing_height = size * 1.45
    canvas.text(_x(BODY_LEFT) + 2 * size, _baseline(bottom * MM, closing_height, size, font), "特此证明。", size)
    _hours_table(canvas, bottom + closing_height / MM + 4, certificate)

    # Bottom left: the QR code and how to verify; bottom right: the issuer, the date and the seal.
    qr_size = 29.0
    qr_left, qr_bottom = LEFT, 210 - 13.65 - 7.5
    canvas.rect(_x(qr_left - 1.5), _y(qr_bottom + 1.5), (qr_size + 3) * MM, (qr_size + 3) * MM, fill="#ffffff")
    canvas.ops.append(
        f"q {_num(qr_size * MM)} 0 0 {_num(qr_size * MM)} {_num(_x(qr_left))} {_num(_y(qr_bottom))} cm /Im1 Do Q"
    )
    line = 8.5 * 1.7
    text_left = _x(qr_left + qr_size + 6)
    first_top = qr_bottom * MM - 3 * line
    baseline = _baseline(first_top, line, 8.5, font)
    label = "扫码查验 · 查验码 "
    canvas.text(text_left, baseline, label, 8.5, MUTED)
    canvas.text(text_left + font.width(label, 8.5), baseline, certificate.verify_code_display, 10, INK, 0.3 * MM)
    verify_page = settings.CECLOUD_PUBLIC_BASE_URL.rstrip("/") + reverse("certificates:verify")
    canvas.text(text_left, _baseline(first_top + line, line, 8.5, font), f"查验网址：{verify_page}", 8.5, MUTED)
    canvas.text(
        text_left, _baseline(first_top + 2 * line, line, 8.5, font), f"所属地区：{certificate.region_name}", 8.5, MUTED
    )

    sign_centre, sign_line = 297 - 13.65 - 22 - 40, 28.0
    sign_top = (210 - 13.65 - 14) * MM - 2 * sign_line
    issued = certificate.issued_on
    canvas.text(_x(sign_centre), _baseline(sign_top, sign_line, 14, font), ISSUER, 14, align="center")
    date_text = f"{issued.year}年{issued.month}月{issued.day}日"
    canvas.text(_x(sign_centre), _baseline(sign_top + sign_line, sign_line, 14, font), date_text, 14, align="center")
    _seal(canvas, sign_centre, 210 - 13.65 - 4 - 20)


# -- the PDF file ----------------------------------------------------------------------------------


def _deflate(data: bytes) -> bytes:
    return zlib.compress(data, 6)


def _font_objects(document: pydyf.PDF, canvas: _Canvas) -> pydyf.Dictionary:
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
    canvas = _Canvas(certificate_font())
    _page(canvas, certificate)
    qr_modules, qr_bits = _qr_image(verification_url(certificate))

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
            "MediaBox": pydyf.Array([0, 0, _num(PAGE_W), _num(PAGE_H)]),
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
