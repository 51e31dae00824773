"""Changed copies of the shipped model, as an administrator would write them (pure Python).

Used by the diff's unit tests, the publishing tests, the CLI's tests and the browser test.
"""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML

from anskaf.process.loader import DEFAULT_MODEL_PATH

NEW_STEP = {
    "number": 0,  # set by insert_step
    "key": "security_pre_screening",
    "phase": 0,  # set by insert_step: the phase of the step before it
    "title": {"da": "Forhåndsvurdering af informationssikkerhed",
              "en": "Information security pre-screening"},
    "description": {"da": "ISK vurderer systemet, før dokumentationen samles.",
                    "en": "The security consultants screen the system first."},
    "performers": {"text": "Informationssikkerhedskonsulenterne",
                   "roles": [{"role": "security"}]},
    "checklist": [{"id": "ps.1", "da": "Er der persondata?", "en": "Is there personal data?"}],
}


def shipped() -> str:
    return DEFAULT_MODEL_PATH.read_text(encoding="utf-8")


def load(content: str) -> Any:
    return YAML(typ="rt").load(content)


def dump(data: Any) -> str:
    out = io.StringIO()
    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.dump(data, out)
    return out.getvalue()


def insert_step(content: str, after: int, step: dict[str, Any] | None = None) -> str:
    """The model with one step more after step `after`: every later number one higher."""
    data = load(content)

    def shift(numbers: Any) -> list[int]:
        return [n + 1 if n > after else n for n in numbers]

    new = dict(step or NEW_STEP)
    new["number"] = after + 1
    index = next(i for i, s in enumerate(data["steps"]) if s["number"] == after)
    new["phase"] = data["steps"][index]["phase"]
    for s in data["steps"]:
        s["number"] = s["number"] + 1 if s["number"] > after else s["number"]
        if "requires" in s:
            s["requires"] = shift(s["requires"])
        rule = s.get("not_relevant")
        if rule is not None and "until_started" in rule:
            rule["until_started"] = shift(rule["until_started"])
        gate = s.get("gate")
        if gate is not None:
            gate["rests_on"] = shift(gate["rests_on"])
            for outcome in gate["outcomes"].values():
                if "reopen" in outcome:
                    outcome["reopen"] = shift(outcome["reopen"])
    for phase in data["phases"]:
        steps = shift(phase["steps"])
        if phase["number"] == new["phase"]:
            steps = sorted([*steps, after + 1])
        phase["steps"] = steps
    segments = []
    for seg in data["segments"]:
        seg = shift(seg)
        if after in seg:
            seg = sorted([*seg, after + 1])
        segments.append(seg)
    data["segments"] = segments
    if data["operation_step"] > after:
        data["operation_step"] += 1
    data["steps"].insert(index + 1, new)
    return dump(data)


def inserted_and_renamed() -> str:
    """The issue's example: a step inserted after the third and the third step renamed."""
    return rename_step(insert_step(shipped(), after=3), "initial_supplier_dialogue",
                       "Leverandørmøde")


def rename_step(content: str, key: str, title_da: str) -> str:
    data = load(content)
    step = next(s for s in data["steps"] if s["key"] == key)
    step["title"]["da"] = title_da
    return dump(data)


def edit_step(content: str, key: str, **changes: Any) -> str:
    data = load(content)
    step = next(s for s in data["steps"] if s["key"] == key)
    for name, value in changes.items():
        if value is None:
            step.pop(name, None)
        else:
            step[name] = value
    return dump(data)
