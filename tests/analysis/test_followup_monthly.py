"""The monthly review's follow-up cause family: first touch by team, and stalled opportunities.

A tiny hand-made store; every expected number is worked out by hand in the comments. The
review month is October 2026, compared with September 2026; the data cut-off is the review
on 2026-11-01 00:00. Times written ``"2026-10-05 10:00"`` are Tokyo time.
"""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from builders import SLA, activities, at, mql_definitions

from reviewkit.analysis.followup_month import (
    STALLED_BY_TEAM_COLUMNS,
    TEAM_FOLLOW_UP_COLUMNS,
    stalled_by_team,
    stalled_opportunities,
    stalled_threshold,
    team_follow_up,
)
from reviewkit.core.periods import FiscalCalendar, parse_period
from reviewkit.errors import ParameterError
from reviewkit.i18n.texts import t
from reviewkit.ingest.identity import resolve_identities
from reviewkit.present.sections.followup_month import stalled_html, team_follow_up_html
from reviewkit.semantic.funnel import SEGMENT_COLUMNS, Funnel
from reviewkit.store.schema import replace_tables

TZ = "Asia/Tokyo"
JST = ZoneInfo(TZ)
CAL = FiscalCalendar(4)
OCT = parse_period("2026-10", calendar=CAL)
SEP = parse_period("2026-09", calendar=CAL)
CUTOFF = dt.datetime(2026, 11, 1, tzinfo=JST)
SPEED = {"key": "speed_to_lead", "type": "speed_to_lead", "from": "mql"}


# person, sales team, MQL at, (activity time, is_human) ...      hours to the first human touch
PEOPLE = [
    # Team A in October: 2 touched within 24 h, 1 late, 1 never (an automated e-mail only)
    ("A1", "Team A", "2026-10-05 10:00", [("2026-10-05 12:00", True), ("2026-11-05 10:00", True)]),
    ("A2", "Team A", "2026-10-06 10:00", [("2026-10-06 16:00", True)]),  # 6 h
    ("A3", "Team A", "2026-10-07 10:00", [("2026-10-08 22:00", True)]),  # 36 h: late
    ("A4", "Team A", "2026-10-08 10:00", [("2026-10-08 10:05", False)]),  # never
    # Team A in September: 3 in time, 1 late (30 h)
    ("SA1", "Team A", "2026-09-01 10:00", [("2026-09-01 11:00", True)]),  # 1 h
    ("SA2", "Team A", "2026-09-02 10:00", [("2026-09-02 13:00", True)]),  # 3 h
    ("SA3", "Team A", "2026-09-03 10:00", [("2026-09-03 15:00", True)]),  # 5 h
    ("SA4", "Team A", "2026-09-04 10:00", [("2026-09-05 16:00", True)]),  # 30 h: late
    # Team B in October: B1 in time; B2's 24 h end after the cut-off: not due
    ("B1", "Team B", "2026-10-10 10:00", [("2026-10-10 14:00", True)]),  # 4 h
    ("B2", "Team B", "2026-10-31 23:00", [("2026-10-31 23:30", True)]),  # 0.5 h
    ("SB1", "Team B", "2026-09-10 10:00", [("2026-09-12 10:00", True)]),  # 48 h: late
    # no team in October: N1 never touched; N2 touched only after the cut-off
    ("N1", None, "2026-10-20 10:00", []),
    ("N2", None, "2026-10-21 10:00", [("2026-11-01 09:00", True)]),
    # Team C: an MQL in September only (and a lead in October: a row of metric_frame)
    ("SC1", "Team C", "2026-09-15 10:00", [("2026-09-15 11:00", True)]),
]

