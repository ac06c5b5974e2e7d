"""Bounds for numbers that come from a request (issue 11: no input may produce an HTTP 500).

An integer from a request reaches the database as a key or a value: past 2**63 − 1 SQLite raises
``OverflowError`` and PostgreSQL a ``DataError``. Every id and number read from a request is
therefore range-checked where it is read — ninja schemas with ``Field(ge=…, le=…)`` and these
bounds, Django forms with min/max values, hand-parsed parameters with ``parse_id``/``parse_number``
— and anything outside is an invalid request (400/404/422), never an exception.
"""

from __future__ import annotations

import math

MAX_ID = 2**63 - 1  # the largest primary key (BigAutoField: PostgreSQL bigint, SQLite INTEGER)
MAX_INT = 2**31 - 1  # the largest value of an IntegerField on PostgreSQL
MAX_SECONDS = 10_000_000.0  # a position or a length in a video, in seconds (about 115 days)
MAX_DIGITS = 19  # len(str(MAX_ID)): longer digit strings are refused before int() reads them


def parse_id(value, *, high: int = MAX_ID) -> int | None:
    """A positive database id from JSON or a query string (an int or a string of digits), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not (0 < len(value) <= MAX_DIGITS and value.isascii() and value.isdigit()):
            return None
        value = int(value)
    if not isinstance(value, int):
        return None
    return value if 1 <= value <= high else None


def parse_int(value, *, low: int, high: int) -> int | None:
    """An integer in [low, high] from JSON or a query string, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text[:1] in "+-" else text
        if not (0 < len(digits) <= MAX_DIGITS and digits.isascii() and digits.isdigit()):
            return None
        value = int(text)
    if not isinstance(value, int):
        return None
    return value if low <= value <= high else None


def parse_number(value, *, low: float = 0.0, high: float = MAX_SECONDS) -> float | None:
    """A finite number in [low, high] from JSON or a query string (not a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    if isinstance(value, str) and len(value) > 64:
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) and low <= number <= high else None
