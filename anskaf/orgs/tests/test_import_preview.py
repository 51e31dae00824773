"""The import of units and people from XLSX, the dry run and the commit (issue 18, part 4):
the services, the page (no JavaScript: plain forms) and the API."""

from __future__ import annotations

import io
import json
import zipfile

import openpyxl
import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from anskaf import testing
from anskaf.api.tests.conftest import ApiClient, error_of
from anskaf.audit.models import AuditEvent
from anskaf.audit.services import audit_verify
from anskaf.orgs import csv_import, workbook
from anskaf.orgs.errors import ImportRefused, NotAllowed
from anskaf.orgs.models import Membership, OrgUnit, User

UNIT_HEADER = ["navn", "type", "overordnet"]
PERSON_HEADER = ["brugernavn", "navn", "email", "enhed", "roller"]


def xlsx(*sheets: tuple[str, list[list[object]]]) -> bytes:
    """A workbook with the given sheets (name, rows), in order."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets:
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def patched(data: bytes, member: str, old: bytes, new: bytes) -> bytes:
    """The workbook with one member's text changed (what openpyxl will not write)."""
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            dst.writestr(info.filename, content.replace(old, new) if info.filename == member else content)
    return out.getvalue()


def with_member(data: bytes, name: str, content: bytes) -> bytes:
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, content)
    return out.getvalue()


@pytest.fixture
def admin_user(org, unit):
    person = testing.make_user(org, "chef", full_name="Sofie Christensen", password=None)
    Membership.objects.create(organisation=org, person=person, role="admin", unit=None)
    return person


def counts():
    return OrgUnit.objects.count(), User.objects.count(), AuditEvent.objects.count()


# --- reading the workbook -------------------------------------------------------------------


def test_the_named_sheet_is_read_else_the_first(admin_user, org, unit):
    data = xlsx(
        ("Personer", [PERSON_HEADER, ["mlk", "Mette Lund", "", "", ""]]),
        ("enheder", [UNIT_HEADER, ["Hjemmeplejen", "afdeling", unit.name]]),
    )
    shown = csv_import.preview(actor=admin_user, what="units", data=data, filename="k.xlsx")
    assert shown.result.sheet == "enheder" and shown.result.created == ["Hjemmeplejen"]
    assert shown.result.file_format == "xlsx"
    people = csv_import.preview(actor=admin_user, what="people", data=data)
    assert people.result.sheet == "Personer" and people.result.created == ["mlk"]
    first = xlsx(("Ark1", [UNIT_HEADER, ["Plejecentre", "afdeling", unit.name]]))
    assert csv_import.preview(actor=admin_user, what="units", data=first).result.sheet == "Ark1"


def test_numbers_are_text_and_the_header_is_the_first_row_with_content(admin_user, org):
    data = xlsx(("Personer", [[], [None, None], PERSON_HEADER, [1234, "Tal Person", None, None, "it"]]))
    result = csv_import.preview(actor=admin_user, what="people", data=data).result
    assert result.created == ["1234"] and result.roles_added == 1 and not result.refused


def test_control_characters_in_cells_become_spaces_and_are_shown(admin_user, org, unit):
    data = xlsx(
        (
            "Enheder",
            [
                UNIT_HEADER,
                ["HjemmeXplejen", "afdeling", unit.name],
                ["Pleje\u202ecentre", "afdeling", unit.name],
            ],
        )
    )
    # Excel writes a control character as _x001B_ in the sheet's XML (XML cannot carry it).
    data = patched(data, "xl/worksheets/sheet1.xml", b"HjemmeXplejen", b"Hjemme_x001B_plejen")
    shown = csv_import.preview(actor=admin_user, what="units", data=data)
    assert shown.result.replaced == ["række 2, kolonne navn", "række 3, kolonne navn"]
    assert sorted(shown.result.created) == ["Hjemme plejen", "Pleje centre"]
    result = csv_import.commit(actor=admin_user, token=shown.token)
    assert result.replaced == shown.result.replaced
    assert OrgUnit.objects.filter(name="Hjemme plejen").exists()


# --- the dry run and the commit ----------------------------------------------------------------


