"""Which leading KPIs still predict the KGI (:mod:`reviewkit.analysis.relevance`).

Part 1 checks :func:`kpi_relevance` on synthetic series whose answer is known: a KPI that leads
the KGI by two months, pure noise (false-positive rate over 50 seeds), independent series that
merely both grow, KPIs that move without the KGI, too few months; and its figures against numpy
and scipy on the same points.

Part 2 checks :func:`monthly_series` on the sample company against a plain pandas recount of the
raw tables (tests/analysis/test_scorecard_numbers.py), then ``underweighted`` on hand-made targets,
and the table, chart and sentences in Japanese and English.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from html import escape
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from builders import expected_actuals
from scipy import stats

from reviewkit.analysis.relevance import (
    BY_LAG_COLUMNS,
    TABLE_COLUMNS,
    Relevance,
    combined,
    kpi_relevance,
    relevance_results,
)
from reviewkit.analysis.relevance_series import filling_months, leading_kpis, monthly_series
from reviewkit.analysis.underweighted import UNDERWEIGHTED_COLUMNS, underweighted
from reviewkit.core.periods import FiscalCalendar, Period, parse_period
from reviewkit.errors import ParameterError
from reviewkit.i18n.formatting import MINUS, format_count, format_pct
from reviewkit.i18n.texts import t
from reviewkit.model.targets import COLUMNS, Targets
from reviewkit.present.sections.relevance import (
    relevance_chart,
    relevance_sentences,
    relevance_table,
)

CAL = FiscalCalendar(4)
Q2 = parse_period("FY2026-Q2", calendar=CAL)
Q3 = parse_period("FY2026-Q3", calendar=CAL)


def months_from(first: str, n: int) -> list[dt.date]:
    start = dt.date.fromisoformat(f"{first}-01")
    return [dt.date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1)
            for i in range(n)]  # fmt: skip


def series_of(columns, *, first="2023-04"):
    """A monthly series (as monthly_series returns) of the given columns."""
    n = len(next(iter(columns.values())))
    starts = months_from(first, n)
    frame = pd.DataFrame({"month": [f"{d:%Y-%m}" for d in starts], "start": starts})
    for key, values in columns.items():
        frame[key] = np.asarray(values, dtype="float64")
    return frame


def lagged(seed, *, n=36, lag=2, noise=0.05):
    """x a random walk (in logs); the KGI is x ``lag`` months earlier x 3 x lognormal noise."""
    rng = np.random.default_rng(seed)
    x = 100 * np.exp(np.cumsum(rng.normal(0, 0.1, n)))
    y = np.full(n, np.nan)
    y[lag:] = 3.0 * x[:-lag] * rng.lognormal(0, noise, n - lag)
    return x, y


def one(relevance: Relevance, metric: str) -> pd.Series:
    rows = relevance.table[relevance.table["metric"] == metric]
    assert len(rows) == 1
    return rows.iloc[0]


def signed(value, digits=2):
    return f"{value:+.{digits}f}".replace("-", MINUS)


# --- part 1: kpi_relevance on synthetic series ------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_a_kpi_two_months_ahead_is_found_at_lag_two_with_elasticity_one(seed):
    x, y = lagged(seed)
    rel = kpi_relevance(series_of({"x": x, "kgi": y}), kgi="kgi", kpis={"x": "count"})
    row = one(rel, "x")
    assert list(rel.table.columns) == TABLE_COLUMNS
    assert list(rel.by_lag.columns) == BY_LAG_COLUMNS
    assert row["lag"] == 2
    assert row["verdict"] == "predicts" and row["reason"] == "significant"
    assert row["n"] == 34  # KGI months 2..35 against x months 0..33
    assert row["elasticity_low"] <= 1 <= row["elasticity_high"]
    assert abs(row["elasticity"] - 1) < 0.25
    assert row["p_value"] < 0.001
    # the correlation at lag 2 is the highest of the seven lags tried
    lags = rel.by_lag.set_index("lag")["correlation"]
    assert lags.idxmax() == 2 and len(lags) == 7


def test_pure_noise_rarely_predicts():
    hits = 0
    for seed in range(50):
        rng = np.random.default_rng(1000 + seed)
        kgi = 1000 * np.exp(np.cumsum(rng.normal(0, 0.1, 36))) * rng.lognormal(0, 0.05, 36)
        noise = 100 * rng.lognormal(0, 0.15, 36)
        rel = kpi_relevance(series_of({"x": noise, "kgi": kgi}), kgi="kgi", kpis={"x": "count"})
        hits += one(rel, "x")["verdict"] == "predicts"
    assert hits <= 5, f"{hits} of 50 noise KPIs were called predictive"


def test_two_series_that_merely_both_grow_do_not_predict_each_other_once_detrended():
    def rate(detrend):
        hits = 0
        for seed in range(50):
            rng = np.random.default_rng(2000 + seed)
            time = np.arange(36)
            x = 100 * np.exp(0.01 * time + rng.normal(0, 0.1, 36))
            y = 1000 * np.exp(0.015 * time + rng.normal(0, 0.2, 36))
            rel = kpi_relevance(series_of({"x": x, "kgi": y}), kgi="kgi", kpis={"x": "count"},
                                detrend=detrend)  # fmt: skip
            hits += one(rel, "x")["verdict"] == "predicts"
        return hits

    assert rate(True) <= 5
    assert rate(False) >= 15  # why the default detrends: shared growth passes for prediction


def window_change(values, lag, *, rate=False):
    """Hand calculation: the 3 months ending ``lag`` before the last vs a year earlier."""
    end = len(values) - 1 - lag
    now, before = values[end - 2 : end + 1], values[end - 14 : end - 11]
    if rate:
        return now.mean() - before.mean()
    return now.sum() / before.sum() - 1


def test_a_kpi_that_rises_30_percent_while_the_kgi_stays_flat_moved_alone():
    rng = np.random.default_rng(3)
    n = 36
    flat = 1000 * rng.lognormal(0, 0.03, n)
    rising = flat.copy()
    rising[-9:] *= 1.3
    lead = 100 * rng.lognormal(0, 0.03, n)
    lead[-9:] *= 1.3  # the last 9 months: every window ending 0..6 months back is inside
    falling = 100 * rng.lognormal(0, 0.03, n)
    falling[-9:] *= 0.7
    small = 100 * rng.lognormal(0, 0.03, n)
    small[-9:] *= 1.05
    rate = 0.30 + rng.normal(0, 0.002, n)
    rate[-9:] += 0.03
    columns = {"lead": lead, "falling": falling, "small": small, "rate": rate}
    kinds = {"lead": "count", "falling": "count", "small": "count", "rate": "rate"}
    rel = kpi_relevance(series_of({**columns, "kgi": flat}), kgi="kgi", kpis=kinds)
    for metric, values in columns.items():
        row = one(rel, metric)
        change = window_change(values, int(row["lag"]), rate=metric == "rate")
        assert row["kpi_change"] == pytest.approx(change, rel=1e-9), metric
        assert row["kgi_change"] == pytest.approx(window_change(flat, 0), rel=1e-9)
    assert abs(one(rel, "lead")["kpi_change"] - 0.3) < 0.05
    assert abs(one(rel, "lead")["kgi_change"]) < 0.05
    assert one(rel, "lead")["moved_alone"]
    assert one(rel, "falling")["moved_alone"]  # the other way: KPI down, KGI flat
    assert one(rel, "rate")["moved_alone"]  # +3 points, KGI flat
    assert abs(one(rel, "rate")["kpi_change"] - 0.03) < 0.005  # in rate units
    assert not one(rel, "small")["moved_alone"]  # +5 %: below the 10 % that counts as a move
    # control: the same KPI with a KGI that rose with it did not move alone
    followed = kpi_relevance(series_of({"lead": lead, "kgi": rising}), kgi="kgi",
                             kpis={"lead": "count"})  # fmt: skip
    row = one(followed, "lead")
    assert row["kgi_change"] == pytest.approx(window_change(rising, 0), rel=1e-9)
    assert row["kgi_change"] > 0.2 and not row["moved_alone"]


def test_too_few_months_give_no_verdict_and_say_why(definitions):
    x, y = lagged(7, n=10, lag=1)
    rel = kpi_relevance(series_of({"lead": x, "won": y}), kgi="won", kpis={"lead": "count"})
    row = one(rel, "lead")
    assert (row["verdict"], row["reason"], row["n"]) == ("none", "too_few_points", 9)
    assert math.isnan(row["correlation"]) and math.isnan(row["lag"])
    assert rel.by_lag["correlation"].isna().all()
    html = relevance_table({"won": rel}, definitions=definitions, lang="en").html
    assert "✕ Does not predict (too few months: 9 of the 12 needed)" in html
    ja = relevance_table({"won": rel}, definitions=definitions, lang="ja").html
    assert "✕ 予測していない（月数不足: 9か月／必要12か月）" in ja
    assert "—（月数不足: 9か月／必要12か月）" in ja


def test_correlation_p_value_and_elasticity_equal_numpy_and_scipy_on_the_same_points():
    x, y = lagged(21, n=34, lag=1, noise=0.15)
    x[5] = 0.0  # not positive: dropped from every lag that would use it
    y[20] = -1.0
    n = len(x)
    for detrend in (False, True):
        rel = kpi_relevance(series_of({"x": x, "kgi": y}), kgi="kgi", kpis={"x": "count"},
                            detrend=detrend)  # fmt: skip
        by_lag = rel.by_lag.set_index("lag")
        for lag in range(7):
            xs, ys, time = x[: n - lag], y[lag:], np.arange(lag, n, dtype=float)
            ok = (xs > 0) & (ys > 0) & np.isfinite(xs) & np.isfinite(ys)
            lx, ly, tt = np.log(xs[ok]), np.log(ys[ok]), time[ok]
            if detrend:
                lx = lx - np.polyval(np.polyfit(tt, lx, 1), tt)
                ly = ly - np.polyval(np.polyfit(tt, ly, 1), tt)
            assert by_lag.loc[lag, "n"] == ok.sum()
            expected = np.corrcoef(lx, ly)[0, 1]
            assert by_lag.loc[lag, "correlation"] == pytest.approx(expected, abs=1e-12)
        row = one(rel, "x")
        lag = int(row["lag"])
        assert lag == int(by_lag["correlation"].idxmax())
        xs, ys, time = x[: n - lag], y[lag:], np.arange(lag, n, dtype=float)
        ok = (xs > 0) & (ys > 0) & np.isfinite(xs) & np.isfinite(ys)
        lx, ly, tt = np.log(xs[ok]), np.log(ys[ok]), time[ok]
        if not detrend:
            fit = stats.linregress(lx, ly)
            dof = ok.sum() - 2
            p = stats.pearsonr(lx, ly).pvalue
        else:
            design = np.column_stack([lx, tt, np.ones_like(tt)])
            coef, residual, *_ = np.linalg.lstsq(design, ly, rcond=None)
            dof = ok.sum() - 3
            cov = residual[0] / dof * np.linalg.inv(design.T @ design)
            fit = SimpleNamespace(slope=coef[0], stderr=math.sqrt(cov[0, 0]))
            p = 2 * stats.t.sf(abs(coef[0] / math.sqrt(cov[0, 0])), dof)
        assert row["elasticity"] == pytest.approx(fit.slope, rel=1e-9)
        half = stats.t.ppf(0.95, dof) * fit.stderr
        assert row["elasticity_low"] == pytest.approx(fit.slope - half, rel=1e-9)
        assert row["elasticity_high"] == pytest.approx(fit.slope + half, rel=1e-9)
        assert row["p_value"] == pytest.approx(min(1.0, p * 7), rel=1e-6)


def test_filling_months_are_the_first_ones_below_half_their_median():
    frame = pd.DataFrame({"a": [10, 40, 100, 100, 100, 30, 100], "b": [0, 5, 8, 10, 10, 10, 10]})
    # medians 100 and 10: rows 0 (a = 10) and 1 (a = 40) are below half; row 5 is a later dip
    assert filling_months(frame, columns=["a", "b"]).tolist() == [True, True] + [False] * 5
    x, y = lagged(5, n=20, lag=1)
    series = series_of({"x": x, "kgi": y}, first="2024-04")
    series["filling"] = [True, True] + [False] * 18
    rel = kpi_relevance(series, kgi="kgi", kpis={"x": "count"})
    assert rel.skipped == ("2024-04", "2024-05")
    assert rel.months[0] == "2024-06" and len(rel.months) == 18
    assert rel.by_lag.set_index("lag").loc[0, "n"] == 18


def test_bad_parameters_name_the_problem():
    series = series_of({"x": [1.0] * 5, "kgi": [1.0] * 5})
    with pytest.raises(ParameterError, match="no column 'y'"):
        kpi_relevance(series, kgi="y", kpis={"x": "count"})
    with pytest.raises(ParameterError, match="kind 'volume'"):
        kpi_relevance(series, kgi="kgi", kpis={"x": "volume"})
    with pytest.raises(ParameterError, match="min_points"):
        kpi_relevance(series, kgi="kgi", kpis={"x": "count"}, min_points=2)


# --- part 2: the sample company ---------------------------------------------------------------


@pytest.fixture(scope="module")
def series(sample_funnel):
    return monthly_series(sample_funnel, Q2, calendar=CAL)


def month(label):
    return parse_period(label, calendar=CAL)


def test_monthly_series_matches_a_pandas_recount(series, definitions, expected_inputs):
    stages = definitions.stage_keys
    assert series["month"].iloc[0] == "2024-04"  # the data starts in April 2024: earlier dropped
    assert series["month"].iloc[-1] == "2026-09" and len(series) == 30
    assert [*series.columns[:3]] == ["month", "start", "filling"]
    won = expected_inputs[1]
    rows = series.set_index("month")
    for label in ["2024-04", "2025-05", "2026-01", "2026-09"]:
        p = month(label)
        want = expected_actuals(expected_inputs, p, stages)
        got = rows.loc[label]
        assert got["start"] == p.start
        for stage in stages:
            assert got[stage] == want[stage], (label, stage)
        assert abs(got["revenue"] - want["revenue"]) <= 1, label
        for a, b in itertools.pairwise(stages):  # period basis: b / a in the month
            assert got[f"{a}_to_{b}"] == pytest.approx(want[b] / want[a], rel=1e-12), (label, a)
        deals = ((won["day"] >= p.start) & (won["day"] < p.end)).sum()
        if deals:
            assert got["average_deal_size"] == pytest.approx(want["revenue"] / deals, rel=1e-6)
    # the fill-up rule, recomputed from the recount: the first months before every stage count
    # and revenue reach half their median
    recount = pd.DataFrame(
        [expected_actuals(expected_inputs, month(m), stages) for m in series["month"]]
    )
    full = recount.ge(0.5 * recount.median()).all(axis=1)
    first = int(full.to_numpy().argmax())
    assert series["filling"].tolist() == [i < first for i in range(len(series))]
    assert series["filling"].sum() >= 1


def test_monthly_series_ends_with_the_period_and_keeps_only_the_months_asked(sample_funnel):
    short = monthly_series(sample_funnel, Q2, calendar=CAL, months=12)
    assert short["month"].tolist()[0] == "2025-10" and short["month"].tolist()[-1] == "2026-09"
    assert not short["filling"].any()
    with pytest.raises(ParameterError, match="months"):
        monthly_series(sample_funnel, Q2, calendar=CAL, months=0)


def test_sample_relevance_against_revenue_and_won_deals(series, definitions):
    kpis = leading_kpis(definitions)
    assert kpis == {
        "lead": "count", "mql": "count", "sql": "count", "opportunity": "count",
        "lead_to_mql": "rate", "mql_to_sql": "rate", "sql_to_opportunity": "rate",
    }  # fmt: skip
    results = relevance_results(series, definitions=definitions)
    assert list(results) == ["revenue", "won"]
    for rel in results.values():
        assert rel.table["metric"].tolist() == list(kpis)
        assert rel.months[0] == series.loc[~series["filling"], "month"].iloc[0]
        assert len(rel.months) == (~series["filling"]).sum()
        assert set(rel.table["verdict"]) <= {"predicts", "weak", "none"}
    # Without the fill-up months skipped, one pair (April 2024's few opportunities -> May's
    # three won deals) makes opportunities look predictive; with them skipped it does not.
    kept = kpi_relevance(series.assign(filling=False), kgi="won", kpis=kpis)
    assert one(kept, "opportunity")["verdict"] == "predicts"
    assert one(results["won"], "opportunity")["verdict"] != "predicts"


# --- underweighted, the table, the chart and the sentences ------------------------------------


def funnel_like(seed=17, n=30):
    """A sample-shaped series: opportunities lead won deals by a month; leads jump 30 %."""
    rng = np.random.default_rng(seed)
    lead = 1500 * rng.lognormal(0, 0.05, n)
    lead[-9:] *= 1.3
    mql = 330 * rng.lognormal(0, 0.05, n)
    sql = 140 * rng.lognormal(0, 0.05, n)
    opportunity = 80 * np.exp(np.cumsum(rng.normal(0, 0.12, n)))
    won = np.full(n, np.nan)
    won[1:] = 0.3 * opportunity[:-1] * rng.lognormal(0, 0.05, n - 1)
    revenue = won * 5e6 * rng.lognormal(0, 0.4, n)
    return series_of(
        {"lead": lead, "mql": mql, "sql": sql, "opportunity": opportunity, "won": won,
         "lead_to_mql": mql / lead, "mql_to_sql": sql / mql,
         "sql_to_opportunity": opportunity / sql, "revenue": revenue},
        first="2024-04",
    )  # fmt: skip


@pytest.fixture(scope="module")
def synthetic(definitions):
    results = relevance_results(funnel_like(), definitions=definitions)
    # preconditions of the tests below (the seed is fixed)
    assert one(results["won"], "opportunity")["verdict"] == "predicts"
    assert one(results["revenue"], "lead")["moved_alone"]
    return results


def targets_for(values):
    """Company targets for October to December 2026: metric -> the quarter's total."""
    rows = [
        {"month": d, "metric": metric, "segment_key": "", "segment_value": "", "value": total / 3}
        for metric, total in values.items()
        for d in months_from("2026-10", 3)
    ]
    return Targets(pd.DataFrame(rows, columns=COLUMNS))


