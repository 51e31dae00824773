"""The contract date computations, over the cases that go wrong in practice."""

from datetime import date as d

import pytest

from anskaf.portfolio.notice import (
    MONTH,
    NONE,
    QUARTER,
    Terms,
    add_months,
    compute,
    next_oversight,
    period_end,
)


@pytest.mark.parametrize("start, months, end", [
    (d(2024, 1, 1), 12, d(2024, 12, 31)),     # a plain year
    (d(2024, 1, 31), 1, d(2024, 2, 29)),      # end of month into a leap February
    (d(2023, 1, 31), 1, d(2023, 2, 28)),      # ... and a common one
    (d(2023, 1, 29), 1, d(2023, 2, 28)),      # a day February lacks
    (d(2023, 1, 28), 1, d(2023, 2, 27)),      # a day it has
    (d(2024, 2, 29), 12, d(2025, 2, 28)),     # leap day + a year
    (d(2024, 3, 15), 48, d(2028, 3, 14)),     # four years across a leap year
    (d(2024, 11, 1), 3, d(2025, 1, 31)),      # across the new year
])
def test_period_end(start, months, end):
    assert period_end(start, months) == end


@pytest.mark.parametrize("day, months, expected", [
    (d(2024, 1, 31), 1, d(2024, 2, 29)),
    (d(2024, 2, 29), 12, d(2025, 2, 28)),
    (d(2025, 2, 28), -3, d(2024, 11, 30)),    # a month's last day stays a last day
    (d(2025, 5, 15), -3, d(2025, 2, 15)),
    (d(2025, 12, 31), 2, d(2026, 2, 28)),
])
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


# terms, today -> (end, notice_by, options_left)
CASES = [
    # 2 years, 3 months' notice running from day to day: notice 3 months before the end.
    ("plain", Terms(d(2024, 1, 1), 24, notice_months=3), d(2024, 6, 1),
     d(2025, 12, 31), d(2025, 9, 30), 0),
    # to the end of a month: the end is already a month end.
    ("month", Terms(d(2024, 1, 1), 24, notice_months=3, notice_to=MONTH), d(2024, 6, 1),
     d(2025, 12, 31), d(2025, 9, 30), 0),
    # binding until mid-month, notice to the end of a month: ends at that month's end.
    ("month-mid", Terms(d(2024, 2, 15), 12, notice_months=1, notice_to=MONTH), d(2024, 3, 1),
     d(2025, 2, 28), d(2025, 1, 31), 0),
    # to the end of a quarter: a binding period ending in May runs to June 30.
    ("quarter", Terms(d(2023, 6, 1), 24, notice_months=3, notice_to=QUARTER), d(2024, 1, 1),
     d(2025, 6, 30), d(2025, 3, 31), 0),
    # options partly used: 4 years + 2 of 3 one-year options.
    ("options", Terms(d(2020, 1, 1), 48, option_count=3, option_months=12, options_used=2,
                      notice_months=6), d(2024, 1, 1), d(2025, 12, 31), d(2025, 6, 30), 1),
    # the binding period is over and notice was not given: runs on, next possible end.
    ("running", Terms(d(2020, 1, 1), 12, notice_months=3, notice_to=MONTH), d(2025, 5, 15),
     d(2025, 8, 31), d(2025, 5, 31), 0),
    ("running-quarter", Terms(d(2020, 1, 1), 12, notice_months=3, notice_to=QUARTER),
     d(2025, 5, 15), d(2025, 9, 30), d(2025, 6, 30), 0),
    # leap year: a year from Feb 29 ends Feb 28 (a month's last day); notice by Jan 31.
    ("leap", Terms(d(2024, 2, 29), 12, notice_months=1), d(2024, 3, 1),
     d(2025, 2, 28), d(2025, 1, 31), 0),
    # end of month: Jan 31 + 1 month, no notice period.
    ("jan31", Terms(d(2024, 1, 31), 1), d(2024, 1, 31), d(2024, 2, 29), d(2024, 2, 29), 0),
    # already terminated: ends then; no notice is due.
    ("terminated", Terms(d(2020, 1, 1), 60, notice_months=6, terminated_on=d(2024, 6, 30)),
     d(2024, 1, 1), d(2024, 6, 30), None, 0),
]


@pytest.mark.parametrize("name, terms, today, end, notice_by, left", CASES,
                         ids=[c[0] for c in CASES])
def test_end_and_notice_date(name, terms, today, end, notice_by, left):
    dates = compute(terms, today)
    assert (dates.end, dates.notice_by, dates.options_left) == (end, notice_by, left)
    if notice_by is not None:
        assert notice_by >= today  # never a date already past
        assert not dates.terminated


def test_notice_given_on_the_deadline_reaches_the_end():
    terms = Terms(d(2023, 6, 1), 24, notice_months=3, notice_to=QUARTER)
    dates = compute(terms, d(2024, 1, 1))
    assert compute(terms, dates.notice_by).end == dates.end
    assert compute(terms, add_months(dates.notice_by, 0).replace(day=1)).end == dates.end


def test_next_oversight():
    assert next_oversight(d(2024, 2, 29), 12) == d(2025, 2, 28)
    assert next_oversight(None, 12) is None
    assert next_oversight(d(2024, 1, 1), 0) is None
    assert NONE == "none"