def test_the_preview_writes_nothing_and_says_what_would_happen(admin_user, org, unit):
    testing.make_unit(org, "Plejecentre", parent=unit)
    before = counts()
    data = xlsx(
        (
            "Enheder",
            [
                UNIT_HEADER,
                ["Hjemmeplejen", "afdeling", unit.name],  # created
                ["Plejecentre", "forvaltning", ""],  # changed
                [unit.name, "forvaltning", ""],  # unchanged
                ["Distrikt Nord", "kontor", "Hjemmeplejen"],  # refused: type
                ["Distrikt Syd", "afdeling", "Distrikt Nord"],  # refused: its parent is refused
            ],
        )
    )
    result = csv_import.preview(actor=admin_user, what="units", data=data).result
    assert counts() == before
    assert result.created == ["Hjemmeplejen"] and result.unchanged == [unit.name]
    assert result.updated == ["Plejecentre"]
    assert result.changes["Plejecentre"] == [
        "type: Afdeling → Forvaltning",
        f"overordnet: {unit.name} → (ingen)",
    ]
    assert [(e.sheet, e.row, e.column) for e in result.refused] == [
        ("Enheder", 5, "type"),
        ("Enheder", 6, "overordnet"),
    ]
    assert "ikke »kontor«" in result.refused[0].message
    assert "»Distrikt Nord« i række 5 er afvist" in result.refused[1].message


def test_the_commit_writes_what_the_preview_showed_without_the_refused_rows(admin_user, org, unit):
    data = xlsx(
        (
            "Personer",
            [
                PERSON_HEADER,
                ["mlk", "Mette Lund", "mlk@kommune.dk", unit.name, f"coordinator@{unit.name}"],
                ["", "Uden Brugernavn", "", "", ""],
                ["jn", "Jesper Nielsen", "jn@", "", "troldmand"],
            ],
        )
    )
    shown = csv_import.preview(actor=admin_user, what="people", data=data, filename="p.xlsx")
    assert [(e.row, e.column) for e in shown.result.refused] == [
        (3, "brugernavn"),
        (4, "email"),
        (4, "roller"),
    ]
    assert shown.result.refused_rows == 2
    result = csv_import.commit(actor=admin_user, token=shown.token)
    assert result.created == ["mlk"] and result.roles_added == 1
    assert set(User.objects.filter(organisation=org).values_list("username", flat=True)) == {"chef", "mlk"}
    summary = AuditEvent.objects.get(event_type="orgs.csv_imported")
    assert summary.after == {
        "file": "p.xlsx",
        "what": "people",
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "roles_added": 1,
        "refused": 2,
        "format": "xlsx",
        "sheet": "Personer",
    }
    assert audit_verify(org.pk).ok


def test_a_known_person_is_changed_and_the_preview_says_how(admin_user, org, unit):
    testing.make_user(org, "mlk", full_name="Mette Lund", unit=None)
    data = xlsx(("Personer", [PERSON_HEADER, ["MLK", "Mette Lund Kristensen", "", unit.name, "it"]]))
    result = csv_import.preview(actor=admin_user, what="people", data=data).result
    assert result.updated == ["mlk"]
    assert result.changes["mlk"] == [
        "navn: Mette Lund → Mette Lund Kristensen",
        f"enhed: (tom) → {unit.name}",
        "ny rolle: IT og Digitalisering (hele kommunen)",
    ]


def test_a_change_since_the_preview_writes_nothing_and_gives_a_new_preview(admin_user, org, unit):
    data = xlsx(("Enheder", [UNIT_HEADER, ["Hjemmeplejen", "afdeling", unit.name]]))
    shown = csv_import.preview(actor=admin_user, what="units", data=data)
    testing.make_unit(org, "Hjemmeplejen", parent=None)  # someone else creates it meanwhile
    before = counts()
    with pytest.raises(csv_import.PlanChanged) as exc:
        csv_import.commit(actor=admin_user, token=shown.token)
    assert "Intet er gemt" in exc.value.message and counts() == before
    again = exc.value.preview
    assert again.result.updated == ["Hjemmeplejen"]
    csv_import.commit(actor=admin_user, token=again.token)
    assert OrgUnit.objects.get(name="Hjemmeplejen").parent == unit