def test_underweighted_drivers_on_hand_made_targets(
    synthetic,
    sample_funnel,
    definitions,
    expected_inputs,
):
    table = combined(synthetic)
    matters = table[table["verdict"] == "predicts"]["metric"].tolist()
    assert "opportunity" in matters
    # the trailing actual: the four quarters before FY2026-Q3, recounted with pandas
    span = Period("quarterly", dt.date(2025, 10, 1), dt.date(2026, 10, 1), "span", 2025, 0)
    trailing = expected_actuals(expected_inputs, span, definitions.stage_keys)
    per_quarter = trailing["opportunity"] / 4
    kwargs = {"funnel": sample_funnel, "next_period": Q3, "definitions": definitions}

    flat = underweighted(synthetic, targets=targets_for({"opportunity": per_quarter}), **kwargs)
    assert list(flat.columns) == UNDERWEIGHTED_COLUMNS
    row = flat.set_index("metric").loc["opportunity"]
    assert row["reason"] == "target_flat" and row["why"] == "predicts"
    assert row["actual"] == pytest.approx(per_quarter)
    assert row["target"] == pytest.approx(per_quarter)
    assert row["explanation"] == "relevance.underweighted.target_flat"

    none = underweighted(synthetic, targets=targets_for({}), **kwargs)
    row = none.set_index("metric").loc["opportunity"]
    assert row["reason"] == "no_target" and math.isnan(row["target"])

    raised = underweighted(
        synthetic, targets=targets_for({"opportunity": per_quarter * 1.1}), **kwargs
    )
    assert "opportunity" not in raised["metric"].tolist()
    # only KPIs that matter are listed: every row predicts or is strongly elastic
    assert set(none["metric"]) <= set(matters) | set(
        table[(table["elasticity"] >= 0.5) & (table["elasticity_low"] > 0)]["metric"]
    )


