"""The quarterly trends: a hand-made store with every number worked out by hand, then the
sample company's FY2026-Q2 recounted with plain pandas, then the table and the chart.

The hand-made funnel is lead -> mql -> sql -> won (event stages, cohort rates within 90 days,
revenue as the KGI). The review quarter is FY2026-Q2 (Jul..Sep 2026), compared with FY2026-Q1
(Apr..Jun 2026) and FY2025-Q2 (Jul..Sep 2025). Times are Tokyo time.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import pytest
import vl_convert
from builders import (
    CAL,
    JST,
    SAMPLE_CUTOFF,
    TZ,
    at,
    event_definitions,
    expected_actuals,
    write_store,
)

from reviewkit.analysis.trends import SERIES_COLUMNS, TREND_COLUMNS, quarter_series, quarter_trends
from reviewkit.core.periods import parse_period, periods_before
from reviewkit.i18n.formatting import format_period
from reviewkit.model.definitions import Definitions
from reviewkit.present.charts.trends import rates_chart
from reviewkit.present.sections.trends import trends_table
from reviewkit.semantic.funnel import Funnel

Q2 = parse_period("FY2026-Q2", calendar=CAL)
CUTOFF = dt.datetime(2026, 11, 11, tzinfo=JST)  # 41 days after FY2026-Q2 ended
STAGES = ("lead", "mql", "sql", "won")
LABELS = {
    "lead": {"ja": "リード", "en": "Lead <b>"},  # a tag in a label must be escaped
    "mql": {"ja": "MQL", "en": "MQL"},
    "sql": {"ja": "SQL", "en": "SQL"},
    "won": {"ja": "受注", "en": "Won"},
}


def hand_definitions() -> Definitions:
    return event_definitions(
        STAGES, labels=LABELS, kgi={"label": {"ja": "受注金額", "en": "Revenue"}},
        metrics=[{"key": "average_deal_size", "type": "average_deal_size"}],
    )  # fmt: skip


# person: lead, mql, sql, won (None: never), amount won
PEOPLE = [
    # FY2026-Q2: 6 leads; MQLs A1, A2, A6 in the quarter (A3 in October, 71 days after its
    # lead); SQL A1 (A2 in October, 77 days after its MQL); won A1 in August.
    ("A1", "2026-07-01 09:00", "2026-07-02 09:00", "2026-07-10 09:00", "2026-08-01 09:00", 3e6),
    ("A2", "2026-07-15 09:00", "2026-07-20 09:00", "2026-10-05 09:00", None, 0),
    ("A3", "2026-08-10 09:00", "2026-10-20 09:00", None, None, 0),
    ("A4", "2026-09-30 23:30", None, None, None, 0),
    ("A5", "2026-09-01 09:00", None, None, None, 0),
    ("A6", "2026-08-01 09:00", "2026-08-05 09:00", None, None, 0),
    # FY2026-Q1: 4 leads, 3 MQLs, 2 SQLs, 2 won (the second at 23:00 on June 30th)
    ("B1", "2026-04-05 09:00", "2026-04-06 09:00", "2026-04-10 09:00", "2026-05-01 09:00", 1e6),
    ("B2", "2026-05-01 09:00", "2026-05-02 09:00", "2026-05-03 09:00", "2026-06-30 23:00", 2e6),
    ("B3", "2026-06-01 09:00", "2026-06-05 09:00", None, None, 0),
    ("B4", "2026-06-10 09:00", None, None, None, 0),
    # FY2025-Q2: 5 leads, 1 MQL (C4's comes 96 days after its lead, in December), 1 SQL
    ("C1", "2025-07-01 09:00", "2025-07-05 09:00", "2025-08-01 09:00", None, 0),
    ("C2", "2025-08-01 09:00", None, None, None, 0),
    ("C3", "2025-09-01 09:00", None, None, None, 0),
    ("C4", "2025-09-15 09:00", "2025-12-20 09:00", None, None, 0),
    ("C5", "2025-07-20 09:00", None, None, None, 0),
]


def hand_store(con):
    events = [
        (person, stage, at(when))
        for person, *times, _ in PEOPLE
        for stage, when in zip(STAGES, times, strict=True)
        if when
    ]
    deals = [
        (f"O-{p}", p, amount, "2026-01-01 09:00", won, True) for p, *_, won, amount in PEOPLE if won
    ]
    leads = [{"lead_id": p, "channel": "webinar"} for p, *_ in PEOPLE]
    return write_store(con, leads, events, opportunities=deals)


def hand_funnel(con, cutoff=CUTOFF) -> Funnel:
    return Funnel(con, hand_definitions(), timezone=TZ, cutoff=cutoff)


@pytest.fixture
def hand(con):
    return hand_store(con)


def same(got: float, want: float) -> bool:
    if math.isnan(want):
        return math.isnan(got)
    return got == pytest.approx(want, rel=1e-12, abs=1e-12)


NAN = math.nan
# metric: kind, actual, previous, qoq, last year, yoy (rates: changes in points)
EXPECTED = {
    "lead": ("count", 6, 4, 0.5, 5, 0.2),
    "mql": ("count", 3, 3, 0.0, 1, 2.0),
    "sql": ("count", 1, 2, -0.5, 1, 0.0),
    "won": ("count", 1, 2, -0.5, 0, NAN),  # no win a year ago: no relative change
    # of the 6 leads, A1, A2, A3 (71 days) and A6 reached MQL; Q1 3 of 4; a year ago C1 only
    "lead_to_mql": ("rate", 4 / 6, 3 / 4, (4 / 6 - 3 / 4) * 100, 1 / 5, (4 / 6 - 1 / 5) * 100),
    # MQLs A1, A2, A6: A1 and A2 (77 days) reached SQL; Q1 B1, B2 of 3; a year ago C1 of 1
    "mql_to_sql": ("rate", 2 / 3, 2 / 3, 0.0, 1.0, (2 / 3 - 1) * 100),
    "sql_to_won": ("rate", 1.0, 1.0, 0.0, 0.0, 100.0),
    "average_deal_size": ("amount", 3e6, 1.5e6, 1.0, NAN, NAN),  # no win a year ago
    "revenue": ("amount", 3e6, 3e6, 0.0, 0.0, NAN),
}


def test_quarter_trends_by_hand(hand):
    frame = quarter_trends(hand_funnel(hand), Q2, calendar=CAL)
    assert list(frame.columns) == TREND_COLUMNS
    assert list(frame["metric"]) == list(EXPECTED)
    for r in frame.to_dict("records"):
        kind, *values = EXPECTED[r["metric"]]
        assert r["kind"] == kind
        for column, want in zip(["actual", "previous", "qoq", "last_year", "yoy"], values,
                                strict=True):  # fmt: skip
            assert same(float(r[column]), float(want)), (r["metric"], column, r[column], want)
    periods = frame.attrs["periods"]
    assert [p.label for p in periods.values()] == ["FY2026-Q2", "FY2026-Q1", "FY2025-Q2"]


def test_maturity_of_the_quarter_whose_window_has_not_elapsed(hand):
    frame = quarter_trends(hand_funnel(hand), Q2, calendar=CAL).set_index("metric")
    rates = ["lead_to_mql", "mql_to_sql", "sql_to_won"]
    assert (frame.loc[rates, "basis"] == "cohort").all()
    # FY2026-Q2 ended on 2026-10-01; 41 of its 90 days had passed by the 11 November cut-off
    assert not frame.loc[rates, "mature"].any()
    assert frame.loc[rates, "maturity"].tolist() == pytest.approx([41 / 90] * 3)
    # FY2026-Q1's window ended on 2026-09-29, FY2025-Q2's long ago: both final
    assert frame.loc[rates, "previous_mature"].all()
    assert frame.loc[rates, "last_year_mature"].all()
    counts = ["lead", "mql", "sql", "won", "average_deal_size", "revenue"]
    assert frame.loc[counts, "mature"].all()
    assert (frame.loc[counts, "maturity"] == 1.0).all()
    assert (frame.loc[counts, "basis"] == "period").all()


def test_maturing_rates_are_also_counted_at_equal_age_by_hand(hand):
    """On 11 November FY2026-Q2's youngest have had 41 days: every quarter counted at 41 days."""
    frame = quarter_trends(hand_funnel(hand), Q2, calendar=CAL).set_index("metric")
    assert (frame.loc[["lead_to_mql", "mql_to_sql", "sql_to_won"], "equal_days"] == 41).all()
    # lead to MQL within 41 days: A1 (1 day), A2 (5), A6 (4) of 6 (A3 took 71); B1, B2, B3 of
    # 4; a year ago C1 (4 days) of 5 (C4 took 96)
    got = frame.loc["lead_to_mql", ["equal_actual", "equal_previous", "equal_last_year"]]
    assert list(got) == pytest.approx([3 / 6, 3 / 4, 1 / 5])
    # MQL to SQL within 41 days: A1 (8 days) of A1, A2, A6 (A2 took 77); B1, B2 of 3; C1 of 1
    got = frame.loc["mql_to_sql", ["equal_actual", "equal_previous", "equal_last_year"]]
    assert list(got) == pytest.approx([1 / 3, 2 / 3, 1.0])
    assert frame.loc[["lead", "revenue"], "equal_days"].isna().all()  # counts and amounts
    table = quarter_trends(hand_funnel(hand), Q2, calendar=CAL)
    html = trends_table(table, definitions=hand_definitions(), lang="en", currency="JPY").html
    assert ">QoQ at 41 days</th>" in html and ">YoY at 41 days</th>" in html
    assert "▼ −25.0 pts" in html  # lead to MQL at 41 days: 50.0 % against 75.0 %


