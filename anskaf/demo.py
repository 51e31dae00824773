"""Demo data: Haderslev Kommune, its people (password "demo") and a handful of cases, plus a
second municipality, Nabo Kommune, with one coordinator (`nabo`) and a few cases of its own, so
that anyone can try by hand that one municipality never sees the other's data.

Everything is made through the real services (`anskaf.cases.services`), so every case has its
audit trail and timeline exactly as if people had clicked through it. Each municipality is
loaded in one transaction, once: one that already exists is left alone (so a database loaded
before Nabo Kommune was added gets just Nabo Kommune).

Demo accounts carry `is_demo=True`; the authentication backend refuses them unless demo mode
is on (`ANSKAF_DEMO=1`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from unittest import mock

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone

from anskaf import testing
from anskaf.audit.context import reset_request_id, set_request_id
from anskaf.cases import permissions, services
from anskaf.cases.models import Case
from anskaf.cases.process_models import model_of
from anskaf.orgs.models import Organisation, OrgUnit, User
from anskaf.process.engine import FINISHED, StepStatus
from anskaf.process.model import ProcessModel, StepDef

ORG_SLUG = "haderslev"
ORG_NAME = "Haderslev Kommune"
PROCUREMENT_EMAIL = "udbud-indkob@haderslev.dk"
PASSWORD = "demo"

SOCIAL = "Social- og Sundhedsforvaltningen"
CHILDREN = "Børne- og Familieforvaltningen"
DEPARTMENTS = {
    SOCIAL: ["Hjemmeplejen", "Plejecentre"],
    CHILDREN: ["Dagtilbud", "Skoler"],
}

# username, role key, Danish role label, full name, unit (None = the whole organisation)
PEOPLE: list[tuple[str, str, str, str, str | None]] = [
    ("koordinator", "coordinator", "Koordinerende funktion", "Mette Lund Kristensen", SOCIAL),
    ("medarbejder", "requester", "Afdeling/forvaltning", "Anders Holm", SOCIAL),
    ("leder", "management", "Ledelse", "Birgitte Møller Sørensen", SOCIAL),
    ("it", "it", "IT og Digitalisering", "Jesper Nielsen", None),
    ("visitation", "it_board", "IT-visitationen", "Louise Thomsen", None),
    ("isk", "security", "Informationssikkerhed (ISK)", "Rasmus Pedersen", None),
    ("indkob", "procurement", "Udbud/Indkøb", "Camilla Jensen", None),
    ("jura", "legal", "Jura", "Henrik Andersen", None),
    ("admin", "admin", "Administrator", "Sofie Christensen", None),
]

# The second municipality: one coordinator and a few cases, all in Teknik- og Miljøforvaltningen.
NABO_SLUG = "nabo"
NABO_NAME = "Nabo Kommune"
NABO_PROCUREMENT_EMAIL = "indkob@nabo-kommune.dk"
NABO_ADMINISTRATION = "Teknik- og Miljøforvaltningen"
NABO_DEPARTMENTS = ["Byggeri og Miljø", "Vej og Park"]
NABO_USER = ("nabo", "coordinator", "Koordinerende funktion (Nabo Kommune)", "Nanna Bøgh Olsen",
             NABO_ADMINISTRATION)

LOGINS: list[tuple[str, str, str]] = [
    (u, label, name) for u, _, label, name, _ in [*PEOPLE, NABO_USER]
]

# Who, by role, does the work of a step when the model lists several roles (by step key).
STEP_ROLE = {
    "documentation_collected": "coordinator",
    "it_board_meeting": "it_board",
    "procurement_legal_involved": "procurement",
    "data_processing_agreement": "security",
    "contract_in_place": "management",
    "decommissioning_plan": "it",
    "technical_setup": "it",
    "handover_to_operation": "it",
}
# The gate IT decides for the demo, whoever else the model lets decide it.
IT_DECIDES = "ready_for_operation"


def _step(model: ProcessModel, key: str) -> StepDef:
    """The model's step with this key; the demo needs every step it names."""
    step = model.step_by_key(key)
    if step is None:
        raise LookupError(f"the process model {model.key!r} has no step {key!r}")
    return step