def test_a_rate_target_is_implied_by_its_stages_targets(
    sample_funnel,
    definitions,
    expected_inputs,
):
    # a hand-made result in which mql_to_sql predicts won deals
    rows = [
        {"metric": "mql_to_sql", "kind": "rate", "lag": 1.0, "correlation": 0.7, "n": 24,
         "p_value": 0.001, "elasticity": 0.9, "elasticity_low": 0.5, "elasticity_high": 1.3,
         "verdict": "predicts", "reason": "significant", "kpi_change": 0.0, "kgi_change": 0.0,
         "expected_kgi_change": 0.0, "moved_alone": False, "kpi_end": "2026-08"},
    ]  # fmt: skip
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    rel = Relevance(table, pd.DataFrame(columns=BY_LAG_COLUMNS), kgi="won", months=("2026-09",))
    span = Period("quarterly", dt.date(2025, 10, 1), dt.date(2026, 10, 1), "span", 2025, 0)
    trailing = expected_actuals(expected_inputs, span, definitions.stage_keys)
    rate = trailing["sql"] / trailing["mql"]
    targets = targets_for({"mql": 1000, "sql": 1000 * rate * 0.9})
    frame = underweighted({"won": rel}, targets=targets, funnel=sample_funnel, next_period=Q3,
                          definitions=definitions)  # fmt: skip
    row = frame.set_index("metric").loc["mql_to_sql"]
    assert row["reason"] == "target_flat"
    assert row["target"] == pytest.approx(rate * 0.9)
    assert row["actual"] == pytest.approx(rate)
    kwargs = {"funnel": sample_funnel, "next_period": Q3, "definitions": definitions}
    missing = underweighted({"won": rel}, targets=targets_for({"mql": 1000}), **kwargs)
    assert missing.set_index("metric").loc["mql_to_sql", "reason"] == "no_target"


