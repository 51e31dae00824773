"""What changed between two process models, per step and in words (Danish, for the admin).

Pure Python. Steps are matched by key, never by number: a step inserted in front renumbers
every later step, and that is reported once per step as "now step N", not as a changed step.
References to other steps (requires, a gate's rests_on, an outcome's reopen, the operation
step) are compared as sets of the keys they point at, so renumbering alone changes no rule.
A step is "moved" when its place among the steps both models have changed (it is outside the
longest common order), or when it changed phase.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .model import (
    ChecklistItemDef,
    DocumentTypeDef,
    GateDef,
    OutcomeDef,
    ProcessModel,
    StepDef,
    Text,
)

ADDED, REMOVED, CHANGED, MOVED, RENUMBERED = "added", "removed", "changed", "moved", "renumbered"
STATUS_LABELS = {ADDED: "Tilføjet", REMOVED: "Fjernet", CHANGED: "Ændret", MOVED: "Flyttet",
                 RENUMBERED: "Nyt nummer"}
OUTCOME_LABELS = {"yes": "Ja", "maybe": "Måske", "no": "Nej"}
EFFECT_LABELS = {"advance": "går videre", "repeat": "gentager", "reject": "afviser"}


@dataclass(frozen=True)
class StepDiff:
    key: str
    title: str  # the new title (the old one for a removed step)
    old_number: int | None
    new_number: int | None
    status: str  # ADDED, REMOVED, MOVED, CHANGED or RENUMBERED
    changes: tuple[str, ...] = ()

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def where(self) -> str:
        if self.old_number is None:
            return f"trin {self.new_number}"
        if self.new_number is None or self.new_number == self.old_number:
            return f"trin {self.old_number}"
        return f"trin {self.old_number} → {self.new_number}"


@dataclass(frozen=True)
class ModelDiff:
    model: tuple[str, ...] = ()  # changes to the model as a whole (name, roles, phases, ...)
    steps: tuple[StepDiff, ...] = field(default_factory=tuple)

    @property
    def is_empty(self) -> bool:
        return not self.model and not self.steps

    def counts(self) -> dict[str, int]:
        counts = {status: 0 for status in STATUS_LABELS}
        for step in self.steps:
            counts[step.status] += 1
        return counts

    def lines(self) -> list[str]:
        """The diff as plain text lines (the CLI prints them)."""
        if self.is_empty:
            return ["Ingen forskelle."]
        out = [f"Modellen: {change}" for change in self.model]
        for step in self.steps:
            out.append(f"{step.status_label}: {step.where} {step.key} »{step.title}«")
            out.extend(f"  - {change}" for change in step.changes)
        return out


def diff_models(old: ProcessModel, new: ProcessModel) -> ModelDiff:
    return ModelDiff(model=tuple(_model_changes(old, new)), steps=tuple(_step_diffs(old, new)))


# --- the model as a whole ------------------------------------------------------------------------


def _model_changes(old: ProcessModel, new: ProcessModel) -> Iterable[str]:
    if old.key != new.key:
        yield f"nøgle ændret fra {old.key!r} til {new.key!r}"
    yield from _text_change("navn", old.name, new.name)
    yield from _text_change("indledning", old.introduction, new.introduction)
    for role in new.roles.keys() - old.roles.keys():
        yield f"rolle tilføjet: {role} »{new.roles[role].da}«"
    for role in old.roles.keys() - new.roles.keys():
        yield f"rolle fjernet: {role} »{old.roles[role].da}«"
    for role in sorted(old.roles.keys() & new.roles.keys()):
        if old.roles[role] != new.roles[role]:
            yield f"rolle {role} omdøbt fra »{old.roles[role].da}« til »{new.roles[role].da}«"
    old_phases = {p.number: p for p in old.phases}
    new_phases = {p.number: p for p in new.phases}
    for number in sorted(new_phases.keys() - old_phases.keys()):
        yield f"fase {number} tilføjet: »{new_phases[number].name.da}«"
    for number in sorted(old_phases.keys() - new_phases.keys()):
        yield f"fase {number} fjernet: »{old_phases[number].name.da}«"
    for number in sorted(old_phases.keys() & new_phases.keys()):
        if old_phases[number].name != new_phases[number].name:
            yield (f"fase {number} omdøbt fra »{old_phases[number].name.da}« "
                   f"til »{new_phases[number].name.da}«")
    old_op, new_op = _key_of(old, old.operation_step), _key_of(new, new.operation_step)
    if old_op != new_op:
        yield f"driftstrinnet er nu {new_op} (før {old_op})"
    old_segments = [tuple(_key_of(old, n) for n in seg) for seg in old.segments]
    new_segments = [tuple(_key_of(new, n) for n in seg) for seg in new.segments]
    if old_segments != new_segments:
        yield (f"afsnittene mellem beslutningspunkterne er ændret "
               f"({len(old.segments)} før, {len(new.segments)} nu)")


def _text_change(what: str, old: Text, new: Text) -> Iterable[str]:
    if old.da != new.da:
        yield f"{what} ændret fra »{_short(old.da)}« til »{_short(new.da)}«"
    elif old.en != new.en:
        yield f"{what} (engelsk) ændret"


def _short(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _key_of(model: ProcessModel, number: int) -> str:
    return model.step(number).key if model.has_step(number) else str(number)


def _keys(model: ProcessModel, numbers: Iterable[int]) -> tuple[str, ...]:
    return tuple(_key_of(model, n) for n in numbers)


# --- steps -----------------------------------------------------------------------------------------


def _step_diffs(old: ProcessModel, new: ProcessModel) -> Iterable[StepDiff]:
    old_by_key = {s.key: s for s in old.steps}
    new_by_key = {s.key: s for s in new.steps}
    common_old = [s.key for s in old.steps if s.key in new_by_key]
    common_new = [s.key for s in new.steps if s.key in old_by_key]
    in_order = _lcs(common_old, common_new)
    for step in new.steps:
        before = old_by_key.get(step.key)
        if before is None:
            yield StepDiff(step.key, step.title.da, None, step.number, ADDED)
            continue
        changes = list(_changes(old, before, new, step))
        moved = step.key not in in_order
        if before.phase != step.phase:
            changes.insert(0, f"flyttet fra fase {before.phase} til fase {step.phase}")
            moved = True
        elif moved:
            changes.insert(0, "flyttet til en anden plads i rækkefølgen")
        if moved:
            status = MOVED
        elif changes:
            status = CHANGED
        elif before.number != step.number:
            status = RENUMBERED
        else:
            continue
        yield StepDiff(step.key, step.title.da, before.number, step.number, status,
                       tuple(changes))
    for step in old.steps:
        if step.key not in new_by_key:
            yield StepDiff(step.key, step.title.da, step.number, None, REMOVED)


def _lcs(a: list[str], b: list[str]) -> set[str]:
    """The keys of a longest common subsequence of a and b (steps that kept their order)."""
    lengths = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            lengths[i][j] = (lengths[i + 1][j + 1] + 1 if a[i] == b[j]
                             else max(lengths[i + 1][j], lengths[i][j + 1]))
    keep, i, j = set(), 0, 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            keep.add(a[i])
            i, j = i + 1, j + 1
        elif lengths[i + 1][j] >= lengths[i][j + 1]:
            i += 1
        else:
            j += 1
    return keep


def _changes(old: ProcessModel, a: StepDef, new: ProcessModel, b: StepDef) -> Iterable[str]:
    yield from _text_change("titel", a.title, b.title)
    yield from _text_change("beskrivelse", a.description, b.description)
    if a.performers_text != b.performers_text:
        yield (f"udførende ændret fra »{_short(a.performers_text)}« "
               f"til »{_short(b.performers_text)}«")
    if a.roles != b.roles:
        yield f"roller ændret fra {_roles(a)} til {_roles(b)}"
    yield from _checklist(a.checklist, b.checklist)
    yield from _documents(a.documents, b.documents)
    yield from _rules(old, a, new, b)
    yield from _gate(old, a.gate, new, b.gate)


def _roles(step: StepDef) -> str:
    return ", ".join(f"{r.role}{' (valgfri)' if r.optional else ''}" for r in step.roles) or "ingen"


def _checklist(a: tuple[ChecklistItemDef, ...], b: tuple[ChecklistItemDef, ...]
               ) -> Iterable[str]:
    old, new = {i.id: i for i in a}, {i.id: i for i in b}
    for item in b:
        if item.id not in old:
            yield f"tjekpunkt tilføjet: {item.id} »{_short(item.label.da)}«"
    for item in a:
        if item.id not in new:
            yield f"tjekpunkt fjernet: {item.id} »{_short(item.label.da)}«"
    for item in b:
        before = old.get(item.id)
        if before is None:
            continue
        if before.label.da != item.label.da:
            yield (f"tjekpunkt {item.id} ændret fra »{_short(before.label.da)}« "
                   f"til »{_short(item.label.da)}«")
        if before.required != item.required:
            yield f"tjekpunkt {item.id} er nu {'påkrævet' if item.required else 'valgfrit'}"
        if before.answered_by != item.answered_by:
            yield (f"tjekpunkt {item.id} besvares nu af oprettelsens felt {item.answered_by}"
                   if item.answered_by else
                   f"tjekpunkt {item.id} besvares ikke længere ved oprettelsen")
    if [i.id for i in a if i.id in new] != [i.id for i in b if i.id in old]:
        yield "tjekpunkterne står i en anden rækkefølge"


def _documents(a: tuple[DocumentTypeDef, ...], b: tuple[DocumentTypeDef, ...]) -> Iterable[str]:
    old, new = {d.key: d for d in a}, {d.key: d for d in b}
    for doc in b:
        if doc.key not in old:
            yield f"dokument tilføjet: {doc.key} »{doc.title.da}«"
    for doc in a:
        if doc.key not in new:
            yield f"dokument fjernet: {doc.key} »{doc.title.da}«"
    flags = {"required": ("påkrævet", "ikke påkrævet"),
             "confidential": ("fortroligt", "ikke fortroligt"),
             "journal": ("til journalisering", "ikke til journalisering")}
    for doc in b:
        before = old.get(doc.key)
        if before is None:
            continue
        if before.title.da != doc.title.da:
            yield f"dokument {doc.key} omdøbt fra »{before.title.da}« til »{doc.title.da}«"
        for flag, (yes, no) in flags.items():
            if getattr(before, flag) != getattr(doc, flag):
                yield f"dokument {doc.key} er nu {yes if getattr(doc, flag) else no}"


def _rules(old: ProcessModel, a: StepDef, new: ProcessModel, b: StepDef) -> Iterable[str]:
    before, after = _keys(old, a.requires), _keys(new, b.requires)
    if set(before) != set(after):
        yield f"forudsætter nu {_list(after)} (før {_list(before)})"
    if a.requires_refusal != b.requires_refusal:
        yield f"afvisningen ændret fra {a.requires_refusal} til {b.requires_refusal}"
    if a.complete_roles != b.complete_roles:
        yield (f"kun disse roller kan afslutte: {_list(b.complete_roles)} "
               f"(før {_list(a.complete_roles)})")
    if a.only_when_replacing != b.only_when_replacing:
        yield ("gælder nu kun, når sagen erstatter et system" if b.only_when_replacing
               else "gælder nu for alle sager, ikke kun når et system erstattes")
    if a.kind != b.kind:
        yield f"art ændret fra {a.kind or 'ingen'} til {b.kind or 'ingen'}"


def _list(items: Iterable[str]) -> str:
    items = list(items)
    return ", ".join(items) if items else "ingen"


def _gate(old: ProcessModel, a: GateDef | None, new: ProcessModel, b: GateDef | None
          ) -> Iterable[str]:
    if a is None and b is None:
        return
    if a is None:
        yield "er nu et beslutningspunkt"
        return
    if b is None:
        yield "er ikke længere et beslutningspunkt"
        return
    yield from _text_change("beslutningsspørgsmål", a.question, b.question)
    if a.deciding_roles != b.deciding_roles:
        yield (f"besluttes nu af {_list(b.deciding_roles)} "
               f"(før {_list(a.deciding_roles)})")
    before, after = _keys(old, a.rests_on), _keys(new, b.rests_on)
    if set(before) != set(after):
        yield f"beslutningen hviler nu på {_list(after)} (før {_list(before)})"
    for key in b.outcomes.keys() - a.outcomes.keys():
        yield f"udfald tilføjet: {OUTCOME_LABELS.get(key, key)}"
    for key in a.outcomes.keys() - b.outcomes.keys():
        yield f"udfald fjernet: {OUTCOME_LABELS.get(key, key)}"
    for key in [k for k in b.outcomes if k in a.outcomes]:
        yield from _outcome(old, a.outcomes[key], new, b.outcomes[key])


def _outcome(old: ProcessModel, a: OutcomeDef, new: ProcessModel, b: OutcomeDef
             ) -> Iterable[str]:
    name = f"udfald {OUTCOME_LABELS.get(b.key, b.key)}"
    if a.label.da != b.label.da:
        yield f"{name}: tekst ændret fra »{a.label.da}« til »{b.label.da}«"
    if a.effect != b.effect:
        yield (f"{name}: {EFFECT_LABELS[b.effect.value]} nu "
               f"(før: {EFFECT_LABELS[a.effect.value]})")
    before, after = _keys(old, a.reopen), _keys(new, b.reopen)
    if set(before) != set(after):
        yield f"{name}: genåbner nu {_list(after)} (før {_list(before)})"
    if a.fields != b.fields:
        yield f"{name}: felter nu {_list(b.fields)} (før {_list(a.fields)})"
