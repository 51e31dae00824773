"""The administration pages through Django's test client: access, isolation, forms, audit."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from anskaf import testing
from anskaf.audit.models import AuditEvent
from anskaf.audit.services import audit_verify
from anskaf.orgs.models import Membership, OrgUnit, User
from anskaf.orgs.permissions import is_admin


def make_admin(org, username="chef", unit=None):
    person = testing.make_user(org, username, unit=unit, full_name="Sofie Christensen",
                               password=None)
    Membership.objects.create(organisation=org, person=person, role="admin", unit=None)
    return person


@pytest.fixture
def admin_user(org, unit):
    return make_admin(org)


@pytest.fixture
def department(org, unit):
    return testing.make_unit(org, "Hjemmeplejen", parent=unit)


@pytest.fixture
def as_admin(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def foreign(outsider):
    """Another municipality's unit and person (the outsider and their unit)."""
    return outsider.unit, outsider


def urls_for(unit, person, membership):
    """Every administration URL with its methods (GET pages, POST actions)."""
    return [
        ("get", reverse("orgs:overview")),
        ("get", reverse("orgs:unit_list")),
        ("get", reverse("orgs:unit_create")),
        ("get", reverse("orgs:unit_edit", args=[unit.pk])),
        ("get", reverse("orgs:person_list")),
        ("get", reverse("orgs:person_create")),
        ("get", reverse("orgs:person_detail", args=[person.pk])),
        ("get", reverse("orgs:person_edit", args=[person.pk])),
        ("post", reverse("orgs:role_add", args=[person.pk])),
        ("post", reverse("orgs:role_remove", args=[person.pk, membership.pk])),
        ("get", reverse("orgs:csv_import")),
        ("get", reverse("orgs:csv_template", args=["enheder"])),
    ]


# --- who may come in ------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, unit, coordinator):
    membership = Membership.objects.get(person=coordinator)
    for method, url in urls_for(unit, coordinator, membership):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/log-ind/"), url


@pytest.mark.parametrize("who", ["coordinator", "unit_admin", "other_admin", "inactive_admin"])
def test_everybody_but_an_organisation_wide_admin_gets_403(client, org, unit, coordinator, who,
                                                           other_org):
    if who == "coordinator":
        person = coordinator
    elif who == "unit_admin":  # admin of one unit only: not an administrator of the municipality
        person = testing.make_user(org, "enhedsadmin", unit=unit, password=None)
        Membership.objects.create(organisation=org, person=person, role="admin", unit=unit)
    elif who == "other_admin":  # an admin membership in another municipality does not count
        person = testing.make_user(org, "skæv", password=None)
        Membership.objects.create(organisation=other_org, person=person, role="admin")
    else:
        person = make_admin(org, "tidligere")
        person.is_active = False
        person.save()
    assert not is_admin(person)
    client.force_login(person)
    membership = Membership.objects.get(person=coordinator)
    for method, url in urls_for(unit, coordinator, membership):
        response = getattr(client, method)(url, {"role": "it"} if method == "post" else None)
        if who == "inactive_admin":  # Django logs an inactive user out: back to the login page
            assert response.status_code in (302, 403), url
            continue
        assert response.status_code == 403, url
        assert "Du har ikke adgang til siden" in response.content.decode()
    assert Membership.objects.filter(person=coordinator).count() == 1


def test_the_menu_shows_administration_only_to_admins(client, admin_user, coordinator):
    client.force_login(coordinator)
    assert "Administration" not in client.get("/sager/").content.decode()
    client.force_login(admin_user)
    html = client.get("/sager/").content.decode()
    assert html.count(f'href="{reverse("orgs:overview")}"') == 2  # desktop and mobile menus
    html = client.get(reverse("orgs:unit_list")).content.decode()
    assert re.search(r'href="/administration/" class="nav-link" aria-current="page"', html)


def test_another_municipalitys_units_people_and_roles_answer_404(as_admin, foreign):
    their_unit, their_person = foreign
    their_role = Membership.objects.get(person=their_person)
    for method, url in urls_for(their_unit, their_person, their_role):
        if url.endswith(("/administration/", "/enheder/", "/ny/", "/personer/", "/import/",
                         ".csv")):
            continue
        response = getattr(as_admin, method)(url, {"role": "it"} if method == "post" else None)
        assert response.status_code == 404, url
    assert Membership.objects.filter(person=their_person).count() == 1
    html = as_admin.get(reverse("orgs:person_list") + "?q=fremmed").content.decode()
    assert "Ingen personer matcher »fremmed«" in html
    assert reverse("orgs:person_detail", args=[their_person.pk]) not in html