LABELS = {
    "ja": {"revenue": "受注金額", "won": "受注数", "opportunity": "商談数", "lead": "リード数"},
    "en": {"revenue": "Revenue won", "won": "Won volume", "opportunity": "Opportunity volume",
           "lead": "Lead volume"},
}  # fmt: skip
LAG1 = {"ja": "1か月先行", "en": "1 mo ahead"}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_relevance_table_in_both_languages(synthetic, definitions, lang):
    html = relevance_table(synthetic, definitions=definitions, lang=lang).html
    names = LABELS[lang]
    for key in ("revenue", "won"):
        assert escape(t("relevance.col.correlation", lang, against=names[key])) in html
    opp = one(synthetic["won"], "opportunity")
    assert opp["lag"] == 1
    cell = t("relevance.correlation_cell", lang, r=signed(opp["correlation"]), lag=LAG1[lang])
    assert escape(cell) in html
    against = combined(synthetic).set_index("metric").loc["opportunity", "against"]
    verdict = t("relevance.verdict.detail", lang, verdict=t("relevance.verdict.predicts", lang),
                detail=names[against])  # fmt: skip
    assert escape(verdict) in html
    lead = one(synthetic["revenue"], "lead")
    moved = t("relevance.moved.alone", lang, kpi=names["lead"],
              change=format_pct(lead["kpi_change"], lang=lang, signed=True),
              against=names["revenue"],
              kgi_change=format_pct(lead["kgi_change"], lang=lang, signed=True))  # fmt: skip
    assert escape(moved) in html
    span = {"ja": "2024年4月〜2026年9月", "en": "April 2024 to September 2026"}[lang]
    assert escape(span) in html
    proof = {"ja": "因果の証明ではありません", "en": "evidence, not proof"}[lang]
    assert proof in html
    assert escape(t("relevance.rule", lang, lags=6, min=12)) in html
    assert html.count("<tr") == 1 + 7  # the header and one row per leading KPI


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_relevance_sentences_in_both_languages(synthetic, definitions, lang):
    names = LABELS[lang]
    opp = one(synthetic["won"], "opportunity")
    weights = pd.DataFrame(
        [{"metric": "opportunity", "kind": "count", "reason": "target_flat", "why": "predicts",
          "target": 240.0, "actual": 250.0, "verdict": "predicts", "against": "won",
          "elasticity": 0.9, "explanation": "relevance.underweighted.target_flat"}],
        columns=UNDERWEIGHTED_COLUMNS,
    )  # fmt: skip
    sentences = relevance_sentences(
        synthetic, weights, definitions=definitions, lang=lang, currency="JPY"
    )
    predicts = [
        s for s in sentences if names["opportunity"] in s and signed(opp["correlation"]) in s
    ]
    assert predicts and LAG1[lang] in predicts[0]
    lead = one(synthetic["revenue"], "lead")
    assert any(
        names["lead"] in s and format_pct(lead["kpi_change"], lang=lang, signed=True) in s
        and format_pct(lead["kgi_change"], lang=lang, signed=True) in s
        for s in sentences
    )  # fmt: skip
    why = t("relevance.why.predicts", lang, against=names["won"])
    last = t("relevance.underweighted.target_flat", lang, kpi=names["opportunity"], why=why,
             target=format_count(240, lang=lang), actual=format_count(250, lang=lang))  # fmt: skip
    assert sentences[-1] == last
    empty = relevance_sentences(
        synthetic, weights.iloc[0:0], definitions=definitions, lang=lang, currency="JPY"
    )
    assert len(empty) == len(sentences) - 1


