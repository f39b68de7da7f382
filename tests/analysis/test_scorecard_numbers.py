"""Independent checks of the scorecard's numbers.

Part 1 loads a tiny hand-made funnel whose every number was worked out by hand (see the
comments next to each expectation). Part 2 re-derives the sample company's scorecards with
plain pandas from the raw tables, following only the documented definitions:

- a person is all leads whose e-mail, trimmed and lower-cased, is equal (no e-mail: the lead
  alone); a stage counts a person in the period holding the Tokyo date of their first entry;
- an event stage is entered at the person's earliest stage event of that name; the MQL stage
  is entered by the rule ``score >= 60`` at the first score change reaching it (a lead
  without score history: its score when created);
- revenue is the amount of won opportunities whose close date (Tokyo) is in the period and
  that closed before the review date;
- targets are monthly, in ``params/targets.yml``; a period's target is, day by day, the
  month's target / days in month (linear proration).

Counts and rates are asked of the semantic layer (:class:`reviewkit.semantic.funnel.Funnel`).
"""

import calendar
import datetime as dt
import math

import pandas as pd
import pytest
from builders import FAR, SAMPLE_STAGES, event_definitions, expected_actuals, ratio

from reviewkit.analysis.scorecard import COLUMNS, scorecard
from reviewkit.core.periods import (
    FiscalCalendar,
    Period,
    last_complete_period,
    parse_period,
    previous_period,
)
from reviewkit.ingest.identity import resolve_identities
from reviewkit.model.targets import Targets, period_targets
from reviewkit.semantic.funnel import Funnel, cutoff_of
from reviewkit.store.schema import replace_tables

TZ = "Asia/Tokyo"
CAL = FiscalCalendar(4)
DEMO = dt.date(2026, 11, 23)


# --- helpers -------------------------------------------------------------------------------


def instants(values):
    """Timestamps with explicit offsets (or None) -> a UTC datetime column."""
    return pd.to_datetime(pd.Series(values, dtype=object), utc=True, format="ISO8601")


def span(start, end):
    """Any range of days as a period (the layer only needs its label, start and end)."""
    return Period("monthly", start, end, f"{start}..{end}", start.year, 0)


def funnel(con, keys=SAMPLE_STAGES, timezone=TZ):
    return Funnel(con, event_definitions(keys), timezone=timezone, cutoff=FAR)


def period(label, start, end):
    """The Period of ``label``, checked against the range worked out by hand."""
    found = parse_period(label, calendar=CAL)
    assert (found.start, found.end) == (start, end)
    return found


def row(frame, metric):
    rows = frame[frame["metric"] == metric]
    assert len(rows) == 1, f"{metric}: {len(rows)} rows"
    return rows.iloc[0]


def same(actual, expected, rel=1e-9):
    """Equal, or both NaN."""
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        return actual is None or math.isnan(actual)
    return actual == pytest.approx(expected, rel=rel, abs=1e-12)


def assert_scorecard(frame, expected):
    """``expected`` maps metric -> (actual, target, achievement, previous, change)."""
    assert list(frame.columns) == COLUMNS
    assert list(frame["metric"]) == list(expected)
    for metric, values in expected.items():
        got = row(frame, metric)
        for column, want in zip(
            ["actual", "target", "achievement", "previous", "change"], values, strict=True
        ):
            assert same(float(got[column]), want), f"{metric}.{column}: {got[column]} != {want}"


# --- the tiny funnel -----------------------------------------------------------------------
#
# Persons: alice = MA-1 + SFA-1 (e-mails differ in case and padding), bob = MA-6 + SFA-2;
# MA-2 (no e-mail), MA-3 (''), MA-4 ('   ') and MA-5 (no e-mail) are one person each.
# 8 leads -> 6 persons.

