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
:func:`combined`, :func:`underweighted`); :mod:`reviewkit.present.sections.relevance` words,
tabulates and draws them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import special  # not scipy.stats: its import alone takes ~0.5 s

from reviewkit.analysis.scorecard import TargetSource, target_for
from reviewkit.core.periods import FiscalCalendar, Period, months_ending
from reviewkit.errors import ParameterError
from reviewkit.model.definitions import (
    AverageDealSizeMetric,
    ConversionMetric,
    CountMetric,
    Definitions,
    Metric,
)
from reviewkit.model.units import metric_unit, unit_of
from reviewkit.semantic.funnel import Funnel

KINDS = ("count", "amount", "rate")
VERDICTS = ("predicts", "weak", "none")
REASONS = ("significant", "not_significant", "not_positive", "too_few_points", "no_variation")
ALPHA = 0.05  # significance level after the Bonferroni correction
INTERVAL = 0.90  # the elasticity's interval
FILL_SHARE = 0.5  # the funnel has filled once every stage reaches this share of its median
WINDOW = 3  # months compared with the same months a year earlier
MOVE_RELATIVE = 0.10  # a count or amount "moved": at least this relative change
MOVE_POINTS = 0.02  # a rate "moved": at least this change (0.02 = two points)
FOLLOW_SHARE = 1 / 3  # the KGI "followed": at least this share of the change it should show
LARGE_ELASTICITY = 0.5  # a weak KPI with an elasticity this large still matters
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
UNDERWEIGHTED_COLUMNS = [
    "metric", "kind", "reason", "why", "target", "actual", "verdict", "against", "elasticity",
    "explanation",
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


# -- the monthly series ------------------------------------------------------------------------


def _month_number(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _label(number: int) -> str:
    """``2026-09`` of a month number (year x 12 + month - 1)."""
    return f"{number // 12}-{number % 12 + 1:02d}"


def window_start(end: str) -> str:
    """The first of the :data:`WINDOW` months ending with ``end`` (``2026-09`` -> ``2026-07``).

    Those months are what :func:`kpi_relevance` compares with the same months a year earlier.
    """
    return _label(int(end[:4]) * 12 + int(end[5:7]) - 1 - (WINDOW - 1))


def monthly_series(
    funnel: Funnel, period: Period, *, calendar: FiscalCalendar, months: int = 36
) -> pd.DataFrame:
    """The funnel month by month, up to the last month of ``period``.

    Parameters
    ----------
    funnel
        The definitions bound to the store.
    period
        The period under review; the series ends with its last calendar month.
    calendar
        The company's fiscal calendar.
    months
        How many months to ask for (at most): months before the data starts are dropped,
        not shown as zeros.

    Returns
    -------
    pandas.DataFrame
        One row per month, oldest first: ``month`` (label, ``2026-09``), ``start`` (its first
        day), ``filling`` (true for the first months after the data starts, before every stage
        count and the KGI first reach :data:`FILL_SHARE` of their median: deals that close then
        started before the data, so those months are left out of correlations), then one
        column per metric: the stage counts, the KPI tree's conversion rates on the period
        basis (entries into the later stage in the month / entries into the earlier one: no
        cohort is immature), the tree's average deal size and the KGI.

    Raises
    ------
    ParameterError
        If ``months`` is less than 1.
    """
    if months < 1:
        raise ParameterError(f"months: {months!r} is too few; ask for 1 or more (e.g. 36)")
    periods = months_ending(period, months, calendar=calendar)
    definitions = funnel.definitions
    stages = definitions.stage_keys
    kgi = funnel.kgi_key()
    metrics: list[str | Metric] = list(stages)
    for key in definitions.tree:
        metric = definitions.metric(key)
        if isinstance(metric, ConversionMetric):
            metrics.append(metric.model_copy(update={"basis": "period"}))
        elif isinstance(metric, AverageDealSizeMetric):
            metrics.append(metric)
    if kgi not in stages:
        metrics.append(kgi)
    keys = [m if isinstance(m, str) else m.key for m in metrics]
    frame = funnel.metric_frame(metrics, periods)
    wide = frame.pivot(index="period", columns="metric", values="value")
    wide = wide.reindex(index=[p.label for p in periods], columns=keys).astype("float64")
    out = pd.DataFrame({"month": [p.label for p in periods], "start": [p.start for p in periods]})
    out = pd.concat([out, wide.reset_index(drop=True)], axis=1)
    volumes = list(dict.fromkeys([*stages, kgi]))
    volume = out[volumes].fillna(0).gt(0).any(axis=1).to_numpy()
    first = int(np.argmax(volume)) if volume.any() else len(out)
    out = out.iloc[first:].reset_index(drop=True)
    out.insert(2, "filling", filling_months(out, columns=volumes))
    return out


def filling_months(series: pd.DataFrame, *, columns: Sequence[str]) -> pd.Series:
    """Whether each month is still in the funnel's fill-up after the data starts.

    Deals that close in the first months of the data started before it, so the later stages
    and the KGI start low and climb while the funnel fills. A month is *filling* until the first
    month in which every one of ``columns`` is at least :data:`FILL_SHARE` of its median over
    the series; that month and every later one are not (a later dip is data, not fill-up).

    Returns
    -------
    pandas.Series
        Booleans aligned with ``series``.
    """
    values = series[list(columns)].astype("float64")
    floor = FILL_SHARE * values.median()
    full = values.ge(floor, axis=1).all(axis=1).to_numpy()
    first = int(np.argmax(full)) if full.any() else len(series)
    return pd.Series(np.arange(len(series)) < first, index=series.index, name="filling")


def leading_kpis(definitions: Definitions) -> dict[str, str]:
    """The leading KPIs examined and their kinds: stage counts, then tree rates.

    The last stage's count and rate and the deal size are parts of the KGI (revenue = won
    deals x deal size), not leading KPIs, so they are left out.

    Returns
    -------
    dict
        Metric key -> ``count`` or ``rate``, counts in funnel order, then rates in tree order.
    """
    last = definitions.stages[-1].key
    out: dict[str, str] = {
        key: unit_of(definitions, key) for key in definitions.stage_keys if key != last
    }
    for key in definitions.tree:
        metric = definitions.metric(key)
        if isinstance(metric, ConversionMetric) and metric.to != last:
            out[key] = metric_unit(metric)
    return out


# -- relevance ---------------------------------------------------------------------------------


def _fit(x: np.ndarray, y: np.ndarray, time: np.ndarray, *, detrend: bool) -> dict[str, float]:
    """Correlation, p-value, OLS slope (y on x) and its standard error, of detrended points."""
    n = len(x)
    dof = n - (3 if detrend else 2)
    nan = {"r": math.nan, "p": math.nan, "slope": math.nan, "se": math.nan, "dof": dof}
    if dof < 1:
        return nan
    if detrend:
        design = np.column_stack([np.ones(n), time - time.mean()])
        x = x - design @ np.linalg.lstsq(design, x, rcond=None)[0]
        y = y - design @ np.linalg.lstsq(design, y, rcond=None)[0]
    dx, dy = x - x.mean(), y - y.mean()
    sxx, syy, sxy = float(dx @ dx), float(dy @ dy), float(dx @ dy)
    tiny = 1e-12
    if sxx <= tiny * (1 + float(x @ x)) or syy <= tiny * (1 + float(y @ y)):
        return nan
    r = max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))
    slope = sxy / sxx
    se = math.sqrt(max(syy * (1 - r * r), 0.0) / dof / sxx)
    stat = math.inf if abs(r) >= 1 else r * math.sqrt(dof / (1 - r * r))
    p = float(2 * special.stdtr(dof, -abs(stat)))  # = 2 * scipy.stats.t.sf(|stat|, dof)
    return {"r": r, "p": p, "slope": slope, "se": se, "dof": dof}


