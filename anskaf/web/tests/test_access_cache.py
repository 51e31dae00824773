"""The roles a request reads live as long as the request (ADR 0039): nothing is left on the
person object, and a role taken away between two requests is obeyed by the next one."""

from __future__ import annotations

from anskaf import testing
from anskaf.orgs.models import Membership, User
from anskaf.orgs.viewer import access_changed


def test_each_request_has_its_own_access_cache(client, coordinator, case):
    client.force_login(coordinator)
    first = client.get(f"/sager/{case.pk}/")
    second = client.get(f"/sager/{case.pk}/")
    assert first.status_code == second.status_code == 200
    assert len(first.wsgi_request.access_cache) > 0  # the page asked for the viewer's roles
    assert first.wsgi_request.access_cache is not second.wsgi_request.access_cache


def test_no_cache_is_left_on_the_person_object_after_a_request(client, coordinator, case):
    client.force_login(coordinator)
    response = client.get(f"/sager/{case.pk}/")
    assert response.status_code == 200
    user = response.wsgi_request.user
    person = user._wrapped if hasattr(user, "_wrapped") else user
    fresh = User.objects.get(pk=coordinator.pk)
    extra = {name for name in vars(person) if name.startswith("_")} - set(vars(fresh))
    assert not extra, f"caches on the person object: {sorted(extra)}"


def test_a_role_taken_away_between_requests_is_obeyed_by_the_next(client, org):
    admin = testing.make_user(org, "chef", "admin", password=None)
    client.force_login(admin)
    assert client.get("/administration/").status_code == 200
    Membership.objects.filter(person=admin, role="admin").delete()
    access_changed(org.pk)  # a write outside the services announces itself (ADR 0041)
    assert client.get("/administration/").status_code in (403, 404)
