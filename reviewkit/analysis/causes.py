"""The article's three cause families, as ranked findings: target, content and follow-up.

A *finding* is a segment (one segment column, or a pair such as paid search x small companies)
whose change cost the period a material part of a KPI-tree driver: a stage rate that fell
(mix and rate effects, see :mod:`reviewkit.analysis.splits`) or a stage volume that fell.

Every splittable driver of the tree is searched (the first stage's volume and each stage
rate), not only those that fell overall: a driver that rose can hide a segment that fell (a new
asset's downloads lift lead -> MQL while one channel's leads stop qualifying). Each rate is read
on its basis (:mod:`reviewkit.analysis.rate_basis`): a win rate on the deals closed in the month, a
cohort rate at the matched age, else the period basis.

Materiality is relative to the company's size: a finding must cost at least
:attr:`CauseSettings.min_share` of the KGI's reference (its target, else the previous
period), valued at the KGI a person at the driver's stage brings this period, and at least one
person; one that cost :attr:`CauseSettings.problem_share` or more is ``material`` (a problem).
Scoring and choosing are in :mod:`reviewkit.analysis.cause_selection`: segments overlap (the leads
of a new whitepaper are also content/SEO leads, and a slow team's MQLs are also its regions'), so
findings are chosen greedily, largest loss first, and what a finding's people explain is listed
under it. A single segment whose loss sits mostly in one of its pairs is reported as that pair
(``concentrated``: paid search, mostly small companies).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence

import pandas as pd

from reviewkit.analysis.cause_selection import (
    ALPHA,
    FAMILIES,
    CauseSettings,
    family_of,
    label_key,
    p_value,
    select_findings,
)
from reviewkit.analysis.gap import main_comparison
from reviewkit.analysis.rate_basis import RateBasis, rate_basis, split_rate
from reviewkit.analysis.splits import DIMENSIONS, PAIRS, PeriodPeople, count_split, key_values
from reviewkit.model.definitions import ConversionMetric, CountMetric, Definitions, Metric

__all__ = [
    "FAMILIES", "FINDING_COLUMNS", "FINDING_DIMENSIONS", "CauseSettings", "cause_findings",
    "downstream_value", "driver_findings", "family_of", "material_drivers", "rank_findings",
    "splittable_drivers",
]  # fmt: skip

# Campaign ids are left out of the findings: they are renewed every half year or quarter, so a
# new id is bookkeeping, not a cause (the content section still ranks every campaign).
FINDING_DIMENSIONS = tuple(d for d in DIMENSIONS if d != "campaign_id")
FINDING_COLUMNS = [
    "family", "driver", "kind", "basis", "horizon_days", "source", "target", "dims", "segment",
    "values", "people", "score", "effect", "mix", "rate_effect", "share", "rate_before", "rate",
    "size_before", "size", "yen", "cost_share", "material", "concentrated_from",
    "concentration", "within", "explains",
]  # fmt: skip


def material_drivers(
    attribution: pd.DataFrame, *, reference: float, settings: CauseSettings | None = None
) -> list[str]:
    """Drivers of a tree attribution that cost a material part of the KGI, largest cost first.

    Parameters
    ----------
    attribution
        :func:`reviewkit.analysis.attribution.tree_attribution`'s frame.
    reference
        The KGI value materiality is measured against (the target, or the baseline).
    """
    s = settings or CauseSettings()
    rows = attribution[attribution["kind"].isin(["volume", "rate"])]
    floor = s.materiality * abs(reference)
    rows = rows[(rows["contribution"] < 0) & (rows["contribution"].abs() >= floor)]
    return list(rows.sort_values("contribution")["driver"])


def splittable_drivers(definitions: Definitions) -> list[str]:
    """The tree's drivers a segment split can explain: the volume stage and each stage rate."""
    return [
        d for d in definitions.tree
        if isinstance(definitions.metric(d), ConversionMetric | CountMetric)
    ]  # fmt: skip


def _volume_fell(people: PeriodPeople, stage: str) -> bool:
    """Whether fewer people entered ``stage`` in the period than in the baseline."""
    counts = count_split(people, stage=stage, dims=(DIMENSIONS[0],))
    return bool(counts["now"].sum() < counts["before"].sum())