@pytest.mark.parametrize(
    ("cutoff", "mature", "maturity"),
    [
        (dt.datetime(2026, 12, 30, tzinfo=JST), True, 1.0),  # exactly 90 days after 10-01
        (dt.datetime(2026, 12, 29, 23, tzinfo=JST), False, (90 * 24 - 1) / (90 * 24)),
        (dt.datetime(2026, 10, 1, tzinfo=JST), False, 0.0),  # the day after the quarter
        (dt.datetime(2027, 3, 1, tzinfo=JST), True, 1.0),
    ],
)
def test_maturity_agrees_with_the_semantic_layer_at_the_edge(hand, cutoff, mature, maturity):
    frame = quarter_trends(hand_funnel(hand, cutoff), Q2, calendar=CAL).set_index("metric")
    assert bool(frame.loc["lead_to_mql", "mature"]) is mature
    assert frame.loc["lead_to_mql", "maturity"] == pytest.approx(maturity)


def test_quarter_series_by_hand(hand):
    series = quarter_series(hand_funnel(hand), Q2, calendar=CAL, quarters=5)
    assert list(series.columns) == SERIES_COLUMNS
    labels = ["FY2025-Q2", "FY2025-Q3", "FY2025-Q4", "FY2026-Q1", "FY2026-Q2"]
    assert list(dict.fromkeys(series["label"])) == labels
    assert len(series) == 5 * 3
    assert [p.label for p in series["period"]] == list(series["label"])
    assert list(series["start"]) == [p.start for p in series["period"]]
    values = series.set_index(["label", "metric"])
    assert values.loc[("FY2026-Q2", "lead_to_mql"), "value"] == pytest.approx(4 / 6)
    assert values.loc[("FY2026-Q1", "lead_to_mql"), "value"] == pytest.approx(3 / 4)
    assert values.loc[("FY2025-Q2", "lead_to_mql"), "value"] == pytest.approx(1 / 5)
    assert math.isnan(values.loc[("FY2025-Q3", "lead_to_mql"), "value"])  # no leads at all
    immature = set(series.loc[~series["mature"], "label"])
    assert immature == {"FY2026-Q2"}


