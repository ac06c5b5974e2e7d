"""The compact binary form of a certificate's signed data (what the QR code carries).

Big-endian, 39 bytes plus the masked name in UTF-8:

====== ====== ==================================================================
offset bytes  field
====== ====== ==================================================================
0      1      format version (2)
1      4      signing key id: the first 4 bytes of SHA-256(raw public key)
5      2      training year
7      4      sequence number within the year (JSGQ<year><sequence, 6 digits>)
11     8      verification code, 12 characters of ``CODE_ALPHABET`` as a base-31 number
19     2      issue date: days since 2000-01-01
21     1      grade: 1 初级工, 2 中级工, 3 高级工, 4 技师, 5 高级技师
22     8      hours × 10: 思政, 通识, 岗位提升, total (4 × uint16)
30     9      person hash: SHA-256("name|ID number")[:9] (checkable by whoever knows both)
39     rest   masked name (e.g. 黄**), UTF-8
====== ====== ==================================================================

The token is base64url (no padding) of these bytes followed by the 64-byte Ed25519 signature.
About 150 characters: the QR code stays small enough to scan easily from paper.
``unpack`` returns the fields by their short names (n, c, y, d, g, h, p, m, k, v).
"""

from __future__ import annotations

import base64
import datetime as dt
import struct
from decimal import Decimal

from cecloud.registry.models import Grade

from .codes import CODE_ALPHABET, CODE_LENGTH, NUMBER_PREFIX, format_number

VERSION = 2
EPOCH = dt.date(2000, 1, 1)
GRADES = [Grade.JUNIOR, Grade.INTERMEDIATE, Grade.SENIOR, Grade.TECHNICIAN, Grade.SENIOR_TECHNICIAN]
_HEAD = struct.Struct(">B4sHIQHB4H9s")


class PayloadError(ValueError):
    pass


def _code_to_int(code: str) -> int:
    value = 0
    for ch in code:
        value = value * len(CODE_ALPHABET) + CODE_ALPHABET.index(ch)
    return value


def _int_to_code(value: int) -> str:
    chars = []
    for _ in range(CODE_LENGTH):
        value, digit = divmod(value, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[digit])
    if value:
        raise PayloadError("code out of range")
    return "".join(reversed(chars))


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    if not text or any(c not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" for c in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _tenths(value) -> int:
    return int(Decimal(str(value)) * 10)


def _hours_text(tenths: int) -> str:
    return str(tenths // 10) if tenths % 10 == 0 else f"{tenths / 10:.1f}"


def pack(data: dict, *, key_id: bytes) -> bytes:
    """``data``: n (number), c (code), d (issue date, ISO), g (grade code), h (four hour values),
    p (person hash, 12 base64url characters), m (masked name)."""
    number = data["n"]
    if not number.startswith(NUMBER_PREFIX):
        raise PayloadError("not a certificate number")
    year, sequence = int(number[len(NUMBER_PREFIX) : len(NUMBER_PREFIX) + 4]), int(number[len(NUMBER_PREFIX) + 4 :])
    issued = dt.date.fromisoformat(data["d"])
    head = _HEAD.pack(
        VERSION,
        key_id,
        year,
        sequence,
        _code_to_int(data["c"]),
        (issued - EPOCH).days,
        GRADES.index(data["g"]) + 1,
        *(_tenths(h) for h in data["h"]),
        b64url_decode(data["p"]),
    )
    return head + data["m"].encode("utf-8")


def unpack(body: bytes) -> dict:
    if len(body) < _HEAD.size or body[0] != VERSION:
        raise PayloadError("unsupported payload")
    version, key_id, year, sequence, code, days, grade, h1, h2, h3, total, person = _HEAD.unpack_from(body)
    if not 1 <= grade <= len(GRADES):
        raise PayloadError("bad grade")
    return {
        "v": version,
        "k": key_id.hex(),
        "n": format_number(year, sequence),
        "y": year,
        "c": _int_to_code(code),
        "d": (EPOCH + dt.timedelta(days=days)).isoformat(),
        "g": Grade(GRADES[grade - 1]).label,
        "h": [_hours_text(v) for v in (h1, h2, h3, total)],
        "p": b64url_encode(person),
        "m": body[_HEAD.size :].decode("utf-8"),
    }
