import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cecloud.core.ids import IdError, id_check_char, validate_credit_code, validate_id_number
from cecloud.core.masking import mask_id_number, mask_name, mask_phone
from cecloud.core.text import format_decimal, normalize_code, normalize_text


@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014", "360426199101010071"])
def test_public_examples_are_valid(number):
    assert validate_id_number(number) == number


def test_lower_case_x_is_accepted_and_stored_upper_case():
    assert validate_id_number("11010519491231002x") == "11010519491231002X"


def test_full_width_digits_and_spaces_are_normalised():
    assert validate_id_number(" １１０１０５１９４９１２３１００２Ｘ ") == "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("110105194912310021", "校验位错误"),
        ("440524189001010014", "校验位错误"),
        ("110105491231002", "15位"),
        ("11010519491331002X", "出生日期无效"),
        ("11010519490230002X", "出生日期无效"),
        ("11010530000101002X", "出生日期无效"),
        ("99010519491231002X", "地址码"),
        ("1101051949123100", "应为18位"),
        ("1101051949A231002X", "格式错误"),
        ("", "不能为空"),
    ],
)
def test_invalid_id_numbers_say_why(number, reason):
    with pytest.raises(IdError, match=reason):
        validate_id_number(number)


def test_future_birth_date_is_refused():
    first17 = "32070620990101001"
    with pytest.raises(IdError, match="出生日期无效"):
        validate_id_number(first17 + id_check_char(first17), today=dt.date(2026, 1, 1))


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)), st.integers(0, 999))
def test_generated_numbers_round_trip_and_any_other_check_char_fails(birth, seq):
    first17 = f"320706{birth:%Y%m%d}{seq:03d}"
    good = first17 + id_check_char(first17)
    assert validate_id_number(good) == good
    for wrong in "0123456789X":
        if wrong != good[-1]:
            with pytest.raises(IdError):
                validate_id_number(first17 + wrong)


@pytest.mark.parametrize(
    "code", ["91110000600037341L", "91110108551385082Q", "91350100M000100Y43", "91440300708461136T"]
)
def test_credit_code_examples_are_valid(code):
    assert validate_credit_code(code.lower()) == code


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91110000600037341M", "校验位错误"),
        ("9111000060003734", "应为18位"),
        ("91110000600037341I", "无效字符"),
        ("", "不能为空"),
    ],
)
def test_invalid_credit_codes_say_why(code, reason):
    with pytest.raises(IdError, match=reason):
        validate_credit_code(code)


def test_masking():
    assert mask_id_number("320706197001010116") == "320***********0116"
    assert mask_phone("13912345678") == "139****5678"
    assert mask_name("欧阳修") == "欧**"
    assert mask_id_number("") == ""


def test_normalisation():
    assert normalize_text("  张\u3000三  ") == "张 三"
    assert normalize_code(13800000000.0) == "13800000000"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("4.0"), "4"),
        (Decimal("0.50"), "0.5"),
        (Decimal("40"), "40"),
        (Decimal("1E+1"), "10"),
        (12.5, "12.5"),
        (100, "100"),
        ("2.500", "2.5"),
        (None, ""),
    ],
)
def test_format_decimal_drops_trailing_zeros_and_never_uses_exponents(value, shown):
    assert format_decimal(value) == shown