LEADS = [
    # lead_id, source, created_at, email
    ("MA-1", "ma", "2026-09-10T10:00:00+09:00", "Alice@Example.com"),
    ("SFA-1", "sfa", "2026-09-20T10:00:00+09:00", "  alice@example.COM "),
    ("MA-2", "ma", "2026-09-30T14:30:00Z", None),  # 2026-09-30 23:30 Tokyo
    ("MA-3", "ma", "2026-09-30T15:10:00Z", ""),  # 2026-10-01 00:10 Tokyo
    ("MA-4", "ma", "2026-10-05T09:00:00+09:00", "   "),
    ("MA-5", "ma", "2026-10-06T09:00:00+09:00", None),
    ("MA-6", "ma", "2026-10-06T09:30:00+09:00", "bob@example.com"),
    ("SFA-2", "sfa", "2026-10-20T09:00:00+09:00", "BOB@example.com"),
]
EVENTS = [
    # lead_id, stage, entered_at                  person, Tokyo date
    ("MA-1", "lead", "2026-09-10T10:00:00+09:00"),  # alice 09-10 (first lead)
    ("SFA-1", "lead", "2026-10-02T10:00:00+09:00"),  # alice again: not counted
    ("MA-2", "lead", "2026-09-30T14:30:00Z"),  # MA-2 09-30 23:30
    ("MA-3", "lead", "2026-09-30T15:10:00Z"),  # MA-3 10-01 00:10
    ("MA-4", "lead", "2026-10-05T09:00:00+09:00"),  # MA-4 10-05
    ("MA-5", "lead", "2026-10-06T09:00:00+09:00"),  # MA-5 10-06
    ("MA-6", "lead", "2026-10-06T09:30:00+09:00"),  # bob 10-06
    ("SFA-2", "lead", "2026-10-20T09:00:00+09:00"),  # bob again: not counted
    ("MA-1", "mql", "2026-09-15T10:00:00+09:00"),  # alice 09-15
    ("MA-2", "mql", "2026-09-30T14:45:00Z"),  # MA-2 09-30 23:45
    ("MA-2", "mql", "2026-10-03T10:00:00+09:00"),  # MA-2 re-entered: not counted
    ("MA-6", "mql", "2026-10-07T10:00:00+09:00"),  # bob 10-07
    ("SFA-1", "sql", "2026-09-30T14:30:00Z"),  # alice 09-30 23:30
    ("MA-1", "sql", "2026-10-04T10:00:00+09:00"),  # alice on her other record: not counted
    ("SFA-2", "sql", "2026-10-21T10:00:00+09:00"),  # bob 10-21
    ("SFA-1", "opportunity", "2026-10-10T10:00:00+09:00"),  # alice 10-10
    ("SFA-2", "opportunity", "2026-10-25T10:00:00+09:00"),  # bob 10-25
    ("SFA-2", "won", "2026-10-31T14:00:00Z"),  # bob 10-31 23:00
    ("SFA-1", "won", "2026-10-31T15:30:00Z"),  # alice 11-01 00:30
]
OPPORTUNITIES = [
    # id, amount, closed_at, is_won                  Tokyo close date
    ("O1", 1_000_000, "2026-09-30T14:30:00Z", True),  # 09-30 23:30 -> September
    ("O2", 2_500_000.50, "2026-09-30T15:00:00Z", True),  # 10-01 00:00 -> October
    ("O3", 9_999_999, "2026-09-15T10:00:00+09:00", False),  # lost
    ("O4", 7_777_777, None, None),  # open
    ("O5", 5_000_000, "2026-10-10T10:00:00+09:00", False),  # lost
    ("O6", 300_000, "2026-10-31T14:00:00Z", True),  # 10-31 23:00 -> October
    ("O7", 123_456, "2026-10-31T15:30:00Z", True),  # 11-01 00:30 -> November
]
TARGETS = [
    # month, metric, value (company-wide)
    *[("2026-09-01", m, v) for m, v in [("lead", 300), ("mql", 60), ("sql", 30)]],
    *[("2026-09-01", m, v) for m, v in [("opportunity", 15), ("won", 6), ("revenue", 30e6)]],
    *[("2026-10-01", m, v) for m, v in [("lead", 310), ("mql", 62), ("opportunity", 31)]],
    *[("2026-10-01", m, v) for m, v in [("won", 10), ("revenue", 31e6)]],  # no sql target
    ("2026-07-01", "lead", 100),
    ("2026-08-01", "lead", 200),
]


