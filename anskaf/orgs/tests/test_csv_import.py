"""CSV import of units and people: formats, per-row errors, all or nothing, audit."""

from __future__ import annotations

import pytest

from anskaf import testing
from anskaf.audit.models import AuditEvent
from anskaf.audit.services import audit_verify
from anskaf.orgs import csv_import, services
from anskaf.orgs.csv_import import import_people, import_units
from anskaf.orgs.errors import ImportRefused, NotAllowed, ValidationFailed
from anskaf.orgs.models import Membership, OrgUnit, User

UNITS = (
    "navn;type;overordnet\r\n"
    "Hjemmeplejen;afdeling;Social- og Sundhedsforvaltningen\r\n"   # parent defined below
    "Social- og Sundhedsforvaltningen;forvaltning;\r\n"
    "Plejecentre;Afdeling;social- og sundhedsforvaltningen\r\n"    # case does not matter
    ";;\r\n"                                                       # empty rows are skipped
    "Distrikt Nord;afdeling;Hjemmeplejen\r\n"
)


@pytest.fixture
def admin_user(org):
    person = testing.make_user(org, "chef", full_name="Sofie Christensen", password=None)
    Membership.objects.create(organisation=org, person=person, role="admin", unit=None)
    return person


def units_of(org):
    return {u.name: (u.kind, u.parent.name if u.parent else None)
            for u in OrgUnit.objects.filter(organisation=org)}


def refused(run, **kwargs) -> ImportRefused:
    with pytest.raises(ImportRefused) as exc:
        run(**kwargs)
    return exc.value


def rows_of(exc: ImportRefused) -> list[tuple[int, str]]:
    return [(e.row, e.column) for e in exc.rows]


# --- units ----------------------------------------------------------------------------------------


def test_units_with_bom_and_semicolons_build_the_tree(admin_user, org):
    result = import_units(actor=admin_user, data=("\ufeff" + UNITS).encode(), filename="e.csv")
    assert sorted(result.created) == ["Distrikt Nord", "Hjemmeplejen", "Plejecentre",
                                      "Social- og Sundhedsforvaltningen"]
    assert units_of(org) == {
        "Social- og Sundhedsforvaltningen": ("administration", None),
        "Hjemmeplejen": ("department", "Social- og Sundhedsforvaltningen"),
        "Plejecentre": ("department", "Social- og Sundhedsforvaltningen"),
        "Distrikt Nord": ("department", "Hjemmeplejen"),
    }
    events = AuditEvent.objects.filter(organisation=org)
    assert events.filter(event_type="unit.created").count() == 4
    summary = events.get(event_type="orgs.csv_imported")
    assert summary.after == {"file": "e.csv", "what": "units", "created": 4, "updated": 0,
                             "unchanged": 0, "roles_added": 0, "refused": 0,
                             "format": "csv"}
    assert summary.actor_id == admin_user.pk
    assert audit_verify(org.pk).ok


def test_importing_the_same_units_again_changes_nothing_and_a_change_updates(admin_user, org):
    import_units(actor=admin_user, data=UNITS.encode())
    events = AuditEvent.objects.count()
    again = import_units(actor=admin_user, data=UNITS.encode())
    assert again.created == [] and again.updated == [] and len(again.unchanged) == 4
    assert AuditEvent.objects.count() == events + 1  # only the summary
    moved = import_units(actor=admin_user, data=(
        b"navn,type,overordnet\nDistrikt Nord,afdeling,Plejecentre\n"))  # commas
    assert moved.updated == ["Distrikt Nord"]
    assert units_of(org)["Distrikt Nord"] == ("department", "Plejecentre")


def test_every_bad_unit_row_is_reported_and_nothing_is_imported(admin_user, org, unit):
    data = (
        b"navn;type;overordnet\n"
        b"Ny forvaltning;forvaltning;\n"            # 2: fine on its own
        b";afdeling;\n"                             # 3: no name
        b"Skoler;skole;Ny forvaltning\n"            # 4: unknown type
        b"Dagtilbud;afdeling;Findes ikke\n"         # 5: unknown parent
        b"Skoler;afdeling;Ny forvaltning\n"         # 6: twice in the file
        b"Selv;afdeling;selv\n"                     # 7: its own parent
        b"Eksempel;afdeling;Ny forvaltning;ekstra\n"  # 8: an extra column
    )
    exc = refused(import_units, actor=admin_user, data=data)
    assert exc.rows[0].row == 8 and "kun 3 kolonnenavne" in exc.rows[0].message
    data = data.replace(b";ekstra", b"")
    exc = refused(import_units, actor=admin_user, data=data)
    assert "5 rækker har fejl" in exc.message and "Intet er gemt" in exc.message
    assert rows_of(exc) == [(3, "navn"), (4, "type"), (5, "overordnet"), (6, "navn"),
                            (7, "overordnet")]
    messages = {e.row: e.message for e in exc.rows}
    assert messages[3] == "Skriv enhedens navn."
    assert messages[4] == "Skriv »forvaltning« eller »afdeling«, ikke »skole«."
    assert "»Findes ikke« findes ikke i kommunen" in messages[5]
    assert messages[6] == "Enheden »Skoler« står også i række 4."
    assert list(units_of(org)) == [unit.name]
    assert not AuditEvent.objects.exists()


