"""The KPI scorecard of a period: funnel counts and the KGI against target, and the stage rates.

Everything is asked of the semantic layer by metric name; nothing here knows a stage.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Protocol

import pandas as pd

from reviewkit.core.periods import FiscalCalendar, Period
from reviewkit.errors import ParameterError
from reviewkit.model.definitions import ConversionMetric
from reviewkit.semantic.funnel import Funnel

COLUMNS = ["metric", "kind", "actual", "target", "achievement", "previous", "change"]
RATE_COLUMNS = [
    "metric", "basis", "window", "value", "mature", "numerator", "denominator",
    "other_basis", "other_value", "show_both", "previous", "change_points", "previous_mature",
    "equal_days", "equal_value", "equal_previous",
]  # fmt: skip


class TargetSource(Protocol):
    """Anything that gives a metric's target for a date range.

    See :mod:`reviewkit.model.targets`.
    """

    def for_period(
        self,
        metric: str,
        start: dt.date,
        end: dt.date,
        *,
        segment: tuple[str, str] | None = None,
        day_weights: pd.Series | None = None,
    ) -> float | None:
        """The target of ``metric`` for ``[start, end)``, or ``None``."""


def _ratio(numerator: float, denominator: float | None) -> float:
    if denominator is None or denominator == 0 or math.isnan(denominator):
        return math.nan
    return numerator / denominator


def target_for(
    funnel: Funnel,
    targets: TargetSource | None,
    metric: str,
    period: Period,
    *,
    segment: tuple[str, str] | None,
    calendar: FiscalCalendar | None,
) -> float | None:
    """The metric's target for the period; seasonal targets weigh days by last year's pattern.

    ``calendar`` (the company's: its days off shape the seasonal weights) may be ``None``
    only for a period of whole months, whose target needs no weights.
    """
    if targets is None:
        return None
    weights = None
    whole_months = period.start.day == 1 and period.end.day == 1
    if getattr(targets, "proration", "linear") == "seasonal" and not whole_months:
        from reviewkit.model.seasonality import period_day_weights

        if calendar is None:
            raise ParameterError(
                f"calendar: the seasonal target of {period.label} weighs its days; pass the "
                "company's calendar (workspace.calendar)"
            )

        history = funnel.daily(
            metric,
            start=period.start - dt.timedelta(days=400),
            end=period.start,
            segment=dict([segment]) if segment else None,
        )
        weights = period_day_weights(history, start=period.start, end=period.end, calendar=calendar)
    return targets.for_period(
        metric, period.start, period.end, segment=segment, day_weights=weights
    )


def scorecard(
    funnel: Funnel,
    period: Period,
    *,
    previous: Period,
    targets: TargetSource | None,
    calendar: FiscalCalendar,
    segment: tuple[str, str] | None = None,
) -> pd.DataFrame:
    """Build the scorecard of ``period``: each stage count, then the KGI.

    Parameters
    ----------
    funnel
        The semantic layer bound to the store.
    period
        The period under review.
    previous
        The period to compare with (usually the one just before).
    targets
        Where targets come from; ``None`` for none.
    calendar
        The company's calendar (seasonal targets of a week weigh its days).
    segment
        ``(column, value)`` to restrict to one segment, e.g. ``("sales_team", "Team B")``.

    Returns
    -------
    pandas.DataFrame
        One row per stage in funnel order, then the KGI, with columns ``metric``, ``kind``
        (``count`` or ``amount``), ``actual``, ``target`` (NaN if none), ``achievement``
        (actual / target), ``previous`` and ``change`` (actual / previous - 1; NaN when the
        previous period is zero).
    """
    definitions = funnel.definitions
    kgi = funnel.kgi_key()
    metrics = list(dict.fromkeys([*definitions.stage_keys, kgi]))
    where = dict([segment]) if segment else None
    frame = funnel.metric_frame(metrics, [period, previous], segment=where)
    values = frame.set_index(["period", "metric"])["value"]
    rows = []
    for metric in metrics:
        actual = float(values[(period.label, metric)])
        prev = float(values[(previous.label, metric)])
        target = target_for(funnel, targets, metric, period, segment=segment, calendar=calendar)
        rows.append(
            {
                "metric": metric,
                "kind": definitions.metric(metric).kind,
                "actual": actual,
                "target": math.nan if target is None else float(target),
                "achievement": _ratio(actual, target),
                "previous": prev,
                "change": _ratio(actual, prev) - 1,
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def rate_card(
    funnel: Funnel,
    period: Period,
    *,
    previous: Period,
    segment: tuple[str, str] | None = None,
) -> pd.DataFrame:
    """The stage-to-stage rates of the KPI tree for ``period``, on their agreed basis.

    Each rate is also computed on the other basis (cohort vs period); ``show_both`` says
    whether the two differ by at least ``conversion.show_both_when_gap`` of the definitions.
    ``mature`` (the period's) and ``previous_mature`` (the previous period's) are false for a
    cohort whose window has not elapsed for its last entrant by the cut-off. When either is
    maturing, both cohorts are also counted at equal age (:mod:`reviewkit.analysis.timing`):
    ``equal_days`` (the age, in days), ``equal_value`` and ``equal_previous``; NaN otherwise.

    Returns
    -------
    pandas.DataFrame
        One row per conversion of the tree, in funnel order (:data:`RATE_COLUMNS`).
    """
    from reviewkit.analysis.timing import equal_age_rates

    definitions = funnel.definitions
    gap = definitions.conversion.show_both_when_gap
    where = dict([segment]) if segment else None
    rows = []
    for key in definitions.tree:
        metric = definitions.metric(key)
        if not isinstance(metric, ConversionMetric):
            continue
        other = metric.model_copy(
            update={"basis": "period" if metric.basis == "cohort" else "cohort"}
        )
        own = funnel.metric_frame([key], [period, previous], segment=where).set_index("period")
        alt = funnel.metric_frame([other], [period], segment=where).iloc[0]
        now, before = own.loc[period.label], own.loc[previous.label]
        value, other_value = float(now["value"]), float(alt["value"])
        mature, previous_mature = bool(now["mature"]), bool(before["mature"])
        equal = None
        if not (mature and previous_mature):
            equal = equal_age_rates(funnel, key, period, previous, segment=where)
        rows.append(
            {
                "metric": key,
                "basis": metric.basis,
                "window": metric.window,
                "value": value,
                "mature": mature,
                "numerator": float(now["numerator"]),
                "denominator": float(now["denominator"]),
                "other_basis": other.basis,
                "other_value": other_value,
                "show_both": bool(
                    not math.isnan(value)
                    and not math.isnan(other_value)
                    and abs(value - other_value) >= gap
                ),
                "previous": float(before["value"]),
                "change_points": (value - float(before["value"])) * 100,
                "previous_mature": previous_mature,
                "equal_days": math.nan if equal is None else float(equal.days),
                "equal_value": math.nan if equal is None else equal.value,
                "equal_previous": math.nan if equal is None else equal.reference_value,
            }
        )
    return pd.DataFrame(rows, columns=RATE_COLUMNS)