def test_an_admin_of_the_other_municipality_cannot_see_ours(client, other_org, unit, coordinator):
    their_admin = make_admin(other_org, "aabenraa-admin")
    client.force_login(their_admin)
    assert client.get(reverse("orgs:unit_edit", args=[unit.pk])).status_code == 404
    assert client.get(reverse("orgs:person_detail", args=[coordinator.pk])).status_code == 404
    html = client.get(reverse("orgs:unit_list")).content.decode()
    assert unit.name not in html


# --- every page renders -------------------------------------------------------------------------


def test_every_page_renders_for_an_admin_with_one_h1(as_admin, unit, department, coordinator):
    membership = Membership.objects.get(person=coordinator)
    for method, url in urls_for(unit, coordinator, membership):
        if method != "get" or url.endswith(".csv"):
            continue
        response = as_admin.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert html.count("<h1") == 1, url
        assert '<html lang="da">' in html
        assert "style=" not in html and "<script>" not in html, url
        assert "{#" not in html and "{%" not in html, url  # no template comment leaks out


def test_the_units_page_shows_the_tree(as_admin, org, unit, other_unit, department):
    html = as_admin.get(reverse("orgs:unit_list")).content.decode()
    social = html.index("Social- og Sundhedsforvaltningen</strong>")
    care = html.index("Hjemmeplejen")
    children = html.index("Børne- og Familieforvaltningen</strong>")
    assert children < social < care  # by name, each forvaltning followed by its afdelinger
    assert '<th scope="row" class="weight-normal pl-6">' in html
    assert "<caption" in html and 'scope="col"' in html
    add_here = f"{reverse('orgs:unit_create')}?overordnet={unit.pk}"
    assert add_here in html
    form = as_admin.get(add_here).content.decode()
    assert f'<option value="{unit.pk}" selected>' in form
    assert '<option value="department" selected>' in form


