import datetime as dt
import itertools

import pytest

from reviewkit.core.periods import (
    FiscalCalendar,
    last_complete_period,
    months_ending,
    parse_as_of,
    parse_period,
    period_containing,
    periods_before,
    periods_ending,
    previous_period,
    same_period_last_year,
)
from reviewkit.errors import ParameterError

APRIL = FiscalCalendar(4)
DEMO = dt.date(2026, 11, 23)


@pytest.mark.parametrize(
    ("cadence", "label", "start", "end"),
    [
        ("weekly", "2026-W47", dt.date(2026, 11, 16), dt.date(2026, 11, 23)),
        ("monthly", "2026-10", dt.date(2026, 10, 1), dt.date(2026, 11, 1)),
        ("quarterly", "FY2026-Q2", dt.date(2026, 7, 1), dt.date(2026, 10, 1)),
    ],
)
def test_demo_date_reviews_the_last_complete_period(cadence, label, start, end):
    period = last_complete_period(cadence, DEMO, calendar=APRIL)
    assert (period.label, period.start, period.end) == (label, start, end)


def test_fiscal_quarters_start_in_april():
    labels = [
        period_containing("quarterly", dt.date(2026, m, 15), calendar=APRIL).label
        for m in (4, 7, 10, 1, 3)
    ]
    assert labels == ["FY2026-Q1", "FY2026-Q2", "FY2026-Q3", "FY2025-Q4", "FY2025-Q4"]


def test_calendar_year_fiscal_calendar():
    period = period_containing("quarterly", dt.date(2026, 11, 2), calendar=FiscalCalendar(1))
    assert (period.label, period.start) == ("FY2026-Q4", dt.date(2026, 10, 1))


def test_iso_week_across_year_boundary():
    period = period_containing("weekly", dt.date(2027, 1, 1), calendar=APRIL)
    assert period.label == "2026-W53"
    assert period.start == dt.date(2026, 12, 28)


def test_last_complete_period_on_first_day_of_period():
    # On 1 October the last complete month is September, the last complete quarter Q1.
    assert last_complete_period("monthly", dt.date(2026, 10, 1), calendar=APRIL).label == "2026-09"
    assert (
        last_complete_period("quarterly", dt.date(2026, 10, 1), calendar=APRIL).label == "FY2026-Q2"
    )


def test_previous_and_last_year():
    month = parse_period("2026-01", calendar=APRIL)
    assert previous_period(month, calendar=APRIL).label == "2025-12"
    assert same_period_last_year(month, calendar=APRIL).label == "2025-01"
    quarter = parse_period("FY2026-Q1", calendar=APRIL)
    assert previous_period(quarter, calendar=APRIL).label == "FY2025-Q4"
    assert same_period_last_year(quarter, calendar=APRIL).label == "FY2025-Q1"


@pytest.mark.parametrize("label", ["2026-W47", "2026-10", "FY2026-Q2", "2026-W01"])
def test_parse_period_round_trips(label):
    assert parse_period(label, calendar=APRIL).label == label


@pytest.mark.parametrize("label", ["2026-13", "2026-W60", "FY2026-Q5", "Q2", ""])
def test_parse_period_rejects_with_the_allowed_forms(label):
    with pytest.raises(ParameterError, match=r"2026-W47 .* 2026-10 .* FY2026-Q2"):
        parse_period(label, calendar=APRIL)


def test_parse_as_of():
    today = dt.date(2026, 11, 24)
    assert parse_as_of("auto", today=today) == today
    assert parse_as_of("2026-11-23", today=today) == DEMO
    with pytest.raises(ParameterError, match="'2026-13-01' is not a date; use YYYY-MM-DD"):
        parse_as_of("2026-13-01", today=today)


def test_bad_fiscal_start_month():
    with pytest.raises(ParameterError, match="fiscal_year_start_month: 13"):
        FiscalCalendar(13)


def test_periods_before_are_oldest_first_and_cross_the_fiscal_year():
    q1 = parse_period("FY2026-Q1", calendar=APRIL)
    assert [p.label for p in periods_before(q1, 3, calendar=APRIL)] == [
        "FY2025-Q2", "FY2025-Q3", "FY2025-Q4",
    ]  # fmt: skip
    week = parse_period("2026-W02", calendar=APRIL)
    assert [p.label for p in periods_before(week, 2, calendar=APRIL)] == ["2025-W52", "2026-W01"]
    assert periods_before(week, 0, calendar=APRIL) == []


def test_months_ending_a_quarter_cross_the_year_and_the_fiscal_year():
    q2 = parse_period("FY2026-Q2", calendar=APRIL)  # July..September 2026
    months = months_ending(q2, 12, calendar=APRIL)
    assert [m.label for m in months][:2] == ["2025-10", "2025-11"]
    assert months[-1].label == "2026-09" and len(months) == 12
    assert all(b.start == a.end for a, b in itertools.pairwise(months))
    assert [m.label for m in months_ending(q2, 1, calendar=APRIL)] == ["2026-09"]


def test_periods_ending_keep_the_cadence():
    q2 = parse_period("FY2026-Q2", calendar=APRIL)
    quarters = periods_ending(q2, 3, calendar=APRIL)
    assert [q.label for q in quarters] == ["FY2025-Q4", "FY2026-Q1", "FY2026-Q2"]
