"""The board's pages: its overview (queue, meetings, statistics), one meeting, the exports.

Thin views: parse input, call one service or selector, render. Refusals come back as the page
with a Danish message (400 bad input, 403/409 refused); success redirects (post/redirect/get).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from anskaf.cases import permissions
from anskaf.cases.errors import Conflict, MoveRefused, NotFound, ValidationFailed
from anskaf.cases.views import case_page_context
from anskaf.documents.selectors import step_files
from anskaf.errors import DomainError
from anskaf.http import params
from anskaf.http.refusals import html_refusal

from . import exports, inputs, minutes, selectors, services
from .choices import Addressee
from .inputs import ScheduleData, schedule_values
from .models import Meeting
from .permissions import answer_refusal, board_refusal, view_refusal

FIELD_LABELS = {
    "title": "Titel", "starts_at": "Dato og klokkeslæt", "duration_minutes": "Varighed",
    "place": "Sted", "online_link": "Link til onlinemøde", "participants": "Deltagere",
    "repeat_weeks": "Gentag hver", "count": "Antal møder", "referral": "Sag fra køen",
    "notes": "Noter", "addressed_to": "Spørgsmålet går til", "text": "Tekst",
    "answer": "Svar", "outcome": "Udfald", "rationale": "Begrundelse",
    "recommendations": "Anbefalinger", "it_contacts": "Kontaktpersoner i IT",
    "missing_documentation": "Manglende dokumentation", "reason": "Begrundelse for rettelsen",
    "direction": "Retning", "item": "Punkt", "supplier_meeting_needed": "Møde med leverandøren",
}


def _refused(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "403.html", {"reason": reason}, status=403)


def _meeting_or_404(request: HttpRequest, meeting_pk: int) -> Meeting:
    try:
        return selectors.meeting_get(viewer=request.user, meeting_id=meeting_pk)
    except NotFound:
        raise Http404("Mødet findes ikke.") from None


# --- the board's overview ----------------------------------------------------------------------


@login_required
def board(request: HttpRequest) -> HttpResponse:
    if refusal := view_refusal(request.user):
        return _refused(request, refusal)
    return render(request, "meetings/board.html", {
        "nav": "board",
        "queue": selectors.board_queue(viewer=request.user),
        "meetings": selectors.meeting_list(viewer=request.user),
        "stats": selectors.outcome_statistics(viewer=request.user),
        "is_board": board_refusal(request.user) is None,
    })


def _schedule_data(post: Any) -> ScheduleData:
    """The form's fields as `schedule_values` reads them (date and time come separately)."""
    starts: Any = None
    if post.get("date") and post.get("time"):
        try:
            starts = datetime.fromisoformat(f"{post['date']}T{post['time']}")
        except ValueError:
            starts = "ugyldig"
    return {
        "title": post.get("title", ""), "starts_at": starts or "",
        "duration_minutes": post.get("duration_minutes", "").strip() or 60,
        "place": post.get("place", ""), "online_link": post.get("online_link", ""),
        "participants": post.getlist("participants"),
        "repeat_weeks": post.get("repeat_weeks", "").strip() or 0,
        "count": post.get("count", "").strip() or 1,
    }


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest) -> HttpResponse:
    if refusal := board_refusal(request.user):
        return _refused(request, refusal)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            created = services.meeting_schedule(
                actor=request.user, data=schedule_values(_schedule_data(request.POST)))
        except ValidationFailed as exc:
            errors = dict(exc.errors)
            if "starts_at" in errors:
                errors["date"] = errors.pop("starts_at")
        else:
            text = ("Mødet er planlagt." if len(created) == 1
                    else f"{len(created)} møder er planlagt.")
            messages.success(request, text)
            return redirect("meetings:meeting_detail", meeting_pk=created[0].pk)
    chosen = request.POST.getlist("participants") if request.method == "POST" else [
        request.user.username]
    return render(request, "meetings/meeting_form.html", {
        "nav": "board", "errors": errors, "posted": request.POST,
        "candidates": selectors.participant_candidates(viewer=request.user), "chosen": chosen,
        "error_list": [(f, FIELD_LABELS.get(f, "Dato og klokkeslæt"), m)
                       for f, m in errors.items()],
    }, status=400 if errors else 200)


# --- one meeting -------------------------------------------------------------------------------