def _item_id(step: StepDef, position: int) -> str:
    """The id of the step's checklist item at this position (from 1), as the model has it."""
    return step.checklist[position - 1].id


@dataclass
class DemoResult:
    created: bool
    organisation: str
    users: int = 0
    cases: int = 0


@dataclass
class _Demo:
    org: Organisation
    units: dict[str, OrgUnit]
    people: dict[str, User]  # by role key
    cases: list[Case] = field(default_factory=list)

    # --- small moves -----------------------------------------------------------------------

    def step(self, case: Case, key: str) -> StepDef:
        """The step with this key in the case's own model."""
        return _step(model_of(case.model_version), key)

    def actor_for(self, model: ProcessModel, step: StepDef, case: Case) -> User:
        """The demo person for the step, if the access rules let them act on this case."""
        for person in (self._preferred(step), self.people["coordinator"]):
            refusal = (permissions.decide_refusal(person, case, model, step) if step.gate
                       else permissions.complete_refusal(person, case, model, step))
            if refusal is None:
                return person
        roles = step.gate.deciding_roles if step.gate else (step.complete_roles or step.role_keys)
        return testing.stand_in(case, tuple(roles))

    def _preferred(self, step: StepDef) -> User:
        roles: Iterable[str] = step.gate.deciding_roles if step.gate else step.role_keys
        preferred = STEP_ROLE.get(step.key)
        if step.gate is None and preferred in self.people:
            return self.people[preferred]
        if step.gate is not None and step.key == IT_DECIDES:
            return self.people["it"]
        for role in roles:
            if role in self.people:
                return self.people[role]
        return self.people["coordinator"]

    def create(self, **data: Any) -> Case:
        case = testing.new_case(self.people["coordinator"], **data)
        self.cases.append(case)
        return case

    def work(
        self,
        case: Case,
        key: str,
        *,
        remarks: str | None = None,
        ticks: Iterable[str] | None = None,
        start: bool = False,
    ) -> None:
        """Tick checklist items (by their ids in the model) and write remarks on a step
        without completing it."""
        model = model_of(case.model_version)
        step = _step(model, key)
        state = case.step_states.get(number=step.number)
        # Every item by default, including those a Måske decision added to the step.
        ids = services.checklist_ids(step, state) if ticks is None else list(ticks)
        checklist = [{"id": i, "done": True} for i in ids] or None
        services.step_update(
            actor=self.actor_for(model, step, case),
            case_id=case.pk,
            number=step.number,
            remarks=remarks,
            checklist=checklist,
            status=StepStatus.IN_PROGRESS.value
            if start and state.status == StepStatus.NOT_STARTED
            else None,
        )

    def complete(
        self,
        case: Case,
        key: str,
        remarks: str | None = None,
        ticks: Iterable[str] | None = None,
    ) -> None:
        model = model_of(case.model_version)
        step = _step(model, key)
        self.work(case, key, remarks=remarks, ticks=ticks)
        actor = self.actor_for(model, step, case)
        testing.provide_documents(actor, case, step.number)
        services.step_complete(actor=actor, case_id=case.pk, number=step.number,
                               remarks=testing.reason_for(case, step))

    def decide(self, case: Case, key: str, outcome: str, rationale: str, **fields: Any) -> None:
        model = model_of(case.model_version)
        step = _step(model, key)
        services.decision_record(
            actor=self.actor_for(model, step, case),
            case_id=case.pk,
            step=step.number,
            outcome=outcome,
            rationale=rationale,
            **fields,
        )

    def walk(
        self,
        case: Case,
        through: str,
        *,
        remarks: dict[str, str] | None = None,
        decisions: dict[str, tuple[str, dict[str, Any]]] | None = None,
    ) -> Case:
        """Complete every applicable step and decide every gate Ja up to and including the
        step keyed `through`; remarks and decisions are keyed by step key."""
        remarks = remarks or {}
        decisions = decisions or {}
        model = model_of(case.model_version)
        last = _step(model, through)
        for step in model.steps:
            if step.number > last.number:
                break
            status = case.step_states.get(number=step.number).status
            if status in FINISHED:
                continue
            if step.gate is not None:
                rationale, extra = decisions.get(
                    step.key, ("Alle forudsætninger er opfyldt.", {})
                )
                self.decide(case, step.key, "yes", rationale, **extra)
            else:
                self.complete(case, step.key, remarks.get(step.key))
        case.refresh_from_db()
        return case