def test_trends_table_in_both_languages(hand):
    defs = hand_definitions()
    frame = quarter_trends(hand_funnel(hand), Q2, calendar=CAL)
    en = trends_table(frame, definitions=defs, lang="en", currency="JPY").html
    ja = trends_table(frame, definitions=defs, lang="ja", currency="JPY").html
    # quarters named as readers name them
    assert "FY2026 Q2 compared with FY2026 Q1 (previous quarter) and FY2025 Q2" in en
    assert "2026年度 第2四半期の実績を、2026年度 第1四半期（前四半期）" in ja
    for word in ["This quarter", "Previous quarter", "QoQ", "Same quarter last year", "YoY"]:
        assert f">{word}</th>" in en
    for word in ["今四半期", "前四半期", "前四半期比", "前年同四半期", "前年同期比"]:
        assert f">{word}</th>" in ja
    # rate changes in points, counts in per cent, each with an arrow
    assert "▼ −8.3 pts" in en and "▼ −8.3pt" in ja  # lead to MQL: 66.7 % vs 75.0 %
    assert "▲ +46.7 pts" in en  # vs 20.0 % a year ago
    assert "▲ +50.0%" in en and "→ 0.0%" in en and "▼ −50.0%" in en
    # the maturing cohort rates are marked, with the share of the window that has elapsed
    assert en.count("66.7% ◔") == 2  # lead to MQL and MQL to SQL, both 2/3 of 3 or 6
    assert en.count("100.0% ◔") == 1  # SQL to won; a year ago's 0.0 % is final
    assert ">75.0%</td>" in en and "75.0% ◔" not in en  # FY2026-Q1's window has elapsed
    assert "Only 45.6% of the window (90 days) has elapsed" in en
    assert "期限（90日）のうち45.6%しか経過していません" in ja
    assert "not a miss" in en and "未達とは判断しません" in ja
    # the basis of the rates, in the caption
    assert "Cohort (within 90 days)" in en and "コホート（90日以内）" in ja
    # a maturing rate's change is not painted as a miss
    row = re.search(r"<tr>\s*<td[^>]*>Lead &lt;b&gt; to MQL rate</td>(.*?)</tr>", en, re.S)
    assert row and "rk-missed" not in row.group(1)
    assert "<b>" not in en and "Lead &lt;b&gt;" in en


