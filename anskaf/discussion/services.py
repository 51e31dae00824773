"""The only place that writes comments: create, edit own, delete own; each audited with its
before and after, inside the transaction that changes it. Mentions are checked against who may
see the case and notified through the notifications' outbox (each person's e-mail choice)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from anskaf.audit import events
from anskaf.audit.services import Payload, audit_append
from anskaf.cases import permissions
from anskaf.cases.errors import NotFound, ReferenceRefused, ValidationFailed
from anskaf.cases.models import Case
from anskaf.cases.process_models import model_for
from anskaf.cases.services import lock_visible_case
from anskaf.notifications.choices import Kind
from anskaf.notifications.services import Notice, notify
from anskaf.orgs.models import User
from anskaf.validation.text import text_problem

from .models import Comment
from .permissions import can_be_mentioned, change_refusal

MAX_LENGTH = 5000
MAX_MENTIONS = 20
# "@karen" but not the "@haderslev" of "karen@haderslev.dk"; a sentence's full stop is no part
# of the name.
_MENTION = re.compile(r"(?<![\w.@])@([\w.+-]+)")


def mentioned_names(body: str) -> list[str]:
    names = (m.group(1).rstrip(".-") for m in _MENTION.finditer(body))
    return list(dict.fromkeys(n for n in names if n))


def _clean_body(body: str | None) -> str:
    text = str(body or "").strip()
    if not text:
        raise ValidationFailed({"body": "Skriv en kommentar."})
    if len(text) > MAX_LENGTH:
        raise ValidationFailed({"body": f"Kommentaren må højst være {MAX_LENGTH} tegn "
                                        f"(den er {len(text)})."})
    if (problem := text_problem(text)) is not None:
        raise ValidationFailed({"body": problem})
    return text


def _clean_step(case: Case, step: int | None) -> int | None:
    if step is None:
        return None
    if not model_for(case).has_step(step):
        raise ReferenceRefused({"step": "Vælg et af sagens trin, eller ingen."})
    return step


def _mentioned_people(actor: User, case: Case, names: Iterable[str]) -> list[User]:
    """The people named, each of whom may see the case; a refusal names everyone who may not
    (or who does not exist), so the writer can fix the text."""
    wanted = list(dict.fromkeys(n.strip().lstrip("@") for n in names if n and n.strip()))
    if len(wanted) > MAX_MENTIONS:
        raise ValidationFailed({"body": f"Nævn højst {MAX_MENTIONS} personer i én kommentar."})
    found = {u.username.casefold(): u for u in User.objects.filter(
        organisation_id=case.organisation_id, is_active=True, username__in=wanted)}
    unknown = [n for n in wanted if n.casefold() not in found]
    people = [found[n.casefold()] for n in wanted if n.casefold() in found]
    blind = [p for p in people if not can_be_mentioned(p, case)]
    problems = []
    if blind:
        who = ", ".join(f"@{p.username} ({p.display_name()})" for p in blind)
        problems.append(f"Kan ikke nævnes, fordi de ikke kan se sagen: {who}.")
    if unknown:
        problems.append("Findes ikke som brugere i kommunen: "
                        + ", ".join(f"@{n}" for n in unknown) + ".")
    if problems:
        raise ReferenceRefused({"body": " ".join(problems) + " Ret teksten og prøv igen."})
    return people


def comment_path(comment: Comment) -> str:
    path = reverse("cases:case_detail", kwargs={"pk": comment.case_id})
    return f"{path}#kommentar-{comment.pk}"


def _notify_mentioned(actor: User, comment: Comment, people: list[User]) -> None:
    others = [p for p in people if p.pk != actor.pk]
    if not others:
        return
    case = comment.case
    where = f" (trin {comment.step})" if comment.step else ""
    notify(others, Notice(
        kind=Kind.MENTION, organisation_id=case.organisation_id,
        subject=f"{actor.display_name()} nævnte dig i sag {case.number}",
        body=(f"{actor.display_name()} nævnte dig i en kommentar på sagen {case.number} "
              f"»{case.title}«{where}:\n\n{comment.body}"),
        path=comment_path(comment), case=case, step=comment.step,
    ))


def _snapshot(comment: Comment, people: Iterable[User]) -> dict[str, Any]:
    return {"body": comment.body, "step": comment.step,
            "mentions": sorted(p.username for p in people)}


def _audit(actor: User, comment: Comment, event: str, before: Payload, after: Payload
           ) -> None:
    audit_append(organisation_id=comment.organisation_id, actor=actor, actor_role=events.PERSONAL,
                 event_type=event, object_id=comment.pk,
                 case_id=comment.case_id, before=before, after=after)


@transaction.atomic
def comment_create(*, actor: User, case_id: int, body: str | None, step: int | None = None,
                   mention: Iterable[str] = ()) -> Comment:
    """Comment on a case the actor may see; `mention` adds usernames (the picker) to those
    written as @username in the text."""
    case = lock_visible_case(actor, case_id)
    text = _clean_body(body)
    number = _clean_step(case, step)
    people = _mentioned_people(actor, case, [*mentioned_names(text), *mention])
    comment = Comment.objects.create(organisation_id=case.organisation_id, case=case,
                                     step=number, author=actor, body=text,
                                     created_at=timezone.now())
    comment.mentions.set(people)
    _audit(actor, comment, "comment.created", None, _snapshot(comment, people))
    _notify_mentioned(actor, comment, people)
    return comment


def _own_comment(actor: User, case_id: int, comment_id: int) -> Comment:
    """404 unless the actor may see the case and the comment is on it; 403 unless it is theirs."""
    case = lock_visible_case(actor, case_id)
    comment = Comment.objects.select_for_update().filter(pk=comment_id, case=case).first()
    if comment is None:
        raise NotFound("Kommentaren findes ikke.")
    comment.case = case
    permissions.require(change_refusal(actor, comment))
    return comment


@transaction.atomic
def comment_edit(*, actor: User, case_id: int, comment_id: int, body: str | None,
                 mention: Iterable[str] = ()) -> Comment:
    """Rewrite one's own comment; only people newly mentioned are told."""
    comment = _own_comment(actor, case_id, comment_id)
    text = _clean_body(body)
    people = _mentioned_people(actor, comment.case, [*mentioned_names(text), *mention])
    earlier = list(comment.mentions.all())
    before = _snapshot(comment, earlier)
    comment.body = text
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    comment.mentions.set(people)
    after = _snapshot(comment, people)
    if after != before:
        _audit(actor, comment, "comment.updated", before, after)
    known = {p.pk for p in earlier}
    _notify_mentioned(actor, comment, [p for p in people if p.pk not in known])
    return comment


@transaction.atomic
def comment_delete(*, actor: User, case_id: int, comment_id: int) -> None:
    comment = _own_comment(actor, case_id, comment_id)
    before = _snapshot(comment, comment.mentions.all())
    _audit(actor, comment, "comment.deleted", before, None)
    comment.delete()
