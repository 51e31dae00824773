"""Reading a filled-in Word guide and planning what importing it would do (issue 17 item 5,
ADR 0033). No database: the service (`guide_import.py`) writes what the plan says.

Two layouts are read, by their header row:
- the seed guide's table: Nr. | Trin | Beskrivelse | Udfører/interessenter | Gennemført ja/nej,
  with the remarks inside the description cell after the label "Egne bemærkninger:";
- anskaf's own export (`documents/guide.py: guide_docx`): Trin ("N. title") | Beskrivelse |
  Udfører/interessenter | Gennemført ja/nej | Egne bemærkninger | Tjekliste, plus the
  decisions below the table ("Trin N, runde R: Ja ...") and the case's title in the heading.

Rows are matched to the model's steps by title (tolerant of the guide's own spelling variants),
else by number. The plan replays the rows through the engine in the model's order, so the
model's rules hold: a gate marked done needs the importer to name its outcome, a contract
marked done before the DPA is refused with the rule's message, and so on.
"""

from __future__ import annotations

import difflib
import io
import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import IO, Any

from anskaf.process import engine
from anskaf.process.engine import Snapshot, StepStatus, Transition
from anskaf.process.errors import MoveRefused
from anskaf.process.model import Effect, ProcessModel, StepDef
from anskaf.validation.text import sanitize_imported

from .validation import OOXML_TYPES, BadFile, check_file, human_size, max_size

DOCX_TYPE = OOXML_TYPES["word/"]
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
REMARKS_LABEL = re.compile(r"egne\s+bem(?:æ|ae)rk(?:n)?inger\s*:?", re.IGNORECASE)
LEADING_NUMBER = re.compile(r"^\s*(\d{1,3})\s*[.)]\s*")
DECISION_LINE = re.compile(r"^trin\s+(\d{1,3}),\s*runde\s+(\d{1,3}):\s*(ja|måske|nej)\b",
                           re.IGNORECASE)
CASE_HEADING = re.compile(r"^sag\s+\S+:\s*(.+)$", re.IGNORECASE)
OUTCOME_WORDS = {"ja": "yes", "måske": "maybe", "nej": "no"}
YES_WORDS = ("ja", "j", "x", "yes", "done", "gennemført", "✓", "✔", "☒", "☑")
MATCH_BY_TITLE = 0.6  # a row whose title is at least this close to a step's is that step
MATCH_BY_NUMBER = 0.3  # else the step of the row's number, if the titles are not far apart
IMPORT_REASON = "Markeret ikke relevant i Word-vejledningen."
MAX_REMARKS = 20000


class ImportRefused(MoveRefused):
    """The plan has refusals (a gate without its outcome, a rule the rows break): 409."""

    code = "import_refused"


@dataclass(frozen=True)
class GuideRow:
    number: int | None
    title: str
    done_text: str
    remarks: str
    checklist: tuple[tuple[str, bool], ...] = ()  # (label, ticked), anskaf's layout only


@dataclass(frozen=True)
class ReadGuide:
    layout: str  # "guide" (the seed's five columns) or "anskaf" (anskaf's own export)
    rows: tuple[GuideRow, ...]
    title: str = ""  # the case's title, from anskaf's export heading
    outcomes: dict[int, str] = field(default_factory=dict)  # step number -> outcome key


# --- reading -------------------------------------------------------------------------------------


def read_upload(fileobj: IO[bytes], name: Any, size: int | None = None
                ) -> tuple[ReadGuide, Any]:
    """The guide in an uploaded file, and the checked file (name, size, sha256, type).
    BadFile (400, a Danish message) for anything that is not a readable .docx guide."""
    limit = max_size()
    if size is not None and size > limit:
        raise BadFile(f"Filen er for stor. Den største tilladte størrelse er {human_size(limit)}.")
    fileobj.seek(0)
    head = fileobj.read(len(OLE_MAGIC))
    fileobj.seek(0)
    if head == OLE_MAGIC:
        data = fileobj.read(limit + 1)
        fileobj.seek(0)
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise BadFile("Dokumentet er beskyttet med adgangskode, så anskaf kan ikke læse det. "
                          "Fjern adgangskoden i Word (Filer → Oplysninger → Beskyt dokument), "
                          "gem det, og prøv igen.")
        raise BadFile("Filen er i det gamle Word-format (.doc). Åbn den i Word, gem den som "
                      "Word-dokument (.docx), og prøv igen.")
    checked = check_file(fileobj, name, size)
    if checked.content_type != DOCX_TYPE:
        raise BadFile("Filen er ikke et Word-dokument (.docx). Vælg den udfyldte vejledning "
                      "som .docx-fil.")
    fileobj.seek(0)
    return read_docx(fileobj.read()), checked


