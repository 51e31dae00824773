"""Every domain error is answered by the API shell's one handler (ADR 0037), by what its class
carries: status, code, message and fields, as the error contract (ADR 0022) says."""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory

from anskaf.api.urls import api
from anskaf.documents.validation import BadFile
from anskaf.errors import (
    CombinationRefused,
    Conflict,
    Forbidden,
    NotFound,
    NotReady,
    ReferenceRefused,
    Refused,
    ValidationFailed,
)
from anskaf.installation.errors import OperatorRefused
from anskaf.orgs import errors as org_errors
from anskaf.orgs.csv_import import PlanChanged
from anskaf.process.errors import NotAGate, OutcomeNotAllowed, StepNotOpen


def answer(exc: Exception) -> tuple[int, dict]:
    response = api.on_exception(RequestFactory().post("/api/v1/x"), exc)
    return response.status_code, json.loads(response.content)


@pytest.mark.parametrize(("exc", "status", "body"), [
    (NotFound(), 404, {"error": "not_found",
                       "message": "Sagen findes ikke, eller du har ikke adgang til den."}),
    (org_errors.NotFound(), 404, {"error": "not_found",
                                  "message": "Enheden eller personen findes ikke i din kommune."}),
    (Forbidden("Du har ikke rollen."), 403, {"error": "forbidden",
                                            "message": "Du har ikke rollen."}),
    (org_errors.NotAllowed(), 403, {"error": "forbidden", "message": org_errors.NotAllowed.message}),
    (StepNotOpen("Trin 8 er ikke åbent."), 409, {"error": "step_not_open",
                                                "message": "Trin 8 er ikke åbent."}),
    (Conflict("Gemt af en anden."), 409, {"error": "conflict", "message": "Gemt af en anden."}),
    # the cases' field errors: the message names each field
    (ValidationFailed({"title": "Skriv en titel."}), 400, {
        "error": "validation_error", "message": "Feltet »title«: Skriv en titel.",
        "fields": {"title": "Skriv en titel."}}),
    (ReferenceRefused({"unit": "Findes ikke."}), 409, {
        "error": "invalid_reference", "message": "Feltet »unit«: Findes ikke.",
        "fields": {"unit": "Findes ikke."}}),
    (CombinationRefused({"reason": "Skriv hvorfor."}), 409, {
        "error": "invalid_combination", "message": "Feltet »reason«: Skriv hvorfor.",
        "fields": {"reason": "Skriv hvorfor."}}),
    (NotReady({"reason": "Mangler."}), 409, {
        "error": "not_ready", "message": "Feltet »reason«: Mangler.",
        "fields": {"reason": "Mangler."}}),
    # the orgs' field errors answer with their own sentence, as they always have
    (org_errors.ValidationFailed({"name": "Skriv et navn."}), 400, {
        "error": "validation_error", "message": "Skriv et navn.",
        "fields": {"name": "Skriv et navn."}}),
    (org_errors.ReferenceRefused({"deputy": "Ukendt."}), 409, {
        "error": "invalid_reference", "message": "Ukendt.", "fields": {"deputy": "Ukendt."}}),
    # refusals about one field name it
    (NotAGate("Trin 5 er ingen beslutning."), 409, {
        "error": "invalid_reference", "message": "Trin 5 er ingen beslutning.",
        "fields": {"step": "Trin 5 er ingen beslutning."}}),
    (OutcomeNotAllowed("Ikke Måske her."), 409, {
        "error": "outcome_not_allowed", "message": "Ikke Måske her.",
        "fields": {"outcome": "Ikke Måske her."}}),
    (BadFile("Filen er tom."), 409, {"error": "file_refused", "message": "Filen er tom."}),
    (org_errors.ImportRefused("Forkerte kolonner.", [org_errors.RowError(3, "navn", "Tom.")]),
     409, {"error": "file_refused", "message": "Forkerte kolonner.",
           "fields": {"row 3": "Tom.", "file": "Forkerte kolonner."}}),
    (PlanChanged("Enhederne er ændret.", preview=None), 409, {
        "error": "conflict", "message": "Enhederne er ændret."}),
    (OperatorRefused("Kommunen er allerede suspenderet."), 409, {
        "error": "conflict", "message": "Kommunen er allerede suspenderet."}),
])
def test_a_domain_error_is_answered_by_its_class(exc, status, body):
    assert answer(exc) == (status, body)


def test_a_new_refusal_needs_no_handler_of_its_own():
    class SupplierGone(Refused):
        code = "supplier_gone"
        message = "Leverandøren findes ikke længere."

    assert answer(SupplierGone()) == (409, {"error": "supplier_gone",
                                            "message": "Leverandøren findes ikke længere."})