def tiny_frames():
    leads = pd.DataFrame(LEADS, columns=["lead_id", "source_system", "created_at", "email"])
    leads["created_at"] = instants(leads["created_at"])
    events = pd.DataFrame(EVENTS, columns=["lead_id", "stage", "entered_at"])
    events["entered_at"] = instants(events["entered_at"])
    events["source_system"] = "test"
    opps = pd.DataFrame(OPPORTUNITIES, columns=["opportunity_id", "amount", "closed_at", "is_won"])
    opps["closed_at"] = instants(opps["closed_at"])
    opps["is_won"] = pd.array(opps["is_won"].tolist(), dtype="boolean")
    opps["created_at"] = instants(["2026-08-01T10:00:00+09:00"] * len(opps))
    opps["currency"] = "JPY"
    opps["stage"] = "x"
    opps["source_system"] = "test"
    targets = pd.DataFrame(TARGETS, columns=["month", "metric", "value"])
    targets["month"] = pd.to_datetime(targets["month"]).dt.date
    targets["segment_key"] = ""
    targets["segment_value"] = ""
    # a segment's target must never leak into the company's
    team = pd.DataFrame(
        [(dt.date(2026, 10, 1), "lead", "sales_team", "Team A", 99_999.0)],
        columns=["month", "metric", "segment_key", "segment_value", "value"],
    )
    return {
        "leads": leads,
        "stage_events": events,
        "opportunities": opps,
        "targets": pd.concat([targets, team], ignore_index=True),
    }


@pytest.fixture
def tiny(con):
    replace_tables(con, tiny_frames(), source="hand-made test funnel")
    summary = resolve_identities(con)
    assert summary == {"leads": 8, "persons": 6, "merged": 2}
    return con


def counts(con, start, end, timezone=TZ):
    """People entering each stage in ``[start, end)``, from the semantic layer."""
    frame = funnel(con, timezone=timezone).metric_frame(SAMPLE_STAGES, [span(start, end)])
    assert sorted(frame["metric"]) == sorted(SAMPLE_STAGES)
    return dict(zip(frame["metric"], frame["value"], strict=True))


SEP, OCT, NOV, DEC = (dt.date(2026, m, 1) for m in (9, 10, 11, 12))


# --- part 1: hand-made cases ---------------------------------------------------------------


def test_same_person_across_ma_and_sfa_is_counted_once(tiny):
    # leads in October: MA-3, MA-4, MA-5, bob (MA-6; his SFA-2 record is the same person);
    # alice's SFA-1 lead event in October is not her first.
    assert counts(tiny, OCT, NOV)["lead"] == 4
    assert counts(tiny, SEP, OCT)["lead"] == 2  # alice, MA-2


def test_identity_table_merges_on_trimmed_lower_cased_email(tiny):
    ids = dict(tiny.execute("SELECT lead_id, person_id FROM lead_identity").fetchall())
    assert ids["MA-1"] == ids["SFA-1"]
    assert ids["MA-6"] == ids["SFA-2"]
    no_email = ["MA-2", "MA-3", "MA-4", "MA-5"]
    assert len({ids[k] for k in no_email} | {ids["MA-1"], ids["MA-6"]}) == 6


def test_event_late_on_the_last_day_in_tokyo_belongs_to_that_month(tiny):
    # 2026-09-30 14:30 UTC is 23:30 in Tokyo: September. 15:10 UTC is October 1st in Tokyo.
    sep, oct_ = counts(tiny, SEP, OCT), counts(tiny, OCT, NOV)
    assert (sep["sql"], oct_["sql"]) == (1, 1)  # alice 09-30 23:30; bob 10-21
    assert (sep["mql"], oct_["mql"]) == (2, 1)  # alice, MA-2 at 23:45; bob
    assert counts(tiny, dt.date(2026, 9, 30), OCT) == {
        "lead": 1, "mql": 1, "sql": 1, "opportunity": 0, "won": 0
    }  # fmt: skip
    assert counts(tiny, OCT, dt.date(2026, 10, 2))["lead"] == 1  # MA-3 at 00:10


