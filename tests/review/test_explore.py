"""The analysts' drill-down: frames (:mod:`reviewkit.analysis.drilldown`), chart and table
(:mod:`reviewkit.present.sections.drilldown`) and the widget (:mod:`reviewkit.review.explorer`).

Figures are checked against plain pandas counts over the raw tables of the hand-made store of
``test_monthly_analysis`` (September and October 2026, cut-off 11 November); the sample
company checks that every metric x every dimension builds, as a frame and in the widget.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import ipywidgets
import pandas as pd
import pytest
from builders import CUTOFF, OCT, SEP, TZ, tiered, tiny_funnel, tiny_store

from reviewkit.analysis.drilldown import (
    EXPLORE_COLUMNS,
    OTHER,
    UNKNOWN,
    WHOLE,
    explore_dimensions,
    explore_frame,
    explore_metrics,
    explore_values,
)
from reviewkit.core.context import CONTEXT_ENV, PackContext, in_pack
from reviewkit.core.periods import periods_ending
from reviewkit.errors import ParameterError
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import ConversionMetric, CountMetric, RevenueMetric
from reviewkit.model.labels import metric_label
from reviewkit.present.sections.drilldown import explore_chart, explore_table
from reviewkit.review.explorer import Explorer, explorer
from reviewkit.review.open import explore, open_review
from reviewkit.semantic.funnel import Funnel

AS_OF = "2026-11-23"


@pytest.fixture(autouse=True)
def not_in_a_pack(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run as an analyst's notebook would (charts validated, widgets built)."""
    monkeypatch.delenv(CONTEXT_ENV, raising=False)


@pytest.fixture(scope="module")
def review(sample_workspace):
    return open_review("monthly", workspace=str(sample_workspace.root), as_of=AS_OF, lang="en")


@pytest.fixture(scope="module")
def window(review):
    """The review's last three months (August to October 2026)."""
    return periods_ending(review.period, 3, calendar=review.workspace.calendar)


@pytest.fixture
def tiny(con):
    return tiny_store(con)


# --- raw tables, counted with plain pandas ----------------------------------------------------


def raw_entries(con) -> pd.DataFrame:
    """Every stage event before the cut-off with its lead's channel and local month."""
    events = con.execute("SELECT lead_id, stage, entered_at FROM stage_events").df()
    leads = con.execute("SELECT lead_id, channel FROM leads").df()
    events["entered_at"] = pd.to_datetime(events["entered_at"], utc=True).dt.tz_convert(TZ)
    events = events[events["entered_at"] < CUTOFF]
    events["month"] = events["entered_at"].dt.strftime("%Y-%m")
    return events.merge(leads, on="lead_id", how="left")


def as_dict(frame: pd.DataFrame, column: str) -> dict[tuple[str, str], float]:
    return {
        (p, s): float(v)
        for p, s, v in zip(frame["period"], frame["segment"], frame[column], strict=True)
    }


# --- import cost -------------------------------------------------------------------------------