def _meeting_context(request: HttpRequest, meeting: Meeting, **extra: Any) -> dict[str, Any]:
    items = selectors.agenda_items(meeting)
    own = getattr(meeting, "own_items", None)
    revisions = list(meeting.minutes.select_related("author", "approved_by").order_by("number"))
    participants = list(meeting.participants.order_by("first_name", "username"))
    if own is not None:  # a coordinator's view: her own cases only
        _attach_minutes_extracts(items, own, revisions)
        return {"nav": "board", "meeting": meeting, "items": items, "limited": True,
                "participants": participants, **extra}
    _attach_documentation_files(request, items)
    return {
        "nav": "board", "meeting": meeting, "items": items,
        "queue": selectors.board_queue(viewer=request.user),
        "is_board": board_refusal(request.user) is None,
        "revisions": revisions, "latest": revisions[-1] if revisions else None,
        "addressees": Addressee.choices,
        "participants": participants,
        "notified": _notified(participants, items),
        **extra,
    }


def _notified(participants: list[Any], items: list[Any]) -> list[str]:
    """Who "Udsend dagsorden" tells: the participants and each case's coordinator."""
    people = {p.pk: p for p in participants}
    for item in items:
        if item.case is not None and item.case.coordinator is not None:
            people.setdefault(item.case.coordinator_id, item.case.coordinator)
    return sorted(p.display_name() for p in people.values())


def _attach_minutes_extracts(items: list[Any], own: set[int], revisions: list[Any]) -> None:
    """For the coordinator's own items: `own` and the item's part of the approved minutes."""
    approved = [r for r in revisions if r.approved]
    snapshot = approved[-1].snapshot if approved else {"items": []}
    for item in items:
        item.own = item.pk in own
        item.extract = next((s for s in snapshot.get("items", [])
                             if item.own and item.case and s.get("case_number") == item.case.number),
                            None)


def _attach_documentation_files(request: HttpRequest, items: list[Any]) -> None:
    """Each case item's files of its documentation step (two queries for the whole agenda)."""
    with_step = [i for i in items if getattr(i, "documentation_step", None)]
    files = step_files(viewer=request.user,
                       steps=[(i.case, i.documentation_step) for i in with_step])
    for item in with_step:
        item.step_files = files.get(item.case_id, [])