def test_a_token_that_is_changed_old_or_another_admins_is_refused(admin_user, org, unit, monkeypatch):
    data = xlsx(("Enheder", [UNIT_HEADER, ["Hjemmeplejen", "afdeling", unit.name]]))
    token = csv_import.preview(actor=admin_user, what="units", data=data).token
    other = testing.make_user(org, "chef2", password=None)
    Membership.objects.create(organisation=org, person=other, role="admin", unit=None)
    before = counts()
    with pytest.raises(ImportRefused, match="en anden administrator"):
        csv_import.commit(actor=other, token=token)
    with pytest.raises(ImportRefused, match="ændret undervejs"):
        csv_import.commit(actor=admin_user, token=token[:-3] + "abc")
    forged = signing.dumps({"org": org.pk}, salt="not-the-import")
    with pytest.raises(ImportRefused, match="ændret undervejs"):
        csv_import.commit(actor=admin_user, token=forged)
    monkeypatch.setattr(csv_import, "TOKEN_MAX_AGE", -1)
    with pytest.raises(ImportRefused, match="over en time gammel"):
        csv_import.commit(actor=admin_user, token=token)
    assert counts() == before


def test_only_admins_preview_or_commit(org, unit, coordinator):
    data = xlsx(("Enheder", [UNIT_HEADER, ["Hjemmeplejen", "afdeling", unit.name]]))
    with pytest.raises(NotAllowed):
        csv_import.preview(actor=coordinator, what="units", data=data)
    with pytest.raises(NotAllowed):
        csv_import.commit(actor=coordinator, token="x")


def test_nothing_to_write_is_refused_at_the_commit(admin_user, unit):
    data = xlsx(("Enheder", [UNIT_HEADER, [unit.name, "forvaltning", ""]]))
    shown = csv_import.preview(actor=admin_user, what="units", data=data)
    assert shown.result.unchanged == [unit.name]
    with pytest.raises(ImportRefused, match="intet at importere"):
        csv_import.commit(actor=admin_user, token=shown.token)
    assert not AuditEvent.objects.filter(event_type="orgs.csv_imported").exists()


def test_a_csv_file_has_the_same_preview(admin_user, unit):
    data = f"navn;type;overordnet\nHjemmeplejen;afdeling;{unit.name}\nX;kontor;\n".encode()
    shown = csv_import.preview(actor=admin_user, what="units", data=data)
    assert shown.result.file_format == "csv" and shown.result.sheet == ""
    assert shown.result.created == ["Hjemmeplejen"]
    assert [(e.sheet, e.row, e.column) for e in shown.result.refused] == [("", 3, "type")]


# --- bad files: a clear Danish message, nothing stored -----------------------------------------


def _bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", b"\0" * (5 * 1024 * 1024))  # ~1000:1
    return out.getvalue()


def _not_a_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hej")
    return out.getvalue()


GOOD = [UNIT_HEADER, ["Hjemmeplejen", "afdeling", ""]]
LAUGHS = b'<!DOCTYPE lolz [<!ENTITY lol0 "lollollollollollollollollollol">' + b"".join(
    b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, 10)) + b"]>"


def _entity_bomb(member: str) -> bytes:
    """A billion laughs in one of the workbook's XML parts: refused in well under a second."""
    data = xlsx(("Enheder", GOOD))
    text = zipfile.ZipFile(io.BytesIO(data)).read(member)
    head, rest = text.split(b"?>", 1) if text.startswith(b"<?xml") else (b"", text)
    bombed = (head + b"?>" if head else b"") + LAUGHS + rest.replace(
        b"Hjemmeplejen", b"&lol9;").replace(b'name="Enheder"', b'name="&lol9;"')
    return patched(data, member, text, bombed)


def _formula() -> bytes:
    return xlsx(("Enheder", [*GOOD, ['=A2&"x"', "afdeling", ""]]))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500, "gammel Excel-fil (.xls)"),
        (lambda: xlsx(("Enheder", GOOD))[:400], "beskadiget"),
        (_not_a_workbook, "ikke en Excel-projektmappe"),
        (_bomb, "ZIP-bombe"),
        (lambda: with_member(xlsx(("Enheder", GOOD)), "../../evil.txt", b"x"), "»..«"),
        (lambda: with_member(xlsx(("Enheder", GOOD)), "xl/vbaProject.bin", b"x"), "makroer"),
        (_formula, "indeholder formler i A3"),
    (lambda: _entity_bomb("xl/worksheets/sheet1.xml"), "Arket »Enheder« kunne ikke læses"),
    (lambda: _entity_bomb("xl/workbook.xml"), "kunne ikke læses som en Excel-projektmappe"),
        (lambda: xlsx(("Enheder", [])), "Arket »Enheder« er tomt"),
        (
            lambda: xlsx(("Enheder", [["navn", "type"], ["A", "afdeling"]])),
            "første række af arket »Enheder« passer ikke (mangler »overordnet«)",
        ),
        (lambda: xlsx(("Enheder", [UNIT_HEADER])), "ingen rækker under kolonnenavnene"),
        (lambda: b"PK\x03\x04" + b"x" * (csv_import.MAX_BYTES + 1), "Filen er for stor"),
    ],
)
def test_a_bad_workbook_is_refused_clearly_and_nothing_is_stored(admin_user, make, message):
    before = counts()
    for run in (csv_import.preview, csv_import.import_units):
        kwargs = {"what": "units"} if run is csv_import.preview else {}
        with pytest.raises(ImportRefused) as exc:
            run(actor=admin_user, data=make(), **kwargs)
        assert message in exc.value.message
    assert counts() == before


