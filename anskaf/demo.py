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

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

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
from anskaf.process.model import ProcessModel

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

# Who, by role, does the work of a step when the model lists several roles.
STEP_ROLE = {
    4: "coordinator",
    5: "it_board",
    8: "procurement",
    11: "security",
    12: "management",
    13: "it",
    15: "it",
    19: "it",
}


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

    def actor_for(self, model: ProcessModel, number: int, case: Case) -> User:
        """The demo person for the step, if the access rules let them act on this case."""
        step = model.step(number)
        for person in (self._preferred(model, number), self.people["coordinator"]):
            refusal = (permissions.decide_refusal(person, case, model, step) if step.gate
                       else permissions.complete_refusal(person, case, model, step))
            if refusal is None:
                return person
        roles = step.gate.deciding_roles if step.gate else (step.complete_roles or step.role_keys)
        return testing.stand_in(case, tuple(roles))

    def _preferred(self, model: ProcessModel, number: int) -> User:
        step = model.step(number)
        roles: Iterable[str] = step.gate.deciding_roles if step.gate else step.role_keys
        preferred = STEP_ROLE.get(number)
        if step.gate is None and preferred in self.people:
            return self.people[preferred]
        if step.gate is not None and number == 18:
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
        number: int,
        *,
        remarks: str | None = None,
        ticks: Iterable[str] | None = None,
        start: bool = False,
    ) -> None:
        """Tick checklist items and write remarks on a step without completing it."""
        model = model_of(case.model_version)
        step = model.step(number)
        state = case.step_states.get(number=number)
        # Every item by default, including those a Måske decision added to the step.
        ids = services.checklist_ids(step, state) if ticks is None else list(ticks)
        checklist = [{"id": i, "done": True} for i in ids] or None
        services.step_update(
            actor=self.actor_for(model, number, case),
            case_id=case.pk,
            number=number,
            remarks=remarks,
            checklist=checklist,
            status=StepStatus.IN_PROGRESS.value
            if start and state.status == StepStatus.NOT_STARTED
            else None,
        )

    def complete(
        self,
        case: Case,
        number: int,
        remarks: str | None = None,
        ticks: Iterable[str] | None = None,
    ) -> None:
        model = model_of(case.model_version)
        self.work(case, number, remarks=remarks, ticks=ticks)
        actor = self.actor_for(model, number, case)
        testing.provide_documents(actor, case, number)
        services.step_complete(actor=actor, case_id=case.pk, number=number)

    def decide(self, case: Case, number: int, outcome: str, rationale: str, **fields: Any) -> None:
        model = model_of(case.model_version)
        services.decision_record(
            actor=self.actor_for(model, number, case),
            case_id=case.pk,
            step=number,
            outcome=outcome,
            rationale=rationale,
            **fields,
        )

    def walk(
        self,
        case: Case,
        through: int,
        *,
        remarks: dict[int, str] | None = None,
        decisions: dict[int, tuple[str, dict[str, Any]]] | None = None,
    ) -> Case:
        """Complete every applicable step and decide every gate Ja up to `through`."""
        remarks = remarks or {}
        decisions = decisions or {}
        model = model_of(case.model_version)
        for step in model.steps:
            if step.number > through:
                break
            status = case.step_states.get(number=step.number).status
            if status in FINISHED:
                continue
            if step.gate is not None:
                rationale, extra = decisions.get(
                    step.number, ("Alle forudsætninger er opfyldt.", {})
                )
                self.decide(case, step.number, "yes", rationale, **extra)
            else:
                self.complete(case, step.number, remarks.get(step.number))
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
    """Replaces an old system; steps 1-10 done, contract waiting for the DPA (step 11)."""
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
        10,
        remarks={
            2: "Markedsanalyse gennemført: tre leverandører på SKI-aftalen. Udbud/Indkøb bekræfter "
            "udbudspligt over tærsklen; vi bruger SKI's rammeaftale.",
            3: "Demo hos leverandøren 14/2. IT har udleveret standard-dokumentet med "
            "tekniske krav.",
            5: "Behandlet på IT-visitationens møde. Snitfladetegning til CPR og SSO gennemgået.",
            9: "Projektleder: Anders Holm. Styregruppe nedsat med lederen af hjemmeplejen "
            "som formand.",
            10: "Leverandøren har 1. niveau support; IT har brugeradministration. Responstid 4 "
            "timer på kritiske fejl.",
        },
        decisions={
            6: (
                "Løsningen lever op til IT's tekniske krav og kan integreres med kommunens "
                "brugerstyring.",
                {
                    "recommendations": "Stil krav om SSO via kommunens identitetsløsning og om "
                    "eksport af data ved kontraktens ophør.",
                    "it_contacts": ["Jesper Nielsen"],
                },
            ),
            7: (
                "Forvaltningen har afsat ressourcer til implementeringen i budget 2026, og "
                "hjemmeplejen bakker op.",
                {},
            ),
        },
    )
    demo.work(
        case,
        11,
        start=True,
        ticks=["11.2"],
        remarks="Udkast til databehandleraftale modtaget fra leverandøren. ISK gennemgår "
        "listen over underdatabehandlere; afventer svar om hosting i EU.",
    )
    demo.work(
        case,
        12,
        start=True,
        ticks=["12.4"],
        remarks="Kontrakten er forhandlet færdig, men underskrives først, når "
        "databehandleraftalen er på plads (trin 11).",
    )
    demo.work(
        case,
        13,
        start=True,
        ticks=["13.1", "13.2"],
        remarks="Plan for nedlukning af Ældre Omsorgssystem X er i gang. Data migreres; "
        "arkivering aftales med arkivet.",
    )


