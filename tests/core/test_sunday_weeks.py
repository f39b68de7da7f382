"""Weeks from Sunday and fiscal years named by their end: a US company's calendar.

Labels: a Sunday week is ``2026-S47`` (US numbering: week 1 holds 1 January), never
confusable with the ISO week ``2026-W47``. Every expected week number is checked against
Python's ``%U`` (Sunday-based week of the year, 0 before the first Sunday) or worked out by
hand: 1 January 2026 is a Thursday, so week 1 of 2026 runs from Sunday 28 December 2025, and
Sunday 15 November 2026 starts week 47. 1 January 2027 is a Friday: Sunday 27 December 2026
to Saturday 2 January 2027 is week 1 of 2027, and 2026 has 52 weeks. 1 January 2022 was a
Saturday, so 2022 has 53 (25-31 December 2022 is 2022-S53).
"""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from builders import event_definitions

from reviewkit.analysis.anomaly_settings import AnomalySettings
from reviewkit.analysis.weekly_series import load_weekly, series_of
from reviewkit.core.holidays import DayCalendar
from reviewkit.core.periods import (
    FiscalCalendar,
    last_complete_period,
    next_period,
    parse_period,
    period_containing,
    periods_before,
    periods_ending,
    previous_period,
    same_period_last_year,
    week_number,
)
from reviewkit.errors import ParameterError
from reviewkit.i18n.formatting import format_period
from reviewkit.ingest.identity import resolve_identities
from reviewkit.model.actions import action_problem, make_action
from reviewkit.model.definitions import Definitions
from reviewkit.semantic.funnel import Funnel
from reviewkit.store.schema import replace_tables

D = dt.date
US = FiscalCalendar(
    10, week_start="sunday", fiscal_year_label="end", days=DayCalendar("US")
)  # fiscal years from October, named by the year they end in (FY2027 = Oct 2026 - Sep 2027)
SUNDAY = FiscalCalendar(1, week_start="sunday", days=DayCalendar("US"))
MONDAY = FiscalCalendar(4)


def us_week(start: dt.date) -> tuple[int, int]:
    """(year, week) of a Sunday week by ``%U``: week 1 holds 1 January, and belongs to it."""
    saturday = start + dt.timedelta(days=6)
    if saturday.year != start.year:  # holds 1 January: week 1 of the new year
        return saturday.year, 1
    jan1_is_sunday = D(start.year, 1, 1).weekday() == 6
    return start.year, int(start.strftime("%U")) + (0 if jan1_is_sunday else 1)


def test_the_week_of_a_wednesday_runs_sunday_to_saturday():
    week = period_containing("weekly", D(2026, 11, 18), calendar=US)
    assert (week.start, week.last_day) == (D(2026, 11, 15), D(2026, 11, 21))
    assert week.start.weekday() == 6 and week.days == 7
    assert (week.label, week.number, week.fiscal_year) == ("2026-S47", 47, 2027)
    for day in (D(2026, 11, 15), D(2026, 11, 21)):  # its own Sunday and Saturday
        assert period_containing("weekly", day, calendar=US) == week
    # the ISO week of the same Wednesday starts a day later and has another label
    iso = period_containing("weekly", D(2026, 11, 18), calendar=MONDAY)
    assert (iso.label, iso.start) == ("2026-W47", D(2026, 11, 16))


def test_every_sunday_week_2019_2031_has_one_sortable_label_that_round_trips():
    sundays = [D(2019, 12, 29) + dt.timedelta(weeks=k) for k in range(11 * 53)]
    labels = []
    for start in sundays:
        week = period_containing("weekly", start, calendar=SUNDAY)
        assert week.start == start
        assert week_number(start) == us_week(start), start
        assert week.label == f"{us_week(start)[0]}-S{us_week(start)[1]:02d}"
        assert parse_period(week.label, calendar=SUNDAY) == week
        labels.append(week.label)
    assert labels == sorted(labels) and len(set(labels)) == len(labels)
    # each year's weeks run 1..52 or 1..53 without a gap
    for year, group in itertools.groupby(labels, key=lambda label: label[:4]):
        numbers = [int(label[-2:]) for label in group]
        if year not in ("2019", "2031"):
            assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) in (52, 53)


def test_year_end_weeks_by_hand():
    first = parse_period("2027-S01", calendar=SUNDAY)
    assert (first.start, first.last_day) == (D(2026, 12, 27), D(2027, 1, 2))
    assert previous_period(first, calendar=SUNDAY).label == "2026-S52"
    assert parse_period("2026-S01", calendar=SUNDAY).start == D(2025, 12, 28)
    assert parse_period("2022-S53", calendar=SUNDAY).start == D(2022, 12, 25)
    with pytest.raises(ParameterError, match="'2026-S53' is not a period label"):
        parse_period("2026-S53", calendar=SUNDAY)


