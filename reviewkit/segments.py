"""Where a change came from: stage counts and rates of two periods, split by segment.

Works on people, not on pre-aggregated tables: :func:`period_people` loads each person's stage
entries of the period under review and of its baseline once, and every split (one segment
column or a pair, with some people left out) is a group-by over those rows.

Rates split two ways:

- *cohort at equal age* (``horizon`` given): of the people who entered A in the period, the
  share who entered B within ``horizon`` of entering A. The period's youngest entrants are only
  as old as the time since the period ended, so the review compares both periods at that age
  (or the agreed window, if shorter): a maturing cohort is never read as a miss;
- *period basis* (``horizon=None``): entered B in the period / entered A in the period, the
  basis on which the KPI tree multiplies out to the KGI.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import pandas as pd

from reviewkit.attribution import mix_rate
from reviewkit.definitions import ConversionMetric, parse_duration
from reviewkit.periods import Period
from reviewkit.semantic import SEGMENT_COLUMNS, Funnel

DIMENSIONS: tuple[str, ...] = SEGMENT_COLUMNS
# Pairs worth drilling into: a channel or an industry concentrated in a kind of company/person.
PAIRS: tuple[tuple[str, str], ...] = (
    ("channel", "company_size"), ("channel", "industry"), ("channel", "persona"),
    ("industry", "company_size"), ("persona", "company_size"), ("region", "company_size"),
)  # fmt: skip
SEPARATOR = "\x1f"
MISSING = "\x1e"  # not NUL: string arrays drop it


@dataclass(frozen=True)
class PeriodPeople:
    """Each person's stage entries around the period under review (``now``) and its baseline.

    Both frames have one row per person x stage: ``person_id``, ``stage``, ``day``,
    ``entered_at``, the segment columns (see :meth:`reviewkit.semantic.Funnel.entries`) and
    ``in_period`` (the entry falls in the period; later rows are there for conversions).
    ``age`` is how long the period's youngest entrant has had by the cut-off.
    """

    now: pd.DataFrame
    before: pd.DataFrame
    period: Period
    baseline: Period
    age: dt.timedelta


def period_people(funnel: Funnel, period: Period, *, baseline: Period) -> PeriodPeople:
    """Load the stage entries of ``period`` and ``baseline`` (one query each).

    ``now`` runs from the period's start to the cut-off; ``before`` from the baseline's start
    to as long after its end as the period has had (so both can be compared at equal age).
    """
    stages = funnel.definitions.stage_keys
    last = funnel.cutoff.date() + dt.timedelta(days=1)
    period_end = dt.datetime.combine(period.end, dt.time(), tzinfo=funnel.cutoff.tzinfo)
    age = max(funnel.cutoff - period_end, dt.timedelta(0))
    now = funnel.entries(stages, start=period.start, end=max(last, period.end))
    extra = dt.timedelta(days=age.days + 1)
    before = funnel.entries(
        stages, start=baseline.start, end=min(baseline.end + extra, max(last, baseline.end))
    )
    now["in_period"] = [period.start <= d < period.end for d in now["day"]]
    before["in_period"] = [baseline.start <= d < baseline.end for d in before["day"]]
    return PeriodPeople(now=now, before=before, period=period, baseline=baseline, age=age)


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


def segment_key(frame: pd.DataFrame, dims: Sequence[str]) -> pd.Series:
    """One string key per row for the segment columns ``dims`` (see :func:`key_values`)."""
    parts = [frame[d].astype("object").where(frame[d].notna(), MISSING).astype(str) for d in dims]
    key = parts[0]
    for part in parts[1:]:
        key = key + SEPARATOR + part
    return key


def key_values(key: str) -> tuple[str | None, ...]:
    """The segment values a :func:`segment_key` stands for (``None`` = unknown)."""
    return tuple(None if v == MISSING else v for v in key.split(SEPARATOR))


def _without(frame: pd.DataFrame, exclude: Collection[str] | None) -> pd.DataFrame:
    if not exclude:
        return frame
    return frame[~frame["person_id"].isin(exclude)]


def _rate_counts(
    frame: pd.DataFrame,
    source: str,
    target: str,
    dims: Sequence[str],
    horizon: dt.timedelta | None,
) -> pd.DataFrame:
    entered = frame[(frame["stage"] == source) & frame["in_period"]]
    keyed = entered.assign(segment=segment_key(entered, dims))
    if horizon is None:
        reached = frame[(frame["stage"] == target) & frame["in_period"]]
        num = reached.assign(segment=segment_key(reached, dims)).groupby("segment").size()
    else:
        later = frame.loc[frame["stage"] == target, ["person_id", "entered_at"]]
        joined = keyed.merge(later, on="person_id", how="left", suffixes=("", "_b"))
        hit = joined["entered_at_b"].notna() & (
            joined["entered_at_b"] < joined["entered_at"] + pd.Timedelta(horizon)
        )
        num = joined[hit].groupby("segment").size()
    den = keyed.groupby("segment").size()
    both = pd.concat([num.rename("numerator"), den.rename("denominator")], axis=1).fillna(0)
    return both.rename_axis("segment").reset_index()


def rate_split(
    people: PeriodPeople,
    *,
    source: str,
    target: str,
    dims: Sequence[str],
    horizon: dt.timedelta | None,
    exclude: Collection[str] | None = None,
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
        Cohort at equal age: converted within this long of entering ``source`` (see
        :func:`horizon_of`); ``None``: the period basis.
    exclude
        Person ids to leave out of both periods (to see what is left once a finding's people
        are explained).

    Returns
    -------
    pandas.DataFrame
        :func:`reviewkit.attribution.mix_rate`'s columns (``segment`` is a
        :func:`segment_key`), plus ``people``: the segment's part of the change expressed in
        ``target`` entrants (``total`` x this period's whole ``source`` count).
    """
    before = _rate_counts(_without(people.before, exclude), source, target, dims, horizon)
    now = _rate_counts(_without(people.now, exclude), source, target, dims, horizon)
    out = mix_rate(before, now)
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
    for frame in (people.before, people.now):
        f = _without(frame, exclude)
        f = f[(f["stage"] == stage) & f["in_period"]]
        counts.append(f.assign(segment=segment_key(f, dims)).groupby("segment").size())
    out = pd.concat([counts[0].rename("before"), counts[1].rename("now")], axis=1).fillna(0.0)
    out = out.astype("float64").rename_axis("segment").reset_index()
    out["change"] = out["now"] - out["before"]
    return out.sort_values("change", kind="stable").reset_index(drop=True)


def people_in(people: PeriodPeople, dims: Sequence[str], key: str) -> set[str]:
    """Person ids of one segment, in either period."""
    found: set[str] = set()
    for frame in (people.before, people.now):
        found.update(frame.loc[segment_key(frame, dims) == key, "person_id"])
    return found
