"""Imported files (KITOS .xlsx/.csv, the organisation's CSV): control and bidi characters are
replaced by a space, and the import says where (issue 21.1)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from anskaf import testing
from anskaf.orgs.csv_import import import_units
from anskaf.orgs.models import Membership, OrgUnit
from anskaf.portfolio.models import System

pytestmark = pytest.mark.django_db


def _client(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_a_kitos_xlsx_with_bidi_characters_is_imported_with_spaces_and_says_so(it_person):
    book = openpyxl.Workbook()
    book.active.append(["Systemnavn", "Leverandør"])
    book.active.append(["Faktura\u202efdp.exe", "K\u2066MD"])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "kitos.xlsx"
    response = _client(it_person).post(reverse("portfolio:system_import"), {"file": out},
                                       follow=True)
    assert response.status_code == 200
    system = System.objects.get()
    assert (system.name, system.supplier) == ("Faktura fdp.exe", "K MD")
    html = response.content.decode()
    assert "erstattet af et mellemrum" in html and "række 2 (Systemnavn)" in html


def test_a_kitos_csv_with_control_characters_is_imported_with_spaces(it_person):
    f = io.BytesIO("Systemnavn;Formål\nNyt\x1bsystem;Løn\x07 og\x85 personale\n".encode())
    f.name = "kitos.csv"
    response = _client(it_person).post(reverse("portfolio:system_import"), {"file": f},
                                       follow=True)
    assert response.status_code == 200
    system = System.objects.get()
    assert (system.name, system.purpose) == ("Nyt system", "Løn og personale")
    assert "række 2 (Formål)" in response.content.decode()


def test_the_organisations_csv_import_replaces_them_and_shows_where(org):
    admin = testing.make_user(org, "chef-tekst", password=None)
    Membership.objects.create(organisation=org, person=admin, role="admin", unit=None)
    data = "navn;type;overordnet\nSocial\x1bforvaltningen;forvaltning;\nIT\u202eafdeling;afdeling;\n"
    result = import_units(actor=admin, data=data.encode(), filename="enheder.csv")
    assert result.replaced == ["række 2, kolonne navn", "række 3, kolonne navn"]
    assert set(OrgUnit.objects.filter(organisation=org).values_list("name", flat=True)) >= {
        "Social forvaltningen", "IT afdeling"}
    f = io.BytesIO("navn;type;overordnet\nBørn\x01og unge;forvaltning;\n".encode())
    f.name = "enheder.csv"
    page = _client(admin).post(reverse("orgs:csv_import"), {"what": "units", "file": f})
    assert page.status_code == 200
    assert "erstattet af et mellemrum i: række 2, kolonne navn" in page.content.decode()
