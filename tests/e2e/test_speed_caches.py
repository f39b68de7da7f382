"""The fast paths give the same answers as the plain computations they replace.

Each shortcut (a cache, a subtraction instead of a regrouping, libyaml instead of PyYAML, one
chart copy instead of six) is compared with an independent plain computation. Timings live
in benchmarks/, never here.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import pytest
import yaml
from builders import hand_weekly_data
from scipy.stats import t

from reviewkit.analysis import anomalies, weekly_series
from reviewkit.analysis import splits as segments
from reviewkit.analysis.anomalies import explain
from reviewkit.analysis.anomaly_detection import detect
from reviewkit.analysis.anomaly_settings import SERIES_COLUMNS
from reviewkit.analysis.relevance import special
from reviewkit.analysis.weekly_series import series_of
from reviewkit.core import yaml_config
from reviewkit.errors import ConfigError
from reviewkit.ingest.sample.company import _draw_assets
from reviewkit.ingest.sample.company_shape import CONTENT_ASSETS
from reviewkit.present.charts import house as charts
from reviewkit.review.monthly import MonthlyReview
from reviewkit.review.weekly import WeeklyReview

DEMO = dt.date(2026, 11, 23)


# --- the t distribution from scipy.special ------------------------------------------------


def test_student_t_from_scipy_special_is_scipy_stats():
    for x, dof in [(0.0, 3), (1.7, 4), (2.5, 10.5), (8.0, 1), (0.3, 200)]:
        assert 2 * special.stdtr(dof, -abs(x)) == 2 * t.sf(abs(x), dof)
        assert special.stdtrit(dof, 0.95) == t.ppf(0.95, dof)


# --- weekly alerts: one segment's people taken out by subtraction ---------------------------


def reference_without(data, alert, measures):
    """series_of of the entries of everybody outside the alert's segment (the plain way)."""
    mask = data.entries[alert["dimension"]].astype("object") == alert["segment"]
    people = set(data.entries.loc[mask, "person_id"])
    remaining = data.entries[~data.entries["person_id"].isin(people)]
    return series_of(data, entries=remaining, measures=measures)


def canonical(frame):
    keys = ["kind", "measure", "dimension", "segment", "week"]
    out = frame.copy()
    for column in ("dimension", "segment"):
        out[column] = out[column].astype("object").where(out[column].notna(), "<none>")
    return out.sort_values(keys).reset_index(drop=True)[SERIES_COLUMNS]


def check_without(data):
    full = series_of(data)
    alerts = detect(full)
    without = anomalies._Without(data, full)
    assert without.usable  # every entry in the weeks and stages: the subtraction applies
    measures = list(dict.fromkeys(alerts["measure"]))
    checked = 0
    for _, alert in alerts.iterrows():
        if pd.isna(alert["dimension"]):
            continue
        got = without.series(without.people_of(alert["dimension"], alert["segment"]), measures)
        want = reference_without(data, alert, measures)
        pd.testing.assert_frame_equal(canonical(got), canonical(want), check_dtype=False)
        checked += 1
    return alerts, checked


def test_taking_a_segment_out_by_subtraction_on_hand_data():
    data = hand_weekly_data()
    _, checked = check_without(data)
    assert checked >= 3
    # removing the asset's people empties its own segment: its rows are gone, as series_of has
    without = anomalies._Without(data, series_of(data))
    gone = without.series(without.people_of("content_asset", "wp"), ["mql_to_sql"])
    assert not ((gone["dimension"] == "content_asset") & (gone["segment"] == "wp")).any()
    # nobody taken out: the full series
    kept = without.series(np.zeros(len(data.entries), dtype=bool), ["mql_to_sql"])
    assert len(kept) == int((series_of(data)["measure"] == "mql_to_sql").sum())


@pytest.fixture(scope="module")
def weekly_data(sample_workspace):
    review = WeeklyReview(workspace=sample_workspace, as_of=DEMO, lang="en")
    data = weekly_series.load_weekly(
        review.funnel, week=review.period, calendar=sample_workspace.calendar
    )
    return data


def test_taking_a_segment_out_by_subtraction_on_the_sample(weekly_data):
    _, checked = check_without(weekly_data)
    assert checked >= 20  # the sample's segment alerts, every one compared


