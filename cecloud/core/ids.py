"""Identifier checks: resident ID numbers (GB 11643-1999) and unified social credit codes (GB 32100-2015).

Each validator returns the normalised value or raises ``IdError`` whose message (Chinese) says
exactly what is wrong, so that imports and forms can show it to the user.
"""

from __future__ import annotations

import datetime as dt

from .text import normalize_code

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
# Province-level codes (GB/T 2260 first two digits), 71/81/82 for Taiwan, Hong Kong, Macao.
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
        "65", "71", "81", "82",
    }
)  # fmt: skip

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


class IdError(ValueError):
    """A value that is not a valid identifier; ``str(exc)`` is the user-facing reason."""


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def validate_id_number(value: str, *, today: dt.date | None = None) -> str:
    """Return the 18-character ID number (upper-case X) or raise IdError with the reason."""
    number = normalize_code(value)
    if not number:
        raise IdError("身份证号不能为空")
    if len(number) == 15 and number.isdigit():
        raise IdError("不支持15位旧身份证号，请使用18位身份证号")
    if len(number) != 18:
        raise IdError(f"身份证号应为18位，当前为{len(number)}位")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise IdError("身份证号格式错误：前17位须为数字，末位为数字或X")
    if number[:2] not in PROVINCE_CODES:
        raise IdError("身份证号地址码错误：前两位不是有效的省级行政区划代码")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdError("身份证号出生日期无效") from None
    today = today or dt.date.today()
    if birth > today or birth.year < 1800:
        raise IdError("身份证号出生日期无效")
    if id_check_char(number[:17]) != number[17]:
        raise IdError("身份证号校验位错误")
    return number


def is_valid_id_number(value: str) -> bool:
    try:
        validate_id_number(value)
    except IdError:
        return False
    return True


def birth_date_from_id(number: str) -> dt.date:
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def gender_from_id(number: str) -> str:
    return "男" if int(number[16]) % 2 else "女"


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> str:
    """Return the normalised unified social credit code or raise IdError with the reason."""
    code = normalize_code(value)
    if not code:
        raise IdError("统一社会信用代码不能为空")
    if len(code) != 18:
        raise IdError(f"统一社会信用代码应为18位，当前为{len(code)}位")
    bad = sorted({c for c in code if c not in USCC_ALPHABET})
    if bad:
        raise IdError(f"统一社会信用代码含有无效字符：{''.join(bad)}")
    if not code[8:17].strip():
        raise IdError("统一社会信用代码格式错误")
    if uscc_check_char(code[:17]) != code[17]:
        raise IdError("统一社会信用代码校验位错误")
    return code