def _logs(values: pd.Series) -> pd.Series:
    """Natural logs of the positive values; the rest dropped."""
    values = values.astype("float64")
    return np.log(values[(values > 0) & np.isfinite(values)])


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
    filling = (
        series["filling"].astype(bool).to_numpy()
        if "filling" in series
        else np.zeros(len(series), dtype=bool)
    )
    numbers = np.array([_month_number(pd.Timestamp(d).date()) for d in series["start"]], dtype=int)
    if len(set(numbers)) != len(numbers):
        raise ParameterError("series: a month appears twice in start; give one row per month")
    frame = series[~filling].set_index(pd.Index(numbers[~filling], name="m"))
    months = tuple(_label(m) for m in numbers[~filling])
    skipped = tuple(_label(m) for m in numbers[filling])
    y_log = _logs(frame[kgi])
    last = int(frame.index.max()) if len(frame) else 0
    kgi_change = _relative(
        _window(frame[kgi], last, "amount"), _window(frame[kgi], last - 12, "amount")
    )
    rows: list[dict[str, object]] = []
    lag_rows: list[dict[str, Any]] = []
    for metric, kind in kpis.items():
        x_log = _logs(frame[metric])
        fits = {}
        for lag in range(max_lag + 1):
            shifted = x_log.set_axis(x_log.index + lag)
            pairs = pd.concat({"x": shifted, "y": y_log}, axis=1, join="inner").dropna()
            n = len(pairs)
            fit = (
                _fit(pairs["x"].to_numpy(), pairs["y"].to_numpy(),
                     pairs.index.to_numpy(dtype="float64"), detrend=detrend)
                if n >= min_points
                else None
            )  # fmt: skip
            if fit is not None:
                fits[lag] = (n, fit)
            lag_rows.append(
                {"metric": metric, "lag": lag, "n": n,
                 "correlation": fit["r"] if fit else math.nan,
                 "p_value": fit["p"] if fit else math.nan}
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
        moved_alone=alone, kpi_end=_label(end),
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


# -- drivers that matter more than their targets suggest ---------------------------------------


def _span_period(next_period: Period, trailing: int) -> Period:
    """The ``trailing`` periods before ``next_period`` as one span (only its dates are used)."""
    if next_period.cadence == "weekly":
        start = next_period.start - dt.timedelta(weeks=trailing)
    else:
        step = 3 if next_period.cadence == "quarterly" else 1
        n = _month_number(next_period.start) - step * trailing
        start = dt.date(n // 12, n % 12 + 1, 1)
    return Period(next_period.cadence, start, next_period.start, "trailing", start.year, 0)


def underweighted(
    results: Mapping[str, Relevance],
    *,
    targets: TargetSource | None,
    funnel: Funnel,
    next_period: Period,
    definitions: Definitions,
    trailing: int = 4,
) -> pd.DataFrame:
    """Drivers that matter more than their current targets suggest.

    A KPI *matters* when its combined verdict (:func:`combined`) is ``predicts``, or ``weak``
    with an elasticity of at least :data:`LARGE_ELASTICITY` whose interval excludes zero (large
    and clearly positive at its lag, though not significant once the lags tried are counted).
    It is *underweighted* when it has no target for ``next_period`` (``no_target``) or its
    target asks for no improvement on its trailing actual (``target_flat``: target <= actual).
    A count's target comes from the targets (summed over the months); a rate's is implied by
    its stages' targets (target of the later stage / target of the earlier one), and has none
    if either stage has none. The trailing actual is the mean per period over the ``trailing``
    periods before ``next_period`` (for a rate: the later stage's entries over the earlier
    stage's, summed over those periods: the period basis, like the implied target).

    Parameters
    ----------
    results
        :func:`relevance_results`, KGI first.
    targets
        The targets (``None``: no KPI has one).
    funnel
        For the trailing actuals.
    next_period
        The period whose targets are being set.
    definitions
        For the rates' stages.
    trailing
        How many periods the trailing actual averages.

    Returns
    -------
    pandas.DataFrame
        :data:`UNDERWEIGHTED_COLUMNS`: metric, kind, reason (``no_target`` or
        ``target_flat``), why it matters (``predicts`` or ``elastic``), target (NaN without
        one), actual (trailing), verdict, against, elasticity and ``explanation`` (a text key
        taking ``kpi``, ``why``, ``target`` and ``actual``).
    """
    if trailing < 1:
        raise ParameterError(f"trailing: {trailing!r} is too few; use 1 or more (e.g. 4)")
    table = combined(results)
    elastic = (
        (table["verdict"] == "weak")
        & (table["elasticity"] >= LARGE_ELASTICITY)
        & (table["elasticity_low"] > 0)
    )
    matters = table[(table["verdict"] == "predicts") | elastic]
    if matters.empty:
        return pd.DataFrame(columns=UNDERWEIGHTED_COLUMNS)
    span = _span_period(next_period, trailing)
    counts = funnel.metric_frame(definitions.stage_keys, [span]).set_index("metric")["value"]
    planned = {
        # next_period is a quarter (whole months): its targets need no day weights
        key: target_for(funnel, targets, key, next_period, segment=None, calendar=None)
        for key in definitions.stage_keys
    }
    rows = []
    for r in matters.to_dict("records"):
        metric = definitions.metric(str(r["metric"]))
        if isinstance(metric, ConversionMetric):
            a, b = planned[metric.from_], planned[metric.to]
            target = b / a if a and b is not None else None
            below = float(counts[metric.from_])
            actual = float(counts[metric.to]) / below if below else math.nan
        elif isinstance(metric, CountMetric):
            target = planned[metric.stage]
            actual = float(counts[metric.stage]) / trailing
        else:  # not a leading KPI (stage counts and rates only)
            continue
        if target is None:
            reason = "no_target"
        elif not math.isnan(actual) and target <= actual:
            reason = "target_flat"
        else:
            continue
        rows.append(
            {"metric": r["metric"], "kind": r["kind"], "reason": reason,
             "target": math.nan if target is None else float(target), "actual": actual,
             "verdict": r["verdict"], "against": r["against"], "elasticity": r["elasticity"],
             "explanation": f"relevance.underweighted.{reason}",
             "why": "predicts" if r["verdict"] == "predicts" else "elastic"}
        )  # fmt: skip
    return pd.DataFrame(rows, columns=UNDERWEIGHTED_COLUMNS)
