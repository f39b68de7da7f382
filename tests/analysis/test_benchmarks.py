"""Published benchmarks: the shipped file, its checks, and positions on a hand-made store.

The hand-made funnel is lead -> opportunity -> won (event stages; ``lead_to_opportunity`` is a
cohort rate within 90 days). The quarter is FY2026-Q2 (Jul..Sep 2026); times are Tokyo time.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest
from builders import CAL, JST, TZ, at, event_definitions, write_store

from reviewkit.analysis.benchmark_positions import (
    BENCHMARK_COLUMNS,
    benchmark_positions,
    position_of,
)
from reviewkit.analysis.benchmarks import Benchmark, Benchmarks, load_benchmarks
from reviewkit.core.periods import parse_period
from reviewkit.errors import ConfigError
from reviewkit.model.definitions import Definitions, load_definitions
from reviewkit.present.sections.benchmarks import benchmarks_html
from reviewkit.semantic.funnel import Funnel

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "params" / "benchmarks.yml"
Q2 = parse_period("FY2026-Q2", calendar=CAL)
FAR = dt.datetime(2027, 6, 1, tzinfo=JST)  # every window has elapsed
ADS = ("paid_search", "display")


@pytest.fixture(scope="module")
def shipped_definitions() -> Definitions:
    return load_definitions(REPO / "params" / "definitions.yml")


# --- the shipped file ----------------------------------------------------------------------


def test_the_shipped_file_loads_against_the_shipped_definitions(shipped_definitions):
    benchmarks = load_benchmarks(SHIPPED, definitions=shipped_definitions)
    assert benchmarks.path == str(SHIPPED)
    assert [b.key for b in benchmarks] == [
        "ad_lead_to_opportunity", "mql_to_sql_range_a", "mql_to_sql_range_b",
    ]  # fmt: skip
    ad = benchmarks.get("ad_lead_to_opportunity")
    assert (ad.metric, ad.low, ad.high, ad.year) == ("lead_to_opportunity", 0.11, 0.20, 2025)
    assert ad.segment == {"channel": ["paid_search", "display"]}
    assert ad.sample is not None and ad.sample("en") == "330 B2B marketers, Japan"
    ranges = [(b.metric, b.low, b.high) for b in benchmarks if b.metric == "mql_to_sql"]
    assert ranges == [("mql_to_sql", 0.13, 0.22), ("mql_to_sql", 0.30, 0.50)]
    # the speed-to-lead finding is a relative effect, not a range: left out
    assert {b.metric for b in benchmarks} == {"lead_to_opportunity", "mql_to_sql"}
    for b in benchmarks:
        assert b.label("ja") and b.label("en") and b.caveat("ja") and b.caveat("en")


def test_a_new_workspace_gets_the_shipped_benchmarks(sample_workspace, shipped_definitions):
    benchmarks = load_benchmarks(sample_workspace, definitions=shipped_definitions)
    assert len(benchmarks) == 3
    assert benchmarks.path == str(sample_workspace.params_dir / "benchmarks.yml")


def test_a_missing_file_means_no_benchmarks(tmp_path, shipped_definitions):
    benchmarks = load_benchmarks(tmp_path / "benchmarks.yml", definitions=shipped_definitions)
    assert benchmarks.is_empty and len(benchmarks) == 0
    for lang, words in [("en", "No benchmarks are configured"), ("ja", "設定されていません")]:
        html = benchmarks_html(
            pd.DataFrame(columns=BENCHMARK_COLUMNS), benchmarks,
            definitions=shipped_definitions, lang=lang, currency="JPY",
        ).html  # fmt: skip
        assert words in html and "params/benchmarks.yml" in html
        assert html.count("<p") == 1 and 'class="rk-missing"' in html  # one line, no lead


def test_a_file_of_comments_only_is_empty(tmp_path, shipped_definitions):
    path = tmp_path / "benchmarks.yml"
    path.write_text("# nothing yet\n", encoding="utf-8")
    assert load_benchmarks(path, definitions=shipped_definitions).is_empty


def test_a_sample_may_be_one_text_for_both_languages(tmp_path, shipped_definitions):
    text = SHIPPED.read_text(encoding="utf-8").replace(
        "    sample:\n      ja: 日本の B2B マーケター 330人\n      en: 330 B2B marketers, Japan\n",
        '    sample: "330 B2B marketers, Japan"\n',
    )
    path = tmp_path / "benchmarks.yml"
    path.write_text(text, encoding="utf-8")
    ad = load_benchmarks(path, definitions=shipped_definitions).get("ad_lead_to_opportunity")
    assert ad.sample is not None and ad.sample("ja") == "330 B2B marketers, Japan"


# (what to change in the shipped file, the line the error points at, words the message has)
BROKEN = {
    "unknown metric": (
        ("metric: lead_to_opportunity", "metric: lead_to_opp"), "metric: lead_to_opp",
        ["benchmarks.0.metric (benchmark 'ad_lead_to_opportunity')", "'lead_to_opp'",
         "is not a metric of the definitions", "did you mean 'lead_to_opportunity'?"],
    ),
    "a count": (
        ("metric: mql_to_sql\n    low: 0.30", "metric: lead\n    low: 0.30"), "metric: lead\n",
        ["benchmarks.2.metric (benchmark 'mql_to_sql_range_b')", "'lead' is a count metric",
         "use a rate or an amount: ", "lead_to_opportunity"],
    ),
    "low above high": (
        ("low: 0.13", "low: 0.23"), "low: 0.23",
        ["benchmarks.1.low (benchmark 'mql_to_sql_range_a')", "0.23 is above high (0.22)",
         "swap the two"],
    ),
    "a percentage": (
        ("high: 0.20", "high: 20"), "high: 20",
        ["benchmarks.0.high (benchmark 'ad_lead_to_opportunity')",
         "20 is not a rate between 0 and 1", "11 % is 0.11", "20 % is 0.2"],
    ),
    "a percentage as text": (
        ("low: 0.11", "low: 11%"), "low: 11%",
        ["benchmarks.0.low (benchmark 'ad_lead_to_opportunity')",
         "write the rate as a fraction: 0.11", "(got '11%')"],
    ),
    "a segment column": (
        ("{channel: [paid_search, display]}", "{chanel: [paid_search, display]}"), "chanel",
        ["benchmarks.0.segment.chanel (benchmark 'ad_lead_to_opportunity')",
         "'chanel' is not a lead attribute", "did you mean 'channel'?", "sales_team"],
    ),
    "a year": (
        ("year: 2025", "year: 1850"), "year: 1850",
        ["benchmarks.0.year (benchmark 'ad_lead_to_opportunity')",
         "1850 is not a plausible year", "four-digit year"],
    ),
    "a year in the future": (
        ("year: 2025", "year: 2999"), "year: 2999",
        ["benchmarks.0.year (benchmark 'ad_lead_to_opportunity')", "2999 is not a plausible"],
    ),
    "a key given twice": (
        ("key: mql_to_sql_range_b", "key: mql_to_sql_range_a"), "key: mql_to_sql_range_a\n",
        ["benchmarks.2.key (benchmark 'mql_to_sql_range_a')",
         "'mql_to_sql_range_a' is already the key of benchmarks.1", "its own key"],
    ),
    "a missing English label": (
        ("      en: Ad-sourced leads to opportunity\n", ""), "    label:",
        ["benchmarks.0.label.en (benchmark 'ad_lead_to_opportunity')", "en is missing",
         "add `en: <English text>`"],
    ),
    "an unknown key": (
        ("    year: 2025\n", "    yaer: 2025\n"), "yaer",
        ["benchmarks.0.yaer (benchmark 'ad_lead_to_opportunity')", "not a known key",
         "correct its spelling", "(got 2025)"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BROKEN))
def test_each_error_names_the_file_line_entry_value_and_fix(tmp_path, shipped_definitions, case):
    (old, new), marker, words = BROKEN[case]
    text = SHIPPED.read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    text = text.replace(old, new, 1)
    path = tmp_path / "benchmarks.yml"
    path.write_text(text, encoding="utf-8")
    # the line: the first line (after the entry named in the message) that holds the marker
    entry = words[0].split("(benchmark ")[1].rstrip(")").strip("'")
    start = text.index(f"key: {entry}") if case != "a key given twice" else text.rindex(marker)
    line = text[: text.index(marker.rstrip("\n"), start)].count("\n") + 1
    with pytest.raises(ConfigError) as info:
        load_benchmarks(path, definitions=shipped_definitions)
    message = str(info.value)
    assert message.startswith(f"{path}:{line}: "), message
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    assert "\n" not in message


# --- positions -----------------------------------------------------------------------------


def test_position_edges():
    assert position_of(0.11, 0.11, 0.20) == "within"
    assert position_of(0.20, 0.11, 0.20) == "within"
    assert position_of(math.nextafter(0.11, 0), 0.11, 0.20) == "below"
    assert position_of(math.nextafter(0.20, 1), 0.11, 0.20) == "above"
    assert position_of(math.nan, 0.11, 0.20) == "no_data"


def hand_definitions() -> Definitions:
    keys = ("lead", "opportunity", "won")
    return event_definitions(keys, labels={k: {"ja": k, "en": k} for k in keys})


# person, channel, lead at, opportunity at (None: never)
PEOPLE = [
    ("PS1", "paid_search", "2026-07-01 09:00", "2026-07-20 09:00"),  # 19 days
    ("PS2", "paid_search", "2026-08-01 09:00", "2026-10-15 09:00"),  # 75 days, in October
    ("PS3", "paid_search", "2026-09-01 09:00", None),
    ("PS4", "paid_search", "2026-08-15 09:00", None),
    ("PS5", "paid_search", "2026-07-10 09:00", "2026-10-20 09:00"),  # 102 days: too late
    ("D1", "display", "2026-07-05 09:00", "2026-08-01 09:00"),
    ("D2", "display", "2026-07-06 09:00", None),
    ("D3", "display", "2026-08-06 09:00", None),
    ("D4", "display", "2026-09-06 09:00", None),
    ("D5", "display", "2026-09-30 23:30", None),  # the quarter's last evening
    ("D6", "display", "2026-06-30 09:00", "2026-07-02 09:00"),  # a lead of FY2026-Q1
    *[(f"W{i}", "webinar", "2026-07-15 09:00", "2026-07-16 09:00") for i in range(10)],
    ("N1", None, "2026-07-01 09:00", "2026-07-02 09:00"),  # no channel
]


@pytest.fixture
def hand(con):
    leads = [{"lead_id": p, "channel": channel} for p, channel, *_ in PEOPLE]
    events = [(p, "lead", at(lead)) for p, _, lead, _ in PEOPLE]
    events += [(p, "opportunity", at(opp)) for p, _, _, opp in PEOPLE if opp]
    return write_store(con, leads, events)


def hand_count() -> tuple[int, int]:
    """Ad-sourced leads of FY2026-Q2, and those with an opportunity within 90 days (pandas)."""
    people = pd.DataFrame(PEOPLE, columns=["person", "channel", "lead", "opportunity"])
    people["lead"] = pd.to_datetime(people["lead"]).dt.tz_localize(TZ)
    people["opportunity"] = pd.to_datetime(people["opportunity"]).dt.tz_localize(TZ)
    day = people["lead"].dt.date
    ads = people[people["channel"].isin(ADS) & (day >= Q2.start) & (day < Q2.end)]
    reached = (ads["opportunity"] - ads["lead"]) < pd.Timedelta(days=90)
    return int(reached.sum()), len(ads)


def entry(key: str, low: float, high: float, segment: object = None, label: str = "") -> dict:
    return {
        "key": key,
        "label": {"ja": label or key, "en": label or key},
        "metric": "lead_to_opportunity",
        "segment": {"channel": list(ADS)} if segment is None else segment,
        "low": low,
        "high": high,
        "source": {"ja": "調査", "en": "A survey"},
        "year": 2025,
        "caveat": {"ja": "参考", "en": "Context only"},
    }


EDGES = Benchmarks(
    tuple(
        Benchmark.model_validate(e)
        for e in [
            entry("at_low_edge", 0.30, 0.40),
            entry("at_high_edge", 0.20, 0.30, label="<script>x</script>"),
            entry("below", 0.31, 0.50),
            entry("above", 0.10, 0.29),
            entry("nobody", 0.10, 0.20, segment={"channel": "exhibition"}),
        ]
    )
)


def test_ad_sourced_lead_to_opportunity_equals_a_hand_count(hand):
    reached, leads = hand_count()
    assert (reached, leads) == (3, 10)  # PS1, PS2, D1 of PS1-PS5 and D1-D5
    frame = benchmark_positions(
        EDGES, Funnel(hand, hand_definitions(), timezone=TZ, cutoff=FAR), Q2
    )
    assert list(frame.columns) == BENCHMARK_COLUMNS
    first = frame.iloc[0]
    assert (first["numerator"], first["denominator"]) == (reached, leads)
    assert first["value"] == reached / leads
    assert (first["basis"], bool(first["mature"]), first["maturity"]) == ("cohort", True, 1.0)
    assert first["segment"] == {"channel": list(ADS)} and first["period"] == "FY2026-Q2"
    assert list(frame["position"]) == ["within", "within", "below", "above", "no_data"]
    assert frame["low"].tolist() == [0.30, 0.20, 0.31, 0.10, 0.10]


def test_a_maturing_cohort_is_marked(hand):
    cutoff = dt.datetime(2026, 11, 11, tzinfo=JST)  # 41 of 90 days after the quarter
    funnel = Funnel(hand, hand_definitions(), timezone=TZ, cutoff=cutoff)
    frame = benchmark_positions(EDGES, funnel, Q2)
    first = frame.iloc[0]
    assert not first["mature"] and first["maturity"] == pytest.approx(41 / 90)
    # the same three reached an opportunity before the cut-off
    assert (first["numerator"], first["denominator"]) == (3, 10)
    html = benchmarks_html(
        frame, EDGES, definitions=hand_definitions(), lang="en", currency="JPY"
    ).html
    assert "30.0% ◔ (3 / 10)" in html and "● Within the range ◔" in html


def test_benchmarks_table_in_both_languages(hand):
    funnel = Funnel(hand, hand_definitions(), timezone=TZ, cutoff=FAR)
    frame = benchmark_positions(EDGES, funnel, Q2)
    en = benchmarks_html(
        frame, EDGES, definitions=hand_definitions(), lang="en", currency="JPY"
    ).html
    ja = benchmarks_html(
        frame, EDGES, definitions=hand_definitions(), lang="ja", currency="JPY"
    ).html
    assert en.index("never targets") < en.index("<table")  # the note heads the table
    assert ja.index("目標にはしません") < ja.index("<table")
    for word in ["Benchmark", "The company", "Published range", "Position", "Source", "Caveat"]:
        assert f">{word}</th>" in en
    for word in ["ベンチマーク", "自社", "公表レンジ", "位置", "出典", "注意点"]:
        assert f">{word}</th>" in ja
    # the source cell carries the year and the sample (or says they are not stated)
    assert "(year: " in en and "; sample: " in en and "（調査年: " in ja and "、対象: " in ja
    assert "30.0% (3 / 10)" in en and "30.0%（3／10）" in ja
    assert "30.0%–40.0%" in en and "30.0%〜40.0%" in ja
    assert en.count("● Within the range") == 2 and ja.count("● レンジ内") == 2
    assert "▼ Below the range" in en and "▲ Above the range" in en and "— No data" in en
    assert "▼ レンジより下" in ja and "▲ レンジより上" in ja and "— データなし" in ja
    assert "(channel: paid_search, display)" in en and "（チャネル: paid_search、display）" in ja
    assert "not stated" in en and "記載なし" in ja  # no sample given
    assert "FY2026 Q2" in en and "2026年度 第2四半期" in ja
    assert "<script>" not in en and "&lt;script&gt;" in en


def test_a_metric_computed_from_data_the_store_lacks_has_no_value_and_says_why(hand):
    from reviewkit.analysis.benchmarks import needed_data
    from reviewkit.store.availability import Availability

    size = {**entry("deal_size", 1000, 5000), "metric": "average_deal_size", "segment": None}
    rate = entry("rate", 0.30, 0.40)
    both = Benchmarks(tuple(Benchmark.model_validate(e) for e in (size, rate)))
    definitions = hand_definitions()
    assert needed_data(definitions.metric("average_deal_size")) == ("amounts",)
    assert needed_data(definitions.metric("lead_to_opportunity")) == ()
    funnel = Funnel(hand, definitions, timezone=TZ, cutoff=FAR)
    frame = benchmark_positions(both, funnel, Q2, available=Availability(amounts=0))
    assert list(frame["position"]) == ["no_data", "within"]
    assert list(frame["missing"]) == ["amounts", ""]
    assert math.isnan(frame.loc[0, "value"]) and frame.loc[1, "value"] == 0.3  # 3 of 10
    for lang, words in [("en", "— No data (no deal amounts imported)"),
                        ("ja", "— データなし（商談の金額が未取込）")]:  # fmt: skip
        html = benchmarks_html(frame, both, definitions=definitions, lang=lang, currency="EUR")
        assert words in html.html and "€0" not in html.html
