"""The article's three cause families, as ranked findings: target, content and follow-up.

A *finding* is a segment (one segment column, or a pair such as paid search x small companies)
whose change cost the period a material part of a KPI-tree driver: a stage rate that fell
(mix and rate effects, see :mod:`reviewkit.segments`) or a stage volume that fell.

Segments overlap: the leads of a new whitepaper are also content/SEO leads, and a slow team's
MQLs are also its regions' MQLs. Findings are therefore chosen greedily, largest loss first; a
candidate whose remaining people (once the people of the findings already chosen are left out)
keep less than half of its loss per person is *explained by* those findings and is listed
under them instead of on its own. A single segment whose loss sits mostly in one of its pairs is
reported as that pair (``concentrated``: paid search, mostly small companies).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from reviewkit.definitions import ConversionMetric, CountMetric, Definitions
from reviewkit.gap import main_comparison
from reviewkit.segments import (
    DIMENSIONS,
    MISSING,
    PAIRS,
    PeriodPeople,
    count_split,
    key_values,
    people_in,
    rate_horizon,
    rate_split,
)

FAMILIES = ("target", "content", "follow_up")
# Assets, campaigns and teams are what a review can act on, and what regions and personas are
# cut across: their findings are chosen first, and the target family looks at what remains.
SELECTION_ORDER = ("content", "follow_up", "target")
FAMILY_OF = {"content_asset": "content", "campaign_id": "content", "sales_team": "follow_up"}
# Campaign ids are left out of the findings: they are renewed every half year or quarter, so a
# new id is bookkeeping, not a cause (the content section still ranks every campaign).
FINDING_DIMENSIONS = tuple(d for d in DIMENSIONS if d != "campaign_id")
FINDING_COLUMNS = [
    "family", "driver", "kind", "basis", "horizon_days", "source", "target", "dims", "segment",
    "values", "people", "score", "effect", "mix", "rate_effect", "share", "rate_before", "rate",
    "size_before", "size", "yen", "concentrated_from", "concentration", "within", "explains",
]  # fmt: skip


@dataclass(frozen=True)
class CauseSettings:
    """Thresholds of the cause analysis.

    Attributes
    ----------
    materiality
        A driver is analysed when it cost at least this share of the KGI's reference value.
    min_volume
        Segments smaller than this (in the rate's denominator, either period) are not findings.
    min_people
        A finding must cost at least this many people at the stage the driver leads to.
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
    min_people: float = 3.0
    keep: float = 0.5
    concentrate: float = 0.5
    top: int = 5


def family_of(dims: Sequence[str]) -> str:
    """The cause family of a segment column (or pair): content, follow-up or target."""
    families = {FAMILY_OF.get(d, "target") for d in dims}
    return families.pop() if len(families) == 1 else "target"


def material_drivers(
    attribution: pd.DataFrame, *, reference: float, settings: CauseSettings | None = None
) -> list[str]:
    """Drivers of a tree attribution that cost a material part of the KGI, largest cost first.

    Parameters
    ----------
    attribution
        :func:`reviewkit.attribution.tree_attribution`'s frame.
    reference
        The KGI value materiality is measured against (the target, or the baseline).
    """
    s = settings or CauseSettings()
    rows = attribution[attribution["kind"].isin(["volume", "rate"])]
    floor = s.materiality * abs(reference)
    rows = rows[(rows["contribution"] < 0) & (rows["contribution"].abs() >= floor)]
    return list(rows.sort_values("contribution")["driver"])


def _label_key(dims: Sequence[str], segment: str) -> str:
    return "|".join(dims) + "=" + segment


def _scored(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Add ``score``: the segment's loss beyond its share of the whole change, in people.

    A segment that is merely a slice of everyone (a persona, a region) falls with everyone and
    scores about zero; a segment that fell more than the rest, or swelled with a rate below
    the average, scores its excess loss.
    """
    out = frame.copy()
    if kind == "rate":
        whole = out["numerator"].sum() / out["denominator"].sum() if out["denominator"].sum() else 0
        before = out["before_denominator"].sum()
        whole_before = out["before_numerator"].sum() / before if before else whole
        mean_weight = (out["weight_before"] + out["weight"]) / 2
        excess = (out["rate"] - out["rate_before"] - (whole - whole_before)) * mean_weight
        out["score"] = (out["mix"] + excess) * out["denominator"].sum()
        # A loss that is mostly a rate change must be more than noise (two-proportion z-test).
        out["p"] = [
            _p_value(
                r["before_numerator"], r["before_denominator"], r["numerator"], r["denominator"]
            )
            for r in out.to_dict("records")
        ]
        out["tested"] = excess.abs() > out["mix"].abs()
    else:
        share = out["before"] / out["before"].sum() if out["before"].sum() else 0.0
        out["score"] = out["change"] - share * out["change"].sum()
        # the segment's share of the stage count must have moved beyond noise
        total_before, total_now = float(out["before"].sum()), float(out["now"].sum())
        out["p"] = [
            _p_value(r["before"], total_before, r["now"], total_now) for r in out.to_dict("records")
        ]
        out["tested"] = True
    known = ~out["segment"].str.contains(MISSING, regex=False)  # unknown: a data gap
    out.loc[~known, "score"] = 0.0
    return out


# A finding's change must be significant at this level, Bonferroni-corrected for the number of
# segments examined (some hundred): noise across many segments must not make findings.
ALPHA = 0.05


def _p_value(x0: float, n0: float, x1: float, n1: float) -> float:
    """Two-sided p-value of a two-proportion z-test (1 when either side has no people)."""
    if not n0 or not n1:
        return 1.0
    pooled = (x0 + x1) / (n0 + n1)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n0 + 1 / n1))
    if spread == 0:
        return 1.0
    return math.erfc(abs(x1 / n1 - x0 / n0) / spread / math.sqrt(2))


def _select(
    dims_list: Sequence[tuple[str, ...]],
    *,
    people: PeriodPeople,
    split: Callable[[tuple[str, ...], Collection[str]], pd.DataFrame],
    kind: str,
    settings: CauseSettings,
) -> list[dict[str, object]]:
    """Choose findings one at a time, rescoring what is left after each (see module doc)."""
    excluded: set[str] = set()
    chosen: list[dict[str, object]] = []
    chosen_people: list[set[str]] = []
    per_family: dict[str, int] = {}
    first_scores: dict[str, float] = {}
    significant: dict[str, bool] = {}
    first = {dims: _scored(split(dims, ()), kind) for dims in dims_list}
    alpha = ALPHA / max(1, sum(len(f) for f in first.values()))
    for dims, frame in first.items():
        for r in frame[frame["size"] >= settings.min_volume].to_dict("records"):
            key = _label_key(dims, str(r["segment"]))
            significant[key] = not r["tested"] or r["p"] < alpha
            if significant[key]:
                first_scores[key] = float(r["score"])
    order = [(f, i) for f in SELECTION_ORDER for i in range(settings.top)]
    for family, _ in order:
        if per_family.get(family, 0) >= settings.top:
            continue
        pool = []
        for dims in dims_list:
            if family_of(dims) != family:
                continue
            frame = _scored(split(dims, excluded), kind)
            frame = frame[frame["size"] >= settings.min_volume]
            for r in frame.to_dict("records"):
                key = _label_key(dims, str(r["segment"]))
                if significant.get(key, False):
                    pool.append((float(r["score"]), dims, str(r["segment"])))
        pool = [p for p in pool if p[0] <= -settings.min_people]
        if not pool:
            per_family[family] = settings.top
            continue
        score, dims, segment = min(pool, key=lambda p: p[0])
        parent = None
        within = None
        concentration = math.nan
        if len(dims) == 1:
            value = key_values(segment)[0]
            children = [
                p
                for p in pool
                if len(p[1]) == 2
                and dims[0] in p[1]
                and key_values(p[2])[p[1].index(dims[0])] == value
            ]
            if children:
                child = min(children, key=lambda p: p[0])
                if child[0] <= settings.concentrate * score:
                    parent, concentration = (dims, segment), child[0] / score
                    score, dims, segment = child
                else:  # not concentrated enough to be the finding; still the largest part
                    within = (child[1], child[2], child[0] / score)
        members = people_in(people, dims, segment)
        chosen.append(
            {"dims": dims, "segment": segment, "score": score, "parent": parent,
             "concentration": concentration, "within": within, "explains": []}
        )  # fmt: skip
        chosen_people.append(members)
        excluded |= members
        family = family_of(dims)
        per_family[family] = per_family.get(family, 0) + 1
    # What was material at first but is not once the findings' people are left out.
    picked = {_label_key(c["dims"], c["segment"]) for c in chosen}  # type: ignore[arg-type]
    for c in chosen:
        if c["parent"] is not None:
            picked.add(_label_key(*c["parent"]))  # type: ignore[misc]
    if chosen:
        for key, score in sorted(first_scores.items(), key=lambda kv: kv[1]):
            if score > -settings.min_people or key in picked:
                continue
            dims_text, segment = key.split("=", 1)
            dims = tuple(dims_text.split("|"))
            members = people_in(people, dims, segment)
            overlap = [len(members & m) for m in chosen_people]
            if max(overlap) == 0:
                continue
            owner = chosen[max(range(len(chosen)), key=overlap.__getitem__)]
            owner["explains"].append((dims, segment))  # type: ignore[union-attr]
    return chosen


def _rate_frame(  # noqa: ANN202
    people: PeriodPeople, source: str, target: str, horizon: dt.timedelta | None
):
    def split(dims: tuple[str, ...], exclude: Collection[str]) -> pd.DataFrame:
        frame = rate_split(
            people, source=source, target=target, dims=dims, horizon=horizon, exclude=exclude
        )
        frame["size"] = frame[["before_denominator", "denominator"]].max(axis=1)
        return frame

    return split


def _count_frame(people: PeriodPeople, stage: str):  # noqa: ANN202
    def split(dims: tuple[str, ...], exclude: Collection[str]) -> pd.DataFrame:
        frame = count_split(people, stage=stage, dims=dims, exclude=exclude)
        frame["people"] = frame["change"]
        frame["size"] = frame[["before", "now"]].max(axis=1)
        return frame

    return split


def driver_findings(
    people: PeriodPeople,
    driver: str,
    *,
    definitions: Definitions,
    yen_per_person: float,
    settings: CauseSettings | None = None,
    dimensions: Sequence[str] = FINDING_DIMENSIONS,
    pairs: Sequence[tuple[str, str]] = PAIRS,
) -> pd.DataFrame:
    """Ranked findings of every family for one KPI-tree driver (a stage rate or volume).

    Parameters
    ----------
    people
        The period's and the baseline's entries (:func:`reviewkit.segments.period_people`).
    driver
        A conversion of the tree (``mql_to_sql``) or its volume stage (``lead``).
    definitions
        To resolve the driver's stages.
    yen_per_person
        The KGI a person at the driver's stage brings downstream this period (to rank findings
        of different drivers on one scale).
    settings
        Thresholds.

    Returns
    -------
    pandas.DataFrame
        :data:`FINDING_COLUMNS`, one row per finding, largest loss first within each family.
        ``people`` is the segment's part of the driver's change in people at the stage the
        driver leads to (its row of the whole population's split, so a dimension's parts add
        up); ``score`` the loss beyond the segment's share, once earlier findings' people are
        left out (what ranks it); ``share`` the part of the driver's whole change;
        ``explains`` the segments this finding explains.
    """
    s = settings or CauseSettings()
    metric = definitions.metric(driver)
    horizon: dt.timedelta | None = None
    if isinstance(metric, ConversionMetric):
        kind, source, target = "rate", metric.from_, metric.to
        horizon = rate_horizon(people, metric)
        split = _rate_frame(people, source, target, horizon)
    elif isinstance(metric, CountMetric):
        kind, source, target = "volume", metric.stage, metric.stage
        split = _count_frame(people, metric.stage)
    else:
        raise ValueError(f"driver {driver!r}: only stage rates and volumes split by segment")
    dims_list = [(d,) for d in dimensions]
    if kind == "rate":
        dims_list += [tuple(p) for p in pairs]
    chosen = _select(dims_list, people=people, split=split, kind=kind, settings=s)
    whole_frames: dict[tuple[str, ...], pd.DataFrame] = {}
    rows = []
    for c in chosen:
        dims = c["dims"]
        if dims not in whole_frames:
            whole_frames[dims] = split(dims, ())
        frame = whole_frames[dims]
        whole = float(frame["people"].sum())
        r = frame[frame["segment"] == c["segment"]].iloc[0].to_dict()
        rows.append(
            {
                "family": family_of(dims),
                "driver": driver,
                "kind": kind,
                "basis": "period" if horizon is None else "cohort",
                "horizon_days": math.nan if horizon is None else horizon / dt.timedelta(days=1),
                "source": source,
                "target": target,
                "dims": dims,
                "segment": c["segment"],
                "values": key_values(str(c["segment"])),
                "people": float(r["people"]),
                "score": float(c["score"]),
                "effect": r["total"] if kind == "rate" else r["change"],
                "mix": r.get("mix", math.nan),
                "rate_effect": r.get("rate_effect", math.nan),
                "share": float(r["people"]) / whole if whole else math.nan,
                "rate_before": r.get("rate_before", math.nan),
                "rate": r.get("rate", math.nan),
                "size_before": r.get("before_denominator", r.get("before", math.nan)),
                "size": r.get("denominator", r.get("now", math.nan)),
                "yen": float(c["score"]) * yen_per_person,
                "concentrated_from": c["parent"],
                "concentration": c["concentration"],
                "within": c["within"],
                "explains": tuple(c["explains"]),
            }
        )
    out = pd.DataFrame(rows, columns=FINDING_COLUMNS)
    out = _by_family(out, "score")
    return out.reset_index(drop=True)


def _by_family(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Findings in family order (:data:`FAMILIES`), largest loss (most negative) first."""
    order = frame["family"].map({f: i for i, f in enumerate(FAMILIES)})
    return frame.assign(_f=order).sort_values(["_f", column], kind="stable").drop(columns="_f")


def rank_findings(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Findings of several drivers, ranked within each family by their KGI cost (``yen``)."""
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=[*FINDING_COLUMNS, "rank"])
    out = pd.concat(frames, ignore_index=True)
    out = _by_family(out, "yen").reset_index(drop=True)
    out["rank"] = out.groupby("family").cumcount() + 1
    return out


def downstream_value(
    figures: Mapping[str, float], *, stage: str, definitions: Definitions
) -> float:
    """The KGI per person entering ``stage`` this period (period basis): KGI / stage count."""
    count = float(figures.get(stage, 0.0))
    return float(figures[definitions.kgi_metric]) / count if count else 0.0


def cause_findings(
    people: PeriodPeople,
    attribution: pd.DataFrame,
    figures: Mapping[str, Mapping[str, float]],
    *,
    definitions: Definitions,
    settings: CauseSettings | None = None,
) -> pd.DataFrame:
    """The findings of every family, for each driver that cost a material part of the KGI.

    Drivers are those of the gap to target (else to the previous period) that cost at least
    ``settings.materiality`` of that reference; only stage rates and volumes split by segment.

    Returns
    -------
    pandas.DataFrame
        :func:`rank_findings` of :func:`driver_findings` for each material driver.
    """
    s = settings or CauseSettings()
    comparison = main_comparison(attribution)
    rows = attribution[attribution["comparison"] == comparison]
    if rows.empty:
        return rank_findings([])
    reference = float(rows["reference"].iloc[0])
    frames = []
    for driver in material_drivers(rows, reference=reference, settings=s):
        metric = definitions.metric(driver)
        stage = metric.to if isinstance(metric, ConversionMetric) else metric.stage  # type: ignore[union-attr]
        value = downstream_value(figures["actual"], stage=stage, definitions=definitions)
        frames.append(
            driver_findings(
                people, driver, definitions=definitions, yen_per_person=value, settings=s
            )
        )
    return rank_findings(frames)