def test_dates_are_cut_in_the_time_zone_asked_for(tiny):
    # in UTC, MA-3's lead event (15:10 UTC on 09-30) is in September, and alice's won
    # (15:30 UTC on 10-31) is in October.
    assert counts(tiny, SEP, OCT, "UTC")["lead"] == 3
    assert counts(tiny, OCT, NOV, "UTC")["won"] == 2
    assert counts(tiny, OCT, NOV, TZ)["won"] == 1


def test_a_stage_entered_twice_counts_at_first_entry_only(tiny):
    # MA-2 became an MQL on 09-30 and again on 10-03; alice reached SQL on SFA-1 (09-30) and
    # on MA-1 (10-04).
    week = counts(tiny, dt.date(2026, 10, 1), dt.date(2026, 10, 7))  # bob: 10-07
    assert week["mql"] == 0
    assert week["sql"] == 0
    total = counts(tiny, dt.date(2020, 1, 1), dt.date(2030, 1, 1))
    assert total == {"lead": 6, "mql": 3, "sql": 2, "opportunity": 2, "won": 2}


def test_revenue_counts_won_deals_only_on_their_tokyo_close_date(tiny):
    def revenue(start, end, timezone=TZ):
        return funnel(tiny, timezone=timezone).value("revenue", span(start, end))

    assert revenue(SEP, OCT) == 1_000_000  # O1; O3 is lost
    assert revenue(OCT, NOV) == 2_800_000.50  # O2 + O6; O5 is lost, O4 open
    assert revenue(NOV, DEC) == 123_456  # O7
    assert revenue(dt.date(2020, 1, 1), dt.date(2030, 1, 1)) == 3_923_456.50
    assert revenue(SEP, OCT, "UTC") == 3_500_000.50  # O1 + O2 in UTC
    assert revenue(dt.date(2026, 10, 2), dt.date(2026, 10, 31)) == 0


def test_weekly_target_is_prorated_across_the_month_boundary(tiny):
    # week 2026-09-28 .. 10-04: 3 of September's 30 days, 4 of October's 31 days.
    got = period_targets(
        tiny,
        start=dt.date(2026, 9, 28),
        end=dt.date(2026, 10, 5),
        metrics=[*SAMPLE_STAGES, "revenue"],
    )
    assert got["lead"] == pytest.approx(300 * 3 / 30 + 310 * 4 / 31)  # 30 + 40 = 70
    assert got["lead"] == pytest.approx(70)
    assert got["mql"] == pytest.approx(14)  # 6 + 8
    assert got["opportunity"] == pytest.approx(5.5)  # 1.5 + 4
    assert got["won"] == pytest.approx(0.6 + 40 / 31)
    assert got["revenue"] == pytest.approx(7_000_000)  # 3,000,000 + 4,000,000
    assert got["sql"] is None  # October has no sql target


def test_month_quarter_and_segment_targets(tiny):
    def targets(start, end, segment=None):
        return period_targets(tiny, start=start, end=end, metrics=SAMPLE_STAGES, segment=segment)

    assert targets(OCT, NOV)["lead"] == pytest.approx(310)  # the segment row is ignored
    assert targets(dt.date(2026, 10, 5), dt.date(2026, 10, 12))["lead"] == pytest.approx(70)
    quarter = targets(dt.date(2026, 7, 1), OCT)
    assert quarter["lead"] == pytest.approx(600)  # 100 + 200 + 300
    assert quarter["mql"] is None  # July and August have none
    team = targets(OCT, NOV, segment=("sales_team", "Team A"))
    assert team["lead"] == pytest.approx(99_999)
    assert team["mql"] is None