def test_sentence_when_nothing_predicts(series, definitions):
    results = relevance_results(series, definitions=definitions)
    if (combined(results)["verdict"] == "predicts").any():
        pytest.fail("the sample's leading KPIs were expected not to predict once filled up")
    first = relevance_sentences(results, pd.DataFrame(columns=UNDERWEIGHTED_COLUMNS),
                                definitions=definitions, lang="en", currency="JPY")[0]  # fmt: skip
    assert first.startswith(f"Over the last {len(results['revenue'].months)} months no leading")


def test_relevance_chart_marks_one_best_lag_per_row(synthetic, definitions):
    chart = relevance_chart(synthetic, definitions=definitions, lang="en")
    spec = chart.spec  # validated against the Vega-Lite schema outside a pack
    data = pd.DataFrame(next(iter(spec["datasets"].values())))
    assert data["row"].nunique() == 7 * 2
    assert (data.groupby("row")["best"].sum() == 1).all()
    row = data[data["row"] == "Opportunity volume → Won volume"].set_index("column")
    by_lag = synthetic["won"].by_lag.query("metric == 'opportunity'").set_index("lag")
    assert row.loc["1 mo ahead", "value"] == pytest.approx(by_lag.loc[1, "correlation"])
    assert bool(row.loc["1 mo ahead", "best"])
    assert "April 2024 to September 2026" in chart.description