def test_a_cycle_between_units_is_refused(admin_user, org, unit):
    department = testing.make_unit(org, "Hjemmeplejen", parent=unit)
    data = ("navn;type;overordnet\n"
            f"{unit.name};forvaltning;Hjemmeplejen\n").encode()
    exc = refused(import_units, actor=admin_user, data=data)
    assert rows_of(exc) == [(2, "overordnet")]
    assert "ville komme til at ligge under sig selv" in exc.rows[0].message
    assert "Social- og Sundhedsforvaltningen › Hjemmeplejen › Social- og" in exc.rows[0].message
    data = b"navn;type;overordnet\nA;afdeling;B\nB;afdeling;A\n"
    exc = refused(import_units, actor=admin_user, data=data)
    assert rows_of(exc) == [(2, "overordnet"), (3, "overordnet")]
    unit.refresh_from_db()
    department.refresh_from_db()
    assert unit.parent is None and department.parent == unit


def test_units_with_the_same_name_cannot_be_referred_to_by_name(admin_user, org, unit,
                                                              other_unit):
    testing.make_unit(org, "Sekretariat", parent=unit)
    testing.make_unit(org, "Sekretariat", parent=other_unit)
    exc = refused(import_units, actor=admin_user,
                  data=b"navn;type;overordnet\nJura;afdeling;Sekretariat\n")
    assert "Der er 2 enheder med navnet »Sekretariat«" in exc.rows[0].message


# --- file-level problems --------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "message"), [
    ("navn;type;overordnet\nBørne- og Ungeforvaltningen;forvaltning;\n".encode("cp1252"),
     "Filen er ikke gemt som UTF-8 (første ugyldige tegn står i linje 2"),
    ("navn;type;overordnet\n".encode("utf-16"), "gemt som UTF-16"),
    (b"PK\x03\x04rest-of-a-zip", "Excel-projektmappe"),
    (b"", "Filen er tom."),
    ("\ufeff".encode(), "Filen er tom."),
    (b"navn;type;overordnet\n", "ingen rækker"),
    (b"navn;type\nA;afdeling\n", "mangler »overordnet«"),
    (b"name;type;parent\nA;afdeling;\n", "ukendt »name«, »parent«"),
    (b"navn type overordnet\nA afdeling\n", "adskilt af semikolon"),
    (b"navn;type;overordnet\x00\n", "NUL-tegn"),
])
def test_file_problems_are_refused_with_a_clear_message(admin_user, data, message):
    exc = refused(import_units, actor=admin_user, data=data)
    assert message in exc.message
    assert not OrgUnit.objects.exists()