@login_required
def meeting_detail(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    try:
        meeting = selectors.meeting_get(viewer=request.user, meeting_id=meeting_pk,
                                        coordinator_view=True)
    except NotFound:
        raise Http404("Mødet findes ikke.") from None
    except MoveRefused as exc:
        return _refused(request, exc.message)
    return render(request, "meetings/meeting_detail.html", _meeting_context(request, meeting))


def _notes_from(post: Any) -> dict[str, Any]:
    """The item's notes fields, when the form had them (the notes and the outcome are one
    form on the meeting's page), checked (`inputs.notes_values`)."""
    if "notes" not in post:
        return {}
    notes, flag = inputs.notes_values(post.get("notes", ""),
                                      post.get("supplier_meeting_needed") == "ja")
    return {"notes": notes, "supplier_meeting_needed": flag,
            "notes_base": post.get("notes_base")}


def _revision_base(post: Any) -> int | None:
    """The minutes' revision the correction form was rendered from (None: not sent)."""
    value = post.get("revision_base", "")
    return int(value) if value.isdigit() else None


# Each action on the meeting checks what the form sends (`inputs`, ADR 0040), calls one
# service and returns the Danish success message; its refusal is a domain error, answered in
# one place (meeting_action), with the form as it was sent.
MeetingAction = Callable[[HttpRequest, Meeting], str]


def _add_case(request: HttpRequest, meeting: Meeting) -> str:
    services.agenda_add_case(actor=request.user, meeting_id=meeting.pk,
                             referral_id=params.form_int(request.POST.get("referral")))
    return "Sagen er sat på dagsordenen."


def _add_item(request: HttpRequest, meeting: Meeting) -> str:
    title, notes = inputs.agenda_item_values(request.POST.get("title", ""),
                                             request.POST.get("notes", ""))
    services.agenda_add_other(actor=request.user, meeting_id=meeting.pk, title=title,
                              notes=notes)
    return "Punktet er tilføjet."


def _move_item(request: HttpRequest, meeting: Meeting) -> str:
    direction = inputs.direction_value(request.POST.get("direction"))
    services.agenda_move(actor=request.user, item_id=params.form_int(request.POST.get("item")),
                         direction=direction)
    return "Rækkefølgen er ændret."


def _remove_item(request: HttpRequest, meeting: Meeting) -> str:
    services.agenda_remove(actor=request.user, item_id=params.form_int(request.POST.get("item")))
    return "Punktet er fjernet fra dagsordenen."


def _publish(request: HttpRequest, meeting: Meeting) -> str:
    services.meeting_publish(actor=request.user, meeting_id=meeting.pk)
    return "Dagsordenen er udsendt til deltagerne og sagernes koordinatorer."


def _save_item(request: HttpRequest, meeting: Meeting) -> str:
    services.item_update(actor=request.user, item_id=params.form_int(request.POST.get("item")),
                         **_notes_from(request.POST))
    return "Punktet er gemt."


def _ask(request: HttpRequest, meeting: Meeting) -> str:
    post = request.POST
    addressed_to, text = inputs.question_values(post.get("addressed_to"), post.get("text", ""))
    services.question_ask(actor=request.user, item_id=params.form_int(post.get("item")),
                          addressed_to=addressed_to, text=text)
    return "Spørgsmålet er registreret."


def _answer(request: HttpRequest, meeting: Meeting) -> str:
    post = request.POST
    question = selectors.meeting_question(meeting, params.form_int(post.get("question")))
    if question is None:
        raise NotFound("Spørgsmålet findes ikke, eller du har ikke adgang til det.")
    # who may answer, before the answer is judged (404, 403, then 400)
    permissions.require(answer_refusal(request.user, question.item.case))
    services.question_answer(actor=request.user, question_id=question.pk,
                             answer=inputs.answer_value(post.get("answer", "")),
                             answer_base=post.get("answer_base"))
    return "Svaret er registreret."


def _record_outcome(request: HttpRequest, meeting: Meeting) -> str:
    post = request.POST
    outcome = inputs.outcome_value(post.get("outcome") or None,
                                   post.get("missing_documentation", ""))
    decision = services.outcome_record(
        actor=request.user, item_id=params.form_int(post.get("item")), outcome=outcome,
        rationale=post.get("rationale", ""), recommendations=post.get("recommendations", ""),
        it_contacts=post.get("it_contacts", ""),
        missing_documentation=post.get("missing_documentation", ""),
        **_notes_from(post))
    return (f"Udfaldet er registreret: {decision.get_outcome_display()} "
            f"(runde {decision.round}).")


def _hold(request: HttpRequest, meeting: Meeting) -> str:
    services.meeting_hold(actor=request.user, meeting_id=meeting.pk)
    return "Mødet er markeret som afholdt."


def _generate_minutes(request: HttpRequest, meeting: Meeting) -> str:
    services.minutes_generate(actor=request.user, meeting_id=meeting.pk)
    return "Referatet er dannet. Læs det igennem, ret det og godkend det."


def _edit_draft(request: HttpRequest, meeting: Meeting) -> str:
    services.minutes_edit(actor=request.user, meeting_id=meeting.pk,
                          text=inputs.minutes_value(request.POST.get("text", "")),
                          text_base=request.POST.get("text_base"))
    return "Referatkladden er gemt."


def _approve_minutes(request: HttpRequest, meeting: Meeting) -> str:
    services.minutes_approve(actor=request.user, meeting_id=meeting.pk)
    return "Referatet er godkendt og låst."


def _correct_minutes(request: HttpRequest, meeting: Meeting) -> str:
    post = request.POST
    text, reason = inputs.correction_values(post.get("text", ""), post.get("reason", ""))
    services.minutes_correct(actor=request.user, meeting_id=meeting.pk, text=text,
                             reason=reason, revision_base=_revision_base(post))
    return "Rettelsen er gemt som en ny version af referatet."


MEETING_ACTIONS: dict[str, MeetingAction] = {
    "tilfoej-sag": _add_case, "tilfoej-punkt": _add_item, "flyt": _move_item,
    "fjern": _remove_item, "udsend": _publish, "punkt": _save_item, "spoerg": _ask,
    "svar": _answer, "udfald": _record_outcome, "afholdt": _hold,
    "dan-referat": _generate_minutes, "ret-kladde": _edit_draft,
    "godkend-referat": _approve_minutes, "ret-referat": _correct_minutes,
}

# Not the board's alone: a case's coordinator may answer a question (`_answer` asks).
ANYONE_WHO_MAY = {"svar"}


@login_required
@require_POST
def meeting_action(request: HttpRequest, meeting_pk: int, op: str) -> HttpResponse:
    try:
        meeting = _meeting_or_404(request, meeting_pk)
    except MoveRefused as exc:
        return _refused(request, exc.message)
    run = MEETING_ACTIONS.get(op)
    if run is None:
        raise Http404("Ukendt handling.")
    try:
        if op not in ANYONE_WHO_MAY:
            # the board's role before the form's fields (403 before 400, as in the API)
            permissions.require(board_refusal(request.user))
        message = run(request, meeting)
    except DomainError as exc:
        refusal = html_refusal(exc)
        status, error = refusal.status, refusal.message
        fields = [(FIELD_LABELS.get(f, f), m) for f, m in refusal.fields.items()]
    else:
        messages.success(request, message)
        anchor = f"#punkt-{request.POST['item']}" if request.POST.get("item", "").isdigit() else ""
        return redirect(reverse("meetings:meeting_detail", kwargs={"meeting_pk": meeting_pk})
                        + anchor)
    meeting.refresh_from_db()
    context = _meeting_context(request, meeting, error=error, error_fields=fields,
                               posted=request.POST, op=op)
    return render(request, "meetings/meeting_detail.html", context, status=status)


# --- exports -----------------------------------------------------------------------------------


def _download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _export_meeting(request: HttpRequest, meeting_pk: int) -> Meeting | HttpResponse:
    try:
        return _meeting_or_404(request, meeting_pk)
    except MoveRefused as exc:
        return _refused(request, exc.message)


@login_required
def agenda_pdf(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    meeting = _export_meeting(request, meeting_pk)
    if isinstance(meeting, HttpResponse):
        return meeting
    body = exports.agenda_pdf(meeting, selectors.agenda_items(meeting))
    return _download(body, "application/pdf", f"dagsorden-{meeting.starts_at:%Y-%m-%d}.pdf")


@login_required
def minutes_pdf(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    """The latest revision (or ?version=N); before any, a preview marked as not saved."""
    meeting = _export_meeting(request, meeting_pk)
    if isinstance(meeting, HttpResponse):
        return meeting
    revisions = meeting.minutes.select_related("approved_by").order_by("-number")
    wanted = request.GET.get("version", "")
    revision = (revisions.filter(number=int(wanted)).first() if wanted.isdigit()
                else revisions.first())
    if wanted and revision is None:
        raise Http404("Den version af referatet findes ikke.")
    if revision is None:
        snapshot = minutes.snapshot_of(meeting)
        revision = meeting.minutes.model(meeting=meeting, number=0,
                                         text=minutes.render_text(snapshot), snapshot=snapshot)
    body = exports.minutes_pdf(meeting, revision)
    return _download(body, "application/pdf",
                     f"referat-{meeting.starts_at:%Y-%m-%d}-v{revision.number}.pdf")


@login_required
def meeting_ics(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    meeting = _export_meeting(request, meeting_pk)
    if isinstance(meeting, HttpResponse):
        return meeting
    body = exports.meeting_ics(meeting, selectors.agenda_items(meeting),
                               domain=request.get_host().split(":")[0] or "anskaf.local")
    return _download(body, "text/calendar; charset=utf-8",
                     f"it-visitationen-{meeting.starts_at:%Y-%m-%d}.ics")


# --- from the case page ------------------------------------------------------------------------


@login_required
@require_POST
def put_forward(request: HttpRequest, pk: int) -> HttpResponse:
    """"Kontakt IT-visitationen" on the case page."""
    try:
        note, _ = inputs.put_forward_values(request.POST.get("note", ""))
        referral = services.case_put_forward(actor=request.user, case_id=pk, note=note)
    except NotFound:
        raise Http404("Sagen findes ikke.") from None
    except MoveRefused as exc:
        if exc.status == 403:
            return _refused(request, exc.message)
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Sagen er sendt til IT-visitationen (runde {referral.round}) "
                                  "og står nu i køen til et møde.")
    return redirect(reverse("cases:case_detail", kwargs={"pk": pk}) + "#it-visitationen")


@login_required
@require_POST
def documentation_forward(request: HttpRequest, pk: int) -> HttpResponse:
    """"Kontakt IT-visitationen" on the documentation step: completes the step with what its
    form sends and puts the case forward (one service); a refusal keeps what was typed."""
    post = request.POST
    from_form = "version" in post  # sent with the step's own form (remarks and ticks)
    number = params.form_int(post.get("step"))
    try:
        note, reason = inputs.put_forward_values(post.get("note", ""), post.get("reason", ""),
                                                 note_limit=1500)
        referral = services.documentation_put_forward(
            actor=request.user, case_id=pk,
            remarks=post.get("remarks", "") if from_form else None,
            ticked=post.getlist("checked") if from_form else None,
            version=params.form_int(post.get("version")), reason=reason, note=note)
    except NotFound:
        raise Http404("Sagen findes ikke.") from None
    except MoveRefused as exc:
        if exc.status == 403:
            return _refused(request, exc.message)
        context = case_page_context(request, pk, acted=number, feedback={
            "kind": "error", "message": exc.message, "conflict": isinstance(exc, Conflict)})
        context.update(posted=post, posted_checked=post.getlist("checked"))
        return render(request, "cases/case_detail.html", context, status=exc.status)
    messages.success(request, f"Sagen er sendt til IT-visitationen (runde {referral.round}) "
                              "og står nu i køen til et møde.")
    anchor = f"#trin-{number}" if number else "#it-visitationen"
    return redirect(reverse("cases:case_detail", kwargs={"pk": pk}) + anchor)