def test_too_many_rows_in_a_workbook_are_refused(admin_user, monkeypatch):
    monkeypatch.setattr(csv_import, "MAX_ROWS", 3)
    data = xlsx(("Enheder", [UNIT_HEADER, *[[f"E{i}", "forvaltning", ""] for i in range(4)]]))
    with pytest.raises(ImportRefused, match="mere end 3 rækker"):
        csv_import.preview(actor=admin_user, what="units", data=data)


def test_a_sheet_of_many_rows_that_look_empty_is_refused_while_reading(admin_user,
                                                                       monkeypatch):
    monkeypatch.setattr(csv_import, "MAX_ROWS", 3)
    far = [None] * (workbook.MAX_COLUMNS + 5) + ["x"]  # content beyond the columns read
    data = xlsx(("Enheder", [UNIT_HEADER, *[far] * 1010]))
    with pytest.raises(ImportRefused, match="over 1006 rækker, tomme rækker medregnet"):
        csv_import.preview(actor=admin_user, what="units", data=data)


def test_a_workbook_is_bounded_by_its_own_archive_limit(admin_user, monkeypatch):
    monkeypatch.setattr(workbook, "MAX_UNPACKED", 2000)  # 20 MB in earnest; the documents: 200
    with pytest.raises(ImportRefused, match=r"udpakket \(højst 2000 bytes\).*Intet er importeret"):
        csv_import.preview(actor=admin_user, what="units", data=xlsx(("Enheder", GOOD)))


# --- the page (plain forms, no JavaScript) -------------------------------------------------------


@pytest.fixture
def as_admin(client, admin_user):
    client.force_login(admin_user)
    return client


