"""Notices grouped per case and deduplicated, each saying why it came (issue 20, ADR 0020).

One rule for the notification centre and the daily digest: notices of the same case come
together (the case's newest first), a notice repeating another of the same kind, step and
subject is folded into it (counted, not shown twice), and every notice says why the person got
it, from its kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .choices import Kind

WHY = {
    Kind.STEP_OPENED: "Du får den, fordi trinnet venter på dig eller din rolle.",
    Kind.STEP_ASSIGNED: "Du får den, fordi trinnet er tildelt dig (eller en, du er "
                        "stedfortræder for).",
    Kind.DECISION: "Du får den, fordi du er part i sagen, der er truffet en beslutning i.",
    Kind.AGENDA: "Du får den, fordi du deltager i IT-visitationens møde eller har en sag på "
                 "dagsordenen.",
    Kind.DEADLINE: "Du får den, fordi en frist på et trin, der venter på dig, er overskredet.",
    Kind.DEPUTY: "Du får den, fordi du er blevet stedfortræder, eller ikke længere er det.",
    Kind.HANDOVER: "Du får den, fordi sagen er overdraget til dig eller fra dig.",
}


@dataclass
class Entry:
    notice: Any  # the newest Notification of its kind, step and subject
    repeats: int = 0  # older notices it stands for
    unread: bool = False  # any of them unread

    @property
    def why(self) -> str:
        return WHY.get(self.notice.kind, "")


@dataclass
class Group:
    case: Any  # cases.Case, or None for notices about no case
    entries: list[Entry] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"Sag {self.case.number}: {self.case.title}" if self.case is not None else "Andet"

    @property
    def count(self) -> int:
        return sum(1 + e.repeats for e in self.entries)


def grouped(notices: Iterable[Any]) -> list[Group]:
    """Newest first in, grouped per case (a case's newest notice decides its place) and
    deduplicated on (kind, step, subject) within the case."""
    groups: dict[int | None, Group] = {}
    seen: dict[tuple[Any, ...], Entry] = {}
    for notice in notices:
        group = groups.setdefault(notice.case_id, Group(notice.case))
        key = (notice.case_id, notice.kind, notice.step, notice.subject)
        if key in seen:
            seen[key].repeats += 1
            seen[key].unread = seen[key].unread or notice.read_at is None
            continue
        entry = Entry(notice, unread=notice.read_at is None)
        seen[key] = entry
        group.entries.append(entry)
    return list(groups.values())


def digest_text(notices: Iterable[Any], link: Any) -> str:
    """The digest's body: the same groups as the centre, oldest notices last."""
    parts = []
    for group in grouped(notices):
        lines = [group.title]
        for entry in group.entries:
            again = f" (og {entry.repeats} gang{'e' if entry.repeats != 1 else ''} mere)" \
                if entry.repeats else ""
            lines.append(f"* {entry.notice.subject}{again}\n  {entry.notice.body}\n"
                         f"  {entry.why}\n  {link(entry.notice.url)}")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)
