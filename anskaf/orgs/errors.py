"""Refusals of the orgs services (units, people, roles, CSV import), with Danish messages.

The orgs app must not import the cases app, so it has its own small set of errors; they have
the same shape as the cases app's (`message`, and `errors` as a dict of field -> message).
"""

from __future__ import annotations

from dataclasses import dataclass


class OrgsError(Exception):
    message: str = ""

    def __init__(self, message: str = "") -> None:
        if message:
            self.message = message
        super().__init__(self.message)


class NotFound(OrgsError):
    message = "Enheden eller personen findes ikke i din kommune."


class NotAllowed(OrgsError):
    message = "Kun kommunens administratorer kan ændre enheder, personer og roller."


class ValidationFailed(OrgsError):
    """Input that breaks a rule: names each field and what to do."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__(" ".join(errors.values()))


class ReferenceRefused(ValidationFailed):
    """Well-formed input that names what the municipality does not have, or a combination
    its rules refuse (a person, a deputy period): a business refusal, 409 with `fields`,
    as `cases.errors.ReferenceRefused` (ADR 0022)."""

    status = 409


@dataclass(frozen=True)
class RowError:
    """One problem in an imported file: the row (as Excel numbers it), the column, what is
    wrong, and the workbook's sheet (empty for a CSV file)."""

    row: int
    column: str
    message: str
    sheet: str = ""


class ImportRefused(OrgsError):
    """A CSV or XLSX file that cannot be imported: a file-level problem and/or problems per row."""

    def __init__(self, message: str, rows: list[RowError] | None = None) -> None:
        self.rows = rows or []
        super().__init__(message)
