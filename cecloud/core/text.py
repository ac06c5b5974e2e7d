"""Text normalisation for user and spreadsheet input (full-width characters, stray spaces)."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def to_halfwidth(value: str) -> str:
    """Full-width ASCII variants (０-９, Ａ-Ｚ, ｘ, ideographic space) to their half-width forms."""
    return unicodedata.normalize("NFKC", value)


def normalize_text(value: object) -> str:
    """Strip and collapse whitespace, convert full-width forms; ``None`` becomes ''."""
    if value is None:
        return ""
    text = to_halfwidth(str(value))
    return _SPACES.sub(" ", text).strip()


def normalize_code(value: object) -> str:
    """An identifier: half-width, no whitespace at all, upper-case."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _SPACES.sub("", to_halfwidth(str(value))).upper()


def normalize_phone(value: object) -> str:
    code = normalize_code(value).replace("-", "")
    if code.startswith("+86"):
        code = code[3:]
    return code


PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def is_valid_phone(value: str) -> bool:
    return bool(PHONE_RE.match(value))


def format_decimal(value: object) -> str:
    """A number without trailing zeros, never in exponent form: 4.0 -> "4", 0.50 -> "0.5"; None -> ""."""
    if value is None:
        return ""
    text = f"{value:f}" if hasattr(value, "as_tuple") or isinstance(value, float) else str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text
