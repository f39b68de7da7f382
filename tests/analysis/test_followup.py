"""The follow-up pulse: MQLs waiting for a first touch, by sales team.

Part 1 loads a tiny hand-made store; every expected number is worked out by hand in the
comments. Part 2 re-derives the pulse on the sample company for week 2026-W47 from the raw
tables with plain pandas, and checks it against the SLA metrics of the semantic layer.

Times written ``"2026-11-16 10:00"`` are Tokyo time (the workspace zone of every case here).
"""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from builders import SLA, activities, mql_definitions

from reviewkit.analysis.followup import (
    BY_TEAM_COLUMNS,
    OLDEST_COLUMNS,
    FollowUpPulse,
    follow_up_pulse,
    team_status,
)
from reviewkit.core.periods import FiscalCalendar, parse_period
from reviewkit.ingest.identity import resolve_identities
from reviewkit.model.definitions import Definitions, RuleStage, load_definitions
from reviewkit.present.sections.followup_pulse import follow_up_html
from reviewkit.semantic.funnel import SEGMENT_COLUMNS, Funnel, cutoff_of
from reviewkit.store.schema import replace_tables

TZ = "Asia/Tokyo"
JST = ZoneInfo(TZ)
CAL = FiscalCalendar(4)
W47 = parse_period("2026-W47", calendar=CAL)  # 2026-11-16 .. 11-22
CUTOFF = dt.datetime(2026, 11, 23, tzinfo=JST)  # the review on Monday 11-23
TEXT = {"ja": "x", "en": "x"}


def at(text: str) -> pd.Timestamp:
    return pd.Timestamp(text).tz_localize(TZ)


# --- part 1: a hand-made store ----------------------------------------------------------------

# lead, sales team, company, channel, MQL at, (touch time, is_human) ...
PEOPLE = [
    # in W47
    ("A1", "Team A", "Alpha KK", "webinar", "2026-11-16 10:00", [("2026-11-16 12:00", True)]),
    # touched exactly 24 h after: late
    ("A2", "Team A", "Alpha KK", "webinar", "2026-11-17 09:00", [("2026-11-18 09:00", True)]),
    # untouched, but its 24 h end after the cut-off (11-23 12:00): not due, not overdue
    ("A3", "Team A", "Able KK", "paid_search", "2026-11-22 12:00", []),
    # a touch before entry (ignored); another at the cut-off (see the store): untouched
    ("B1", "Team B", "Beta KK", "referral", "2026-11-18 08:00", [("2026-11-17 10:00", True)]),
    # an automated e-mail only: untouched
    ("B2", "Team B", "Bravo KK", "webinar", "2026-11-20 06:00", [("2026-11-20 07:00", False)]),
    ("B3", "Team B", "Beta KK", "referral", "2026-11-19 10:00", [("2026-11-19 15:30", True)]),
    # no sales team, no channel; touched after the cut-off
    ("N1", None, "Nameless KK", None, "2026-11-21 09:00", [("2026-11-24 10:00", True)]),
    ("D1", "Team D", "Delta KK", "webinar", "2026-11-16 09:00", []),  # touched on SFA-D1
    # before W47, inside the 30-day look-back (from 10-24 00:00)
    ("B4", "Team B", "Boron KK", "exhibition", "2026-10-30 10:00", []),
    ("C1", "Team C", "Gamma KK", "webinar", "2026-11-01 09:00", [("2026-11-03 09:00", True)]),
    ("C2", "Team C", "Gamma KK", "webinar", "2026-10-24 00:00", []),  # exactly 30 days back
    # outside: a minute before the look-back, and after the cut-off
    ("A4", "Team A", "Alpha KK", "webinar", "2026-10-23 23:59", []),
    ("X1", "Team A", "Late KK", "webinar", "2026-11-23 01:00", []),
]
# hours waited until the cut-off by the overdue untouched
WAIT = {"C2": 720.0, "B4": 566.0, "B1": 112.0, "B2": 66.0, "N1": 39.0}