# id, person, amount, created, closed, is_won, stage recorded, team recorded
OPPORTUNITIES = [
    # open at the cut-off
    ("OP1", "A1", 5_000_000, "2026-06-01 10:00", None, None, "Proposal", "Team Z"),
    ("OPN", "N1", 2_000_000, "2026-07-01 09:00", None, None, "Proposal", None),
    ("OP6", "A3", 1_000_000, "2026-08-01 10:00", None, None, "Proposal", "Team A"),
    ("OP2", "B1", 3_000_000, "2026-08-15 10:00", "2026-11-10 10:00", True, "Closed Won", "Team B"),
    ("OP3", "A2", 4_000_000, "2026-10-20 10:00", None, None, "Negotiation", "Team A"),
    ("OP7", "A4", 700_000, "2026-10-25 10:00", "2026-11-01 00:00", False, "Closed Lost", "Team A"),
    # not open: created after the cut-off; closed a minute before it
    ("OP4", "A1", 9_000_000, "2026-11-02 10:00", None, None, "Proposal", "Team A"),
    ("OP8", "A2", 800_000, "2026-10-31 10:00", "2026-10-31 23:59", True, "Closed Won", "Team A"),
    # closed deals of the year before the cut-off (from 2025-11-01 00:00): days to close
    ("H1", "SA1", 100, "2026-01-01 10:00", "2026-01-11 10:00", True, "Closed Won", None),  # 10
    ("H2", "SA1", 100, "2026-02-01 10:00", "2026-02-21 10:00", False, "Closed Lost", None),  # 20
    ("H3", "SA1", 100, "2026-03-01 10:00", "2026-04-10 10:00", True, "Closed Won", None),  # 40
    ("H4", "SA1", 100, "2026-05-01 10:00", "2026-06-20 22:00", True, "Closed Won", None),  # 50.5
    ("H5", "SA1", 100, "2026-06-01 10:00", "2026-09-10 10:00", False, "Closed Lost", None),  # 101
    # closed a minute before the year started: not part of it
    ("H0", "SA1", 100, "2024-01-01 10:00", "2025-10-31 23:59", True, "Closed Won", None),
]


def load(con, people, opportunities=()):
    """Write the store: leads, a ``lead`` and an ``mql`` event each, activities, deals."""
    leads = pd.DataFrame(
        [
            {
                "lead_id": k,
                "source_system": "ma",
                "created_at": at("2026-06-01 09:00"),
                "email": None,
                "company_name": f"{k} KK",
                "score": None,
                **dict.fromkeys(SEGMENT_COLUMNS),
                "sales_team": team,
            }
            for k, team, _, _ in people
        ]
    )
    for column in ["email", "company_name", *SEGMENT_COLUMNS]:
        leads[column] = leads[column].astype(object).where(leads[column].notna(), None)
    leads["score"] = pd.array(leads["score"].tolist(), dtype="Int64")
    events = [(k, "mql", at(when), "test") for k, _, when, _ in people]
    events += [
        (k, "lead", at("2026-10-02 10:00" if k == "SC1" else "2026-06-01 09:00"), "test")
        for k, *_ in people
    ]
    touches = [(k, when, human) for k, _, _, acts in people for when, human in acts]
    opps = pd.DataFrame(
        [
            (o, p, float(amount), at(made), at(closed) if closed else pd.NaT, won, stage, team)
            for o, p, amount, made, closed, won, stage, team in opportunities
        ],
        columns=[
            "opportunity_id", "lead_id", "amount", "created_at", "closed_at", "is_won",
            "stage", "sales_team",
        ],
    )  # fmt: skip
    opps["is_won"] = pd.array(opps["is_won"].tolist(), dtype="boolean")
    opps["sales_team"] = opps["sales_team"].astype(object).where(opps["sales_team"].notna(), None)
    opps["currency"], opps["source_system"] = "JPY", "test"
    frames = {
        "leads": leads,
        "stage_events": pd.DataFrame(
            events, columns=["lead_id", "stage", "entered_at", "source_system"]
        ),
        "activities": activities(touches),
        "opportunities": opps,
    }
    replace_tables(con, frames, source="hand-made test store")
    resolve_identities(con)
    return con


@pytest.fixture
def store(con):
    return load(con, PEOPLE, OPPORTUNITIES)


def funnel(con, metrics: list[dict] | None = None) -> Funnel:
    defs = mql_definitions([SLA, SPEED] if metrics is None else metrics)
    return Funnel(con, defs, timezone=TZ, cutoff=CUTOFF)


def same(got: float, want: float) -> bool:
    return math.isnan(got) if math.isnan(want) else got == pytest.approx(want)


# --- first touch by team ----------------------------------------------------------------------

