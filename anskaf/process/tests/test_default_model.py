"""The default model (haderslev.yaml) is the guide: its 21 steps, gates, segments and rules.

Pure Python: no Django, no database.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from anskaf.process.loader import DEFAULT_MODEL_PATH, load_default, load_file, load_text, sha256_of
from anskaf.process.model import Effect

SEED_NAME = "seeds/000_d1f312790eb6d364.txt"
ROOT = Path(__file__).resolve().parents[3]
# shared/ sits beside the work tree (in CI too: a copy beside the fresh clone).
SEED = next((p for p in (ROOT.parent / "shared" / SEED_NAME, Path("/work/shared") / SEED_NAME)
             if p.exists()), ROOT.parent / "shared" / SEED_NAME)
MODEL = load_default()


def _norm(text: str) -> str:
    """The seed is a table dump with trailing spaces and tabs: compare on single spaces."""
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def seed_text() -> str:
    if not SEED.exists():
        pytest.skip(f"the guide's text is not at {SEED}")
    return _norm(SEED.read_text(encoding="utf-8"))


def test_the_default_model_has_21_steps_numbered_1_to_21():
    assert MODEL.numbers == tuple(range(1, 22))


def test_step_keys_are_unique():
    keys = [s.key for s in MODEL.steps]
    assert len(set(keys)) == 21


def test_the_gates_are_steps_6_7_and_18():
    assert [g.number for g in MODEL.gates] == [6, 7, 18]


def test_the_segments_are_cut_by_the_gates_as_in_process_md():
    assert MODEL.segments == (
        (1, 2, 3, 4, 5), (6,), (7,), (8, 9, 10, 11, 12, 13, 14, 15, 16, 17), (18,), (19, 20, 21),
    )


def test_the_phases_group_the_steps_as_in_process_md():
    assert [(p.number, p.steps) for p in MODEL.phases] == [
        (1, (1, 2)),
        (2, (3, 4, 5, 6)),
        (3, (7, 8, 9, 10, 11, 12)),
        (4, (13, 14, 15, 16, 17, 18)),
        (5, (19, 20, 21)),
    ]
    assert [p.name.da for p in MODEL.phases] == [
        "Behov og afklaring", "Dialog og IT-visitation", "Beslutning og aftaler",
        "Implementering", "Overgang til drift",
    ]


def test_every_step_sits_in_the_phase_that_lists_it():
    for phase in MODEL.phases:
        for n in phase.steps:
            assert MODEL.step(n).phase == phase.number


def test_gate_6_rests_on_1_to_5_gate_7_on_6_and_gate_18_on_8_to_17():
    assert MODEL.step(6).gate.rests_on == (1, 2, 3, 4, 5)
    assert MODEL.step(7).gate.rests_on == (6,)
    assert MODEL.step(18).gate.rests_on == tuple(range(8, 18))


def test_gate_6_has_ja_maybe_and_nej_with_their_effects():
    outcomes = MODEL.step(6).gate.outcomes
    assert set(outcomes) == {"yes", "maybe", "no"}
    assert outcomes["yes"].effect == Effect.ADVANCE
    assert outcomes["maybe"].effect == Effect.REPEAT
    assert outcomes["maybe"].reopen == (4, 5)
    assert outcomes["no"].effect == Effect.REJECT
    assert [outcomes[k].label.da for k in ("yes", "maybe", "no")] == ["Ja", "Måske", "Nej"]


def test_gate_7_has_only_ja_and_nej_and_nej_rejects():
    outcomes = MODEL.step(7).gate.outcomes
    assert set(outcomes) == {"yes", "no"}
    assert outcomes["yes"].effect == Effect.ADVANCE
    assert outcomes["no"].effect == Effect.REJECT


def test_gate_18_has_only_ja_and_nej_and_nej_returns_step_17():
    outcomes = MODEL.step(18).gate.outcomes
    assert set(outcomes) == {"yes", "no"}
    assert outcomes["yes"].effect == Effect.ADVANCE
    assert outcomes["no"].effect == Effect.REPEAT
    assert outcomes["no"].reopen == (17,)


def test_the_deciding_roles_are_the_it_board_at_6_and_management_at_7():
    assert MODEL.step(6).gate.deciding_roles == ("it_board",)
    assert MODEL.step(7).gate.deciding_roles == ("management",)
    assert MODEL.step(18).gate.deciding_roles


def test_only_steps_13_and_21_apply_only_when_a_system_is_replaced():
    assert [s.number for s in MODEL.steps if s.only_when_replacing] == [13, 21]


def test_step_12_requires_11_with_the_contract_before_dpa_refusal():
    step = MODEL.step(12)
    assert step.requires == (11,)
    assert step.requires_refusal == "contract_before_dpa"


def test_step_20_requires_19_and_21_requires_20():
    assert MODEL.step(20).requires == (19,)
    assert MODEL.step(21).requires == (20,)
    assert MODEL.step(20).requires_refusal == "step_not_open"


def test_no_other_step_has_an_explicit_requirement():
    assert {s.number: s.requires for s in MODEL.steps if s.requires} == {
        12: (11,), 20: (19,), 21: (20,),
    }


def test_step_20_is_the_operation_step():
    assert MODEL.operation_step == 20


def test_every_step_has_danish_and_english_title_and_description():
    for step in MODEL.steps:
        assert step.title.da and step.title.en, step.number
        assert step.description.da and step.description.en, step.number
        assert step.title.da != step.title.en, step.number


def test_every_step_names_at_least_one_known_role():
    for step in MODEL.steps:
        assert step.roles, step.number
        assert all(r.role in MODEL.roles for r in step.roles), step.number


def test_evt_in_the_performer_text_marks_a_role_optional_at_step_2():
    roles = {r.role: r.optional for r in MODEL.step(2).roles}
    assert roles == {"requester": False, "procurement": True}


def test_checklist_ids_are_unique_within_each_step():
    for step in MODEL.steps:
        ids = [i.id for i in step.checklist]
        assert len(ids) == len(set(ids)), step.number


def test_every_step_title_appears_verbatim_in_the_guide(seed_text):
    for step in MODEL.steps:
        assert _norm(step.title.da) in seed_text, (step.number, step.title.da)


def test_every_step_description_appears_verbatim_in_the_guide(seed_text):
    for step in MODEL.steps:
        assert _norm(step.description.da) in seed_text, step.number


def test_every_performer_text_appears_verbatim_in_the_guide(seed_text):
    for step in MODEL.steps:
        assert _norm(step.performers_text) in seed_text, (step.number, step.performers_text)


def test_the_guides_typo_koordinerede_is_kept():
    assert "Den koordinerede funktion" in MODEL.step(1).performers_text
    assert "koordinerede funktion" in MODEL.introduction.da


def test_the_guides_typo_kontakten_is_kept_in_step_11_or_12():
    assert "kontakten" in (MODEL.step(11).description.da + MODEL.step(12).description.da)


def test_the_guides_word_aktivering_is_kept_at_step_13_and_explained_in_english():
    assert "aktivering af data" in MODEL.step(13).description.da
    assert "aktivering" in MODEL.step(13).description.en


def test_the_procurement_address_is_kept_verbatim_at_step_2():
    assert "udbud-indkob@haderslev.dk" in MODEL.step(2).description.da


def test_spot_check_titles_verbatim():
    assert MODEL.step(1).title.da == "Behov/ønske meldes ind til koordinerende funktion"
    assert MODEL.step(4).title.da == "Dokumentation samles.\nKontakt IT-visitation"
    assert MODEL.step(6).title.da == "Kan vi gå videre med løsningen?"
    assert MODEL.step(18).title.da == "Er systemet klar til drift?"
    assert MODEL.step(21).title.da == "Evt. lukning af tidligere system"


def test_the_default_file_loads_the_same_through_every_entry_point():
    text = DEFAULT_MODEL_PATH.read_text(encoding="utf-8")
    assert load_text(text) == load_file(DEFAULT_MODEL_PATH) == MODEL


def test_sha256_of_is_the_hex_digest_of_the_utf8_content():
    assert sha256_of("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert sha256_of("æøå") != sha256_of("aeoa")
    assert len(sha256_of(DEFAULT_MODEL_PATH.read_text(encoding="utf-8"))) == 64