def lead(lead_id, team, company, channel, *, email=None, source="ma") -> dict:
    row = {
        "lead_id": lead_id,
        "source_system": source,
        "created_at": at("2026-10-01 09:00"),
        "email": email,
        "company_name": company,
        "score": None,
        **dict.fromkeys(SEGMENT_COLUMNS),
    }
    return row | {"sales_team": team, "channel": channel}


def load(con, people, *, extra_leads=(), extra_touches=()):
    """Write the store: leads, a ``lead`` and an ``mql`` event each, and activities."""
    leads = [
        lead(k, team, company, channel, email="d1@example.com" if k == "D1" else None)
        for k, team, company, channel, _, _ in people
    ]
    leads += list(extra_leads)
    frame = pd.DataFrame(leads)
    for column in ["email", "company_name", *SEGMENT_COLUMNS]:
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    frame["score"] = pd.array(frame["score"].tolist(), dtype="Int64")
    events = [(k, "lead", at("2026-10-01 09:00"), "test") for k, *_ in people]
    events += [(k, "mql", at(when), "test") for k, _, _, _, when, _ in people]
    touches = [(k, when, human) for k, *_, acts in people for when, human in acts]
    touches += list(extra_touches)
    frames = {
        "leads": frame,
        "stage_events": pd.DataFrame(
            events, columns=["lead_id", "stage", "entered_at", "source_system"]
        ),
        "activities": activities(touches),
    }
    replace_tables(con, frames, source="hand-made test store")
    resolve_identities(con)
    return con


@pytest.fixture
def store(con):
    # D1's SFA record (the same person by e-mail, created later): the touch is recorded there
    sfa = lead("SFA-D1", "Team D", "Delta (SFA copy)", None, email=" D1@example.com", source="sfa")
    sfa["created_at"] = at("2026-11-16 08:00")
    touches = [
        ("SFA-D1", "2026-11-16 09:30", True),
        ("B1", "2026-11-23 00:00", True),  # exactly at the cut-off: not known yet
    ]
    return load(con, PEOPLE, extra_leads=[sfa], extra_touches=touches)


def funnel(con, defs: Definitions | None = None) -> Funnel:
    return Funnel(con, defs or mql_definitions([SLA]), timezone=TZ, cutoff=CUTOFF)


def test_first_touches(store):
    got = funnel(store).first_touches("mql", since=dt.date(2026, 10, 24))
    assert list(got.columns) == [
        "person_id", "entered_at", "touched_at", *SEGMENT_COLUMNS, "company_name",
    ]  # fmt: skip
    # entered from 10-24 and before the cut-off, oldest first: not A4 (10-23), not X1 (11-23)
    order = ["C2", "B4", "C1", "D1", "A1", "A2", "B1", "B3", "B2", "N1", "A3"]
    assert got["person_id"].tolist() == order
    rows = got.set_index("person_id")
    assert rows.loc["A2", "entered_at"] == at("2026-11-17 09:00")
    assert str(rows["entered_at"].dt.tz) == TZ
    touched = {
        "C2": None, "B4": None, "C1": "2026-11-03 09:00", "D1": "2026-11-16 09:30",
        "A1": "2026-11-16 12:00", "A2": "2026-11-18 09:00", "B1": None,
        "B3": "2026-11-19 15:30", "B2": None, "N1": None, "A3": None,
    }  # fmt: skip
    for person, when in touched.items():
        value = rows.loc[person, "touched_at"]
        assert pd.isna(value) if when is None else value == at(when), person
    # the canonical record's attributes: D1 (created first), not its SFA copy
    assert rows.loc["D1", "company_name"] == "Delta KK"
    assert rows.loc["D1", "channel"] == "webinar"
    assert pd.isna(rows.loc["N1", "sales_team"])
    assert rows.loc["B4", "sales_team"] == "Team B"
    assert rows.loc["B4", "company_name"] == "Boron KK"
    # a later start day cuts the older entries
    later = funnel(store).first_touches("mql", since=dt.date(2026, 11, 16))
    assert later["person_id"].tolist() == order[3:]


