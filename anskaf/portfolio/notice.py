"""Contract dates without Django: when a contract ends, and by when notice must be given.

The model (ADR 0012): a contract binds for `duration_months` plus every option already used.
It does not end by itself: unless notice is given in time it runs on, and may then be ended
with `notice_months` of notice, to the end of a month or quarter when the contract says so.
Unused options do not move any date (exercising one is the municipality's choice); once a
termination date is recorded the contract ends then and no notice is due.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

NONE, MONTH, QUARTER = "none", "month", "quarter"


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _is_month_end(d: date) -> bool:
    return d.day == _last_day(d.year, d.month)


def add_months(d: date, months: int) -> date:
    """The same day `months` later (or earlier); a day the month lacks becomes its last day,
    and a month's last day stays a last day (Feb 29 + 12 = Feb 28; Feb 28 - 3 = Nov 30)."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = _last_day(year, month)
    if _is_month_end(d):
        return date(year, month, last)
    return date(year, month, min(d.day, last))


def period_end(start: date, months: int) -> date:
    """The last day of a period of `months` starting on `start` (the day before the same day
    `months` later; when that month lacks the day, the month's last day: Jan 31 + 1 month
    ends Feb 28/29, Jan 1 + 12 ends Dec 31)."""
    if months <= 0:
        return start - timedelta(days=1)
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    if start.day > _last_day(year, month):
        return date(year, month, _last_day(year, month))
    return date(year, month, start.day) - timedelta(days=1)


def align(d: date, notice_to: str) -> date:
    """The first date on or after `d` a termination may take effect on."""
    if notice_to == MONTH:
        return date(d.year, d.month, _last_day(d.year, d.month))
    if notice_to == QUARTER:
        month = ((d.month - 1) // 3 + 1) * 3
        return date(d.year, month, _last_day(d.year, month))
    return d


@dataclass(frozen=True)
class Terms:
    start: date
    duration_months: int
    option_count: int = 0
    option_months: int = 0
    options_used: int = 0
    notice_months: int = 0
    notice_to: str = NONE
    terminated_on: date | None = None


@dataclass(frozen=True)
class Dates:
    binding_end: date  # the end of the binding period, used options included
    end: date  # when the contract ends if notice is given by `notice_by` (or the termination)
    notice_by: date | None  # the last day notice may be given for `end`; None once terminated
    options_left: int
    terminated: bool


def binding_end(terms: Terms) -> date:
    used = min(terms.options_used, terms.option_count)
    return period_end(terms.start, terms.duration_months + used * terms.option_months)


def compute(terms: Terms, today: date) -> Dates:
    """The contract's end and the last day to give notice for it, seen from `today`."""
    bound = binding_end(terms)
    left = max(terms.option_count - terms.options_used, 0)
    if terms.terminated_on is not None:
        return Dates(bound, terms.terminated_on, None, left, True)
    # Notice given today takes effect `notice_months` later, aligned; never before the
    # binding period is over.
    earliest = align(max(bound, add_months(today, terms.notice_months)), terms.notice_to)
    notice_by = add_months(earliest, -terms.notice_months)
    return Dates(bound, earliest, notice_by, left, False)


def notice_date(terms: Terms, today: date) -> date | None:
    """THE notice date (issue 19 item 8): the last day to give notice for the earliest end
    still reachable from `today`. The page, the reminder e-mail, the API and the export all
    show this one; None once terminated."""
    return compute(terms, today).notice_by


def binding_notice_date(terms: Terms) -> date | None:
    """The notice date for the end of the binding period (seen from the start). Not shown to
    anyone: it anchors the reminders' schedule and tells whether a recorded notice decision
    still covers the current binding period (using an option moves it)."""
    return compute(terms, terms.start).notice_by


def next_oversight(last: date | None, interval_months: int,
                   signed: date | None = None) -> date | None:
    """The next supervision of a data processor: `interval_months` after the last one, or after
    the signing when none is recorded yet. The page and the reminders both use this."""
    base = last or signed
    if base is None or interval_months <= 0:
        return None
    return add_months(base, interval_months)
