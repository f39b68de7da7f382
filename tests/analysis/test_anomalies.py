"""Weekly anomaly detection: the tests by hand, synthetic series, then the sample company.

Part 1 checks the statistical building blocks against hand arithmetic (and SciPy for Fisher's
exact test). Part 2 plants changes in synthetic tidy series (:data:`SERIES_COLUMNS`, 30 weeks
labelled ``W01`` .. ``W30``, the last one under review) and checks what fires and what the
gates hold back, including a false-alarm check on stationary noise. Part 3 builds a
``WeeklyData`` by hand to check which alert explains which. Part 4 runs the detector on the
sample company: the three problems planted from 2026-10-01 must be found in week 2026-W47,
and the quiet weeks before October must stay (nearly) silent.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from builders import WEEKS, hand_weekly_data
from scipy.stats import fisher_exact

from reviewkit.analysis.anomalies import explain, weekly_alerts
from reviewkit.analysis.anomaly_detection import detect, number_tested
from reviewkit.analysis.anomaly_settings import ALERT_COLUMNS, SERIES_COLUMNS, AnomalySettings
from reviewkit.analysis.anomaly_statistics import (
    change_start_count,
    change_start_rate,
    count_test,
    rate_test,
)
from reviewkit.analysis.weekly_series import WeeklyData, series_of
from reviewkit.core.periods import FiscalCalendar, parse_period, previous_period

LABELS = [f"W{k + 1:02d}" for k in range(WEEKS)]
STARTS = [dt.date(2026, 1, 5) + dt.timedelta(days=7 * k) for k in range(WEEKS)]


def series(kind, measure, dimension, segment, x, n=None, weight=None) -> pd.DataFrame:
    """One tidy weekly series over the last ``len(x)`` of the 30 weeks."""
    k = len(x)
    if kind == "rate":
        weights = np.nan
    else:
        weights = 1.0 if weight is None else np.asarray(weight, dtype="float64")
    frame = pd.DataFrame(
        {
            "kind": kind,
            "measure": measure,
            "dimension": dimension,
            "segment": segment,
            "week": LABELS[-k:],
            "start": STARTS[-k:],
            "x": np.asarray(x, dtype="float64"),
            "n": np.nan if n is None else np.asarray(n, dtype="float64"),
            "weight": weights,
        }
    )
    return frame[SERIES_COLUMNS]


def stack(*frames: pd.DataFrame) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True)


def find(alerts: pd.DataFrame, **where: object) -> pd.DataFrame:
    mask = np.ones(len(alerts), dtype=bool)
    for column, value in where.items():
        mask &= (alerts[column] == value).to_numpy()
    return alerts[mask]


def week_number(label: str) -> int:
    return int(label[1:])


# --- part 1: the tests by hand -----------------------------------------------------------------


def test_count_test_with_the_poisson_floor():
    # levels 10, 12, 8, 10, 10: median 10; deviations 0, 2, 2, 0, 0 -> MAD 0, so the spread
    # is the Poisson floor sqrt(10) = 3.1623; z = (30 - 10) / 3.1623 = 6.3246
    expected, spread, z, p = count_test([10, 12, 8, 10, 10], [1] * 5, 30, 1)
    assert expected == 10
    assert spread == pytest.approx(math.sqrt(10))
    assert z == pytest.approx(20 / math.sqrt(10))
    assert p == pytest.approx(math.erfc(z / math.sqrt(2)))  # 2.5e-10
    assert p < 1e-9


def test_count_test_with_a_mad_spread():
    # levels 10, 20, 30, 40, 50: median 30; deviations 20, 10, 0, 10, 20 -> median 10;
    # spread 1.4826 x 10 = 14.826 (above sqrt(30) = 5.48); z = (60 - 30) / 14.826 = 2.0235
    expected, spread, z, p = count_test([10, 20, 30, 40, 50], [1] * 5, 60, 1)
    assert expected == 30
    assert spread == pytest.approx(14.826)
    assert z == pytest.approx(30 / 14.826)
    assert p == pytest.approx(math.erfc(30 / 14.826 / math.sqrt(2)))  # 0.043


def test_count_test_scales_with_the_weeks_weights():
    # a holiday week of weight 0.5 expects half: 10 x 0.5 = 5; floor sqrt(5)
    expected, spread, z, p = count_test([10, 12, 8, 10, 10], [1] * 5, 5, 0.5)
    assert expected == 5 and spread == pytest.approx(math.sqrt(5))
    assert z == 0 and p == 1
    # a holiday week in the baseline (half weight, half count) is the same level: 10
    expected, _, z, _ = count_test([10, 5, 10, 10, 10], [1, 0.5, 1, 1, 1], 10, 1)
    assert expected == 10 and z == 0
    # baseline weeks of weight 0 are ignored: levels 10, 10 -> 10
    expected, _, _, _ = count_test([10, 99, 10], [1, 0, 1], 10, 1)
    assert expected == 10
    # a reviewed week of weight 0 (or no usable baseline) cannot be tested
    expected, spread, z, p = count_test([10, 10], [1, 1], 3, 0)
    assert math.isnan(expected) and math.isnan(spread) and math.isnan(z) and p == 1.0
    assert math.isnan(count_test([10, 10], [0, 0], 3, 1)[0])


def test_rate_test_z_branch_is_the_pooled_two_proportion_z():
    # 30 / 100 against 400 / 1000: pooled 430 / 1100 = 0.390909; every expected cell >= 10
    # (39.1, 60.9, 390.9, 609.1); se = sqrt(0.390909 x 0.609091 x (1/100 + 1/1000)) = 0.051177
    # z = (0.3 - 0.4) / 0.051177 = -1.9540; p = erfc(1.9540 / sqrt 2) = 0.0507
    p, method = rate_test(30, 100, 400, 1000)
    pooled = 430 / 1100
    se = math.sqrt(pooled * (1 - pooled) * (1 / 100 + 1 / 1000))
    z = (0.3 - 0.4) / se
    assert method == "z"
    assert z == pytest.approx(-1.9540, abs=1e-4)
    assert p == pytest.approx(math.erfc(abs(z) / math.sqrt(2)))
    assert p == pytest.approx(0.0507, abs=1e-4)
    # symmetric in direction
    assert rate_test(50, 100, 400, 1000)[0] == pytest.approx(
        math.erfc(abs((0.5 - 0.4) / math.sqrt(450 / 1100 * 650 / 1100 * 0.011)) / math.sqrt(2))
    )


def test_rate_test_fisher_branch_for_small_counts():
    # 1 / 10 against 20 / 40: pooled 21 / 50 = 0.42; 10 x 0.42 = 4.2 < 10 -> Fisher
    p, method = rate_test(1, 10, 20, 40)
    assert method == "fisher"
    assert p == pytest.approx(fisher_exact([[1, 9], [20, 20]]).pvalue)
    # a rare event: 6 / 200 against 58 / 5800; 200 x 64/6000 = 2.1 < 10
    p, method = rate_test(6, 200, 58, 5800)
    assert method == "fisher"
    assert p == pytest.approx(fisher_exact([[6, 194], [58, 5742]]).pvalue)
    # the threshold is a setting: with fisher_below=4 the first case uses z
    assert rate_test(1, 10, 20, 40, fisher_below=4)[1] == "z"


def test_rate_test_without_entrants():
    assert rate_test(0, 0, 20, 40) == (1.0, "none")
    assert rate_test(1, 10, 0, 0) == (1.0, "none")


def test_change_start_of_a_rate_shifted_five_weeks_ago():
    # 25 weeks at 30 / 100, then 5 weeks at 10 / 100
    x = [30] * 25 + [10] * 5
    n = [100] * 30
    assert change_start_rate(x, n, max_weeks=12) == 5
    # with some noise around the two levels
    rng = np.random.default_rng(5)
    n = rng.poisson(100, 30)
    x = rng.binomial(n, [0.3] * 25 + [0.1] * 5)
    assert change_start_rate(x, n, max_weeks=12) == 5
    # a change older than max_weeks is placed at the limit
    assert change_start_rate([30] * 15 + [10] * 15, [100] * 30, max_weeks=12) == 12


def test_change_start_of_a_count_shifted_five_weeks_ago():
    # z 0 for 25 weeks, then 3: the CUSUM score sum / sqrt(k) is 3k / sqrt(k) for k <= 5
    # (6.71 at k = 5) and 15 / sqrt(k) after (6.12 at k = 6)
    z = [0.0] * 25 + [3.0] * 5
    assert change_start_count(z, max_weeks=12) == 5
    # a drop is followed just as well
    assert change_start_count([0.2, -0.1] * 12 + [0.1] + [-4.0] * 5, max_weeks=12) == 5


# --- part 2: detect on synthetic series ----------------------------------------------------------


def test_a_planted_rate_drop_fires_since_its_first_week():
    # one channel's MQL -> SQL falls from 40 % to 15 % over the last 6 weeks (W25 .. W30), 60
    # MQLs a week; four other channels stay at 40 %
    rng = np.random.default_rng(11)
    p = np.array([0.4] * 24 + [0.15] * 6)
    frames = [
        series("rate", "mql_to_sql", "channel", "paid_search", rng.binomial(60, p), [60] * 30)
    ]
    for name in ("webinar", "seo", "display", "referral"):
        frames.append(series("rate", "mql_to_sql", "channel", name, rng.binomial(60, [0.4] * 30),
                             [60] * 30))  # fmt: skip
    alerts = detect(stack(*frames))
    assert list(alerts.columns) == ALERT_COLUMNS
    assert alerts["segment"].tolist() == ["paid_search"]
    a = alerts.iloc[0]
    assert a["kind"] == "rate" and a["baseline"] == "own" and a["q"] <= 0.05
    assert a["impact"] < 0 and a["change"] < 0
    assert abs(week_number(a["since"]) - 25) <= 1
    assert a["since_start"] == STARTS[week_number(a["since"]) - 1]
    # the 4-week window: about 15 % of 240 against about 40 %: ~ -60 people
    assert a["window"] == 4 and a["n"] == 240
    assert -80 < a["impact"] < -40


def test_a_planted_count_jump_fires():
    rng = np.random.default_rng(3)
    x = [*rng.poisson(50, 29), 100]
    alerts = detect(series("count", "mql", "channel", "webinar", x))
    assert len(alerts) == 1
    a = alerts.iloc[0]
    assert (a["kind"], a["method"], a["since"]) == ("count", "robust", "W30")
    assert a["normal"] == pytest.approx(np.median(x[:-1]))
    assert a["impact"] == pytest.approx(100 - np.median(x[:-1]))
    assert a["change"] > 0.5


def test_a_holiday_week_with_half_the_weight_and_half_the_count_does_not_fire():
    x = [50, 48, 52, 51, 49] * 5 + [50, 52, 48, 50, 25]
    weight = [1.0] * 29 + [0.5]
    assert detect(series("count", "mql", None, None, x, weight=weight)).empty
    # the same 25 in an ordinary week is a drop: expected 50, z = -25 / sqrt(50) = -3.5
    alerts = detect(series("count", "mql", None, None, x))
    assert len(alerts) == 1 and alerts.iloc[0]["impact"] == pytest.approx(-25)
    # a baseline holiday week (half weight, half count) does not disturb the normal
    x2 = [50, 48, 52, 51, 49] * 5 + [25, 52, 48, 50, 50]
    weight2 = [1.0] * 25 + [0.5] + [1.0] * 4
    assert detect(series("count", "mql", None, None, x2, weight=weight2)).empty


def noise(seed: int, segments: int = 200) -> pd.DataFrame:
    """Stationary weekly series: per segment a rate (Binomial(n, 0.3), n ~ Poisson(80)) and a
    count (Poisson(50)), 30 weeks, nothing planted."""
    rng = np.random.default_rng(seed)
    n = rng.poisson(80, (segments, WEEKS))
    x = rng.binomial(n, 0.3)
    counts = rng.poisson(50, (segments, WEEKS))
    names = np.repeat([f"s{k:03d}" for k in range(segments)], WEEKS)
    common = {
        "dimension": "industry",
        "segment": names,
        "week": np.tile(LABELS, segments),
        "start": np.tile(np.array(STARTS, dtype=object), segments),
    }
    rates = pd.DataFrame(
        {"kind": "rate", "measure": "mql_to_sql", **common, "x": x.ravel().astype(float),
         "n": n.ravel().astype(float), "weight": np.nan}
    )  # fmt: skip
    cnt = pd.DataFrame(
        {"kind": "count", "measure": "mql", **common, "x": counts.ravel().astype(float),
         "n": np.nan, "weight": 1.0}
    )  # fmt: skip
    return stack(rates, cnt)[SERIES_COLUMNS]


def test_stationary_noise_raises_few_alerts():
    """400 series of pure noise (200 segments x one rate and one count), 50 simulated weeks
    under review (seeds 0..49): at most 10 % of the weeks raise any alert, and the weeks raise
    at most 0.2 alerts on average. The detector adjusts all p-values of a week together
    (Benjamini-Hochberg at 5 %); under pure noise that caps the chance of any alert near 5 %
    (a little above, since each rate keeps the better of two windows)."""
    alerts = [len(detect(noise(seed))) for seed in range(50)]
    share_with_alerts = np.mean([a > 0 for a in alerts])
    assert share_with_alerts <= 0.10
    assert np.mean(alerts) <= 0.2


def test_minimum_volume_gate():
    # 5 entrants a week: 40 % for 26 weeks, then 100 % for 4 weeks: a huge relative change,
    # but 5 < 20 entrants this week and 20 < 4 x 20 over the window
    x, n = [2] * 26 + [5] * 4, [5] * 30
    assert detect(series("rate", "mql_to_sql", "channel", "tiny", x, n)).empty
    # the gate alone holds it back: with min_n 5 it fires (Fisher, 20 / 20 against 52 / 130)
    alerts = detect(series("rate", "mql_to_sql", "channel", "tiny", x, n),
                    settings=AnomalySettings(min_n=5))  # fmt: skip
    assert len(alerts) == 1 and alerts.iloc[0]["method"] == "fisher"
    # counts: expected 5 and 8 this week: neither reaches the 10 needed to test
    assert detect(series("count", "mql", "channel", "tiny", [5] * 29 + [8])).empty


def test_minimum_impact_gates():
    # a rare rate: 1 % (2 of 200) for 29 weeks, then 3 %: significant (Fisher p = 0.019) but
    # only (0.03 - 0.01) x 200 = 4 people < 5
    rare = series("rate", "mql_to_sql", "channel", "rare", [2] * 29 + [6], [200] * 30)
    assert detect(rare).empty
    assert len(detect(rare, settings=AnomalySettings(min_impact=3))) == 1
    # a count 10 -> 19: z = 9 / sqrt(10) = 2.85, p = 0.004, but 9 people < 10
    small = series("count", "mql", "channel", "small", [10] * 29 + [19])
    assert detect(small).empty
    assert len(detect(small, settings=AnomalySettings(min_count_change=5))) == 1
    # a count 1000 -> 1200: z = 200 / sqrt(1000) = 6.3, but +20 % < 25 %
    big = series("count", "mql", "channel", "big", [1000] * 29 + [1200])
    assert detect(big).empty
    assert len(detect(big, settings=AnomalySettings(min_relative_change=0.1))) == 1


def new_segment_frames(dimension: str) -> pd.DataFrame:
    """Three old segments at 40 % (24 / 60 a week, 60 MQLs), one new in the last 8 weeks at 10 %."""
    frames = []
    for name in ("a", "b", "c"):
        frames.append(series("rate", "mql_to_sql", dimension, name, [24] * 30, [60] * 30))
        frames.append(series("count", "mql", dimension, name, [60] * 30))
    frames.append(series("rate", "mql_to_sql", dimension, "new", [6] * 8, [60] * 8))
    frames.append(series("count", "mql", dimension, "new", [60] * 8))
    return stack(*frames)


def test_a_new_segment_is_compared_with_everyone():
    alerts = detect(new_segment_frames("channel"))
    assert alerts["segment"].tolist() == ["new"]
    a = alerts.iloc[0]
    assert a["kind"] == "rate" and a["baseline"] == "everyone"
    # everyone: every channel's first 26 weeks pooled, the new one's first 4 weeks included:
    # (3 x 26 x 24 + 4 x 6) / (3 x 26 x 60 + 4 x 60) = 1896 / 4920 = 0.3854
    assert a["normal"] == pytest.approx(1896 / 4920)
    assert a["value"] == pytest.approx(0.1) and a["impact"] < 0
    # off since it appeared, 8 weeks ago (W23)
    assert a["since"] == "W23"
    # its counts (0 before W23, 60 since) are not tested: a new segment's leads are no anomaly
    assert find(alerts, kind="count").empty


def test_a_new_campaign_is_not_compared():
    assert detect(new_segment_frames("campaign_id")).empty


def test_an_intermittent_count_is_not_tested():
    # an event series: 30 in 9 of the 29 baseline weeks (from W01), 0 in the others; 100 now
    x = [30 if k % 3 == 0 else 0 for k in range(29)] + [100]
    assert detect(series("count", "mql", "content_asset", "webinar", x)).empty
    # the same jump on a regular series fires
    regular = [30] * 29 + [100]
    assert len(detect(series("count", "mql", "content_asset", "webinar", regular))) == 1


def test_nothing_to_test():
    assert detect(pd.DataFrame(columns=SERIES_COLUMNS)).columns.tolist() == ALERT_COLUMNS
    assert detect(series("count", "mql", None, None, [50] * 30)).empty


def test_the_unknown_value_of_a_segment_column_raises_nothing():
    # the people with no campaign (None) double, and so does a named campaign: only the named
    # one is a segment anyone can act on; the unknown group's move is the whole funnel's
    jump = [40] * 29 + [100]
    frames = stack(series("count", "mql", "channel", None, jump),
                   series("count", "mql", "channel", "webinar", jump))  # fmt: skip
    alerts = detect(frames)
    assert alerts["segment"].tolist() == ["webinar"]
    # the unknown group still counts in everyone's baseline of a new segment's rate
    assert number_tested(alerts) == 1


def test_number_tested_is_the_series_past_the_gates():
    tiny = series("count", "mql", "channel", "tiny", [5] * 30)  # under the volume gate
    big = series("count", "mql", "channel", "big", [50] * 30)
    assert number_tested(detect(stack(tiny, big))) == 1
    assert number_tested(detect(pd.DataFrame(columns=SERIES_COLUMNS))) == 0
    assert number_tested(pd.DataFrame(columns=ALERT_COLUMNS)) is None  # not from detect


def test_a_per_person_rate_is_gated_on_its_window_not_per_week():
    # a team of 17 people due a week: 85 % touched in time for 26 weeks, then 1 of 17 for 4
    # weeks. 68 due in the 4 weeks is under the 4 x 20 a period-basis rate needs, but the SLA
    # counts each person once with their own outcome: 68 >= 20 people is enough to test
    x, n = [14.45] * 26 + [1] * 4, [17] * 30
    sla = series("rate", "sla", "sales_team", "Nord-Ost", x, n)
    assert detect(sla).empty
    alerts = detect(sla, per_person={"sla"})
    assert len(alerts) == 1
    a = alerts.iloc[0]
    assert a["window"] == 4 and a["n"] == 68
    assert a["value"] == pytest.approx(4 / 68) and a["normal"] == pytest.approx(0.85)
    assert a["impact"] == pytest.approx(4 - 0.85 * 68)
    # under 20 people in the window it stays untested, per person or not
    few = series("rate", "sla", "sales_team", "tiny", [3.4] * 26 + [0] * 4, [4] * 30)
    assert detect(few, per_person={"sla"}).empty


def test_segment_counts_that_follow_the_funnel_are_listed_under_it():
    # a fair doubles everyone's leads (200 -> 400); team A's 100 -> 200 is the same move; team
    # B's 40 -> 150 is far beyond it: its own finding
    funnel = series("count", "lead", None, None, [200] * 29 + [400])
    a = series("count", "lead", "sales_team", "A", [100] * 29 + [200])
    b = series("count", "lead", "sales_team", "B", [40] * 29 + [150])
    from reviewkit.analysis.anomalies import _explained_by_the_funnel

    alerts = detect(stack(funnel, a, b)).assign(explained_by=-1)
    out = _explained_by_the_funnel(alerts)
    by = dict(zip(out["segment"].fillna("funnel"), out["explained_by"], strict=True))
    f = out.index[out["dimension"].isna()][0]
    # A: normal 100 x 2 = 200 expected with the funnel's move; |200 - 200| < half of 100
    assert by["A"] == f
    # B: 40 x 2 = 80 expected; |150 - 80| = 70 >= half of 110
    assert by["B"] == -1 and by["funnel"] == -1


# --- part 3: explain, on a hand-made WeeklyData -------------------------------------------------

CAL = FiscalCalendar(4)


def test_explain_attributes_the_funnel_and_team_drops_to_the_asset():
    data = hand_weekly_data()
    tidy = series_of(data)
    assert list(tidy.columns) == SERIES_COLUMNS
    out = explain(detect(tidy), data)
    assert "explained_by" in out.columns

    def one(dimension, segment, kind="rate", measure="mql_to_sql"):
        if dimension is None:
            rows = out[(out["kind"] == kind) & (out["measure"] == measure)
                       & out["dimension"].isna()]  # fmt: skip
        else:
            rows = find(out, kind=kind, measure=measure, dimension=dimension, segment=segment)
        assert len(rows) == 1, (dimension, segment)
        return rows.index[0], rows.iloc[0]

    wp_index, wp = one("content_asset", "wp")
    # the asset is new (first seen 4 weeks ago): compared with everyone's 30 %;
    # 4 SQLs of 600 MQLs: (4/600 - 0.3) x 600 = -176 people
    assert wp["baseline"] == "everyone"
    assert wp["impact"] == pytest.approx(4 - 0.3 * 600)
    assert wp["explained_by"] == -1
    # the funnel: 120 + 120 + 12 + 56 + 4 = 312 SQLs of 1800 MQLs in the 4 weeks:
    # (312 / 1800 - 0.3) x 1800 = -228; without wp: 308 / 1200 = 0.2567 against 0.3, a change
    # of -0.043, less than half of -0.127 -> explained by wp
    funnel = one(None, None)[1]
    assert funnel["impact"] == pytest.approx(312 - 0.3 * 1800)
    assert funnel["explained_by"] == wp_index
    assert one("sales_team", "Team A")[1]["explained_by"] == wp_index
    assert one("sales_team", "Team B")[1]["explained_by"] == wp_index
    assert one("industry", "manufacturing")[1]["explained_by"] == wp_index
    # the new MQL volume (counts) is the asset's too
    assert one(None, None, kind="count", measure="mql")[1]["explained_by"] == wp_index
    # retail's drop has nothing to do with wp: it stays primary, and explains Team C's
    retail_index, retail = one("industry", "retail")
    assert retail["explained_by"] == -1
    assert retail["impact"] == pytest.approx((12 / 240 - 0.3) * 240)  # -60
    assert one("sales_team", "Team C")[1]["explained_by"] == retail_index
    # the same segment's other symptom is a finding of its own
    assert one("industry", "retail", kind="count", measure="sql")[1]["explained_by"] == -1


# --- part 4: the sample company ------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_alerts(sample_workspace):
    """``as_of -> (alerts, series)`` for the sample company, computed once per date."""
    from reviewkit.review.weekly import WeeklyReview

    cache: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = {}

    def get(as_of: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        if as_of not in cache:
            review = WeeklyReview(workspace=sample_workspace,
                            as_of=dt.date.fromisoformat(as_of), lang="en")  # fmt: skip
            cache[as_of] = weekly_alerts(
                review.funnel, week=review.period, calendar=sample_workspace.calendar
            )
        return cache[as_of]

    return get


def test_sample_finds_the_planted_problems(sample_alerts):
    alerts, tidy = sample_alerts("2026-11-23")
    assert set(tidy["week"]) >= {"2026-W47", "2026-W18"}  # 26 + 4 weeks up to the review
    assert list(alerts.columns) == [*ALERT_COLUMNS, "explained_by"]
    primary = alerts[alerts["explained_by"] == -1]

    # the whitepaper: its MQLs rarely become SQLs
    wp = find(primary, kind="rate", measure="mql_to_sql", dimension="content_asset",
              segment="wp-genai-guide")  # fmt: skip
    assert len(wp) == 1 and wp.iloc[0]["impact"] < 0
    # Team B's slow first touch
    team_b = find(primary, kind="rate", measure="sla", dimension="sales_team", segment="Team B")
    assert len(team_b) == 1 and team_b.iloc[0]["impact"] < 0
    # paid search x small companies: one of the two is primary, the other is listed too
    drops = alerts[(alerts["kind"] == "rate") & (alerts["measure"] == "mql_to_sql")
                   & (alerts["impact"] < 0)]  # fmt: skip
    small = find(drops, dimension="company_size", segment="small")
    paid = find(drops, dimension="channel", segment="paid_search")
    assert len(small) == 1 and len(paid) == 1
    assert (small.iloc[0]["explained_by"] == -1) or (paid.iloc[0]["explained_by"] == -1)
    targeting = small if small.iloc[0]["explained_by"] == -1 else paid

    # each planted problem has been off since October (2026-W40 holds 1 October)
    for found in (wp, team_b, targeting):
        since = found.iloc[0]["since"]
        assert isinstance(since, str) and since
        assert since <= "2026-W41", since
    # an alert explained by another points at a primary alert
    explained = alerts[alerts["explained_by"] != -1]
    assert set(explained["explained_by"]) <= set(primary.index)


@pytest.mark.parametrize("as_of", ["2026-06-15", "2026-08-24", "2026-09-14", "2026-09-28"])
def test_sample_quiet_weeks_before_october(sample_alerts, as_of):
    alerts, tidy = sample_alerts(as_of)
    assert not tidy.empty
    assert len(alerts) <= 1, alerts[["kind", "measure", "dimension", "segment", "impact"]]
    assert not (alerts["segment"].astype(str) == "wp-genai-guide").any()


def sla_weekly_data() -> WeeklyData:
    """30 weeks: Team A 100 MQLs a week (30 % to SQL, 90 % touched in time); Team B 100 MQLs,
    60 of them in region ``north`` (Team B's only) and 40 in ``south`` (shared with Team A's
    100). In the last 4 weeks Team B touches 10 % in time and its MQL -> SQL falls to 10 %."""
    week = parse_period("2026-W47", calendar=CAL)
    weeks = [week]
    for _ in range(WEEKS - 1):
        weeks.insert(0, previous_period(weeks[0], calendar=CAL))
    rows, sla, serial = [], [], 0
    for i, period in enumerate(weeks):
        recent = i >= WEEKS - 4
        for team, region, count, sqls in (
            ("Team A", "south", 100, 30),
            ("Team B", "north", 60, 6 if recent else 18),
            ("Team B", "south", 40, 4 if recent else 12),
        ):
            for k in range(count):
                serial += 1
                base = {"person_id": f"p{serial:06d}", "day": period.start, "week": period.label,
                        "sales_team": team, "region": region}  # fmt: skip
                rows.append({**base, "stage": "mql"})
                if k < sqls:
                    rows.append({**base, "stage": "sql"})
        b_in_time = 10 if recent else 90
        for dimension, segment, x in ((None, None, 90 + b_in_time), ("sales_team", "Team A", 90),
                                      ("sales_team", "Team B", b_in_time)):  # fmt: skip
            n = 200 if dimension is None else 100
            sla.append({"kind": "rate", "measure": "sla", "dimension": dimension,
                        "segment": segment, "week": period.label, "start": period.start,
                        "x": float(x), "n": float(n), "weight": math.nan})  # fmt: skip
    return WeeklyData(
        weeks=weeks,
        entries=pd.DataFrame(rows),
        weights={(stage, p.label): 1.0 for stage in ("mql", "sql") for p in weeks},
        stages=["mql", "sql"],
        conversions=[("mql_to_sql", "mql", "sql")],
        sla=pd.DataFrame(sla)[SERIES_COLUMNS],
        dimensions=("sales_team", "region"),
    )


def test_a_team_s_sla_explains_the_drop_of_the_region_it_serves():
    data = sla_weekly_data()
    tidy = series_of(data)
    out = explain(detect(tidy, per_person={"sla"}), data)
    team_b = find(out, measure="sla", dimension="sales_team", segment="Team B")
    assert len(team_b) == 1 and team_b.iloc[0]["explained_by"] == -1
    b = team_b.index[0]
    # north is Team B's only: without Team B's people its drop is gone
    north = find(out, measure="mql_to_sql", dimension="region", segment="north")
    assert len(north) == 1 and north.iloc[0]["explained_by"] == b
    # the funnel's SLA is Team B's too (its series subtracted)
    funnel_sla = out[(out["measure"] == "sla") & out["dimension"].isna()]
    assert len(funnel_sla) == 1 and funnel_sla.iloc[0]["explained_by"] == b
    # Team B's own MQL -> SQL drop is the same segment's other symptom: its own finding
    own = find(out, measure="mql_to_sql", dimension="sales_team", segment="Team B")
    assert len(own) == 1 and own.iloc[0]["explained_by"] == -1
    # and a conversion alert never explains an SLA alert
    assert set(out.loc[out["measure"] == "sla", "explained_by"]) <= {-1, b}