def _speech_recognition(demo: _Demo) -> None:
    """Rejected: Nej at step 6."""
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
        5,
        remarks={
            3: "Leverandøren kunne ikke svare på, hvor lydfilerne behandles.",
        },
    )
    demo.decide(
        case,
        6,
        "no",
        "Løsningen kan ikke integreres med omsorgssystemet, og leverandøren kan ikke "
        "dokumentere, at lydoptagelser behandles inden for EU. Det nye omsorgssystem "
        "(sag om nyt omsorgssystem til hjemmeplejen) har talegenkendelse indbygget, så "
        "behovet dækkes dér.",
    )


def _rostering(demo: _Demo) -> None:
    """In operation: step 20 done, step 21 (closing the old system) still to do."""
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
        17,
        remarks={
            8: "Indkøbt via SKI 02.19. Jura har gennemgået de særlige vilkår.",
            11: "Databehandleraftale underskrevet; registreret i KITOS.",
            12: "Kontrakten er underskrevet af direktøren og journaliseret i Acadre.",
            13: "TidPlan Classic opsiges til udløb. Historiske vagtplaner eksporteres til arkivet.",
        },
    )
    demo.decide(
        case,
        18,
        "no",
        "Test af rettighedsstyringen viste, at vikarer kunne se alle afdelinger. "
        "Leverandøren retter opsætningen; trin 17 testes igen.",
    )
    demo.complete(case, 17, "Rettighederne er rettet og testet igen med vikar-brugere: OK.")
    demo.decide(case, 18, "yes", "Alle tests er bestået, og supporten er klar.")
    demo.walk(
        case,
        20,
        remarks={
            19: "Overdragelsesdokument og driftsaftale godkendt af IT og Digitalisering.",
            20: "VagtFlex er i drift på alle fire plejecentre.",
        },
    )
    demo.work(
        case,
        21,
        start=True,
        ticks=["21.1"],
        remarks="Der tildeles ikke længere nye brugere i TidPlan Classic. Lukning af "
        "brugeradgang planlagt til kvartalets udgang.",
    )


