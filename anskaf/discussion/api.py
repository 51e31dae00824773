"""API v1 for comments on a case: list, create, edit own, delete own.

Mounted in anskaf/api/urls.py. The same services as the case page's comment form; checks run
in the API's order: 401, 404 (the case or the comment), 403 (not your comment), 400 (the body;
a mention of someone who cannot see the case names them in `fields.body`).
"""

from __future__ import annotations

from typing import Any, ClassVar

from ninja import Router, Schema, Status
from pydantic import Field

from anskaf.cases import permissions
from anskaf.http import params
from anskaf.http.schemas import Body, ErrorOut
from anskaf.orgs.request_types import ApiRequest

from . import selectors, services
from .models import Comment
from .permissions import change_refusal

router = Router(tags=["comments"])


class CommentIn(Body):
    required_fields: ClassVar[tuple[str, ...]] = ("body",)
    body: str | None = Field(None, description="The text; @username mentions a colleague "
                                               "(only people who may see the case).")
    step: int | None = Field(None, description="The step the comment is about (none: the case).")
    mention: list[str] | None = Field(None, description="More usernames to mention.")


class CommentEditIn(Body):
    required_fields: ClassVar[tuple[str, ...]] = ("body",)
    body: str | None = None
    mention: list[str] | None = None


class CommentOut(Schema):
    id: int
    case_id: int
    step: int | None
    author: str
    body: str
    mentions: list[str]
    created_at: str
    edited_at: str | None


class CommentListOut(Schema):
    items: list[CommentOut]


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _extra(body: type[Body] | None = None) -> dict[str, Any]:
    extra: dict[str, Any] = {"responses": {
        400: {"description": "`validation_error`: an empty or too long text."},
        409: {"description": "`invalid_reference`: a step the case's model lacks, or a "
                             "mention of someone who does not exist or cannot see the case "
                             "(`fields.body` names them)."},
        401: {"description": "`unauthenticated`."},
        403: {"description": "`forbidden`: only the author may edit or delete a comment."},
        404: {"description": "`not_found`: no such case or comment in your municipality."},
    }}
    if body is not None:
        schema = body.openapi_schema(ref_template="#/components/schemas/{model}")
        extra["requestBody"] = {"required": True,
                                "content": {"application/json": {"schema": schema}}}
    return extra


def comment_dict(c: Comment) -> dict[str, Any]:
    return {"id": c.pk, "case_id": c.case_id, "step": c.step, "author": c.author.username,
            "body": c.body, "mentions": sorted(p.username for p in c.mentions.all()),
            "created_at": c.created_at.isoformat(),
            "edited_at": c.edited_at.isoformat() if c.edited_at else None}


def _get(request: ApiRequest, case_id: int, comment_id: int) -> Comment:
    return selectors.comment_get(viewer=request.auth, case_id=case_id,
                                 comment_id=comment_id)


def _one(request: ApiRequest, case_id: int, comment_id: int) -> dict[str, Any]:
    return comment_dict(_get(request, case_id, comment_id))


@router.get("/cases/{int:case_id}/comments", response={200: CommentListOut, **ERRORS},
            operation_id="comment_list", summary="The case's comments, oldest first (at most 200)",
            openapi_extra=_extra())
def comment_list(request: ApiRequest, case_id: int) -> dict[str, Any]:
    comments = selectors.case_comments(viewer=request.auth, case_id=case_id)
    return {"items": [comment_dict(c) for c in comments]}


@router.post("/cases/{int:case_id}/comments", response={201: CommentOut, **ERRORS},
             operation_id="comment_create",
             summary="Comment on a case; each person mentioned is notified",
             openapi_extra=_extra(CommentIn))
def comment_create(request: ApiRequest, case_id: int) -> Status:
    selectors.case_comments(viewer=request.auth, case_id=case_id, limit=1)  # 404 before 400
    body, _ = params.parse_body(request, CommentIn)
    comment = services.comment_create(actor=request.auth, case_id=case_id, body=body.body,
                                      step=body.step, mention=body.mention or ())
    return Status(201, _one(request, case_id, comment.pk))


@router.patch("/cases/{int:case_id}/comments/{int:comment_id}",
              response={200: CommentOut, **ERRORS}, operation_id="comment_edit",
              summary="Edit your own comment; people newly mentioned are notified",
              openapi_extra=_extra(CommentEditIn))
def comment_edit(request: ApiRequest, case_id: int, comment_id: int) -> dict[str, Any]:
    comment = _get(request, case_id, comment_id)  # 404, then 403, before the body's 400
    permissions.require(change_refusal(request.auth, comment))
    body, _ = params.parse_body(request, CommentEditIn)
    services.comment_edit(actor=request.auth, case_id=case_id, comment_id=comment_id,
                          body=body.body, mention=body.mention or ())
    return _one(request, case_id, comment_id)


@router.delete("/cases/{int:case_id}/comments/{int:comment_id}",
               response={204: None, **ERRORS}, operation_id="comment_delete",
               summary="Delete your own comment (the audit trail keeps its text)",
               openapi_extra=_extra())
def comment_delete(request: ApiRequest, case_id: int, comment_id: int) -> Status:
    services.comment_delete(actor=request.auth, case_id=case_id, comment_id=comment_id)
    return Status(204, None)