def test_by_team(store):
    pulse = follow_up_pulse(funnel(store), week=W47)
    assert isinstance(pulse, FollowUpPulse)
    by_team = pulse.by_team
    assert list(by_team.columns) == BY_TEAM_COLUMNS
    nan = math.nan
    expected = [
        # team, entered, due, in time, rate, median h, overdue, oldest wait h
        # B: B1, B2, B3 in the week, all due, B3 in time (5.5 h); overdue B1, B2 and B4
        ("Team B", 3, 3, 1, 1 / 3, 5.5, 3, WAIT["B4"]),
        # no team: N1, due, untouched (its touch comes after the cut-off): overdue
        (None, 1, 1, 0, 0.0, nan, 1, WAIT["N1"]),
        # C: nobody in the week; C2 (entered at the very start of the look-back) overdue
        ("Team C", 0, 0, 0, nan, nan, 1, WAIT["C2"]),
        # A: A1 (2 h) in time; A2 touched at exactly 24 h: late; A3 not due; A4 too old
        ("Team A", 3, 2, 1, 0.5, 13.0, 0, nan),
        # D: D1 touched after 30 min on its SFA record
        ("Team D", 1, 1, 1, 1.0, 0.5, 0, nan),
    ]
    assert len(by_team) == len(expected)
    for row, want in zip(by_team.itertuples(index=False), expected, strict=True):
        team, entered, due, in_sla, rate, median, overdue, oldest = want
        assert row.sales_team == team
        assert (row.entered_week, row.due_week, row.in_sla_week) == (entered, due, in_sla), team
        assert row.overdue_untouched == overdue, team
        for got, value in (
            (row.sla_rate_week, rate),
            (row.median_hours_week, median),
            (row.oldest_waiting_hours, oldest),
        ):
            assert math.isnan(value) if math.isnan(got) else got == pytest.approx(value), team
    assert by_team["sales_team"].iloc[1] is None
    for column in ("entered_week", "due_week", "in_sla_week", "overdue_untouched"):
        assert by_team[column].dtype == "int64"
    assert team_status(by_team).tolist() == ["act", "act", "watch", "watch", "ok"]
    # totals: overdue 3 + 1 + 1; in time 1 + 0 + 0 + 1 + 1 of 3 + 1 + 0 + 2 + 1 due
    assert pulse.total_overdue == 5
    assert (pulse.total_in_sla_week, pulse.total_due_week) == (3, 7)
    assert pulse.total_sla_rate_week == pytest.approx(3 / 7)
    assert (pulse.sla_hours, pulse.lookback_days, pulse.stage, pulse.metric) == (
        24.0, 30, "mql", "sla",
    )  # fmt: skip


def test_oldest(store):
    pulse = follow_up_pulse(funnel(store), week=W47)
    oldest = pulse.oldest
    assert list(oldest.columns) == OLDEST_COLUMNS
    assert oldest["person_id"].tolist() == ["C2", "B4", "B1", "B2", "N1"]
    assert oldest["waiting_hours"].tolist() == pytest.approx(list(WAIT.values()))
    assert oldest["company_name"].tolist() == [
        "Gamma KK", "Boron KK", "Beta KK", "Bravo KK", "Nameless KK",
    ]  # fmt: skip
    assert oldest["sales_team"].tolist() == ["Team C", "Team B", "Team B", "Team B", None]
    assert oldest["channel"].tolist() == ["webinar", "exhibition", "referral", "webinar", None]
    assert oldest["entered_at"].tolist() == [
        at(t) for t in ("2026-10-24 00:00", "2026-10-30 10:00", "2026-11-18 08:00",
                        "2026-11-20 06:00", "2026-11-21 09:00")
    ]  # fmt: skip
    top = follow_up_pulse(funnel(store), week=W47, oldest=2).oldest
    assert top["person_id"].tolist() == ["C2", "B4"]


