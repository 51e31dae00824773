"""The process model as BPMN 2.0 XML (issue 17, ADR 0033), for bpmn.io, Camunda Modeler and
other BPMN tools.

Pure Python (the standard library's ElementTree; no Django). The drawing is a picture of the
model, not a second engine: anskaf's engine stays the one that decides.

- One pool (the model), with a lane per role of the model.
- A user task per step, in the lane of the step's first required role (a gate: its first
  deciding role); its documentation holds the performers' own text and the description.
- Steps follow each other in the model's order (the engine lets the steps of a segment be done
  in any order; BPMN shows the model's order).
- A gate is its user task followed by an exclusive gateway; each outcome is a sequence flow
  named with its Danish label and a condition on the outcome's key: *advance* goes on, *repeat*
  goes back to the first step the outcome reopens (Måske: back to collecting documentation),
  *reject* ends in an end event.
- A step that applies only when a system is replaced sits behind an exclusive gateway with the
  condition `replaces_system`; the default flow passes it by, a joining gateway follows.
- BPMNDI: every shape and edge has coordinates, so a tool draws the diagram as written.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from .model import Effect, ProcessModel, StepDef

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
EXPORTER = "anskaf"
REPLACES_SYSTEM = "replaces_system"

# Layout (pixels): a column per flow node, a lane per role.
LANE_HEIGHT = 180
LANE_LABEL = 30  # the lane's name runs along its left edge, inside the pool's label band
POOL_LABEL = 30
COLUMN = 150
FIRST_X = POOL_LABEL + LANE_LABEL + 40
SIZES = {"userTask": (100, 80), "exclusiveGateway": (50, 50), "startEvent": (36, 36),
         "endEvent": (36, 36)}


def _q(tag: str) -> str:
    return f"{{{BPMN}}}{tag}"


def _id(prefix: str, key: str) -> str:
    """An XML id (NCName) from a model key."""
    return f"{prefix}_{re.sub(r'[^A-Za-z0-9_.-]', '_', key)}"


@dataclass
class _Node:
    id: str
    kind: str  # a key of SIZES
    name: str
    lane: str  # role key
    column: int
    below: bool = False  # an end event under its gateway (a rejecting outcome)
    documentation: str = ""
    default: str | None = None  # a gateway's default flow
    incoming: list[str] = field(default_factory=list)
    outgoing: list[str] = field(default_factory=list)


@dataclass
class _Flow:
    id: str
    source: str
    target: str
    name: str = ""
    condition: str | None = None


class _Graph:
    def __init__(self) -> None:
        self.nodes: dict[str, _Node] = {}
        self.flows: list[_Flow] = []
        self.column = 0

    def node(self, id_: str, kind: str, name: str, lane: str, *, same_column: bool = False,
             below: bool = False, documentation: str = "") -> _Node:
        if not same_column:
            self.column += 1
        node = _Node(id_, kind, name, lane, self.column, below, documentation)
        self.nodes[id_] = node
        return node

    def flow(self, source: _Node, target: _Node, name: str = "",
             condition: str | None = None) -> _Flow:
        flow = _Flow(f"Flow_{len(self.flows) + 1}", source.id, target.id, name, condition)
        self.flows.append(flow)
        source.outgoing.append(flow.id)
        target.incoming.append(flow.id)
        return flow


def _lane_of(step: StepDef, roles: list[str]) -> str:
    if step.gate is not None and step.gate.deciding_roles:
        return step.gate.deciding_roles[0]
    required = [r.role for r in step.roles if not r.optional] or list(step.role_keys)
    for role in required:
        if role in roles:
            return role
    return roles[0]


def _graph(model: ProcessModel) -> _Graph:
    roles = list(model.roles) or ["requester"]
    graph = _Graph()
    graph.column = -1
    first_lane = _lane_of(model.first_step, roles)
    start = graph.node("StartEvent_case", "startEvent", "Sagen oprettes", first_lane)
    entry: dict[int, _Node] = {}  # the node a flow into the step goes to
    # Pending flows into the next step: (source node, flow name, condition).
    pending: list[tuple[_Node, str, str | None]] = [(start, "", None)]
    gateway_flows: list[tuple[_Node, int, str, str]] = []  # back flows, drawn once all exist
    for step in model.steps:
        lane = _lane_of(step, roles)
        join: _Node | None = None
        if step.only_when_replacing:
            choice = graph.node(_id("Gateway_replaces", step.key), "exclusiveGateway",
                                "Erstatter sagen et eksisterende system?", lane)
            for source, name, condition in pending:
                graph.flow(source, choice, name, condition)
            entry[step.number] = choice
            pending = [(choice, "Ja", REPLACES_SYSTEM)]
        task = graph.node(_id("Task", step.key), "userTask", f"{step.number}. {step.title.da}",
                          lane, documentation=_documentation(model, step))
        for source, name, condition in pending:
            graph.flow(source, task, name, condition)
        entry.setdefault(step.number, task)
        pending = [(task, "", None)]
        if step.only_when_replacing:
            choice = entry[step.number]
            join = graph.node(_id("Gateway_join", step.key), "exclusiveGateway", "", lane)
            graph.flow(task, join)
            choice.default = graph.flow(choice, join, "Nej").id
            pending = [(join, "", None)]
        if step.gate is not None:
            gateway = graph.node(_id("Gateway", step.key), "exclusiveGateway",
                                 step.gate.question.da, lane)
            graph.flow(task, gateway)
            pending = []
            for key, outcome in step.gate.outcomes.items():
                condition = f'outcome == "{key}"'
                if outcome.effect == Effect.ADVANCE:
                    pending.append((gateway, outcome.label.da, condition))
                elif outcome.effect == Effect.REJECT:
                    end = graph.node(_id("EndEvent_rejected", f"{step.key}_{key}"), "endEvent",
                                     "Anskaffelsen stoppes", lane, same_column=True, below=True)
                    graph.flow(gateway, end, outcome.label.da, condition)
                else:
                    target = min(outcome.reopen) if outcome.reopen else step.number
                    gateway_flows.append((gateway, target, outcome.label.da, condition))
    end = graph.node("EndEvent_done", "endEvent", "Systemet er i drift",
                     pending[0][0].lane if pending else first_lane)
    for source, name, condition in pending:
        graph.flow(source, end, name, condition)
    for gateway, target, name, condition in gateway_flows:
        graph.flow(gateway, entry[target], name, condition)
    return graph


def _documentation(model: ProcessModel, step: StepDef) -> str:
    parts = [step.description.da.strip()]
    if step.performers_text.strip():
        parts.append("Udfører/interessenter: " + " ".join(step.performers_text.split()))
    roles = [model.role_label(r.role) + (" (evt.)" if r.optional else "") for r in step.roles]
    if roles:
        parts.append("Roller: " + ", ".join(roles))
    if step.only_when_replacing:
        parts.append("Kun når et eksisterende system erstattes.")
    parts.append(f"Nøgle: {step.key}")
    return "\n\n".join(p for p in parts if p)


def to_bpmn(model: ProcessModel) -> bytes:
    """The model as a BPMN 2.0 document (UTF-8 XML with an XML declaration)."""
    ET.register_namespace("bpmn", BPMN)
    ET.register_namespace("bpmndi", BPMNDI)
    ET.register_namespace("dc", DC)
    ET.register_namespace("di", DI)
    ET.register_namespace("xsi", XSI)
    graph = _graph(model)
    roles = list(model.roles) or ["requester"]
    process_id = _id("Process", model.key)
    root = ET.Element(_q("definitions"), {
        "id": _id("Definitions", model.key), "targetNamespace": f"urn:anskaf:model:{model.key}",
        "exporter": EXPORTER, "exporterVersion": "1"})
    collaboration = ET.SubElement(root, _q("collaboration"), {"id": "Collaboration_case"})
    ET.SubElement(collaboration, _q("participant"), {
        "id": "Participant_case", "name": model.name.da, "processRef": process_id})
    process = ET.SubElement(root, _q("process"), {
        "id": process_id, "name": model.name.da, "isExecutable": "true"})
    if model.introduction.da.strip():
        ET.SubElement(process, _q("documentation")).text = model.introduction.da.strip()
    lane_set = ET.SubElement(process, _q("laneSet"), {"id": "LaneSet_roles"})
    for role in roles:
        lane = ET.SubElement(lane_set, _q("lane"), {"id": _id("Lane", role),
                                                    "name": model.role_label(role)})
        for node in graph.nodes.values():
            if node.lane == role:
                ET.SubElement(lane, _q("flowNodeRef")).text = node.id
    for node in graph.nodes.values():
        attrs = {"id": node.id}
        if node.name:
            attrs["name"] = node.name
        if node.default:
            attrs["default"] = node.default
        element = ET.SubElement(process, _q(node.kind), attrs)
        if node.documentation:
            ET.SubElement(element, _q("documentation")).text = node.documentation
        for flow_id in node.incoming:
            ET.SubElement(element, _q("incoming")).text = flow_id
        for flow_id in node.outgoing:
            ET.SubElement(element, _q("outgoing")).text = flow_id
    for flow in graph.flows:
        attrs = {"id": flow.id, "sourceRef": flow.source, "targetRef": flow.target}
        if flow.name:
            attrs["name"] = flow.name
        element = ET.SubElement(process, _q("sequenceFlow"), attrs)
        if flow.condition:
            expression = ET.SubElement(element, _q("conditionExpression"),
                                       {f"{{{XSI}}}type": "bpmn:tFormalExpression"})
            expression.text = flow.condition
    _diagram(root, graph, roles)
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _bounds(parent: ET.Element, x: float, y: float, width: float, height: float) -> None:
    ET.SubElement(parent, f"{{{DC}}}Bounds", {"x": _n(x), "y": _n(y), "width": _n(width),
                                              "height": _n(height)})


def _n(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _diagram(root: ET.Element, graph: _Graph, roles: list[str]) -> None:
    lane_index = {role: i for i, role in enumerate(roles)}
    width = FIRST_X + (graph.column + 1) * COLUMN + 20
    height = len(roles) * LANE_HEIGHT
    diagram = ET.SubElement(root, f"{{{BPMNDI}}}BPMNDiagram", {"id": "Diagram_case"})
    plane = ET.SubElement(diagram, f"{{{BPMNDI}}}BPMNPlane", {
        "id": "Plane_case", "bpmnElement": "Collaboration_case"})
    shape = ET.SubElement(plane, f"{{{BPMNDI}}}BPMNShape", {
        "id": "Participant_case_di", "bpmnElement": "Participant_case", "isHorizontal": "true"})
    _bounds(shape, 0, 0, width, height)
    for role in roles:
        shape = ET.SubElement(plane, f"{{{BPMNDI}}}BPMNShape", {
            "id": _id("Lane", role) + "_di", "bpmnElement": _id("Lane", role),
            "isHorizontal": "true"})
        _bounds(shape, POOL_LABEL, lane_index[role] * LANE_HEIGHT, width - POOL_LABEL,
                LANE_HEIGHT)
    boxes: dict[str, tuple[float, float, float, float]] = {}
    for node in graph.nodes.values():
        w, h = SIZES[node.kind]
        center_x = FIRST_X + node.column * COLUMN + 50
        lane_y = lane_index[node.lane] * LANE_HEIGHT
        center_y = lane_y + (LANE_HEIGHT - 34 if node.below else 70)
        box = (center_x - w / 2, center_y - h / 2, w, h)
        boxes[node.id] = box
        attrs = {"id": node.id + "_di", "bpmnElement": node.id}
        if node.kind == "exclusiveGateway":
            attrs["isMarkerVisible"] = "true"
        shape = ET.SubElement(plane, f"{{{BPMNDI}}}BPMNShape", attrs)
        _bounds(shape, *box)
    for flow in graph.flows:
        edge = ET.SubElement(plane, f"{{{BPMNDI}}}BPMNEdge", {
            "id": flow.id + "_di", "bpmnElement": flow.id})
        for x, y in _waypoints(boxes[flow.source], boxes[flow.target],
                               lane_index[graph.nodes[flow.source].lane]):
            ET.SubElement(edge, f"{{{DI}}}waypoint", {"x": _n(x), "y": _n(y)})


def _waypoints(source: tuple[float, float, float, float],
               target: tuple[float, float, float, float],
               source_lane: int) -> list[tuple[float, float]]:
    sx, sy, sw, sh = source
    tx, ty, tw, th = target
    s_mid, t_mid = (sx + sw / 2, sy + sh / 2), (tx + tw / 2, ty + th / 2)
    if tx >= sx + sw:  # forward: out to the right, across lanes halfway between the shapes
        if abs(s_mid[1] - t_mid[1]) < 1:
            return [(sx + sw, s_mid[1]), (tx, t_mid[1])]
        bend = (sx + sw + tx) / 2
        return [(sx + sw, s_mid[1]), (bend, s_mid[1]), (bend, t_mid[1]), (tx, t_mid[1])]
    if abs(tx - sx) < 1 and ty > sy:  # straight down (a rejecting end under its gateway)
        return [(s_mid[0], sy + sh), (t_mid[0], ty)]
    # Back: up from the source, along the top of its lane, down (or up) into the target.
    track = source_lane * LANE_HEIGHT + 12
    into = ty if ty >= track else ty + th
    return [(s_mid[0], sy), (s_mid[0], track), (t_mid[0], track), (t_mid[0], into)]
