"""The BPMN 2.0 export (ADR 0033): valid against the standard's XSD (the copy inside
SpiffWorkflow's package), read by a real BPMN parser (SpiffWorkflow's), every step a user task
in its role's lane, the gates' outcomes as flows, drawn with coordinates. Pure Python."""

from __future__ import annotations

from pathlib import Path

import SpiffWorkflow
from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser, BpmnValidator
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from anskaf.process.bpmn import BPMN, BPMNDI, to_bpmn
from anskaf.process.loader import load_default, load_text
from anskaf.process.tests.model_edits import insert_step, rename_step, shipped

XSD = Path(SpiffWorkflow.__file__).parent / "bpmn" / "parser" / "schema" / "BPMN20.xsd"
NS = {"bpmn": BPMN, "bpmndi": BPMNDI}
MODEL = load_default()


def _xml(model=MODEL) -> etree._Element:
    return etree.fromstring(to_bpmn(model))


def _parser(data: bytes) -> BpmnParser:
    parser = BpmnParser(validator=BpmnValidator())
    parser.add_bpmn_str(data, "anskaf.bpmn")
    return parser


def test_it_validates_against_the_bpmn_xsd():
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert schema.validate(_xml()), schema.error_log


def test_it_validates_for_a_changed_model_too():
    model = load_text(rename_step(insert_step(shipped(), after=3), "it_board_meeting",
                                  "Møde & <drøftelse> i IT-visitationen"))
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert schema.validate(_xml(model)), schema.error_log
    tasks = {t.get("id"): t.get("name") for t in _xml(model).iterfind(".//bpmn:userTask", NS)}
    assert len(tasks) == 22
    assert tasks["Task_security_pre_screening"].startswith("4. ")
    assert "Møde & <drøftelse>" in tasks["Task_it_board_meeting"]


def test_spiffworkflows_parser_reads_it_and_finds_every_step():
    parser = _parser(to_bpmn(MODEL))
    spec = parser.get_spec("Process_haderslev")
    names = {t.bpmn_name for t in spec.task_specs.values() if getattr(t, "bpmn_name", None)}
    for step in MODEL.steps:
        assert f"Task_{step.key}" in spec.task_specs
        assert f"{step.number}. {step.title.da}" in names


def test_a_lane_per_role_and_each_step_in_its_roles_lane():
    root = _xml()
    lanes = {lane.get("id"): {ref.text for ref in lane.iterfind("bpmn:flowNodeRef", NS)}
             for lane in root.iterfind(".//bpmn:lane", NS)}
    assert set(lanes) == {f"Lane_{role}" for role in MODEL.roles}
    board = MODEL.step_by_key("it_board_decision")
    assert board is not None and board.gate is not None
    assert "Task_it_board_decision" in lanes[f"Lane_{board.gate.deciding_roles[0]}"]
    setup = MODEL.step_by_key("technical_setup")
    assert setup is not None
    assert "Task_technical_setup" in lanes[f"Lane_{setup.roles[0].role}"]
    every_ref = [ref for refs in lanes.values() for ref in refs]
    assert len(every_ref) == len(set(every_ref))  # each node in exactly one lane


def _flows(root: etree._Element) -> list[dict[str, str | None]]:
    return [{"source": f.get("sourceRef"), "target": f.get("targetRef"), "name": f.get("name"),
             "condition": f.findtext("bpmn:conditionExpression", namespaces=NS)}
            for f in root.iterfind(".//bpmn:sequenceFlow", NS)]


