"""Pacing and the seasonal day profile: hand-computed cases, then the sample company.

Every expected number of the hand cases is worked out in the comment next to it. The sample
company part re-counts the month- and quarter-to-date actuals through the semantic layer's
``metric_frame`` (an independent path from ``Funnel.daily``) and the targets through
``Targets.for_period``.

Calendar facts used below (2026): 1 Apr is a Wednesday; 1 Oct a Thursday; 1 Nov a Sunday;
1 Dec a Tuesday. Public holidays in November: Tue 3 (Culture Day) and Mon 23 (Labour
Thanksgiving); none in December (29-31 Dec are the year-end break); Obon is 13-16 Aug.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from reviewkit.analysis.pace_projection import (
    Z80,
    PaceSettings,
    backtest_errors,
    pace_of,
    share_elapsed,
)
from reviewkit.analysis.pacing import PACE_COLUMNS, pace_frame, pacing_periods
from reviewkit.core.periods import FiscalCalendar, Period, parse_period, previous_period
from reviewkit.errors import ParameterError
from reviewkit.model.seasonality import (
    HOLIDAY,
    WEEKDAYS,
    DayProfile,
    day_class,
    day_profile,
    month_end_days,
)
from reviewkit.model.targets import COLUMNS, Targets

D = dt.date
CAL = FiscalCalendar(4)  # fiscal years start in April: FY2026-Q3 is Oct-Dec 2026


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    """The days ``[start, end)``."""
    return [start + dt.timedelta(days=k) for k in range((end - start).days)]


# A profile where Mon-Fri weigh 1 and weekends and breaks (holidays, Obon, year end) weigh 0.
WEEKDAY_ONLY = DayProfile(
    means={**{d: 1.0 for d in WEEKDAYS[:5]}, "Sat": 0.0, "Sun": 0.0, HOLIDAY: 0.0},
    overall=5 / 7,
    calendar=CAL,
)


# --- seasonality: day classes and month ends -------------------------------------------------


def test_obon_days_are_holidays_and_the_day_before_is_a_weekday():
    assert (
        day_class(D(2026, 8, 12), calendar=CAL) == "Wed"
    )  # the day before Obon: an ordinary Wednesday
    assert [day_class(D(2026, 8, d), calendar=CAL) for d in (13, 14, 15, 16)] == [HOLIDAY] * 4
    assert day_class(D(2026, 8, 17), calendar=CAL) == "Mon"  # Obon is over


def test_month_end_days_are_the_last_two_business_days():
    # October 2026 ends on Saturday 31: the last two business days are Thu 29 and Fri 30
    assert month_end_days(D(2026, 10, 1), calendar=CAL) == {D(2026, 10, 29), D(2026, 10, 30)}
    # any day of the month names the month
    assert month_end_days(D(2026, 10, 17), calendar=CAL) == month_end_days(
        D(2026, 10, 1), calendar=CAL
    )
    # May 2026 ends on a weekend (Sat 30, Sun 31): Thu 28 and Fri 29
    assert month_end_days(D(2026, 5, 1), calendar=CAL) == {D(2026, 5, 28), D(2026, 5, 29)}
    # December 2026: 29-31 (Tue-Thu) are the year-end break, 26-27 a weekend, so the last
    # business days are Mon 28 and Fri 25 (25 December is not a holiday in Japan)
    assert month_end_days(D(2026, 12, 1), calendar=CAL) == {D(2026, 12, 25), D(2026, 12, 28)}
    # November 2026 ends on Monday 30: Fri 27 and Mon 30
    assert month_end_days(D(2026, 11, 1), calendar=CAL) == {D(2026, 11, 27), D(2026, 11, 30)}


def test_a_flat_profile_weighs_every_day_one():
    flat = DayProfile()
    assert flat.is_flat
    assert flat.month_end_factor == 1.0
    w = flat.weights(D(2026, 12, 1), D(2027, 1, 1))
    assert list(w.index) == days(D(2026, 12, 1), D(2027, 1, 1))
    assert w.tolist() == [1.0] * 31  # year-end break included: flat means flat
    # an empty or all-zero history gives a flat profile
    assert day_profile(pd.Series(dtype="float64"), before=D(2026, 10, 1), calendar=CAL).is_flat
    zeros = pd.Series(0.0, index=days(D(2026, 9, 1), D(2026, 10, 1)))
    assert day_profile(zeros, before=D(2026, 10, 1), calendar=CAL).is_flat
    with pytest.raises(ParameterError, match="history_days"):
        day_profile(zeros, before=D(2026, 10, 1), history_days=0, calendar=CAL)


def month_end_history(start: dt.date, end: dt.date) -> pd.Series:
    """Weekdays 10, month-end days 20, weekends and breaks 0, on every day ``[start, end)``."""
    values = {}
    for d in days(start, end):
        if day_class(d, calendar=CAL) in ("Sat", "Sun", HOLIDAY):
            values[d] = 0.0
        elif d in month_end_days(d, calendar=CAL):
            values[d] = 20.0
        else:
            values[d] = 10.0
    return pd.Series(values)


def test_day_profile_learns_the_month_end_factor():
    # History: 1 May .. 30 Sep 2026 (31 + 30 + 31 + 31 + 30 = 153 days), five month ends.
    history = month_end_history(D(2026, 5, 1), D(2026, 10, 1))
    profile = day_profile(history, before=D(2026, 10, 1), history_days=153, calendar=CAL)
    assert not profile.is_flat
    assert profile.means["Sat"] == profile.means["Sun"] == profile.means[HOLIDAY] == 0
    # the class means include the month-end days at 20, so a weekday class mean is a little
    # above 10; the factor is (10 month-end days x 20) / (the sum of their classes' means)
    ends = [d for d in history.index if d in month_end_days(d, calendar=CAL)]
    assert len(ends) == 10
    frame = pd.DataFrame({"v": history.to_numpy()}, index=history.index)
    frame["cls"] = [day_class(d, calendar=CAL) for d in frame.index]
    means = frame.groupby("cls")["v"].mean()
    factor = (20 * 10) / sum(means[day_class(d, calendar=CAL)] for d in ends)
    assert profile.month_end_factor == pytest.approx(factor)
    assert profile.month_end_factor == pytest.approx(2.0, abs=0.2)  # ~1.9 here
    # by construction, the month ends' weights average the month ends' real value, 20
    assert np.mean([profile.weight(d) for d in ends]) == pytest.approx(20)
    # an ordinary weekday keeps its class mean; a weekend weighs 0
    assert profile.weight(D(2026, 10, 14)) == pytest.approx(means["Wed"])
    assert profile.weight(D(2026, 10, 17)) == 0
    # October's month ends (Thu 29, Fri 30) get the factor
    assert profile.weight(D(2026, 10, 29)) == pytest.approx(means["Thu"] * factor)


def test_fewer_than_three_month_ends_give_no_month_end_factor():
    history = month_end_history(D(2026, 5, 1), D(2026, 10, 1))
    # 61 days before 1 Oct: 1 Aug .. 30 Sep, two whole months -> two month ends: factor 1
    two = day_profile(history, before=D(2026, 10, 1), history_days=61, calendar=CAL)
    assert two.month_end_factor == 1.0
    assert two.weight(D(2026, 10, 29)) == pytest.approx(two.means["Thu"])
    # 92 days: 1 Jul .. 30 Sep, three month ends: the factor is used
    three = day_profile(history, before=D(2026, 10, 1), history_days=92, calendar=CAL)
    assert three.month_end_factor > 1.5


# --- share_elapsed ----------------------------------------------------------------------------


def test_share_elapsed_is_linear_with_a_flat_profile():
    nov = (D(2026, 11, 1), D(2026, 12, 1))
    # 10 of 30 days
    assert share_elapsed(DayProfile(), start=nov[0], end=nov[1], through=D(2026, 11, 10)) == (
        pytest.approx(10 / 30)
    )
    assert share_elapsed(DayProfile(), start=nov[0], end=nov[1], through=D(2026, 11, 1)) == (
        pytest.approx(1 / 30)
    )
    assert share_elapsed(DayProfile(), start=nov[0], end=nov[1], through=D(2026, 11, 30)) == 1.0


def test_share_elapsed_with_a_weekday_profile_across_a_month_end():
    # Week 2026-W44: Mon 26 Oct .. Sun 1 Nov; no holiday; Mon-Fri weigh 1, the weekend 0
    start, end = D(2026, 10, 26), D(2026, 11, 2)
    assert share_elapsed(WEEKDAY_ONLY, start=start, end=end, through=D(2026, 10, 28)) == (
        pytest.approx(3 / 5)  # Mon, Tue, Wed of five weekdays
    )
    # Friday 30 Oct: every weekday has passed; the weekend (across the month end) adds nothing
    assert share_elapsed(WEEKDAY_ONLY, start=start, end=end, through=D(2026, 10, 30)) == 1.0
    assert share_elapsed(WEEKDAY_ONLY, start=start, end=end, through=D(2026, 11, 1)) == 1.0
    # with a month-end factor 2, Thu 29 and Fri 30 (October's month ends) weigh 2:
    # 1 + 1 + 1 + 2 + 2 = 7, of which Mon-Wed are 3
    month_end = DayProfile(
        means=WEEKDAY_ONLY.means, overall=5 / 7, month_end_factor=2.0, calendar=CAL
    )
    assert share_elapsed(month_end, start=start, end=end, through=D(2026, 10, 28)) == (
        pytest.approx(3 / 7)
    )
    assert share_elapsed(month_end, start=start, end=end, through=D(2026, 10, 29)) == (
        pytest.approx(5 / 7)
    )


# --- pace_of: hand cases ----------------------------------------------------------------------


def test_first_day_of_a_fiscal_year_is_unstable_with_a_poisson_range():
    april = parse_period("2026-04", calendar=CAL)
    assert april.days == 30 and april.start == CAL.quarter_start(2026, 1)
    share = share_elapsed(DayProfile(), start=april.start, end=april.end, through=april.start)
    assert share == pytest.approx(1 / 30)
    # 12 leads on 1 April; target 360, so 12 expected to date
    got = pace_of(
        actual=12, target=360, expected=12, linear_expected=12, share=share,
        days_elapsed=1, days_total=30,
    )  # fmt: skip
    assert got["projected"] == pytest.approx(360)  # 12 / (1/30)
    # spread = Z80 x sqrt(12 x 29/30) / (1/30) = 1.28155 x 3.40588 x 30 = 130.94
    spread = Z80 * math.sqrt(12 * 29 / 30) * 30
    assert spread == pytest.approx(130.94, abs=0.01)
    assert got["range_from"] == "poisson"
    assert got["low"] == pytest.approx(360 - spread)  # 229.06 (above the 12 already in)
    assert got["high"] == pytest.approx(360 + spread)  # 490.94
    assert got["stable"] is False  # share 1/30 < 0.2 (and the range 262 > half of 360)
    assert got["closed"] is False
    # on pace (12 / 12 = 1), but less than 20 % of the weight has passed: too early to call
    assert got["pace"] == pytest.approx(1.0) and got["status"] == "early"
    # (360 - 12) / 29 remaining days x 7 = 84 per week; (360 - 12) / (360 - 12) = 1
    assert got["required_per_week"] == pytest.approx(84)
    assert got["required_vs_pace"] == pytest.approx(1.0)


def test_first_day_of_a_quarter_is_unstable():
    q3 = parse_period("FY2026-Q3", calendar=CAL)
    assert (q3.start, q3.days) == (D(2026, 10, 1), 92)  # Oct 31 + Nov 30 + Dec 31
    share = share_elapsed(DayProfile(), start=q3.start, end=q3.end, through=q3.start)
    assert share == pytest.approx(1 / 92)
    got = pace_of(
        actual=5, target=460, expected=5, linear_expected=5, share=share,
        days_elapsed=1, days_total=92,
    )  # fmt: skip
    assert got["projected"] == pytest.approx(460)  # 5 x 92
    # spread = 1.28155 x sqrt(5 x 91/92) x 92 = 1.28155 x 2.22386 x 92 = 262.20
    spread = Z80 * math.sqrt(5 * 91 / 92) * 92
    assert spread == pytest.approx(262.20, abs=0.01)
    assert (got["low"], got["high"]) == (pytest.approx(460 - spread), pytest.approx(460 + spread))
    assert got["stable"] is False and got["status"] == "early"
    # the Poisson low end never falls below what is already in: 1 lead projected to 92 has a
    # spread of 1.28155 x sqrt(91/92) x 92 = 117.3 > 92
    tiny = pace_of(
        actual=1, target=460, expected=5, linear_expected=5, share=1 / 92,
        days_elapsed=1, days_total=92,
    )  # fmt: skip
    assert tiny["low"] == 1


ERRORS = [0.92, 0.97, 1.0, 1.01, 1.03, 1.05, 1.08, 0.95]  # final / projected, 8 past months


def test_mid_month_range_comes_from_past_errors():
    # 15 of 30 days, half the weight: 150 in, 300 projected, target 300
    got = pace_of(
        actual=150, target=300, expected=150, linear_expected=150, share=0.5,
        days_elapsed=15, days_total=30, errors=ERRORS,
    )  # fmt: skip
    lo, hi = np.quantile(ERRORS, [0.1, 0.9])  # 0.9335, 1.0590
    assert got["range_from"] == "history"
    assert got["projected"] == pytest.approx(300)
    assert got["low"] == pytest.approx(300 * lo)  # 280.05
    assert got["high"] == pytest.approx(300 * hi)  # 317.70
    # width 300 x 0.1255 = 37.7 <= 0.5 x 300: stable
    assert got["stable"] is True


def test_wide_past_errors_make_the_projection_unstable():
    wide = [0.5, 0.7, 1.0, 1.3, 1.6, 2.0]
    got = pace_of(
        actual=150, target=300, expected=150, linear_expected=150, share=0.5,
        days_elapsed=15, days_total=30, errors=wide,
    )  # fmt: skip
    lo, hi = np.quantile(wide, [0.1, 0.9])  # 0.6, 1.8
    assert (got["low"], got["high"]) == (pytest.approx(300 * lo), pytest.approx(300 * hi))
    assert got["stable"] is False  # width 300 x 1.2 = 360 > 150
    # errors that are not positive and finite are dropped: 5 good ones are too few, so the
    # range falls back to Poisson: spread = 1.28155 x sqrt(150 x 0.5) / 0.5 = 22.20
    some = [*ERRORS[:5], 0.0, -1.0, math.nan, math.inf]
    got = pace_of(
        actual=150, target=300, expected=150, linear_expected=150, share=0.5,
        days_elapsed=15, days_total=30, errors=some,
    )  # fmt: skip
    assert got["range_from"] == "poisson"
    spread = Z80 * math.sqrt(150 * 0.5) / 0.5
    assert got["low"] == pytest.approx(300 - spread) and got["high"] == pytest.approx(300 + spread)
    # a stricter setting: six past periods are not enough when eight are required
    strict = PaceSettings(min_backtests=9)
    got = pace_of(
        actual=150, target=300, expected=150, linear_expected=150, share=0.5,
        days_elapsed=15, days_total=30, errors=ERRORS, settings=strict,
    )  # fmt: skip
    assert got["range_from"] == "poisson"


@pytest.mark.parametrize(
    ("actual", "status"),
    [(280, "near"), (300, "met"), (330, "met"), (200, "missed"), (270, "near")],
)
def test_a_closed_period_projects_its_actual(actual, status):
    # 30 of 30 days: 280 / 300 = 0.933 near; 200 / 300 = 0.667 missed; 270 / 300 = 0.9 near
    got = pace_of(
        actual=actual, target=300, expected=300, linear_expected=300, share=1.0,
        days_elapsed=30, days_total=30, errors=ERRORS,
    )  # fmt: skip
    assert got["closed"] is True and got["stable"] is True
    assert got["projected"] == got["low"] == got["high"] == actual
    assert got["range_from"] == "closed"
    assert got["status"] == status
    assert math.isnan(got["required_per_week"]) and math.isnan(got["required_vs_pace"])


def test_required_run_rate_and_how_it_compares_with_the_pace():
    # 100 in after 10 of 30 days, 40 % of the weight: projected 100 / 0.4 = 250
    got = pace_of(
        actual=100, target=300, expected=120, linear_expected=100, share=0.4,
        days_elapsed=10, days_total=30, errors=ERRORS,
    )  # fmt: skip
    assert got["projected"] == pytest.approx(250)
    # (300 - 100) / 20 remaining days x 7 = 70 per week
    assert got["required_per_week"] == pytest.approx(70)
    # the remaining 200 against the 150 the pace brings: 200 / (250 - 100) = 1.333
    assert got["required_vs_pace"] == pytest.approx(4 / 3)
    # already past the target: nothing more is required
    ahead = pace_of(
        actual=320, target=300, expected=120, linear_expected=100, share=0.4,
        days_elapsed=10, days_total=30,
    )  # fmt: skip
    assert ahead["required_per_week"] == 0 and ahead["required_vs_pace"] == 0


@pytest.mark.parametrize("target", [None, math.nan])
def test_no_target(target):
    got = pace_of(
        actual=100, target=target, expected=None, linear_expected=None, share=0.5,
        days_elapsed=15, days_total=30, errors=ERRORS,
    )  # fmt: skip
    assert got["status"] == "no_target"
    assert math.isnan(got["pace"])
    assert math.isnan(got["required_per_week"]) and math.isnan(got["required_vs_pace"])
    # the projection still stands, its width judged against the projection itself:
    # 200 x (1.0590 - 0.9335) = 25.1 <= 0.5 x 200
    assert got["projected"] == pytest.approx(200)
    assert got["stable"] is True


def test_an_amount_with_too_few_past_errors_has_no_range():
    got = pace_of(
        actual=6e7, target=1e8, expected=5e7, linear_expected=5e7, share=0.6,
        days_elapsed=18, days_total=30, errors=[0.9, 1.0, 1.1], kind="amount",
    )  # fmt: skip
    assert got["projected"] == pytest.approx(1e8)  # 6e7 / 0.6
    assert math.isnan(got["low"]) and math.isnan(got["high"])
    assert got["range_from"] == "none"
    assert got["stable"] is False  # no range, no confidence, even past 20 % of the weight
    # with six past errors an amount gets a range from them
    six = pace_of(
        actual=6e7, target=1e8, expected=5e7, linear_expected=5e7, share=0.6,
        days_elapsed=18, days_total=30, errors=ERRORS[:6], kind="amount",
    )  # fmt: skip
    assert six["range_from"] == "history" and six["stable"] is True


@pytest.mark.parametrize(
    ("actual", "pace", "status"),
    [(95, 0.95, "near"), (80, 0.8, "missed"), (100, 1.0, "met"), (90, 0.9, "near"),
     (120, 1.2, "met")],
)  # fmt: skip
def test_pace_is_actual_over_seasonal_expected(actual, pace, status):
    # 100 expected to date (seasonal); the linear expectation (90) does not set the pace
    got = pace_of(
        actual=actual, target=300, expected=100, linear_expected=90, share=1 / 3,
        days_elapsed=10, days_total=30,
    )  # fmt: skip
    assert got["pace"] == pytest.approx(pace)
    assert got["status"] == status


def test_nothing_elapsed_gives_no_projection():
    # the first day of a month that is a zero-weight day (1 January): share 0, nothing in
    got = pace_of(
        actual=0, target=300, expected=0.0, linear_expected=0.0, share=0.0,
        days_elapsed=1, days_total=31,
    )  # fmt: skip
    assert math.isnan(got["projected"]) and got["range_from"] == "none"
    assert got["stable"] is False
    assert math.isnan(got["pace"])  # 0 expected: no pace
    assert got["status"] == "early"  # not "no_target": the target exists
    assert got["required_per_week"] == pytest.approx(300 / 30 * 7)  # 70


@pytest.mark.parametrize(("share", "status"), [(0.19, "early"), (0.2, "near"), (0.5, "near")])
def test_status_is_early_below_the_minimum_share(share, status):
    # pace 95 / 100 = 0.95 ("near") once 20 % of the weight has passed
    got = pace_of(
        actual=95, target=300, expected=100, linear_expected=100, share=share,
        days_elapsed=10, days_total=30,
    )  # fmt: skip
    assert got["status"] == status


# --- backtest_errors --------------------------------------------------------------------------


def test_a_constant_series_is_projected_exactly():
    # 5 a day from 1 Nov 2025 to 31 Oct 2026; the 12 months before November 2026
    daily = pd.Series(5.0, index=days(D(2025, 11, 1), D(2026, 11, 1)))
    nov = parse_period("2026-11", calendar=CAL)
    past = []
    p = nov
    for _ in range(12):
        p = previous_period(p, calendar=CAL)
        past.append(p)
    profile = day_profile(daily, before=nov.start, calendar=CAL)
    # every class means 5, and month ends are not special: the factor is 5 / 5 = 1
    assert profile.month_end_factor == pytest.approx(1.0)
    for elapsed in (1, 10, 29, 31):
        errors = backtest_errors(daily, profile=profile, periods=past, days_elapsed=elapsed)
        assert errors == pytest.approx([1.0] * 12)


def test_backtest_error_by_hand():
    # September 2026 (30 days): 1 a day for days 1-10, 2 a day for days 11-30
    sep = parse_period("2026-09", calendar=CAL)
    daily = pd.Series({d: 1.0 if d.day <= 10 else 2.0 for d in days(sep.start, sep.end)})
    # after 10 days: 10 in, share 10/30, projected 30; final 10 + 40 = 50; error 50/30
    got = backtest_errors(daily, profile=DayProfile(), periods=[sep], days_elapsed=10)
    assert got == pytest.approx([50 / 30])
    # a period with nothing in by then is left out (no projection to compare)
    empty = pd.Series({d: 0.0 if d.day <= 10 else 2.0 for d in days(sep.start, sep.end)})
    assert backtest_errors(empty, profile=DayProfile(), periods=[sep], days_elapsed=10) == []


# --- pacing_periods ---------------------------------------------------------------------------


def labels(scopes: list[tuple[str, Period]]) -> list[tuple[str, str]]:
    return [(scope, p.label) for scope, p in scopes]


def test_pacing_periods_of_an_ordinary_week():
    week = parse_period("2026-W47", calendar=CAL)  # Mon 16 .. Sun 22 Nov
    got = pacing_periods(week, through=D(2026, 11, 22), calendar=CAL)
    assert labels(got) == [("month", "2026-11"), ("quarter", "FY2026-Q3")]


def test_pacing_periods_of_a_week_spanning_a_month_end():
    week = parse_period("2026-W44", calendar=CAL)  # Mon 26 Oct .. Sun 1 Nov
    assert (week.start, week.last_day) == (D(2026, 10, 26), D(2026, 11, 1))
    got = pacing_periods(week, through=D(2026, 11, 1), calendar=CAL)
    assert labels(got) == [("month", "2026-10"), ("month", "2026-11"), ("quarter", "FY2026-Q3")]
    # reviewed on the Saturday, the month has not ended yet
    got = pacing_periods(week, through=D(2026, 10, 31), calendar=CAL)
    assert labels(got) == [("month", "2026-10"), ("quarter", "FY2026-Q3")]


def test_pacing_periods_of_a_week_spanning_a_quarter_end():
    week = parse_period("2026-W40", calendar=CAL)  # Mon 28 Sep .. Sun 4 Oct
    got = pacing_periods(week, through=D(2026, 10, 4), calendar=CAL)
    assert labels(got) == [
        ("month", "2026-09"), ("month", "2026-10"),
        ("quarter", "FY2026-Q2"), ("quarter", "FY2026-Q3"),
    ]  # fmt: skip


def test_pacing_periods_on_the_first_day_of_a_fiscal_year():
    week = parse_period("2026-W14", calendar=CAL)  # Mon 30 Mar .. Sun 5 Apr
    got = pacing_periods(week, through=D(2026, 4, 1), calendar=CAL)
    assert labels(got) == [
        ("month", "2026-03"), ("month", "2026-04"),
        ("quarter", "FY2025-Q4"), ("quarter", "FY2026-Q1"),
    ]  # fmt: skip
    # a January fiscal year: 1 April starts only a quarter (Q2)
    january = FiscalCalendar(1)
    got = pacing_periods(week, through=D(2026, 4, 1), calendar=january)
    assert labels(got) == [
        ("month", "2026-03"), ("month", "2026-04"),
        ("quarter", "FY2026-Q1"), ("quarter", "FY2026-Q2"),
    ]  # fmt: skip


# --- the year-end break ------------------------------------------------------------------------


def year_end_targets() -> Targets:
    frame = pd.DataFrame(
        {
            "month": [D(2026, 10, 1), D(2026, 11, 1), D(2026, 12, 1)],
            "metric": "lead",
            "segment_key": "",
            "segment_value": "",
            "value": [300.0, 350.0, 400.0],
        },
        columns=COLUMNS,
    )
    return Targets(frame, proration="seasonal")


def test_the_year_end_break_adds_nothing_to_expected_to_date():
    targets = year_end_targets()
    weights = WEEKDAY_ONLY.weights(D(2026, 10, 1), D(2027, 1, 1))
    # December 2026 from Tue 1: Tue-Fri 1-4 (4), 7-11 (5), 14-18 (5), 21-25 (5), Mon 28 (1):
    # 20 weighted days; 29-31 (Tue-Thu) are the year-end break and weigh 0
    december = WEEKDAY_ONLY.weights(D(2026, 12, 1), D(2027, 1, 1))
    assert december.sum() == 20
    assert december[[D(2026, 12, d) for d in (29, 30, 31)]].tolist() == [0, 0, 0]

    december_1 = D(2026, 12, 1)

    def expected(through: dt.date, start: dt.date = december_1) -> float:
        upto = through + dt.timedelta(days=1)
        return targets.for_period("lead", start, upto, day_weights=weights)

    assert expected(D(2026, 12, 25)) == pytest.approx(400 * 19 / 20)  # 380
    assert expected(D(2026, 12, 28)) == pytest.approx(400)  # every weighted day has passed
    assert expected(D(2026, 12, 28)) == pytest.approx(expected(D(2026, 12, 31)))
    assert expected(D(2026, 12, 30)) == pytest.approx(400)
    # the quarter: October and November whole, then December as above (300 + 350 + 400)
    q3 = D(2026, 10, 1)
    assert expected(D(2026, 12, 28), q3) == pytest.approx(1050)
    assert expected(D(2026, 12, 28), q3) == pytest.approx(expected(D(2026, 12, 31), q3))
    # linear proration does count the break: 400 x 28/31 = 361.29 by the 28th
    linear = Targets(targets.frame, proration="linear")
    got = linear.for_period("lead", D(2026, 12, 1), D(2026, 12, 29), day_weights=weights)
    assert got == pytest.approx(400 * 28 / 31)
    # and the share elapsed is already whole on the 28th: the projection is the actual
    share = share_elapsed(WEEKDAY_ONLY, start=D(2026, 12, 1), end=D(2027, 1, 1),
                          through=D(2026, 12, 28))  # fmt: skip
    assert share == 1.0
    got = pace_of(
        actual=390, target=400, expected=400, linear_expected=400 * 28 / 31, share=share,
        days_elapsed=28, days_total=31,
    )  # fmt: skip
    assert got["projected"] == 390 and got["closed"] is False


def test_year_end_with_a_month_end_factor():
    # factor 2 on December's month ends, Fri 25 and Mon 28: 18 x 1 + 2 x 2 = 22
    profile = DayProfile(
        means=WEEKDAY_ONLY.means, overall=5 / 7, month_end_factor=2.0, calendar=CAL
    )
    targets = year_end_targets()
    weights = profile.weights(D(2026, 12, 1), D(2027, 1, 1))
    assert weights.sum() == 22
    got = targets.for_period("lead", D(2026, 12, 1), D(2026, 12, 25), day_weights=weights)
    assert got == pytest.approx(400 * 18 / 22)  # through Thu 24: 327.27
    got = targets.for_period("lead", D(2026, 12, 1), D(2026, 12, 26), day_weights=weights)
    assert got == pytest.approx(400 * 20 / 22)  # through Fri 25 (a month end)
    got = targets.for_period("lead", D(2026, 12, 1), D(2026, 12, 29), day_weights=weights)
    assert got == pytest.approx(400)


# --- the sample company -----------------------------------------------------------------------

THROUGH = D(2026, 11, 22)  # the last day of week 2026-W47 (reviewed on Monday 23 Nov)


@pytest.fixture(scope="module")
def review(sample_workspace):
    from reviewkit.review.weekly import WeeklyReview

    return WeeklyReview(workspace=sample_workspace, as_of=D(2026, 11, 23), lang="en")


@pytest.fixture(scope="module")
def metrics(review):
    return [*review.definitions.stage_keys, "revenue"]


@pytest.fixture(scope="module")
def paced(review, metrics, sample_workspace):
    return pace_frame(
        review.funnel, review.targets, week=review.period, through=THROUGH,
        calendar=sample_workspace.calendar, metrics=metrics,
    )  # fmt: skip


def to_date(review, metrics, periods: list[Period]) -> dict[tuple[str, str], float]:
    """``(period label, metric) -> value`` from ``metric_frame``."""
    frame = review.funnel.metric_frame(metrics, periods)
    return {(r.period, r.metric): float(r.value) for r in frame.itertuples()}


def test_sample_pace_frame_shape_and_order(paced, metrics, review):
    assert review.period.label == "2026-W47"
    assert list(paced.columns) == PACE_COLUMNS
    assert len(paced) == 2 * len(metrics)
    # month rows first, then quarter rows, each in the order of the metrics given
    assert paced["scope"].tolist() == ["month"] * len(metrics) + ["quarter"] * len(metrics)
    assert paced["metric"].tolist() == metrics * 2
    assert set(paced.loc[paced["scope"] == "month", "period"]) == {"2026-11"}
    assert set(paced.loc[paced["scope"] == "quarter", "period"]) == {"FY2026-Q3"}
    assert (paced["through"] == THROUGH).all()
    assert not paced["closed"].any()
    # 1-22 November: 22 of 30 days; 1 October - 22 November: 31 + 22 = 53 of 92
    month = paced[paced["scope"] == "month"]
    quarter = paced[paced["scope"] == "quarter"]
    assert (month["days_elapsed"] == 22).all() and (month["days_total"] == 30).all()
    assert (quarter["days_elapsed"] == 53).all() and (quarter["days_total"] == 92).all()
    assert ((paced["share"] > 0) & (paced["share"] < 1)).all()
    assert dict(zip(paced["metric"], paced["kind"], strict=False))["revenue"] == "amount"


def test_sample_actuals_match_metric_frame(paced, metrics, review):
    # the to-date ranges as custom periods, counted by the semantic layer's own SQL
    month = Period("monthly", D(2026, 11, 1), D(2026, 11, 23), "2026-11 to date", 2026, 11)
    quarter = Period("quarterly", D(2026, 10, 1), D(2026, 11, 23), "Q3 to date", 2026, 3)
    truth = to_date(review, metrics, [month, quarter])
    for row in paced.itertuples():
        label = month.label if row.scope == "month" else quarter.label
        assert row.actual == pytest.approx(truth[(label, row.metric)]), (row.scope, row.metric)
        assert row.actual > 0
    # a quarter to date holds its month to date
    m = paced[paced["scope"] == "month"].set_index("metric")["actual"]
    q = paced[paced["scope"] == "quarter"].set_index("metric")["actual"]
    assert (q >= m).all()


def test_sample_targets_and_linear_expectation(paced, review):
    for row in paced.itertuples():
        start, end = (
            (D(2026, 11, 1), D(2026, 12, 1)) if row.scope == "month" else
            (D(2026, 10, 1), D(2027, 1, 1))
        )  # fmt: skip
        target = review.targets.for_period(row.metric, start, end)
        assert target is not None and target > 0
        assert row.target == pytest.approx(target)
        # linear expected to date: November 22/30; the quarter adds October whole
        nov = review.targets.month_value(row.metric, D(2026, 11, 1))
        oct_ = review.targets.month_value(row.metric, D(2026, 10, 1))
        linear = nov * 22 / 30 + (oct_ if row.scope == "quarter" else 0)
        assert row.linear_expected == pytest.approx(linear)
        # seasonal expected to date lies below the whole target and near the linear one
        assert 0 < row.expected < row.target
        assert row.expected == pytest.approx(linear, rel=0.2)
        assert row.pace == pytest.approx(row.actual / row.expected)
        assert row.projected == pytest.approx(row.actual / row.share)
        assert row.low <= row.projected <= row.high
        assert row.status in ("met", "near", "missed")


def test_sample_week_spanning_a_month_end_shows_the_closed_month(sample_workspace):
    from reviewkit.review.weekly import WeeklyReview

    review = WeeklyReview(workspace=sample_workspace, as_of=D(2026, 11, 2), lang="en")
    assert review.period.label == "2026-W44"  # Mon 26 Oct .. Sun 1 Nov
    got = pace_frame(
        review.funnel, review.targets, week=review.period, through=D(2026, 11, 1),
        calendar=sample_workspace.calendar, metrics=["lead", "sql"],
    )  # fmt: skip
    assert list(zip(got["scope"], got["period"], got["metric"], strict=True)) == [
        ("month", "2026-10", "lead"), ("month", "2026-10", "sql"),
        ("month", "2026-11", "lead"), ("month", "2026-11", "sql"),
        ("quarter", "FY2026-Q3", "lead"), ("quarter", "FY2026-Q3", "sql"),
    ]  # fmt: skip
    october = got[got["period"] == "2026-10"]
    assert october["closed"].all() and october["stable"].all()
    assert (october["days_elapsed"] == 31).all()
    assert (october["projected"] == october["actual"]).all()
    truth = to_date(review, ["lead", "sql"], [parse_period("2026-10", calendar=CAL)])
    for row in october.itertuples():
        assert row.actual == truth[("2026-10", row.metric)]
        assert row.status == _status(row.actual / row.target)
    # 1 November (a Sunday) is day 1 of 30 of the new month: unstable
    november = got[got["period"] == "2026-11"]
    assert (november["days_elapsed"] == 1).all()
    assert not november["stable"].any()
    assert (november["status"] == "early").all()


def _status(achievement: float) -> str:
    return "met" if achievement >= 1 else "near" if achievement >= 0.9 else "missed"