def test_a_shorter_look_back(store):
    # 10 days back from the cut-off: from 11-13 00:00, so C2 and B4 are out of the backlog
    pulse = follow_up_pulse(funnel(store), week=W47, lookback_days=10)
    teams = pulse.by_team.set_index(pulse.by_team["sales_team"].fillna("-"))
    assert teams["overdue_untouched"].to_dict() == {
        "Team B": 2, "-": 1, "Team A": 0, "Team D": 0,
    }  # fmt: skip
    assert pulse.oldest["person_id"].tolist() == ["B1", "B2", "N1"]
    assert pulse.by_team.loc[0, "oldest_waiting_hours"] == pytest.approx(WAIT["B1"])


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "ja",
            [
                "SLA（24時間以内の初回接触）を過ぎても未接触のMQLは 5 件（過去30日）。"
                "最も多いのは Team B の 3 件。",
                "✕ 要対応", "△ 注意", "✓ 良好", "（チーム未設定）", "566.0時間", "33.3%",
                "2026年10月24日 00:00",
            ],
        ),
        (
            "en",
            [
                "5 people who became MQL in the last 30 days are past the SLA (first touch "
                "within 24 hours) and still untouched; most are with Team B (3).",
                "✕ Act now", "△ Watch", "✓ OK", "(no team)", "566.0 h", "33.3%",
                "24 Oct 2026 00:00",
            ],
        ),
    ],
)  # fmt: skip
def test_html(store, lang, words):
    html = follow_up_html(follow_up_pulse(funnel(store), week=W47), lang=lang)
    for word in [*words, "Team A", "Team B", "Team C", "Team D", "Boron KK", "Nameless KK"]:
        assert word in html.html, word
        assert word in html.text, word
    assert "nan" not in html.html.lower()
    assert "NaT" not in html.html
    assert "None" not in html.html
    assert "@" not in html.html  # no e-mail address reaches the pack
    assert "—" in html.html  # Team C's SLA % (nobody due) and N1's channel
    assert html.html.count("<table") == 2


def test_html_without_a_backlog(con):
    people = [p for p in PEOPLE if p[0] in ("A1", "D1")]
    load(con, people, extra_touches=[("D1", "2026-11-16 09:30", True)])
    pulse = follow_up_pulse(funnel(con), week=W47)
    assert pulse.total_overdue == 0
    assert pulse.oldest.empty
    for lang in ("ja", "en"):
        html = follow_up_html(pulse, lang=lang)
        assert html.html.count("<table") == 1  # no list of the longest-waiting
        assert "nan" not in html.html.lower()
    assert "未接触のMQLはありません" in follow_up_html(pulse, lang="ja").html


def test_an_empty_store(con):
    pulse = follow_up_pulse(funnel(con), week=W47)
    assert pulse.by_team.empty and list(pulse.by_team.columns) == BY_TEAM_COLUMNS
    assert pulse.oldest.empty and list(pulse.oldest.columns) == OLDEST_COLUMNS
    assert pulse.total_overdue == 0 and math.isnan(pulse.total_sla_rate_week)
    for lang in ("ja", "en"):
        html = follow_up_html(pulse, lang=lang).html
        assert "<table" not in html
        assert "nan" not in html.lower()


def test_without_an_sla_metric(store):
    assert follow_up_pulse(funnel(store, mql_definitions([])), week=W47) is None
    for lang, word in (("ja", "params/definitions.yml"), ("en", "params/definitions.yml")):
        html = follow_up_html(None, lang=lang)
        assert word in html.html
        assert "type: sla" in html.html
        assert "metrics:" in html.html
        assert "<table" not in html.html


def test_the_first_sla_metric_is_used(store):
    two = [{**SLA, "key": "sla_4h", "within": "4h"}, SLA]
    pulse = follow_up_pulse(funnel(store, mql_definitions(two)), week=W47)
    assert (pulse.metric, pulse.sla_hours) == ("sla_4h", 4.0)
    # within 4 h: B3 (touched after 5.5 h) is late too; B1 and B2 were never touched
    teams = pulse.by_team.set_index(pulse.by_team["sales_team"].fillna("-"))
    assert teams.loc["Team B", "in_sla_week"] == 0
    assert teams.loc["Team A", "due_week"] == 3  # A3's 4 h ended 11-22 16:00


# --- part 2: the sample company ---------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(sample_workspace, sample_con):
    defs = load_definitions(sample_workspace)
    f = Funnel(sample_con, defs, timezone=TZ, cutoff=cutoff_of(dt.date(2026, 11, 23), timezone=TZ))
    return f, follow_up_pulse(f, week=W47)


