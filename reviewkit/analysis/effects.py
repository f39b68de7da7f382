"""Did an improvement action work? A difference in differences on the agreed KPIs.

An action targets a KPI in a segment (``{column: value}``; ``None`` for the whole funnel) from a
start day. :func:`measure_effect` compares the KPI in the segment *after* the start with the same
number of days just *before* it, and subtracts the same change in the rest of the population
(people outside the segment, including those with a missing value in a segment column), so a
change that hit everyone (a season, a price change) is not credited to the action:

    effect = (segment after - segment before) - (rest after - rest before)

Supported KPIs, each on a per-person basis so that every person counts once:

- *conversion* metrics (``basis="cohort"``, whatever the metric's own basis): of the people
  entering ``from`` on a day, the share entering ``to`` within the metric's window, exactly as
  :meth:`reviewkit.semantic.funnel.Funnel.metric_frame` counts a cohort. Only days whose cohort has
  had its whole window by the cut-off count;
- the *SLA* metric (``basis="sla"``): of the people entering ``from`` on a day, the share
  touched by a human within ``within`` (as in :mod:`reviewkit.analysis.followup`); only days whose
  deadline has passed by the cut-off count;
- *stage counts* (``basis="count"``): people entering the stage per day. Counts are compared on
  the log scale (a Poisson count's log has variance ``1 / count``), so the effect is relative:
  ``exp(log-DiD) - 1`` = how much more (``+0.25`` = 25 % more) the segment's daily count grew
  than the rest's.

The interval is the normal approximation at ``level``: the rates' variances are the four
groups' binomial ``p (1 - p) / n``; the counts' ``1 / n`` on the log scale (the interval is
then transformed back like the effect). Other KPIs (revenue, win rate, deal size, cost per,
speed to lead, pipeline coverage, sales cycle) are not per-person shares or counts and get the
verdict ``unsupported``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from statistics import NormalDist

import numpy as np
import pandas as pd

from reviewkit.errors import ParameterError
from reviewkit.model.definitions import (
    ConversionMetric,
    CountMetric,
    Metric,
    SlaMetric,
    parse_duration,
)
from reviewkit.semantic.funnel import SEGMENT_COLUMNS, Funnel

VERDICTS = ("improved", "no_clear_change", "worse", "too_early", "unsupported")
REASONS = ("too_little_time", "too_little_data", "unsupported_metric")
DIRECTIONS = ("up", "down")
# The defaults of measure_effect: the glossary states the rule with these.
MAX_DAYS, MIN_PEOPLE, MIN_DAYS, LEVEL = 90, 30, 14, 0.90
RESULT_KEYS = (
    "kpi", "segment", "start", "before_start", "before_end", "after_start", "after_end",
    "days_after", "seg_before", "seg_after", "rest_before", "rest_after", "n_seg_before",
    "n_seg_after", "n_rest_before", "n_rest_after", "effect", "low", "high", "verdict", "reason",
    "basis", "comparison", "direction", "level", "max_days", "min_days", "min_people",
)  # fmt: skip
_CELLS = ("seg_before", "seg_after", "rest_before", "rest_after")
_EARLIEST = dt.date(1, 1, 1)
_ONE = dt.timedelta(days=1)


def _check(
    funnel: Funnel,
    kpi: str,
    segment: Mapping[str, object] | None,
    start: object,
    direction: str,
    numbers: Mapping[str, float],
) -> None:
    if kpi not in funnel.definitions.metric_map:
        known = sorted(funnel.definitions.metric_map)
        raise ParameterError(f"kpi: {kpi!r} is not a metric of the definitions; use one of {known}")
    for key in segment or {}:
        if key not in SEGMENT_COLUMNS:
            raise ParameterError(
                f"segment: {key!r} is not a segment column; use one of {list(SEGMENT_COLUMNS)} "
                "(or None for the whole funnel)"
            )
    if not isinstance(start, dt.date) or isinstance(start, dt.datetime):
        raise ParameterError(f"start: {start!r} is not a date; give a day such as 2026-07-01")
    if direction not in DIRECTIONS:
        raise ParameterError(
            f"direction: {direction!r} is not allowed; use 'up' (higher is better) or 'down'"
        )
    for name, value in numbers.items():
        if name == "level" and not 0 < value < 1:
            raise ParameterError(f"level: {value!r} must be between 0 and 1 (e.g. 0.90)")
        least = 0 if name == "min_people" else 1
        if name != "level" and (int(value) != value or value < least):
            raise ParameterError(f"{name}: {value!r} must be a whole number, at least {least}")


def direction_of(metric: Metric) -> str:
    """``"down"`` for a metric where lower is better (speed, costs, the cycle), else ``"up"``."""
    return "up" if metric.higher_is_better else "down"


def in_segment(frame: pd.DataFrame, segment: Mapping[str, object] | None) -> pd.Series:
    """Whether each row's person is in ``segment`` (all of its ``{column: value}`` hold).

    A value may be a list (any of them) or ``None`` (the column is missing). A person with a
    missing value in a segment column is not in a segment that names a value: they are "rest".
    """
    mask = pd.Series(True, index=frame.index)
    for column, value in (segment or {}).items():
        values = frame[column].astype(object)
        if value is None:
            hit = values.isna()
        elif isinstance(value, list | tuple | set | frozenset):
            hit = values.isin(list(value)) & values.notna()
        else:
            hit = values.eq(value) & values.notna()
        mask &= hit.to_numpy(dtype=bool)
    return mask


def _mature_end(funnel: Funnel, lag: dt.timedelta) -> dt.date:
    """The first local day whose cohort has not had ``lag`` by the cut-off (exclusive end)."""
    return (funnel.cutoff.astimezone(dt.UTC) - lag).astimezone(funnel.tz).date()


def _basis(metric: object) -> str | None:
    """``cohort``, ``sla`` or ``count``; ``None`` for a KPI this comparison cannot measure."""
    if isinstance(metric, ConversionMetric):
        return "cohort"
    if isinstance(metric, SlaMetric):
        return "sla"
    return "count" if isinstance(metric, CountMetric) else None


def _lag(metric: object) -> dt.timedelta:
    """How long after a day its cohort's outcome is known: the window, the SLA, or nothing."""
    if isinstance(metric, ConversionMetric):
        return parse_duration(metric.window)
    if isinstance(metric, SlaMetric):
        return parse_duration(metric.within)
    return dt.timedelta(0)