# --- the organisation and its people ----------------------------------------------------------


def _organisation() -> _Demo:
    org = Organisation.objects.create(
        slug=ORG_SLUG, name=ORG_NAME, procurement_email=PROCUREMENT_EMAIL
    )
    units: dict[str, OrgUnit] = {}
    for name, departments in DEPARTMENTS.items():
        parent = testing.make_unit(org, name)
        units[name] = parent
        for department in departments:
            units[department] = testing.make_unit(org, department, parent=parent)
    people: dict[str, User] = {}
    hashed = make_password(PASSWORD)  # hash once: the hasher is slow on purpose
    for username, role, _label, full_name, unit_name in PEOPLE:
        unit = units[unit_name] if unit_name else None
        user = testing.make_user(
            org, username, role, unit=unit, password=None, full_name=full_name, is_demo=True
        )
        user.password = hashed
        user.is_staff = user.is_superuser = username == "admin"
        user.save(update_fields=["password", "is_staff", "is_superuser"])
        people[role] = user
    return _Demo(org=org, units=units, people=people)


# --- the cases --------------------------------------------------------------------------------


def _care_system(demo: _Demo) -> None:
    """Replaces an old system; done through the collaboration agreements, the contract waiting
    for the data processing agreement."""
    case = demo.create(
        title="Nyt omsorgssystem til hjemmeplejen",
        need="Hjemmeplejens nuværende omsorgssystem er forældet, understøtter ikke mobil "
        "dokumentation og leverandøren stopper support ved udgangen af næste år. Vi har "
        "brug for et system, hvor medarbejderne kan dokumentere direkte hos borgeren.",
        strategic_fit="Understøtter kommunens digitaliseringsstrategi og Fælles Sprog III. "
        "Mindre dobbeltregistrering frigiver tid til kerneopgaven.",
        user_impact="Ca. 450 medarbejdere i hjemmeplejen får en ny arbejdsgang. Borgerne "
        "oplever mere opdateret information og færre gentagne spørgsmål.",
        replaces_system=True,
        replaced_system_name="Ældre Omsorgssystem X",
        candidate_system="OmsorgPlus",
        supplier_name="Nordisk Omsorgs-IT A/S",
        estimated_contract_value="4800000",
        records_case_number="26/01234",
        unit=demo.units["Hjemmeplejen"].pk,
    )
    demo.walk(
        case,
        "collaboration_agreements",
        remarks={
            "needs_or_market_analysis": "Markedsanalyse gennemført: tre leverandører på "
            "SKI-aftalen. Udbud/Indkøb bekræfter udbudspligt over tærsklen; vi bruger SKI's "
            "rammeaftale.",
            "initial_supplier_dialogue": "Demo hos leverandøren 14/2. IT har udleveret "
            "standard-dokumentet med tekniske krav.",
            "it_board_meeting": "Behandlet på IT-visitationens møde. Snitfladetegning til CPR og "
            "SSO gennemgået.",
            "project_organisation": "Projektleder: Anders Holm. Styregruppe nedsat med lederen af "
            "hjemmeplejen som formand.",
            "collaboration_agreements": "Leverandøren har 1. niveau support; IT har "
            "brugeradministration. Responstid 4 timer på kritiske fejl.",
        },
        decisions={
            "it_board_decision": (
                "Løsningen lever op til IT's tekniske krav og kan integreres med kommunens "
                "brugerstyring.",
                {
                    "recommendations": "Stil krav om SSO via kommunens identitetsløsning og om "
                    "eksport af data ved kontraktens ophør.",
                    "it_contacts": ["Jesper Nielsen"],
                },
            ),
            "internal_decision": (
                "Forvaltningen har afsat ressourcer til implementeringen i budget 2026, og "
                "hjemmeplejen bakker op.",
                {},
            ),
        },
    )
    dpa = demo.step(case, "data_processing_agreement")
    demo.work(
        case,
        dpa.key,
        start=True,
        ticks=["11.2"],
        remarks="Udkast til databehandleraftale modtaget fra leverandøren. ISK gennemgår "
        "listen over underdatabehandlere; afventer svar om hosting i EU.",
    )
    demo.work(
        case,
        "contract_in_place",
        start=True,
        ticks=["12.4"],
        remarks="Kontrakten er forhandlet færdig, men underskrives først, når "
        f"databehandleraftalen er på plads (trin {dpa.number}).",
    )
    demo.work(
        case,
        "decommissioning_plan",
        start=True,
        ticks=["13.1", "13.2"],
        remarks="Plan for nedlukning af Ældre Omsorgssystem X er i gang. Data migreres; "
        "arkivering aftales med arkivet.",
    )