NAN = math.nan
EXPECTED_TEAMS = [
    # Team A: 4 MQLs, all due; in time A1 (2 h), A2 (6 h); A3 late (36 h); A4 never touched.
    #   September: 3 of 4 in time (1, 3, 5 h; SA4 30 h): 75 %, median (3 + 5) / 2 = 4 h.
    #   Late beyond usual: (0.75 - 0.5) x 4 due = 1.
    {
        "sales_team": "Team A", "mqls": 4, "due": 4, "in_sla": 2, "sla": 0.5,
        "median_hours": 6.0, "never_touched": 1, "untouched_share": 0.25,
        "sla_before": 0.75, "median_hours_before": 4.0, "untouched_share_before": 0.0,
        "missed_beyond_usual": 1.0, "touched": 3, "touched_before": 4,
    },
    # Team B: B1 due and in time (4 h); B2 not due yet (0.5 h); median (4 + 0.5) / 2.
    #   September: SB1 late (48 h): 0 %, so no fall, nothing beyond usual.
    {
        "sales_team": "Team B", "mqls": 2, "due": 1, "in_sla": 1, "sla": 1.0,
        "median_hours": 2.25, "never_touched": 0, "untouched_share": 0.0,
        "sla_before": 0.0, "median_hours_before": 48.0, "untouched_share_before": 0.0,
        "missed_beyond_usual": 0.0, "touched": 2, "touched_before": 1,
    },
    # no team: N1 and N2 due, neither touched by the cut-off; no MQL in September (NaN)
    {
        "sales_team": None, "mqls": 2, "due": 2, "in_sla": 0, "sla": 0.0,
        "median_hours": NAN, "never_touched": 2, "untouched_share": 1.0,
        "sla_before": NAN, "median_hours_before": NAN, "untouched_share_before": NAN,
        "missed_beyond_usual": 0.0, "touched": 0, "touched_before": 0,
    },
]  # fmt: skip


def test_team_follow_up(store):
    got = team_follow_up(funnel(store), OCT, baseline=SEP)
    assert list(got.columns) == TEAM_FOLLOW_UP_COLUMNS
    # Team C had no MQL in October: no row. Ties on 0 beyond usual: named teams, then no team.
    assert got["sales_team"].tolist() == ["Team A", "Team B", None]
    for row, want in zip(got.to_dict("records"), EXPECTED_TEAMS, strict=True):
        for column, value in want.items():
            if column == "sales_team":
                assert row[column] == value
            else:
                assert same(float(row[column]), value), (want["sales_team"], column)
    for column in ("mqls", "due", "in_sla", "never_touched", "touched", "touched_before"):
        assert got[column].dtype == "int64", column


def test_team_follow_up_reconciles_with_the_metric_frame(store):
    f = funnel(store)
    got = team_follow_up(f, OCT, baseline=SEP)
    frame = f.metric_frame(["mql", "sla", "speed_to_lead"], [OCT], by=["sales_team"])
    metrics = {
        (m, "-" if team is None or pd.isna(team) else team): row
        for m, team, row in zip(
            frame["metric"], frame["sales_team"], frame.itertuples(), strict=True
        )
    }
    for row in got.itertuples():
        key = "-" if row.sales_team is None else row.sales_team
        assert row.mqls == metrics[("mql", key)].value
        assert (row.in_sla, row.due) == (
            metrics[("sla", key)].numerator,
            metrics[("sla", key)].denominator,
        )
        assert same(row.median_hours, metrics[("speed_to_lead", key)].value)
        assert row.never_touched == row.mqls - row.touched


def test_team_follow_up_sorts_by_missed_beyond_usual(con):
    # Team B's SLA falls from 100 % (September) to 0 % with 2 due: 2 beyond usual, ahead of A
    people = [p for p in PEOPLE if p[1] == "Team A"] + [
        ("SB2", "Team B", "2026-09-10 10:00", [("2026-09-10 11:00", True)]),
        ("B3", "Team B", "2026-10-10 10:00", []),
        ("B4", "Team B", "2026-10-11 10:00", [("2026-10-13 10:00", True)]),
    ]
    got = team_follow_up(funnel(load(con, people)), OCT, baseline=SEP)
    assert got["sales_team"].tolist() == ["Team B", "Team A"]
    assert got["missed_beyond_usual"].tolist() == pytest.approx([2.0, 1.0])


