"""Scoring segments and choosing findings among them (see :mod:`reviewkit.analysis.causes`).

A segment's *score* is its loss, in people at the stage the driver leads to, beyond what it
shares with everyone:

- when everyone fell, a segment that fell as much as everyone scores about zero (it is a slice
  of the whole, not a cause); when everyone held or rose, a segment's own fall is all its loss
  (a segment that merely did not rise with a new asset's downloads lost nothing);
- the mix part of a loss is the segment's own: a segment whose share shrank only because
  others grew lost nothing (:func:`own_mix`); one that swelled with a rate below the average
  carries the dilution it brought;
- a segment with nobody in the baseline had no rate or volume that could have fallen: it is
  *new*, not a loss, and scores zero, except a content asset or campaign, which is always new
  at launch and whose question is its quality: a new asset that swells a stage with people
  who rarely convert costs the rate its mix;
- a segment whose values are unknown is a data gap, never a finding.

Findings are chosen greedily, largest loss first, families in :data:`SELECTION_ORDER`; each
choice leaves its people out of what follows. A candidate's fall must be significant: a
one-sided two-proportion z-test (only a fall can be a finding; a loss led by the segment's mix
tests its share of the denominator instead of its rate), Bonferroni-corrected for the segments
examined for the driver that could be findings, on everyone or on the people left once earlier
findings' people are out (a team's fall may show only once a new asset's people, routed to it,
are left out; two looks, each at half the level, or one while nobody is left out yet); and
still a fall at :data:`ALPHA` on the people left, so a segment that fell only through a
finding's people is not a second finding. A segment *named* beforehand by other evidence (a
sales team whose follow-up measurably got worse, see :mod:`reviewkit.analysis.causes`) is one
hypothesis, not one of many: it is tested at :data:`ALPHA` uncorrected.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from reviewkit.analysis.splits import MISSING, PeriodPeople, key_values, people_in

FAMILIES = ("target", "content", "follow_up")
# Assets, campaigns and teams are what a review can act on, and what regions and personas are
# cut across: their findings are chosen first, and the target family looks at what remains.
SELECTION_ORDER = ("content", "follow_up", "target")
FAMILY_OF = {"content_asset": "content", "campaign_id": "content", "sales_team": "follow_up"}
# A finding's change must be significant at this level, Bonferroni-corrected for the number of
# segments examined (some hundred): noise across many segments must not make findings.
ALPHA = 0.05


@dataclass(frozen=True)
class CauseSettings:
    """Thresholds of the cause analysis.

    Attributes
    ----------
    materiality
        The where-section analyses a driver that cost at least this share of the KGI's
        reference value (findings are sought in every driver).
    min_volume
        Segments smaller than this (in the rate's denominator, either period) are not findings.
    min_people
        A finding must cost at least this many people at the stage the driver leads to
        (never less than one person, whatever the company's size).
    min_share
        ... and at least this share of the KGI's reference value (its target, else the
        previous period), valued at the KGI each person at that stage brings: materiality
        relative to the company's size.
    problem_share
        A finding that cost at least this share of the KGI's reference is *material*: a
        problem in the checklist, not only one to watch.
    keep
        A candidate keeps its own finding when its remaining people keep at least this share
        of its loss per person once earlier findings' people are left out.
    concentrate
        A single segment is reported as one of its pairs when the pair carries this share of
        its loss (otherwise the largest pair is named as ``within``).
    top
        Findings kept per family and driver.
    """

    materiality: float = 0.05
    min_volume: int = 20
    min_people: float = 1.0
    min_share: float = 0.01
    problem_share: float = 0.03
    keep: float = 0.5
    concentrate: float = 0.5
    top: int = 5


def family_of(dims: Sequence[str]) -> str:
    """The cause family of a segment column (or pair): content, follow-up or target."""
    families = {FAMILY_OF.get(d, "target") for d in dims}
    return families.pop() if len(families) == 1 else "target"


def label_key(dims: Sequence[str], segment: str) -> str:
    """One text key for a segment of some columns (``channel|region=...``)."""
    return "|".join(dims) + "=" + segment


def p_value(x0: float, n0: float, x1: float, n1: float) -> float:
    """One-sided p-value of a fall from ``x0 / n0`` to ``x1 / n1`` (two-proportion z-test).

    1 when either side has no people or both proportions are 0 or 1; above 0.5 for a rise.
    """
    if not n0 or not n1:
        return 1.0
    pooled = (x0 + x1) / (n0 + n1)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n0 + 1 / n1))
    if spread == 0:
        return 1.0
    z = (x1 / n1 - x0 / n0) / spread
    return math.erfc(-z / math.sqrt(2)) / 2


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    return frame[name].to_numpy(dtype="float64")


def own_mix(frame: pd.DataFrame) -> np.ndarray:
    """The part of each segment's mix effect that its own change of size made.

    A segment's share moves when it grows or shrinks, and when the others do: a channel that
    kept its people while a new asset doubled the leads has a smaller share, but its people
    converted as before and it lost nothing. Its share had it kept its baseline count among
    the others' present counts is ``w' = d0 / (D1 - d1 + d0)``; its own part of the share's
    change is ``w1 - w'``, valued as the mix effect values it (its midpoint rate against the
    average). A new segment's own part is its whole share.
    """
    d0, d1 = _column(frame, "before_denominator"), _column(frame, "denominator")
    total0, total1 = float(d0.sum()), float(d1.sum())
    if not total0 or not total1:
        return _column(frame, "mix")
    centre = _centre(frame)
    rest = total1 - d1 + d0
    kept = np.divide(d0, rest, out=np.zeros(len(d0)), where=rest > 0)
    middle = (_column(frame, "rate_before") + _column(frame, "rate")) / 2
    return (_column(frame, "weight") - kept) * (middle - centre)


def _centre(frame: pd.DataFrame) -> float:
    """The mean of the whole rate before and now (what the mix effect measures against)."""
    rates = [
        _column(frame, n).sum() / d
        for n, d in (("before_numerator", _column(frame, "before_denominator").sum()),
                     ("numerator", _column(frame, "denominator").sum()))
        if d
    ]  # fmt: skip
    return float(sum(rates) / len(rates)) if rates else 0.0


def _rate_p_values(frame: pd.DataFrame, *, rate_led: np.ndarray, centre: float,
                   totals: tuple[float, float]) -> list[float]:  # fmt: skip
    """Whether each segment's loss is more than noise (one-sided two-proportion z-tests).

    A loss led by the segment's rate: its rate fell (before against now). A loss led by its
    mix: its share of the denominator moved the costly way, fell for a segment converting
    above the average, rose for one converting below it. ``totals``: the whole denominator
    before and now.
    """
    total_before, total = totals
    columns = ("before_numerator", "before_denominator", "numerator", "denominator",
               "rate_before", "rate")  # fmt: skip
    values = zip(*(_column(frame, c) for c in columns), rate_led, strict=True)
    out = []
    for x0, n0, x1, n1, r0, r1, by_rate in values:
        if by_rate:
            out.append(p_value(x0, n0, x1, n1))
        elif (r0 + r1) / 2 >= centre:  # its share fell
            out.append(p_value(n0, total_before, n1, total))
        else:  # its share rose
            out.append(p_value(n1, total, n0, total_before))
    return out


def scored(
    frame: pd.DataFrame, kind: str, *, new_is_loss: bool, min_volume: float = 0
) -> pd.DataFrame:
    """Add ``score`` (see the module doc), ``p`` (one-sided, of the loss) and ``can`` to a split.

    ``can``: the segment could be a finding at all (known values; not new, see below); the
    significance level is corrected for those only. ``new_is_loss``: whether a segment with
    nobody in the baseline may score a loss (content assets and campaigns only). Segments
    smaller than ``min_volume`` (``size``) are scored against the whole and then left out.
    """
    if kind == "rate":
        d0, d1 = _column(frame, "before_denominator"), _column(frame, "denominator")
        den, before = float(d1.sum()), float(d0.sum())
        whole = _column(frame, "numerator").sum() / den if den else 0.0
        whole_before = _column(frame, "before_numerator").sum() / before if before else whole
        fall = min(whole - whole_before, 0.0)
        mean_weight = (_column(frame, "weight_before") + _column(frame, "weight")) / 2
        change = _column(frame, "rate") - _column(frame, "rate_before")
        excess = (change - fall) * mean_weight
        own = own_mix(frame)
        score = (own + excess) * den
        new = d0 == 0
        big = _column(frame, "size") >= min_volume if "size" in frame else np.ones(len(d0), bool)
        out = frame[big].assign(score=score[big])
        rate_led = np.abs(excess[big]) > np.abs(own[big])
        out["p"] = _rate_p_values(out, rate_led=rate_led, centre=_centre(frame),
                                  totals=(before, den))  # fmt: skip
    else:
        b, n = _column(frame, "before"), _column(frame, "now")
        share = b / b.sum() if b.sum() else np.zeros(len(b))
        score = (n - b) - share * min(float((n - b).sum()), 0.0)
        new = b == 0
        big = _column(frame, "size") >= min_volume if "size" in frame else np.ones(len(b), bool)
        out = frame[big].assign(score=score[big])
        # the segment's share of the stage count must have moved beyond noise
        total_before, total_now = float(b.sum()), float(n.sum())
        pairs = zip(b[big], n[big], strict=True)
        out["p"] = [p_value(x, total_before, y, total_now) for x, y in pairs]
    known = ~out["segment"].astype(str).str.contains(MISSING, regex=False)  # a data gap
    can = known.to_numpy() & (np.ones(len(out), bool) if new_is_loss else ~new[big])
    out["can"] = can  # could be a finding at all
    out.loc[~out["can"], "score"] = 0.0
    return out


Split = Callable[[tuple[str, ...], Collection[str]], pd.DataFrame]


def _scored_split(split: Split, dims: tuple[str, ...], exclude: Collection[str], kind: str,
                  settings: CauseSettings) -> pd.DataFrame:  # fmt: skip
    return scored(split(dims, exclude), kind, new_is_loss=family_of(dims) == "content",
                  min_volume=settings.min_volume)  # fmt: skip


Candidate = tuple[float, tuple[str, ...], str, float]  # score, dims, segment key, size


def _concentrated(
    pick: Candidate, pool: list[Candidate], settings: CauseSettings
) -> dict[str, Any]:
    """A single segment, or the pair its loss is concentrated in.

    Among the pairs inside the segment (paid search x each company size, x each region ...),
    the one that lost most *beyond its share of the segment's loss* (its loss minus its part
    of the segment's people times the segment's loss) is where the loss sits: a pair that is
    merely most of the segment (paid search x the capital region, where most paid search is)
    loses in proportion and is not it. That pair is reported in the segment's place when it
    carries :attr:`CauseSettings.concentrate` of the loss, else named as ``within``.
    """
    score, dims, segment, size = pick
    out: dict[str, Any] = {"parent": None, "within": None, "concentration": math.nan}
    if len(dims) == 1:
        value = key_values(segment)[0]
        children = [
            p for p in pool
            if len(p[1]) == 2 and dims[0] in p[1] and key_values(p[2])[p[1].index(dims[0])] == value
        ]  # fmt: skip

        def beyond(child: Candidate) -> float:
            return child[0] - (child[3] / size if size else 0.0) * score

        if children:
            child = min(children, key=beyond)
            if child[0] <= settings.concentrate * score and beyond(child) < 0:
                out.update(parent=(dims, segment), concentration=child[0] / score)
                score, dims, segment = child[0], child[1], child[2]
            else:  # not concentrated enough to be the finding; still the largest part
                out["within"] = (child[1], child[2], child[0] / score)
    out.update(score=score, dims=dims, segment=segment, explains=[])
    return out


def _size(row: dict) -> float:
    """A segment's people over both periods (the weight of its part in a parent)."""
    if "denominator" in row:
        return float(row["before_denominator"] + row["denominator"])
    return float(row["before"] + row["now"])


