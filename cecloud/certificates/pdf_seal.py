"""The certificate's marks of authenticity: the red round seal and the QR code.

The seal is vector art (two rings, the issuer's name set along the upper arc in the embedded font,
a five-pointed star and the caption); the QR code (segno) becomes a 1-bit image.
"""

from __future__ import annotations

import math

import segno

from .pdf_canvas import MM, SEAL_RED, Canvas, mm_x, mm_y

ISSUER = "江苏工勤人员继续教育云平台"
SEAL_CAPTION = "培训证明专用章"
QR_MASK = 2


def draw_seal(canvas: Canvas, cx_mm: float, cy_mm: float) -> None:
    """The round seal (40 mm): rings, the issuer along the upper arc, a star, the caption."""
    cx, cy = mm_x(cx_mm), mm_y(cy_mm)
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


def qr_image(data: str) -> tuple[int, bytes]:
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