def _upload(data: bytes, name: str = "kommune.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def _token(html: str) -> str:
    start = html.index('name="token" value="') + len('name="token" value="')
    return html[start : html.index('"', start)]


def test_the_page_previews_then_imports(as_admin, org, unit):
    data = xlsx(
        ("Enheder", [UNIT_HEADER, ["Hjemmeplejen", "afdeling", unit.name], ["Distrikt", "kontor", ""]])
    )
    before = counts()
    page = as_admin.post(reverse("orgs:csv_import"), {"what": "units", "file": _upload(data)})
    assert page.status_code == 200 and counts() == before
    html = page.content.decode()
    assert "Forhåndsvisning af importen" in html and "Intet er gemt endnu" in html
    assert "1 oprettes, 0 ændres, 0 er uændrede, og 1 række afvises" in html
    assert "(arket »Enheder«)" in html
    assert '<td>Enheder</td><th scope="row">3</th><td>type</td>' in html
    assert f'action="{reverse("orgs:import_commit")}"' in html
    assert "Importér uden de afviste rækker" in html
    done = as_admin.post(reverse("orgs:import_commit"), {"token": _token(html)})
    assert done.status_code == 200
    html = done.content.decode()
    assert "Enhederne i kommune.xlsx er importeret" in html
    assert "1 oprettet, 0 opdateret og 0 uændret; 1 afvist række sprunget over" in html
    assert OrgUnit.objects.get(name="Hjemmeplejen").parent == unit


def test_the_excel_template_imports_units_then_people(as_admin, org, unit):
    response = as_admin.get(reverse("orgs:xlsx_template"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="enheder-og-personer.xlsx"'
    data = response.content
    expected = {"units": "1 oprettes, 0 ændres, 1 er uændrede, og 0 rækker afvises",
                "people": "2 oprettes, 0 ændres, 0 er uændrede, 3 roller gives, og 0 rækker "
                          "afvises"}
    for what, summary in expected.items():
        html = as_admin.post(reverse("orgs:csv_import"), {
            "what": what, "file": _upload(data, "enheder-og-personer.xlsx")}).content.decode()
        assert summary in html
        assert as_admin.post(reverse("orgs:import_commit"),
                             {"token": _token(html)}).status_code == 200
    assert OrgUnit.objects.get(name="Hjemmeplejen").parent == unit
    assert User.objects.get(username="mlk").memberships.get().unit == unit
    assert set(User.objects.get(username="jn").memberships.values_list("role", flat=True)) == {
        "it", "archive"}


def test_the_page_shows_a_bad_workbook_in_danish(as_admin, unit):
    page = as_admin.post(reverse("orgs:csv_import"), {"what": "units", "file": _upload(_formula())})
    assert page.status_code == 400
    html = page.content.decode()
    assert "kommune.xlsx er ikke importeret" in html and "indeholder formler i A3" in html
    assert OrgUnit.objects.count() == 1


def test_the_commit_page_without_a_token_or_after_a_change(as_admin, org, unit):
    page = as_admin.post(reverse("orgs:import_commit"), {})
    assert page.status_code == 400 and "ændret undervejs" in page.content.decode()
    data = xlsx(("Enheder", [UNIT_HEADER, ["Hjemmeplejen", "afdeling", unit.name]]))
    html = as_admin.post(
        reverse("orgs:csv_import"), {"what": "units", "file": _upload(data)}
    ).content.decode()
    testing.make_unit(org, "Hjemmeplejen")
    page = as_admin.post(reverse("orgs:import_commit"), {"token": _token(html)})
    assert page.status_code == 409
    html = page.content.decode()
    assert "Importen er ikke gennemført" in html and "Hjemmeplejen</td><td>Ændres" in html
    assert OrgUnit.objects.get(name="Hjemmeplejen").parent is None


# --- the API --------------------------------------------------------------------------------------


def _preview(api: ApiClient, data: bytes, what: str = "units"):
    return api.client.post("/api/v1/org-import/preview", {"what": what, "file": _upload(data)}, **api.headers)


def test_the_api_previews_and_commits(admin_user, org, unit):
    api = ApiClient(admin_user)
    data = xlsx(("Enheder", [UNIT_HEADER, ["Hjemmeplejen", "afdeling", unit.name], ["X", "kontor", ""]]))
    before = counts()
    response = _preview(api, data)
    assert response.status_code == 200, response.content
    body = response.json()
    assert counts()[:2] == before[:2]
    assert body["format"] == "xlsx" and body["sheet"] == "Enheder"
    assert body["created"] == ["Hjemmeplejen"]
    assert body["refused"] == [
        {
            "sheet": "Enheder",
            "row": 3,
            "column": "type",
            "message": "Skriv »forvaltning« eller »afdeling«, ikke »kontor«.",
        }
    ]
    done = api.post("/org-import/commit", {"token": body["token"]})
    assert done.status_code == 200, done.content
    assert done.json()["created"] == ["Hjemmeplejen"]
    again = api.post("/org-import/commit", {"token": body["token"]})
    assert again.status_code == 409 and error_of(again) == "conflict"


def test_the_api_refuses_bad_files_tokens_and_non_admins(admin_user, org, unit, coordinator):
    api = ApiClient(admin_user)
    bad = _preview(api, _bomb())
    assert bad.status_code == 409 and error_of(bad) == "file_refused"
    assert "ZIP-bombe" in bad.json()["message"]
    missing = api.client.post("/api/v1/org-import/preview", {"what": "x"}, **api.headers)
    assert missing.status_code == 400 and set(missing.json()["fields"]) == {"what", "file"}
    token = api.post("/org-import/commit", {"token": "nonsense"})
    assert token.status_code == 409 and "token" in token.json()["fields"]
    typed = api.post("/org-import/commit", {"token": 5})
    assert typed.status_code == 400
    data = xlsx(("Enheder", [UNIT_HEADER, ["Hjemmeplejen", "afdeling", unit.name]]))
    other = ApiClient(coordinator)
    assert _preview(other, data).status_code == 403
    assert other.post("/org-import/commit", {"token": "x"}).status_code == 403
    assert json.loads(_preview(ApiClient(), data).content)["error"] == "unauthenticated"
    assert OrgUnit.objects.count() == 1