def followed_up_worse(teams: pd.DataFrame | None) -> list[str]:
    """The sales teams whose follow-up measurably got worse: their SLA rate fell significantly.

    One-sided two-proportion test of touched in time / due, the period against the baseline,
    Bonferroni-corrected for the teams. These teams are the follow-up family's hypotheses on
    the rate from the SLA's stage (:func:`cause_findings`).

    Parameters
    ----------
    teams
        :func:`reviewkit.analysis.followup_month.team_follow_up` (empty or ``None``: no touch data).
    """
    if teams is None or teams.empty or "due_before" not in teams:
        return []
    named = []
    rows = teams[teams["sales_team"].notna()].to_dict("records")
    for r in rows:
        p = p_value(r["in_sla_before"], r["due_before"], r["in_sla"], r["due"])
        if p < ALPHA / max(1, len(rows)):
            named.append(str(r["sales_team"]))
    return named


def _rate_frame(people: PeriodPeople, basis: RateBasis):  # noqa: ANN202
    def split(dims: tuple[str, ...], exclude: Collection[str]) -> pd.DataFrame:
        frame = split_rate(people, basis, dims=dims, exclude=exclude)
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


def _driver_split(
    people: PeriodPeople, metric: Metric, *, driver: str, definitions: Definitions
) -> tuple[str, str, str, RateBasis | None, Callable[..., pd.DataFrame]]:
    """A driver's kind, stages, rate basis and split: ``(kind, source, target, basis, split)``."""
    basis: RateBasis | None = None
    if isinstance(metric, ConversionMetric):
        kind, source, target = "rate", metric.from_, metric.to
        basis = rate_basis(people, metric, definitions=definitions)
        split = _rate_frame(people, basis)
    elif isinstance(metric, CountMetric):
        kind, source, target = "volume", metric.stage, metric.stage
        split = _count_frame(people, metric.stage)
    else:
        raise ValueError(f"driver {driver!r}: only stage rates and volumes split by segment")
    return kind, source, target, basis, split


def driver_findings(
    people: PeriodPeople,
    driver: str,
    *,
    definitions: Definitions,
    yen_per_person: float,
    settings: CauseSettings | None = None,
    dimensions: Sequence[str] = FINDING_DIMENSIONS,
    pairs: Sequence[tuple[str, str]] = PAIRS,
    floor: float | None = None,
    named: Collection[str] = (),
) -> pd.DataFrame:
    """Ranked findings of every family for one KPI-tree driver (a stage rate or volume).

    A volume driver is searched only when its volume fell: when it held or rose, the segments
    that shrank were made up for by others, and what the shift cost shows in the rates' mix.

    Parameters
    ----------
    people
        The period's and the baseline's entries (:func:`reviewkit.analysis.splits.period_people`).
    driver
        A conversion of the tree (``mql_to_sql``) or its volume stage (``lead``).
    definitions
        To resolve the driver's stages.
    yen_per_person
        The KGI a person at the driver's stage brings downstream this period (to rank findings
        of different drivers on one scale).
    settings
        Thresholds.
    dimensions, pairs
        The segment columns and pairs to search (a pair only when both columns are searched).
    floor
        The least loss, in people at the driver's stage, of a finding; ``None``:
        ``settings.min_people``.
    named
        Segments other evidence names beforehand (``sales_team=Team B``, see
        :func:`followed_up_worse`), tested as one hypothesis each.

    Returns
    -------
    pandas.DataFrame
        :data:`FINDING_COLUMNS`, one row per finding, largest loss first within each family.
        ``people`` is the segment's part of the driver's change in people at the stage the
        driver leads to (its row of the whole population's split, so a dimension's parts add
        up); ``score`` the loss beyond the segment's share, once earlier findings' people are
        left out (what ranks it); ``share`` the part of the driver's whole change;
        ``explains`` the segments this finding explains. ``basis`` is ``closed``, ``cohort``
        (``horizon_days``: the window of the matched age) or ``period``.
    """
    s = settings or CauseSettings()
    metric = definitions.metric(driver)
    kind, source, target, basis, split = _driver_split(
        people, metric, driver=driver, definitions=definitions
    )
    dims_list: list[tuple[str, ...]] = [(d,) for d in dimensions]
    if kind == "rate":
        dims_list += [tuple(p) for p in pairs if set(p) <= set(dimensions)]
    least = s.min_people if floor is None else max(s.min_people, floor)
    if kind == "volume" and not _volume_fell(people, metric.stage):  # type: ignore[union-attr]
        return pd.DataFrame(columns=FINDING_COLUMNS)
    chosen = select_findings(
        dims_list, people=people, split=split, kind=kind, settings=s, floor=least, named=named
    )
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
                "basis": "period" if basis is None else basis.kind,
                "horizon_days": math.nan if basis is None else basis.days,
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
                "cost_share": math.nan,
                "material": False,
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


