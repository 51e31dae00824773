"""Issue 19 item 9: one parser for amounts typed the Danish way."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anskaf.validation.amounts import AmountError, parse_amount


@pytest.mark.parametrize(("text", "amount"), [
    ("1.893.000", Decimal("1893000.00")),
    ("1.893.000,50", Decimal("1893000.50")),
    ("1893000", Decimal("1893000.00")),
    ("1893000,5", Decimal("1893000.50")),
    ("1893000.50", Decimal("1893000.50")),  # a decimal point where no groups are meant
    (" 250 000 ", Decimal("250000.00")),
    ("1.000", Decimal("1000.00")),
    (250000, Decimal("250000.00")),
    ("", None),
    (None, None),
])
def test_danish_amounts(text, amount):
    assert parse_amount(text) == amount


@pytest.mark.parametrize("text", ["1.89,5", "1,893,000", "abc", "-5", "1e3x", "NaN",
                                  "1000000000000", True])
def test_what_is_not_an_amount(text):
    with pytest.raises(AmountError) as info:
        parse_amount(text)
    assert "kr" in info.value.message


@given(st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2))
def test_danish_formatting_reads_back(value):
    whole, _, cents = f"{value:,.2f}".partition(".")
    assert parse_amount(f"{whole.replace(',', '.')},{cents}") == value
    assert parse_amount(f"{value:.2f}".replace(".", ",")) == value
