"""Drawing on the certificate page: its units, palette and a PDF content-stream canvas.

Coordinates are PDF points from the bottom left corner; ``mm_x``/``mm_y`` convert the millimetres
(from the top left corner) in which the page is designed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .fonts import CertificateFont

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


def num(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def rgb(color: str) -> str:
    r, g, b = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return f"{num(r)} {num(g)} {num(b)}"


def mm_x(mm: float) -> float:
    return mm * MM


def mm_y(mm_from_top: float) -> float:
    return PAGE_H - mm_from_top * MM


@dataclass
class Token:
    text: str
    width: float
    underline: bool = False
    pad: float = 0.0  # points before and after an underlined field


@dataclass
class Canvas:
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
            f"BT /F1 {num(size)} Tf {num(spacing)} Tc {rgb(color)} rg {num(x)} {num(y)} Td {self._hex(text)} Tj ET"
        )

    def text_rotated(self, x, y, text, size, degrees, color):
        """Text at (x, y) rotated clockwise by ``degrees`` around its origin."""
        t = math.radians(-degrees)
        c, s = math.cos(t), math.sin(t)
        self.ops.append(
            f"BT /F1 {num(size)} Tf 0 Tc {rgb(color)} rg {num(c)} {num(s)} {num(-s)} {num(c)} "
            f"{num(x)} {num(y)} Tm {self._hex(text)} Tj ET"
        )

    def tokens_line(self, x, y, tokens: list[Token], gap: float, size: float, color=INK):
        """Tokens placed one after another from (x, y) with ``gap`` points between them."""
        parts, cursor, previous, underlines = [], x, None, []
        for token in tokens:
            start = cursor + token.pad
            move = f"{num(start)} {num(y)}" if previous is None else f"{num(start - previous)} 0"
            parts.append(f"{move} Td {self._hex(token.text)} Tj")
            previous = start
            if token.underline:
                underlines.append((cursor, cursor + token.width))
            cursor += token.width + gap
        self.ops.append(f"BT /F1 {num(size)} Tf 0 Tc {rgb(color)} rg {' '.join(parts)} ET")
        for left, right in underlines:
            self.line(left, y - 0.16 * size, right, y - 0.16 * size, 0.3 * MM, UNDERLINE)

    # -- shapes -----------------------------------------------------------------------------------

    def rect(self, x, y, w, h, *, fill=None, stroke=None, width=0.0):
        if fill:
            self.ops.append(f"{rgb(fill)} rg {num(x)} {num(y)} {num(w)} {num(h)} re f")
        if stroke:
            self.ops.append(f"{rgb(stroke)} RG {num(width)} w {num(x)} {num(y)} {num(w)} {num(h)} re S")

    def line(self, x1, y1, x2, y2, width, color):
        self.ops.append(f"{rgb(color)} RG {num(width)} w {num(x1)} {num(y1)} m {num(x2)} {num(y2)} l S")

    def circle(self, cx, cy, r, width, color):
        k = 0.5523 * r
        self.ops.append(
            f"{rgb(color)} RG {num(width)} w {num(cx + r)} {num(cy)} m "
            f"{num(cx + r)} {num(cy + k)} {num(cx + k)} {num(cy + r)} {num(cx)} {num(cy + r)} c "
            f"{num(cx - k)} {num(cy + r)} {num(cx - r)} {num(cy + k)} {num(cx - r)} {num(cy)} c "
            f"{num(cx - r)} {num(cy - k)} {num(cx - k)} {num(cy - r)} {num(cx)} {num(cy - r)} c "
            f"{num(cx + k)} {num(cy - r)} {num(cx + r)} {num(cy - k)} {num(cx + r)} {num(cy)} c S"
        )

    def polygon(self, points, color):
        first, *rest = points
        path = f"{num(first[0])} {num(first[1])} m " + " ".join(f"{num(x)} {num(y)} l" for x, y in rest)
        self.ops.append(f"{rgb(color)} rg {path} h f")
