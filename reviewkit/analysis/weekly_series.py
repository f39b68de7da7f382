"""The weekly series the anomaly detectors test, read from the store once and made tidy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from reviewkit.analysis.anomaly_settings import COUNT_DIMENSIONS, SERIES_COLUMNS, AnomalySettings
from reviewkit.core.periods import FiscalCalendar, Period, periods_before
from reviewkit.model.definitions import ConversionMetric
from reviewkit.model.seasonality import day_profile
from reviewkit.semantic.funnel import Funnel


@dataclass(frozen=True)
class WeeklyData:
    """What the weekly detectors read from the store, once.

    Attributes
    ----------
    weeks
        The baseline weeks and the reviewed week, oldest first.
    entries
        Every stage entry in those weeks with the person's segment columns
        (:meth:`reviewkit.semantic.funnel.Funnel.entries`) and the ``week`` label.
    weights
        ``(stage, week) -> weight``: each week's expected volume in the stage's day profile.
    stages
        The stages in funnel order.
    conversions
        ``(key, from, to)`` of each conversion of the KPI tree.
    sla
        The SLA series (funnel and per sales team), tidy; empty without an SLA metric.
    dimensions
        The segment dimensions tested.
    """

    weeks: list[Period]
    entries: pd.DataFrame
    weights: dict[tuple[str, str], float]
    stages: list[str]
    conversions: list[tuple[str, str, str]]
    sla: pd.DataFrame
    dimensions: tuple[str, ...]


def load_weekly(
    funnel: Funnel,
    *,
    week: Period,
    calendar: FiscalCalendar,
    dimensions: Sequence[str] | None = None,
    settings: AnomalySettings | None = None,
) -> WeeklyData:
    """Read the reviewed week and its baseline weeks from the store (three queries per stage).

    ``dimensions``: the segment columns to test; ``None``: the funnel's split dimensions.
    """
    s = settings or AnomalySettings()
    definitions = funnel.definitions
    if dimensions is None:
        dimensions = funnel.split_dimensions
    earlier = periods_before(week, s.baseline_weeks + s.recent_weeks - 1, calendar=calendar)
    weeks = [*earlier, week]
    stages = list(definitions.stage_keys)
    weights: dict[tuple[str, str], float] = {}
    for stage in stages:
        daily = funnel.daily(stage, start=weeks[0].start - dt.timedelta(days=365), end=week.end)
        profile = day_profile(daily, before=week.start, calendar=calendar)
        for p in weeks:
            weights[(stage, p.label)] = float(profile.weights(p.start, p.end).sum())
    entries = funnel.entries(stages, start=weeks[0].start, end=week.end)
    starts = pd.Series([p.start for p in weeks], index=[p.label for p in weeks])
    position = np.searchsorted(starts.to_numpy(), entries["day"].to_numpy(), side="right") - 1
    entries["week"] = starts.index.to_numpy()[position] if len(entries) else []
    conversions = [
        (m.key, m.from_, m.to)
        for k in definitions.tree
        if isinstance(m := definitions.metric(k), ConversionMetric)
    ]
    sla_frame = _sla_series(funnel, weeks)
    return WeeklyData(
        weeks=weeks,
        entries=entries,
        weights=weights,
        stages=stages,
        conversions=conversions,
        sla=sla_frame,
        dimensions=tuple(dimensions),
    )


def _tidy(
    wide: pd.DataFrame,
    data: WeeklyData,
    kind: str,
    measure: str,
    dimension: str | None,
    x: str,
    n: str | None,
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kind": kind,
            "measure": measure,
            "dimension": dimension,
            "segment": wide[dimension].astype("object") if dimension else None,
            "week": wide["week"].to_numpy(),
            "x": wide[x].to_numpy(dtype="float64"),
            "n": wide[n].to_numpy(dtype="float64") if n else np.nan,
            "weight": [data.weights[(x, w)] for w in wide["week"]] if kind == "count" else np.nan,
        }
    )


def series_of(
    data: WeeklyData, *, entries: pd.DataFrame | None = None, measures: Sequence[str] = ()
) -> pd.DataFrame:
    """The tidy weekly series (:data:`SERIES_COLUMNS`) built from person-level entries.

    Counts: each stage's entries, for the funnel and the :data:`COUNT_DIMENSIONS`. Rates: each
    conversion of the KPI tree on the period basis, for the funnel and every dimension. Plus
    the SLA series. ``entries`` replaces ``data.entries`` (e.g. with one segment's people
    taken out); ``measures`` keeps only those measures.
    """
    rows = data.entries if entries is None else entries
    labels = [p.label for p in data.weeks]
    frames = []
    for dimension in (None, *data.dimensions):
        keys = ["week", "stage"] + ([dimension] if dimension else [])
        counted = rows.groupby(keys, dropna=False).size().rename("n").reset_index()
        wide = counted.pivot_table(
            index=keys[:1] + keys[2:], columns="stage", values="n", aggfunc="sum", dropna=False
        )
        wide = wide.reindex(columns=data.stages).fillna(0.0).reset_index()
        wide = wide[wide["week"].isin(labels)]

        if dimension is None or dimension in COUNT_DIMENSIONS:
            for stage in data.stages:
                if not measures or stage in measures:
                    frames.append(_tidy(wide, data, "count", stage, dimension, stage, None))
        for key, from_, to in data.conversions:
            if not measures or key in measures:
                frames.append(_tidy(wide, data, "rate", key, dimension, to, from_))
    if not data.sla.empty and (not measures or set(measures) & set(data.sla["measure"])):
        frames.append(data.sla)
    if not frames:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    out["start"] = out["week"].map({p.label: p.start for p in data.weeks})
    return out[SERIES_COLUMNS]


def _sla_series(funnel: Funnel, weeks: list[Period]) -> pd.DataFrame:
    """The SLA's weekly series for the funnel and per sales team; empty without an SLA metric."""
    definitions = funnel.definitions
    sla = definitions.sla_metric
    frames = []
    if sla is not None:
        for dimension in (None, "sales_team"):
            by = [dimension] if dimension else []
            touched = funnel.metric_frame([sla], weeks, by=by)
            frames.append(
                pd.DataFrame(
                    {
                        "kind": "rate",
                        "measure": sla.key,
                        "dimension": dimension,
                        "segment": touched[dimension] if dimension else None,
                        "week": touched["period"],
                        "x": touched["numerator"].to_numpy(dtype="float64"),
                        "n": touched["denominator"].to_numpy(dtype="float64"),
                        "weight": np.nan,
                    }
                )
            )
    sla_frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if frames:
        sla_frame["start"] = sla_frame["week"].map({p.label: p.start for p in weeks})
        sla_frame = sla_frame[SERIES_COLUMNS]
    return sla_frame