def test_previous_next_and_periods_before_are_consistent():
    week = parse_period("2026-S47", calendar=US)
    before = periods_before(week, 4, calendar=US)
    assert [p.label for p in before] == ["2026-S43", "2026-S44", "2026-S45", "2026-S46"]
    chain = [*before, week]
    assert all(b.start == a.end for a, b in itertools.pairwise(chain))
    assert all(p.start.weekday() == 6 for p in chain)
    assert previous_period(week, calendar=US) == before[-1]
    assert next_period(before[-1], calendar=US) == week
    assert next_period(week, calendar=US).start == D(2026, 11, 22)
    assert periods_ending(week, 5, calendar=US) == chain
    assert same_period_last_year(week, calendar=US).start == D(2025, 11, 16)


@pytest.mark.parametrize(
    ("as_of", "label", "start"),
    [
        (D(2026, 11, 22), "2026-S47", D(2026, 11, 15)),  # on Sunday: the week that just ended
        (D(2026, 11, 23), "2026-S47", D(2026, 11, 15)),  # on Monday: still that week
        (D(2026, 11, 21), "2026-S46", D(2026, 11, 8)),  # on Saturday: the week before
    ],
)
def test_a_review_looks_back_at_the_last_complete_sunday_week(as_of, label, start):
    week = last_complete_period("weekly", as_of, calendar=US)
    assert (week.label, week.start) == (label, start)


def test_a_week_of_the_other_week_start_is_refused_unless_asked_for():
    with pytest.raises(ParameterError, match=r"weeks start on Sunday .* write weeks as 2026-S27"):
        parse_period("2026-W47", calendar=US)
    with pytest.raises(ParameterError, match=r"weeks start on Monday .* as 2026-W27"):
        parse_period("2026-S47", calendar=MONDAY)
    # naming packs made before week_start changed
    old = parse_period("2026-W47", calendar=US, any_week=True)
    assert (old.start, old.label) == (D(2026, 11, 16), "2026-W47")
    with pytest.raises(ParameterError, match=r"use 2026-S47 \(week from Sunday\)"):
        parse_period("2026-X47", calendar=US)


@pytest.mark.parametrize(
    ("label", "ja", "en"),
    [
        ("2026-S47", "2026年 第47週（11月15日〜11月21日）", "Week 47, 2026 (15–21 Nov)"),
        ("2027-S01", "2027年 第1週（12月27日〜1月2日）", "Week 1, 2027 (27 Dec – 2 Jan)"),
        ("FY2027-Q1", "2027年度 第1四半期", "FY2027 Q1"),
    ],
)
def test_sunday_weeks_and_end_named_quarters_read_right(label, ja, en):
    period = parse_period(label, calendar=US)
    assert format_period(period, lang="ja") == ja
    assert format_period(period, lang="en") == en


def test_fiscal_years_named_by_their_end():
    # October start, named by the end: October 2026 - September 2027 is FY2027
    days = [D(2026, 9, 15), D(2026, 10, 1), D(2027, 1, 15), D(2027, 9, 30)]
    quarters = [period_containing("quarterly", day, calendar=US) for day in days]
    assert [q.label for q in quarters] == ["FY2026-Q4", "FY2027-Q1", "FY2027-Q2", "FY2027-Q4"]
    q1 = parse_period("FY2027-Q1", calendar=US)
    assert (q1.start, q1.end, q1.fiscal_year) == (D(2026, 10, 1), D(2027, 1, 1), 2027)
    assert previous_period(q1, calendar=US).label == "FY2026-Q4"
    assert same_period_last_year(q1, calendar=US).label == "FY2026-Q1"
    # April start: April 2026 - March 2027 is FY2026 by its start, FY2027 by its end
    japanese, american = FiscalCalendar(4), FiscalCalendar(4, fiscal_year_label="end")
    day = D(2026, 5, 1)
    assert period_containing("quarterly", day, calendar=japanese).label == "FY2026-Q1"
    assert period_containing("quarterly", day, calendar=american).label == "FY2027-Q1"
    assert parse_period("FY2027-Q4", calendar=american).start == D(2027, 1, 1)
    # a January start is the calendar year under either label
    for label in ("start", "end"):
        jan = FiscalCalendar(1, fiscal_year_label=label)  # type: ignore[arg-type]
        assert period_containing("quarterly", day, calendar=jan).label == "FY2026-Q2"
    with pytest.raises(ParameterError, match="fiscal_year_label: 'middle'"):
        FiscalCalendar(fiscal_year_label="middle")  # type: ignore[arg-type]


def test_actions_name_the_workspace_s_weeks():
    definitions = definitions_of(STAGES)
    action = make_action(
        {
            "id": "A-1", "title": "Call webinar leads", "owner": "ops", "kpi": "lead",
            "family": "target", "start": "2026-11-23", "due": "2026-12-31",
            "decided_in": {"review": "weekly", "period": "2026-W47"},
        }
    )  # fmt: skip
    assert action_problem(action, definitions=definitions, calendar=MONDAY) is None
    keys, message = action_problem(action, definitions=definitions, calendar=US)
    assert keys == ("decided_in", "period") and "e.g. 2026-S27" in message