def _speech_recognition(demo: _Demo) -> None:
    """Rejected: Nej at the IT-visitation's decision."""
    case = demo.create(
        title="Talegenkendelse til dokumentation i hjemmeplejen",
        need="Medarbejderne bruger meget tid på at skrive journalnotater. Talegenkendelse kan "
        "gøre dokumentationen hurtigere.",
        strategic_fit="Passer med ønsket om mere tid hos borgeren.",
        user_impact="Medarbejderne dikterer i stedet for at skrive; borgerne mærker det ikke "
        "direkte.",
        candidate_system="DiktatNu",
        supplier_name="Tale & Tekst ApS",
        estimated_contract_value="350000",
        unit=demo.units["Hjemmeplejen"].pk,
    )
    demo.walk(
        case,
        "it_board_meeting",
        remarks={
            "initial_supplier_dialogue": "Leverandøren kunne ikke svare på, hvor lydfilerne behandles.",
        },
    )
    demo.decide(
        case,
        "it_board_decision",
        "no",
        "Løsningen kan ikke integreres med omsorgssystemet, og leverandøren kan ikke "
        "dokumentere, at lydoptagelser behandles inden for EU. Det nye omsorgssystem "
        "(sag om nyt omsorgssystem til hjemmeplejen) har talegenkendelse indbygget, så "
        "behovet dækkes dér.",
    )


def _rostering(demo: _Demo) -> None:
    """In operation, with closing the old system still to do; a Nej at ready for operation on
    the way, after which the test was redone."""
    case = demo.create(
        title="Digital vagtplanlægning på plejecentrene",
        need="Vagtplaner laves i et gammelt system, der ikke kan vise vagterne på mobilen eller "
        "håndtere vagtbytte.",
        strategic_fit="Understøtter rekrutteringsindsatsen: fleksible vagter og bedre overblik.",
        user_impact="Medarbejderne kan se og bytte vagter på mobilen. Borgerne oplever mere "
        "stabil bemanding.",
        replaces_system=True,
        replaced_system_name="TidPlan Classic",
        candidate_system="VagtFlex",
        supplier_name="Planværket A/S",
        estimated_contract_value="1200000",
        records_case_number="25/09876",
        unit=demo.units["Plejecentre"].pk,
    )
    demo.walk(
        case,
        "test_and_setup_dialogue",
        remarks={
            "procurement_legal_involved": "Indkøbt via SKI 02.19. Jura har gennemgået de særlige vilkår.",
            "data_processing_agreement": "Databehandleraftale underskrevet; registreret i KITOS.",
            "contract_in_place": "Kontrakten er underskrevet af direktøren og journaliseret i Acadre.",
            "decommissioning_plan": "TidPlan Classic opsiges til udløb. Historiske vagtplaner "
            "eksporteres til arkivet.",
        },
    )
    test = demo.step(case, "test_and_setup_dialogue")
    demo.decide(
        case,
        "ready_for_operation",
        "no",
        "Test af rettighedsstyringen viste, at vikarer kunne se alle afdelinger. "
        f"Leverandøren retter opsætningen; trin {test.number} testes igen.",
    )
    demo.complete(case, test.key, "Rettighederne er rettet og testet igen med vikar-brugere: OK.")
    demo.decide(case, "ready_for_operation", "yes", "Alle tests er bestået, og supporten er klar.")
    demo.walk(
        case,
        "in_operation",
        remarks={
            "handover_to_operation": "Overdragelsesdokument og driftsaftale godkendt af IT og "
            "Digitalisering.",
            "in_operation": "VagtFlex er i drift på alle fire plejecentre.",
        },
    )
    demo.work(
        case,
        "close_previous_system",
        start=True,
        ticks=["21.1"],
        remarks="Der tildeles ikke længere nye brugere i TidPlan Classic. Lukning af "
        "brugeradgang planlagt til kvartalets udgang.",
    )