def test_gates_are_exclusive_gateways_with_their_outcomes_as_flows():
    root = _xml()
    flows = _flows(root)
    gateways = {g.get("id") for g in root.iterfind(".//bpmn:exclusiveGateway", NS)}
    for gate in MODEL.gates:
        assert f"Gateway_{gate.key}" in gateways
        out = [f for f in flows if f["source"] == f"Gateway_{gate.key}"]
        assert sorted(f["name"] for f in out) == sorted(
            o.label.da for o in gate.gate.outcomes.values())
    # Måske at the board's decision goes back to collecting documentation (the first step it
    # reopens); Nej at ready-for-operation back to testing; Nej at the board ends the case.
    maybe = next(f for f in flows if f["source"] == "Gateway_it_board_decision"
                 and f["name"] == "Måske")
    assert maybe["target"] == "Task_documentation_collected"
    assert maybe["condition"] == 'outcome == "maybe"'
    retest = next(f for f in flows if f["source"] == "Gateway_ready_for_operation"
                  and f["name"] == "Nej")
    assert retest["target"] == "Task_test_and_setup_dialogue"
    stop = next(f for f in flows if f["source"] == "Gateway_it_board_decision"
                and f["name"] == "Nej")
    assert stop["target"].startswith("EndEvent_rejected")


def test_replace_only_steps_sit_behind_a_condition():
    root = _xml()
    flows = _flows(root)
    for step in MODEL.steps:
        if not step.only_when_replacing:
            continue
        into = [f for f in flows if f["target"] == f"Task_{step.key}"]
        assert into == [{"source": f"Gateway_replaces_{step.key}", "target": f"Task_{step.key}",
                         "name": "Ja", "condition": "replaces_system"}]
        gateway = root.find(f".//bpmn:exclusiveGateway[@id='Gateway_replaces_{step.key}']", NS)
        default = next(f for f in root.iterfind(".//bpmn:sequenceFlow", NS)
                       if f.get("id") == gateway.get("default"))
        assert default.get("targetRef") == f"Gateway_join_{step.key}"


def test_every_node_and_flow_is_drawn_with_coordinates():
    root = _xml()
    drawn = {s.get("bpmnElement") for s in root.iterfind(".//bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement"): e for e in root.iterfind(".//bpmndi:BPMNEdge", NS)}
    process = root.find("bpmn:process", NS)
    for node in process:
        tag = etree.QName(node).localname
        if tag in ("userTask", "exclusiveGateway", "startEvent", "endEvent"):
            assert node.get("id") in drawn
        if tag == "sequenceFlow":
            assert len(edges[node.get("id")].findall("{*}waypoint")) >= 2
    assert {f"Lane_{role}" for role in MODEL.roles} <= drawn
    assert "Participant_case" in drawn


def _run(replaces_system: bool, outcomes: dict[str, list[str]]) -> list[str]:
    """Walk the diagram in SpiffWorkflow's engine: complete each ready task, answering a
    gate with the next outcome given for it (else "yes")."""
    spec = _parser(to_bpmn(MODEL)).get_spec("Process_haderslev")
    workflow = BpmnWorkflow(spec)
    workflow.data["replaces_system"] = replaces_system
    done: list[str] = []
    for _ in range(200):
        workflow.do_engine_steps()
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        if not ready:
            break
        task = ready[0]
        key = task.task_spec.name.removeprefix("Task_")
        queue = outcomes.get(key)
        task.data["outcome"] = queue.pop(0) if queue else "yes"
        task.data["replaces_system"] = replaces_system
        done.append(key)
        task.run()
    workflow.do_engine_steps()
    assert workflow.is_completed()
    return done


def test_the_diagram_runs_through_the_steps_in_spiffworkflow():
    keys = [s.key for s in MODEL.steps]
    replacing_only = {s.key for s in MODEL.steps if s.only_when_replacing}
    assert _run(True, {}) == keys
    assert _run(False, {}) == [k for k in keys if k not in replacing_only]
    # Måske once: documentation is collected and met over again, then Ja.
    walked = _run(False, {"it_board_decision": ["maybe", "yes"]})
    assert walked.count("documentation_collected") == 2
    assert walked.count("it_board_meeting") == 2
    # Nej at the board: the case stops there.
    walked = _run(False, {"it_board_decision": ["no"]})
    assert walked[-1] == "it_board_decision"