def test_labels_are_escaped(synthetic, definitions):
    stages = [
        s.model_copy(update={"label": s.label.model_copy(update={"en": "<b>Lead</b>"})})
        if s.key == "lead" else s
        for s in definitions.stages
    ]  # fmt: skip
    tricky = definitions.model_copy(update={"stages": stages})
    html = relevance_table(synthetic, definitions=tricky, lang="en").html
    assert "<b>Lead</b>" not in html
    assert "&lt;b&gt;Lead&lt;/b&gt; volume" in html


def test_texts_have_both_languages_with_the_same_fields():
    import re
    import string
    from pathlib import Path

    from reviewkit.analysis import relevance, underweighted
    from reviewkit.i18n.texts_relevance import RELEVANCE_TEXTS
    from reviewkit.present.sections import relevance as relevance_report
    from reviewkit.present.sections import relevance_words

    fields = string.Formatter()
    for key, text in RELEVANCE_TEXTS.items():
        assert key.startswith("relevance.") and set(text) == {"ja", "en"}, key
        ja = {f[1] for f in fields.parse(text["ja"]) if f[1]}
        en = {f[1] for f in fields.parse(text["en"]) if f[1]}
        assert ja == en, key
    for module in (relevance, underweighted, relevance_report, relevance_words):
        source = Path(module.__file__).read_text(encoding="utf-8")
        for key in re.findall(r'"(relevance\.[a-z0-9_.]+)"', source):
            assert key in RELEVANCE_TEXTS, key
    for group in ("verdict", "reason"):
        names = relevance.VERDICTS if group == "verdict" else relevance.REASONS
        for name in names:
            assert f"relevance.{group}.{name}" in RELEVANCE_TEXTS


