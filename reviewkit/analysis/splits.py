"""Where a change came from: stage counts and rates of two periods, split by segment.

Works on people, not on pre-aggregated tables: :func:`period_people` loads each person's stage
entries of the period under review and of its baseline once, and every split (one segment
column or a pair, with some people left out) is a group-by over those rows.

Rates split three ways (:mod:`reviewkit.analysis.rate_basis` chooses one per KPI-tree driver):

- *cohort at matched age* (``window`` given): of the people who entered A in the period, the
  share who entered B within ``window`` of entering A, or by the cut-off if they have had less.
  Each baseline entrant is read at the age the period's entrant of the same day of the period
  has: the first days' entrants of both periods at the whole window, the last days' at the
  few days the period's have had. A maturing cohort is never read as a miss, and no entrant's
  outcome is thrown away because the youngest entrant is young;
- *cohort at one equal age* (``horizon`` given): everyone of both periods cut at ``horizon``
  (the older reading, kept for callers that ask for one fixed age);
- *period basis* (neither): entered B in the period / entered A in the period, the basis on
  which the KPI tree multiplies out to the KGI.

The deals closed in each period (won or lost) are loaded too, for the win rate of the deals
closed in the month (:func:`reviewkit.analysis.rate_basis.closed_split`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import TypeVar, cast

import numpy as np
import pandas as pd

from reviewkit.analysis.attribution import mix_arrays
from reviewkit.core.periods import Period
from reviewkit.model.definitions import ConversionMetric, parse_duration
from reviewkit.semantic.cohorts import cohort_hits, matched_hits, stage_rows
from reviewkit.semantic.funnel import SEGMENT_COLUMNS, Funnel

DIMENSIONS: tuple[str, ...] = SEGMENT_COLUMNS
# Pairs worth drilling into: a channel or an industry concentrated in a kind of company/person,
# or a channel reaching a region it did not reach before (a campaign's geographic targeting).
PAIRS: tuple[tuple[str, str], ...] = (
    ("channel", "company_size"), ("channel", "industry"), ("channel", "persona"),
    ("channel", "region"), ("industry", "company_size"), ("persona", "company_size"),
    ("region", "company_size"),
)  # fmt: skip
T = TypeVar("T")
SEPARATOR = "\x1f"
MISSING = "\x1e"  # not NUL: string arrays drop it


@dataclass(frozen=True)
class PeriodPeople:
    """Each person's stage entries around the period under review (``now``) and its baseline.

    Both frames have one row per person x stage: ``person_id``, ``stage``, ``day``,
    ``entered_at``, the segment columns (see :meth:`reviewkit.semantic.funnel.Funnel.entries`) and
    ``in_period`` (the entry falls in the period; later rows are there for conversions).
    ``age`` is how long the period's youngest entrant has had by the cut-off; ``cutoff`` the
    cut-off itself (``None``: unknown, the matched-age reading is then unavailable);
    ``deals_now`` / ``deals_before`` the deals closed won or lost in each period
    (:meth:`reviewkit.semantic.funnel.Funnel.closed_deals`, empty when there are none).
    """

    now: pd.DataFrame
    before: pd.DataFrame
    period: Period
    baseline: Period
    age: dt.timedelta
    cutoff: dt.datetime | None = None
    deals_now: pd.DataFrame = field(default_factory=pd.DataFrame)
    deals_before: pd.DataFrame = field(default_factory=pd.DataFrame)
    # what the splits work out once from ``now`` / ``before`` (segment keys, row masks)
    _cache: dict[tuple[object, ...], object] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def shift(self) -> dt.timedelta:
        """How far the period starts after its baseline: a baseline day + shift = its match."""
        return dt.timedelta(days=(self.period.start - self.baseline.start).days)


def period_people(funnel: Funnel, period: Period, *, baseline: Period) -> PeriodPeople:
    """Load the stage entries of ``period`` and ``baseline`` (one query each), and their deals.

    ``now`` runs from the period's start to the cut-off; ``before`` from the baseline's start
    to as long after it as the period has had since its own start (so each baseline entrant
    can be read at the age of the period's entrant of the same day: the matched age).
    """
    stages = funnel.definitions.stage_keys
    cutoff = funnel.cutoff
    last = cutoff.date() + dt.timedelta(days=1)
    period_end = dt.datetime.combine(period.end, dt.time(), tzinfo=cutoff.tzinfo)
    age = max(cutoff - period_end, dt.timedelta(0))
    now = funnel.entries(stages, start=period.start, end=max(last, period.end))
    extra = dt.timedelta(days=age.days + 1)
    shift = dt.timedelta(days=(period.start - baseline.start).days)
    matched = cutoff - shift  # the baseline's view of the cut-off
    matched_end = matched.date() + dt.timedelta(days=1 if matched.time() != dt.time() else 0)
    end = max(baseline.end + extra, matched_end)
    before = funnel.entries(stages, start=baseline.start, end=min(end, max(last, baseline.end)))
    now["in_period"] = _within(now["day"], period)
    before["in_period"] = _within(before["day"], baseline)
    deals_now = funnel.closed_deals(start=period.start, end=period.end)
    deals_before = funnel.closed_deals(start=baseline.start, end=baseline.end)
    for deals in (deals_now, deals_before):
        deals["in_period"] = True
    return PeriodPeople(
        now=now, before=before, period=period, baseline=baseline, age=age, cutoff=cutoff,
        deals_now=deals_now, deals_before=deals_before,
    )  # fmt: skip


def _within(days: pd.Series, period: Period) -> np.ndarray:
    """Whether each day falls in ``period`` (no Python loop over the rows)."""
    values = days.to_numpy(dtype="object")
    return np.asarray((values >= period.start) & (values < period.end), dtype=bool)


def rate_horizon(people: PeriodPeople, metric: ConversionMetric) -> dt.timedelta | None:
    """The equal-age horizon of a conversion metric: ``None`` on the period basis."""
    if metric.basis != "cohort":
        return None
    return horizon_of(people, parse_duration(metric.window))


def horizon_of(people: PeriodPeople, window: dt.timedelta) -> dt.timedelta | None:
    """The equal-age horizon of a cohort rate: its window, or the period's age if shorter.

    ``None`` (use the period basis) when the period has had less than a day.
    """
    horizon = min(window, people.age)
    return None if horizon < dt.timedelta(days=1) else horizon


Column = tuple[np.ndarray, np.ndarray, int]  # each row's code, each code's text, how many


def _column_codes(frame: pd.DataFrame, column: str) -> Column:
    """One segment column's values as codes (unknown as :data:`MISSING`), and their texts."""
    values = frame[column].astype("object")
    code, uniques = pd.factorize(values.where(values.notna(), MISSING))
    return code, np.asarray([str(v) for v in uniques], dtype=object), max(len(uniques), 1)


def _combined(rows: int, columns: Sequence[Column]) -> tuple[np.ndarray, np.ndarray]:
    """Each row's segment as a code, and each code's key (as :func:`segment_key` spells it)."""
    combined = np.zeros(rows, dtype="int64")
    for code, _, size in columns:
        combined = combined * size + code
    code, seen = pd.factorize(combined)
    parts = []
    rest = np.asarray(seen, dtype="int64")
    for _, labels, size in reversed(columns):
        parts.append(labels[rest % size] if len(labels) else np.array([], dtype=object))
        rest = rest // size
    text = parts[-1]
    for part in reversed(parts[:-1]):
        text = text + SEPARATOR + part
    return code, np.asarray(text, dtype=object)


def _segment_codes(
    people: PeriodPeople, which: str, dims: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """The segment codes of ``people.<which>`` (:func:`_combined`), once per dims and column."""
    frame = getattr(people, which)

    def make() -> tuple[np.ndarray, np.ndarray]:
        columns = [_cached(people, ("column", which, d), _column_codes, frame, d) for d in dims]
        return _combined(len(frame), columns)

    return _cached(people, ("codes", which, tuple(dims)), make)


def segment_key(frame: pd.DataFrame, dims: Sequence[str]) -> pd.Series:
    """One string key per row for the segment columns ``dims`` (see :func:`key_values`).

    Each distinct combination of values is spelt once, then spread over its rows.
    """
    name = dims[0] if len(dims) == 1 else None  # as pandas names a sum of named columns
    if frame.empty:
        return pd.Series([], index=frame.index, dtype="object", name=name).astype(str)
    code, text = _combined(len(frame), [_column_codes(frame, d) for d in dims])
    return pd.Series(text[code], index=frame.index, dtype="object", name=name).astype(str)


def _cached(
    people: PeriodPeople, key: tuple[object, ...], make: Callable[..., T], *args: object
) -> T:
    """``make(*args)``, worked out once per ``key`` for these people (they never change)."""
    if key not in people._cache:
        people._cache[key] = make(*args)
    return people._cache[key]  # type: ignore[return-value]


def _person_ids(frame: pd.DataFrame) -> np.ndarray:
    return frame["person_id"].to_numpy(dtype=object)


def _rows(people: PeriodPeople, which: str, stage: str, *, in_period: bool = True) -> np.ndarray:
    """Which rows of ``people.now`` / ``before`` are entries into ``stage`` (in the period)."""
    key = ("rows", which, stage, in_period)
    return _cached(people, key, stage_rows, getattr(people, which), stage, in_period)


def _kept(people: PeriodPeople, which: str, exclude: Collection[str] | None) -> np.ndarray | None:
    """Rows of people not in ``exclude`` (``None``: all); the latest answer is remembered."""
    if not exclude:
        return None
    frozen = frozenset(exclude)
    last = cast("tuple[frozenset[str], np.ndarray] | None", people._cache.get(("kept", which)))
    if last is not None and last[0] == frozen:
        return last[1]
    code, persons = _cached(people, ("persons", which), _person_codes, getattr(people, which))
    found = persons.get_indexer(list(frozen))
    out = np.zeros(len(persons), dtype=bool)
    out[found[found >= 0]] = True
    kept = ~out[code]  # = ~frame["person_id"].isin(exclude), looked up per person, not per row
    people._cache[("kept", which)] = (frozen, kept)
    return kept


def _person_codes(frame: pd.DataFrame) -> tuple[np.ndarray, pd.Index]:
    code, persons = pd.factorize(frame["person_id"].to_numpy(dtype=object), use_na_sentinel=False)
    return code, pd.Index(persons, dtype=object)


def key_values(key: str) -> tuple[str | None, ...]:
    """The segment values a :func:`segment_key` stands for (``None`` = unknown)."""
    return tuple(None if v == MISSING else v for v in key.split(SEPARATOR))


def _counts(people: PeriodPeople, which: str, dims: Sequence[str], rows: np.ndarray) -> pd.Series:
    """How many of the ``rows`` (a mask or positions) of ``people.<which>`` each segment has.

    Counted on the segments' integer codes (worked out once per dims), not on their texts.
    """
    code, text = _segment_codes(people, which, dims)
    counts = np.bincount(code[rows], minlength=len(text))
    out = pd.Series(counts, index=pd.Index(text, name="segment", dtype=object), dtype="int64")
    return out[out > 0].sort_index()


def _people_counts(
    people: PeriodPeople,
    which: str,
    source: str,
    target: str,
    dims: Sequence[str],
    horizon: dt.timedelta | None,
    exclude: Collection[str] | None,
    window: dt.timedelta | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Numerator and denominator per segment code of ``people.now`` / ``before``.

    Entrants into ``source`` in the period, and those of them who reached ``target`` (in the
    period; within ``horizon`` of entering; or within the matched age, at most ``window``: a
    cohort), less the people in ``exclude``; indexed by the codes of :func:`_segment_codes`.
    """
    frame = getattr(people, which)
    code, text = _segment_codes(people, which, dims)
    kept = _kept(people, which, exclude)

    def rows(stage: str) -> np.ndarray:
        mask = _rows(people, which, stage)
        return mask if kept is None else mask & kept

    entered = rows(source)
    if window is not None:
        if people.cutoff is None:
            raise ValueError("window: the matched age needs the people's cut-off")
        shift = people.shift if which == "before" else dt.timedelta(0)
        at, hit = _cached(
            people, ("matched", which, source, target, window), matched_hits, frame, source,
            target, window, people.cutoff, shift, people.age,
        )  # fmt: skip
        reached = at[hit & entered[at]]
    elif horizon is None:
        reached = np.flatnonzero(rows(target))
    else:
        at, hit = _cached(
            people, ("cohort", which, source, target, horizon), cohort_hits, frame, source,
            target, horizon,
        )  # fmt: skip
        reached = at[hit & entered[at]]
    size = len(text)
    return (
        np.bincount(code[reached], minlength=size).astype("float64"),
        np.bincount(code[entered], minlength=size).astype("float64"),
    )


Aligned = tuple[np.ndarray, np.ndarray, np.ndarray]


def _aligned(people: PeriodPeople, dims: Sequence[str]) -> Aligned:
    """The segment keys of both periods, sorted, and where each side's codes sit among them."""

    def make() -> Aligned:
        texts = [_segment_codes(people, w, dims)[1] for w in ("before", "now")]
        union = np.asarray(sorted({str(k) for t in texts for k in t}), dtype=object)
        position = {k: i for i, k in enumerate(union)}
        at = [np.asarray([position[str(k)] for k in t], dtype="int64") for t in texts]
        return union, at[0], at[1]

    return _cached(people, ("aligned", tuple(dims)), make)


def rate_split(
    people: PeriodPeople,
    *,
    source: str,
    target: str,
    dims: Sequence[str],
    horizon: dt.timedelta | None = None,
    exclude: Collection[str] | None = None,
    window: dt.timedelta | None = None,
) -> pd.DataFrame:
    """Split the change of the rate ``source -> target`` by segment.

    Parameters
    ----------
    people
        The two periods' entries.
    source, target
        Stage keys (e.g. ``mql`` and ``sql``).
    dims
        One segment column, or a pair.
    horizon
        Cohort at one equal age: converted within this long of entering ``source`` (see
        :func:`horizon_of`); ``None`` with no ``window``: the period basis.
    exclude
        Person ids to leave out of both periods (to see what is left once a finding's people
        are explained).
    window
        Cohort at the matched age (see the module doc): converted within this long of
        entering, or by the entrant's matched age if it has had less. Not with ``horizon``.

    Returns
    -------
    pandas.DataFrame
        :func:`reviewkit.analysis.attribution.mix_rate`'s columns (``segment`` is a
        :func:`segment_key`), plus ``people``: the segment's part of the change expressed in
        ``target`` entrants (``total`` x this period's whole ``source`` count).
    """
    if horizon is not None and window is not None:
        raise ValueError("rate_split: give horizon (one equal age) or window (matched), not both")
    if not exclude:  # asked for by several sections: worked out once, a copy each time
        key = ("split", source, target, tuple(dims), horizon, window)
        whole = _cached(
            people, key, _rate_split, people, source, target, dims, horizon, None, window
        )
        return whole.copy()
    return _rate_split(people, source, target, dims, horizon, exclude, window)


def _rate_split(
    people: PeriodPeople,
    source: str,
    target: str,
    dims: Sequence[str],
    horizon: dt.timedelta | None,
    exclude: Collection[str] | None,
    window: dt.timedelta | None = None,
) -> pd.DataFrame:
    union, at_before, at_now = _aligned(people, dims)
    sides = []
    for which, at in (("before", at_before), ("now", at_now)):
        num, den = _people_counts(people, which, source, target, dims, horizon, exclude, window)
        n, d = np.zeros(len(union)), np.zeros(len(union))
        np.add.at(n, at, num)
        np.add.at(d, at, den)
        sides.append((n, d))
    (n0, d0), (n1, d1) = sides
    out = mix_arrays(union, n0, d0, n1, d1)
    out["people"] = out["total"] * out["denominator"].sum()
    return out


def count_split(
    people: PeriodPeople,
    *,
    stage: str,
    dims: Sequence[str],
    exclude: Collection[str] | None = None,
) -> pd.DataFrame:
    """Split the change of a stage count by segment: ``segment``, ``before``, ``now``, ``change``.

    The changes add up to the change of the whole count; largest loss first.
    """
    counts = []
    for which in ("before", "now"):
        rows = _rows(people, which, stage)
        kept = _kept(people, which, exclude)
        if kept is not None:
            rows = rows & kept
        counts.append(_counts(people, which, dims, rows))
    out = pd.concat([counts[0].rename("before"), counts[1].rename("now")], axis=1).fillna(0.0)
    out = out.astype("float64").rename_axis("segment").reset_index()
    out["change"] = out["now"] - out["before"]
    return out.sort_values("change", kind="stable").reset_index(drop=True)


def people_in(people: PeriodPeople, dims: Sequence[str], key: str) -> set[str]:
    """Person ids of one segment, in either period (their entries or their closed deals)."""
    found: set[str] = set()
    for which in ("before", "now", "deals_before", "deals_now"):
        frame = getattr(people, which)
        if frame.empty:
            continue
        code, text = _segment_codes(people, which, dims)
        at = np.flatnonzero(text == key)
        if len(at):
            ids = _cached(people, ("ids", which), _person_ids, frame)
            found.update(ids[code == at[0]])
    return found
