"""Which leading KPIs still predict the KGI: lagged correlations, elasticities, moves alone.

The quarterly review asks whether the KPIs still fit. For each leading KPI (the stage counts
before the last stage and the KPI tree's rates before the last one; the last stage, its rate and
the deal size are parts of the KGI, not leading KPIs) this module measures, over the last few
dozen months:

- how closely the KPI ``k`` months earlier has tracked the KGI (``k = 0..max_lag``): the
  Pearson correlation of the logs, each around its own linear trend, so that two series that
  merely both grow do not count as one predicting the other;
- the lag that tracked best, whether that correlation is significant once the lags tried are
  accounted for (Bonferroni), and the elasticity (``+1 %`` KPI -> ``+e %`` KGI) with a 90 %
  interval;
- whether the KPI moved in the last year without the KGI following ("lead volume up, revenue
  flat").

Monthly revenue is noisy (deal sizes vary a lot), so the pack measures the same against the
last stage's count too (won deals: the KGI's volume, which deal-size noise does not blur) and
calls a KPI predictive if either is significant. Correlation over a few dozen months is
evidence, not proof.

This module is the analysis: it returns frames (:func:`monthly_series`, :func:`kpi_relevance`,
:func:`combined`; the series in :mod:`reviewkit.analysis.relevance_series`, the under-weighted
KPIs in :mod:`reviewkit.analysis.underweighted`); :mod:`reviewkit.present.sections.relevance`
words, tabulates and draws them.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import special  # not scipy.stats: its import alone takes ~0.5 s

from reviewkit.analysis.relevance_fit import lag_fits, positive_logs
from reviewkit.analysis.relevance_series import WINDOW, leading_kpis, month_label, month_number
from reviewkit.errors import ParameterError
from reviewkit.model.definitions import (
    Definitions,
)

KINDS = ("count", "amount", "rate")
VERDICTS = ("predicts", "weak", "none")
REASONS = ("significant", "not_significant", "not_positive", "too_few_points", "no_variation")
ALPHA = 0.05  # significance level after the Bonferroni correction
INTERVAL = 0.90  # the elasticity's interval
MOVE_RELATIVE = 0.10  # a count or amount "moved": at least this relative change
MOVE_POINTS = 0.02  # a rate "moved": at least this change (0.02 = two points)
FOLLOW_SHARE = 1 / 3  # the KGI "followed": at least this share of the change it should show
TABLE_COLUMNS = [
    "metric", "kind", "lag", "correlation", "n", "p_value", "elasticity", "elasticity_low",
    "elasticity_high", "verdict", "reason", "kpi_change", "kgi_change", "expected_kgi_change",
    "moved_alone", "kpi_end",
]  # fmt: skip
BY_LAG_COLUMNS = ["metric", "lag", "correlation", "n", "p_value"]
COMBINED_COLUMNS = [
    "metric", "kind", "verdict", "reason", "against", "lag", "correlation", "elasticity",
    "elasticity_low", "elasticity_high", "moved_alone",
]  # fmt: skip


@dataclass(frozen=True)
class Relevance:
    """The KPIs' relevance to one KGI column (see :func:`kpi_relevance`).

    Attributes
    ----------
    table
        One row per KPI (:data:`TABLE_COLUMNS`).
    by_lag
        One row per KPI and lag (:data:`BY_LAG_COLUMNS`): the correlation (NaN with fewer than
        ``min_points`` pairs), the number of pairs and the uncorrected p-value.
    kgi
        The column the KPIs were measured against.
    months
        The month labels used (``2024-06`` ...), oldest first.
    skipped
        Months left out at the start while the funnel was filling up.
    max_lag, min_points
        The settings used.
    dropped
        Leading KPIs left out because they have no data in the months asked for (a stage
        nothing enters: all zero or without a value), in display order.
    """

    table: pd.DataFrame
    by_lag: pd.DataFrame
    kgi: str
    months: tuple[str, ...]
    skipped: tuple[str, ...] = ()
    max_lag: int = 6
    min_points: int = 12
    dropped: tuple[str, ...] = ()

    @property
    def too_few_months(self) -> bool:
        """Whether no KPI could be judged for want of months (every one ``too_few_points``)."""
        reasons = self.table["reason"]
        return bool(len(reasons)) and bool(reasons.eq("too_few_points").all())


# -- relevance ---------------------------------------------------------------------------------


def _window(values: pd.Series, end: int, kind: str) -> float:
    """Sum (counts, amounts) or mean (rates) of the :data:`WINDOW` months ending at ``end``."""
    months = range(end - WINDOW + 1, end + 1)
    if not all(m in values.index for m in months):
        return math.nan
    part = values.loc[list(months)].astype("float64")
    if part.isna().any():
        return math.nan
    return float(part.mean() if kind == "rate" else part.sum())


def _relative(now: float, before: float) -> float:
    return now / before - 1 if before > 0 and not math.isnan(now) else math.nan


def kpi_relevance(
    series: pd.DataFrame,
    *,
    kgi: str,
    kpis: Mapping[str, str],
    max_lag: int = 6,
    min_points: int = 12,
    detrend: bool = True,
) -> Relevance:
    """How well each KPI has tracked ``kgi`` over the months of ``series`` (pure).

    Rules:

    - **Correlation at lag k** (``k = 0..max_lag`` months): Pearson's r of log(KPI in month
      ``t - k``) and log(KGI in month ``t``) over every month ``t`` where both are positive.
      With ``detrend`` (the default) each log series first loses its linear trend over those
      months (a partial correlation given time), so shared growth does not pass for prediction.
      A lag with fewer than ``min_points`` pairs is not tried (its correlation is NaN).
    - **Best lag**: the tried lag with the highest correlation (the shorter on a tie).
    - **p-value**: two-sided t-test of that correlation (``n - 2`` degrees of freedom, ``n - 3``
      when detrended), times the number of lags tried (Bonferroni), at most 1.
    - **Elasticity**: the OLS slope of log KGI on log KPI at the best lag (detrended alike):
      ``+1 %`` KPI goes with ``+elasticity %`` KGI; with a :data:`INTERVAL` t-interval.
    - **Verdict**: ``predicts`` if the corrected p < :data:`ALPHA` and r > 0; ``weak`` if
      r > 0 but not significant; ``none`` if r <= 0 (reason ``not_positive``), no lag has
      ``min_points`` pairs (``too_few_points``) or a series does not vary (``no_variation``).
    - **Moved alone**: the KPI over the :data:`WINDOW` months ending ``lag`` months before the
      last month, against the same months a year earlier (sum for counts and amounts, mean
      for rates): ``kpi_change`` is relative for counts and amounts, in rate units for rates
      (0.02 = two points). The KGI's change is over the last :data:`WINDOW` months (those the
      KPI's months lead to), relative. The KGI should have moved by
      ``(1 + relative KPI change) ** e - 1`` (``expected_kgi_change``), ``e`` being the
      elasticity when the verdict is ``predicts`` and 1 otherwise (the KPI tree multiplies
      out, so a driver's ``+x %`` is the KGI's ``+x %`` all else equal). ``moved_alone``: the
      KPI moved by at least :data:`MOVE_RELATIVE` (:data:`MOVE_POINTS` for rates) but the KGI's
      change is less than :data:`FOLLOW_SHARE` of the expected change (or the other way).

    Parameters
    ----------
    series
        One row per month (see :func:`monthly_series`): ``start`` (first day of the month) and
        the KPI and KGI columns; rows with a true ``filling`` column are left out.
    kgi
        The column to explain: the KGI, or the last stage's count.
    kpis
        KPI column -> kind (``count``, ``amount`` or ``rate``), in display order.
    max_lag
        The longest lag tried, in months.
    min_points
        The fewest (KPI, KGI) pairs a lag needs.
    detrend
        Remove each log series' linear trend before correlating.

    Returns
    -------
    Relevance
        The table (one row per KPI), the per-lag correlations and the months used.

    Raises
    ------
    ParameterError
        On a missing column, an unknown kind, a negative ``max_lag`` or ``min_points`` < 4.
    """
    _check_relevance_request(series, kgi=kgi, kpis=kpis, max_lag=max_lag, min_points=min_points)
    filling = (
        series["filling"].astype(bool).to_numpy()
        if "filling" in series
        else np.zeros(len(series), dtype=bool)
    )
    numbers = np.array([month_number(pd.Timestamp(d).date()) for d in series["start"]], dtype=int)
    if len(set(numbers)) != len(numbers):
        raise ParameterError("series: a month appears twice in start; give one row per month")
    frame = series[~filling].set_index(pd.Index(numbers[~filling], name="m"))
    months = tuple(month_label(m) for m in numbers[~filling])
    skipped = tuple(month_label(m) for m in numbers[filling])
    y_log = positive_logs(frame[kgi])
    last = int(frame.index.max()) if len(frame) else 0
    kgi_change = _relative(
        _window(frame[kgi], last, "amount"), _window(frame[kgi], last - 12, "amount")
    )
    rows: list[dict[str, object]] = []
    lag_rows: list[dict[str, Any]] = []
    for metric, kind in kpis.items():
        fits = lag_fits(
            positive_logs(frame[metric]), y_log, metric, lag_rows,
            max_lag=max_lag, min_points=min_points, detrend=detrend,
        )  # fmt: skip
        rows.append(
            _verdict_row(metric, kind, fits, frame=frame, last=last, kgi_change=kgi_change,
                         most=max((r["n"] for r in lag_rows if r["metric"] == metric), default=0))
        )  # fmt: skip
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    by_lag = pd.DataFrame(lag_rows, columns=BY_LAG_COLUMNS)
    return Relevance(
        table=table, by_lag=by_lag, kgi=kgi, months=months, skipped=skipped, max_lag=max_lag,
        min_points=min_points,
    )  # fmt: skip


def _check_relevance_request(
    series: pd.DataFrame, *, kgi: str, kpis: Mapping[str, str], max_lag: int, min_points: int
) -> None:
    """Raise :class:`ParameterError` on what :func:`kpi_relevance` cannot take."""
    missing = [c for c in ["start", kgi, *kpis] if c not in series.columns]
    if missing:
        raise ParameterError(
            f"series: no column {missing[0]!r}; columns are {list(series.columns)} "
            "(build the series with monthly_series)"
        )
    for metric, kind in kpis.items():
        if kind not in KINDS:
            raise ParameterError(f"kpis: {metric} has kind {kind!r}; use one of {KINDS}")
    if max_lag < 0:
        raise ParameterError(f"max_lag: {max_lag!r} is negative; use 0 or more (e.g. 6)")
    if min_points < 4:
        raise ParameterError(f"min_points: {min_points!r} is too few; use 4 or more (e.g. 12)")


def _verdict_row(
    metric: str, kind: str, fits: dict[int, tuple[int, dict[str, float]]], *,
    frame: pd.DataFrame, last: int, kgi_change: float, most: int,
) -> dict[str, object]:  # fmt: skip
    """One KPI's row of :func:`kpi_relevance`'s table."""
    row: dict[str, Any] = {
        "metric": metric, "kind": kind, "lag": math.nan, "correlation": math.nan, "n": most,
        "p_value": math.nan, "elasticity": math.nan, "elasticity_low": math.nan,
        "elasticity_high": math.nan, "verdict": "none", "reason": "too_few_points",
    }  # fmt: skip
    tried = {lag: v for lag, v in fits.items() if not math.isnan(v[1]["r"])}
    if fits and not tried:
        row["reason"] = "no_variation"
    if tried:
        lag = max(tried, key=lambda k: (tried[k][1]["r"], -k))
        n, fit = tried[lag]
        p = min(1.0, fit["p"] * len(tried))
        half = float(special.stdtrit(fit["dof"], 0.5 + INTERVAL / 2)) * fit["se"]  # t.ppf
        if fit["r"] <= 0:
            verdict, reason = "none", "not_positive"
        elif p < ALPHA:
            verdict, reason = "predicts", "significant"
        else:
            verdict, reason = "weak", "not_significant"
        row.update(
            lag=float(lag), correlation=fit["r"], n=n, p_value=p, elasticity=fit["slope"],
            elasticity_low=fit["slope"] - half, elasticity_high=fit["slope"] + half,
            verdict=verdict, reason=reason,
        )  # fmt: skip
    lag = 0 if math.isnan(row["lag"]) else int(row["lag"])
    end = last - lag
    now = _window(frame[metric], end, kind)
    before = _window(frame[metric], end - 12, kind)
    relative = _relative(now, before)
    change = now - before if kind == "rate" else relative
    moved = abs(change) >= (MOVE_POINTS if kind == "rate" else MOVE_RELATIVE)
    e = float(row["elasticity"]) if row["verdict"] == "predicts" else 1.0
    expected = (1 + relative) ** e - 1 if relative > -1 else math.nan
    alone = bool(
        moved
        and not math.isnan(kgi_change)
        and not math.isnan(expected)
        and expected != 0
        and kgi_change / expected < FOLLOW_SHARE
    )
    row.update(
        kpi_change=change, kgi_change=kgi_change, expected_kgi_change=expected,
        moved_alone=alone, kpi_end=month_label(end),
    )  # fmt: skip
    return row


def without_data(series: pd.DataFrame, kpis: Mapping[str, str]) -> list[str]:
    """The KPIs of ``kpis`` with no data in ``series``: never above zero, or absent."""
    return [
        k
        for k in kpis
        if k not in series.columns or not series[k].astype("float64").fillna(0).gt(0).any()
    ]


def relevance_results(
    series: pd.DataFrame,
    *,
    definitions: Definitions,
    max_lag: int = 6,
    min_points: int = 12,
) -> dict[str, Relevance]:
    """:func:`kpi_relevance` of :func:`leading_kpis` against the KGI and the last stage's count.

    Leading KPIs without data in ``series`` (:func:`without_data`: a stage nothing enters, a
    rate whose stages never filled) are left out and named in :attr:`Relevance.dropped`.

    Returns
    -------
    dict
        ``{KGI: Relevance, last stage: Relevance}``, KGI first (``revenue``, or the last
        stage's count when that is the KGI, in which case there is one entry).
    """
    kpis = leading_kpis(definitions)
    dropped = without_data(series, kpis)
    kept = {k: v for k, v in kpis.items() if k not in dropped}
    last = definitions.stages[-1].key
    kgi = definitions.kgi_metric
    targets = list(dict.fromkeys([kgi, last]))
    out = {}
    for key in targets:
        result = kpi_relevance(series, kgi=key, kpis=kept, max_lag=max_lag, min_points=min_points)
        out[key] = dataclasses.replace(result, dropped=tuple(dropped))
    return out


def combined(results: Mapping[str, Relevance]) -> pd.DataFrame:
    """One row per KPI across several :class:`Relevance` (KGI first).

    The verdict is the best of the results (``predicts`` if any is significant); ``against``
    names the result it comes from (the first with that verdict), and the lag, correlation and
    elasticity are that result's. ``moved_alone`` is the first result's (the KGI's).

    Returns
    -------
    pandas.DataFrame
        :data:`COMBINED_COLUMNS`, in the first result's order.
    """
    tables = {key: r.table.set_index("metric") for key, r in results.items()}
    first = next(iter(tables.values()))
    rank = {v: i for i, v in enumerate(VERDICTS)}
    rows = []
    for metric in first.index:
        against = min(tables, key=lambda k: rank[str(tables[k].loc[metric, "verdict"])])
        best = tables[against].loc[metric]
        rows.append(
            {"metric": metric, "kind": best["kind"], "verdict": best["verdict"],
             "reason": best["reason"], "against": against, "lag": best["lag"],
             "correlation": best["correlation"], "elasticity": best["elasticity"],
             "elasticity_low": best["elasticity_low"],
             "elasticity_high": best["elasticity_high"],
             "moved_alone": bool(first.loc[metric, "moved_alone"])}
        )  # fmt: skip
    return pd.DataFrame(rows, columns=COMBINED_COLUMNS)