def _parent_platform(demo: _Demo) -> None:
    """At the IT-visitation's decision after a Måske round: more documentation collected,
    waiting for round 2."""
    case = demo.create(
        title="Kommunikationsplatform til dagtilbud og forældre",
        need="Dagtilbuddene mangler en fælles platform til dagbog, billeder og beskeder til "
        "forældre, som hænger sammen med Aula.",
        strategic_fit="Understøtter børne- og ungepolitikken om forældresamarbejde.",
        user_impact="Pædagogerne sparer tid på beskeder; forældrene får ét sted at se alt.",
        candidate_system="DagtilbudsPortalen",
        supplier_name="Børneweb ApS",
        estimated_contract_value="650000",
        unit=demo.units["Dagtilbud"].pk,
    )
    demo.walk(
        case,
        "it_board_meeting",
        remarks={
            "needs_or_market_analysis": "Fire andre kommuner bruger løsningen (jf. KITOS).",
        },
    )
    demo.decide(
        case,
        "it_board_decision",
        "maybe",
        "Løsningen ser lovende ud, men IT-visitationen mangler dokumentation for "
        "informationssikkerheden og integrationen til Aula.",
        missing_documentation=[
            "Risikovurdering af informationssikkerhed",
            "Beskrivelse af integrationen til Aula",
        ],
    )
    demo.complete(
        case,
        "documentation_collected",
        "Leverandørens risikovurdering og integrationsbeskrivelse er "
        "indhentet og sendt til IT-visitationen.",
    )
    demo.complete(case, "it_board_meeting", "Genbehandlet på IT-visitationens møde; afventer beslutning.")


def last_working_day_offset(today: date) -> timedelta:
    """How far back the demo's clock runs so its moves fall on a working day: none on a
    weekday, back to Friday on a Saturday or Sunday."""
    return timedelta(days=max(0, today.weekday() - 4))


@contextmanager
def _working_day_clock() -> Iterator[None]:
    """While the demo is built, `timezone.now()` (which the services, the models' auto
    fields and the audit trail read) runs on the last working day: a demo loaded at a weekend
    has its decisions, completions and comments on Friday, not on a Saturday or Sunday."""
    real_now = timezone.now
    offset = last_working_day_offset(timezone.localdate())
    if not offset:
        yield
        return
    with mock.patch.object(timezone, "now", lambda: real_now() - offset):
        yield


def on_a_weekday(moment: datetime) -> datetime:
    """The same time on the first working day (Monday-Friday) from `moment`: no demo meeting
    on a Saturday or Sunday."""
    while moment.weekday() >= 5:
        moment += timedelta(days=1)
    return moment


def _board_meeting(demo: _Demo) -> None:
    """The IT-visitation's next meeting, planned with an agenda: the parent platform's round 2."""
    from anskaf.meetings import services as meetings
    from anskaf.meetings.inputs import schedule_values

    case = next(c for c in demo.cases if c.title.startswith("Kommunikationsplatform"))
    board = demo.people["it_board"]
    documentation = demo.step(case, "documentation_collected")
    referral = meetings.case_put_forward(
        actor=demo.people["coordinator"], case_id=case.pk,
        note=f"Risikovurdering og integrationsbeskrivelse er vedlagt på trin {documentation.number}.")
    starts = on_a_weekday(timezone.localtime() + timedelta(days=7))
    [meeting] = meetings.meeting_schedule(actor=board, data=schedule_values({
        "title": "Møde i IT-visitationen",
        "starts_at": starts.replace(hour=10, minute=0, second=0, microsecond=0),
        "duration_minutes": 90, "place": "Rådhuset, mødelokale 2",
        "online_link": "https://moede.haderslev.dk/it-visitationen",
        "participants": [board.username, demo.people["it"].username],
    }))
    meetings.agenda_add_case(actor=board, meeting_id=meeting.pk, referral_id=referral.pk)
    meetings.agenda_add_other(actor=board, meeting_id=meeting.pk, title="Eventuelt")