def read_docx(data: bytes) -> ReadGuide:
    from docx import Document as Docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = Docx(io.BytesIO(data))
    except (PackageNotFoundError, ValueError, KeyError, OSError) as exc:
        raise BadFile("Filen kan ikke læses som et Word-dokument (.docx). Åbn den i Word, gem "
                      "den igen som .docx, og prøv igen.") from exc
    except Exception as exc:  # a damaged package: python-docx and lxml raise many kinds
        raise BadFile("Word-dokumentet er beskadiget og kan ikke læses. Åbn det i Word, gem "
                      "det igen, og prøv igen.") from exc
    for table in document.tables:
        read = _read_table(table)
        if read is not None:
            paragraphs = [p.text.strip() for p in document.paragraphs]
            return replace(read, title=_title_of(paragraphs),
                           outcomes=_outcomes_of(paragraphs))
    raise BadFile("Dokumentet har ingen tabel med vejledningens trin. anskaf leder efter en "
                  "tabel med kolonnerne »Trin« og »Gennemført ja/nej« (som i vejledningen eller "
                  "i anskafs egen Word-udskrift).")


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[^\wæøå]+", " ", text).split())


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, raw in enumerate(header):
        cell = _norm(raw)
        kind = ("nr" if cell in ("nr", "nummer", "nr nr") else
                "trin" if cell.startswith("trin") else
                "beskrivelse" if "beskrivelse" in cell else
                "udfører" if "udfører" in cell or "interessenter" in cell else
                "gennemført" if "gennemf" in cell else
                "bemærkninger" if "bemærk" in cell else
                "tjekliste" if "tjekliste" in cell else None)
        if kind is not None and kind not in found:
            found[kind] = index
    return found


def _cell_texts(row: Any) -> list[str]:
    texts = []
    for cell in row.cells:
        texts.append("\n".join(p.text for p in cell.paragraphs).strip())
    return texts


def _read_table(table: Any) -> ReadGuide | None:
    rows = list(table.rows)
    if not rows:
        return None
    columns = _columns(_cell_texts(rows[0]))
    if "trin" not in columns or "gennemført" not in columns:
        return None
    layout = "anskaf" if "bemærkninger" in columns else "guide"
    read_rows = []
    for row in rows[1:]:
        cells = _cell_texts(row)
        if len(set(cells)) <= 1 or _columns(cells).keys() >= {"trin", "gennemført"}:
            continue  # a heading merged across the row (a phase's name), or the header again

        def cell(kind: str, cells: list[str] = cells) -> str:
            index = columns.get(kind)
            return cells[index] if index is not None and index < len(cells) else ""

        title = cell("trin")
        number: int | None = None
        if (match := LEADING_NUMBER.match(title)) is not None:
            number, title = int(match.group(1)), title[match.end():]
        nr = cell("nr").strip().rstrip(".")
        if nr.isdigit():
            number = int(nr)
        if "bemærkninger" in columns:
            remarks = cell("bemærkninger")
        else:
            parts = REMARKS_LABEL.split(cell("beskrivelse"), maxsplit=1)
            remarks = parts[1] if len(parts) == 2 else ""
        checklist = tuple(
            (line[1:].strip(), line[0] == "☒") for line in cell("tjekliste").splitlines()
            if line[:1] in ("☒", "☐"))
        if not title.strip() and number is None:
            continue
        read_rows.append(GuideRow(number, " ".join(title.split()), cell("gennemført"),
                                  remarks.strip(), checklist))
    return ReadGuide(layout, tuple(read_rows))


def _title_of(paragraphs: list[str]) -> str:
    for text in paragraphs[:5]:
        if (match := CASE_HEADING.match(text)) is not None:
            return match.group(1).strip()
    return ""


def _outcomes_of(paragraphs: list[str]) -> dict[int, str]:
    """The last recorded outcome per gate, from anskaf's export ("Beslutninger")."""
    last: dict[int, tuple[int, str]] = {}
    for text in paragraphs:
        if (match := DECISION_LINE.match(text)) is not None:
            number, round_ = int(match.group(1)), int(match.group(2))
            if round_ >= last.get(number, (0, ""))[0]:
                last[number] = (round_, OUTCOME_WORDS[match.group(3).casefold()])
    return {number: outcome for number, (_, outcome) in last.items()}