def test_a_file_over_1_mb_is_refused(admin_user):
    data = b"navn;type;overordnet\n" + b"A;afdeling;\n" * (csv_import.MAX_BYTES // 12 + 10)
    exc = refused(import_units, actor=admin_user, data=data)
    assert "Filen er for stor" in exc.message and "højst være 1,0 MB" in exc.message


def test_too_many_rows_are_refused(admin_user, monkeypatch):
    monkeypatch.setattr(csv_import, "MAX_ROWS", 3)
    data = "navn;type;overordnet\n" + "".join(f"E{i};forvaltning;\n" for i in range(4))
    exc = refused(import_units, actor=admin_user, data=data.encode())
    assert "mere end 3 rækker" in exc.message
    assert import_units(actor=admin_user, data=data.rsplit("E3", 1)[0].encode()).created


def test_columns_may_come_in_any_order_with_aliases_and_quotes(admin_user, org, unit):
    data = (b'"Overordnet enhed";"Navn";"Type"\n'
            b'"Social- og Sundhedsforvaltningen";"Pleje; hjemme";"afdeling"\n')
    import_units(actor=admin_user, data=data)
    assert units_of(org)["Pleje; hjemme"] == ("department", unit.name)


def test_only_an_organisation_wide_admin_may_import(coordinator):
    with pytest.raises(NotAllowed):
        import_units(actor=coordinator, data=UNITS.encode())
    with pytest.raises(NotAllowed):
        import_people(actor=coordinator, data=b"brugernavn;navn;email;enhed;roller\n")


# --- people ---------------------------------------------------------------------------------------


PEOPLE = (
    "brugernavn;navn;email;enhed;roller\n"
    "mlk;Mette Lund Kristensen;mlk@haderslev.dk;Social- og Sundhedsforvaltningen;"
    "coordinator@Social- og Sundhedsforvaltningen|requester\n"
    "jn;Jesper Nielsen;;;it | IT-visitationen|it\n"
    "ah;Anders Holm;ah@haderslev.dk;Børne- og Familieforvaltningen;\n"
)


def test_people_are_created_with_their_scoped_roles_and_no_password(admin_user, org, unit,
                                                                  other_unit):
    result = import_people(actor=admin_user, data=PEOPLE.encode(), filename="p.csv")
    assert result.created == ["mlk", "jn", "ah"] and result.roles_added == 4
    mlk = User.objects.get(username="mlk")
    assert mlk.organisation == org and mlk.unit == unit and mlk.email == "mlk@haderslev.dk"
    assert mlk.get_full_name() == "Mette Lund Kristensen"
    assert not mlk.has_usable_password() and mlk.is_active
    roles = set(Membership.objects.filter(person__username__in=["mlk", "jn", "ah"])
                .values_list("person__username", "role", "unit_id", "organisation_id"))
    assert roles == {("mlk", "coordinator", unit.pk, org.pk), ("mlk", "requester", None, org.pk),
                     ("jn", "it", None, org.pk), ("jn", "it_board", None, org.pk)}
    assert User.objects.get(username="ah").unit == other_unit
    events = AuditEvent.objects.filter(organisation=org)
    assert events.filter(event_type="person.created").count() == 3
    assert events.filter(event_type="role.added").count() == 4
    assert audit_verify(org.pk).ok


def test_known_people_are_updated_and_keep_roles_that_are_not_in_the_file(admin_user, org,
                                                                        coordinator, unit):
    coordinator.email = "gammel@haderslev.dk"
    coordinator.save()
    data = (b"brugernavn;navn;email;enhed;roller\n"
            b"KOORDINATOR;Karen Koordinator;karen@haderslev.dk;Social- og Sundhedsforvaltningen;"
            b"management@Social- og Sundhedsforvaltningen\n")
    result = import_people(actor=admin_user, data=data)
    assert result.updated == ["koordinator"] and result.created == []
    coordinator.refresh_from_db()
    assert coordinator.username == "koordinator" and coordinator.email == "karen@haderslev.dk"
    assert set(Membership.objects.filter(person=coordinator).values_list("role", flat=True)) == {
        "coordinator", "management"}
    again = import_people(actor=admin_user, data=data)
    assert again.unchanged == ["koordinator"] and again.roles_added == 0


def test_every_bad_person_row_is_reported_and_nothing_is_imported(admin_user, org, unit,
                                                                outsider):
    data = (
        b"brugernavn;navn;email;enhed;roller\n"
        b"god;God Person;god@haderslev.dk;;it\n"                   # 2: fine on its own
        b";Uden Brugernavn;;;\n"                                   # 3
        b"to ord;;ikke-mail;Atlantis;troldmand|coordinator@Atlantis|it@\n"  # 4
        b"fremmed;Fra Aabenraa;;;\n"                               # 5: another municipality's
        b"God;God Igen;;;\n"                                       # 6: twice in the file
    )
    exc = refused(import_people, actor=admin_user, data=data)
    assert rows_of(exc) == [(3, "brugernavn"), (4, "brugernavn"), (4, "navn"), (4, "email"),
                            (4, "enhed"), (4, "roller"), (4, "roller"), (4, "roller"),
                            (5, "brugernavn"), (6, "brugernavn")]
    messages = [e.message for e in exc.rows]
    assert "Ukendt rolle »troldmand«. Brug en af: coordinator, requester" in messages[5]
    assert "Enheden »Atlantis« findes ikke i kommunen" in messages[6]
    assert "Skriv en enhed efter @" in messages[7]
    assert messages[8] == "Brugernavnet »fremmed« er allerede i brug. Vælg et andet."
    assert messages[9] == "Brugernavnet »God« står også i række 2."
    assert not User.objects.filter(username__in=["god", "to ord"]).exists()
    assert not AuditEvent.objects.exists()


def test_a_row_refused_while_writing_rolls_back_the_rows_before_it(admin_user, org, monkeypatch):
    real = services.role_add

    def refuse_legal(**kwargs):
        if kwargs["role"] == "legal":
            raise ValidationFailed({"role": "Jura er lukket i dag."})
        return real(**kwargs)

    monkeypatch.setattr(services, "role_add", refuse_legal)
    data = (b"brugernavn;navn;email;enhed;roller\n"
            b"a;Anne A;;;it\n"
            b"b;Bent B;;;legal\n")
    exc = refused(import_people, actor=admin_user, data=data)
    assert [(e.row, e.column, e.message) for e in exc.rows] == [(3, "roller", "Jura er lukket i dag.")]
    assert not User.objects.filter(username__in=["a", "b"]).exists()
    assert not Membership.objects.filter(role="it").exists()
    assert not AuditEvent.objects.exists()
    assert audit_verify(org.pk).ok