# --- any company: KPIs without data, too short a history --------------------------------------


def test_kpis_without_data_are_left_out_and_named(definitions):
    from reviewkit.analysis.relevance import without_data

    series = funnel_like()
    series["sql"] = 0.0  # a stage nothing enters: its count and both rates have no data
    series["mql_to_sql"] = np.nan
    series["sql_to_opportunity"] = np.nan
    kpis = leading_kpis(definitions)
    assert without_data(series, kpis) == ["sql", "mql_to_sql", "sql_to_opportunity"]
    results = relevance_results(series, definitions=definitions)
    for relevance in results.values():
        assert relevance.dropped == ("sql", "mql_to_sql", "sql_to_opportunity")
        assert relevance.table["metric"].tolist() == ["lead", "mql", "opportunity", "lead_to_mql"]
    html = relevance_table(results, definitions=definitions, lang="en").html
    assert "SQL volume, MQL to SQL rate, SQL to Opportunity rate: no data, so left out." in html
    # left out for want of data, not listed among the parts of the KGI
    assert "Won volume, Opportunity to Won rate, Average deal size are parts of the KGI" in html


def test_too_short_a_history_says_so_in_one_line_instead_of_a_table(definitions):
    from reviewkit.present.sections.relevance import relevance_body, relevance_shown

    short = funnel_like(n=5)
    results = relevance_results(short, definitions=definitions)
    assert all(r.too_few_months for r in results.values())
    assert not relevance_shown(results)
    empty = pd.DataFrame(columns=UNDERWEIGHTED_COLUMNS)
    for lang, words in [
        ("en", "5 months of history (April 2024 to August 2024): judging which leading KPIs "
               "predict Revenue won needs at least 12 months (7 more)."),
        ("ja", "データは5か月分（2024年4月〜2024年8月）で、どの先行KPIが受注金額を予測しているかの"
               "判定には12か月以上が必要です（あと7か月）。"),
    ]:  # fmt: skip
        body = relevance_body(results, empty, definitions=definitions, lang=lang, currency="JPY")
        assert "<table" not in body.html and body.html.count("<p") == 1
        assert body.text.startswith(words), body.text
        said = relevance_sentences(results, empty, definitions=definitions, lang=lang,
                                   currency="JPY")  # fmt: skip
        assert said == [body.text]
    assert relevance_shown(relevance_results(funnel_like(), definitions=definitions))


def test_no_leading_kpi_with_data_is_said_once(definitions):
    from reviewkit.present.sections.relevance import relevance_body

    series = funnel_like()
    for key in ("lead", "mql", "sql", "opportunity"):
        series[key] = 0.0
    for key in ("lead_to_mql", "mql_to_sql", "sql_to_opportunity"):
        series[key] = np.nan
    results = relevance_results(series, definitions=definitions)
    assert results["revenue"].table.empty
    empty = pd.DataFrame(columns=UNDERWEIGHTED_COLUMNS)
    body = relevance_body(results, empty, definitions=definitions, lang="en", currency="JPY")
    assert body.text == t("relevance.sentence.no_kpis", "en", kgi="Revenue won")


def test_a_single_month_is_named_once():
    from reviewkit.present.sections.relevance_words import span_words

    assert span_words("2024-01", "2024-01", lang="en") == "January 2024"
    assert span_words("2024-01", "2024-03", lang="en") == "January 2024 to March 2024"
    assert span_words("2024-01", "2024-01", lang="ja") == "2024年1月"
