"""The funnel plan back-solved from a KGI target, checked forward and against current targets."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from reviewkit.analysis.scorecard import TargetSource
from reviewkit.analysis.target_plan import (
    COMPARISON_COLUMNS,
    PLAN_COLUMNS,
    TOTAL,
    VARIANTS,
    plan_metrics,
)
from reviewkit.core.periods import (
    Period,
)
from reviewkit.errors import DataError, ParameterError
from reviewkit.model.definitions import Definitions, TreeStep

_CEIL_SLACK = 1e-12  # relative: 20.000000000000004 people are 20, not 21


def _ceil(values: pd.Series) -> pd.Series:
    return np.ceil(values - _CEIL_SLACK * values.abs())


@dataclass(frozen=True)
class BlockedDriver:
    """A driver the tree cannot be back-solved through: no positive value in some variant.

    ``numerator`` and ``denominator`` are the metrics it divides (a stage, or the KGI);
    ``no_data_months`` the months without a value (empty when it was 0 in them all).
    """

    driver: str
    variant: str
    value: float
    numerator: str
    denominator: str
    no_data_months: tuple[str, ...]


def blocked_drivers(variants: pd.DataFrame, *, definitions: Definitions) -> list[BlockedDriver]:
    """The tree's drivers :func:`back_solve` cannot go through, in tree order.

    Parameters
    ----------
    variants
        :func:`plan_variants`.
    definitions
        The agreed funnel.

    Returns
    -------
    list of BlockedDriver
        Empty when every driver is positive and finite in every variant. A pack says why
        there is no plan in one line instead of back-solving (``missing.plan_driver``).
    """
    _, steps = definitions.tree_steps()
    table = variants.set_index("driver")
    found = []
    for step in steps:
        if step.driver not in table.index:
            raise ParameterError(
                f"variants: driver {step.driver!r} is missing (got {list(table.index)}); pass "
                "plan_variants(recent_rates(...)) for the same definitions"
            )
        row = table.loc[step.driver]
        for variant in VARIANTS:
            value = float(row[variant])
            if math.isfinite(value) and value > 0:
                continue
            gaps = tuple(row["no_data_months"]) if "no_data_months" in table.columns else ()
            found.append(
                BlockedDriver(step.driver, variant, value, step.numerator, step.denominator,
                              tuple(str(g) for g in gaps))
            )  # fmt: skip
            break
    return found


def _driver_values(
    variants: pd.DataFrame, steps: Sequence[TreeStep], *, definitions: Definitions
) -> pd.DataFrame:
    table = variants.set_index("driver")
    for blocked in blocked_drivers(variants, definitions=definitions)[:1]:
        gaps = blocked.no_data_months
        where = f"no data in {', '.join(gaps)}" if gaps else "it was 0 in the months used"
        raise DataError(
            f"plan: driver {blocked.driver!r} is {blocked.value!r} in the {blocked.variant} "
            f"variant ({where}; {blocked.numerator} / {blocked.denominator} per month), so the "
            f"funnel cannot be back-solved through it; check that the store has "
            f"{blocked.numerator} and {blocked.denominator} entries for those months "
            "(reviewkit validate), or widen the window (months=24)"
        )
    return table.loc[[s.driver for s in steps], list(VARIANTS)].astype("float64")


def back_solve(
    kgi_by_month: Mapping[str, float], variants: pd.DataFrame, *, definitions: Definitions
) -> pd.DataFrame:
    """The stage counts each variant needs per month to reach the KGI target.

    Walks the tree backwards: the last stage's count is the KGI over deal size, each earlier
    stage is the next one over the rate between them.

    Parameters
    ----------
    kgi_by_month
        ``YYYY-MM`` -> the month's KGI target (:attr:`KgiTarget.by_month`).
    variants
        :func:`plan_variants` (a ``driver`` column and one per variant).
    definitions
        The tree.

    Returns
    -------
    pandas.DataFrame
        :data:`PLAN_COLUMNS`: per variant, month and metric (the tree's stages, then the KGI)
        the exact ``value`` and the ``rounded`` one (counts rounded up to whole people, the
        KGI unchanged). Quarter totals: :func:`plan_totals`.

    Raises
    ------
    DataError
        If a driver is 0 or has no value in a variant (naming the driver and its empty months).
    """
    head, steps = definitions.tree_steps()
    kgi = definitions.kgi_metric
    values = _driver_values(variants, steps, definitions=definitions)
    target = pd.Series({k: float(v) for k, v in kgi_by_month.items()}, dtype="float64")
    bad = target[~(np.isfinite(target) & (target >= 0))]
    if len(bad):
        raise ParameterError(
            f"kgi_by_month: {bad.index[0]} is {bad.iloc[0]!r}; a KGI target is a number, 0 or more"
        )
    metrics = plan_metrics(definitions)
    parts = []
    for variant in VARIANTS:
        counts = {kgi: target}
        for step in reversed(steps):
            counts[step.denominator] = counts[step.numerator] / values.loc[step.driver, variant]
        if head not in counts:  # a tree of one stage (the KGI is its count)
            counts[head] = target
        for metric in metrics:
            exact = counts[metric]
            parts.append(
                pd.DataFrame(
                    {
                        "variant": variant,
                        "month": exact.index,
                        "metric": metric,
                        "value": exact.to_numpy(),
                        "rounded": (exact if metric == kgi else _ceil(exact)).to_numpy(),
                    }
                )
            )
    out = pd.concat(parts, ignore_index=True)
    order = out.assign(
        _v=out["variant"].map({v: i for i, v in enumerate(VARIANTS)}),
        _m=out["month"].map({m: i for i, m in enumerate(target.index)}),
    ).sort_values(["_v", "_m"], kind="stable")
    return order[PLAN_COLUMNS].reset_index(drop=True)


def plan_totals(plan: pd.DataFrame) -> pd.DataFrame:
    """The quarter's totals of a :func:`back_solve` plan (``month == "total"``), same columns."""
    sums = plan.groupby(["variant", "metric"], sort=False)[["value", "rounded"]].sum()
    return sums.reset_index().assign(month=TOTAL)[PLAN_COLUMNS]


def forward_kgi(
    plan: pd.DataFrame,
    variants: pd.DataFrame,
    *,
    definitions: Definitions,
    column: Literal["value", "rounded"] = "value",
) -> pd.Series:
    """The KGI each variant's plan multiplies out to: first stage x rates x deal size.

    Parameters
    ----------
    plan
        :func:`back_solve` (or :func:`plan_totals`).
    variants
        The driver values the plan assumed.
    definitions
        The tree.
    column
        ``value`` (exact) or ``rounded`` (the first stage's count rounded up).

    Returns
    -------
    pandas.Series
        Indexed by ``(variant, month)``, named after the KGI.
    """
    head, steps = definitions.tree_steps()
    values = _driver_values(variants, steps, definitions=definitions)
    first = plan[plan["metric"] == head].set_index(["variant", "month"])[column]
    product = values.prod(axis=0)
    variant = first.index.get_level_values("variant")
    out = first * product.reindex(variant).to_numpy()
    return out.rename(definitions.kgi_metric)


def compare_with_targets(
    plan: pd.DataFrame,
    targets: TargetSource | None,
    *,
    months: Sequence[Period],
    definitions: Definitions,
) -> pd.DataFrame:
    """Each month's and the quarter's plan next to the current targets.

    Parameters
    ----------
    plan
        :func:`back_solve`.
    targets
        The current targets (``None``: none).
    months
        The quarter's months (:func:`quarter_months`).
    definitions
        For the plan's metrics.

    Returns
    -------
    pandas.DataFrame
        :data:`COMPARISON_COLUMNS`: per month (``YYYY-MM``, then ``total``) and metric, the
        current ``target`` (NaN when none), each variant's rounded value (whole people; the
        KGI as planned) and ``diff_<variant>`` = value / target - 1 (NaN without a target).
    """
    metrics = plan_metrics(definitions)
    wide = plan.pivot_table(
        index=["month", "metric"], columns="variant", values="rounded", aggfunc="first"
    )
    rows = []
    for m in months:
        for metric in metrics:
            target = None if targets is None else targets.for_period(metric, m.start, m.end)
            row: dict[str, object] = {"month": m.label, "metric": metric}
            row["target"] = math.nan if target is None else float(target)
            for v in VARIANTS:
                row[v] = float(wide.loc[(m.label, metric), v])
            rows.append(row)
    out = pd.DataFrame(rows, columns=["month", "metric", "target", *VARIANTS])
    grouped = out.groupby("metric", sort=False)
    totals = grouped[list(VARIANTS)].sum()
    totals["target"] = grouped["target"].agg(lambda s: s.sum() if s.notna().all() else math.nan)
    totals = totals.reset_index().assign(month=TOTAL)
    out = pd.concat([out, totals[out.columns]], ignore_index=True)
    for v in VARIANTS:
        target = out["target"].where(out["target"] > 0)
        out[f"diff_{v}"] = out[v] / target - 1
    return out[COMPARISON_COLUMNS]


def implied_rates(comparison: pd.DataFrame, *, definitions: Definitions) -> dict[str, float]:
    """The drivers the current targets imply over the quarter (target MQL / target lead ...)."""
    _, steps = definitions.tree_steps()
    totals = comparison[comparison["month"] == TOTAL].set_index("metric")["target"]
    out = {}
    for step in steps:
        num, den = totals.get(step.numerator, math.nan), totals.get(step.denominator, math.nan)
        out[step.driver] = float(num) / float(den) if den and not math.isnan(den) else math.nan
    return out
