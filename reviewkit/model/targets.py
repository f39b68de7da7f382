"""Targets: per month in ``params/targets.yml`` (or the store), rolled up and prorated.

Targets are set per calendar month, for the whole company and optionally for one value of a
lead attribute (a *segment*, e.g. ``sales_team: Team A``). Every other period derives from the
months:

- a quarter's or a fiscal year's target is the sum of its months;
- a week's or a to-date target takes each overlapping month's share: by calendar days
  (``linear``: 7 days of a 31-day month get 7/31 of it), or by the weight of its days
  (``seasonal``: weights from :func:`reviewkit.model.seasonality.seasonal_day_weights`, so a week
  with a public holiday gets less).

Targets are summed and prorated, so they suit additive metrics: stage counts and revenue.

``params/targets.yml``::

    proration: linear            # linear | seasonal
    company:
      2026-04: {lead: 1690, mql: 370, sql: 150, opportunity: 70, won: 26, revenue: 170_000_000}
    segments:
      sales_team:
        Team A:
          2026-04: {sql: 50, opportunity: 24, won: 9, revenue: 60_000_000}

Without that file the store's ``targets`` table is used (the same rows).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from reviewkit.errors import ParameterError
from reviewkit.model.seasonality import as_date as _as_date
from reviewkit.model.seasonality import month_start as _month_start
from reviewkit.model.seasonality import next_month as _next_month
from reviewkit.model.targets_file import (
    COLUMNS,
    PRORATIONS,
    Proration,
    Segment,
    read_targets_file,
)

if TYPE_CHECKING:
    from reviewkit.core.workspace import Workspace
    from reviewkit.model.definitions import Definitions

FILE_NAME = "targets.yml"

# --- Targets -------------------------------------------------------------------------------


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ParameterError(f"targets frame: columns {missing} are missing; it needs {COLUMNS}")
    out = frame.loc[:, COLUMNS].copy()
    out["month"] = [_month_start(_as_date(m)) for m in out["month"]]
    for col in ("metric", "segment_key", "segment_value"):
        out[col] = out[col].fillna("").astype(str)
    out["value"] = out["value"].astype("float64")
    return out.reset_index(drop=True)


@dataclass(frozen=True, eq=False)
class Targets:
    """Monthly targets, and the targets of any period derived from them.

    Parameters
    ----------
    frame
        One row per month, metric and segment: ``month`` (``datetime.date``, first of the
        month), ``metric``, ``segment_key`` and ``segment_value`` (both ``''`` for the whole
        company) and ``value`` (float).
    proration
        How a month's target is spread over its days: ``linear`` (by calendar days) or
        ``seasonal`` (by day weights; see :meth:`for_period`).
    source
        Where the targets come from: the file's path, ``"store"``, or ``""`` when there are none.
    """

    frame: pd.DataFrame
    proration: Proration = "linear"
    source: str = ""

    def __post_init__(self) -> None:
        if self.proration not in PRORATIONS:
            raise ParameterError(
                f"proration: {self.proration!r} is not a proration; use one of {PRORATIONS}"
            )
        object.__setattr__(self, "frame", _normalise(self.frame))

    @classmethod
    def empty(cls, *, proration: Proration = "linear", source: str = "") -> Targets:
        """Targets with no rows: every period's target is ``None``."""
        return cls(pd.DataFrame(columns=COLUMNS), proration=proration, source=source)

    @classmethod
    def from_store(cls, con: duckdb.DuckDBPyConnection) -> Targets:
        """The store's ``targets`` table (linear proration); empty if the table is missing."""
        try:
            rows = con.execute(f"SELECT {', '.join(COLUMNS)} FROM targets").fetchall()
        except duckdb.CatalogException:
            rows = []
        return cls(pd.DataFrame(rows, columns=COLUMNS), proration="linear", source="store")

    @cached_property
    def _index(self) -> dict[tuple[str, str, str, dt.date], float]:
        f = self.frame
        return {
            (metric, key, value, month): float(v)
            for month, metric, key, value, v in zip(
                f["month"], f["metric"], f["segment_key"], f["segment_value"], f["value"],
                strict=True,
            )
        }  # fmt: skip

    def scoped(self, column: str, values: Sequence[str]) -> Targets:
        """The targets of a segment pack: the segment's targets in place of the company's.

        A group of values gets, per month and metric, the sum of its values' targets when
        every value has one (no target otherwise). The rows of the segment's own values stay,
        and those of other columns (a breakdown inside the pack finds them); other values of
        the same column are dropped, since no one outside the segment is in its pack.

        Parameters
        ----------
        column
            The segment column, e.g. ``sales_team``.
        values
            The values the pack covers.
        """
        f = self.frame
        rows = f[(f["segment_key"] == column) & f["segment_value"].isin(list(values))]
        per_value = rows.groupby(["month", "metric"], sort=True).agg(
            value=("value", "sum"), n=("segment_value", "nunique")
        )
        whole = per_value[per_value["n"] == len(set(values))].reset_index()
        whole = whole.assign(segment_key="", segment_value="")[COLUMNS]
        kept = f[
            (f["segment_key"] != "") & ((f["segment_key"] != column) | f.index.isin(rows.index))
        ]
        frame = pd.concat([whole, kept], ignore_index=True) if len(whole) else kept
        return Targets(frame, proration=self.proration, source=self.source)

    @property
    def is_empty(self) -> bool:
        """Whether there are no targets at all."""
        return self.frame.empty

    def month_value(
        self, metric: str, month: dt.date, *, segment: Segment | None = None
    ) -> float | None:
        """Return the target of ``metric`` for the calendar month containing ``month``.

        Parameters
        ----------
        metric
            A metric key, e.g. ``lead`` or ``revenue``.
        month
            Any day of the month (usually the first).
        segment
            ``(key, value)`` such as ``("sales_team", "Team A")``; ``None`` for the company.

        Returns
        -------
        float or None
            The month's target, or ``None`` if none is set.
        """
        key, value = segment if segment else ("", "")
        return self._index.get((metric, key, value, _month_start(month)))

    def for_period(
        self,
        metric: str,
        start: dt.date,
        end: dt.date,
        *,
        segment: Segment | None = None,
        day_weights: pd.Series | None = None,
    ) -> float | None:
        """Return the target of ``metric`` for the days ``[start, end)``.

        Whole months count in full, so a quarter's or a year's target is the sum of its months.
        A month only partly inside the period contributes its share: with ``linear``
        proration the share of its calendar days, with ``seasonal`` the share of its day
        weights (falling back to linear when ``day_weights`` is ``None`` or has no day of that
        month).

        Parameters
        ----------
        metric
            A metric key, e.g. ``lead`` or ``revenue``.
        start, end
            The period, half-open (``end`` is the day after the last day).
        segment
            ``(key, value)`` such as ``("sales_team", "Team A")``; ``None`` for the company.
        day_weights
            Weights of days (a Series indexed by ``datetime.date``, e.g. from
            :mod:`reviewkit.model.seasonality`) covering every day of
            each partly covered month; only used with ``seasonal`` proration. They need not
            sum to 1: each month's weights are normalised.

        Returns
        -------
        float or None
            The target, or ``None`` if any month the period touches has no target for it.

        Raises
        ------
        ParameterError
            If ``end`` is not after ``start``, or the weights cover only part of a month or
            are negative.
        """
        if end <= start:
            raise ParameterError(
                f"period: end {end} is not after start {start}; the period is [start, end)"
            )
        weights = (
            _weights_by_day(day_weights)
            if self.proration == "seasonal" and day_weights is not None
            else None
        )
        total = 0.0
        month = _month_start(start)
        while month < end:
            nxt = _next_month(month)
            value = self.month_value(metric, month, segment=segment)
            if value is None:
                return None
            lo, hi = max(start, month), min(end, nxt)
            if (lo, hi) == (month, nxt):
                total += value
            else:
                total += value * _share(month, nxt, lo, hi, weights)
            month = nxt
        return total