def _key_solution(demo: _Demo) -> None:
    """Fresh: the need reported, the needs or market analysis in progress."""
    case = demo.create(
        title="Digitale nøgler til borgernes hjem",
        need="Hjemmeplejen håndterer i dag fysiske nøgler til ca. 900 borgere. Vi ønsker en "
        "digital nøgleløsning, der logger, hvem der har låst op.",
        strategic_fit="Øger sikkerheden for borgerne og mindsker spildtid.",
        user_impact="Borgerne får en elektronisk lås; medarbejderne slipper for nøgleskabe.",
        estimated_contract_value="900000",
        unit=demo.units["Hjemmeplejen"].pk,
    )
    demo.complete(case, "need_reported")
    analysis = demo.step(case, "needs_or_market_analysis")
    demo.work(
        case,
        analysis.key,
        start=True,
        ticks=["2.1", "2.2"],
        remarks="Vi har ikke et eksisterende system. To løsninger på markedet er "
        f"undersøgt; Udbud/Indkøb skal spørges om udbudspligt (trin {_item_id(analysis, 6)}).",
    )


def _medication(demo: _Demo) -> None:
    """Waiting for management's internal decision."""
    case = demo.create(
        title="Elektronisk medicinmodul til plejecentrene",
        need="Medicinhåndteringen dokumenteres på papir; vi har brug for elektronisk "
        "registrering af udlevering, koblet til Fælles Medicinkort.",
        strategic_fit="Understøtter patientsikkerhedsstrategien.",
        user_impact="Færre medicineringsfejl for borgerne; sygeplejerskerne får overblik.",
        candidate_system="MediDos",
        supplier_name="Sundhedsdata A/S",
        estimated_contract_value=Decimal("780000"),
        unit=demo.units["Plejecentre"].pk,
    )
    demo.walk(
        case,
        "it_board_decision",
        decisions={
            "it_board_decision": (
                "Teknisk og sikkerhedsmæssigt i orden. IT anbefaler at gå videre.",
                {
                    "recommendations": "Afklar integrationen til Fælles Medicinkort med "
                    "leverandøren før kontrakten.",
                    "it_contacts": ["Jesper Nielsen", "Rasmus Pedersen"],
                },
            ),
        },
    )
    demo.work(
        case,
        "internal_decision",
        start=True,
        ticks=["7.1"],
        remarks="Ressourcer til implementering er afsat; drøftes på ledermødet.",
    )


# --- the second municipality -------------------------------------------------------------------