def status_of(text: str) -> tuple[StepStatus, str]:
    """What "Gennemført ja/nej" says: a status, and a not-relevant reason."""
    value = " ".join(text.split())
    folded = value.casefold()
    if folded.startswith("ikke relevant"):
        return StepStatus.NOT_RELEVANT, value[len("ikke relevant"):].lstrip(" :–-").strip()
    if folded.startswith(("nej (i gang)", "i gang", "påbegyndt", "delvist")):
        return StepStatus.IN_PROGRESS, ""
    words = re.findall(r"[\wæøå✓✔☒☑]+", folded)
    if words and words[0] in YES_WORDS:
        return StepStatus.DONE, ""
    return StepStatus.NOT_STARTED, ""


# --- matching rows to steps ----------------------------------------------------------------------


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, _norm(a), _norm(b)).ratio()


def match_rows(model: ProcessModel, rows: tuple[GuideRow, ...]
               ) -> tuple[dict[int, GuideRow], list[str]]:
    """Step number -> its row, and a Danish note per row that matches no step."""
    matched: dict[int, GuideRow] = {}
    notes: list[str] = []
    for row in rows:
        scored = sorted(((_similarity(row.title, s.title.da), s.number) for s in model.steps),
                        reverse=True)
        number: int | None = None
        if scored and scored[0][0] >= MATCH_BY_TITLE:
            number = scored[0][1]
        elif row.number is not None and model.has_step(row.number) and (
                not row.title or _similarity(row.title, model.step(row.number).title.da)
                >= MATCH_BY_NUMBER):
            number = row.number
        label = f"»{row.title}«" if row.title else f"nr. {row.number}"
        if number is None:
            notes.append(f"Rækken {label} passer ikke til et trin i modellen og springes over.")
        elif number in matched:
            notes.append(f"Rækken {label} passer til samme trin som en tidligere række og "
                         "springes over.")
        else:
            matched[number] = row
    return matched, notes


# --- the plan ------------------------------------------------------------------------------------

DONE, NOT_RELEVANT, IN_PROGRESS, DECIDE, NOTHING = (
    "done", "not_relevant", "in_progress", "decide", "nothing")
ACTION_LABELS = {DONE: "Markeres gennemført", NOT_RELEVANT: "Markeres ikke relevant",
                 IN_PROGRESS: "Markeres i gang", DECIDE: "Beslutning registreres",
                 NOTHING: "Ingen ændring"}


@dataclass
class PlannedStep:
    number: int
    key: str
    title: str
    row_title: str | None  # the row's own title, None when no row matched
    done_text: str
    action: str
    outcome: str | None = None
    outcome_choices: tuple[tuple[str, str], ...] = ()  # (key, Danish label)
    suggested_outcome: str | None = None
    remarks: str = ""
    remarks_replaced: bool = False  # control characters were replaced by spaces
    remarks_cut: bool = False
    checked: tuple[str, ...] = ()
    reason: str = ""  # a not-relevant reason
    refusal: str | None = None

    @property
    def action_label(self) -> str:
        return ACTION_LABELS[self.action]


@dataclass
class Plan:
    model: ProcessModel
    read: ReadGuide
    replaces_system: bool
    steps: list[PlannedStep]
    notes: list[str]
    snapshot: Snapshot

    @property
    def refusals(self) -> list[PlannedStep]:
        return [s for s in self.steps if s.refusal]

    @property
    def ok(self) -> bool:
        return not self.refusals

    @property
    def gates(self) -> list[PlannedStep]:
        return [s for s in self.steps if s.outcome_choices]

    def counts(self) -> dict[str, int]:
        counts = {DONE: 0, NOT_RELEVANT: 0, IN_PROGRESS: 0, DECIDE: 0}
        for s in self.steps:
            if s.action in counts and not s.refusal:
                counts[s.action] += 1
        return counts


def suggested_replaces_system(model: ProcessModel, matched: dict[int, GuideRow]) -> bool:
    """Does the guide say a system is replaced: a replace-only step begun or done?"""
    return any(status_of(matched[s.number].done_text)[0] in (StepStatus.DONE,
                                                             StepStatus.IN_PROGRESS)
               for s in model.steps if s.only_when_replacing and s.number in matched)


def _apply(snap: Snapshot, transition: Transition, *, checked: tuple[int, frozenset[str]] | None
           = None, decided: tuple[int, str] | None = None) -> Snapshot:
    last, rounds = dict(snap.last_outcome), dict(snap.rounds)
    if decided is not None and transition.decision_round is not None:
        last[decided[0]] = decided[1]
        rounds[decided[0]] = transition.decision_round
    all_checked = dict(snap.checked)
    if checked is not None:
        all_checked[checked[0]] = checked[1]
    return replace(snap, status=transition.case_status, steps={**snap.steps, **transition.steps},
                   checked=all_checked, last_outcome=last, rounds=rounds)