def _value_per_person(
    figures: Mapping[str, Mapping[str, float]], comparison: str, *, stage: str,
    definitions: Definitions,
) -> float:  # fmt: skip
    """:func:`downstream_value` of the period, else of the comparison (a month with no KGI)."""
    value = downstream_value(figures["actual"], stage=stage, definitions=definitions)
    if value > 0 or comparison not in figures:
        return value
    return downstream_value(figures[comparison], stage=stage, definitions=definitions)


def cause_findings(
    people: PeriodPeople,
    attribution: pd.DataFrame,
    figures: Mapping[str, Mapping[str, float]],
    *,
    definitions: Definitions,
    settings: CauseSettings | None = None,
    dimensions: Sequence[str] | None = None,
    teams: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The findings of every family, in every splittable driver of the KPI tree.

    Every stage rate is searched; the volume stage only when it cost the KGI against the
    reference (and fell against the baseline, see :func:`driver_findings`).

    Parameters
    ----------
    people
        The period's and the baseline's entries.
    attribution
        :func:`reviewkit.analysis.gap.gap_attribution` (its main comparison gives the KGI reference
        materiality is measured against).
    figures
        :func:`reviewkit.analysis.gap.kgi_figures` (the KGI per person at each stage).
    definitions
        The tree.
    settings
        Thresholds.
    dimensions
        The segment columns to search (e.g.
        :attr:`reviewkit.semantic.funnel.Funnel.split_dimensions`: no all-unknown or single-valued
        column); ``None``: every lead column but the campaign.
    teams
        First touch by team (:func:`reviewkit.analysis.followup_month.team_follow_up`): a team
        whose SLA rate fell significantly (:func:`followed_up_worse`) is named beforehand on the
        rates from the SLA's stage, so its fall there needs no correction for the other segments.

    Returns
    -------
    pandas.DataFrame
        :func:`rank_findings` of :func:`driver_findings` for each driver, with ``cost_share``
        (the finding's KGI cost as a share of the reference) and ``material``.
    """
    s = settings or CauseSettings()
    comparison = main_comparison(attribution) if len(attribution) else "previous"
    rows = attribution[attribution["comparison"] == comparison] if len(attribution) else attribution
    if rows.empty:
        return rank_findings([])
    reference = abs(float(rows["reference"].iloc[0]))
    searched = FINDING_DIMENSIONS if dimensions is None else tuple(
        d for d in dimensions if d in FINDING_DIMENSIONS
    )  # fmt: skip
    sla = definitions.sla_metric
    worse = [label_key(("sales_team",), team) for team in followed_up_worse(teams)]
    frames = []
    cost = dict(zip(rows["driver"], rows["contribution"], strict=True))
    for driver in splittable_drivers(definitions):
        metric = definitions.metric(driver)
        if isinstance(metric, CountMetric) and not cost.get(driver, 0.0) < 0:
            continue  # volume at or above the reference: nothing lost to explain
        stage = metric.to if isinstance(metric, ConversionMetric) else metric.stage  # type: ignore[union-attr]
        value = _value_per_person(figures, comparison, stage=stage, definitions=definitions)
        floor = s.min_share * reference / value if value > 0 else s.min_people
        found = driver_findings(
            people, driver, definitions=definitions, yen_per_person=value, settings=s,
            dimensions=searched, floor=floor,
            named=worse if sla is not None and getattr(metric, "from_", None) == sla.from_ else (),
        )  # fmt: skip
        frames.append(found)
    out = rank_findings(frames)
    if len(out) and reference:
        out["cost_share"] = -out["yen"].astype(float) / reference
        out["material"] = out["cost_share"] >= s.problem_share
    return out
