"""Who may do what with the IT-visitation's meetings (ADR 0039): the board (`it_board`,
organisation-wide) runs them; admins and participants see them; a case's coordinator (or
deputy, or the coordinating function of its unit) puts a case forward."""

from __future__ import annotations

from anskaf.cases import permissions
from anskaf.cases.models import Case
from anskaf.orgs.models import User

from .models import Meeting

BOARD_ROLE = "it_board"


def board_refusal(actor: User) -> str | None:
    """Only the IT-visitation runs meetings."""
    if permissions.access_of(actor).holds(BOARD_ROLE, None):
        return None
    return "Kun IT-visitationen kan planlægge møder, bygge dagsordener og registrere udfald."


def view_refusal(actor: User, meeting: Meeting | None = None) -> str | None:
    """The board and admins see every meeting; a participant sees the meetings they attend."""
    access = permissions.access_of(actor)
    if access.holds(BOARD_ROLE, None) or access.is_admin:
        return None
    if meeting is not None and meeting.participants.filter(pk=actor.pk).exists():
        return None
    return "Kun IT-visitationen og mødets deltagere kan se mødet."


def put_forward_refusal(actor: User, case: Case) -> str | None:
    """A case's coordinator (or a deputy, or the coordinating function of its unit)."""
    if permissions.coordinates(actor, case):
        return None
    return "Kun sagens koordinator eller den koordinerende funktion kan sende sagen til IT-visitationen."


def answer_refusal(actor: User, case: Case | None) -> str | None:
    """A question is answered by the board, or by the coordinator of the item's case."""
    if board_refusal(actor) is None or (case is not None
                                        and put_forward_refusal(actor, case) is None):
        return None
    return "Kun IT-visitationen eller sagens koordinator kan besvare spørgsmålet."