def _clean_remarks(text: str) -> tuple[str, bool, bool]:
    cleaned, replaced = sanitize_imported(text)
    cut = len(cleaned) > MAX_REMARKS
    return cleaned[:MAX_REMARKS], replaced, cut


def _advancing(step: StepDef) -> tuple[tuple[str, str], ...]:
    assert step.gate is not None
    return tuple((key, o.label.da) for key, o in step.gate.outcomes.items()
                 if o.effect == Effect.ADVANCE)


def make_plan(model: ProcessModel, read: ReadGuide, *, replaces_system: bool | None = None,
              outcomes: dict[str, str] | None = None) -> Plan:
    """Replay the rows through the engine in the model's order. `outcomes` names the outcome
    of each gate marked done (by step key); a gate without one is refused."""
    outcomes = outcomes or {}
    matched, notes = match_rows(model, read.rows)
    if replaces_system is None:
        replaces_system = suggested_replaces_system(model, matched)
    snap = engine.new_snapshot(model, replaces_system)
    planned: list[PlannedStep] = []
    for step in model.steps:
        row = matched.get(step.number)
        status, reason = status_of(row.done_text) if row else (StepStatus.NOT_STARTED, "")
        remarks, replaced, cut = _clean_remarks(row.remarks) if row else ("", False, False)
        reason = sanitize_imported(reason)[0][:2000]
        item = PlannedStep(step.number, step.key, step.title.da, row.title if row else None,
                           " ".join(row.done_text.split()) if row else "", NOTHING,
                           remarks=remarks, remarks_replaced=replaced, remarks_cut=cut)
        ticked = {label for label, done in (row.checklist if row else ()) if done}
        ticked_ids = {i.id for i in step.checklist if i.label.da in ticked}
        try:
            if step.gate is not None and status == StepStatus.DONE:
                item.action = DECIDE
                item.outcome_choices = _advancing(step)
                hint = read.outcomes.get(step.number)
                item.suggested_outcome = hint if hint in dict(item.outcome_choices) else None
                chosen = outcomes.get(step.key)
                if chosen is None or chosen not in dict(item.outcome_choices):
                    names = " eller ".join(f"»{label}«" for _, label in item.outcome_choices)
                    item.refusal = (f"Trin {step.number} er et beslutningspunkt. Angiv udfaldet "
                                    f"({names}), så beslutningen kan registreres som "
                                    "importeret.")
                else:
                    item.outcome = chosen
                    transition = engine.decide(model, snap, step.number, chosen)
                    snap = _apply(snap, transition, decided=(step.number, chosen))
            elif status == StepStatus.DONE:
                item.action = DONE
                required = {i.id for i in step.checklist
                            if engine.binds(i, replaces_system, frozenset())}
                item.checked = tuple(i.id for i in step.checklist
                                     if i.id in required | ticked_ids)
                snap = replace(snap, checked={**snap.checked,
                                              step.number: frozenset(item.checked)})
                snap = _apply(snap, engine.complete(model, snap, step.number))
            elif status == StepStatus.NOT_RELEVANT:
                if snap.steps[step.number] != StepStatus.NOT_RELEVANT:
                    item.action = NOT_RELEVANT
                    item.reason = reason or IMPORT_REASON
                    snap = _apply(snap, engine.mark_not_relevant(model, snap, step.number))
            elif status == StepStatus.IN_PROGRESS:
                item.action = IN_PROGRESS
                if snap.steps[step.number] == StepStatus.NOT_RELEVANT:
                    raise MoveRefused(f"Trin {step.number} gælder kun, når et eksisterende "
                                      "system erstattes. Sæt flueben ved »Sagen erstatter et "
                                      "eksisterende system«, eller ret rækken.")
                item.checked = tuple(i.id for i in step.checklist if i.id in ticked_ids)
                snap = _apply(snap, engine.start(model, snap, step.number),
                              checked=(step.number, frozenset(item.checked)))
            elif ticked_ids:
                item.checked = tuple(i.id for i in step.checklist if i.id in ticked_ids)
                snap = replace(snap, checked={**snap.checked,
                                              step.number: frozenset(item.checked)})
        except MoveRefused as exc:
            item.refusal = exc.message
            if (step.only_when_replacing and not replaces_system
                    and status in (StepStatus.DONE, StepStatus.IN_PROGRESS)):
                item.refusal = (f"Trin {step.number} gælder kun, når et eksisterende system "
                                "erstattes. Sæt flueben ved »Sagen erstatter et eksisterende "
                                "system«, eller ret rækken.")
        planned.append(item)
    if not matched:
        notes.insert(0, "Ingen af tabellens rækker passer til modellens trin.")
    return Plan(model, read, replaces_system, planned, notes, snap)