def test_team_follow_up_without_an_sla_metric(store):
    got = team_follow_up(funnel(store, [SPEED]), OCT, baseline=SEP)
    assert got.empty
    assert list(got.columns) == TEAM_FOLLOW_UP_COLUMNS


def test_team_follow_up_without_a_speed_to_lead_metric(store):
    # the SLA alone is enough: speed to lead from its stage is made for it
    got = team_follow_up(funnel(store, [SLA]), OCT, baseline=SEP)
    assert got["median_hours"].tolist()[:2] == pytest.approx([6.0, 2.25])


def test_team_follow_up_on_an_empty_store(con):
    got = team_follow_up(funnel(con), OCT, baseline=SEP)
    assert got.empty
    assert list(got.columns) == TEAM_FOLLOW_UP_COLUMNS


def test_team_follow_up_needs_another_baseline(store):
    with pytest.raises(ParameterError, match="baseline"):
        team_follow_up(funnel(store), OCT, baseline=OCT)


# --- stalled opportunities --------------------------------------------------------------------


def test_open_opportunities(store):
    got = funnel(store).open_opportunities()
    assert list(got.columns) == [
        "opportunity_id", "person_id", "stage", "sales_team", "amount", "created_at",
        "last_touch_at", *[c for c in SEGMENT_COLUMNS if c != "sales_team"], "opportunity_team",
    ]  # fmt: skip
    # created before the cut-off and not closed before it, oldest first: OP2 (closed after the
    # cut-off) and OP7 (closed exactly at it) are open; OP4 (created after) and OP8 (closed a
    # minute before) are not
    assert got["opportunity_id"].tolist() == ["OP1", "OPN", "OP6", "OP2", "OP3", "OP7"]
    rows = got.set_index("opportunity_id")
    # the stage recorded; unknown for a deal closed after the cut-off (no stage history)
    assert rows["stage"].tolist() == ["Proposal", "Proposal", "Proposal", None, "Negotiation", None]
    # the person's team (OP1's record says Team Z: kept as opportunity_team)
    assert rows.loc["OP1", "sales_team"] == "Team A"
    assert rows.loc["OP1", "opportunity_team"] == "Team Z"
    assert rows.loc["OPN", "sales_team"] is None
    assert rows.loc["OP1", "amount"] == 5_000_000
    assert rows.loc["OP1", "created_at"] == at("2026-06-01 10:00")
    assert str(rows["created_at"].dt.tz) == TZ
    # the latest human touch before the cut-off: A1's touch on 11-05 is not known yet;
    # A4 had only an automated e-mail and N1 nothing
    assert rows.loc["OP1", "last_touch_at"] == at("2026-10-05 12:00")
    assert rows.loc["OP2", "last_touch_at"] == at("2026-10-10 14:00")
    assert pd.isna(rows.loc["OP7", "last_touch_at"])
    assert pd.isna(rows.loc["OPN", "last_touch_at"])
    assert str(rows["last_touch_at"].dt.tz) == TZ


def test_the_default_threshold_from_closed_deals(store):
    # closed in the year before the cut-off (from 2025-11-01 00:00; not H0), days to close:
    # OP8 0.58, H1 10, H2 20, H3 40, H4 50.5, H5 101. The 80th percentile of six values
    # (linear) is the 5th smallest, 50.5: rounded up, 51. OP2 closes after the cut-off: out.
    assert stalled_threshold(funnel(store)) == 51
    stalled, threshold = stalled_opportunities(funnel(store))
    assert threshold == 51
    # ages at 11-01 00:00 in whole days: OP1 152 (06-01 10:00), OPN 122 (07-01 09:00),
    # OP6 91 (08-01 10:00), OP2 77 (08-15 10:00); OP3 11 and OP7 6 are younger
    assert stalled["opportunity_id"].tolist() == ["OP1", "OPN", "OP6", "OP2"]
    assert stalled["age_days"].tolist() == [152, 122, 91, 77]
    # since the last human touch: A1 10-05 12:00 (26.5 days), N1 never, A3 10-08 22:00
    # (23.08 days), B1 10-10 14:00 (21.4 days)
    idle = stalled["idle_days"].tolist()
    assert idle[0] == 26 and math.isnan(idle[1]) and idle[2:] == [23, 21]


