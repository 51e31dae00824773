"""The step's documents as a part of the case page (ADR 0042): the first response carries what
is missing and the upload, where the user acts; the documents, versions and templates load
after it from `/sager/<pk>/dele/dokumenter/?trin=N`, with their own check, cached under the
municipality's chain head and the viewer's answers on confidential documents."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from anskaf import testing
from anskaf.cases.views import FRAGMENT_HEADER
from anskaf.documents.testing import upload

HTMX = {"HX-Request": "true"}


def _client(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def _part(case, number: int) -> str:
    return reverse("cases:case_part", args=[case.pk, "dokumenter"]) + f"?trin={number}"


def test_the_first_response_has_the_upload_and_the_documents_load_after_it(coordinator, case):
    upload(coordinator, case, 4, "product_description", name="produkt.pdf")
    client = _client(coordinator)
    url = reverse("cases:case_detail", args=[case.pk]) + "?aaben=4"
    html = client.get(url).content.decode()
    assert 'id="trin-4-filer"' in html  # the upload stays where the user acts
    assert f'hx-get="{_part(case, 4)}"' in html.replace("&amp;", "&")
    assert f'<a href="{_part(case, 4)}">Vis trinnets dokumenter' in html.replace("&amp;", "&")
    assert "Hent produkt.pdf" not in html  # read only when the part loads
    assert "Hent produkt.pdf" in testing.page_with_parts(client, url)


def test_the_part_without_javascript_is_a_page_and_the_step_page_brings_the_list(coordinator,
                                                                                  case):
    upload(coordinator, case, 4, "product_description", name="produkt.pdf")
    client = _client(coordinator)
    page = client.get(_part(case, 4)).content.decode()
    assert "<h1>" in page and "Hent produkt.pdf" in page
    step_page = client.get(reverse("cases:step_detail", args=[case.pk, 4])).content.decode()
    assert "Hent produkt.pdf" in step_page and "dele/dokumenter" not in step_page


def test_a_viewer_who_may_not_see_the_case_gets_404_and_a_step_without_the_part_too(
        coordinator, case, outsider):
    assert _client(outsider).get(_part(case, 4), headers=HTMX).status_code == 404
    assert _client(coordinator).get(_part(case, 99), headers=HTMX).status_code == 404


def test_confidential_documents_are_shown_by_the_viewers_own_answer(coordinator, it_person,
                                                                     case):
    upload(coordinator, case, 4, "security_description", name="sikkerhed.pdf")
    mine = _client(coordinator).get(_part(case, 4), headers=HTMX)
    assert mine[FRAGMENT_HEADER] == "miss" and b"Hent sikkerhed.pdf" in mine.content
    theirs = _client(it_person).get(_part(case, 4), headers=HTMX)
    assert theirs[FRAGMENT_HEADER] == "miss"  # another answer: not the coordinator's entry
    assert b"Hent sikkerhed.pdf" not in theirs.content
    assert "du har ikke adgang til at læse det" in theirs.content.decode()


def test_after_their_own_upload_a_user_sees_it_at_once(coordinator, case):
    client = _client(coordinator)
    assert client.get(_part(case, 4), headers=HTMX)[FRAGMENT_HEADER] == "miss"
    assert client.get(_part(case, 4), headers=HTMX)[FRAGMENT_HEADER] == "hit"
    upload(coordinator, case, 4, "product_description", name="ny.pdf")
    after = client.get(_part(case, 4), headers=HTMX)
    assert after[FRAGMENT_HEADER] == "miss" and b"Hent ny.pdf" in after.content


def test_the_part_reads_the_same_queries_for_no_documents_and_many(coordinator, case):
    client = _client(coordinator)
    empty = testing.new_case(coordinator, title="Uden dokumenter")
    for i in range(6):
        upload(coordinator, case, 4, "product_description", name=f"produkt-{i}.pdf")
        upload(coordinator, case, 4, "interface_drawing", name=f"tegning-{i}.pdf")
    counts = []
    for each in (empty, case):
        client.get(_part(each, 4), headers=HTMX)  # warm the viewer and the process model
        upload(coordinator, each, 4, "product_description", name="ekstra.pdf")  # a new version
        with CaptureQueriesContext(connection) as captured:
            response = client.get(_part(each, 4), headers=HTMX)
        assert response[FRAGMENT_HEADER] == "miss"
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1] and counts[1] <= 11, counts
