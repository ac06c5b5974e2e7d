"""The certificate's statement paragraph, set as running text.

CJK line breaking with the usual rules: no closing punctuation at a line start, no opening one at a
line end, Latin words and the learner's name kept whole, lines justified.
"""

from __future__ import annotations

import re

from .fonts import CertificateFont
from .pdf_canvas import BODY_LEFT, BODY_RIGHT, MM, PAGE_H, Canvas, Token, mm_x

NO_LINE_START = set("，。、；：！？）」』】》〉”’…·%,.;:!?)]}")
NO_LINE_END = set("（「『【《〈“‘([{")
WORD = re.compile(r"[A-Za-z0-9*#\-_.:/]+|.", re.S)


def split_tokens(font: CertificateFont, parts: list[tuple[str, bool]], size: float) -> list[Token]:
    """Break points: between CJK characters, around Latin words; underlined fields stay whole."""
    tokens = []
    for text, underline in parts:
        if underline:
            pad = 2 * MM
            tokens.append(Token(text, font.width(text, size) + 2 * pad, underline=True, pad=pad))
            continue
        for match in WORD.finditer(text):
            word = match.group()
            tokens.append(Token(word, font.width(word, size)))
    return tokens


def break_lines(tokens: list[Token], width: float, indent: float) -> list[list[Token]]:
    lines: list[list[Token]] = [[]]
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


def set_paragraph(canvas: Canvas, top_mm: float, parts: list[tuple[str, bool]]) -> tuple[float, float]:
    """Set the statement as a justified paragraph with a two-character first-line indent, at 15 pt,
    or smaller when a very long unit name would need more than five lines (the hours table must stay
    clear of the QR code and the seal). Returns (its bottom in mm, the size used)."""
    font = canvas.font
    width = (BODY_RIGHT - BODY_LEFT) * MM
    size, leading = 15.0, 2.05
    while True:
        indent = 2 * size
        lines = break_lines(split_tokens(font, parts, size), width, indent)
        if len(lines) <= 5 or size <= 11:
            break
        size, leading = size - 1, 1.8
    line_height = size * leading
    for number, line in enumerate(lines):
        start = mm_x(BODY_LEFT) + (indent if number == 0 else 0)
        natural = sum(t.width for t in line)
        last = number == len(lines) - 1
        gap = 0.0 if last or len(line) < 2 else (width - (start - mm_x(BODY_LEFT)) - natural) / (len(line) - 1)
        baseline = line_baseline(top_mm * MM + number * line_height, line_height, size, font)
        canvas.tokens_line(start, baseline, line, gap, size)
    return top_mm + len(lines) * line_height / MM, size


def line_baseline(top_pt: float, line_height: float, size: float, font: CertificateFont) -> float:
    """The baseline (PDF y) of a line box whose top is ``top_pt`` points below the page top,
    with the glyphs' ascent + descent centred in it as CSS does."""
    content = (font.ascent - font.descent) * size / 1000
    return PAGE_H - (top_pt + (line_height - content) / 2 + font.ascent * size / 1000)
