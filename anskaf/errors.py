"""The one hierarchy of domain errors (ADR 0037): every refusal a service, a selector or the
engine gives is a `DomainError`, carrying what each answer needs.

- `code` and `status`: the API's `error` and HTTP status (ADR 0022: business refusals 409,
  400 only for what breaks the OpenAPI document, 403 for a missing role, 404 not found);
- `message`: the Danish sentence the user reads;
- `errors`: {field: Danish message} when the refusal names fields (the API's `fields`).

The three answers are each made in one place: the API's exception handler
(`anskaf/api/errors.py`), the HTML views' `anskaf.http.refusals.html_refusal`, and the CLI's
`_run` in `anskaf/cli.py`. A new refusal is a subclass here (or in its app's `errors.py`, for
a default message of its own); no view or endpoint maps it by hand.

Pure Python, the bottom layer: the engine (`anskaf.process`) raises these too.
"""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    """A refusal of the domain: its class says the code and status, the instance the words."""

    code = "error"
    status = 409
    message = "Det kan ikke lade sig gøre."
    # The one field a refusal without `errors` is about (a decision's `step`, its `outcome`):
    # the API names it in `fields` with the message.
    field: str | None = None
    # Whether the API's message is built from the fields ("Feltet »x«: ...", the cases' field
    # errors) or is `message` as it stands (every other refusal, the orgs app's field errors).
    message_names_fields = False

    def __init__(self, message: str | None = None) -> None:
        if message is not None:
            self.message = message
        self.errors: dict[str, str] = {}
        super().__init__(self.message)

    @property
    def fields(self) -> dict[str, str] | None:
        """The API's `fields`: the named fields, the one field the class names, or None."""
        if self.errors:
            return dict(self.errors)
        if self.field:
            return {self.field: self.message}
        return None


class NotFound(DomainError):
    """What does not exist, or what the viewer may not know exists (404)."""

    code = "not_found"
    status = 404
    message = "Sagen findes ikke, eller du har ikke adgang til den."


class Refused(DomainError):
    """A move the rules refuse now (409): the engine's refusals (`anskaf.process.errors`) and
    every other business refusal derive from it."""

    code = "invalid_transition"
    status = 409


class Forbidden(Refused):
    """The person lacks the role for this action (403)."""

    code = "forbidden"
    status = 403
    message = "Du har ikke adgang til at gøre dette."


class Conflict(Refused):
    """Someone else saved first (a stale `version`): 409 `conflict`."""

    code = "conflict"


class BadRequest(Refused):
    """A request the rules cannot even consider (400)."""

    code = "validation_error"
    status = 400


class ValidationFailed(BadRequest):
    """Input that breaks a rule of shape: names each field and what to do (400 with `fields`)."""

    message_names_fields = True

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = dict(errors)


class ReferenceRefused(ValidationFailed):
    """Well-formed input that names what this municipality or the case's model does not have
    (a unit, a person, a step, a document type): a business refusal, 409 with `fields`. The
    OpenAPI document cannot know these, so they are not 400 (ADR 0022)."""

    code = "invalid_reference"
    status = 409


class NotReady(ValidationFailed):
    """Well-formed input the case is not ready for (what the board would miss, without a
    reason to go on anyway): a business refusal, 409 with `fields` (ADR 0022)."""

    code = "not_ready"
    status = 409


class CombinationRefused(ValidationFailed):
    """Fields that each fit the document but not together (no reason given for declaring a
    requirement not relevant): a business refusal, 409 with `fields` (ADR 0022)."""

    code = "invalid_combination"
    status = 409