def test_importing_the_modules_does_not_import_ipywidgets():
    code = (
        "import sys, reviewkit.analysis.drilldown, reviewkit.present.sections.drilldown\n"
        "import reviewkit.review.explorer\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('ipywidgets', 'IPython')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"


# --- figures on the hand-made store ----------------------------------------------------------


def test_stage_counts_by_channel_match_the_raw_events(tiny):
    raw = raw_entries(tiny)
    raw["segment"] = raw["channel"].astype(object).where(raw["channel"].notna(), UNKNOWN)
    for stage in ("lead", "mql", "sql", "won"):
        frame = explore_frame(
            tiny_funnel(tiny), metric=stage, dimension="channel", periods=[SEP, OCT]
        )
        assert list(frame.columns) == EXPLORE_COLUMNS
        mine = raw[(raw["stage"] == stage) & raw["month"].isin(["2026-09", "2026-10"])]
        expected = mine.groupby(["month", "segment"]).size().astype(float).to_dict()
        got = {k: v for k, v in as_dict(frame, "value").items() if v}
        assert got == expected, stage
        assert frame["start"].tolist() == [SEP.start] * (len(frame) // 2) + [OCT.start] * (
            len(frame) // 2
        )
    # October's MQLs by hand: Q1-Q3 paid search, V1-V2 webinar, S1, S2, X1 referral, N1 none
    october = explore_frame(tiny_funnel(tiny), metric="mql", dimension="channel", periods=[OCT])
    assert as_dict(october, "value") == {
        ("2026-10", "paid_search"): 3,
        ("2026-10", "referral"): 3,
        ("2026-10", "webinar"): 2,
        ("2026-10", UNKNOWN): 1,
    }
    assert october["segment"].tolist()[-1] == UNKNOWN  # unknown last, after the values


def test_a_period_basis_rate_with_a_filter_matches_the_raw_events(tiny):
    raw = raw_entries(tiny)
    chosen = raw[raw["channel"].isin(["paid_search", "webinar"])]
    frame = explore_frame(
        tiny_funnel(tiny),
        metric="mql_to_sql",
        dimension=None,
        periods=[SEP, OCT],
        basis="period",
        filters={"channel": ["paid_search", "webinar"]},
    )
    assert frame["segment"].tolist() == [WHOLE, WHOLE]
    assert frame["basis"].tolist() == ["period", "period"]
    for row in frame.to_dict("records"):
        month = chosen[chosen["month"] == row["period"]]
        sqls, mqls = (month["stage"] == "sql").sum(), (month["stage"] == "mql").sum()
        assert (row["numerator"], row["denominator"]) == (sqls, mqls)
        assert row["value"] == pytest.approx(sqls / mqls)
    # by hand: September SQLs P1, P2, P5, W1 of MQLs P1-P4, W1, W2; October Q1, Q2, W2 of 5
    assert frame["value"].tolist() == pytest.approx([4 / 6, 3 / 5])


def test_cohort_and_period_basis_differ_where_they_should(tiny):
    raw = raw_entries(tiny)
    f = tiny_funnel(tiny)
    cohort = explore_frame(f, metric="mql_to_sql", dimension="channel", periods=[SEP, OCT])
    period = explore_frame(
        f, metric="mql_to_sql", dimension="channel", periods=[SEP, OCT], basis="period"
    )
    assert set(cohort["basis"]) == {"cohort"} and set(period["basis"]) == {"period"}
    # the cohort: MQLs of the month who became SQLs within 90 days and before the cut-off
    mql = raw[raw["stage"] == "mql"][["lead_id", "month", "channel", "entered_at"]]
    sql = raw[raw["stage"] == "sql"][["lead_id", "entered_at"]]
    joined = mql.merge(sql, on="lead_id", how="left", suffixes=("", "_sql"))
    joined["hit"] = joined["entered_at_sql"].notna() & (
        joined["entered_at_sql"] < joined["entered_at"] + pd.Timedelta(days=90)
    )
    joined["channel"] = joined["channel"].astype(object).where(joined["channel"].notna(), UNKNOWN)
    joined = joined[joined["month"].isin(["2026-09", "2026-10"])]
    expected = joined.groupby(["month", "channel"])["hit"].agg(["sum", "size"])
    for (month, channel), row in expected.iterrows():
        got = cohort[(cohort["period"] == month) & (cohort["segment"] == channel)].iloc[0]
        assert (got["numerator"], got["denominator"]) == (row["sum"], row["size"])
    got_c, got_p = as_dict(cohort, "value"), as_dict(period, "value")
    # paid search in September: cohort P1, P2 of 4; period also P5 (an August MQL): 3 of 4
    assert got_c[("2026-09", "paid_search")] == pytest.approx(2 / 4)
    assert got_p[("2026-09", "paid_search")] == pytest.approx(3 / 4)
    # webinar in September: W2 qualified in October (in the cohort, not in the period)
    assert got_c[("2026-09", "webinar")] == pytest.approx(1.0)
    assert got_p[("2026-09", "webinar")] == pytest.approx(0.5)
    # 90-day cohorts of September and October are still maturing on 11 November
    assert not cohort["mature"].any()
    assert period["mature"].all()


def test_filters_narrow_the_counts(tiny):
    f = tiny_funnel(tiny)
    whole = explore_frame(f, metric="mql", dimension=None, periods=[OCT])
    paid = explore_frame(
        f, metric="mql", dimension=None, periods=[OCT], filters={"channel": ["paid_search"]}
    )
    two = explore_frame(
        f,
        metric="mql",
        dimension="channel",
        periods=[OCT],
        filters={"channel": ["paid_search", "webinar"]},
    )
    none = explore_frame(
        f, metric="mql", dimension=None, periods=[OCT], filters={"channel": [None]}
    )
    assert whole["value"].tolist() == [9]
    assert paid["value"].tolist() == [3]
    assert set(two["segment"]) == {"paid_search", "webinar"}
    assert two["value"].sum() == 5
    assert none["value"].tolist() == [1]  # N1, the MQL without a channel
    assert paid.attrs["filters"] == {"channel": ["paid_search"]}
    assert explore_frame(f, metric="mql", dimension=None, periods=[OCT], filters={"channel": []})[
        "value"
    ].tolist() == [9]


def test_values_beyond_the_top_are_computed_together_as_other(tiny):
    f = tiny_funnel(tiny)
    full = explore_frame(f, metric="mql", dimension="channel", periods=[SEP, OCT])
    assert OTHER not in set(full["segment"])  # three values: all shown by name
    top = explore_frame(f, metric="mql", dimension="channel", periods=[SEP, OCT], top=1)
    # volume over both months: paid search 7 MQLs, referral 5, webinar 4
    assert list(dict.fromkeys(top["segment"])) == ["paid_search", OTHER, UNKNOWN]
    assert top.attrs["other"] == ["referral", "webinar"]
    values = as_dict(full, "value")
    for month in ("2026-09", "2026-10"):
        got = as_dict(top, "value")[(month, OTHER)]
        assert got == values[(month, "referral")] + values[(month, "webinar")]
    # a rate of "other" is the pooled rate of its values, not an average of their rates
    rate = explore_frame(
        f, metric="mql_to_sql", dimension="channel", periods=[SEP], top=1, basis="period"
    )
    other = rate[rate["segment"] == OTHER].iloc[0]
    assert (other["numerator"], other["denominator"]) == (1 + 2, 2 + 2)


def test_an_added_dimension_is_offered_and_labelled(tiny):
    f = Funnel(tiny, tiered(), timezone=TZ, cutoff=CUTOFF)
    assert explore_dimensions(f)[-1] == "account_tier"
    frame = explore_frame(f, metric="mql", dimension="account_tier", periods=[OCT])
    assert frame["segment"].tolist() == ["smb"]  # the tiny store's leads have no size
    assert frame["value"].tolist() == [9]
    chart = explore_chart(
        frame,
        definitions=f.definitions,
        metric="mql",
        dimension="account_tier",
        lang="ja",
        currency="JPY",
    )
    assert "顧客ティア別" in chart.spec["title"]["text"]


def test_unknown_choices_name_the_parameter_the_value_and_the_allowed_ones(tiny):
    f = tiny_funnel(tiny)
    with pytest.raises(ParameterError, match=r"metric: 'nope' .*'mql_to_sql'"):
        explore_frame(f, metric="nope", dimension=None, periods=[OCT])
    with pytest.raises(ParameterError, match=r"dimension: 'colour' .*'channel'"):
        explore_frame(f, metric="mql", dimension="colour", periods=[OCT])
    with pytest.raises(ParameterError, match=r"filters: 'colour' .*'sales_team'"):
        explore_frame(f, metric="mql", dimension=None, periods=[OCT], filters={"colour": ["x"]})
    with pytest.raises(ParameterError, match=r"basis: 'weekly' .*cohort, period"):
        explore_frame(f, metric="mql_to_sql", dimension=None, periods=[OCT], basis="weekly")
    with pytest.raises(ParameterError, match=r"filters: 'channel' mixes None"):
        explore_frame(
            f, metric="mql", dimension=None, periods=[OCT], filters={"channel": [None, "webinar"]}
        )
    with pytest.raises(ParameterError, match="periods:"):
        explore_frame(f, metric="mql", dimension=None, periods=[])
    with pytest.raises(ParameterError, match="top: 0"):
        explore_frame(f, metric="mql", dimension="channel", periods=[OCT], top=0)


# --- the sample company: every metric x every dimension ---------------------------------------


def test_every_metric_by_every_dimension_builds_a_frame_and_the_widget(review, window):
    """The widget's frame is :func:`explore_frame` of its controls: one loop checks both."""
    e = explorer(review, periods=3)
    assert isinstance(e, Explorer)
    assert isinstance(e.widget, ipywidgets.VBox) and "rk-explore" in e.widget._dom_classes
    assert e.metric == review.funnel.kgi_key() and e.dimension is None
    assert e.periods == window
    metrics = explore_metrics(review.definitions)
    assert metrics[:5] == review.definitions.stage_keys
    assert {"lead_to_mql", "mql_to_sql", "revenue", "win_rate", "sla", "cost_per_lead"} <= set(
        metrics
    )
    labels = [p.label for p in window]
    for metric in metrics:
        label = metric_label(review.definitions, metric, lang="en")
        undefined = t("explore.undefined", "en", metric=label)
        found = review.definitions.metric(metric)
        additive = isinstance(found, CountMetric | ConversionMetric | RevenueMetric)
        e.set(metric=metric, dimension="")
        whole = e.frame
        assert list(whole.columns) == EXPLORE_COLUMNS
        assert whole["period"].tolist() == labels and set(whole["segment"]) == {WHOLE}
        assert e.message == "" and e.chart is not None and e.table is not None, metric
        for dimension in explore_dimensions(review.funnel):
            e.set(metric=metric, dimension=dimension)
            frame = e.frame
            assert e.metric == metric and e.dimension == dimension
            assert list(frame.columns) == EXPLORE_COLUMNS, (metric, dimension)
            assert set(frame["period"]) == set(labels)
            assert frame["segment"].nunique() <= 8 + 2
            assert frame.groupby("segment").size().eq(len(window)).all()
            assert e.message in ("", undefined), (metric, dimension, e.message)
            assert (e.chart is not None) == (e.message == "")
            if additive:  # the values, "other" and "unknown" add up to the whole funnel
                for column in ("numerator", "denominator"):
                    if whole[column].isna().all():
                        continue
                    parts = frame.groupby("period")[column].sum().reindex(labels).tolist()
                    assert parts == pytest.approx(whole[column].tolist()), (metric, dimension)
    # pipeline coverage is against a company target: it does not split
    e.set(metric="pipeline_coverage", dimension="channel")
    assert e.frame["value"].isna().all() and e.chart is None
    label = metric_label(review.definitions, "pipeline_coverage", lang="en")
    assert e.message == t("explore.undefined", "en", metric=label)


def test_the_widget_controls_basis_periods_and_filter(review):
    e = explorer(review, metric="lead", dimension="channel", periods=3)
    assert e.basis is None and e._basis.disabled  # a count has no basis
    e.set(metric="mql_to_sql")
    assert not e._basis.disabled and e.basis == "cohort"
    assert set(e.frame["basis"]) == {"cohort"}
    e._basis.value = "period"  # as the analyst clicks it
    assert set(e.frame["basis"]) == {"period"}
    e._metric.value = "lead"
    assert e.basis is None and set(e.frame["basis"]) == {"period"}
    # the periods end at the review's last complete month
    e._periods.value = 5
    assert [p.label for p in e.periods] == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    assert list(dict.fromkeys(e.frame["period"])) == [p.label for p in e.periods]
    e.set(cadence="quarterly", periods=3)
    assert list(dict.fromkeys(e.frame["period"])) == ["FY2025-Q4", "FY2026-Q1", "FY2026-Q2"]
    e.set(cadence="monthly", periods=3, dimension="")
    before = e.frame["value"].tolist()
    # the filter: a column, then its values (most leads first)
    e._column.value = "channel"
    options = list(e._values.options)
    assert "paid_search" in options and UNKNOWN not in options
    assert options == explore_values(review.funnel, "channel", e.periods)
    e._values.value = ("paid_search",)
    assert e.filters == {"channel": ["paid_search"]}
    narrowed = e.frame["value"].tolist()
    assert all(a < b for a, b in zip(narrowed, before, strict=True))
    e._clear.click()
    assert e.filters == {} and e.frame["value"].tolist() == before
    e.set(filters={"channel": ["no_such_channel"]})
    assert e.frame["value"].eq(0).all() and e.chart is None  # no lead in any month
    assert e.message == t("explore.no_data", "en")


def test_an_error_is_a_one_line_message_not_a_traceback(review, monkeypatch):
    e = explorer(review, periods=3)

    def broken(*args: object, **kwargs: object) -> pd.DataFrame:
        raise RuntimeError("the store went away\nwith a long story")

    monkeypatch.setattr("reviewkit.review.explorer.explore_frame", broken)
    e.refresh()
    assert e.message == "Cannot show this: the store went away"
    assert e.chart is None and e.frame.empty
    with pytest.raises(ParameterError, match=r"metric: 'nope'"):
        e.set(metric="nope")  # a call from code still says what was wrong
    with pytest.raises(ParameterError, match=r"periods: 30 is out of range; use 3 to 24"):
        e.set(periods=30)


def test_no_widget_inside_a_pack(review, sample_workspace, monkeypatch, tmp_path):
    assert not in_pack()
    assert isinstance(review.explore(periods=3), ipywidgets.VBox)
    assert isinstance(explorer(review), Explorer)
    widget = explore(
        workspace=str(sample_workspace.root),
        as_of=AS_OF,
        lang="en",
        metric="mql_to_sql",
        dimension="channel",
    )
    assert isinstance(widget, ipywidgets.VBox)
    monkeypatch.setenv(CONTEXT_ENV, str(PackContext(tmp_path).write()))
    assert in_pack()
    assert explorer(review) is None
    assert explore(workspace=str(sample_workspace.root), as_of=AS_OF, lang="en") is None


# --- presentation -------------------------------------------------------------------------------


def marks(spec: dict) -> set[str]:
    layers = spec.get("layer", [spec])
    return {
        layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
        for layer in layers
    }


def test_few_periods_are_bars_more_are_lines(review, window):
    d = review.definitions
    two = explore_frame(review.funnel, metric="revenue", dimension="channel", periods=window[-2:])
    spec = explore_chart(two, definitions=d, metric="revenue", dimension="channel",
                         lang="en", currency="JPY").spec  # fmt: skip
    assert marks(spec) == {"bar"}
    assert spec["title"]["text"] == "Revenue won by channel"
    assert spec["encoding"]["xOffset"]["field"] == "name"
    whole = explore_frame(
        review.funnel, metric="mql_to_sql", dimension=None, periods=window[-2:], basis="period"
    )
    spec = explore_chart(whole, definitions=d, metric="mql_to_sql", dimension=None,
                         lang="en", currency="JPY").spec  # fmt: skip
    assert marks(spec) == {"bar", "text"}  # each bar prints its value
    assert spec["title"]["text"] == "MQL to SQL rate, whole funnel (period basis)"
    periods = periods_ending(review.period, 6, calendar=review.workspace.calendar)
    six = explore_frame(
        review.funnel,
        metric="mql_to_sql",
        dimension="channel",
        periods=periods,
        filters={"region": explore_values(review.funnel, "region", periods)[:1]},
    )
    spec = explore_chart(six, definitions=d, metric="mql_to_sql", dimension="channel",
                         lang="en", currency="JPY").spec  # fmt: skip
    assert marks(spec) == {"line", "point"}
    assert spec["title"]["text"] == "MQL to SQL rate by channel (cohort, within 30 days)"
    assert spec["title"]["subtitle"].startswith("region: ")


def test_both_languages_render(review, window):
    d = review.definitions
    frame = explore_frame(review.funnel, metric="mql_to_sql", dimension="channel", periods=window)
    assert UNKNOWN in set(frame["segment"])  # the sample has leads without a channel
    ja = explore_chart(
        frame, definitions=d, metric="mql_to_sql", dimension="channel", lang="ja", currency="JPY"
    )
    assert ja.spec["title"]["text"] == "チャネル別 MQL→SQL 転換率（コホート・30日以内）"
    assert "2026年8月〜2026年10月" in ja.description
    table = explore_table(
        frame, definitions=d, metric="mql_to_sql", dimension="channel", lang="ja", currency="JPY"
    )
    for word in (
        "期間",
        "チャネル",
        "MQL→SQL 転換率",
        "MQL数",
        "うちSQL到達",
        "2026年10月",
        "（不明）",
        "（集計途中）",
        "「（不明）」",
    ):
        assert word in table.html, word
    en = explore_table(
        frame, definitions=d, metric="mql_to_sql", dimension="channel", lang="en", currency="JPY"
    )
    for word in (
        "Period",
        "channel",
        "MQL to SQL rate",
        "MQL entered",
        "of whom reached SQL",
        "October 2026",
        "(unknown)",
        "(maturing)",
    ):
        assert word in en.html, word
    # numbers are formatted the house way: rates in %, amounts in yen
    row = frame[(frame["period"] == "2026-08") & (frame["segment"] == "paid_search")].iloc[0]
    assert f"{row['value'] * 100:.1f}%" in en.html
    revenue = explore_frame(review.funnel, metric="revenue", dimension=None, periods=window)
    html = explore_table(
        revenue, definitions=d, metric="revenue", dimension=None, lang="ja", currency="JPY"
    ).html
    assert "万円" in html and "ファネル全体" in html


def test_table_cells_are_escaped(tiny):
    tiny.execute("UPDATE leads SET channel = '<b>x</b>' WHERE channel = 'webinar'")
    f = tiny_funnel(tiny)
    frame = explore_frame(f, metric="mql", dimension="channel", periods=[OCT])
    html = explore_table(frame, definitions=f.definitions, metric="mql", dimension="channel",
                         lang="en", currency="JPY").html  # fmt: skip
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html


def test_the_default_window_ends_at_the_last_complete_period(review):
    e = explorer(review, cadence="weekly")
    labels = [p.label for p in e.periods]
    assert len(labels) == 13 and labels[-1] == "2026-W47"
    assert e.periods[-1].end == dt.date(2026, 11, 23)


def test_rk_explore_is_the_function_once_every_module_is_loaded():
    import reviewkit as rk
    import reviewkit.review.base
    import reviewkit.review.explorer
    import reviewkit.review.open

    assert rk.explore is reviewkit.review.open.explore
    assert "explore" in rk.__all__


def test_maturing_cohorts_are_pale_bars_and_the_caption_says_so(sample_workspace):
    review = open_review("monthly", workspace=str(sample_workspace.root), as_of=AS_OF, lang="en")
    periods = [review.previous, review.period]
    frame = explore_frame(review.funnel, metric="mql_to_sql", dimension="channel", periods=periods)
    assert frame["mature"].tolist().count(False) > 0  # October's 30-day cohorts: still maturing
    chart = explore_chart(
        frame,
        definitions=review.definitions,
        metric="mql_to_sql",
        dimension="channel",
        lang="en",
        currency="JPY",
    )
    spec = chart.chart.to_dict()
    assert spec["encoding"]["opacity"]["condition"]["value"] == 1.0
    assert "Pale bars are maturing cohorts" in chart.description
    counts = explore_frame(review.funnel, metric="mql", dimension="channel", periods=periods)
    plain = explore_chart(
        counts,
        definitions=review.definitions,
        metric="mql",
        dimension="channel",
        lang="ja",
        currency="JPY",
    )
    assert "集計途中" not in plain.description  # counts never mature
