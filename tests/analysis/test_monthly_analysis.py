"""The monthly review's analyses on tiny hand-made stores, with answers worked out by hand.

Part 1 is a store of a few dozen people whose every stage entry is written out below: the rate
and count splits of :mod:`reviewkit.analysis.splits`, the KGI gap of :mod:`reviewkit.analysis.gap`
and the content ranking of :mod:`reviewkit.analysis.content` are checked against counts done by
hand.

Part 2 generates populations of several hundred MQLs a month in which exactly one thing
changes (a new content asset, a sales team, a channel x company size pair), and checks that
:func:`reviewkit.analysis.causes.driver_findings` blames that and only that; and that a population
in which nothing changes yields no finding at all.

The review month is October 2026, compared with September 2026. Times written
``"2026-10-05 10:00"`` are Tokyo time.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math

import numpy as np
import pandas as pd
import pytest
from builders import (
    CAL,
    JST,
    OCT,
    SEP,
    STAGES,
    TZ,
    at,
    event_definitions,
    tiny_definitions,
    tiny_funnel,
    tiny_store,
    write_store,
)

from reviewkit.analysis.causes import driver_findings, rank_findings
from reviewkit.analysis.content import CONTENT_COLUMNS, content_ranking
from reviewkit.analysis.gap import COMPARISONS, gap_attribution, kgi_figures
from reviewkit.analysis.proposals import PROPOSAL_COLUMNS, proposals
from reviewkit.analysis.splits import (
    count_split,
    horizon_of,
    key_values,
    people_in,
    period_people,
    rate_split,
    segment_key,
)
from reviewkit.core.periods import parse_period
from reviewkit.model.definitions import Definitions
from reviewkit.semantic.funnel import Funnel

# --- part 1: a store written out by hand ------------------------------------------------------


@pytest.fixture
def tiny(con):
    return tiny_store(con)


def by_segment(frame: pd.DataFrame) -> dict[tuple[str | None, ...], tuple[float, ...]]:
    """{segment values: (before numerator, before denominator, numerator, denominator)}."""
    return {
        key_values(r["segment"]): (
            r["before_numerator"], r["before_denominator"], r["numerator"], r["denominator"],
        )
        for r in frame.to_dict("records")
    }  # fmt: skip


# --- rate and count splits --------------------------------------------------------------------

# Per channel: (SQLs, MQLs) in September, then (SQLs, MQLs) in October.
PERIOD_BASIS = {
    # SQLs entered in the month / MQLs entered in the month, whoever the SQLs are:
    #   paid search: Sep SQLs P5, P1, P2 of MQLs P1-P4; Oct SQLs Q1, Q2 of MQLs Q1-Q3.
    #   webinar: Sep SQL W1 of MQLs W1, W2; Oct SQL W2 (an MQL of September) of V1, V2.
    #   referral: Sep 2 of 2; Oct 3 of 3. No channel: N1 in October, no SQL.
    ("paid_search",): (3, 4, 2, 3),
    ("webinar",): (1, 2, 1, 2),
    ("referral",): (2, 2, 3, 3),
    (None,): (0, 0, 0, 1),
}
EQUAL_AGE = {
    # MQLs of the month that became SQLs within 10 days (the age of October at the cut-off):
    #   paid search: Sep P1 only (P2 took 17 days); Oct Q1 only (Q2 took 20 days).
    #   webinar: Sep W1 (2 days), W2 (5 days); Oct V1 (8 days; V2 after the cut-off).
    ("paid_search",): (1, 4, 1, 3),
    ("webinar",): (2, 2, 1, 2),
    ("referral",): (2, 2, 3, 3),
    (None,): (0, 0, 0, 1),
}


def test_rate_split_on_the_period_basis(tiny):
    people = period_people(tiny_funnel(tiny), OCT, baseline=SEP)
    split = rate_split(people, source="mql", target="sql", dims=("channel",), horizon=None)
    assert by_segment(split) == PERIOD_BASIS
    # the parts add up to the change of the whole rate: 6/9 - 6/8
    assert split["total"].sum() == pytest.approx(6 / 9 - 6 / 8)
    assert split["people"].sum() == pytest.approx((6 / 9 - 6 / 8) * 9)


def test_rate_split_at_equal_age_leaves_out_later_conversions(tiny):
    people = period_people(tiny_funnel(tiny), OCT, baseline=SEP)
    horizon = horizon_of(people, dt.timedelta(days=90))
    assert horizon == dt.timedelta(days=10)
    split = rate_split(people, source="mql", target="sql", dims=("channel",), horizon=horizon)
    assert by_segment(split) == EQUAL_AGE
    assert split["total"].sum() == pytest.approx(5 / 9 - 5 / 8)
    # A shorter horizon: W2 (5 days) and Q1 (7 days) no longer count.
    short = rate_split(
        people, source="mql", target="sql", dims=("channel",), horizon=dt.timedelta(days=4)
    )
    got = by_segment(short)
    assert got[("paid_search",)] == (1, 4, 0, 3)
    assert got[("webinar",)] == (1, 2, 0, 2)


@pytest.mark.parametrize("horizon", [None, dt.timedelta(days=10)], ids=["period", "cohort"])
def test_rate_split_leaves_excluded_people_out_of_both_periods(tiny, horizon):
    people = period_people(tiny_funnel(tiny), OCT, baseline=SEP)
    # W2: an MQL of September who qualified in October (in both periods' rows);
    # X1: an MQL and SQL of October.
    assert "W2" in set(people.before["person_id"]) and "W2" in set(people.now["person_id"])
    kept = rate_split(
        people, source="mql", target="sql", dims=("channel",), horizon=horizon,
        exclude={"W2", "X1"},
    )  # fmt: skip
    got = by_segment(kept)
    if horizon is None:
        # webinar: Sep W1 of W1 -> 1/1; Oct W2's SQL gone -> 0 of V1, V2
        assert got[("webinar",)] == (1, 1, 0, 2)
    else:
        assert got[("webinar",)] == (1, 1, 1, 2)
    assert got[("referral",)] == (2, 2, 2, 2)
    assert (
        got[("paid_search",)] == (PERIOD_BASIS if horizon is None else EQUAL_AGE)[("paid_search",)]
    )
    # excluding nobody changes nothing
    again = rate_split(people, source="mql", target="sql", dims=("channel",), horizon=horizon,
                       exclude=set())  # fmt: skip
    assert by_segment(again) == (PERIOD_BASIS if horizon is None else EQUAL_AGE)


MATCHED = {
    # MQLs of the month that became SQLs by the cut-off, within the 90-day window; each
    # September MQL read at the age of October's MQL of the same day (30 days on):
    #   paid search: Sep P1 (2 days) and P2 (17 days: read at 38 days, as an October 3 MQL
    #   would be); Oct Q1 (7 days) and Q2 (20 days, known at 37 days).
    #   webinar: Sep W1, W2 (5 days: read at 13 days, as an October 28 MQL); Oct V1 (8 days);
    #   V2's SQL came after the cut-off.
    ("paid_search",): (2, 4, 2, 3),
    ("webinar",): (2, 2, 1, 2),
    ("referral",): (2, 2, 3, 3),
    (None,): (0, 0, 0, 1),
}


def test_rate_split_at_the_matched_age_uses_every_known_outcome(tiny):
    people = period_people(tiny_funnel(tiny), OCT, baseline=SEP)
    split = rate_split(people, source="mql", target="sql", dims=("channel",),
                       window=dt.timedelta(days=90))  # fmt: skip
    assert by_segment(split) == MATCHED
    assert split["total"].sum() == pytest.approx(6 / 9 - 6 / 8)
    # A 7-day window: Q1 took exactly 7 days (within excludes its end), Q2, V1 and P2 longer.
    week = rate_split(people, source="mql", target="sql", dims=("channel",),
                      window=dt.timedelta(days=7))  # fmt: skip
    got = by_segment(week)
    assert got[("paid_search",)] == (1, 4, 0, 3)
    assert got[("webinar",)] == (2, 2, 0, 2)
    with pytest.raises(ValueError, match="not both"):
        rate_split(people, source="mql", target="sql", dims=("channel",),
                   horizon=dt.timedelta(days=3), window=dt.timedelta(days=7))  # fmt: skip


def test_a_baseline_entrant_is_read_at_its_matched_age_not_its_own(con):
    # One September MQL on the 28th converts 20 days later (October 18): known long before the
    # cut-off, but the October MQL of the same day (October 28) has had 14 days: the September
    # one is read at 14 days and has not converted by then. Another, on September 2, converts
    # 20 days later: its October match (October 2) has had 40 days, so it counts.
    leads = [{"lead_id": k, "channel": "web"} for k in ("LATE", "EARLY", "NOW")]
    events = [
        ("LATE", "mql", at("2026-09-28 10:00")), ("LATE", "sql", at("2026-10-18 10:00")),
        ("EARLY", "mql", at("2026-09-02 10:00")), ("EARLY", "sql", at("2026-09-22 10:00")),
        ("NOW", "mql", at("2026-10-05 10:00")),
    ]  # fmt: skip
    write_store(con, leads, events)
    people = period_people(tiny_funnel(con), OCT, baseline=SEP)
    split = rate_split(people, source="mql", target="sql", dims=("channel",),
                       window=dt.timedelta(days=90))  # fmt: skip
    assert by_segment(split) == {("web",): (1, 2, 0, 1)}


def test_a_longer_baseline_reads_its_unmatched_days_as_the_periods_last(con):
    # February 2026 (28 days) against January (31 days), reviewed on March 10: February's last
    # MQLs have had 9 days. January 31 has no February match (shifted 31 days it would be
    # March 3, only 7 days before the review); it is read at 9 days, as February 28 is, so
    # its SQL after 8 days counts.
    leads = [{"lead_id": k, "channel": "web"} for k in ("JAN31", "FEB")]
    events = [
        ("JAN31", "mql", at("2026-01-31 00:00")), ("JAN31", "sql", at("2026-02-08 00:00")),
        ("FEB", "mql", at("2026-02-10 10:00")),
    ]  # fmt: skip
    write_store(con, leads, events)
    feb, jan = parse_period("2026-02", calendar=CAL), parse_period("2026-01", calendar=CAL)
    f = Funnel(con, tiny_definitions(), timezone=TZ, cutoff=dt.datetime(2026, 3, 10, tzinfo=JST))
    people = period_people(f, feb, baseline=jan)
    assert people.age == dt.timedelta(days=9)
    split = rate_split(people, source="mql", target="sql", dims=("channel",),
                       window=dt.timedelta(days=30))  # fmt: skip
    assert by_segment(split) == {("web",): (1, 1, 0, 1)}


# person, channel, close day, won: deals closed won or lost in September and October
DEALS = [
    ("C1", "paid_search", "2026-09-10", True), ("C2", "paid_search", "2026-09-12", False),
    ("C4", "referral", "2026-09-15", True), ("C5", "referral", "2026-09-20", False),
    ("C3", "paid_search", "2026-10-05", False), ("C7", "paid_search", "2026-10-09", False),
    ("C6", "referral", "2026-10-12", True), ("C8", "referral", "2026-10-20", True),
    ("C9", "referral", "2026-11-20", True),  # after the cut-off: unknown at the review
]  # fmt: skip


def closed_store(con):
    leads = [{"lead_id": k, "channel": ch} for k, ch, _, _ in DEALS]
    events = [(k, "mql", at("2026-08-01 10:00")) for k, *_ in DEALS]
    events += [(k, "won", at(f"{day} 10:00")) for k, _, day, won in DEALS if won]
    opportunities = [
        (f"OP-{k}", k, 1_000_000, "2026-08-05 10:00", f"{day} 10:00", won)
        for k, _, day, won in DEALS
    ]
    return write_store(con, leads, events, opportunities=opportunities)


def test_a_rate_into_the_last_stage_is_read_on_the_deals_closed(con):
    from reviewkit.analysis.rate_basis import closed_split, rate_basis, split_rate

    people = period_people(tiny_funnel(closed_store(con)), OCT, baseline=SEP)
    split = closed_split(people, dims=("channel",))
    # won / closed: September paid search 1 of 2, referral 1 of 2; October 0 of 2, 2 of 2
    assert by_segment(split) == {("paid_search",): (1, 2, 0, 2), ("referral",): (1, 2, 2, 2)}
    assert split["total"].sum() == pytest.approx(2 / 4 - 2 / 4)
    d = tiny_definitions()
    basis = rate_basis(people, d.metric("sql_to_won"), definitions=d)
    assert basis.kind == "closed"
    assert by_segment(split_rate(people, basis, dims=("channel",))) == by_segment(split)
    assert rate_basis(people, d.metric("mql_to_sql"), definitions=d).kind == "cohort"
    # the people whose deals closed belong to their segment (to be left out with a finding)
    assert {"C1", "C2", "C3", "C7"} <= people_in(people, ("channel",), "paid_search")
    # leaving C3 out leaves paid search's October with C7 only
    fewer = closed_split(people, dims=("channel",), exclude={"C3"})
    assert by_segment(fewer)[("paid_search",)] == (1, 2, 0, 1)


def test_without_lost_deals_a_win_rate_is_a_cohort(tiny):
    from reviewkit.analysis.rate_basis import has_closed_deals, rate_basis

    people = period_people(tiny_funnel(tiny), OCT, baseline=SEP)  # every deal of TINY was won
    assert not has_closed_deals(people)
    d = tiny_definitions()
    assert rate_basis(people, d.metric("sql_to_won"), definitions=d).kind == "cohort"


def test_rate_split_by_a_pair_of_columns(tiny):
    people = period_people(tiny_funnel(tiny), OCT, baseline=SEP)
    split = rate_split(
        people, source="mql", target="sql", dims=("channel", "content_asset"), horizon=None
    )
    got = by_segment(split)
    assert got[("paid_search", "wp-a")] == PERIOD_BASIS[("paid_search",)]
    assert got[(None, None)] == (0, 0, 0, 1)


@pytest.mark.parametrize(
    ("stage", "before", "now"),
    [
        # MQLs: Sep P1-P4, W1, W2, R1, R2 (8); Oct Q1-Q3, V1, V2, S1, S2, X1, N1 (9)
        ("mql", {"paid_search": 4, "webinar": 2, "referral": 2},
         {"paid_search": 3, "webinar": 2, "referral": 3, None: 1}),
        # SQLs: Sep P5, P1, P2, W1, R1, R2 (6); Oct W2, Q1, Q2, S1, S2, X1 (6)
        ("sql", {"paid_search": 3, "webinar": 1, "referral": 2},
         {"paid_search": 2, "webinar": 1, "referral": 3}),
        # wins: Sep R1; Oct S1, S2 (X1 won in November)
        ("won", {"referral": 1}, {"referral": 2}),
    ],
)  # fmt: skip
def test_count_split_changes_add_up_to_the_total_change(tiny, stage, before, now):
    people = period_people(tiny_funnel(tiny), OCT, baseline=SEP)
    split = count_split(people, stage=stage, dims=("channel",))
    got = {key_values(r["segment"])[0]: (r["before"], r["now"]) for r in split.to_dict("records")}
    channels = set(before) | set(now)
    assert got == {c: (before.get(c, 0), now.get(c, 0)) for c in channels}
    assert split["change"].sum() == sum(now.values()) - sum(before.values())
    assert list(split["change"]) == sorted(split["change"])  # largest loss first
    # leaving out R1 (September) and S1 (October), each an MQL, SQL and win of its month
    fewer = count_split(people, stage=stage, dims=("channel",), exclude={"R1", "S1"})
    assert fewer["before"].sum() + fewer["now"].sum() == (
        split["before"].sum() + split["now"].sum() - 2
    )


# --- the age of a period ----------------------------------------------------------------------


def test_period_people_age_and_horizon(tiny):
    people = period_people(tiny_funnel(tiny), OCT, baseline=SEP)
    assert people.age == dt.timedelta(days=10)
    assert horizon_of(people, dt.timedelta(days=90)) == dt.timedelta(days=10)
    assert horizon_of(people, dt.timedelta(days=7)) == dt.timedelta(days=7)
    # The baseline is read as far past its end as the period has had (10 days, and the day
    # the cut-off falls on): W2's SQL of 10-03 is there, Q2's of 10-25 is not.
    assert max(people.before["day"]) < dt.date(2026, 10, 12)
    assert "W2" in set(people.before.loc[people.before["stage"] == "sql", "person_id"])
    assert "Q2" not in set(people.before.loc[people.before["stage"] == "sql", "person_id"])
    # Entries at or after the cut-off are unknown: V2's SQL of 11-12.
    assert "V2" not in set(people.now.loc[people.now["stage"] == "sql", "person_id"])
    assert people.now["in_period"].sum() == len(people.now[people.now["day"] < OCT.end])


@pytest.mark.parametrize(
    ("cutoff", "age"),
    [
        (dt.datetime(2026, 11, 1, 12, tzinfo=JST), dt.timedelta(hours=12)),
        (dt.datetime(2026, 11, 1, tzinfo=JST), dt.timedelta(0)),
        (dt.datetime(2026, 10, 20, tzinfo=JST), dt.timedelta(0)),  # before the period ended
    ],
)
def test_a_period_younger_than_a_day_is_read_on_the_period_basis(tiny, cutoff, age):
    people = period_people(tiny_funnel(tiny, cutoff), OCT, baseline=SEP)
    assert people.age == age
    assert horizon_of(people, dt.timedelta(days=90)) is None


# --- the KGI gap -------------------------------------------------------------------------------


class Plan:
    """Targets for October 2026 only."""

    def __init__(self, values: dict[str, float]) -> None:
        self.values = values

    def for_period(self, metric, start, end, *, segment=None, day_weights=None):
        if (start, end) != (OCT.start, OCT.end) or segment is not None:
            return None
        return self.values.get(metric)


TARGET = {"lead": 12.0, "mql": 10.0, "sql": 8.0, "won": 4.0, "revenue": 10_000_000.0}


def test_kgi_figures_and_gap_attribution(tiny):
    f = tiny_funnel(tiny)
    figures = kgi_figures(f, OCT, calendar=CAL, targets=Plan(TARGET))
    # October: 9 leads and MQLs, 6 SQLs, S1 and S2 won (3 + 1 million; X1 in November).
    assert figures["actual"] == {"lead": 9, "mql": 9, "sql": 6, "won": 2, "revenue": 4_000_000}
    # September: 8 leads and MQLs, 6 SQLs (P5's lead was in August), R1 won.
    assert figures["previous"] == {"lead": 8, "mql": 8, "sql": 6, "won": 1, "revenue": 2_000_000}
    # October 2025: L1-L3, two SQLs, L1 won.
    assert figures["last_year"] == {"lead": 3, "mql": 3, "sql": 2, "won": 1, "revenue": 5_000_000}
    assert figures["target"] == TARGET

    gap = gap_attribution(figures, funnel=f)
    assert list(dict.fromkeys(gap["comparison"])) == list(COMPARISONS)
    for name in COMPARISONS:
        rows = gap[gap["comparison"] == name]
        reference = figures[name]["revenue"]
        assert set(rows["reference"]) == {reference}
        assert set(rows["actual"]) == {4_000_000}
        assert list(rows["gap"]) == pytest.approx([4_000_000 - reference] * len(rows))
        assert math.fsum(rows["contribution"]) == pytest.approx(4_000_000 - reference)
        assert list(rows["driver"]) == [
            "lead", "lead_to_mql", "mql_to_sql", "sql_to_won", "average_deal_size", "residual",
        ]  # fmt: skip
    target = gap[gap["comparison"] == "target"].set_index("driver")
    assert target.loc["lead", "before"] == 12 and target.loc["lead", "after"] == 9
    assert target.loc["average_deal_size", "before"] == pytest.approx(2_500_000)
    assert target.loc["average_deal_size", "after"] == pytest.approx(2_000_000)
    assert target.loc["residual", "contribution"] == pytest.approx(0, abs=1e-6)


def test_without_a_target_for_every_stage_there_is_no_target_comparison(tiny):
    f = tiny_funnel(tiny)
    partial = {k: v for k, v in TARGET.items() if k != "sql"}
    figures = kgi_figures(f, OCT, calendar=CAL, targets=Plan(partial))
    assert "target" not in figures
    gap = gap_attribution(figures, funnel=f)
    assert set(gap["comparison"]) == {"previous", "last_year"}
    assert "target" not in kgi_figures(f, OCT, calendar=CAL, targets=None)


# --- content ranking ---------------------------------------------------------------------------


def test_content_ranking(tiny):
    f = tiny_funnel(tiny)
    people = period_people(f, OCT, baseline=SEP)
    ranking, days = content_ranking(people, f)
    assert days == 90  # the matched age: each lead read at up to the 90-day window
    assert list(ranking.columns) == CONTENT_COLUMNS
    # October's leads and those that reached SQL by the cut-off (each has had less than the
    # 90-day window): wp-a Q1 (7 days) and Q2 (20 days) of Q1-Q3; wb-1 V1 (8 days) of V1, V2
    # (V2's SQL is after the cut-off); wp-b S1, S2, X1 of 3; no asset: N1, not reached.
    # Everyone's rate: 6 / 9 (the unknown asset included).
    whole = 6 / 9
    expected = {
        # asset: leads, reached, leads before, rate before, spend
        #   spend: wp-a C1 310,000 + C4 600,000 x 12/30; wp-b C2 300,000 x 15/30; wb-1 C3 ended
        #   in September. September, each lead at the age of October's lead of the same day:
        #   wp-a P1 (2 days) and P2 (17 days, read at 38 days) of P1-P4; wb-1 W1 and W2 (5 days,
        #   read at 13 days, as an October 28 lead); wp-b R1, R2.
        "wp-a": (3, 2, 4, 0.5, 310_000 + 240_000),
        "wb-1": (2, 1, 2, 1.0, 0.0),
        "wp-b": (3, 3, 2, 1.0, 150_000),
    }
    assert list(ranking["segment"]) == ["wb-1", "wp-a", "wp-b"]  # shortfall, largest first
    for r in ranking.to_dict("records"):
        leads, reached, leads_before, rate_before, spend = expected[r["segment"]]
        assert r["leads"] == leads and r["reached"] == reached
        assert r["rate"] == pytest.approx(reached / leads)
        assert r["leads_before"] == leads_before
        assert r["rate_before"] == pytest.approx(rate_before)
        assert r["shortfall"] == pytest.approx(leads * whole - reached)
        assert r["spend"] == pytest.approx(spend)
        assert r["cost_per_reached"] == pytest.approx(spend / reached)
    assert list(ranking["shortfall"]) == sorted(ranking["shortfall"], reverse=True)
    top, _ = content_ranking(people, f, top=1)
    assert list(top["segment"]) == ["wb-1"]
    # without campaign costs, spend is unknown (NaN), never 0
    free, _ = content_ranking(people, f, costs=False)
    assert free["spend"].isna().all() and free["cost_per_reached"].isna().all()


# --- part 2: generated populations --------------------------------------------------------------

# Every combination of these values is one MQL a month, twice (the last digit: whether it
# becomes an SQL, the next day): 4 x 3 x 3 x 2 x 2 x 3 x 2 = 864 MQLs a month at 50 %.
# Each region has its own sales team, so a team and its region are the same people.
CHANNELS = ("paid_search", "display", "content_seo", "referral")
SIZES = ("small", "mid", "large")
REGIONS = {"kanto": "Team A", "kansai": "Team B", "kyushu": "Team C"}
PERSONAS = ("executive", "staff")
INDUSTRIES = ("manufacturing", "retail")
ASSETS = ("wp-a", "wp-b", "cs-c")
GRID = list(itertools.product(CHANNELS, SIZES, REGIONS, PERSONAS, INDUSTRIES, ASSETS, (1, 0)))


def population(con, *, extra=(), changed=None, converts=None, present=None):
    """Write September and October 2026: the grid each month, and ``extra`` October people.

    ``changed(person)`` may say whether an October person becomes an SQL (``None``: as in
    September); ``converts(month, i, person)`` decides it for everyone; ``present(month, i,
    person)`` whether the person is there at all.
    """
    leads, events = [], []
    for month, start in (("sep", dt.date(2026, 9, 1)), ("oct", dt.date(2026, 10, 1))):
        rows = list(GRID) + (list(extra) if month == "oct" else [])
        for i, row in enumerate(rows):
            channel, size, region, persona, industry, asset, sql = row
            person = {
                "lead_id": f"{month}-{i}", "channel": channel, "company_size": size,
                "region": region, "sales_team": REGIONS[region], "persona": persona,
                "industry": industry, "content_asset": asset,
            }  # fmt: skip
            if present is not None and not present(month, i, person):
                continue
            if month == "oct" and changed is not None and changed(person) is not None:
                sql = changed(person)
            if converts is not None:
                sql = converts(month, i, person)
            day = start + dt.timedelta(days=i % 28)
            mql = pd.Timestamp(dt.datetime.combine(day, dt.time(10), tzinfo=JST))
            leads.append(person)
            events += [(person["lead_id"], "lead", mql - pd.Timedelta(hours=1))]
            events += [(person["lead_id"], "mql", mql)]
            if sql:
                events.append((person["lead_id"], "sql", mql + pd.Timedelta(days=1)))
    write_store(con, leads, events)
    return period_people(tiny_funnel(con), OCT, baseline=SEP)


def findings_of(people, driver="mql_to_sql", settings=None):
    return driver_findings(
        people, driver, definitions=tiny_definitions(), yen_per_person=1.0, settings=settings
    )


def names(frame: pd.DataFrame) -> list[tuple[tuple[str, ...], tuple[str | None, ...]]]:
    return [(tuple(r["dims"]), tuple(r["values"])) for r in frame.to_dict("records")]


# October's new white paper: 108 MQLs, all from content/SEO, spread evenly over the other
# columns; none becomes an SQL.
NEW_ASSET = [
    ("content_seo", s, r, p, i, "wp-new", 0)
    for s, r, p, i in itertools.product(SIZES, REGIONS, PERSONAS, INDUSTRIES)
] * 3


def team_c_collapsed(person):
    return 0 if person["sales_team"] == "Team C" else None


def test_a_new_asset_that_does_not_convert_is_the_content_finding(con):
    # Everyone else converts exactly as in September.
    people = population(con, extra=NEW_ASSET)
    found = findings_of(people)
    content = found[found["family"] == "content"]
    assert names(content)[:1] == [(("content_asset",), ("wp-new",))]
    top = content.iloc[0]
    assert (top["size_before"], top["size"], top["rate"]) == (0, 108, 0)
    # Everyone: 432 of 864 (50 %) -> 432 of 972 (44.4 %), a midpoint of 17/36. The asset is
    # new: all its part is mix, 1/9 of the weight x (0 - 17/36) x 972 people = -51 SQLs. Its
    # score adds back its share of everyone's fall: (1/18) x (1/18) x 972 = 3 -> -48.
    assert top["people"] == pytest.approx(-51)
    assert top["score"] == pytest.approx(-48)
    # Content/SEO fell only because of the asset: no target finding blames that channel.
    target = found[found["family"] == "target"]
    for dims, values in names(target):
        assert "content_seo" not in values, (dims, values)
    assert found[found["family"] == "follow_up"].empty
    assert names(found) == [(("content_asset",), ("wp-new",))]


def test_a_team_whose_rate_collapsed_is_the_follow_up_finding(con):
    # Team C (all of Kyushu) converts nobody in October; everything else is as in September.
    people = population(con, changed=team_c_collapsed)
    found = findings_of(people)
    follow_up = found[found["family"] == "follow_up"]
    assert names(follow_up)[:1] == [(("sales_team",), ("Team C",))]
    top = follow_up.iloc[0]
    assert (top["rate_before"], top["rate"]) == (0.5, 0.0)
    assert top["size"] == 288
    # 144 SQLs lost; everyone fell by 1/6, so beyond its share: (-1/2 + 1/6) x 1/3 x 864
    assert top["people"] == pytest.approx(-144)
    assert top["score"] == pytest.approx(-96)
    # The region that is the team is explained by it: not a target finding of its own.
    target = found[found["family"] == "target"]
    for dims, values in names(target):
        assert "kyushu" not in values, (dims, values)
    assert target.empty and found[found["family"] == "content"].empty


def test_a_channel_and_company_size_pair_that_collapsed_is_the_target_finding(con):
    # Paid search x small companies converts nobody in October (72 MQLs, 36 SQLs before).
    def changed(p):
        return 0 if (p["channel"], p["company_size"]) == ("paid_search", "small") else None

    people = population(con, changed=changed)
    found = findings_of(people)
    target = found[found["family"] == "target"]
    assert len(target) >= 1
    top = target.iloc[0]
    pair = (("channel", "company_size"), ("paid_search", "small"))
    if tuple(top["dims"]) == ("channel",):  # the channel, naming the pair it sits in
        assert top["values"] == ("paid_search",)
        assert top["within"] is not None and tuple(top["within"][0]) == pair[0]
        assert key_values(top["within"][1]) == pair[1]
    else:
        assert (tuple(top["dims"]), tuple(top["values"])) == pair
    # nothing else: the team, region and asset lost only their share
    assert found[found["family"] != "target"].empty
    assert len(target) == 1
    # Its people carry the whole change, 36 SQLs; everyone fell by 1/24, so beyond its
    # share: (-1/2 + 1/24) x 1/12 x 864 = -33.
    assert top["people"] == pytest.approx(-36)
    assert top["score"] == pytest.approx(-33)


def test_a_population_where_nothing_changed_has_no_findings(con):
    # Same 864 people in both months, and no conversion differs at all.
    people = population(con)
    for driver in ("lead", "lead_to_mql", "mql_to_sql"):
        assert findings_of(people, driver).empty, driver


SEEDS = range(10)


def test_noise_in_the_rates_alone_produces_no_findings(con):
    # Same people and the same 40 % chance of becoming an SQL in both months; only the draws
    # differ (ten seeds). No segment changed, so nothing is a finding.
    noisy = {}
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        draws = {m: rng.random(len(GRID)) < 0.4 for m in ("sep", "oct")}
        people = population(con, converts=lambda month, i, p, d=draws: bool(d[month][i]))
        found = findings_of(people)
        if len(found):
            noisy[seed] = names(found)
    assert not noisy, f"findings from noise alone (seed: findings): {noisy}"


def test_noise_in_the_volumes_alone_produces_no_findings(con):
    # Each person of the grid is there in a month with the same 90 % chance; only the draws
    # differ (ten seeds). No segment's volume changed beyond chance.
    noisy = {}
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        kept = {m: rng.random(len(GRID)) < 0.9 for m in ("sep", "oct")}
        people = population(con, present=lambda month, i, p, k=kept: bool(k[month][i]))
        found = findings_of(people, "lead")
        if len(found):
            noisy[seed] = names(found)
    assert not noisy, f"findings from noise alone (seed: findings): {noisy}"


def test_findings_list_what_they_explain_across_families(con):
    # The module doc: a candidate that keeps less than half its loss once a finding's people
    # are left out is listed under that finding. Content/SEO lost only through the new asset;
    # Kyushu is Team C.
    found = findings_of(population(con, extra=NEW_ASSET))
    asset = found[found["family"] == "content"].iloc[0]
    assert (("channel",), "content_seo") in asset["explains"], asset["explains"]
    found = findings_of(population(con, changed=team_c_collapsed))
    team = found[found["family"] == "follow_up"].iloc[0]
    assert (("region",), "kyushu") in team["explains"], team["explains"]


def test_a_volume_finding_becomes_a_proposal(con):
    # October lacks every lead of the case study cs-c: lead volume fell by 288, all of it cs-c.
    people = population(
        con, present=lambda month, i, p: month == "sep" or p["content_asset"] != "cs-c"
    )
    found = rank_findings([findings_of(people, "lead")])
    top = found[found["rank"] == 1]
    assert names(top) == [(("content_asset",), ("cs-c",))]
    made = proposals(found, definitions=tiny_definitions(), period=OCT, lang="en")
    assert list(made.columns) == PROPOSAL_COLUMNS
    assert len(made) == 1
    r = made.iloc[0]
    assert (r["family"], r["kpi"], r["owner"]) == ("content", "lead", "marketing")
    assert r["expected_people"] == pytest.approx(-top["score"].iloc[0])
    assert r["proposal_id"] == "2026-10-content-lead-cs-c"


def test_a_volume_finding_needs_the_volume_to_fall(con):
    # October lacks Kyushu's wp-a leads (96 people). Alone, lead volume falls by 96: a finding.
    def gone(month, i, p):
        return month == "sep" or (p["region"], p["content_asset"]) != ("kyushu", "wp-a")

    assert len(findings_of(population(con, present=gone), "lead")) > 0
    # With the new white paper's 108 leads, volume rose by 12: those 96 were made up for, and
    # what the shift cost shows in the rates' mix, not as a volume finding.
    assert findings_of(population(con, present=gone, extra=NEW_ASSET), "lead").empty


def test_a_finding_must_cost_the_floor(con):
    # paid search x small companies lost 33 people beyond its share (see above): a floor of
    # 33 keeps it, one of 34 (a bigger company's 1 % of its KGI) does not.
    def changed(p):
        return 0 if (p["channel"], p["company_size"]) == ("paid_search", "small") else None

    people = population(con, changed=changed)
    kept = driver_findings(people, "mql_to_sql", definitions=tiny_definitions(), yen_per_person=1.0,
                           floor=33.0)  # fmt: skip
    assert len(kept) == 1 and kept.iloc[0]["score"] == pytest.approx(-33)
    assert driver_findings(people, "mql_to_sql", definitions=tiny_definitions(), yen_per_person=1.0,
                           floor=34.0).empty  # fmt: skip


def count_definitions() -> Definitions:
    """The same funnel with a count KGI (deals won), as a company without amounts has."""
    return event_definitions(
        STAGES,
        kgi={"key": "won_count"},
        metrics=[{"key": "cost_per_lead", "type": "cost_per", "stage": "lead"}],
    )


def test_proposals_of_a_count_kgi_speak_in_counts(con):
    from reviewkit.present.sections.proposals import effect_text, proposals_html

    people = population(
        con, present=lambda month, i, p: month == "sep" or p["content_asset"] != "cs-c"
    )
    d = count_definitions()
    # 288 leads lost, 96 of them cs-c's share of the fall: 192 beyond it (as above); each
    # lead brings 0.02 deals won, so they are worth 3.84 deals
    found = rank_findings([driver_findings(people, "lead", definitions=d, yen_per_person=0.02)])
    made = proposals(found, definitions=d, period=OCT, lang="en")
    r = made.iloc[0]
    assert r["expected_people"] == pytest.approx(192)
    assert math.isnan(r["expected_yen"]) and r["expected_kgi"] == pytest.approx(192 * 0.02)
    assert r["expected_stage"] == "lead"
    text = effect_text(r.to_dict(), definitions=d, lang="en", currency="BRL")
    assert text == "x volume: +192 x/month (≈ +3.8 x)"
    html = proposals_html(made, definitions=d, period="Oct", baseline="Sep", lang="en",
                          currency="BRL").html  # fmt: skip
    assert "R$" not in html and "revenue" not in html
    # the last stage's own count needs no conversion
    last = {**r.to_dict(), "expected_stage": "won", "expected_unit": "Won"}
    assert effect_text(last, definitions=d, lang="en", currency="BRL") == (
        "x volume: +192 Won/month"
    )


def test_no_finding_no_proposal_in_one_line():
    from reviewkit.present.sections.proposals import proposals_html

    d = count_definitions()
    empty = proposals(rank_findings([]), definitions=d, period=OCT, lang="en")
    html = proposals_html(empty, definitions=d, period="Oct", baseline="Sep", lang="en",
                          currency="BRL")  # fmt: skip
    assert html.text == "No material finding, so no proposal."
    assert 'id="proposals"' in html.html and "<table" not in html.html


def test_segment_keys_round_trip():
    frame = pd.DataFrame({"a": ["x", None], "b": ["y", "z"]})
    keys = segment_key(frame, ("a", "b"))
    assert [key_values(k) for k in keys] == [("x", "y"), (None, "z")]
