"""Refusals of the orgs services (units, people, roles, CSV import), with Danish messages.

They belong to the one hierarchy of domain errors (`anskaf.errors`, ADR 0037); the classes here
give the orgs' own default messages, and their field errors answer the API with their own
sentence (`message_names_fields` off), as they always have.
"""

from __future__ import annotations

from dataclasses import dataclass

from anskaf import errors


class NotFound(errors.NotFound):
    message = "Enheden eller personen findes ikke i din kommune."


class NotAllowed(errors.Forbidden):
    message = "Kun kommunens administratorer kan ændre enheder, personer og roller."


class ValidationFailed(errors.ValidationFailed):
    """Input that breaks a rule: names each field and what to do (400 with `fields`)."""

    message_names_fields = False


class ReferenceRefused(ValidationFailed):
    """Well-formed input that names what the municipality does not have, or a combination
    its rules refuse (a person, a deputy period): a business refusal, 409 with `fields`,
    as `anskaf.errors.ReferenceRefused` (ADR 0022)."""

    code = "invalid_reference"
    status = 409


@dataclass(frozen=True)
class RowError:
    """One problem in an imported file: the row (as Excel numbers it), the column, what is
    wrong, and the workbook's sheet (empty for a CSV file)."""

    row: int
    column: str
    message: str
    sheet: str = ""


class ImportRefused(errors.Refused):
    """A CSV or XLSX file that cannot be imported: a file-level problem and/or problems per row
    (409 `file_refused`; the API names the rows in `fields`)."""

    code = "file_refused"

    def __init__(self, message: str, rows: list[RowError] | None = None) -> None:
        self.rows = rows or []
        super().__init__(message)

    @property
    def fields(self) -> dict[str, str]:
        """The file's refusal, after the first 50 rows it names (too many columns in a row)."""
        named = {f"row {e.row}": e.message for e in self.rows[:50]}
        return named | {"file": self.message}