def _outcomes(funnel: Funnel, metric: object, first: dt.date, end: dt.date) -> pd.DataFrame:
    """One row per cohort member (rates) or entrant (counts) of local days ``[first, end)``.

    Columns: ``day`` (naive local midnight), the segment columns and, for rates, ``success``.
    """
    if isinstance(metric, ConversionMetric):
        window = pd.Timedelta(parse_duration(metric.window))
        entered = funnel.entries([metric.from_], start=first, end=end)
        reached = funnel.entries([metric.to], start=_EARLIEST, end=funnel.cutoff.date() + _ONE)
        later = reached[["person_id", "entered_at"]].rename(columns={"entered_at": "to_at"})
        rows = entered.merge(later, on="person_id", how="left")
        rows["success"] = rows["to_at"].notna() & (rows["to_at"] < rows["entered_at"] + window)
        rows["day"] = pd.to_datetime(pd.Series(rows["day"], dtype=object))
        return rows
    if isinstance(metric, SlaMetric):
        within = pd.Timedelta(parse_duration(metric.within))
        rows = funnel.first_touches(metric.from_, since=first)
        local = rows["entered_at"].dt.tz_convert(funnel.timezone).dt.tz_localize(None)
        rows["day"] = local.dt.normalize()
        rows = rows[rows["day"] < pd.Timestamp(end)].copy()
        rows["success"] = rows["touched_at"].notna() & (
            rows["touched_at"] < rows["entered_at"] + within
        )
        return rows
    assert isinstance(metric, CountMetric)
    rows = funnel.entries([metric.stage], start=first, end=end)
    rows["day"] = pd.to_datetime(pd.Series(rows["day"], dtype=object))
    return rows


