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
import difflib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, get_args

import duckdb
import pandas as pd
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from reviewkit.core.yaml_config import Lines, read_yaml, validate_model, where
from reviewkit.errors import ConfigError, ParameterError
from reviewkit.model.seasonality import as_date as _as_date
from reviewkit.model.seasonality import month_start as _month_start
from reviewkit.model.seasonality import next_month as _next_month

if TYPE_CHECKING:
    from reviewkit.core.workspace import Workspace
    from reviewkit.model.definitions import Definitions

Proration = Literal["linear", "seasonal"]
PRORATIONS: tuple[str, ...] = get_args(Proration)
COLUMNS = ["month", "metric", "segment_key", "segment_value", "value"]
FILE_NAME = "targets.yml"

# The lead attributes a target may be set for.
SEGMENT_KEYS = (
    "channel", "campaign_id", "content_asset", "industry", "company_size", "region", "persona",
    "sales_team",
)  # fmt: skip

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_TOP_KEYS = ("proration", "company", "segments")
_ROW_EXAMPLE = "{lead: 1690, mql: 370, revenue: 170_000_000}"


# --- the file's model ----------------------------------------------------------------------


def _number(value: object) -> float:
    if value is None:
        raise ValueError("has no value; write a number (0 or more) or remove the key")
    if isinstance(value, str):
        try:
            number = float(value.strip().replace(",", "").replace("_", ""))
        except ValueError:
            number = math.nan
        if math.isfinite(number) and number >= 0:
            plain = repr(number)
            if number.is_integer():
                plain = f"{int(number):_}" if number >= 100_000 else str(int(number))
            raise ValueError(f"is text, not a number; write it as a plain number: {plain}")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(
            "is not a number; write a plain number such as 1690 or 170_000_000 "
            "(no commas, units or quotes)"
        )
    if math.isnan(value) or math.isinf(value):
        raise ValueError("is not a finite number; write a number such as 1690")
    if value < 0:
        raise ValueError("is negative; a target is 0 or more")
    return float(value)


def _mapping(what: str, example: str, *, allow_empty: bool) -> BeforeValidator:
    def check(value: object) -> object:
        if value is None and allow_empty:
            return {}
        if not isinstance(value, dict):
            raise ValueError(f"{what} must be a mapping; write e.g. {example}")
        return value

    return BeforeValidator(check)


def _proration(value: object) -> object:
    if value not in PRORATIONS:
        raise ValueError(
            "is not a proration; use linear (a month's target spread evenly over its days) or "
            "seasonal (in proportion to each weekday's and holiday's share of past actuals)"
        )
    return value


Value = Annotated[float, BeforeValidator(_number)]
Row = Annotated[
    dict[str, Value],
    _mapping("a month's targets", _ROW_EXAMPLE, allow_empty=False),
]
Months = Annotated[
    dict[str, Row],
    _mapping("targets", f"2026-04: {_ROW_EXAMPLE}", allow_empty=True),
]
SegmentValues = Annotated[
    dict[str, Months],
    _mapping("a segment's targets", f"Team A: {{2026-04: {_ROW_EXAMPLE}}}", allow_empty=True),
]
Segments = Annotated[
    dict[str, SegmentValues],
    _mapping("segments", "sales_team: {Team A: {2026-04: {sql: 50}}}", allow_empty=True),
]


class TargetsFile(BaseModel):
    """``params/targets.yml`` as written (keys are checked against the definitions later)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    proration: Annotated[Proration, BeforeValidator(_proration)] = "linear"
    company: Months = Field(default_factory=dict)
    segments: Segments = Field(default_factory=dict)


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


Segment = tuple[str, str]


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
        return _read_file(path, definitions=definitions)
    if con is not None:
        return Targets.from_store(con)
    return Targets.empty()


def _text_keys(data: object) -> object:
    """Mapping keys as the text written in the file (YAML reads ``2026-04-01`` as a date)."""
    if isinstance(data, dict):
        return {
            (k.isoformat() if isinstance(k, dt.date) else str(k)): _text_keys(v)
            for k, v in data.items()
        }
    return data


def _read_file(path: Path, *, definitions: Definitions) -> Targets:
    data, lines = read_yaml(path)  # a key given twice is refused there
    if data is None:
        return Targets.empty(source=str(path))
    if not isinstance(data, dict):
        raise ConfigError(
            f"{where(path, lines, ())}: the file must be a mapping with {', '.join(_TOP_KEYS)} "
            f"(got {data!r}); see the comments at the top of the sample targets.yml"
        )
    data = _text_keys(data)
    assert isinstance(data, dict)
    for key in data:
        if key not in _TOP_KEYS:
            raise ConfigError(
                f"{where(path, lines, (key,))}: unknown key {key!r}; the file has "
                f"{', '.join(_TOP_KEYS)}"
            )
    parsed = validate_model(TargetsFile, path, data, lines)
    # Targets are summed over months and prorated over days, so only additive metrics have
    # them: the stage counts and revenue (a rate or a median does not add up).
    metrics = [
        key for key, metric in definitions.metric_map.items() if metric.type in ("count", "revenue")
    ]
    rows: list[tuple[dt.date, str, str, str, float]] = []

    def months(
        block: Mapping[str, Mapping[str, float]], keys: tuple[str, ...], seg: Segment
    ) -> None:
        for month_text, row in block.items():
            here = (*keys, month_text)
            month = _parse_month(month_text, path, lines, here)
            for metric, value in row.items():
                if metric not in metrics:
                    raise ConfigError(
                        f"{where(path, lines, (*here, metric))}: unknown metric {metric!r}"
                        f"{_did_you_mean(metric, metrics)}; targets add up over months, so use "
                        f"a stage count or revenue: {', '.join(metrics)}"
                    )
                rows.append((month, metric, seg[0], seg[1], value))

    months(parsed.company, ("company",), ("", ""))
    for seg_key, values in parsed.segments.items():
        if seg_key not in SEGMENT_KEYS:
            raise ConfigError(
                f"{where(path, lines, ('segments', seg_key))}: unknown segment key {seg_key!r}"
                f"{_did_you_mean(seg_key, SEGMENT_KEYS)}; use a lead attribute: "
                f"{', '.join(SEGMENT_KEYS)}"
            )
        for seg_value, block in values.items():
            if not seg_value.strip():
                raise ConfigError(
                    f"{where(path, lines, ('segments', seg_key, seg_value))}: the segment "
                    f"value is empty (got {seg_value!r}); name it, e.g. Team A"
                )
            months(block, ("segments", seg_key, seg_value), (seg_key, seg_value))
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return Targets(frame, proration=parsed.proration, source=str(path))


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _parse_month(text: str, path: Path, lines: Lines, keys: tuple[str, ...]) -> dt.date:
    match = _MONTH.match(text)
    if match and 1 <= int(match[2]) <= 12:
        if not 1990 <= int(match[1]) <= 2999:  # 0000-01 is no date; 9999-12 a typo of the year
            raise ConfigError(
                f"{where(path, lines, keys)}: {text!r} is out of range; write a month from "
                "1990-01 to 2999-12"
            )
        return dt.date(int(match[1]), int(match[2]), 1)
    raise ConfigError(
        f"{where(path, lines, keys)}: {text!r} is not a month; write YYYY-MM (e.g. 2026-04): "
        "targets are set per calendar month, and quarters and years are sums of months"
    )


# --- the earlier API -----------------------------------------------------------------------


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
