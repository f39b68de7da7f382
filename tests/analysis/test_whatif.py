"""Definition what-ifs: threshold sweeps and rule comparisons, counted by hand and on the sample.

Part 1 is a store of eleven people whose score histories, SQLs and wins are written out below;
every figure of the sweep is counted by hand in ``EXPECTED``. The period is FY2026 Q2 (July to
September 2026), the cut-off 23 November 2026; times are Tokyo time.

Part 2 checks the sample company: the sweep at the agreed threshold equals the Funnel's own MQL
count and MQL->SQL cohort, and every threshold equals a plain pandas count on the raw tables.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from html import escape

import numpy as np
import pandas as pd
import pytest
from builders import TEXT, TZ, at, event_definitions
from pydantic import ValidationError

import reviewkit as rk
from reviewkit.analysis.threshold_stages import skipped_stages, threshold_stages
from reviewkit.analysis.whatif import (
    COMPARE_COLUMNS,
    SWEEP_COLUMNS,
    compare_rule,
    suggest_threshold,
    threshold_grid,
    threshold_sweep,
)
from reviewkit.core.periods import FiscalCalendar, parse_period
from reviewkit.errors import ParameterError
from reviewkit.i18n.formatting import format_count, format_money, format_pct, format_period
from reviewkit.i18n.texts import t
from reviewkit.i18n.texts_whatif import WHATIF_TEXTS
from reviewkit.ingest.identity import resolve_identities
from reviewkit.model.definitions import Definitions
from reviewkit.model.labels import duration_words
from reviewkit.model.rules import rule_threshold, with_threshold
from reviewkit.present.charts.sweep import sweep_chart
from reviewkit.present.sections.whatif import skipped_html, whatif_html
from reviewkit.semantic.funnel import Funnel
from reviewkit.store.schema import replace_tables

Q2 = parse_period("FY2026-Q2", calendar=FiscalCalendar(4))
CUTOFF = dt.datetime(2026, 11, 23, tzinfo=at("2026-11-23").tzinfo)
START, END = Q2.start, Q2.end
THRESHOLDS = [40, 50, 60, 70, 80]


def definitions(
    rule: str = "score >= 60",
    *,
    mql_last: bool = False,
    count: bool = False,
    at: str = "first_held",
) -> Definitions:
    """lead (event) -> mql (rule, ``at``) -> sql -> won; MQL->SQL within 30 days.

    ``count``: the KGI is the number won (no revenue).
    """

    def stage(key: str) -> dict:
        return {"key": key, "label": {"ja": key.upper(), "en": key.upper()}, "owner": "marketing",
                "description": TEXT}  # fmt: skip

    stages = [
        {**stage("lead"), "event": "lead"},
        {**stage("mql"), "rule": rule, "at": at},
        {**stage("sql"), "event": "sql"},
        {**stage("won"), "event": "won"},
    ]
    if mql_last:
        stages = stages[:2]
    return Definitions.model_validate(
        {
            "version": "test",
            "agreed_by": ["marketing"],
            "agreed_on": "2026-04-01",
            "stages": stages,
            "kgi": {
                "key": "won_count" if count else "revenue",
                "label": {"ja": "受注件数", "en": "Deals won"}
                if count
                else {"ja": "受注金額", "en": "Revenue won"},
                "owner": "sales",
                "description": TEXT,
            },
            "metrics": []
            if mql_last
            else [
                {
                    "key": "mql_to_sql",
                    "type": "conversion",
                    "from": "mql",
                    "to": "sql",
                    "basis": "cohort",
                    "window": "30d",
                },
            ],
        }
    )


# lead id, created, company size, score history [(when, score)] (none: the lead's own score),
# SQL at, (won at, amount) of a won deal, e-mail (J1 and J2 are one person)
PEOPLE = [
    # 40 before the period, 65 in July: an MQL in July at 50 and 60, never at 70.
    ("A", "2026-06-01", "micro", [("2026-06-01 09:00", 40), ("2026-07-05 10:00", 65)],
     "2026-07-20 10:00", ("2026-09-01 10:00", 1_000_000), None),
    # 55 before the period, 75 in August: at 60 and 70 in August, not at 40 or 50.
    ("B", "2026-06-01", "mid", [("2026-06-01 09:00", 55), ("2026-08-10 10:00", 75)],
     "2026-08-12 10:00", ("2026-10-15 10:00", 2_000_000), None),
    # crossed 60 before the period and 70 inside it: counts for 70, not for 60.
    ("C", "2026-05-01", "mid", [("2026-05-01 09:00", 62), ("2026-07-15 10:00", 72)],
     "2026-07-20 10:00", None, None),
    # 45 then 58 in July: at 40 on 1 July, at 50 on 10 July, never at 60.
    ("D", "2026-07-01", "mid", [("2026-07-01 09:00", 45), ("2026-07-10 10:00", 58)],
     None, None, None),
    # 80 in September; its SQL came 37 days later (outside the 30-day window).
    ("E", "2026-09-25", "mid", [("2026-09-25 10:00", 80)], "2026-11-01 10:00", None, None),
    # 61 late in September; SQL 21 days later (in October), won before the cut-off.
    ("F", "2026-09-29", "micro", [("2026-09-29 23:30", 61)], "2026-10-20 10:00",
     ("2026-11-20 10:00", 3_000_000), None),
    # after the period: nobody counts it.
    ("G", "2026-10-02", "mid", [("2026-10-02 10:00", 90)], "2026-10-05 10:00", None, None),
    # no score history: its lead score 66 holds from its creation on 1 August; a lost deal.
    ("H", "2026-08-01", "mid", None, "2026-08-05 10:00", None, None),
    # 70, dropped to 40, back to 75: an MQL at 60 and 70 from the first time (3 July); its
    # deal was won after the cut-off.
    ("I", "2026-07-01", "mid",
     [("2026-07-03 10:00", 70), ("2026-07-10 10:00", 40), ("2026-08-20 10:00", 75)],
     None, ("2026-12-01 10:00", 9_000_000), None),
    # one person in two records: 62 on J1 in July, 71 on J2 in September; SQL 5 days after
    # the 71 (64 days after the 62); won from J2.
    ("J1", "2026-06-01", "mid", [("2026-07-08 10:00", 62)], None, None, "j@example.jp"),
    ("J2", "2026-06-15", "mid", [("2026-09-05 10:00", 71)], "2026-09-10 10:00",
     ("2026-10-30 10:00", 4_000_000), "j@example.jp"),
    # 60 at 01:00 on 1 July Tokyo time (30 June in UTC): in the period.
    ("L", "2026-06-30", "mid", [("2026-07-01 01:00", 60)], None, None, None),
    # 65 at 00:30 on 1 October Tokyo time (30 September in UTC): after the period.
    ("M", "2026-06-30", "mid", [("2026-10-01 00:30", 65)], None, None, None),
]  # fmt: skip

# Counted by hand from PEOPLE: threshold -> (entered, reached SQL within 30 d, won, revenue)
EXPECTED = {
    40: ({"D", "E", "F", "H", "I", "J1", "L"}, {"F", "H"}, {"F", "J1"}, 7_000_000),
    50: ({"A", "D", "E", "F", "H", "I", "J1", "L"}, {"A", "F", "H"}, {"A", "F", "J1"}, 8_000_000),
    60: ({"A", "B", "E", "F", "H", "I", "J1", "L"}, {"A", "B", "F", "H"}, {"A", "B", "F", "J1"},
         10_000_000),
    70: ({"B", "C", "E", "I", "J1"}, {"B", "C", "J1"}, {"B", "J1"}, 6_000_000),
    80: ({"E"}, set(), set(), 0),
}  # fmt: skip


def write_people(con) -> None:
    leads, history, events, opps = [], [], [], []
    for key, created, size, scores, sql, won, email in PEOPLE:
        leads.append(
            {
                "lead_id": key,
                "source_system": "ma",
                "created_at": at(f"{created} 08:00"),
                "email": email,
                "company_name": f"{key} KK",
                "company_size": size,
                "score": 66 if scores is None else scores[-1][1],
            }
        )
        events.append((key, "lead", at(f"{created} 08:00")))
        history += [(key, at(when), score) for when, score in scores or []]
        if sql:
            events.append((key, "sql", at(sql)))
        if won:
            events.append((key, "won", at(won[0])))
            opps.append((f"OP-{key}", key, float(won[1]), at("2026-06-20 10:00"), at(won[0]), True))
    opps.append(("OP-H", "H", 5_000_000.0, at("2026-08-10 10:00"), at("2026-09-10 10:00"), False))
    frames = {
        "leads": pd.DataFrame(leads),
        "score_changes": pd.DataFrame(history, columns=["lead_id", "changed_at", "score"]),
        "stage_events": pd.DataFrame(
            [(k, s, w, "test") for k, s, w in events],
            columns=["lead_id", "stage", "entered_at", "source_system"],
        ),
        "opportunities": pd.DataFrame(
            [(*o, "Closed", "JPY", "test") for o in opps],
            columns=[
                "opportunity_id",
                "lead_id",
                "amount",
                "created_at",
                "closed_at",
                "is_won",
                "stage",
                "currency",
                "source_system",
            ],
        ),
    }
    replace_tables(con, frames, source="hand-made what-if store")
    resolve_identities(con)


@pytest.fixture
def funnel(con) -> Funnel:
    write_people(con)
    return Funnel(con, definitions(), timezone=TZ, cutoff=CUTOFF)


# --- rules: the threshold of a rule ------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "found", "replaced"),
    [
        ("score >= 60", ("score", ">=", 60), "score >= 72"),
        ("score >= 60 and company_size != 'micro'", ("score", ">=", 60),
         "score >= 72 and company_size != 'micro'"),
        ("industry == '製造業' and score>60.5", ("score", ">", 60.5),
         "industry == '製造業' and score>72"),
        ("score < -5", ("score", "<", -5), "score < 72"),
        ("40 <= score < 60", ("score", "<", 60), "40 <= score < 72"),
        ("score >= 60 or score >= 70", None, None),
        ("channel in ['webinar', 'referral']", None, None),
        ("score == 60", None, None),
    ],
)  # fmt: skip
def test_rule_threshold_and_replacement(rule, found, replaced):
    assert rule_threshold(rule) == found
    if replaced is None:
        with pytest.raises(ValueError, match="not exactly one"):
            with_threshold(rule, 72)
    else:
        assert with_threshold(rule, 72) == replaced
        assert with_threshold(rule, 72.0) == replaced  # a whole float is written as an integer
    if found is not None:
        assert with_threshold(rule, 62.5).count("62.5") == 1


def test_with_threshold_rejects_non_numbers():
    for bad in (float("nan"), float("inf"), True, "70"):
        with pytest.raises(ValueError, match="finite number"):
            with_threshold("score >= 60", bad)


# --- which stages, which grid ------------------------------------------------------------------


def test_threshold_stages_and_skipped():
    (stage,) = threshold_stages(definitions())
    assert (stage.key, stage.column, stage.operator, stage.value) == ("mql", "score", ">=", 60)
    assert (stage.next_stage, stage.last_stage, stage.metric, stage.window) == (
        "sql", "won", "mql_to_sql", "30d",
    )  # fmt: skip
    assert skipped_stages(definitions()) == {}
    channel = definitions("channel in ['webinar', 'referral']")
    assert threshold_stages(channel) == []
    assert skipped_stages(channel) == {"mql": "no_threshold"}
    assert skipped_stages(definitions(mql_last=True)) == {"mql": "last_stage"}
    for lang in ("ja", "en"):
        note = skipped_html(channel, lang=lang).html
        assert "channel in [&#x27;webinar&#x27;, &#x27;referral&#x27;]" in note
        assert skipped_html(definitions(), lang=lang).html == ""


def test_threshold_grid():
    assert threshold_grid(60, low=0, high=100) == list(range(30, 95, 5))
    assert threshold_grid(60, low=0, high=70) == list(range(30, 75, 5))  # clipped to the range
    assert threshold_grid(62, low=0, high=100) == [30, 35, 40, 45, 50, 55, 60, 62, 65, 70, 75,
                                                  80, 85, 90]  # fmt: skip
    grid = threshold_grid(0.6, low=0.0, high=1.0)
    assert grid[0] == pytest.approx(0.3) and grid[-1] == pytest.approx(0.9) and len(grid) == 13
    assert threshold_grid(60, low=None, high=None) == list(range(30, 95, 5))


# --- the sweep on the hand-made store ----------------------------------------------------------


def test_rule_entries_first_held_per_person(funnel):
    people = funnel.rule_entries(
        "mql", {"60": "score >= 60", "70": "score >= 70"}, start=START, end=END,
        reached=["sql"],
    )  # fmt: skip
    got = people.set_index(["variant", "person_id"])
    assert set(got.loc["60"].index) == EXPECTED[60][0]
    assert set(got.loc["70"].index) == EXPECTED[70][0]
    # I: first held on 3 July at 60 and at 70, though it dropped below and rose again
    assert got.loc[("60", "I"), "entered_at"] == at("2026-07-03 10:00")
    assert got.loc[("70", "I"), "entered_at"] == at("2026-07-03 10:00")
    # J: one person; at 60 from record J1 (8 July), at 70 from record J2 (5 September)
    assert got.loc[("60", "J1"), "entered_at"] == at("2026-07-08 10:00")
    assert got.loc[("70", "J1"), "entered_at"] == at("2026-09-05 10:00")
    assert got.loc[("70", "J1"), "sql_at"] == at("2026-09-10 10:00")
    # H: no score history, the lead's score from its creation; F's deal won before the cut-off
    assert got.loc[("60", "H"), "entered_at"] == at("2026-08-01 08:00")
    assert got.loc[("60", "F"), "won_amount"] == 3_000_000
    assert got.loc[("60", "I"), "won_amount"] == 0  # won after the cut-off
    with pytest.raises(ParameterError, match="'sql' is not a rule stage"):
        funnel.rule_entries("sql", {"x": "score >= 1"}, start=START, end=END)


def test_sweep_equals_hand_count(funnel):
    sweep = threshold_sweep(funnel, "mql", start=START, end=END, values=THRESHOLDS)
    assert list(sweep.columns) == SWEEP_COLUMNS
    assert list(sweep["threshold"]) == THRESHOLDS
    assert list(sweep["current"]) == [v == 60 for v in THRESHOLDS]
    assert list(sweep["rule"]) == [f"score >= {v}" for v in THRESHOLDS]
    for row in sweep.itertuples():
        entered, reached, won, revenue = EXPECTED[row.threshold]
        assert (row.entered, row.reached_next, row.won, row.revenue) == (
            len(entered), len(reached), len(won), revenue,
        ), row.threshold  # fmt: skip
        assert row.next_rate == pytest.approx(len(reached) / len(entered))
    at70 = sweep.set_index("threshold").loc[70]
    assert at70["delta_entered_pct"] == pytest.approx(5 / 8 - 1)
    assert at70["delta_rate_points"] == pytest.approx(3 / 5 - 4 / 8)
    assert at70["next_kept"] == pytest.approx(3 / 4)
    assert at70["revenue_share"] == pytest.approx(0.6)
    assert at70["revenue_delta"] == -4_000_000
    # the window (30 days after 30 September) had passed by 23 November, 53 days after the end
    assert sweep["mature"].all() and set(sweep["days_after"]) == {53}


def test_sweep_at_current_threshold_equals_the_funnel(funnel):
    sweep = threshold_sweep(funnel, "mql", start=START, end=END, values=np.array([70, 50]))
    assert list(sweep["threshold"]) == [50, 60, 70]  # the current threshold is always added
    current = sweep[sweep["current"]].iloc[0]
    frame = funnel.metric_frame(["mql", "mql_to_sql"], [Q2]).set_index("metric")
    assert current["entered"] == frame.loc["mql", "value"] == 8
    assert current["reached_next"] == frame.loc["mql_to_sql", "numerator"] == 4
    assert current["entered"] == frame.loc["mql_to_sql", "denominator"]


def test_default_grid_uses_observed_range(funnel):
    sweep = threshold_sweep(funnel, "mql", start=START, end=END)
    # scores 40..90 -> a step of 5 (the round number above 50 / 20), 30..90 clipped to 40..90
    assert list(sweep["threshold"]) == list(range(40, 95, 5))
    assert sweep.set_index("threshold").loc[65, "entered"] == 7  # A B C E H I J at 65 or more


def test_a_cutoff_hides_later_events(con):
    write_people(con)
    early = Funnel(con, definitions(), timezone=TZ, cutoff=at("2026-10-16 00:00"))
    row = threshold_sweep(early, "mql", start=START, end=END, values=[60]).iloc[0]
    # F's SQL (20 Oct) and the wins of J (30 Oct) and F (20 Nov) are not known yet; A and B
    # (15 Oct) had won; the window of late-September MQLs has not passed
    assert (row["entered"], row["reached_next"], row["won"], row["revenue"]) == (8, 3, 2, 3e6)
    assert not row["mature"] and row["days_after"] == 15


def test_compare_rule_on_a_compound_rule(funnel):
    rule = "score >= 60 and company_size != 'micro'"
    out = compare_rule(funnel, "mql", rule, start=START, end=END)
    assert list(out.columns) == COMPARE_COLUMNS
    assert list(out["variant"]) == ["current", "proposed", "change"]
    assert list(out["rule"]) == ["score >= 60", rule, None]
    figures = out.set_index("variant")[["entered", "reached_next", "won", "revenue"]]
    # A and F are micro companies: B E H I J L stay; of them B and H reached SQL, B and J won
    assert figures.loc["current"].tolist() == [8, 4, 4, 10_000_000]
    assert figures.loc["proposed"].tolist() == [6, 2, 2, 6_000_000]
    assert figures.loc["change"].tolist() == [-2, -2, -2, -4_000_000]
    assert out.set_index("variant").loc["change", "next_rate"] == pytest.approx(2 / 6 - 4 / 8)


@pytest.mark.parametrize(
    ("rule", "why"),
    [
        ("scor >= 70", "unknown column 'scor'"),
        ("score >= 70; DROP TABLE leads", "not a valid expression"),
        ("len(score) > 3", "function calls are not allowed"),
        ("", "it is empty"),
    ],
)
def test_bad_rule_message(funnel, rule, why):
    with pytest.raises(ParameterError) as info:
        compare_rule(funnel, "mql", rule, start=START, end=END)
    message = str(info.value)
    assert message.startswith(f"what_if_rule: {rule!r} is not a valid rule")
    assert why in message
    for allowed in ("company_size", "score", "<=", "not in", "and / or / not", "fix it"):
        assert allowed in message


def test_bad_parameters(funnel):
    with pytest.raises(ParameterError, match=r"stage: 'sql' cannot be swept.*\['mql'\]"):
        threshold_sweep(funnel, "sql", start=START, end=END)
    with pytest.raises(ParameterError, match="values: "):
        threshold_sweep(funnel, "mql", start=START, end=END, values=[50, math.nan])
    with pytest.raises(ParameterError, match="start/end"):
        threshold_sweep(funnel, "mql", start=END, end=START)
    with pytest.raises(ParameterError, match=r"stage: 'won' is not a rule stage.*\['mql'\]"):
        compare_rule(funnel, "won", "score >= 1", start=START, end=END)


def test_suggest_threshold():
    def sweep(rows):
        frame = pd.DataFrame(rows, columns=["threshold", "current", "entered", "reached_next"])
        return frame.assign(next_rate=frame["reached_next"] / frame["entered"])

    base = [(50, False, 300, 101), (60, True, 200, 100), (65, False, 150, 97), (70, False, 120, 95),
            (75, False, 100, 90)]  # fmt: skip
    # 65 and 70 keep >= 95 of 100 SQLs with fewer MQLs; 70 admits fewer: the strictest
    assert suggest_threshold(sweep(base)) == 70
    assert suggest_threshold(sweep([r for r in base if r[0] not in (65, 70)])) is None
    assert suggest_threshold(sweep([(60, True, 200, 0), (70, False, 100, 0)])) is None


def test_html_and_chart(funnel):
    sweep = threshold_sweep(funnel, "mql", start=START, end=END, values=THRESHOLDS)
    proposal = "score >= 60 and industry != '<b>x</b>'"
    comparison = compare_rule(funnel, "mql", proposal, start=START, end=END)
    defs = funnel.definitions
    for lang in ("ja", "en"):
        html = whatif_html(sweep, comparison, definitions=defs, stage="mql",
                           period_name=format_period(Q2, lang=lang), lang=lang,
                           currency="JPY").html  # fmt: skip
        assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
        lead = re.search(r'<p class="rk-lead">(.*?)</p>', html)[1]
        # the current figures and the two-steps-stricter (80) and looser (40) alternatives
        for text in (format_count(8, lang=lang), format_pct(0.5, lang=lang),
                     format_money(10_000_000, currency="JPY", lang=lang),
                     format_pct(-1 / 8, lang=lang, signed=True),
                     format_pct(7 / 8 - 1, lang=lang, signed=True)):  # fmt: skip
            assert text in lead, (lang, text, lead)
        # the days of history the cut-off allowed after the period, said once
        assert html.count(escape(t("whatif.revenue_note", lang, days=53))) == 1
        chart = sweep_chart(sweep, stage_label="MQL", next_label="SQL", kgi_label="Revenue won",
                            lang=lang, currency="JPY")  # fmt: skip
        spec = chart.spec  # validated against the Vega-Lite schema
        values = next(iter(spec["datasets"].values()))
        assert [v["entered"] for v in values] == [7, 8, 8, 5, 1]
        assert "60" in chart.description


def test_every_text_in_both_languages():
    assert WHATIF_TEXTS and all(k.startswith("whatif.") for k in WHATIF_TEXTS)
    for key, texts in WHATIF_TEXTS.items():
        assert set(texts) == {"ja", "en"}, key
        fields = [set(re.findall(r"{(\w+)}", texts[lang])) for lang in ("ja", "en")]
        assert fields[0] == fields[1], key


# --- part 2: the sample company ----------------------------------------------------------------


@pytest.fixture(scope="module")
def review(sample_workspace):
    return rk.open_review("quarterly", workspace=str(sample_workspace.root), as_of="2026-11-23",
                          lang="en")  # fmt: skip


@pytest.fixture(scope="module")
def sample_sweep(review):
    p = review.period
    return threshold_sweep(review.funnel, "mql", start=p.start, end=p.end)


def plain_pandas_counts(con, threshold: float, *, cutoff: dt.datetime) -> tuple:
    """MQLs at ``threshold`` in FY2026 Q2 and what became of them, from the raw tables."""
    ident = con.execute("SELECT lead_id, person_id FROM lead_identity").df()
    leads = con.execute("SELECT lead_id, created_at AS changed_at, score FROM leads").df()
    changes = con.execute("SELECT lead_id, changed_at, score FROM score_changes").df()
    history = pd.concat([changes, leads[~leads["lead_id"].isin(changes["lead_id"])]])
    history = history.merge(ident, on="lead_id")
    first = history[history["score"] >= threshold].groupby("person_id")["changed_at"].min()
    day = first.dt.tz_convert(TZ).dt.date
    first = first[(day >= Q2.start) & (day < Q2.end) & (first < cutoff)]
    events = con.execute("SELECT lead_id, stage, entered_at FROM stage_events").df()
    events = events.merge(ident, on="lead_id")
    events = events[events["entered_at"] < cutoff].groupby(["person_id", "stage"])["entered_at"]
    sql = events.min().xs("sql", level="stage").reindex(first.index)
    won = events.min().xs("won", level="stage").reindex(first.index)
    reached = (sql < first + pd.Timedelta(days=30)).sum()
    opps = con.execute("SELECT lead_id, amount, closed_at, is_won FROM opportunities").df()
    opps = opps.merge(ident, on="lead_id")
    opps = opps[opps["is_won"].fillna(False) & (opps["closed_at"] < cutoff)]
    revenue = opps.groupby("person_id")["amount"].sum().reindex(first.index).fillna(0).sum()
    return len(first), int(reached), int(won.notna().sum()), float(revenue)


def test_sample_current_threshold_equals_the_funnel(review, sample_sweep):
    current = sample_sweep[sample_sweep["current"]].iloc[0]
    assert current["threshold"] == 60
    frame = review.funnel.metric_frame(["mql", "mql_to_sql"], [review.period])
    frame = frame.set_index("metric")
    assert current["entered"] == frame.loc["mql", "value"] == frame.loc["mql_to_sql", "denominator"]
    assert current["reached_next"] == frame.loc["mql_to_sql", "numerator"]
    assert current["next_rate"] == pytest.approx(frame.loc["mql_to_sql", "value"])


def test_sample_sweep_equals_plain_pandas(review, sample_sweep):
    rows = sample_sweep.set_index("threshold")
    assert list(rows.index) == list(range(30, 95, 5))
    for threshold in (50, 60, 70):
        got = rows.loc[threshold, ["entered", "reached_next", "won", "revenue"]].tolist()
        want = plain_pandas_counts(review.funnel.con, threshold, cutoff=review.funnel.cutoff)
        assert got == pytest.approx(list(want)), threshold


def test_sample_trade_off(sample_sweep):
    rows = sample_sweep.set_index("threshold")
    assert rows["entered"].is_monotonic_decreasing and rows["entered"].is_unique
    current = rows.loc[60]
    # lowering the threshold adds volume but (almost) no SQLs; raising it loses most revenue
    assert rows.loc[50, "entered"] > 2 * current["entered"]
    assert abs(rows.loc[50, "reached_next"] - current["reached_next"]) <= 5
    assert rows.loc[70, "revenue"] < 0.4 * current["revenue"]
    assert suggest_threshold(sample_sweep) is None


def test_sample_compare_current_rule_with_itself(review, sample_sweep):
    p = review.period
    out = compare_rule(review.funnel, "mql", "score >= 60", start=p.start, end=p.end)
    current = sample_sweep[sample_sweep["current"]].iloc[0]
    for column in ("entered", "reached_next", "won", "revenue"):
        assert out[column].tolist() == [current[column], current[column], 0]


# --- which funnels have a what-if (whatif_scope) -----------------------------------------------


def event_only() -> Definitions:
    """lead -> opportunity -> won, every stage an event, a count KGI."""
    keys = ("lead", "opportunity", "won")
    return event_definitions(
        keys, labels={k: {"ja": k, "en": k.title()} for k in keys}, owner="sales", with_kgi=False,
        version="t", agreed_by=("sales",), agreed_on="2026-01-01",
    )  # fmt: skip


def test_the_scope_of_the_what_if_for_each_kind_of_funnel():
    from reviewkit.analysis.whatif_scope import needs_score_history, what_if_scope

    none = what_if_scope(event_only(), score_history=True)
    assert (none.stage, none.sweep, none.reason, none.compares) == (
        None,
        None,
        "events_only",
        False,
    )
    swept = what_if_scope(definitions(), score_history=True)
    assert (swept.stage, swept.sweep.key, swept.reason) == ("mql", "mql", "")
    # a score rule entered when it first holds replays the score history: without it, none
    lacking = what_if_scope(definitions(), score_history=False)
    assert (lacking.stage, lacking.sweep, lacking.reason) == ("mql", None, "score_history")
    assert not lacking.compares
    # entered at creation: the score the lead has is what the definition reads
    created = what_if_scope(definitions(at="created_at"), score_history=False)
    assert created.sweep is not None and created.reason == ""
    assert needs_score_history(definitions().stage("mql"))
    assert not needs_score_history(definitions(at="created_at").stage("mql"))
    assert not needs_score_history(definitions("channel == 'webinar'").stage("mql"))
    # no threshold: a proposed rule can still be compared on the stage
    channel = what_if_scope(definitions("channel in ['webinar']"), score_history=False)
    assert (channel.stage, channel.sweep, channel.reason, channel.compares) == (
        "mql", None, "no_threshold", True,
    )  # fmt: skip
    # a threshold on a text column is refused by the definitions themselves (DuckDB cannot
    # order text against a number): validate names it, so no pack has to sweep it
    with pytest.raises(ValidationError, match="'company_size' holds text"):
        definitions("company_size >= 5")
    last = what_if_scope(definitions(mql_last=True), score_history=True)
    assert (last.stage, last.reason) == (None, "no_threshold")


def test_a_proposed_rule_needs_a_rule_stage_to_be_compared_on():
    from reviewkit.analysis.whatif_scope import check_what_if_rule

    assert (
        check_what_if_rule(event_only(), "") == "" and check_what_if_rule(event_only(), None) == ""
    )
    assert check_what_if_rule(definitions(), " score >= 70 ") == "score >= 70"
    with pytest.raises(ParameterError) as error:
        check_what_if_rule(event_only(), "score >= 70")
    message = str(error.value)
    assert message.startswith("what_if_rule: 'score >= 70' has no stage to be compared on: ")
    assert "every stage is an event" in message and "lead -> opportunity -> won" in message
    assert 'rule: "score >= 60"' in message and "\n" not in message
    with pytest.raises(ParameterError, match=r"its only rule stages \(mql\) are last"):
        check_what_if_rule(definitions(mql_last=True), "score >= 70")
    with pytest.raises(ParameterError, match=r"^what_if_rule: 'score >=' is not a valid rule"):
        check_what_if_rule(definitions(), "score >=")


def test_why_there_is_no_what_if_in_one_line():
    from reviewkit.analysis.whatif_scope import what_if_scope
    from reviewkit.present.sections.whatif import absent_html

    for lang in ("ja", "en"):
        events = absent_html(what_if_scope(event_only(), score_history=True),
                             definitions=event_only(), lang=lang)  # fmt: skip
        assert events.html.count("<p") == 1 and 'class="rk-missing"' in events.html
        stages = "Lead → Opportunity → Won" if lang == "en" else "lead → opportunity → won"
        assert events.text == t("whatif.events_only", lang, stages=stages)
        scope = what_if_scope(definitions(), score_history=False)
        lacking = absent_html(scope, definitions=definitions(), lang=lang)
        assert lacking.html.count("<p") == 1 and "score_changes" in lacking.text
        assert "score &gt;= 60" in lacking.html
        swept = what_if_scope(definitions(), score_history=True)
        assert absent_html(swept, definitions=definitions(), lang=lang).html == ""


def test_a_count_kgi_has_no_revenue_in_the_what_if(con):
    write_people(con)
    funnel = Funnel(con, definitions(count=True), timezone=TZ, cutoff=CUTOFF)
    sweep = threshold_sweep(funnel, "mql", start=START, end=END, values=THRESHOLDS)
    comparison = compare_rule(funnel, "mql", "score >= 70", start=START, end=END)
    for lang in ("ja", "en"):
        html = whatif_html(sweep, comparison, definitions=funnel.definitions, stage="mql",
                           period_name=format_period(Q2, lang=lang), lang=lang,
                           currency="BRL").html  # fmt: skip
        assert "R$" not in html and "Revenue" not in html and "受注金額" not in html
        lead = re.search(r'<p class="rk-lead">(.*?)</p>', html)[1]
        # at 60, four of the eight MQLs won by the cut-off (A, B, F, J1): counted by hand
        current = t("whatif.lead_count", lang, value="60", entered=format_count(8, lang=lang),
                    period=format_period(Q2, lang=lang), stage="MQL", next="SQL", last="WON",
                    rate=format_pct(0.5, lang=lang), window=duration_words("30d", lang=lang),
                    won=format_count(4, lang=lang))  # fmt: skip
        assert escape(current) in lead
        assert escape(t("whatif.won_note", lang, days=53, last="WON")) in html
        heads = re.findall(r"<th[^>]*>(.*?)</th>", html)
        assert len(heads) == 8 + 6  # the sweep without revenue columns, the comparison too
    chart = sweep_chart(sweep, stage_label="MQL", next_label="SQL", kgi_label="x", lang="en",
                        currency="BRL", last_label="WON", revenue=False)  # fmt: skip
    tooltips = [tip["title"] for tip in chart.spec["layer"][0]["layer"][0]["encoding"]["tooltip"]]
    assert "WON (people)" in tooltips and "x" not in tooltips


def test_a_sweep_on_scores_taken_at_creation_says_so(con):
    write_people(con)
    funnel = Funnel(con, definitions(at="created_at"), timezone=TZ, cutoff=CUTOFF)
    sweep = threshold_sweep(funnel, "mql", start=START, end=END, values=THRESHOLDS)
    html = whatif_html(sweep, None, definitions=funnel.definitions, stage="mql",
                       period_name="Q2", lang="en", currency="JPY").html  # fmt: skip
    assert "to each lead&#x27;s score" in html and "score history" not in html
