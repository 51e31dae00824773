"""Case events -> notices. Each handler runs inside the transaction of the move that emitted
the event, so its notices and outbox rows commit or roll back with the move."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from anskaf.cases.extensions import CaseEvent
from anskaf.cases.models import Case, StepState
from anskaf.cases.process_models import model_for
from anskaf.orgs.models import User
from anskaf.process.model import ProcessModel

from . import recipients
from .choices import Kind
from .models import AnnouncedStep, StepDeadline
from .services import Notice, case_path, notify

OUTCOME_DA = {"yes": "Ja", "maybe": "Måske", "no": "Nej"}


def _case_label(case: Case) -> str:
    return f"{case.number} »{case.title}«"


def _step_label(model: ProcessModel, number: int) -> str:
    return f"trin {number}. {model.step(number).title.da}"


# --- steps that open ----------------------------------------------------------------------------


def announce_waiting_steps(event: CaseEvent) -> None:
    """Tell the performers of every step the case newly waits for (after any move).

    What was waiting before is what was announced before (AnnouncedStep), so the same rule
    serves every kind of move: a completion, a gate's Ja, a Måske that sends steps back, a
    reopening, a new case."""
    case: Case = event.case
    waiting = set(case.waiting_steps or [])
    announced = set(AnnouncedStep.objects.filter(case=case).values_list("step", flat=True))
    AnnouncedStep.objects.filter(case=case, step__in=announced - waiting).delete()
    new = sorted(waiting - announced)
    if not new:
        return
    AnnouncedStep.objects.bulk_create([AnnouncedStep(case=case, step=n) for n in new])
    model = model_for(case)
    assignees = dict(StepState.objects.filter(case=case, number__in=new)
                     .values_list("number", "assignee_id"))
    for number in new:
        step = model.step(number)
        people = recipients.with_deputies(
            recipients.step_performers(case, step, assignees.get(number))
            + _archive_askees(case, model, number))
        people = recipients.unique(people, without=event.actor)
        what = "en beslutning i " if step.gate else ""
        notify(people, Notice(
            kind=Kind.STEP_OPENED, organisation_id=case.organisation_id, case=case, step=number,
            subject=f"{case.number}: trin {number} venter på dig – {step.title.da}",
            body=(f"Sagen {_case_label(case)} venter nu på {what}{_step_label(model, number)}. "
                  f"Trinnet udføres af {step.performers_text or 'de ansvarlige roller'}."),
            path=case_path(case, number)))


def _archive_askees(case: Case, model: ProcessModel, number: int) -> list[User]:
    """The archive role is asked for its assessment when the archive step opens and one of the
    case's systems holds personal data or case records without one (issue 19)."""
    from anskaf.portfolio.services import archive_pending
    from anskaf.portfolio.steps import ARCHIVE

    if ARCHIVE.number(model) != number or not archive_pending(case.pk):
        return []
    return recipients.role_holders(case, ("archive",))


# --- decisions ----------------------------------------------------------------------------------


def decision_recorded(event: CaseEvent) -> None:
    """A gate's decision goes to the coordinator and the requesting unit; a Måske says what is
    missing."""
    case: Case = event.case
    model = model_for(case)
    decision: Any = event.data.get("decision")
    outcome = event.data.get("outcome", "")
    people = recipients.role_holders(case, ["requester"])
    coordinator = User.objects.filter(pk=case.coordinator_id, is_active=True).first()
    people = recipients.with_deputies([*([coordinator] if coordinator else []), *people])
    people = recipients.unique(people, without=event.actor)
    step = event.step or 0
    gate = model.step(step).gate
    lines = [gate.question.da if gate else "",
             f"Beslutning i {_step_label(model, step)} for sagen {_case_label(case)}: "
             f"{OUTCOME_DA.get(outcome, outcome)}."]
    if decision is not None and decision.rationale:
        lines.append(f"Begrundelse: {decision.rationale}")
    if outcome == "maybe" and decision is not None and decision.missing_documentation:
        lines.append("Der mangler:\n" + "\n".join(f"- {m}" for m in decision.missing_documentation))
    notify(people, Notice(
        kind=Kind.DECISION, organisation_id=case.organisation_id, case=case, step=step,
        subject=f"{case.number}: {OUTCOME_DA.get(outcome, outcome)} i {_step_label(model, step)}",
        body="\n\n".join(line for line in lines if line), path=case_path(case, step)))


# --- assignment ---------------------------------------------------------------------------------


def step_assigned(event: CaseEvent) -> None:
    assignee = event.data.get("assignee")
    if assignee is None or event.step is None:
        return
    case: Case = event.case
    model = model_for(case)
    people = recipients.unique(recipients.with_deputies([assignee]), without=event.actor)
    notify(people, Notice(
        kind=Kind.STEP_ASSIGNED, organisation_id=case.organisation_id, case=case,
        step=event.step,
        subject=f"{case.number}: du er tildelt {_step_label(model, event.step)}",
        body=(f"{event.actor.display_name()} har tildelt dig {_step_label(model, event.step)} "
              f"i sagen {_case_label(case)}."),
        path=case_path(case, event.step)))


# --- meetings (emitted by the meetings app, one event per case on the agenda) -------------------


