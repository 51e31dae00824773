"""Two writers with the same version: one wins, the other gets 409 conflict."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from anskaf.api.services import token_create
from anskaf.testing import make_org, make_unit, make_user, new_case

from .conftest import ApiClient


@pytest.mark.django_db(transaction=True)
def test_two_writers_patching_the_same_step_version_one_wins_one_gets_409():
    org = make_org()
    unit = make_unit(org)
    first = make_user(org, "koordinator", "coordinator", unit=unit)
    second = make_user(org, "medarbejder", "requester", unit=unit)
    case = new_case(first)
    tokens = [token_create(user=first), token_create(user=second)]
    barrier = threading.Barrier(2)
    results: dict[int, tuple[int, str]] = {}

    def write(index: int) -> None:
        try:
            client = ApiClient(token=tokens[index])
            barrier.wait(timeout=10)
            response = client.patch(f"/cases/{case.pk}/steps/2",
                                    {"remarks": f"Skrevet af nr. {index}", "version": 1})
            results[index] = (response.status_code, response.json().get("error", ""))
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results.values()) == [(200, ""), (409, "conflict")], results

    state = case.step_states.get(number=2)
    winner = next(i for i, (status, _) in results.items() if status == 200)
    assert state.remarks == f"Skrevet af nr. {winner}"
    assert state.version == 2