def test_monthly_scorecard_by_hand(tiny):
    oct_ = period("2026-10", OCT, NOV)
    frame = scorecard(
        funnel(tiny),
        oct_,
        previous=previous_period(oct_, calendar=CAL),
        targets=Targets.from_store(tiny),
        calendar=CAL,
    )
    nan = math.nan
    assert_scorecard(
        frame,
        {   # actual, target, achievement, previous, change
            "lead": (4, 310, 4 / 310, 2, 1.0),
            "mql": (1, 62, 1 / 62, 2, -0.5),
            "sql": (1, nan, nan, 1, 0.0),  # no October target
            "opportunity": (2, 31, 2 / 31, 0, nan),  # previous zero
            "won": (1, 10, 0.1, 0, nan),
            "revenue": (2_800_000.50, 31e6, 2_800_000.50 / 31e6, 1_000_000, 1.8000005),
        },
    )  # fmt: skip
    assert list(frame["kind"]) == ["count"] * 5 + ["amount"]


def test_weekly_scorecard_across_the_month_boundary_by_hand(tiny):
    week = period("2026-W40", dt.date(2026, 9, 28), dt.date(2026, 10, 5))
    frame = scorecard(
        funnel(tiny),
        week,
        previous=previous_period(week, calendar=CAL),
        targets=Targets.from_store(tiny),
        calendar=CAL,
    )
    nan = math.nan
    # the week before (09-21 .. 09-27) has nothing, so every change is NaN
    assert_scorecard(
        frame,
        {
            "lead": (2, 70, 2 / 70, 0, nan),  # MA-2 09-30, MA-3 10-01
            "mql": (1, 14, 1 / 14, 0, nan),  # MA-2 09-30
            "sql": (1, nan, nan, 0, nan),  # alice 09-30; no October target
            "opportunity": (0, 5.5, 0.0, 0, nan),
            "won": (0, 0.6 + 40 / 31, 0.0, 0, nan),
            "revenue": (3_500_000.50, 7e6, 0.5000000714285714, 0, nan),  # O1 + O2
        },
    )


def test_quarterly_scorecard_with_partial_targets_by_hand(tiny):
    quarter = parse_period("FY2026-Q2", calendar=CAL)
    frame = scorecard(
        funnel(tiny, keys=["lead", "mql", "won"]),
        quarter,
        previous=previous_period(quarter, calendar=CAL),
        targets=Targets.from_store(tiny),
        calendar=CAL,
    )
    nan = math.nan
    assert_scorecard(
        frame,
        {
            "lead": (2, 600, 2 / 600, 0, nan),
            "mql": (2, nan, nan, 0, nan),  # July, August have no mql target
            "won": (0, nan, nan, 0, nan),
            "revenue": (1_000_000, nan, nan, 0, nan),
        },
    )


def test_email_padding_with_tabs_and_line_breaks_is_trimmed(con):
    # Real exports pad cells with tabs or a stray carriage return; "trimmed" means all of
    # these, not only spaces.
    leads = pd.DataFrame(
        {
            "lead_id": ["MA-1", "SFA-1", "SFA-2"],
            "source_system": ["ma", "sfa", "sfa"],
            "created_at": instants(["2026-10-01T10:00:00+09:00"] * 3),
            "email": ["carol@example.com", "\tCarol@example.com", "carol@example.com\r\n"],
        }
    )
    replace_tables(con, {"leads": leads}, source="test")
    assert resolve_identities(con)["persons"] == 1


# --- part 2: the sample company, re-derived with pandas ------------------------------------

CUTOFF = cutoff_of(DEMO, timezone=TZ)


def expected_target(inputs, p, metric):
    """Day by day: the month's target spread evenly over the month's days."""
    monthly = inputs[2]
    total, day = 0.0, p.start
    while day < p.end:
        value = monthly.get((day.replace(day=1), metric))
        if value is None:
            return math.nan
        total += value / calendar.monthrange(day.year, day.month)[1]
        day += dt.timedelta(days=1)
    return total


def demo_periods():
    return [last_complete_period(c, DEMO, calendar=CAL) for c in ("weekly", "monthly", "quarterly")]


