"""PDF rendering with WeasyPrint and one complete embedded Chinese font.

The font is Noto Sans SC from the pinned PyPI package ``pylopdf-fonts-zh-cn`` (a single OTF file);
WeasyPrint embeds the subset of glyphs used. Split web fonts render wrong glyphs and are not used.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from functools import cache
from importlib import resources

from django.template.loader import render_to_string

FONT_FAMILY = "Noto Sans SC"
# WeasyPrint logs every rendering step at INFO: noise in the JSON logs.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


@cache
def font_path() -> str:
    path = resources.files("pylopdf_fonts_zh_cn") / "NotoSansSC-Regular.otf"
    return str(path)


def font_face_css() -> str:
    from pathlib import Path

    uri = Path(font_path()).as_uri()
    return f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{uri}") format("opentype"); }}'


def render_pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, {**context, "font_face_css": font_face_css(), "font_family": FONT_FAMILY})
    return HTML(string=html, base_url=str(resources.files("pylopdf_fonts_zh_cn"))).write_pdf()


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ["", "拾", "佰", "仟"]
_BIG_UNITS = ["", "万", "亿", "兆"]


def _four_digits(group: int) -> str:
    """A 0–9999 group in capital numerals, with inner zeros collapsed to one 零."""
    text = ""
    zero = False
    for position in range(3, -1, -1):
        digit = group // 10**position % 10
        if digit == 0:
            zero = bool(text)
        else:
            if zero:
                text += "零"
                zero = False
            text += _DIGITS[digit] + _SMALL_UNITS[position]
    return text


def amount_in_words(amount: Decimal) -> str:
    """价税合计（大写）: 120.00 -> 壹佰贰拾元整, 0.01 -> 壹分, 1005.50 -> 壹仟零伍元伍角."""
    amount = Decimal(amount).quantize(Decimal("0.01"))
    negative = amount < 0
    cents = int(abs(amount) * 100)
    yuan, fraction = divmod(cents, 100)
    jiao, fen = divmod(fraction, 10)
    parts = []
    if yuan:
        groups = []
        while yuan:
            groups.append(yuan % 10000)
            yuan //= 10000
        text = ""
        need_zero = False
        for index in range(len(groups) - 1, -1, -1):
            group = groups[index]
            if group == 0:
                need_zero = bool(text)
                continue
            if text and (need_zero or group < 1000):
                text += "零"
            text += _four_digits(group) + _BIG_UNITS[index]
            need_zero = False
        parts.append(text + "元")
    if jiao:
        parts.append(_DIGITS[jiao] + "角")
    elif fen and parts:
        parts.append("零")
    if fen:
        parts.append(_DIGITS[fen] + "分")
    if not jiao and not fen:
        parts.append("整" if parts else "零元整")
    words = "".join(parts)
    return ("负" if negative else "") + words
