"""KPIs that matter for the KGI but whose targets do not ask them to move."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

import pandas as pd

from reviewkit.analysis.relevance import Relevance, combined
from reviewkit.analysis.relevance_series import month_number
from reviewkit.analysis.scorecard import TargetSource, target_for
from reviewkit.core.periods import Period
from reviewkit.errors import ParameterError
from reviewkit.model.definitions import (
    ConversionMetric,
    CountMetric,
    Definitions,
    Metric,
)
from reviewkit.semantic.funnel import Funnel

LARGE_ELASTICITY = 0.5  # a weak KPI with an elasticity this large still matters
UNDERWEIGHTED_COLUMNS = [
    "metric", "kind", "reason", "why", "target", "actual", "verdict", "against", "elasticity",
    "explanation",
]  # fmt: skip


def _span_period(next_period: Period, trailing: int) -> Period:
    """The ``trailing`` periods before ``next_period`` as one span (only its dates are used)."""
    if next_period.cadence == "weekly":
        start = next_period.start - dt.timedelta(weeks=trailing)
    else:
        step = 3 if next_period.cadence == "quarterly" else 1
        n = month_number(next_period.start) - step * trailing
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
        found = _target_and_actual(
            definitions.metric(str(r["metric"])), planned, counts, trailing=trailing
        )
        if found is None:  # not a leading KPI (stage counts and rates only)
            continue
        target, actual = found
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


def _target_and_actual(
    metric: Metric,
    planned: Mapping[str, float | None],
    counts: pd.Series,
    *,
    trailing: int,
) -> tuple[float | None, float] | None:
    """A leading KPI's target for the period and its trailing actual (``None``: not one)."""
    if isinstance(metric, ConversionMetric):
        a, b = planned[metric.from_], planned[metric.to]
        target = b / a if a and b is not None else None
        below = float(counts[metric.from_])
        actual = float(counts[metric.to]) / below if below else math.nan
    elif isinstance(metric, CountMetric):
        target = planned[metric.stage]
        actual = float(counts[metric.stage]) / trailing
    else:
        return None
    return target, actual