def _empty(kpi: str, segment: Mapping[str, object] | None, start: dt.date) -> dict[str, object]:
    out: dict[str, object] = dict.fromkeys(RESULT_KEYS)
    out.update(kpi=kpi, segment=dict(segment) if segment else None, start=start, days_after=0)
    out.update(dict.fromkeys([*_CELLS, "effect", "low", "high"], math.nan))
    out.update(dict.fromkeys([f"n_{c}" for c in _CELLS], 0))
    return out


def measure_effect(
    funnel: Funnel,
    *,
    kpi: str,
    segment: Mapping[str, object] | None,
    start: dt.date,
    direction: str = "up",
    max_days: int = MAX_DAYS,
    min_people: int = MIN_PEOPLE,
    min_days: int = MIN_DAYS,
    level: float = LEVEL,
) -> dict[str, object]:
    """Measure an action's effect on a KPI in a segment against the rest (diff. in differences).

    Parameters
    ----------
    funnel
        The definitions bound to the store; its cut-off bounds what is known.
    kpi
        A metric key of the definitions: a conversion (``mql_to_sql``), the SLA metric or a stage
        count (``mql``). Other metrics give the verdict ``unsupported``.
    segment
        The people the action targets, ``{column: value}`` (a value may be a list, or ``None``
        for "missing"); ``None`` for the whole funnel (then there is no comparison group and the
        effect is the plain before/after change: ``comparison="none"``).
    start
        The action's first local day.
    direction
        ``up`` when a higher KPI is better, ``down`` when lower is better.
    max_days
        The after window's longest length in days.
    min_people
        Fewer people than this in the segment (or, when there is one, the rest) in either window
        makes the verdict ``too_early`` (``too_little_data``).
    min_days
        An after window shorter than this makes the verdict ``too_early`` (``too_little_time``).
    level
        The interval's confidence level.

    Returns
    -------
    dict
        ``kpi``, ``segment``, ``start``; the windows as local days, ends exclusive (like
        :class:`reviewkit.core.periods.Period`): ``after_start`` = ``start``, ``after_end`` = the
        day after the last day whose cohort has matured (at most ``max_days`` after the start),
        ``before_start``/``before_end`` = the same number of days just before the start;
        ``days_after``; the KPI in each group and window (``seg_before``, ``seg_after``,
        ``rest_before``, ``rest_after``: a share for rates, people per day for counts) and the
        people behind it (``n_seg_before``, ...: cohort members, or entrants); ``effect``,
        ``low``, ``high`` (share points as a fraction for rates, ``0.2`` = +20 pt; relative
        change for counts, ``0.2`` = +20 %; computed even when too early); ``verdict`` (one of
        :data:`VERDICTS`), ``reason`` (one of :data:`REASONS` or ``None``), ``basis``
        (``cohort``, ``sla``, ``count`` or the unsupported metric's type), ``comparison``
        (``rest`` or ``none``) and the options ``direction``, ``level``, ``max_days``,
        ``min_days`` and ``min_people`` (for the report's wording).

    Raises
    ------
    ParameterError
        For an unknown KPI or segment column, a start that is not a date, or a bad option.
    """
    numbers = {"max_days": max_days, "min_people": min_people, "min_days": min_days, "level": level}
    _check(funnel, kpi, segment, start, direction, numbers)
    segment = dict(segment) if segment else None
    metric = funnel.definitions.metric(kpi)
    out = _empty(kpi, segment, start)
    out.update(numbers, direction=direction, comparison="rest" if segment else "none")
    basis = _basis(metric)
    if basis is None:
        out.update(verdict="unsupported", reason="unsupported_metric", basis=metric.type)
        return out
    after_end = min(start + dt.timedelta(days=max_days), _mature_end(funnel, _lag(metric)))
    days = max((after_end - start).days, 0)
    before_start = start - dt.timedelta(days=days)
    out.update(
        before_start=before_start, before_end=start, after_start=start,
        after_end=start + dt.timedelta(days=days), days_after=days, basis=basis,
    )  # fmt: skip
    if days:
        rows = _outcomes(funnel, metric, before_start, start + dt.timedelta(days=days))
        cells = _cells(rows, segment, start, counts=basis == "count")
    else:
        cells = dict.fromkeys(_CELLS, (0.0, 0.0))
    for name, (x, n) in cells.items():
        out[f"n_{name}"] = int(n)
        out[name] = n / days if basis == "count" and days else (x / n if n else math.nan)
    z = NormalDist().inv_cdf((1 + level) / 2)
    groups = _CELLS if segment else _CELLS[:2]
    if basis == "count":
        effect, low, high = _count_effect([cells[c][1] for c in groups], z)
    else:
        effect, low, high = _rate_effect([cells[c] for c in groups], z)
    out.update(effect=effect, low=low, high=high)
    people = [int(cells[g][1]) for g in groups]
    out["verdict"], out["reason"] = _verdict(
        days, people, low, direction=direction, high=high, min_days=min_days, min_people=min_people
    )
    return out


