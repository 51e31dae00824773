"""API v1 for the import of units and people (CSV or XLSX): the dry run, then the commit.

The same services as the page Administration › Importér (`anskaf.orgs.csv_import`): the
preview writes nothing and answers what would be created, changed and refused, plus a signed
`token`; the commit writes exactly that (the refused rows skipped) in one transaction, or
answers 409 `conflict` when the municipality's units or people changed since the preview.
Only the municipality's administrators (403 for everybody else). Mounted by anskaf/api/urls.py.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from anskaf.http import params
from anskaf.http.errors import MESSAGES, ApiError
from anskaf.http.schemas import Body, ErrorOut

from . import csv_import, permissions
from .errors import ImportRefused
from .models import User

router = Router(tags=["organisation import"])


def _r(ok: int, schema: Any, *errors: int) -> dict[int, Any]:
    return {ok: schema, **{code: ErrorOut for code in (401, 403, 500, *errors)}}


def _admin(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    if not permissions.is_admin(user):
        raise ApiError(403, "forbidden", MESSAGES["forbidden"])
    return user  # type: ignore[no-any-return]


class RefusedRowOut(Schema):
    sheet: str = Field(description="The workbook's sheet; empty for a CSV file.")
    row: int = Field(description="The row as Excel numbers it (row 1 is the column names).")
    column: str = Field(description="The column, or empty for the whole row.")
    message: str = Field(description="Why the row is refused, in Danish.")


class ChangeOut(Schema):
    name: str = Field(description="The unit's name or the person's username.")
    changes: list[str] = Field(description='What changes, in Danish ("type: Afdeling → Forvaltning").')


class ImportOut(Schema):
    what: Literal["units", "people"]
    format: Literal["csv", "xlsx"]
    sheet: str = Field(description="The sheet that was read; empty for a CSV file.")
    created: list[str] = Field(description="Units (names) or people (usernames) created.")
    updated: list[ChangeOut]
    unchanged: list[str]
    roles_added: int
    refused: list[RefusedRowOut] = Field(description="Rows refused, and so skipped.")
    replaced: list[str] = Field(
        description="Cells in which control or bidi characters are "
        'replaced by a space ("række 3, kolonne navn").'
    )


class PreviewOut(ImportOut):
    token: str = Field(
        description="Send it to org_import_commit (within an hour, as the "
        "same person) to write what this preview shows."
    )


class CommitIn(Body):
    required_fields: ClassVar[tuple[str, ...]] = ("token",)
    token: str | None = Field(None, description="The preview's token.")


def _out(result: csv_import.ImportResult) -> dict[str, Any]:
    return {
        "what": result.what,
        "format": result.file_format,
        "sheet": result.sheet,
        "created": result.created,
        "updated": [{"name": n, "changes": result.changes.get(n, [])} for n in result.updated],
        "unchanged": result.unchanged,
        "roles_added": result.roles_added,
        "refused": [
            {"sheet": e.sheet, "row": e.row, "column": e.column, "message": e.message} for e in result.refused
        ],
        "replaced": result.replaced,
    }


PREVIEW_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["what", "file"],
                "properties": {
                    "what": {
                        "type": "string",
                        "enum": ["units", "people"],
                        "description": "units: navn;type;overordnet. people: "
                        "brugernavn;navn;email;enhed;roller.",
                    },
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "An .xlsx workbook (the sheet »Enheder« or »Personer«, else "
                        "the first) or a UTF-8 CSV file; at most 1 MB and 2000 rows.",
                    },
                },
            }
        }
    },
}


@router.post(
    "/org-import/preview",
    response=_r(200, PreviewOut, 400, 409),
    operation_id="org_import_preview",
    summary="Dry run of an import of units or people (CSV or XLSX): nothing is written",
    openapi_extra={
        "requestBody": PREVIEW_BODY,
        "responses": {
            400: {"description": "`validation_error`: no file, or `what` not units/people."},
            409: {
                "description": "`file_refused`: a refused file (not CSV or XLSX, damaged, "
                "too large, a ZIP bomb, formulas, an empty sheet, wrong columns)."
            },
        },
    },
)
def org_import_preview(request: HttpRequest) -> dict[str, Any]:
    user = _admin(request)
    what = request.POST.get("what")
    files = request.FILES.getlist("file")
    fields = {}
    if what not in ("units", "people"):
        fields["what"] = "Angiv »units« (enheder) eller »people« (personer)."
    if len(files) != 1:
        fields["file"] = "Send præcis én fil i feltet »file« (multipart/form-data)."
    if fields:
        raise ApiError(400, "validation_error", " ".join(fields.values()), fields)
    upload = files[0]
    # A refused file is the API shell's answer to ImportRefused: 409 `file_refused`, the rows
    # it names in `fields` (a file is "binary" to the document).
    if upload.size > csv_import.MAX_BYTES:
        raise ImportRefused(
            f"Filen er for stor ({csv_import.megabytes(upload.size)}). Den må højst være "
            f"{csv_import.megabytes(csv_import.MAX_BYTES)}. Del den op i flere filer."
        )
    shown = csv_import.preview(
        actor=user,
        what=what,  # type: ignore[arg-type]
        data=upload.read(csv_import.MAX_BYTES + 1),
        filename=upload.name or "",
    )
    return {**_out(shown.result), "token": shown.token}


@router.post(
    "/org-import/commit",
    response=_r(200, ImportOut, 400, 409),
    operation_id="org_import_commit",
    summary="Write what a preview showed, in one transaction (refused rows skipped)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": CommitIn.openapi_schema("#/components/schemas/{model}")}
            },
        },
        "responses": {
            400: {"description": "`validation_error`: no token."},
            409: {
                "description": "`conflict`: the units or people changed since the "
                "preview; nothing is written; preview again. `invalid_reference`: a token "
                "that is changed, over an hour old or another person's, or nothing to write."
            },
        },
    },
)
def org_import_commit(request: HttpRequest) -> dict[str, Any]:
    user = _admin(request)
    body, _ = params.parse_body(request, CommitIn, {"token": "Send forhåndsvisningens token."})
    try:
        result = csv_import.commit(actor=user, token=body.token or "")
    except csv_import.PlanChanged:
        raise  # 409 `conflict`, the shell's answer
    except ImportRefused as exc:
        # a token is a string to the document; one that names no valid preview is refused
        raise ApiError(409, "invalid_reference", exc.message, {"token": exc.message}) from None
    return _out(result)