def test_trends_table_needs_the_frame_of_quarter_trends(hand):
    frame = quarter_trends(hand_funnel(hand), Q2, calendar=CAL)
    frame.attrs = {}
    with pytest.raises(ValueError, match="quarter_trends"):
        trends_table(frame, definitions=hand_definitions(), lang="en", currency="JPY")


# --- the sample company --------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_trends(sample_funnel):
    return quarter_trends(sample_funnel, Q2, calendar=CAL)


def test_sample_trends_equal_a_pandas_recount(sample_trends, expected_inputs, definitions):
    stages = definitions.stage_keys
    quarters = {
        "actual": Q2,
        "previous": parse_period("FY2026-Q1", calendar=CAL),
        "last_year": parse_period("FY2025-Q2", calendar=CAL),
    }
    expected = {k: expected_actuals(expected_inputs, p, stages) for k, p in quarters.items()}
    _, won, _ = expected_inputs
    frame = sample_trends.set_index("metric")
    assert expected["actual"]["lead"] > 1000  # the recount is not vacuous
    for column, want in expected.items():
        for stage in stages:
            assert frame.loc[stage, column] == want[stage], (stage, column)
        assert abs(frame.loc["revenue", column] - want["revenue"]) <= 1, column
        # average deal size = revenue / deals won with a close date in the quarter
        p = quarters[column]
        deals = ((won["day"] >= p.start) & (won["day"] < p.end)).sum()
        assert frame.loc["average_deal_size", column] == pytest.approx(want["revenue"] / deals)
    for stage in stages:
        got = frame.loc[stage, "qoq"]
        assert got == pytest.approx(expected["actual"][stage] / expected["previous"][stage] - 1)
    # maturity at the demo date: 53 of 90 days for the 90-day cohorts; MQL -> SQL (30 days)
    assert not frame.loc["lead_to_mql", "mature"]
    assert frame.loc["lead_to_mql", "maturity"] == pytest.approx(53 / 90)
    assert frame.loc["mql_to_sql", "mature"] and frame.loc["mql_to_sql", "maturity"] == 1.0
    assert dt.datetime(2026, 11, 23, tzinfo=JST) == SAMPLE_CUTOFF


def test_sample_rates_chart_has_eight_quarters_and_hollow_maturing_points(
    sample_funnel, definitions
):
    series = quarter_series(sample_funnel, Q2, calendar=CAL)
    quarters = [*periods_before(Q2, 7, calendar=CAL), Q2]
    assert list(dict.fromkeys(series["label"])) == [p.label for p in quarters]
    immature = series[~series["mature"]]
    # the three 90-day cohorts of the last quarter are maturing; MQL -> SQL (30 days) is not
    assert set(immature["label"]) == {"FY2026-Q2"}
    assert sorted(immature["metric"]) == ["lead_to_mql", "opportunity_to_won", "sql_to_opportunity"]
    for lang in ("ja", "en"):
        chart = rates_chart(series, definitions=definitions, lang=lang)
        spec = chart.spec
        names = [format_period(p, lang=lang) for p in quarters]
        assert spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == names
        rows = next(iter(spec["datasets"].values()))
        assert {r["quarter"] for r in rows} == set(names)
        assert sum(not r["mature"] for r in rows) == 3
        hollow = [layer for layer in spec["layer"] if layer.get("transform")
                  and {"filter": "!datum.mature"} in layer["transform"]]  # fmt: skip
        assert len(hollow) == 1 and hollow[0]["mark"]["color"] == "white"
    assert "Hollow points are cohorts whose window has not elapsed" in chart.description
    # drawn: 32 points, three of them with a white centre
    svg = vl_convert.vegalite_to_svg(chart.spec)
    marks = dict(re.findall(r'<g class="mark-symbol role-mark (layer_\d)_marks"[^>]*>(.*?)</g>',
                            svg, re.S))  # fmt: skip
    assert marks["layer_1"].count("<path") == 32
    assert marks["layer_2"].count("<path") == 3
    assert "Hollow: maturing (window not yet elapsed)" in svg
    assert "Final (window elapsed)" in svg


def test_sample_table_names_the_quarters(sample_trends, definitions):
    ja = trends_table(sample_trends, definitions=definitions, lang="ja", currency="JPY").html
    assert "2026年度 第2四半期" in ja and "2025年度 第2四半期" in ja
    assert "コホート（30日以内）: MQL→SQL 転換率" in ja
    assert ja.count("集計途中。") == 1  # one note for the three rates with the same window
