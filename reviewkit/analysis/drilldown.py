"""The drill-down's computation: one metric per period x value of a segment column.

:func:`explore_frame` computes a metric (a stage count, a conversion, revenue, ...) per period
x value of a segment column, or for the whole funnel, through the semantic layer: the top
values by name, the rest computed together as "other", people without a value as "unknown",
a filter on other columns applied. :func:`explore_metrics`, :func:`explore_dimensions` and
:func:`explore_values` list the choices it accepts. Data in, frame out: nothing here formats
a number or draws a chart.

Presentation (chart, table, titles) is :mod:`reviewkit.present.sections.drilldown`; the ipywidgets
shell for JupyterLab is :mod:`reviewkit.review.explorer`, which builds no widget in a pack
(:func:`reviewkit.core.context.in_pack`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from reviewkit.core.periods import Period
from reviewkit.errors import ParameterError
from reviewkit.model.definitions import ConversionMetric, Definitions, Metric
from reviewkit.semantic.funnel import Funnel

EXPLORE_COLUMNS = [
    "period",
    "start",
    "segment",
    "value",
    "numerator",
    "denominator",
    "basis",
    "mature",
]
# The ``segment`` of rows that are no dimension value: text keys, translated when shown.
WHOLE = "dimension.whole"
UNKNOWN = "segment.unknown"
OTHER = "explore.other"
BASES = ("cohort", "period")


# -- choices ----------------------------------------------------------------------------------


def explore_metrics(definitions: Definitions) -> list[str]:
    """Every metric the drill-down offers, in the definitions' order.

    Stage counts, the conversions between consecutive stages, the KGI, then ``metrics:`` (a
    metric there with a generated key keeps the generated one's place).
    """
    return list(definitions.metric_map)


def explore_dimensions(funnel: Funnel) -> list[str]:
    """Every column the drill-down splits and filters by: lead columns, then added dimensions."""
    return list(funnel.dimensions)


def explore_values(funnel: Funnel, column: str, periods: Sequence[Period]) -> list[str]:
    """The known values of a segment column in ``periods``, most first-stage entries first.

    Parameters
    ----------
    funnel
        The semantic layer.
    column
        One of :func:`explore_dimensions`.
    periods
        Values with any stage entry or closed deal in these periods are listed.

    Returns
    -------
    list of str
        The values (missing ones left out), by volume of the first stage, then by name.
    """
    _check_dimension(funnel, column)
    if not periods:
        return []
    first = funnel.definitions.stage_keys[0]
    frame = funnel.metric_frame([first], periods, by=[column])
    values = frame[column].astype(object)
    known = frame[values.notna()].assign(name=values[values.notna()].map(str))
    volume = known.groupby("name")["numerator"].sum()
    ranked = sorted(volume.items(), key=lambda kv: (-float(kv[1]), kv[0]))
    return [name for name, _ in ranked]


def _check_metric(definitions: Definitions, metric: str, basis: str | None) -> Metric:
    allowed = explore_metrics(definitions)
    if metric not in allowed:
        raise ParameterError(
            f"metric: {metric!r} is not a metric of the definitions; use one of {allowed}"
        )
    if basis is not None and basis not in BASES:
        raise ParameterError(
            f"basis: {basis!r} is not a basis; use cohort, period or None (the metric's own)"
        )
    found = definitions.metric(metric)
    if isinstance(found, ConversionMetric) and basis is not None and basis != found.basis:
        return found.model_copy(update={"basis": basis})
    return found


def _check_dimension(funnel: Funnel, dimension: str | None) -> str | None:
    if not dimension:
        return None
    allowed = explore_dimensions(funnel)
    if dimension not in allowed:
        raise ParameterError(
            f"dimension: {dimension!r} is not a segment column; use one of "
            f"{allowed}, or None for the whole funnel"
        )
    return dimension


def _check_filters(
    funnel: Funnel, filters: Mapping[str, Sequence[str | None]] | None
) -> dict[str, object]:
    """``filters`` as a semantic-layer segment (empty value lists dropped), checked."""
    allowed = explore_dimensions(funnel)
    segment: dict[str, object] = {}
    for column, raw in (filters or {}).items():
        if column not in allowed:
            raise ParameterError(
                f"filters: {column!r} is not a segment column; use one of {allowed}"
            )
        values = [raw] if isinstance(raw, str) or raw is None else list(raw)
        if not values:
            continue
        if None in values and len(values) > 1:
            raise ParameterError(
                f"filters: {column!r} mixes None (no value recorded) with values {values!r}; "
                "filter on None alone or on values only"
            )
        segment[column] = None if values == [None] else [str(v) for v in values]
    return segment


# -- the frame --------------------------------------------------------------------------------


def explore_frame(
    funnel: Funnel,
    *,
    metric: str,
    dimension: str | None,
    periods: Sequence[Period],
    basis: str | None = None,
    filters: Mapping[str, Sequence[str | None]] | None = None,
    top: int = 8,
) -> pd.DataFrame:
    """One metric per period x value of a segment column (or for the whole funnel).

    Parameters
    ----------
    funnel
        The semantic layer (a segment pack's funnel is already limited to its segment).
    metric
        A key of :func:`explore_metrics` (``lead``, ``mql_to_sql``, ``revenue``, ...).
    dimension
        A column of :func:`explore_dimensions`; ``None`` or ``""``: the whole funnel.
    periods
        The periods, oldest first.
    basis
        ``cohort`` or ``period`` for a conversion metric (``None``: its agreed basis);
        ignored for other metrics.
    filters
        ``{column: [values]}``: only these people count (a list of ``None`` alone: the people
        without a value); an empty list filters nothing.
    top
        How many values of ``dimension`` are shown by name, by volume over ``periods`` (the
        metric's denominator, or its numerator when it has none); the rest are computed
        together as ``explore.other`` (exactly, through the semantic layer: medians too). A
        single value left over is shown by name.

    Returns
    -------
    pandas.DataFrame
        :data:`EXPLORE_COLUMNS`: ``period`` (label), ``start`` (date), ``segment`` (the value
        as text; ``segment.unknown`` for people without one, ``explore.other``, or
        ``dimension.whole`` without a split), ``value``, ``numerator``, ``denominator``,
        ``basis`` and ``mature`` (see :meth:`reviewkit.semantic.funnel.Funnel.metric_frame`). Rows
        by period, then values by volume, other, unknown. ``attrs`` records ``metric``,
        ``dimension``, ``filters``, ``top`` and ``other`` (the values in "other"), for the
        chart and table.

    Raises
    ------
    ParameterError
        When the metric, dimension, basis, a filter column, ``top`` or ``periods`` is not
        valid (the message names the parameter, the value and what is allowed).
    """
    item = _check_metric(funnel.definitions, metric, basis)
    column = _check_dimension(funnel, dimension)
    segment = _check_filters(funnel, filters)
    if not periods:
        raise ParameterError("periods: give at least one period (e.g. the last 12 months)")
    if top < 1:
        raise ParameterError(f"top: {top!r} is too few; show at least 1 value (e.g. 8)")
    rest: list[str] = []
    if column is None:
        frame = funnel.metric_frame([item], periods, segment=segment or None)
        frame["segment"] = WHOLE
        order = [WHOLE]
    else:
        frame = funnel.metric_frame([item], periods, segment=segment or None, by=[column])
        values = frame[column].astype(object)
        frame["segment"] = values.map(str).where(values.notna(), UNKNOWN)
        volume_of = "numerator" if item.parts[1] is None else "denominator"
        volume = frame.groupby("segment")[volume_of].sum(min_count=1).fillna(0.0)
        ranked = sorted(
            (s for s in volume.index if s != UNKNOWN), key=lambda s: (-float(volume[s]), s)
        )
        keep = ranked if len(ranked) <= top + 1 else ranked[:top]
        rest = ranked[len(keep) :]
        parts = [frame[frame["segment"].isin(keep)]]
        if rest:
            other = funnel.metric_frame([item], periods, segment={**segment, column: rest})
            parts.append(other.assign(segment=OTHER))
        parts.append(frame[frame["segment"] == UNKNOWN])
        frame = pd.concat(parts, ignore_index=True)
        order = [*keep, OTHER, UNKNOWN]
    period_order = {p.label: i for i, p in enumerate(periods)}
    starts = {p.label: p.start for p in periods}
    segment_order = {s: i for i, s in enumerate(order)}
    frame = frame.assign(
        start=frame["period"].map(starts),
        _p=frame["period"].map(period_order),
        _s=frame["segment"].map(segment_order),
    ).sort_values(["_p", "_s"], kind="stable")
    out = frame[EXPLORE_COLUMNS].reset_index(drop=True)
    out["segment"] = out["segment"].astype(object)
    out["mature"] = out["mature"].astype(bool)
    out.attrs = {
        "metric": metric,
        "dimension": column,
        "filters": segment,
        "top": top,
        "other": rest,
    }
    return out