def test_explain_with_the_series_given_is_explain_without(weekly_data):
    full = series_of(weekly_data)
    alerts = detect(full)
    given = explain(alerts, weekly_data, series=full)
    built = explain(alerts, weekly_data)
    pd.testing.assert_frame_equal(given, built)
    assert (given["explained_by"] >= 0).any()


# --- monthly splits: keys, row masks and splits worked out once per review ------------------


@pytest.fixture(scope="module")
def people(sample_workspace):
    review = MonthlyReview(workspace=sample_workspace, as_of=DEMO, lang="en")
    return review.people


def plain_key(frame, dims):
    parts = [
        frame[d].astype("object").where(frame[d].notna(), segments.MISSING).astype(str)
        for d in dims
    ]
    key = parts[0]
    for part in parts[1:]:
        key = key + segments.SEPARATOR + part
    return key


def plain_counts(frame, source, target, dims, horizon, exclude):
    """Numerator and denominator by segment key, with plain pandas."""
    if exclude:
        frame = frame[~frame["person_id"].isin(exclude)]
    frame = frame.assign(key=plain_key(frame, dims))
    entered = frame[(frame["stage"] == source) & frame["in_period"]]
    if horizon is None:
        reached = frame[(frame["stage"] == target) & frame["in_period"]]
    else:
        later = frame.loc[frame["stage"] == target, ["person_id", "entered_at"]]
        joined = entered.merge(later, on="person_id", suffixes=("", "_b"))
        reached = joined[joined["entered_at_b"] < joined["entered_at"] + horizon]
    return (
        reached.groupby("key").size().astype(float),
        entered.groupby("key").size().astype(float),
    )


@pytest.mark.parametrize("dims", [("channel",), ("channel", "company_size"), ("persona",)])
@pytest.mark.parametrize("horizon", [None, dt.timedelta(days=30)])
def test_rate_split_counts_are_the_plain_counts(people, dims, horizon):
    ids = sorted(set(people.now["person_id"]))
    for exclude in (None, set(ids[::7])):
        got = segments.rate_split(
            people, source="mql", target="sql", dims=dims, horizon=horizon, exclude=exclude
        ).set_index("segment")
        for side, frame, prefix in (("now", people.now, ""), ("before", people.before, "before_")):
            num, den = plain_counts(frame, "mql", "sql", dims, horizon, exclude)
            shown = got[got[f"{prefix}denominator"] > 0]
            assert shown[f"{prefix}denominator"].to_dict() == den.to_dict(), side
            reached = num.reindex(den.index, fill_value=0.0)
            assert shown[f"{prefix}numerator"].to_dict() == reached.to_dict(), side


def test_rate_split_cache_is_keyed_and_hands_out_copies(people):
    first = segments.rate_split(people, source="mql", target="sql", dims=("channel",), horizon=None)
    first["numerator"] = -1.0  # a caller changing its copy
    again = segments.rate_split(people, source="mql", target="sql", dims=("channel",), horizon=None)
    assert (again["numerator"] >= 0).all()
    cohort = segments.rate_split(
        people, source="mql", target="sql", dims=("channel",), horizon=dt.timedelta(days=1)
    )
    assert cohort["numerator"].sum() < again["numerator"].sum()  # another horizon, another split
    other = segments.rate_split(people, source="sql", target="opportunity", dims=("channel",),
                                horizon=None)  # fmt: skip
    assert other["denominator"].sum() != again["denominator"].sum()


def test_segment_key_and_people_in_are_the_plain_ones(people):
    for dims in (("channel",), ("industry", "company_size")):
        got = segments.segment_key(people.now, dims)
        pd.testing.assert_series_equal(got, plain_key(people.now, dims))
        key = got.iloc[0]
        members = set(people.now.loc[got == key, "person_id"]) | set(
            people.before.loc[plain_key(people.before, dims) == key, "person_id"]
        )
        for deals in (people.deals_now, people.deals_before):  # whose deals closed: theirs too
            members |= set(deals.loc[plain_key(deals, dims) == key, "person_id"])
        assert segments.people_in(people, dims, key) == members
        assert segments.people_in(people, dims, "no such segment") == set()
    assert segments.segment_key(people.now[:0], ("channel",)).empty


