"""The one walk of the unit tree (ADR 0039): pure functions over (pk, parent pk) rows. A role
held in a unit covers the units below it; both walks stop on a cycle (which only a write
outside the services could make) instead of looping."""

from __future__ import annotations

from collections.abc import Iterable


def descendants_map(units: Iterable[tuple[int, int | None]]) -> dict[int, set[int]]:
    """Each unit (pk, parent pk) -> itself and every unit below it."""
    units = list(units)
    children: dict[int | None, list[int]] = {}
    for pk, parent in units:
        children.setdefault(parent, []).append(pk)
    covered: dict[int, set[int]] = {}
    for pk, _ in units:
        if pk in covered:
            continue
        found, todo = {pk}, [pk]
        while todo:
            for child in children.get(todo.pop(), []):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        covered[pk] = found
    return covered


def ancestors(units: Iterable[tuple[int, int | None]], unit_id: int | None) -> list[int]:
    """The unit and every unit above it, nearest first (stops on a cycle)."""
    parents = dict(units)
    chain: list[int] = []
    while unit_id is not None and unit_id not in chain:
        chain.append(unit_id)
        unit_id = parents.get(unit_id)
    return chain