def select_findings(
    dims_list: Sequence[tuple[str, ...]],
    *,
    people: PeriodPeople,
    split: Split,
    kind: str,
    settings: CauseSettings,
    floor: float,
    named: Collection[str] = (),
) -> list[dict[str, Any]]:
    """Choose findings one at a time, rescoring what is left after each (see module doc).

    ``floor``: the least loss (people at the driver's stage) a finding must have; ``named``:
    :func:`label_key` of segments other evidence names beforehand (tested uncorrected).
    """
    excluded: set[str] = set()
    chosen: list[dict[str, Any]] = []
    chosen_people: list[set[str]] = []
    per_family: dict[str, int] = {}
    first_scores: dict[str, float] = {}
    significant: dict[str, bool] = {}
    first = {dims: _scored_split(split, dims, (), kind, settings) for dims in dims_list}
    # segments that could be findings (known, not new): what the level is corrected for
    examined = max(1, sum(int(frame["can"].sum()) for frame in first.values()))

    def level(key: str, looks: int) -> float:
        return (ALPHA if key in named else ALPHA / examined) / looks

    for dims, frame in first.items():
        for segment, p, score in zip(frame["segment"], frame["p"], frame["score"], strict=True):
            key = label_key(dims, str(segment))
            significant[key] = p < level(key, 2)
            if significant[key]:
                first_scores[key] = float(score)
    for family in [f for f in SELECTION_ORDER for _ in range(settings.top)]:
        if per_family.get(family, 0) >= settings.top:
            continue
        pool = []
        for dims in dims_list:
            if family_of(dims) != family:
                continue
            if not excluded:  # one look: everyone is what is left
                frame = first[dims]
            else:
                frame = _scored_split(split, dims, excluded, kind, settings)
            frame = frame[frame["score"] <= -floor]  # only a loss can be a finding
            for r in frame.to_dict("records"):
                key = label_key(dims, str(r["segment"]))
                if excluded:  # two looks, each at half the level
                    found = significant.get(key, False) or r["p"] < level(key, 2)
                else:
                    found = r["p"] < level(key, 1)
                if found and r["p"] < ALPHA:
                    pool.append((float(r["score"]), dims, str(r["segment"]), _size(r)))
        if not pool:
            per_family[family] = settings.top
            continue
        pick = _concentrated(min(pool, key=lambda p: p[0]), pool, settings)
        members = people_in(people, pick["dims"], pick["segment"])
        chosen.append(pick)
        chosen_people.append(members)
        excluded |= members
        per_family[family] = per_family.get(family, 0) + 1
    _explained(chosen, chosen_people, first_scores, people=people, floor=floor)
    return chosen


def _explained(
    chosen: list[dict[str, Any]], chosen_people: list[set[str]],
    first_scores: dict[str, float], *, people: PeriodPeople, floor: float,
) -> None:  # fmt: skip
    """List under each finding what was material at first but is explained by its people."""
    picked = {label_key(c["dims"], c["segment"]) for c in chosen}
    for c in chosen:
        if c["parent"] is not None:
            picked.add(label_key(*c["parent"]))
    if not chosen:
        return
    for key, score in sorted(first_scores.items(), key=lambda kv: kv[1]):
        if score > -floor or key in picked:
            continue
        dims_text, segment = key.split("=", 1)
        members = people_in(people, tuple(dims_text.split("|")), segment)
        overlap = [len(members & m) for m in chosen_people]
        if max(overlap) == 0:
            continue
        owner = chosen[max(range(len(chosen)), key=overlap.__getitem__)]
        owner["explains"].append((tuple(dims_text.split("|")), segment))