def test_an_explicit_threshold_includes_its_day(store):
    stalled, threshold = stalled_opportunities(funnel(store), threshold_days=77)
    assert threshold == 77
    assert stalled["opportunity_id"].tolist()[-1] == "OP2"  # exactly 77 days old
    stalled, _ = stalled_opportunities(funnel(store), threshold_days=78)
    assert "OP2" not in stalled["opportunity_id"].tolist()
    everything, _ = stalled_opportunities(funnel(store), threshold_days=0)
    assert len(everything) == 6


def test_the_threshold_floor_and_no_history(con):
    quick = [
        ("Q1", "A1", 1, "2026-10-01 10:00", "2026-10-06 10:00", True, "Closed Won", None),
        ("Q2", "A1", 1, "2026-10-01 10:00", "2026-10-11 10:00", False, "Closed Lost", None),
        ("OPEN", "A1", 1, "2026-09-01 10:00", None, None, "Proposal", None),
    ]
    load(con, PEOPLE[:1], quick)
    # 5 and 10 days: the 80th percentile is 9, below the floor of 30
    assert stalled_threshold(funnel(con)) == 30
    stalled, threshold = stalled_opportunities(funnel(con))
    assert threshold == 30
    assert stalled["opportunity_id"].tolist() == ["OPEN"]  # 60 days old


def test_no_closed_deals_means_90_days(con):
    opens = [
        ("OLD", "A1", 1, "2026-08-02 10:00", None, None, "Proposal", None),  # 90 days
        ("NEW", "A1", 1, "2026-08-03 10:00", None, None, "Proposal", None),  # 89 days
    ]
    load(con, PEOPLE[:1], opens)
    stalled, threshold = stalled_opportunities(funnel(con))
    assert threshold == 90
    assert stalled["opportunity_id"].tolist() == ["OLD"]
    assert stalled["age_days"].tolist() == [90]


def test_stalled_by_team(store):
    stalled, _ = stalled_opportunities(funnel(store))
    got = stalled_by_team(stalled)
    assert list(got.columns) == STALLED_BY_TEAM_COLUMNS
    # largest amount first: Team A Proposal (OP1 5M + OP6 1M; ages 152, 91), Team B with the
    # stage unknown (OP2 3M), no team Proposal (OPN 2M)
    assert got["sales_team"].tolist() == ["Team A", "Team B", None]
    assert got["stage"].tolist() == ["Proposal", None, "Proposal"]
    assert got["count"].tolist() == [2, 1, 1]
    assert got["amount"].tolist() == [6_000_000, 3_000_000, 2_000_000]
    assert got["median_age_days"].tolist() == [121.5, 77, 122]
    empty = stalled_by_team(stalled.iloc[0:0])
    assert empty.empty and list(empty.columns) == STALLED_BY_TEAM_COLUMNS


# --- html -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "ja",
            [
                "今期 = 2026年10月、比較期間 = 2026年9月。", "（チーム未設定）", "50.0%", "75.0%",
                "6.0時間", "4.0時間", "48.0時間", "1（25.0%）", "2（100.0%）",
                "SLA 達成率（今期）", "24時間",
            ],
        ),
        (
            "en",
            [
                "Now = October 2026; before = September 2026.", "(no team)", "50.0%", "75.0%",
                "6.0 h", "4.0 h", "48.0 h", "1 (25.0%)", "2 (100.0%)",
                "Within SLA (now)", "24 hours",
            ],
        ),
    ],
)  # fmt: skip
def test_team_follow_up_html(store, lang, words):
    frame = team_follow_up(funnel(store), OCT, baseline=SEP)
    html = team_follow_up_html(frame, lang=lang, within="24h", period=OCT, baseline=SEP)
    for word in [*words, "Team A", "Team B"]:
        assert word in html.html, word
        assert word in html.text, word
    assert 'class="rk-table rk-followup-teams rk-followup-month"' in html.html
    assert html.html.count("<table") == 1
    assert "—" in html.html  # no team: no median, nothing in September
    for bad in ("nan", "NaT", "None"):
        assert bad not in html.html


