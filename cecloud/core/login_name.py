"""The one normalised login name: what the login form, the authentication backend, the lockout key
(django-axes), password recovery and every throttle keyed by an account use.

An ID number may be typed with spaces or tabs inside, full-width digits (``３２０１…``), another
script's digits, a lower-case ``x``, zero-width or other invisible characters, or surrounding
blanks. All of them are the same account, so all of them must be the same login name: otherwise
each spelling is a fresh lockout key. Staff login names keep their case (Django user names are
case-sensitive) but lose the same invisible characters.
"""

from __future__ import annotations

import re
import unicodedata

# Longer input is not a login name; cut it so that the lockout key stays bounded.
MAX_LOGIN_LENGTH = 64

_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")


def _visible(char: str) -> str:
    """A character with invisible ones (whitespace, format, control) removed and digits of any
    script turned into ASCII digits."""
    if char.isspace():
        return ""
    category = unicodedata.category(char)
    if category in {"Cf", "Cc", "Zs", "Zl", "Zp", "Mn", "Me"}:
        return ""
    if category == "Nd":
        return str(unicodedata.decimal(char))
    return char


def normalize_login(value: object) -> str:
    """The canonical login name of ``value``: NFKC, no invisible characters, ASCII digits; an
    ID-number-shaped value upper-cased (``x`` → ``X``). ``None`` becomes ''."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    text = "".join(_visible(c) for c in text)
    text = unicodedata.normalize("NFKC", text)[:MAX_LOGIN_LENGTH]
    upper = text.upper()
    return upper if _ID_SHAPE.match(upper) else text