def test_demo_periods_are_the_documented_ones():
    week, month, quarter = demo_periods()
    assert (week.label, week.start, week.end) == ("2026-W47", dt.date(2026, 11, 16), DEMO)
    assert (month.label, month.start, month.end) == ("2026-10", OCT, NOV)
    assert (quarter.label, quarter.start, quarter.end) == ("FY2026-Q2", dt.date(2026, 7, 1), OCT)


def test_the_shipped_mql_stage_is_the_score_rule(definitions):
    # guards stage_hits above: the pandas check follows the shipped definitions
    mql = definitions.stage("mql")
    assert (mql.kind, mql.rule, mql.at) == ("rule", "score >= 60", "first_held")
    assert [s.kind for s in definitions.stages] == ["event", "rule", "event", "event", "event"]


OTHER_PERIODS = [
    "2024-04",  # first month: the month before has no data
    "2024-08",
    "2024-12",
    "2025-05",  # Golden Week
    "2025-09",
    "2026-01",
    "2026-03",
    "2026-09",
    "2026-11",  # the last, partial month
    "2024-W18",  # Golden Week 2024, across April/May
    "2025-W40",  # 2025-09-29 .. 10-05, across a month boundary
    "2025-W52",
    "FY2024-Q1",
    "FY2025-Q4",
]


@pytest.mark.parametrize("label", ["demo-weekly", "demo-monthly", "demo-quarterly", *OTHER_PERIODS])
def test_sample_scorecard_matches_pandas(
    label, sample_funnel, sample_targets, sample_workspace, definitions, expected_inputs
):
    if label.startswith("demo-"):
        index = ["demo-weekly", "demo-monthly", "demo-quarterly"].index(label)
        p = demo_periods()[index]
    else:
        p = parse_period(label, calendar=CAL)
    prev = previous_period(p, calendar=CAL)
    assert sample_workspace.config.timezone == TZ
    frame = scorecard(sample_funnel, p, previous=prev, targets=sample_targets, calendar=CAL)

    stages = definitions.stage_keys
    now = expected_actuals(expected_inputs, p, stages)
    before = expected_actuals(expected_inputs, prev, stages)
    assert list(frame["metric"]) == [*stages, "revenue"]
    assert now["lead"] > 0
    for metric in [*stages, "revenue"]:
        got = row(frame, metric)
        where = f"{p.label} {metric}"
        if metric == "revenue":
            assert abs(got["actual"] - now[metric]) <= 1, where
            assert abs(got["previous"] - before[metric]) <= 1, where
            rel = 1e-6
        else:
            assert got["actual"] == now[metric], where
            assert got["previous"] == before[metric], where
            rel = 1e-9
        target = expected_target(expected_inputs, p, metric)
        assert same(float(got["target"]), target), f"{where} target {got['target']} != {target}"
        achievement = ratio(now[metric], target)
        assert same(float(got["achievement"]), achievement, rel), f"{where} achievement"
        change = ratio(now[metric], before[metric]) - 1
        assert same(float(got["change"]), change, rel), f"{where} change"


def test_sample_targets_exist_for_the_checked_periods(expected_inputs):
    # guards the comparison above against vacuous NaN == NaN matches
    for p in demo_periods():
        for metric in [*SAMPLE_STAGES, "revenue"]:
            assert expected_target(expected_inputs, p, metric) > 0, (p.label, metric)


def test_sample_targets_come_from_the_workspace_file(sample_targets, sample_workspace):
    assert sample_targets.source == str(sample_workspace.params_dir / "targets.yml")


def test_sample_first_month_has_no_previous(sample_funnel, sample_targets):
    p = parse_period("2024-04", calendar=CAL)
    frame = scorecard(
        sample_funnel,
        p,
        previous=previous_period(p, calendar=CAL),
        targets=sample_targets,
        calendar=CAL,
    )
    assert (frame["previous"] == 0).all()
    assert frame["change"].isna().all()
    assert row(frame, "lead")["actual"] > 0
