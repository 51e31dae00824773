"""How an app names the steps it works on: by kind (the part a model gives a step, e.g.
`kind: board_review`) or else by key, never by number (ADR 0015).

Pure Python, so `anskaf model validate` can say which apps a model leaves silent without a
database. An app declares its bindings in its `steps.py`; a model without the step simply
leaves that part of the app silent.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import ProcessModel, StepDef


@dataclass(frozen=True)
class StepBinding:
    app: str  # the app that binds, as `model validate` names it
    purpose: str  # what the app does with the step (English, for operators)
    key: str | None = None
    kind: str | None = None

    def find(self, model: ProcessModel) -> StepDef | None:
        """The model's step for this binding: the step of the kind, else the step of the key."""
        if self.kind is not None and (step := model.step_of_kind(self.kind)) is not None:
            return step
        return model.step_by_key(self.key) if self.key is not None else None

    def number(self, model: ProcessModel) -> int | None:
        step = self.find(model)
        return step.number if step is not None else None

    def describe(self) -> str:
        kind = f"kind {self.kind!r}" if self.kind else ""
        key = f"key {self.key!r}" if self.key else ""
        return " or ".join(filter(None, (kind, key)))


def unbound(model: ProcessModel, bindings: list[StepBinding]) -> list[str]:
    """One warning line per binding the model leaves without a step."""
    return [f"warning: no step has {b.describe()}: {b.app} will not {b.purpose}"
            for b in bindings if b.find(model) is None]
