"""Numbers for readers: our fast formatting writes exactly what Babel's CLDR formatting writes."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from survey.web.formatting import MINUS, NUMBER_LOCALES, format_number

NUMBERS = st.one_of(
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
    st.integers(min_value=-(10**9), max_value=10**9),
)


@given(
    value=NUMBERS,
    digits=st.integers(min_value=0, max_value=4),
    lang=st.sampled_from(["sv", "en"]),
    sign=st.booleans(),
)
def test_format_number_is_babels_text(value: float, digits: int, lang: str, sign: bool) -> None:
    rounded = Decimal(f"{value:.{digits}f}")
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    expected = format_decimal(abs(rounded), format=pattern, locale=NUMBER_LOCALES[lang])
    if rounded < 0:
        expected = MINUS + expected
    elif sign and rounded > 0:
        expected = "+" + expected
    assert format_number(value, digits, lang, sign=sign) == expected


def test_swedish_and_english_numbers_as_readers_know_them() -> None:
    assert format_number(1234.5, 1, "sv") == "1\u00a0234,5"
    assert format_number(1234.5, 1, "en") == "1,234.5"
    assert format_number(-0.456, 2, "sv") == MINUS + "0,46"
    assert format_number(0.41, 2, "en", sign=True) == "+0.41"
    assert format_number(None) == "–"
