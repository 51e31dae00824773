"""The process model as plain data: steps, phases, segments and gates.

Pure Python (no Django). Loaded from YAML by `loader.py`; asked questions by `engine.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Effect(StrEnum):
    ADVANCE = "advance"  # the gate is done; the next segment opens
    REPEAT = "repeat"  # the gate stays open, named steps return to in progress, a new round
    REJECT = "reject"  # the gate is done and the case is rejected


@dataclass(frozen=True)
class Text:
    da: str
    en: str

    def get(self, language: str) -> str:
        return self.en if language.startswith("en") else self.da


@dataclass(frozen=True)
class RoleRef:
    role: str
    optional: bool = False


# The conditions a requirement may depend on (`when:` in the model); each is a fact of the case.
CONDITIONS = ("replaces_system",)

# The questions the create form asks (each a field of the case). A checklist item that names one
# with `answered_by:` is ticked when the case is created with an answer, so the first step does
# not ask again what the form just asked.
CASE_ANSWERS = ("need", "strategic_fit", "user_impact")


@dataclass(frozen=True)
class Requirement:
    """When a required checklist item or document type binds: `when` names a condition of the
    case (it binds only while it holds); `waivable` lets whoever works on the step declare it
    "ikke relevant" with a reason (the guide's "Hvis relevant")."""

    when: str | None = None
    waivable: bool = False


@dataclass(frozen=True)
class ChecklistItemDef:
    id: str
    label: Text
    required: bool = False
    condition: Requirement = Requirement()
    answered_by: str | None = None  # a CASE_ANSWERS field: ticked when the case is created with it


@dataclass(frozen=True)
class DocumentTypeDef:
    """A kind of document a step asks for (the contract, the DPA, ...)."""

    key: str  # unique in the model, so a stored document names its type by key alone
    title: Text
    required: bool = False  # the step cannot be completed without at least one version
    confidential: bool = False  # readable only by the case's managers, performers, security, admins
    journal: bool = False  # offered for journalising in the records system
    condition: Requirement = Requirement()

    @property
    def id(self) -> str:
        """Waivers name checklist items and document types alike by this id."""
        return self.key

    @property
    def label(self) -> Text:
        return self.title


@dataclass(frozen=True)
class OutcomeDef:
    key: str
    label: Text
    effect: Effect
    reopen: tuple[int, ...] = ()
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class GateDef:
    deciding_roles: tuple[str, ...]
    rests_on: tuple[int, ...]
    question: Text
    outcomes: dict[str, OutcomeDef]


@dataclass(frozen=True)
class StepDef:
    number: int
    key: str
    phase: int
    title: Text
    description: Text
    performers_text: str
    roles: tuple[RoleRef, ...]
    checklist: tuple[ChecklistItemDef, ...] = ()
    requires: tuple[int, ...] = ()
    requires_refusal: str = "step_not_open"  # the refusal code when a required step is open
    complete_roles: tuple[str, ...] = ()  # when set, only these roles may complete the step
    complete_reason: bool = False  # completing the step by hand needs a reason (its remarks)
    # Who may mark the step not relevant (empty: whoever may work on it), and the steps whose
    # start (in progress, done or a ticked checklist item) rules it out for good.
    not_relevant_roles: tuple[str, ...] = ()
    not_relevant_until_started: tuple[int, ...] = ()
    only_when_replacing: bool = False
    gate: GateDef | None = None
    documents: tuple[DocumentTypeDef, ...] = ()
    kind: str | None = None  # the part an app gives the step (e.g. board_review); see bindings.py

    @property
    def is_gate(self) -> bool:
        return self.gate is not None

    @property
    def role_keys(self) -> tuple[str, ...]:
        return tuple(r.role for r in self.roles)

    def document_type(self, key: str) -> DocumentTypeDef | None:
        return next((d for d in self.documents if d.key == key), None)


@dataclass(frozen=True)
class PhaseDef:
    number: int
    key: str
    name: Text
    steps: tuple[int, ...]


@dataclass(frozen=True)
class ProcessModel:
    key: str
    name: Text
    roles: dict[str, Text]
    phases: tuple[PhaseDef, ...]
    segments: tuple[tuple[int, ...], ...]
    steps: tuple[StepDef, ...]
    operation_step: int
    introduction: Text = Text("", "")
    _by_number: dict[int, StepDef] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_number.update({s.number: s for s in self.steps})

    def step(self, number: int) -> StepDef:
        return self._by_number[number]

    def has_step(self, number: int) -> bool:
        return number in self._by_number

    def step_by_key(self, key: str) -> StepDef | None:
        return next((s for s in self.steps if s.key == key), None)

    def step_of_kind(self, kind: str) -> StepDef | None:
        return next((s for s in self.steps if s.kind == kind), None)

    @property
    def first_step(self) -> StepDef:
        return self.steps[0]

    @property
    def phase_numbers(self) -> tuple[int, ...]:
        return tuple(p.number for p in self.phases)

    @property
    def numbers(self) -> tuple[int, ...]:
        return tuple(s.number for s in self.steps)

    @property
    def gates(self) -> tuple[StepDef, ...]:
        return tuple(s for s in self.steps if s.gate is not None)

    def phase(self, number: int) -> PhaseDef:
        return next(p for p in self.phases if p.number == number)

    def segment_index(self, step_number: int) -> int:
        return next(i for i, seg in enumerate(self.segments) if step_number in seg)

    def gates_before(self, step_number: int) -> tuple[StepDef, ...]:
        """Gates in earlier segments than the step's own."""
        index = self.segment_index(step_number)
        return tuple(g for g in self.gates if self.segment_index(g.number) < index)

    def role_label(self, role: str, language: str = "da") -> str:
        text = self.roles.get(role)
        return text.get(language) if text else role