def test_sample_matches_the_sla_metrics(sample):
    f, pulse = sample
    frame = f.metric_frame(["mql", "sla", "speed_to_lead"], [W47], by=["sales_team"])
    metrics = {
        (m, team): row
        for m, team, row in zip(
            frame["metric"], frame["sales_team"].fillna("-"), frame.itertuples(), strict=True
        )
    }
    teams = pulse.by_team.assign(key=pulse.by_team["sales_team"].fillna("-"))
    assert set(teams["key"]) == {team for _, team in metrics}
    for row in teams.itertuples():
        assert row.entered_week == metrics[("mql", row.key)].numerator
        assert row.due_week == metrics[("sla", row.key)].denominator
        assert row.in_sla_week == metrics[("sla", row.key)].numerator
        assert row.sla_rate_week == pytest.approx(metrics[("sla", row.key)].value)
        assert row.median_hours_week == pytest.approx(metrics[("speed_to_lead", row.key)].value)


def test_sample_backlog_from_the_raw_tables(sample, sample_con):
    """Overdue untouched MQLs per team, from leads, score history and activities."""
    f, pulse = sample
    stage = f.definitions.stage("mql")
    assert isinstance(stage, RuleStage)
    assert (stage.rule, stage.at) == ("score >= 60", "first_held")
    sql = sample_con.execute
    identity = sql("SELECT lead_id, person_id FROM lead_identity").df()
    person = dict(zip(identity["lead_id"], identity["person_id"], strict=True))
    leads = sql("SELECT lead_id, created_at, score, sales_team FROM leads").df()
    changes = sql("SELECT lead_id, changed_at, score FROM score_changes").df()
    without = leads[~leads["lead_id"].isin(changes["lead_id"])]
    history = pd.concat(
        [
            changes.rename(columns={"changed_at": "at"}),
            without[["lead_id", "created_at", "score"]].rename(columns={"created_at": "at"}),
        ]
    )
    held = history[history["score"].astype("float64") >= 60]
    held = held.assign(person=held["lead_id"].map(lambda k: person.get(k, k)))
    mql = held.groupby("person")["at"].min()
    cutoff = pd.Timestamp("2026-11-23 00:00", tz=TZ)
    mql = mql[(mql >= cutoff - pd.Timedelta(days=30)) & (mql + pd.Timedelta(hours=24) <= cutoff)]
    acts = sql("SELECT lead_id, occurred_at FROM activities WHERE is_human").df()
    acts = acts.assign(person=acts["lead_id"].map(lambda k: person.get(k, k)))
    pairs = acts.merge(mql.rename("mql_at"), left_on="person", right_index=True)
    touched = pairs[(pairs["occurred_at"] >= pairs["mql_at"]) & (pairs["occurred_at"] < cutoff)]
    untouched = mql[~mql.index.isin(touched["person"])]
    team = leads.set_index("lead_id")["sales_team"]  # the canonical record's team
    backlog = team.reindex(untouched.index).fillna("-").value_counts()

    got = pulse.by_team.set_index(pulse.by_team["sales_team"].fillna("-"))["overdue_untouched"]
    assert got[got > 0].to_dict() == backlog.to_dict()
    assert pulse.total_overdue == len(untouched)
    waits = ((cutoff - untouched) / pd.Timedelta(hours=1)).sort_values(ascending=False)
    assert pulse.oldest["waiting_hours"].tolist() == pytest.approx(waits.head(10).tolist())
    # the planted problem: Team B is worst, with the largest backlog
    assert pulse.by_team.loc[0, "sales_team"] == "Team B"
    assert pulse.by_team.loc[0, "overdue_untouched"] == pulse.by_team["overdue_untouched"].max()
    assert pulse.by_team.loc[0, "sla_rate_week"] < 0.5
    assert team_status(pulse.by_team).iloc[0] == "act"


def test_sample_html(sample):
    _, pulse = sample
    for lang in ("ja", "en"):
        html = follow_up_html(pulse, lang=lang).html
        for team in ("Team A", "Team B", "Team C"):
            assert team in html
        assert "✕" in html
        assert "nan" not in html.lower()
        assert "@" not in html