def test_team_follow_up_html_without_sla_or_mqls(con):
    for lang in ("ja", "en"):
        assert "type: sla" in team_follow_up_html(pd.DataFrame(), lang=lang).html
        empty = team_follow_up(funnel(con), OCT, baseline=SEP)
        html = team_follow_up_html(empty, lang=lang, within="24h").html
        assert "<table" not in html and "MQL" in html


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "ja",
            [
                "作成から51日以上たっても完了していない商談は 4 件、合計 1,100万円。",
                "600万円", "300万円", "（不明）", "（チーム未設定）", "152日", "91日",
                "26日", "最も古い商談（4件中 上位3件）", "80パーセンタイル",
            ],
        ),
        (
            "en",
            [
                "4 open opportunities are 51 days old or more, worth ¥11.0M in total.",
                "¥6.0M", "¥3.0M", "(unknown)", "(no team)", "152 d", "26 d",
                "Oldest open opportunities (top 3 of 4)", "80th percentile",
            ],
        ),
    ],
)  # fmt: skip
def test_stalled_html(store, lang, words):
    stalled, threshold = stalled_opportunities(funnel(store))
    html = stalled_html(
        stalled,
        threshold_days=threshold,
        lang=lang,
        top=3,
        threshold_is_default=True,
        currency="JPY",
    )
    for word in [*words, "OP1", "OPN", "OP6", "Team A", "Team B"]:
        assert word in html.html, word
        assert word in html.text, word
    assert "OP2" not in html.html  # the 4th oldest: beyond the top 3
    assert html.html.count("<table") == 2
    assert html.html.count("<details>") == 1 and "<summary>" in html.html
    assert html.html.index("<details>") < html.html.index("OP1")
    assert "rk-followup-oldest rk-stalled-teams" in html.html
    assert "rk-followup-oldest rk-stalled-list" in html.html
    assert "—" in html.html  # OPN: never touched
    for bad in ("nan", "NaT", "None"):
        assert bad not in html.html


def test_stalled_html_without_stalled_deals(store):
    stalled, _ = stalled_opportunities(funnel(store), threshold_days=500)
    for lang, word in (("ja", "500日以上"), ("en", "500 days old or more")):
        html = stalled_html(stalled, threshold_days=500, lang=lang, currency="JPY")
        assert word in html.html
        assert "<table" not in html.html


def test_stalled_html_without_amounts_counts_deals_only(store):
    stalled, threshold = stalled_opportunities(funnel(store))
    for lang, sentence in (
        ("en", "4 open opportunities are 51 days old or more."),
        ("ja", "作成から51日以上たっても完了していない商談が 4 件あります。"),
    ):
        html = stalled_html(stalled, threshold_days=threshold, lang=lang, currency="JPY",
                            amounts=False)  # fmt: skip
        assert sentence in html.html
        assert "¥" not in html.html and "円" not in html.html  # no amount column, no total
        assert t("followup.month.stalled.col.amount", lang) not in html.html
        assert "OP1" in html.html and html.html.count("<table") == 2


def test_team_follow_up_gives_the_baselines_due_and_in_time(store):
    # September by hand (EXPECTED_TEAMS): Team A 3 in time of 4 due; Team B 0 of 1; no team:
    # no MQL in September.
    got = team_follow_up(funnel(store), OCT, baseline=SEP).set_index("sales_team", drop=False)
    assert (got.loc["Team A", "due_before"], got.loc["Team A", "in_sla_before"]) == (4, 3)
    assert (got.loc["Team B", "due_before"], got.loc["Team B", "in_sla_before"]) == (1, 0)
    nobody = got[got["sales_team"].isna()].iloc[0]
    assert (nobody["due_before"], nobody["in_sla_before"]) == (0, 0)
    sla = got["in_sla_before"] / got["due_before"].where(got["due_before"] > 0)
    assert sla.fillna(-1).tolist() == got["sla_before"].fillna(-1).tolist()