def agenda_published(event: CaseEvent) -> None:
    """The participants and the case's coordinator hear that the case is on an agenda."""
    case: Case = event.case
    ids = [i for i in event.data.get("participant_ids", []) if isinstance(i, int)]
    if case.coordinator_id:
        ids.append(case.coordinator_id)
    people = list(User.objects.filter(pk__in=ids, organisation_id=case.organisation_id,
                                      is_active=True).order_by("pk"))
    people = recipients.unique(recipients.with_deputies(people), without=event.actor)
    title = str(event.data.get("title") or "IT-visitationens møde")
    starts = str(event.data.get("starts_at") or "")
    when = f" ({_danish_datetime(starts)})" if starts else ""
    notify(people, Notice(
        kind=Kind.AGENDA, organisation_id=case.organisation_id, case=case, step=event.step,
        subject=f"{case.number} er på dagsordenen: {title}",
        body=(f"Dagsordenen for {title}{when} er offentliggjort. Sagen {_case_label(case)} "
              "er på dagsordenen."),
        path=case_path(case, event.step)))


def _danish_datetime(value: str) -> str:
    import datetime as dt

    from django.utils import timezone

    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%d.%m.%Y kl. %H.%M")


# --- deputies (orgs' hooks) ---------------------------------------------------------------------


def deputy_changed(*, deputy: Any, actor: User, removed: bool = False) -> None:
    """The deputy hears that they stand in for someone (or no longer do)."""
    from django.urls import reverse

    period = f"{deputy.starts_on.strftime('%d.%m.%Y')}–{deputy.ends_on.strftime('%d.%m.%Y')}"
    name = deputy.person.display_name()
    if removed:
        subject = f"Du er ikke længere stedfortræder for {name}"
        body = f"{name} har fjernet dig som stedfortræder i perioden {period}."
    else:
        subject = f"Du er stedfortræder for {name} {period}"
        body = (f"{name} har gjort dig til stedfortræder i perioden {period}. I perioden ser du "
                f"de trin, der er tildelt {name}, under Mine opgaver og kan arbejde på dem.")
    notify(recipients.unique([deputy.deputy], without=actor), Notice(
        kind=Kind.DEPUTY, organisation_id=deputy.organisation_id, subject=subject, body=body,
        path=reverse("cases:my_tasks")))


def deputy_removed(*, deputy: Any, actor: User) -> None:
    deputy_changed(deputy=deputy, actor=actor, removed=True)


ORG_LISTENERS: list[tuple[str, Callable[..., None]]] = [
    ("deputy.added", deputy_changed),
    ("deputy.removed", deputy_removed),
]

def case_handed_over(event: CaseEvent) -> None:
    """A hand-over: the deadlines the old coordinator set on the case move to the new one (the
    reminders' coordinator level follows the case's coordinator by itself), and both are told
    (the actor knows already; a deactivated person gets nothing)."""
    case: Case = event.case
    old: User | None = event.data.get("previous")
    new: User = event.data["coordinator"]
    if old is not None:
        StepDeadline.objects.filter(case=case, set_by=old).update(set_by=new)
    steps = event.data.get("steps") or []
    moved = (f" Trin {', '.join(map(str, steps))}, som var tildelt den tidligere koordinator, "
             "er flyttet med." if steps else "")
    old_name = old.display_name() if old is not None else "ingen"
    for person, subject, body in (
        (new, f"{case.number}: du er nu koordinator for sagen",
         f"Sagen {_case_label(case)} er overdraget til dig fra {old_name}.{moved}"),
        (old, f"{case.number}: sagen er overdraget til {new.display_name()}",
         f"Sagen {_case_label(case)} er overdraget fra dig til {new.display_name()}.{moved}"),
    ):
        if person is None or not person.is_active or person.pk == event.actor.pk:
            continue
        notify([person], Notice(kind=Kind.HANDOVER, organisation_id=case.organisation_id,
                                case=case, subject=subject, body=body, path=case_path(case)))


def case_model_migrated(event: CaseEvent) -> None:
    """A case moved to a newer model version (ADR 0032): its coordinator is told what changed
    for the case (the new steps, the removed and renamed ones), unless they moved it."""
    case: Case = event.case
    person = case.coordinator
    if person is None or not person.is_active or (
            event.actor is not None and person.pk == event.actor.pk):
        return
    changes = "\n".join(f"- {line}" for line in event.data.get("changes", []))
    notify(recipients.with_deputies([person]), Notice(
        kind=Kind.MODEL, organisation_id=case.organisation_id, case=case,
        subject=f"{case.number}: sagen følger nu version {event.data.get('to_version')} "
                "af procesmodellen",
        body=(f"Sagen {_case_label(case)} er flyttet fra version "
              f"{event.data.get('from_version')} til version {event.data.get('to_version')} "
              f"af procesmodellen. Det ændrer sig for sagen:\n{changes}\n"
              "Gennemførte trin beholder de tekster, de blev gennemført under."),
        path=case_path(case)))


# Every case event this app reacts to. Registered in NotificationsConfig.ready().
STEP_MOVES = ("case.created", "case.updated", "case.withdrawn", "step.started", "step.completed",
              "step.not_relevant", "step.reopened", "decision.recorded")
HANDLERS: list[tuple[str, Callable[[CaseEvent], None]]] = [
    *((e, announce_waiting_steps) for e in STEP_MOVES),
    ("decision.recorded", decision_recorded),
    ("step.assigned", step_assigned),
    ("meeting.agenda_published", agenda_published),
    ("case.handed_over", case_handed_over),
    ("case.model_migrated", case_model_migrated),
    ("case.model_migrated", announce_waiting_steps),
]
