"""Certificate numbers and verification codes, and normalising what people type."""

from __future__ import annotations

import re
import secrets

# No 0/O, 1/I/L: a code read out over the phone or typed from paper stays unambiguous.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12
NUMBER_PREFIX = "JSGQ"
NUMBER_DIGITS = 6
NUMBER_RE = re.compile(rf"^{NUMBER_PREFIX}\d{{4}}\d{{{NUMBER_DIGITS},}}$")
CODE_RE = re.compile(rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")


def new_verify_code() -> str:
    """12 characters from a 31-letter alphabet (~59 bits) from the OS's CSPRNG; never from ids."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_number(year: int, sequence: int) -> str:
    """JSGQ2023000123: prefix, training year, zero-padded sequence within the year."""
    return f"{NUMBER_PREFIX}{year}{sequence:0{NUMBER_DIGITS}d}"


def normalise_query(text: str) -> str:
    """Upper-case, without spaces and dashes (people type codes as ABCD-EFGH-JKLM)."""
    return re.sub(r"[\s\-—_－]", "", (text or "").strip()).upper()


def classify(query: str) -> str:
    """'number', 'code' or '' for a normalised query."""
    if NUMBER_RE.match(query):
        return "number"
    if CODE_RE.match(query):
        return "code"
    return ""