def _nabo() -> tuple[int, int]:
    """Nabo Kommune: one forvaltning, one coordinator and three cases; (users, cases)."""
    org = Organisation.objects.create(
        slug=NABO_SLUG, name=NABO_NAME, procurement_email=NABO_PROCUREMENT_EMAIL
    )
    top = testing.make_unit(org, NABO_ADMINISTRATION)
    units = {name: testing.make_unit(org, name, parent=top) for name in NABO_DEPARTMENTS}
    username, role, _label, full_name, _unit = NABO_USER
    nabo = testing.make_user(
        org, username, role, unit=top, password=None, full_name=full_name, is_demo=True
    )
    nabo.password = make_password(PASSWORD)
    nabo.save(update_fields=["password"])

    def work(case: Case, key: str, remarks: str, *, complete: bool = True) -> None:
        number = _step(model_of(case.model_version), key).number
        testing.tick_required(nabo, case, number)
        services.step_update(actor=nabo, case_id=case.pk, number=number, remarks=remarks,
                             status=None if complete else StepStatus.IN_PROGRESS.value)
        if complete:
            testing.provide_documents(nabo, case, number)
            services.step_complete(actor=nabo, case_id=case.pk, number=number)

    building = testing.new_case(
        nabo,
        title="Nyt sagsbehandlingssystem til byggesager",
        need="Byggesager behandles i et system, der ikke kan modtage ansøgninger fra Byg og "
        "Miljø automatisk. Sagsbehandlerne taster ansøgningerne ind igen.",
        strategic_fit="Understøtter kommunens mål om kortere sagsbehandlingstid på byggesager.",
        user_impact="Borgere og virksomheder får hurtigere svar; sagsbehandlerne slipper for "
        "dobbeltindtastning.",
        replaces_system=True,
        replaced_system_name="ByggeArkiv 2",
        candidate_system="ByggeSag Online",
        estimated_contract_value="1500000",
        unit=units["Byggeri og Miljø"].pk,
    )
    work(building, "need_reported", "Behovet er afdækket med byggesagsafdelingen.")
    work(building, "needs_or_market_analysis",
         "To leverandører på markedet; Udbud/Indkøb vurderer udbudspligt.")
    work(building, "initial_supplier_dialogue",
         "Demo hos leverandøren; integrationen til Byg og Miljø er standard.")
    work(building, "documentation_collected", "Dokumentationen samles til IT-visitationen.",
         complete=False)

    damage = testing.new_case(
        nabo,
        title="Digital indberetning af skader på veje og stier",
        need="Borgerne ringer eller skriver om huller i vejen og væltede skilte; henvendelserne "
        "registreres manuelt.",
        strategic_fit="Understøtter den digitale borgerbetjening.",
        user_impact="Borgerne kan melde en skade med billede og position fra mobilen.",
        estimated_contract_value="250000",
        unit=units["Vej og Park"].pk,
    )
    work(damage, "need_reported", "Behovet er beskrevet af Vej og Park.")
    work(damage, "needs_or_market_analysis",
         "Markedsanalyse i gang: flere kommuner bruger samme løsning.", complete=False)

    winter = testing.new_case(
        nabo,
        title="Ruteplanlægning til vintertjenesten",
        need="Saltruterne planlægges på papir; vi ønsker ruter, der følger vejret og viser, hvor "
        "der er saltet.",
        strategic_fit="Færre kørte kilometer og mindre salt i naturen.",
        user_impact="Trafikanterne får bedre ryddede veje; chaufførerne får ruten på en skærm.",
        unit=units["Vej og Park"].pk,
    )
    work(winter, "need_reported",
         "Behovet meldes ind; forvaltningen afklarer, om det haster til næste vinter.",
         complete=False)
    return 1, 3


def _load_haderslev() -> tuple[int, int]:
    demo = _organisation()
    for build in (
        _care_system,
        _speech_recognition,
        _rostering,
        _parent_platform,
        _key_solution,
        _medication,
        _board_meeting,
    ):
        build(demo)
    from anskaf.portfolio import demo as portfolio_demo  # systems, contracts, DPAs, links

    portfolio_demo.load(demo.org.pk, demo.people)
    return len(demo.people), len(demo.cases)


MUNICIPALITIES: list[tuple[str, str, Any]] = [
    (ORG_SLUG, ORG_NAME, _load_haderslev),
    (NABO_SLUG, NABO_NAME, _nabo),
]


def is_loaded() -> bool:
    """True when every demo municipality is there."""
    slugs = [slug for slug, _name, _build in MUNICIPALITIES]
    return Organisation.objects.filter(slug__in=slugs).count() == len(slugs)


def load() -> DemoResult:
    """Load each demo municipality once; a second call changes nothing and says so."""
    names = " og ".join(name for _slug, name, _build in MUNICIPALITIES)
    if is_loaded():
        return DemoResult(created=False, organisation=names)
    created: list[str] = []
    users = cases = 0
    token = set_request_id("demo-load")
    try:
        for slug, name, build in MUNICIPALITIES:
            if Organisation.objects.filter(slug=slug).exists():
                continue
            try:
                with _working_day_clock(), transaction.atomic():
                    n_users, n_cases = build()
            except IntegrityError:
                if Organisation.objects.filter(slug=slug).exists():
                    continue  # loaded by a concurrent process in the meantime
                raise
            created.append(name)
            users += n_users
            cases += n_cases
    finally:
        reset_request_id(token)
    if not created:
        return DemoResult(created=False, organisation=names)
    return DemoResult(
        created=True, organisation=" og ".join(created), users=users, cases=cases
    )