def _weights_by_day(day_weights: pd.Series) -> dict[dt.date, float]:
    out = {_as_date(d): float(w) for d, w in day_weights.items()}
    bad = {d: w for d, w in out.items() if not w >= 0}
    if bad:
        day, w = next(iter(bad.items()))
        raise ParameterError(f"day_weights: {day} has weight {w!r}; weights must be 0 or more")
    return out


def _share(
    month: dt.date, nxt: dt.date, lo: dt.date, hi: dt.date, weights: dict[dt.date, float] | None
) -> float:
    days = [month + dt.timedelta(days=k) for k in range((nxt - month).days)]
    linear = (hi - lo).days / len(days)
    if weights is None:
        return linear
    present = [d for d in days if d in weights]
    if not present:
        return linear
    if len(present) < len(days):
        missing = sorted(set(days) - set(present))
        raise ParameterError(
            f"day_weights: cover {len(present)} of the {len(days)} days of {month:%Y-%m} "
            f"(missing {missing[0]}...); give a weight for every day of a partly covered month"
        )
    whole = sum(weights[d] for d in days)
    if whole == 0:
        return linear
    return sum(weights[d] for d in days if lo <= d < hi) / whole


# --- loading -------------------------------------------------------------------------------


def load_targets(
    workspace: Workspace | Path,
    *,
    definitions: Definitions,
    con: duckdb.DuckDBPyConnection | None = None,
) -> Targets:
    """Load the targets: ``params/targets.yml`` if it exists, else the store's ``targets``.

    Parameters
    ----------
    workspace
        A workspace, or the path of a targets file.
    definitions
        The agreed funnel; every metric key in the file must be one of its metrics.
    con
        A store connection, read when there is no targets file.

    Returns
    -------
    Targets
        From the file (``source`` is its path), else from the store (``source="store"``),
        else empty.

    Raises
    ------
    ConfigError
        One line naming the file, line and key path, the bad value, what is allowed and the
        fix: a month not written ``YYYY-MM``, an unknown metric or segment key, a value that
        is negative or not a number, an unknown proration, a key given twice.
    """
    path = workspace if isinstance(workspace, Path) else workspace.params_dir / FILE_NAME
    if path.is_file():
        read = read_targets_file(path, definitions=definitions)
        if read is None:
            return Targets.empty(source=str(path))
        frame, proration = read
        return Targets(frame, proration=proration, source=str(path))
    if con is not None:
        return Targets.from_store(con)
    return Targets.empty()


def period_targets(
    con: duckdb.DuckDBPyConnection,
    *,
    start: dt.date,
    end: dt.date,
    metrics: Sequence[str],
    segment: Segment | None = None,
) -> dict[str, float | None]:
    """Return the store's target of each metric for ``[start, end)``, prorated linearly.

    Kept for callers that read the store directly; new code uses :func:`load_targets` and
    :meth:`Targets.for_period`, which also read ``params/targets.yml``.

    Parameters
    ----------
    con
        A store connection.
    start, end
        The period, half-open.
    metrics
        Metric keys (stage keys and ``revenue``).
    segment
        ``(key, value)`` for a segment's targets, e.g. ``("sales_team", "Team B")``;
        ``None`` for the whole company.

    Returns
    -------
    dict
        Target per metric; ``None`` when any month of the period has no target for it.
    """
    targets = Targets.from_store(con)
    return {m: targets.for_period(m, start, end, segment=segment) for m in metrics}
