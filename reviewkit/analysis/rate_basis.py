"""On which basis a stage rate of the KPI tree is split by segment, and the split itself.

A review compares the period with its baseline segment by segment; how a rate is read decides
what the comparison can show:

- ``closed``: a rate into the last stage (e.g. opportunity -> won) when the store holds deals
  closed won *and* lost: the win rate of the deals closed in each period, won / (won + lost).
  The tree's period-basis driver (wins of the month over the month's opportunities) moves with
  the win rate of the month's closings; a cohort of the month's opportunities, a few days old
  at the review, has hardly closed any deal and cannot show it;
- ``cohort``: a cohort-basis conversion (definitions' ``basis: cohort``) read at the *matched
  age* (:mod:`reviewkit.analysis.splits`): every entrant at up to the agreed window, each baseline
  entrant at the age of the period's entrant of the same day, so a maturing cohort is never a
  miss and no outcome already known is thrown away;
- ``period``: a period-basis conversion, or a period less than a day old at the review.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from reviewkit.analysis.attribution import mix_rate
from reviewkit.analysis.splits import PeriodPeople, _cached, _counts, _kept, rate_split
from reviewkit.model.definitions import ConversionMetric, Definitions, parse_duration

Kind = Literal["period", "cohort", "closed"]


@dataclass(frozen=True)
class RateBasis:
    """How one rate is read for the segment splits.

    Attributes
    ----------
    kind
        ``period``, ``cohort`` (matched age) or ``closed`` (win rate of the deals closed).
    source, target
        The rate's stages.
    window
        ``cohort``: the longest age an entrant is read at (the agreed window).
    youngest
        ``cohort``: the age of the period's last day's entrants at the cut-off.
    """

    kind: Kind
    source: str
    target: str
    window: dt.timedelta | None = None
    youngest: dt.timedelta | None = None

    @property
    def days(self) -> float:
        """The window in days (NaN unless a cohort)."""
        return self.window / dt.timedelta(days=1) if self.window else float("nan")


def has_closed_deals(people: PeriodPeople) -> bool:
    """Whether both periods have deals closed, and some deal of either was lost."""
    now, before = people.deals_now, people.deals_before
    if now.empty or before.empty:
        return False
    return bool((~now["is_won"]).any() or (~before["is_won"]).any())


def rate_basis(
    people: PeriodPeople, metric: ConversionMetric, *, definitions: Definitions
) -> RateBasis:
    """The basis a conversion metric is split on (see the module doc)."""
    source, target = metric.from_, metric.to
    if target == definitions.stage_keys[-1] and has_closed_deals(people):
        return RateBasis("closed", source, target)
    if metric.basis == "cohort" and people.cutoff is not None and people.age >= dt.timedelta(1):
        return RateBasis(
            "cohort", source, target, window=parse_duration(metric.window), youngest=people.age
        )
    return RateBasis("period", source, target)


def split_rate(
    people: PeriodPeople,
    basis: RateBasis,
    *,
    dims: Sequence[str],
    exclude: Collection[str] | None = None,
) -> pd.DataFrame:
    """Split a rate's change by segment on ``basis`` (:func:`reviewkit.analysis.splits.rate_split`).

    ``numerator`` / ``denominator`` are won / closed deals on the ``closed`` basis, else
    entrants of ``target`` / ``source``.
    """
    if basis.kind == "closed":
        return closed_split(people, dims=dims, exclude=exclude)
    window = basis.window if basis.kind == "cohort" else None
    return rate_split(
        people, source=basis.source, target=basis.target, dims=dims, exclude=exclude,
        window=window,
    )  # fmt: skip


def _deal_counts(
    people: PeriodPeople, which: str, dims: Sequence[str], exclude: Collection[str] | None
) -> pd.DataFrame:
    frame = getattr(people, which)
    if frame.empty:
        return pd.DataFrame({"segment": [], "numerator": [], "denominator": []})
    kept = _kept(people, which, exclude)
    rows = np.ones(len(frame), dtype=bool) if kept is None else kept
    won = rows & frame["is_won"].to_numpy(dtype=bool)
    both = pd.concat(
        [_counts(people, which, dims, won).rename("numerator"),
         _counts(people, which, dims, rows).rename("denominator")], axis=1,
    ).fillna(0)  # fmt: skip
    return both.rename_axis("segment").reset_index()


def closed_split(
    people: PeriodPeople, *, dims: Sequence[str], exclude: Collection[str] | None = None
) -> pd.DataFrame:
    """Split the change of the win rate of the deals closed in each period by segment.

    Each deal closed won or lost in the period (or the baseline) counts once, in its person's
    segment; ``numerator`` is the won deals, ``denominator`` all closed ones.

    Returns
    -------
    pandas.DataFrame
        :func:`reviewkit.analysis.attribution.mix_rate`'s columns plus ``people``: the segment's
        part of the change in deals won (``total`` x this period's closed deals).
    """

    def make() -> pd.DataFrame:
        before = _deal_counts(people, "deals_before", dims, exclude)
        now = _deal_counts(people, "deals_now", dims, exclude)
        out = mix_rate(before, now)
        out["people"] = out["total"] * out["denominator"].sum()
        return out

    if exclude:
        return make()
    return _cached(people, ("closed", tuple(dims)), make).copy()
