"""Amounts in kroner as Danes type them: "1.893.000", "1.893.000,50", "1893000", "1893000,50"
(and "1893000.50", a decimal point when no thousands groups are meant). One parser for every
amount field in the forms and in the API where it takes a string (issue 19 item 9)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

AMOUNT_MESSAGE = "Angiv beløbet som et tal i kroner ekskl. moms, fx 250000 eller 1.893.000,00."
RANGE_MESSAGE = "Beløbet skal være et positivt tal under 1.000.000.000.000 kr."
LIMIT = Decimal("1e12")


class AmountError(ValueError):
    """The text is not an amount; `message` says in Danish how to write one."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def danish_number(text: str) -> str:
    """The text with Danish separators turned into a plain decimal: the comma is the decimal
    sign and dots between groups of three digits separate thousands."""
    text = text.strip().replace(" ", "").replace("\u00a0", "")
    if "," in text:
        whole, _, _ = text.partition(",")
        if "." in whole and not _grouped(whole):
            return "x"  # "1.89,5": neither a Danish nor a plain number
        return text.replace(".", "").replace(",", ".")
    if _grouped(text) and "." in text:
        return text.replace(".", "")
    return text


def _grouped(whole: str) -> bool:
    groups = whole.lstrip("-").split(".")
    return (len(groups) > 1 and groups[0].isdigit() and 1 <= len(groups[0]) <= 3
            and all(len(g) == 3 and g.isdigit() for g in groups[1:]))


def parse_amount(value: Any) -> Decimal | None:
    """The amount in kroner (two decimals), None for an empty value; AmountError otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise AmountError(AMOUNT_MESSAGE)
    try:
        amount = Decimal(danish_number(value) if isinstance(value, str) else str(value))
        if not amount.is_finite():
            raise InvalidOperation
        amount = amount.quantize(Decimal("0.01"))
    except InvalidOperation:
        raise AmountError(AMOUNT_MESSAGE) from None
    if amount < 0 or amount >= LIMIT:
        raise AmountError(RANGE_MESSAGE)
    return amount
