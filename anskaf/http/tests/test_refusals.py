"""A domain error as the HTML page's answer (ADR 0037): one function for every app's views."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from anskaf.errors import (
    Conflict,
    Forbidden,
    NotFound,
    ReferenceRefused,
    Refused,
    ValidationFailed,
)
from anskaf.http.refusals import html_refusal, refusals_as_pages
from anskaf.orgs.errors import NotAllowed
from anskaf.orgs.errors import ValidationFailed as OrgValidationFailed
from anskaf.process.errors import StepNotOpen


@pytest.mark.parametrize(("exc", "status", "fields", "conflict"), [
    # field errors come back on the form as 400, as the forms have always answered (also a
    # reference the API answers with 409)
    (ValidationFailed({"title": "Skriv en titel."}), 400, {"title": "Skriv en titel."}, False),
    (ReferenceRefused({"unit": "Enheden findes ikke."}), 400,
     {"unit": "Enheden findes ikke."}, False),
    (OrgValidationFailed({"name": "Skriv et navn."}), 400, {"name": "Skriv et navn."}, False),
    (StepNotOpen("Trin 8 er ikke åbent endnu."), 409, {}, False),
    (Conflict("En anden har gemt trinnet."), 409, {}, True),
    (Forbidden("Du har ikke rollen."), 403, {}, False),
    (NotAllowed(), 403, {}, False),
])
def test_a_refusal_is_the_page_with_its_status_message_and_fields(exc, status, fields, conflict):
    refusal = html_refusal(exc)
    assert (refusal.status, refusal.fields, refusal.conflict) == (status, fields, conflict)
    assert refusal.message == exc.message
    assert refusal.feedback() == {"kind": "error", "message": exc.message, "fields": fields,
                                  "conflict": conflict}


def test_not_found_is_the_404_page_in_the_pages_own_words():
    with pytest.raises(Http404, match="Sagen eller trinnet findes ikke"):
        html_refusal(NotFound(), not_found="Sagen eller trinnet findes ikke.")


def _raising(exc: Exception):
    @refusals_as_pages
    def view(request):
        raise exc

    return view


def test_pages_turn_not_found_into_404_and_forbidden_into_403_with_its_message():
    request = RequestFactory().get("/")
    with pytest.raises(Http404, match="Systemet findes ikke"):
        _raising(NotFound("Systemet findes ikke."))(request)
    with pytest.raises(PermissionDenied, match="Kun kommunens administratorer"):
        _raising(NotAllowed())(request)
    with pytest.raises(StepNotOpen):  # any other refusal is the view's own business
        _raising(StepNotOpen("Ikke endnu."))(request)


def test_a_view_that_refuses_nothing_answers_as_it_did():
    @refusals_as_pages
    def view(request):
        return HttpResponse("ok")

    assert view(RequestFactory().get("/")).content == b"ok"


def test_every_domain_error_is_a_refusal_or_not_found():
    """One hierarchy: the cases', the engine's and the orgs' errors share the base."""
    assert issubclass(NotAllowed, Forbidden) and issubclass(Forbidden, Refused)
    assert issubclass(OrgValidationFailed, ValidationFailed)
    assert issubclass(StepNotOpen, Refused)
