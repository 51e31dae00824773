"""The viewer: who a person is to anskaf, computed once and kept across requests (ADR 0041).

A person's memberships, the organisation's unit tree, whom they deputise for today and the
roles of those people decide every permission and half of the navigation. Reading them costs
three or four queries; they change seldom. So they are kept as a small picklable snapshot in
Django's cache under a key that changes whenever any of them can change:

- the municipality's `access_stamp`, set to a new random value in the transaction of every
  write that changes roles, deputies, units or a person's unit (`access_changed`);
- the person's own unit and active flag, and the municipality's suspension;
- today's date (a deputyship begins and ends by date, without a write).

Everything in the key arrives with the person on every request (the session's user is read
with its municipality in one query, orgs/backends.py; an API token likewise), so the snapshot
costs no query of its own when it is cached, and a revoked role is obeyed by the very next
request in every process: the next request reads the new stamp and misses. A stamp is random,
never a counter: a rolled-back transaction's stamp is never used again, so a snapshot
computed inside it can never be read by anyone else.

Within a request the viewer is memoised in the request's `AccessCache` (orgs/request_cache.py,
ADR 0039), never on the person object: the per-request cache stays the only thing a rule
reads, and this cache sits under it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from anskaf.http.kept import kept_get, kept_set

from .choices import Role
from .models import Deputy, Membership, Organisation, OrgUnit, User
from .request_cache import clear_request_cache, memo, note_written_stamp, written_stamp
from .tree import descendants_map

# The key holds today's date: a day is the longest a snapshot may live.
VIEWER_SECONDS = 24 * 3600

Pairs = tuple[tuple[str, int | None], ...]


@dataclass(frozen=True)
class Viewer:
    """What anskaf needs to know about a person to decide what they may see and do."""

    person_id: int
    organisation_id: int | None
    # The person's own (role, unit) pairs; unit None means the whole municipality.
    memberships: Pairs = ()
    # An organisation-wide `admin` membership in the person's own municipality.
    is_org_admin: bool = False
    # Each unit of the municipality -> itself and every unit below it.
    unit_tree: dict[int, frozenset[int]] = field(default_factory=dict)
    # The people the person deputises for today, and their (role, unit) pairs.
    deputising_for: frozenset[int] = frozenset()
    absent_memberships: dict[int, Pairs] = field(default_factory=dict)

    @property
    def role_keys(self) -> list[str]:
        return list(dict.fromkeys(role for role, _ in self.memberships))


def _organisation(person: User) -> Organisation | None:
    """The person's municipality: already loaded with the person on a request (no query)."""
    return person.organisation if person.organisation_id is not None else None


def viewer_key(person: User) -> str:
    org = _organisation(person)
    # A stamp this request wrote (access_changed) wins over the one a person object read
    # before: every object of the request follows the change, not only those passed to it.
    stamp = written_stamp(person.organisation_id)
    if stamp is None:
        stamp = org.access_stamp if org is not None else 0
    state = "suspended" if org is not None and org.suspended_at is not None else "open"
    return (f"anskaf:viewer:{person.pk}:{person.organisation_id}:{stamp}:{state}:"
            f"{person.unit_id}:{int(person.is_active)}:{timezone.localdate().isoformat()}")


def viewer_of(person: User) -> Viewer:
    """The person's viewer: from the request's cache, else from Django's cache, else computed
    (three queries, a fourth while deputising) and cached."""
    key = viewer_key(person)
    return memo("viewer", key, lambda: _shared_viewer(key, person))


def _shared_viewer(key: str, person: User) -> Viewer:
    viewer = kept_get(key)
    if viewer is None:
        viewer = compute_viewer(person)
        kept_set(key, viewer, VIEWER_SECONDS)
    return viewer


def compute_viewer(person: User) -> Viewer:
    """Read the viewer from the database (the key must be read before: see the module)."""
    org_id = person.organisation_id
    # Only the memberships in the person's own municipality count (ADR 0039).
    # The operator belongs to no municipality: no memberships, no units.
    rows: list[tuple[str, int | None]] = [] if org_id is None else list(
        Membership.objects.filter(person_id=person.pk, organisation_id=org_id)
        .values_list("role", "unit_id"))
    units = [] if org_id is None else list(
        OrgUnit.objects.filter(organisation_id=org_id).values_list("pk", "parent_id"))
    today = timezone.localdate()
    # The deputy period counts from its first to its last day, both included.
    absent = frozenset(Deputy.objects.filter(
        deputy_id=person.pk, starts_on__lte=today, ends_on__gte=today
    ).values_list("person_id", flat=True))
    theirs: dict[int, list[tuple[str, int | None]]] = {pk: [] for pk in absent}
    if absent:
        for person_id, role, unit in Membership.objects.filter(
                person_id__in=absent).values_list("person_id", "role", "unit_id"):
            theirs[person_id].append((role, unit))
    return Viewer(
        person_id=person.pk, organisation_id=org_id,
        memberships=tuple(rows),
        is_org_admin=bool(person.is_active and org_id is not None
                          and (Role.ADMIN.value, None) in rows),
        unit_tree={pk: frozenset(covered) for pk, covered in descendants_map(units).items()},
        deputising_for=absent,
        absent_memberships={pk: tuple(pairs) for pk, pairs in theirs.items()},
    )


def access_changed(organisation_id: int | None, *people: Any) -> None:
    """Say, inside the writing transaction and before the write, that what people of the
    municipality may do changes: every cached viewer of the municipality is left behind.

    The request's cache is emptied and remembers the new stamp, so every person object the
    request still uses reads the change; the people given (the actor, the person changed)
    also carry the new stamp on their municipality, for code outside a request."""
    if organisation_id is None:
        return
    stamp = secrets.randbits(62) + 1  # never the default 0, never reused
    Organisation.objects.filter(pk=organisation_id).update(access_stamp=stamp)
    clear_request_cache()
    note_written_stamp(organisation_id, stamp)
    for person in people:
        if person is None:
            continue
        org = person._state.fields_cache.get("organisation")
        if org is not None and org.pk == organisation_id:
            org.access_stamp = stamp


def forget_viewer(person: Any) -> None:
    """Drop the person object's municipality and empty the request's cache: the next question
    reads the stamp anew (one query) and follows any change written meanwhile."""
    person._state.fields_cache.pop("organisation", None)
    clear_request_cache()
