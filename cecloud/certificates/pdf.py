"""The certificate as an A4 PDF (WeasyPrint), designed as a real certificate.

- Font: Noto Serif SC (complete OTF from the pinned PyPI package ``pylopdf-fonts-zh-cn``, the same
  package as the invoices' Noto Sans SC), reduced to GB 2312 for speed with the complete font as
  fallback (see ``fonts.py``); WeasyPrint embeds the subset of glyphs used.
- Seal: inline SVG — two rings, the issuer's name along the upper arc, a star and the caption,
  vector text in the embedded font; no seal image anywhere.
- QR code: segno, the verification URL with the verification code and the signed payload, as a
  1-bit PNG scaled without interpolation (sharp in print; WeasyPrint parses an inline SVG path of
  a version-12 QR code slower than it lays out the rest of the page).
- Deterministic: the only date is the issue date, the PDF identifier is the certificate number,
  and only frozen certificate data is printed — rendering twice gives the same bytes.

Each thread keeps one WeasyPrint font configuration and the parsed stylesheet, so the fonts are
registered once, not on every render.
"""

from __future__ import annotations

import atexit
import math
import threading
from functools import cache
from html import escape
from pathlib import Path

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from cecloud.core.masking import mask_id_number

from .fonts import reduced_serif_font, source_font
from .models import Certificate

ISSUER = "江苏工勤人员继续教育云平台"
SEAL_CAPTION = "培训证明专用章"
QR_MASK = 2
SEAL_RED = "#d0222b"
FONT_FAMILY = "CertSerif"
FALLBACK_FAMILY = "Noto Serif SC"
CSS_PATH = Path(__file__).resolve().parent / "templates" / "certificates" / "certificate_pdf.css"


def verification_url(certificate: Certificate, *, with_payload: bool = True) -> str:
    """The public verification page for this certificate (what the QR code opens)."""
    base = settings.CECLOUD_PUBLIC_BASE_URL.rstrip("/")
    url = base + reverse("certificates:verify_code", args=[certificate.verify_code])
    if with_payload:
        url += "?p=" + certificate.signed_payload
    return url


def qr_data_uri(data: str) -> str:
    """A QR code (error correction M) as a PNG data URI, one pixel per module.

    The mask pattern is fixed: a valid choice for every symbol, and it spares segno the scoring
    of all eight masks (the costliest step of encoding).
    """
    qr = segno.make(data, error="m", micro=False, mask=QR_MASK, boost_error=False)
    return qr.png_data_uri(scale=1, border=0)


@cache
def seal_svg(issuer: str = ISSUER, caption: str = SEAL_CAPTION) -> str:
    """A red round seal as inline SVG (a 40 × 40 mm viewBox): a heavy and a thin ring, the
    issuer's name along the upper arc (one <text> with a position and a rotation per character),
    a five-pointed star and the caption — vector text in the embedded font, no image."""
    centre, radius, font_size, spread = 20.0, 14.4, 4.6 if len(issuer) <= 13 else 4.0, 250.0
    step = spread / max(1, len(issuer) - 1)
    xs, ys, angles = [], [], []
    for i in range(len(issuer)):
        angle = -spread / 2 + i * step  # degrees clockwise from the top
        t = math.radians(angle)
        # The glyph's origin (left end of its baseline), so that the glyph is centred on the arc.
        ox, oy = -font_size / 2, font_size * 0.36
        xs.append(centre + radius * math.sin(t) + ox * math.cos(t) - oy * math.sin(t))
        ys.append(centre - radius * math.cos(t) + ox * math.sin(t) + oy * math.cos(t))
        angles.append(angle)
    star = []
    for k in range(10):
        r = 5.2 if k % 2 == 0 else 2.1
        a = math.radians(-90 + k * 36)
        star.append(f"{centre + r * math.cos(a):.2f},{centre + r * math.sin(a):.2f}")

    def join(values):
        return " ".join(f"{v:.2f}" for v in values)

    return (
        '<svg class="seal" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40" width="40mm" height="40mm">'
        f'<g fill="none" stroke="{SEAL_RED}"><circle cx="20" cy="20" r="19.4" stroke-width="1.15"/>'
        '<circle cx="20" cy="20" r="18.2" stroke-width=".25"/></g>'
        f'<g fill="{SEAL_RED}" font-family="{FONT_FAMILY}" font-size="{font_size}">'
        f'<text x="{join(xs)}" y="{join(ys)}" rotate="{join(angles)}">{escape(issuer)}</text>'
        f'<polygon points="{" ".join(star)}"/>'
        f'<text x="20" y="30.6" text-anchor="middle" font-size="2.7">{escape(caption)}</text></g></svg>'
    )


def font_face_css() -> str:
    reduced = reduced_serif_font().as_uri()
    complete = source_font().as_uri()
    return (
        f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{reduced}") format("opentype"); }}\n'
        f'@font-face {{ font-family: "{FALLBACK_FAMILY}"; src: url("{complete}") format("opentype"); }}\n'
    )


class _Renderer(threading.local):
    """Per thread: WeasyPrint's font configuration and the parsed stylesheet."""

    def __init__(self):
        self.font_config = None
        self.stylesheet = None

    def prepare(self):
        if self.stylesheet is None:
            from weasyprint import CSS
            from weasyprint.text.fonts import FontConfiguration

            self.font_config = FontConfiguration()
            css = font_face_css() + CSS_PATH.read_text(encoding="utf-8")
            self.stylesheet = CSS(string=css, font_config=self.font_config)
        return self


_renderer = _Renderer()


@atexit.register
def _release_fonts() -> None:
    """Drop this thread's font configuration before interpreter teardown (WeasyPrint cleans up its
    temporary font folder in ``__del__``, which fails once modules are gone)."""
    _renderer.stylesheet = _renderer.font_config = None


def certificate_context(certificate: Certificate) -> dict:
    issued = certificate.issued_on
    return {
        "c": certificate,
        "masked_id": mask_id_number(certificate.id_number),
        "issued_text": f"{issued.year}年{issued.month}月{issued.day}日",
        "issuer": ISSUER,
        "qr_uri": qr_data_uri(verification_url(certificate)),
        "seal_svg": mark_safe(seal_svg()),  # noqa: S308 - generated here, text escaped
        "verify_page": settings.CECLOUD_PUBLIC_BASE_URL.rstrip("/") + reverse("certificates:verify"),
    }


def render_html_pdf(html: str, *, identifier: bytes) -> bytes:
    """Render HTML with the certificate stylesheet and fonts (shared per thread)."""
    from weasyprint import HTML

    renderer = _renderer.prepare()
    return HTML(string=html, base_url=str(CSS_PATH.parent)).write_pdf(
        stylesheets=[renderer.stylesheet],
        font_config=renderer.font_config,
        pdf_identifier=identifier,
    )


def render_certificate_pdf(certificate: Certificate) -> bytes:
    html = render_to_string("certificates/certificate_pdf.html", certificate_context(certificate))
    return render_html_pdf(html, identifier=certificate.number.encode("ascii"))