def test_count_split_is_the_plain_count(people):
    exclude = set(sorted(set(people.now["person_id"]))[::5])
    got = segments.count_split(people, stage="mql", dims=("channel",), exclude=exclude)
    now = people.now[~people.now["person_id"].isin(exclude)]
    now = now[(now["stage"] == "mql") & now["in_period"]]
    want = now.assign(key=plain_key(now, ("channel",))).groupby("key").size()
    now_counts = got.set_index("segment")["now"]
    assert now_counts[now_counts > 0].to_dict() == want.astype(float).to_dict()


# --- configuration files: libyaml when it can, PyYAML's words when the file is broken --------


def test_read_yaml_is_safe_load_and_compose(tmp_path):
    text = "a: 1\nb:\n  - x\n  - {y: 2026-04-01, z: [1, 2]}\nc: 'text'\n"
    path = tmp_path / "f.yml"
    path.write_text(text, encoding="utf-8")
    data, lines = yaml_config.read_yaml(path)
    assert data == yaml.safe_load(text)
    assert lines[("b", 1, "z")] == 4 and lines[("c",)] == 5 and lines[("a",)] == 1
    path.write_text("", encoding="utf-8")
    assert yaml_config.read_yaml(path) == (None, {})


def test_broken_yaml_is_described_by_pure_python_pyyaml(tmp_path):
    text = "stages:\n  - key: sql\n\tevent: sql\n"
    path = tmp_path / "f.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(yaml.YAMLError) as plain:
        yaml.safe_load(text)
    with pytest.raises(ConfigError) as error:
        yaml_config.read_yaml(path)
    assert f":{plain.value.problem_mark.line + 1}: not valid YAML ({plain.value.problem}" in str(
        error.value
    )


# --- charts: one copy for the house style --------------------------------------------------


def test_house_style_is_the_chained_configure():
    data = pd.DataFrame({"x": [1, 2, 3], "y": [3.0, 1.0, 2.0]})
    base = alt.Chart(data)
    chart = alt.layer(base.mark_line().encode(x="x:Q", y="y:Q"), base.mark_point().encode(x="x:Q"))
    chained = (
        chart.configure(font=charts.FONT, background="white")
        .configure_range(category=charts.PALETTE)
        .configure_axis(**charts.AXIS)
        .configure_legend(labelFontSize=12, titleFontSize=12, orient="bottom")
        .configure_title(fontSize=14, anchor="start", color="#1f2933")
        .configure_view(stroke=None)
    )
    styled = charts.house_style(chart)
    assert styled.to_json() == chained.to_json()
    assert chart.config is alt.Undefined  # the chart handed in is left as it was


# --- the IRI grammar is built only when something checks an IRI ----------------------------


def test_iri_grammar_loads_only_when_used():
    code = (
        "import sys\n"
        "import reviewkit.present.charts.house\n"
        "stand_in = type(sys.modules['rfc3987_syntax']).__name__\n"
        "import jsonschema\n"
        "check = jsonschema.Draft202012Validator.FORMAT_CHECKER\n"
        "v = jsonschema.Draft202012Validator({'format': 'iri'}, format_checker=check)\n"
        "print(stand_in, v.is_valid('https://例え.jp/パス'), v.is_valid('no iri'),"
        " type(sys.modules['rfc3987_syntax']).__name__)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "REVIEWKIT_PACK_CONTEXT"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True,
        cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    assert out.stdout.split() == ["_Deferred", "True", "False", "module"]


# --- the sample company's content assets, drawn without a loop ------------------------------


def test_assets_are_the_lead_by_lead_draws():
    published = np.array([np.datetime64(a[2]) for a in CONTENT_ASSETS])
    start = np.datetime64("2024-04-01T00:00:00", "ns")
    rng = np.random.default_rng(11)
    created = start + (rng.random(3_000) * 970 * 86_400e9).astype("timedelta64[ns]")
    fast = _draw_assets(np.random.default_rng(42), created, published)
    slow_rng = np.random.default_rng(42)
    slow = []
    for moment in created:
        ok = np.flatnonzero((published <= moment) & (np.arange(len(published)) != 11))
        w = np.exp(-((moment - published[ok]) / np.timedelta64(1, "D")) / 240.0)
        slow.append(CONTENT_ASSETS[ok[slow_rng.choice(len(ok), p=w / w.sum())]][0])
    assert list(fast) == slow
