"""Load and validate a process model from YAML, naming the line of every problem.

Round-trip loading keeps line numbers on every mapping and sequence, so a validation error
says "line 42: ..." instead of pointing at a Python traceback.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from .errors import REFUSALS_BY_CODE
from .model import (
    CASE_ANSWERS,
    CONDITIONS,
    ChecklistItemDef,
    DocumentTypeDef,
    Effect,
    GateDef,
    OutcomeDef,
    PhaseDef,
    ProcessModel,
    Requirement,
    RoleRef,
    StepDef,
    Text,
)

DEFAULT_MODEL_PATH = Path(__file__).parent / "models" / "haderslev.yaml"
OUTCOME_KEYS = ("yes", "maybe", "no")
DECISION_FIELDS = ("recommendations", "it_contacts", "missing_documentation")


@dataclass(frozen=True)
class Problem:
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class ModelInvalid(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def sha256_of(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def load_file(path: str | Path) -> ProcessModel:
    return load_text(Path(path).read_text(encoding="utf-8"))


def load_default() -> ProcessModel:
    return load_file(DEFAULT_MODEL_PATH)


def load_text(content: str) -> ProcessModel:
    try:
        data = YAML(typ="rt").load(content)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", exc)
        raise ModelInvalid([Problem(line, f"not valid YAML: {problem}")]) from None
    except RecursionError:
        raise ModelInvalid([Problem(None, "not valid YAML: nested too deeply")]) from None
    return _Builder(data).build()


def _line(node: Any, key: Any = None) -> int | None:
    lc = getattr(node, "lc", None)
    if lc is None:
        return None
    try:
        if key is not None:
            pos = lc.key(key) if isinstance(node, dict) else lc.item(key)
            return pos[0] + 1
        return lc.line + 1
    except (KeyError, IndexError, TypeError):
        return lc.line + 1


class _Builder:
    """Turns the composed YAML into dataclasses, collecting every problem on the way."""

    def __init__(self, data: Any) -> None:
        self.data = data
        self.problems: list[Problem] = []

    def fail(self, node: Any, key: Any, message: str) -> None:
        self.problems.append(Problem(_line(node, key), message))

    def build(self) -> ProcessModel:
        if not isinstance(self.data, dict):
            raise ModelInvalid([Problem(1, "the model must be a mapping")])
        d = self.data
        if d.get("schema") != 1:
            self.fail(d, "schema" if "schema" in d else None, "schema must be 1")
        key = self.string(d, "key")
        name = self.text(d, "name")
        intro = self.text(d, "introduction", optional=True) or Text("", "")
        roles = self.roles(d)
        steps = self.steps(d, roles)
        numbers = [s.number for s in steps]
        phases = self.phases(d, numbers)
        segments = self.segments(d, numbers)
        operation_step = self.integer(d, "operation_step")
        if operation_step is not None and operation_step not in numbers:
            self.fail(d, "operation_step", f"operation_step {operation_step} is not a step")
        if steps and len(steps) == len(d["steps"]):
            self.check_steps(d, steps, phases, segments)
        if self.problems:
            raise ModelInvalid(self.problems)
        return ProcessModel(
            key=key or "",
            name=name or Text("", ""),
            roles=roles,
            phases=tuple(phases),
            segments=tuple(segments),
            steps=tuple(steps),
            operation_step=operation_step or 0,
            introduction=intro,
        )

    # --- scalars ---------------------------------------------------------------------------

    def string(self, node: Any, key: str, optional: bool = False) -> str | None:
        if key not in node:
            if not optional:
                self.fail(node, None, f"'{key}' is missing")
            return None
        value = node[key]
        if isinstance(value, bool):
            self.fail(node, key, f"'{key}' is a boolean; quote it (YAML 1.1 reads yes/no as booleans)")
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(node, key, f"'{key}' must be a non-empty text")
            return None
        return str(value)

    def integer(self, node: Any, key: str) -> int | None:
        value = node.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(node, key if key in node else None, f"'{key}' must be a whole number")
            return None
        return value

    def int_list(self, node: Any, key: str, optional: bool = True) -> tuple[int, ...]:
        if key not in node:
            if not optional:
                self.fail(node, None, f"'{key}' is missing")
            return ()
        value = node[key]
        if not isinstance(value, list) or any(
            isinstance(v, bool) or not isinstance(v, int) for v in value
        ):
            self.fail(node, key, f"'{key}' must be a list of step numbers")
            return ()
        return tuple(value)

    def text(self, node: Any, key: str, optional: bool = False) -> Text | None:
        if key not in node:
            if not optional:
                self.fail(node, None, f"'{key}' is missing (with 'da' and 'en')")
            return None
        value = node[key]
        if not isinstance(value, dict):
            self.fail(node, key, f"'{key}' must have 'da' and 'en'")
            return None
        da, en = self.string(value, "da"), self.string(value, "en")
        return Text(da or "", en or "")

    # --- structures --------------------------------------------------------------------------

    def roles(self, d: Any) -> dict[str, Text]:
        roles = d.get("roles")
        if not isinstance(roles, dict) or not roles:
            self.fail(d, "roles" if "roles" in d else None, "'roles' must map role keys to labels")
            return {}
        return {str(k): self.text(roles, k) or Text("", "") for k in roles}

    def steps(self, d: Any, roles: dict[str, Text]) -> list[StepDef]:
        raw = d.get("steps")
        if not isinstance(raw, list) or not raw:
            self.fail(d, "steps" if "steps" in d else None, "'steps' must be a list of steps")
            return []
        steps = [s for i, node in enumerate(raw) if (s := self.step(raw, i, node, roles))]
        seen: set[int] = set()
        for i, step in enumerate(steps):
            if step.number in seen:
                self.fail(raw[i], "number", f"step number {step.number} is used twice")
            seen.add(step.number)
        self.check_unique(raw, steps, "key")
        self.check_unique(raw, steps, "kind")
        self.check_document_keys(raw, steps)
        return steps

    def check_unique(self, raw: Any, steps: list[StepDef], field: str) -> None:
        """Apps find a step by its key or kind, so each names one step only."""
        first: dict[str, int] = {}
        for i, step in enumerate(steps):
            value = getattr(step, field)
            if not value:
                continue
            if value in first:
                self.fail(raw[i] if i < len(raw) else None, field,
                          f"step {field} {value!r} is used twice "
                          f"(steps {first[value]} and {step.number})")
            first.setdefault(value, step.number)

    def check_document_keys(self, raw: Any, steps: list[StepDef]) -> None:
        """A document type's key is unique in the whole model: stored documents name it alone."""
        first: dict[str, int] = {}
        for i, step in enumerate(steps):
            node = raw[i] if i < len(raw) and isinstance(raw[i], dict) else None
            for j, doc in enumerate(step.documents):
                if doc.key in first:
                    where = node["documents"][j] if node is not None else None
                    self.fail(where, "key", f"document key {doc.key!r} is used twice "
                                            f"(steps {first[doc.key]} and {step.number})")
                first.setdefault(doc.key, step.number)

    def step(self, parent: Any, index: int, node: Any, roles: dict[str, Text]) -> StepDef | None:
        if not isinstance(node, dict):
            self.fail(parent, index, "a step must be a mapping")
            return None
        number = self.integer(node, "number")
        key = self.string(node, "key")
        phase = self.integer(node, "phase")
        title = self.text(node, "title")
        description = self.text(node, "description")
        performers = node.get("performers")
        performers_text = ""
        role_refs: tuple[RoleRef, ...] = ()
        if not isinstance(performers, dict):
            self.fail(node, "performers" if "performers" in node else None,
                      "'performers' must have 'text' and 'roles'")
        else:
            performers_text = self.string(performers, "text") or ""
            role_refs = self.role_refs(performers, roles)
        only = node.get("only_when_replacing", False)
        if not isinstance(only, bool):
            self.fail(node, "only_when_replacing", "'only_when_replacing' must be true or false")
        complete_reason = node.get("complete_reason", False)
        if not isinstance(complete_reason, bool):
            self.fail(node, "complete_reason", "'complete_reason' must be true or false")
        nr_roles, nr_until = self.not_relevant(node, roles)
        return StepDef(
            number=number or 0,
            key=key or "",
            phase=phase or 0,
            title=title or Text("", ""),
            description=description or Text("", ""),
            performers_text=performers_text,
            roles=role_refs,
            checklist=self.checklist(node, number),
            requires=self.int_list(node, "requires"),
            requires_refusal=self.refusal_code(node),
            complete_roles=self.role_list(node, "complete_roles", roles),
            complete_reason=bool(complete_reason),
            not_relevant_roles=nr_roles,
            not_relevant_until_started=nr_until,
            only_when_replacing=bool(only),
            gate=self.gate(node, "gate", roles) if "gate" in node else None,
            documents=self.documents(node),
            kind=self.string(node, "kind", optional=True),
        )

    def role_list(self, node: Any, key: str, roles: dict[str, Text]) -> tuple[str, ...]:
        value = node.get(key, [])
        if not isinstance(value, list) or any(r not in roles for r in value):
            self.fail(node, key, f"'{key}' must list known roles")
            return ()
        return tuple(str(r) for r in value)

    def not_relevant(self, node: Any, roles: dict[str, Text]
                     ) -> tuple[tuple[str, ...], tuple[int, ...]]:
        """`not_relevant: {roles: [...], until_started: [...]}`: who may mark the step not
        relevant, and which steps' start rules it out (checked against the steps later)."""
        if "not_relevant" not in node:
            return (), ()
        rule = node["not_relevant"]
        if not isinstance(rule, dict):
            self.fail(node, "not_relevant",
                      "'not_relevant' must be a mapping with 'roles' and/or 'until_started'")
            return (), ()
        unknown = sorted(str(k) for k in rule if k not in ("roles", "until_started"))
        if unknown:
            self.fail(rule, unknown[0], f"'not_relevant' knows only 'roles' and 'until_started', "
                                        f"not {', '.join(unknown)}")
        if "roles" in rule and not rule["roles"]:
            self.fail(rule, "roles", "'not_relevant.roles' must list at least one role "
                                     "(leave it out to let whoever works on the step decide)")
        return (self.role_list(rule, "roles", roles),
                self.int_list(rule, "until_started"))

    def refusal_code(self, node: Any) -> str:
        code = node.get("requires_refusal", "step_not_open")
        if code not in REFUSALS_BY_CODE:
            self.fail(node, "requires_refusal",
                      f"'requires_refusal' must be one of {', '.join(REFUSALS_BY_CODE)}")
            return "step_not_open"
        return str(code)

    def role_refs(self, performers: Any, roles: dict[str, Text]) -> tuple[RoleRef, ...]:
        raw = performers.get("roles")
        if not isinstance(raw, list) or not raw:
            self.fail(performers, "roles" if "roles" in performers else None,
                      "'performers.roles' must list at least one role")
            return ()
        refs = []
        for i, item in enumerate(raw):
            role = item.get("role") if isinstance(item, dict) else None
            if role not in roles:
                self.fail(raw, i, f"unknown role {role!r}; known roles: {', '.join(roles)}")
                continue
            optional = item.get("optional", False)
            if not isinstance(optional, bool):
                self.fail(item, "optional", "'optional' must be true or false")
            refs.append(RoleRef(role=role, optional=bool(optional)))
        return tuple(refs)

    def checklist(self, node: Any, number: int | None) -> tuple[ChecklistItemDef, ...]:
        raw = node.get("checklist", [])
        if not isinstance(raw, list):
            self.fail(node, "checklist", "'checklist' must be a list")
            return ()
        items, seen = [], set()
        for i, item in enumerate(raw):
            if not isinstance(item, dict):
                self.fail(raw, i, "a checklist item must be a mapping")
                continue
            item_id = self.string(item, "id")
            if item_id in seen:
                self.fail(item, "id", f"checklist id {item_id!r} is used twice in step {number}")
            seen.add(item_id)
            required = item.get("required", False)
            if not isinstance(required, bool):
                self.fail(item, "required", "'required' must be true or false")
            label = Text(self.string(item, "da") or "", self.string(item, "en") or "")
            answered_by = item.get("answered_by")
            if "answered_by" in item and answered_by not in CASE_ANSWERS:
                self.fail(item, "answered_by",
                          f"'answered_by' must be one of {', '.join(CASE_ANSWERS)}")
                answered_by = None
            items.append(ChecklistItemDef(id=item_id or "", label=label, required=bool(required),
                                          condition=self.requirement(item, required),
                                          answered_by=answered_by))
        return tuple(items)

    def requirement(self, item: Any, required: Any) -> Requirement:
        """`when: <condition>` and `waivable: true` qualify a required item (schema 1):

            required: true
            when: replaces_system   # binds only while the case replaces a system
            waivable: true          # "Hvis relevant": may be declared not relevant, with a reason
        """
        when, waivable = item.get("when"), item.get("waivable", False)
        if "when" in item and when not in CONDITIONS:
            self.fail(item, "when", f"'when' must be one of {', '.join(CONDITIONS)}")
            when = None
        if not isinstance(waivable, bool):
            self.fail(item, "waivable", "'waivable' must be true or false")
            waivable = False
        for key in ("when", "waivable"):
            if key in item and required is not True:
                self.fail(item, key, f"'{key}' qualifies a requirement; it needs 'required: true'")
        return Requirement(when=when, waivable=waivable)

    def documents(self, node: Any) -> tuple[DocumentTypeDef, ...]:
        raw = node.get("documents", [])
        if not isinstance(raw, list):
            self.fail(node, "documents", "'documents' must be a list")
            return ()
        docs = []
        for i, item in enumerate(raw):
            if not isinstance(item, dict):
                self.fail(raw, i, "a document type must be a mapping")
                continue
            key = self.string(item, "key")
            if key is not None and not key.replace("_", "").isalnum():
                self.fail(item, "key", f"document key {key!r} may only use letters, digits and _")
            flags = {}
            for flag in ("required", "confidential", "journal"):
                value = item.get(flag, False)
                if not isinstance(value, bool):
                    self.fail(item, flag, f"'{flag}' must be true or false")
                flags[flag] = bool(value)
            docs.append(DocumentTypeDef(key=key or "", title=self.text(item, "title") or Text("", ""),
                                        condition=self.requirement(item, flags["required"]),
                                        **flags))
        return tuple(docs)

    def gate(self, node: Any, key: str, roles: dict[str, Text]) -> GateDef | None:
        g = node[key]
        if not isinstance(g, dict):
            self.fail(node, key, "'gate' must be a mapping")
            return None
        deciding = g.get("deciding_roles")
        if not isinstance(deciding, list) or not deciding or any(r not in roles for r in deciding):
            self.fail(g, "deciding_roles" if "deciding_roles" in g else None,
                      "'deciding_roles' must list known roles")
            deciding = []
        outcomes_raw = g.get("outcomes")
        outcomes: dict[str, OutcomeDef] = {}
        if not isinstance(outcomes_raw, dict) or not outcomes_raw:
            self.fail(g, "outcomes" if "outcomes" in g else None, "'outcomes' must be a mapping")
        else:
            for okey, onode in outcomes_raw.items():
                if outcome := self.outcome(outcomes_raw, okey, onode):
                    outcomes[outcome.key] = outcome
            if outcomes and "yes" not in outcomes:
                self.fail(g, "outcomes", "a gate needs a \"yes\" outcome")
        return GateDef(
            deciding_roles=tuple(str(r) for r in deciding),
            rests_on=self.int_list(g, "rests_on", optional=False),
            question=self.text(g, "question") or Text("", ""),
            outcomes=outcomes,
        )

    def outcome(self, parent: Any, okey: Any, node: Any) -> OutcomeDef | None:
        if isinstance(okey, bool):
            self.fail(parent, okey, 'outcome key is a boolean: quote it ("yes", "no")')
            return None
        if okey not in OUTCOME_KEYS:
            self.fail(parent, okey, f"unknown outcome {okey!r}; use yes, maybe or no")
            return None
        if not isinstance(node, dict):
            self.fail(parent, okey, f"outcome {okey!r} must be a mapping")
            return None
        effect = node.get("effect")
        if effect not in {e.value for e in Effect}:
            self.fail(node, "effect" if "effect" in node else None,
                      f"outcome {okey!r}: effect must be advance, repeat or reject")
            return None
        fields = node.get("fields", [])
        if not isinstance(fields, list) or any(f not in DECISION_FIELDS for f in fields):
            self.fail(node, "fields", f"fields must be among {', '.join(DECISION_FIELDS)}")
            fields = []
        reopen = self.int_list(node, "reopen")
        if effect == Effect.REPEAT and not reopen:
            self.fail(node, None, f"outcome {okey!r} repeats, so it must name steps to 'reopen'")
        return OutcomeDef(
            key=okey,
            label=self.text(node, "label") or Text("", ""),
            effect=Effect(effect),
            reopen=reopen,
            fields=tuple(fields),
        )

    def phases(self, d: Any, numbers: list[int]) -> list[PhaseDef]:
        raw = d.get("phases")
        if not isinstance(raw, list) or not raw:
            self.fail(d, "phases" if "phases" in d else None, "'phases' must be a list")
            return []
        phases = []
        for i, node in enumerate(raw):
            if not isinstance(node, dict):
                self.fail(raw, i, "a phase must be a mapping")
                continue
            phases.append(PhaseDef(
                number=self.integer(node, "number") or 0,
                key=self.string(node, "key") or "",
                name=self.text(node, "name") or Text("", ""),
                steps=self.int_list(node, "steps", optional=False),
            ))
        covered = sorted(n for p in phases for n in p.steps)
        if covered != sorted(numbers):
            self.fail(d, "phases", "the phases must together list every step exactly once")
        return phases

    def segments(self, d: Any, numbers: list[int]) -> list[tuple[int, ...]]:
        raw = d.get("segments")
        if not isinstance(raw, list) or not raw:
            self.fail(d, "segments" if "segments" in d else None, "'segments' must be a list")
            return []
        segments = []
        for i, seg in enumerate(raw):
            if not isinstance(seg, list) or not seg or any(
                isinstance(n, bool) or not isinstance(n, int) for n in seg
            ):
                self.fail(raw, i, "a segment must be a list of step numbers")
                continue
            segments.append(tuple(seg))
        flat = [n for seg in segments for n in seg]
        if flat != sorted(numbers) or len(set(flat)) != len(flat):
            self.fail(d, "segments", "the segments must list every step once, in order")
        return segments

    def check_steps(self, d: Any, steps: list[StepDef], phases: list[PhaseDef],
                    segments: list[tuple[int, ...]]) -> None:
        raw = d["steps"]
        numbers = [s.number for s in steps]
        if numbers != sorted(numbers):
            self.fail(d, "steps", "step numbers must be in ascending order")
        keys = [s.key for s in steps]
        phase_numbers = {p.number for p in phases}
        segment_of = {n: i for i, seg in enumerate(segments) for n in seg}
        for i, step in enumerate(steps):
            node = raw[i]
            if keys.count(step.key) > 1:
                self.fail(node, "key", f"step key {step.key!r} is used twice")
            if phase_numbers and step.phase not in phase_numbers:
                self.fail(node, "phase", f"step {step.number}: phase {step.phase} does not exist")
            if step.number not in segment_of:
                continue  # already reported: the segments do not list every step
            for req in step.requires:
                if req not in segment_of or req >= step.number:
                    self.fail(node, "requires",
                              f"step {step.number} requires {req}, which is not an earlier step")
            if step.gate is not None and "not_relevant" in node:
                self.fail(node, "not_relevant",
                          f"step {step.number} is a gate; a gate is never marked not relevant")
            for later in step.not_relevant_until_started:
                if later not in segment_of or later == step.number:
                    self.fail(node["not_relevant"], "until_started",
                              f"step {step.number}: not_relevant.until_started names {later}, "
                              "which is not another step")
            if step.gate is not None:
                self.check_gate(node, step, segments, segment_of)

    def check_gate(self, node: Any, step: StepDef, segments: list[tuple[int, ...]],
                   segment_of: dict[int, int]) -> None:
        assert step.gate is not None
        if segments[segment_of[step.number]] != (step.number,):
            self.fail(node, "gate", f"gate {step.number} must be a segment of its own")
        for n in step.gate.rests_on:
            if n not in segment_of or segment_of[n] >= segment_of[step.number]:
                self.fail(node["gate"], "rests_on",
                          f"gate {step.number} rests on {n}, which is not in an earlier segment")
        for outcome in step.gate.outcomes.values():
            for n in outcome.reopen:
                if n not in step.gate.rests_on:
                    self.fail(node["gate"], "outcomes",
                              f"gate {step.number}: outcome {outcome.key!r} reopens {n}, "
                              "which the gate does not rest on")
