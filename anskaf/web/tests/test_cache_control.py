"""Cache-Control: every answer to a logged-in user or an API caller is `private, no-store`
(pages, JSON, document downloads); static files stay cacheable.

Walks the same pages and API reads as the query bounds (and so the access matrix): a new page
or endpoint is checked without being listed here."""

from __future__ import annotations

from django.test import Client

from anskaf.api.services import token_create

from .test_access_matrix import world
from .test_query_bounds import _api_reads, _pages

__all__ = ["world"]

NO_STORE = "private, no-store"


def _get(world, urls, **extra):
    clients: dict[str, Client] = {}
    answers = {}
    for url, (_, viewer) in urls.items():
        client = clients.get(viewer)
        if client is None:
            client = clients[viewer] = Client()
            client.force_login(world["people"][viewer])
        answers[url] = client.get(url, **extra)
    return answers


def test_every_page_to_a_logged_in_user_is_no_store(world):
    answers = _get(world, _pages(world))
    assert len(answers) >= 5
    wrong = {url: r.get("Cache-Control") for url, r in answers.items()
             if r.get("Cache-Control") != NO_STORE}
    assert not wrong, f"pages without Cache-Control: {NO_STORE}: {wrong}"


def test_every_api_read_is_no_store_with_a_session(world):
    answers = _get(world, _api_reads(world, Client()))
    assert len(answers) >= 3
    wrong = {url: r.get("Cache-Control") for url, r in answers.items()
             if r.get("Cache-Control") != NO_STORE}
    assert not wrong, wrong


def test_every_api_read_is_no_store_with_a_token(world):
    reads = _api_reads(world, Client())
    tokens = {}
    wrong = {}
    for url, (_, viewer) in reads.items():
        if viewer not in tokens:
            tokens[viewer] = token_create(user=world["people"][viewer], name="cache")
        response = Client().get(url, HTTP_AUTHORIZATION=f"Bearer {tokens[viewer]}")
        assert response.status_code == 200, url
        if response.get("Cache-Control") != NO_STORE:
            wrong[url] = response.get("Cache-Control")
    assert not wrong, wrong


def test_a_document_download_is_no_store(world):
    from .test_access_matrix import _document_on

    document = _document_on(world["case"], world["people"]["coordinator"])
    client = Client()
    client.force_login(world["people"]["coordinator"])
    from django.urls import reverse

    url = reverse("documents:download", kwargs={"pk": world["case"].pk,
                                                "document": document.pk, "version": 1})
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE


def test_static_files_stay_cacheable_for_a_logged_in_user(world):
    client = Client()
    client.force_login(world["people"]["coordinator"])
    response = client.get("/static/anskaf/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