def test_csv_templates_download_as_utf8_with_bom(as_admin):
    response = as_admin.get(reverse("orgs:csv_template", args=["personer"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbfbrugernavn;navn;email;enhed;roller")
    assert as_admin.get(reverse("orgs:csv_template", args=["andet"])).status_code == 404


# --- units ----------------------------------------------------------------------------------------


def test_creating_a_unit_is_audited(as_admin, org, unit, admin_user):
    response = as_admin.post(reverse("orgs:unit_create"),
                             {"name": " Plejecentre ", "kind": "department", "parent": unit.pk})
    assert response.status_code == 302 and response["Location"] == reverse("orgs:unit_list")
    created = OrgUnit.objects.get(name="Plejecentre")
    assert created.parent == unit and created.organisation == org
    event = AuditEvent.objects.get(event_type="unit.created")
    assert event.actor_id == admin_user.pk and event.actor_role == "admin"
    assert event.after == {"name": "Plejecentre", "kind": "department", "parent": unit.pk}
    assert "Enheden »Plejecentre« er oprettet." in as_admin.get(response["Location"]).content.decode()


def test_a_unit_form_with_errors_explains_each_field_in_danish(as_admin, unit):
    response = as_admin.post(reverse("orgs:unit_create"), {"name": "", "kind": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Formularen indeholder fejl" in html
    assert "Skriv enhedens navn." in html
    assert "Vælg, om enheden er en forvaltning eller en afdeling." in html
    assert 'href="#id_name"' in html
    response = as_admin.post(reverse("orgs:unit_create"),
                             {"name": "social- og sundhedsforvaltningen", "kind": "administration"})
    assert response.status_code == 400
    assert "Der findes allerede en enhed med navnet" in response.content.decode()
    assert OrgUnit.objects.count() == 1
    assert not AuditEvent.objects.exists()


def test_a_unit_cannot_get_a_parent_of_another_municipality(as_admin, foreign):
    their_unit, _ = foreign
    response = as_admin.post(reverse("orgs:unit_create"),
                             {"name": "Ny", "kind": "department", "parent": their_unit.pk})
    assert response.status_code == 400
    assert "Vælg en overordnet enhed fra listen" in response.content.decode()
    assert not OrgUnit.objects.filter(name="Ny").exists()


def test_a_unit_cannot_become_its_own_ancestor(as_admin, unit, department):
    deeper = OrgUnit.objects.create(organisation=unit.organisation, parent=department,
                                    name="Distrikt Nord", kind="department")
    url = reverse("orgs:unit_edit", args=[unit.pk])
    html = as_admin.get(url).content.decode()
    assert f'value="{department.pk}"' not in html and f'value="{unit.pk}"' not in html
    for parent in (unit.pk, department.pk, deeper.pk):
        response = as_admin.post(url, {"name": unit.name, "kind": "administration",
                                       "parent": parent})
        assert response.status_code == 400
        assert "En enhed kan ikke ligge under sig selv" in response.content.decode()
    unit.refresh_from_db()
    assert unit.parent is None


def test_editing_a_unit_moves_it_and_audits_only_what_changed(as_admin, unit, other_unit,
                                                              department):
    url = reverse("orgs:unit_edit", args=[department.pk])
    html = as_admin.get(url).content.decode()
    assert 'value="Hjemmeplejen"' in html
    response = as_admin.post(url, {"name": "Hjemmeplejen", "kind": "department",
                                   "parent": other_unit.pk})
    assert response.status_code == 302
    department.refresh_from_db()
    assert department.parent == other_unit
    event = AuditEvent.objects.get(event_type="unit.updated")
    assert event.before == {"parent": unit.pk} and event.after == {"parent": other_unit.pk}
    as_admin.post(url, {"name": "Hjemmeplejen", "kind": "department", "parent": other_unit.pk})
    assert AuditEvent.objects.filter(event_type="unit.updated").count() == 1  # no change: no event


# --- people ---------------------------------------------------------------------------------------


def person_data(**overrides):
    data = {"username": "hanne", "full_name": "Hanne Lind Berg", "email": "hlb@haderslev.dk",
            "unit": "", "is_active": "on", "login": "sso", "password1": "", "password2": ""}
    data.update(overrides)
    return data


def test_creating_a_person_for_single_sign_on_sets_no_password(as_admin, org, unit):
    response = as_admin.post(reverse("orgs:person_create"), person_data(unit=unit.pk))
    person = User.objects.get(username="hanne")
    assert response.status_code == 302
    assert response["Location"] == reverse("orgs:person_detail", args=[person.pk])
    assert person.organisation == org and person.unit == unit and person.is_active
    assert person.first_name == "Hanne" and person.last_name == "Lind Berg"
    assert not person.has_usable_password()
    event = AuditEvent.objects.get(event_type="person.created")
    assert event.after["login"] == "sso" and event.after["username"] == "hanne"
    html = as_admin.get(response["Location"]).content.decode()
    assert "Single sign-on (ingen adgangskode i anskaf)" in html


def test_a_local_password_must_pass_djangos_validators(as_admin):
    url = reverse("orgs:person_create")
    response = as_admin.post(url, person_data(login="password", password1="abc",
                                              password2="abc"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Denne adgangskode er for kort" in html  # Django's own validator, in Danish
    assert 'value="abc"' not in html  # a password is never echoed back
    response = as_admin.post(url, person_data(login="password", password1="Blåbærgrød-2026",
                                              password2="Blåbærgrød-2027"))
    assert "De to adgangskoder er ikke ens" in response.content.decode()
    response = as_admin.post(url, person_data(login="password"))
    assert "Skriv en adgangskode, eller vælg single sign-on." in response.content.decode()
    assert not User.objects.filter(username="hanne").exists()
    response = as_admin.post(url, person_data(login="password", password1="Blåbærgrød-2026",
                                              password2="Blåbærgrød-2026"))
    assert response.status_code == 302
    person = User.objects.get(username="hanne")
    assert person.check_password("Blåbærgrød-2026")
    assert not any("Blåbærgrød" in str(e.after) for e in AuditEvent.objects.all())


def test_a_person_form_with_errors_explains_each_field(as_admin, coordinator, foreign):
    their_unit, _ = foreign
    response = as_admin.post(reverse("orgs:person_create"), person_data(
        username="Koordinator", full_name="", email="ikke-en-adresse", unit=their_unit.pk))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Skriv personens fulde navn." in html
    assert "Vælg en enhed fra listen." in html
    response = as_admin.post(reverse("orgs:person_create"), person_data(
        username="Koordinator", email="ikke-en-adresse"))
    html = response.content.decode()
    assert "Brugernavnet »Koordinator« er allerede i brug" in html  # case does not matter
    assert "Skriv en gyldig e-mailadresse" in html
    response = as_admin.post(reverse("orgs:person_create"), person_data(username="to ord"))
    assert "ingen mellemrum" in response.content.decode()
    assert User.objects.count() == 3  # admin, coordinator, outsider


def test_editing_a_person_changes_details_and_can_set_a_password(as_admin, coordinator,
                                                                 other_unit):
    url = reverse("orgs:person_edit", args=[coordinator.pk])
    html = as_admin.get(url).content.decode()
    assert 'value="koordinator"' in html and "Ny adgangskode" in html
    response = as_admin.post(url, person_data(username="koordinator", full_name="Karen Kock",
                                              email="", unit=other_unit.pk, is_active=""))
    assert response.status_code == 302
    coordinator.refresh_from_db()
    assert coordinator.get_full_name() == "Karen Kock" and coordinator.unit == other_unit
    assert not coordinator.is_active
    event = AuditEvent.objects.get(event_type="person.updated")
    assert set(event.after) == {"full_name", "unit", "is_active"}
    assert event.before["is_active"] is True and event.after["is_active"] is False
    response = as_admin.post(url, person_data(username="koordinator", full_name="Karen Kock",
                                              unit=other_unit.pk, password1="Rødgrød-med-fløde",
                                              password2="Rødgrød-med-fløde", email=""))
    coordinator.refresh_from_db()
    assert coordinator.check_password("Rødgrød-med-fløde") and coordinator.is_active
    assert AuditEvent.objects.filter(event_type="person.password_set").count() == 1


def test_an_admin_cannot_deactivate_themself(as_admin, admin_user):
    response = as_admin.post(reverse("orgs:person_edit", args=[admin_user.pk]),
                             person_data(username="chef", full_name="Sofie Christensen",
                                         is_active=""))
    assert response.status_code == 400
    assert "Du kan ikke deaktivere dig selv" in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_the_people_list_searches_name_username_and_email(as_admin, org, coordinator, requester):
    testing.make_user(org, "jesper", full_name="Jesper Nielsen", password=None)
    User.objects.filter(username="jesper").update(email="jn@haderslev.dk")
    url = reverse("orgs:person_list")
    html = as_admin.get(url).content.decode()
    assert "Karen Koordinator" in html and "medarbejder" in html and "Jesper Nielsen" in html
    assert "Koordinerende funktion (Social- og Sundhedsforvaltningen)" in html
    html = as_admin.get(url, {"q": "JN@"}).content.decode()
    assert "Jesper Nielsen" in html and "Karen Koordinator" not in html
    html = as_admin.get(url, {"q": "karen koord"}).content.decode()
    assert "Karen Koordinator" in html and "Jesper Nielsen" not in html
    html = as_admin.get(url, {"q": "ingen-sådan"}).content.decode()
    assert "Ingen personer matcher »ingen-sådan«" in html


# --- roles ----------------------------------------------------------------------------------------


def test_adding_and_removing_roles_is_audited(as_admin, coordinator, unit, admin_user):
    url = reverse("orgs:role_add", args=[coordinator.pk])
    response = as_admin.post(url, {"role": "it", "unit": ""})
    assert response.status_code == 302 and response["Location"].endswith("#roller")
    response = as_admin.post(url, {"role": "management", "unit": unit.pk})
    assert response.status_code == 302
    roles = set(Membership.objects.filter(person=coordinator).values_list("role", "unit_id"))
    assert {("it", None), ("management", unit.pk)} <= roles
    added = AuditEvent.objects.filter(event_type="role.added").order_by("seq")
    assert [(e.after["role"], e.after["unit"]) for e in added] == [("it", None),
                                                                   ("management", unit.pk)]
    assert all(e.actor_id == admin_user.pk and e.object_type == "orgs.Membership" for e in added)

    html = as_admin.get(reverse("orgs:person_detail", args=[coordinator.pk])).content.decode()
    assert "IT og Digitalisering" in html and "Hele kommunen" in html

    it_role = Membership.objects.get(person=coordinator, role="it")
    response = as_admin.post(reverse("orgs:role_remove", args=[coordinator.pk, it_role.pk]))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=it_role.pk).exists()
    removed = AuditEvent.objects.get(event_type="role.removed")
    assert removed.before["role"] == "it" and removed.after is None
    assert removed.object_id == str(it_role.pk)
    assert audit_verify(coordinator.organisation_id).ok


def test_a_role_twice_or_without_a_choice_is_refused(as_admin, coordinator, unit, foreign):
    url = reverse("orgs:role_add", args=[coordinator.pk])
    response = as_admin.post(url, {"role": "coordinator", "unit": unit.pk})
    assert response.status_code == 400
    assert "har allerede rollen »Koordinerende funktion« for Social- og Sundhedsforvaltningen" in (
        response.content.decode())
    as_admin.post(url, {"role": "legal", "unit": ""})
    response = as_admin.post(url, {"role": "legal", "unit": ""})
    assert "har allerede rollen »Jura« for hele kommunen" in response.content.decode()
    response = as_admin.post(url, {"role": "", "unit": ""})
    assert response.status_code == 400 and "Vælg en rolle." in response.content.decode()
    response = as_admin.post(url, {"role": "superhelt"})
    assert "Vælg en rolle fra listen." in response.content.decode()
    their_unit, _ = foreign
    response = as_admin.post(url, {"role": "it", "unit": their_unit.pk})
    assert response.status_code == 400
    assert Membership.objects.filter(person=coordinator).count() == 2


def test_an_admin_cannot_remove_their_own_admin_role(as_admin, admin_user, org):
    own = Membership.objects.get(person=admin_user, role="admin")
    url = reverse("orgs:person_detail", args=[admin_user.pk])
    assert "Din egen administratorrolle kan kun fjernes af en anden" in (
        as_admin.get(url).content.decode())
    response = as_admin.post(reverse("orgs:role_remove", args=[admin_user.pk, own.pk]))
    assert response.status_code == 400
    assert "Du kan ikke fjerne din egen administratorrolle" in response.content.decode()
    assert Membership.objects.filter(pk=own.pk).exists()
    other = make_admin(org, "vikar")
    theirs = Membership.objects.get(person=other)
    assert as_admin.post(reverse("orgs:role_remove", args=[other.pk, theirs.pk])).status_code == 302
    assert not is_admin(User.objects.get(pk=other.pk))


def test_a_role_of_another_person_cannot_be_removed_through_this_person(as_admin, coordinator,
                                                                        requester):
    theirs = Membership.objects.get(person=requester)
    url = reverse("orgs:role_remove", args=[coordinator.pk, theirs.pk])
    assert as_admin.post(url).status_code == 404
    assert as_admin.get(url).status_code == 405
    assert Membership.objects.filter(pk=theirs.pk).exists()


# --- CSV import page ------------------------------------------------------------------------------


def upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_importing_units_through_the_page_shows_a_summary(as_admin, unit):
    content = ("\ufeffnavn;type;overordnet\r\n"
               "Hjemmeplejen;afdeling;Social- og Sundhedsforvaltningen\r\n"
               "Social- og Sundhedsforvaltningen;forvaltning;\r\n").encode()
    preview = as_admin.post(reverse("orgs:csv_import"),
                            {"what": "units", "file": upload("enheder.csv", content)})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "1 oprettes, 0 ændres, 1 er uændrede, og 0 rækker afvises" in html
    assert not OrgUnit.objects.filter(name="Hjemmeplejen").exists()  # not before the commit
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    response = as_admin.post(reverse("orgs:import_commit"), {"token": token})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enhederne i enheder.csv er importeret" in html
    assert "1 oprettet, 0 opdateret og 1 uændret" in html
    assert OrgUnit.objects.get(name="Hjemmeplejen").parent == unit


def test_rows_with_errors_are_shown_as_refused_and_nothing_is_imported(as_admin, unit):
    content = (b"brugernavn;navn;email;enhed;roller\n"
               b"ok;Okay Person;;;\n"
               b";Uden Brugernavn;;;\n"
               b"x;X;x@;Ukendt enhed;troldmand\n")
    response = as_admin.post(reverse("orgs:csv_import"),
                             {"what": "people", "file": upload("personer.csv", content)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Intet er gemt endnu" in html
    assert "1 oprettes, 0 ændres, 0 er uændrede, 0 roller gives, og 2 rækker afvises" in html
    assert "<th scope=\"row\">3</th><td>brugernavn</td><td>Skriv et brugernavn.</td>" in html
    assert "<th scope=\"row\">4</th><td>roller</td><td>Ukendt rolle »troldmand«" in html
    assert not User.objects.filter(username="ok").exists()


@pytest.mark.parametrize(("content", "message"), [
    ("navn;type;overordnet\nBørne- og Ungeforvaltningen;forvaltning;\n".encode("cp1252"),
     "Filen er ikke gemt som UTF-8"),
    (b"navn;type;overordnet\n" + b"x" * (1024 * 1024), "Filen er for stor (1,0 MB)"),
])
def test_a_file_that_is_not_utf8_or_too_large_is_refused_clearly(as_admin, unit, content,
                                                                  message):
    response = as_admin.post(reverse("orgs:csv_import"),
                             {"what": "units", "file": upload("enheder.csv", content)})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert OrgUnit.objects.count() == 1


def test_the_import_form_asks_for_a_file_and_a_kind(as_admin):
    response = as_admin.post(reverse("orgs:csv_import"), {})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Vælg en Excel- eller CSV-fil." in html and "Vælg, om filen indeholder enheder" in html
    assert 'href="#id_what_0"' in html and 'id="id_what_0"' in html