# --- the weekly series of a US company: Sunday weeks in its own time zone --------------------

TZ = "America/New_York"
STAGES = ("lead", "mql", "sql", "opportunity", "won")


def definitions_of(keys: tuple[str, ...]) -> Definitions:
    # a tree of the stages and rates only (deal size is no metric here)
    tree = [keys[0], *(f"{a}_to_{b}" for a, b in itertools.pairwise(keys))]
    return event_definitions(keys, kgi={"tree": tree}, agreed_on="2026-01-01")


def funnel_of(con, leads: list[str]) -> Funnel:
    """One lead entering at each local time (ISO with offset) in ``leads``."""
    at = pd.Series(pd.to_datetime(leads, utc=True))
    ids = [f"L{k}" for k in range(len(leads))]
    frame = pd.DataFrame({"lead_id": ids, "source_system": "t", "created_at": at, "email": None})
    events = pd.DataFrame({"lead_id": ids, "stage": "lead", "entered_at": at, "source_system": "t"})
    replace_tables(con, {"leads": frame, "stage_events": events}, source="tiny US company")
    resolve_identities(con)
    cutoff = dt.datetime(2026, 11, 23, tzinfo=ZoneInfo(TZ))
    return Funnel(con, definitions_of(STAGES), timezone=TZ, cutoff=cutoff)


def test_anomaly_weeks_run_sunday_to_saturday_in_the_company_s_zone(con):
    funnel = funnel_of(
        con,
        [
            "2026-11-14T22:00:00-05:00",  # Saturday night in New York (Sunday in UTC and Tokyo)
            "2026-11-15T00:30:00-05:00",  # Sunday just after midnight
            "2026-11-18T12:00:00-05:00",  # Wednesday
            "2026-11-21T23:30:00-05:00",  # Saturday night (Sunday 22 in UTC)
            "2026-11-22T09:00:00-05:00",  # Sunday: the next week, not under review
            "2026-11-09T09:00:00-05:00",  # Monday of the week before
        ],
    )
    week = last_complete_period("weekly", D(2026, 11, 22), calendar=US)
    settings = AnomalySettings(baseline_weeks=4, recent_weeks=2)
    data = load_weekly(funnel, week=week, calendar=US, dimensions=(), settings=settings)
    assert [p.label for p in data.weeks] == [
        "2026-S42", "2026-S43", "2026-S44", "2026-S45", "2026-S46", "2026-S47",
    ]  # fmt: skip
    assert all(p.start.weekday() == 6 for p in data.weeks)
    assert all(b.start == a.end for a, b in itertools.pairwise(data.weeks))
    series = series_of(data)
    counts = series[(series["kind"] == "count") & (series["measure"] == "lead")]
    got = dict(zip(counts["week"], counts["x"], strict=True))
    assert got["2026-S47"] == 3  # Sun 15 00:30, Wed 18, Sat 21 23:30
    assert got["2026-S46"] == 2  # Mon 9, Sat 14 22:00
    starts = dict(zip(counts["week"], counts["start"], strict=True))
    assert starts["2026-S47"] == D(2026, 11, 15)
    # each week's weight sums its days' weights: 7 days, none of them a US holiday here
    assert data.weights[("lead", "2026-S47")] > 0


# --- a weekly pack of the sample data as a US company -----------------------------------------


def test_a_us_company_s_weekly_pack_covers_its_sunday_week(sample_workspace, tmp_path):
    import shutil

    from reviewkit.core.workspace import Workspace, init_workspace
    from reviewkit.pack.index_page import render_index
    from reviewkit.pack.runner import run_pack

    ws = init_workspace(tmp_path / "us")
    shutil.copy(sample_workspace.store_path, ws.store_path)
    path = ws.params_dir / "workspace.yml"
    text = (
        path.read_text(encoding="utf-8")
        .replace("timezone: Asia/Tokyo", "timezone: America/Los_Angeles")
        .replace("week_start: monday", "week_start: sunday")
        .replace("country: JP", "country: US")
        .replace("# subdivision: SP", "subdivision: CA")
    )
    path.write_text(text, encoding="utf-8")
    ws = Workspace(ws.root)
    result = run_pack("weekly", as_of="2026-11-23", lang="en", workspace=ws)
    assert result.period == "2026-S47"
    assert result.directory == ws.outputs_dir / "weekly" / "2026-S47" / "en"
    manifest = result.manifest.read_text(encoding="utf-8")
    assert '"period_start": "2026-11-15"' in manifest and '"period_end": "2026-11-21"' in manifest
    pack = result.pack.read_text(encoding="utf-8")
    assert "Week 47, 2026 (15–21 Nov)" in pack
    assert "public holidays (United States, CA), Christmas to New Year break" in pack
    assert "Obon" not in pack
    index = render_index(ws.outputs_dir, lang="en", timezone="America/Los_Angeles")
    assert "Week 47, 2026 (15–21 Nov)" in index and "2026-S47" in index