def _cells(
    rows: pd.DataFrame, segment: Mapping[str, object] | None, start: dt.date, *, counts: bool
) -> dict[str, tuple[float, float]]:
    """``{seg_before: (successes, people), ...}`` for the four groups (successes 0 for counts)."""
    group = np.where(in_segment(rows, segment), "seg", "rest")
    window = np.where(rows["day"] >= pd.Timestamp(start), "after", "before")
    success = np.zeros(len(rows)) if counts else rows["success"].to_numpy(dtype=float)
    frame = pd.DataFrame({"cell": pd.Series(group) + "_" + pd.Series(window), "x": success})
    agg = frame.groupby("cell")["x"].agg(["sum", "size"])
    return {c: (float(agg["sum"].get(c, 0.0)), float(agg["size"].get(c, 0.0))) for c in _CELLS}


def _rate_effect(cells: list[tuple[float, float]], z: float) -> tuple[float, float, float]:
    """DiD of shares (or the plain change with two cells) and its normal interval."""
    if any(n == 0 for _, n in cells):
        return math.nan, math.nan, math.nan
    p = [x / n for x, n in cells]
    variance = sum(v * (1 - v) / n for v, (_, n) in zip(p, cells, strict=True))
    effect = p[1] - p[0] - ((p[3] - p[2]) if len(p) == 4 else 0.0)
    half = z * math.sqrt(variance)
    return effect, effect - half, effect + half


def _count_effect(counts: list[float], z: float) -> tuple[float, float, float]:
    """Relative DiD of daily counts on the log scale (equal window lengths), back-transformed."""
    if any(n == 0 for n in counts):
        return math.nan, math.nan, math.nan
    logs = [math.log(n) for n in counts]
    log_effect = logs[1] - logs[0] - ((logs[3] - logs[2]) if len(logs) == 4 else 0.0)
    half = z * math.sqrt(sum(1 / n for n in counts))
    return math.expm1(log_effect), math.expm1(log_effect - half), math.expm1(log_effect + half)


def _verdict(
    days: int,
    people: list[int],
    low: float,
    *,
    high: float,
    direction: str,
    min_days: int,
    min_people: int,
) -> tuple[str, str | None]:
    """The verdict and, for ``too_early``, its reason."""
    if days < min_days:
        return "too_early", "too_little_time"
    if min(people) < min_people or math.isnan(low):
        return "too_early", "too_little_data"
    good_low, good_high = (low, high) if direction == "up" else (-high, -low)
    if good_low > 0:
        return "improved", None
    if good_high < 0:
        return "worse", None
    return "no_clear_change", None