def _parent_platform(demo: _Demo) -> None:
    """At step 6 after a Måske round: more documentation collected, waiting for round 2."""
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
        5,
        remarks={
            2: "Fire andre kommuner bruger løsningen (jf. KITOS).",
        },
    )
    demo.decide(
        case,
        6,
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
        4,
        "Leverandørens risikovurdering og integrationsbeskrivelse er "
        "indhentet og sendt til IT-visitationen.",
    )
    demo.complete(case, 5, "Genbehandlet på IT-visitationens møde; afventer beslutning.")


def _board_meeting(demo: _Demo) -> None:
    """The IT-visitation's next meeting, planned with an agenda: the parent platform's round 2."""
    from anskaf.meetings import services as meetings

    case = next(c for c in demo.cases if c.title.startswith("Kommunikationsplatform"))
    board = demo.people["it_board"]
    referral = meetings.case_put_forward(
        actor=demo.people["coordinator"], case_id=case.pk,
        note="Risikovurdering og integrationsbeskrivelse er vedlagt på trin 4.")
    starts = timezone.localtime() + timedelta(days=7)
    [meeting] = meetings.meeting_schedule(actor=board, data={
        "title": "Møde i IT-visitationen",
        "starts_at": starts.replace(hour=10, minute=0, second=0, microsecond=0),
        "duration_minutes": 90, "place": "Rådhuset, mødelokale 2",
        "online_link": "https://moede.haderslev.dk/it-visitationen",
        "participants": [board.username, demo.people["it"].username],
    })
    meetings.agenda_add_case(actor=board, meeting_id=meeting.pk, referral_id=referral.pk)
    meetings.agenda_add_other(actor=board, meeting_id=meeting.pk, title="Eventuelt")


def _key_solution(demo: _Demo) -> None:
    """Fresh: step 1 done, step 2 in progress."""
    case = demo.create(
        title="Digitale nøgler til borgernes hjem",
        need="Hjemmeplejen håndterer i dag fysiske nøgler til ca. 900 borgere. Vi ønsker en "
        "digital nøgleløsning, der logger, hvem der har låst op.",
        strategic_fit="Øger sikkerheden for borgerne og mindsker spildtid.",
        user_impact="Borgerne får en elektronisk lås; medarbejderne slipper for nøgleskabe.",
        estimated_contract_value="900000",
        unit=demo.units["Hjemmeplejen"].pk,
    )
    demo.complete(case, 1)
    demo.work(
        case,
        2,
        start=True,
        ticks=["2.1", "2.2"],
        remarks="Vi har ikke et eksisterende system. To løsninger på markedet er "
        "undersøgt; Udbud/Indkøb skal spørges om udbudspligt (trin 2.6).",
    )


def _medication(demo: _Demo) -> None:
    """Waiting for management's decision at step 7."""
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
        6,
        decisions={
            6: (
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
        7,
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

    def work(case: Case, number: int, remarks: str, *, complete: bool = True) -> None:
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
    work(building, 1, "Behovet er afdækket med byggesagsafdelingen.")
    work(building, 2, "To leverandører på markedet; Udbud/Indkøb vurderer udbudspligt.")
    work(building, 3, "Demo hos leverandøren; integrationen til Byg og Miljø er standard.")
    work(building, 4, "Dokumentationen samles til IT-visitationen.", complete=False)

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
    work(damage, 1, "Behovet er beskrevet af Vej og Park.")
    work(damage, 2, "Markedsanalyse i gang: flere kommuner bruger samme løsning.", complete=False)

    winter = testing.new_case(
        nabo,
        title="Ruteplanlægning til vintertjenesten",
        need="Saltruterne planlægges på papir; vi ønsker ruter, der følger vejret og viser, hvor "
        "der er saltet.",
        strategic_fit="Færre kørte kilometer og mindre salt i naturen.",
        user_impact="Trafikanterne får bedre ryddede veje; chaufførerne får ruten på en skærm.",
        unit=units["Vej og Park"].pk,
    )
    work(winter, 1, "Behovet meldes ind; forvaltningen afklarer, om det haster til næste vinter.",
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
                with transaction.atomic():
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
