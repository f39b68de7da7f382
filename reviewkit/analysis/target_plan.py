"""Next quarter's funnel targets, back-solved from its KGI target at recent rates.

The KPI tree multiplies out to the KGI: ``leads x lead_to_mql x ... x opportunity_to_won x
deal size``. On the *period basis* (entered B in a month / entered A in the same month; deal
size = the KGI / the last stage's count) the product telescopes to the KGI exactly, so walking
the tree backwards from a KGI target gives the stage counts that multiply out to it:
``won = revenue / deal size``, ``opportunity = won / opportunity_to_won``, and so on up to the
first stage.

Three variants assume different rates, all taken from the last 12 months up to the reviewed
quarter: *expected* the pooled rates (sum of numerators / sum of denominators over the window),
*conservative* each driver's 25th percentile month, *optimistic* its 75th percentile month (a
driver with fewer than :data:`MIN_MONTHS` months of data uses the pooled rate in all three).

The plan is written as a draft targets file for approval, never over ``params/targets.yml``.
This module is the analysis and the draft file; :mod:`reviewkit.present.sections.target_plan`
tabulates the plan and the rates and says in one sentence what the funnel needs.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from reviewkit.analysis.scorecard import TargetSource
from reviewkit.core.atomic import write_text_atomic
from reviewkit.core.periods import (
    FiscalCalendar,
    Period,
    months_ending,
    period_containing,
    same_period_last_year,
)
from reviewkit.errors import DataError, ParameterError
from reviewkit.i18n.formatting import format_pct, format_period, format_value
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import Definitions, TreeStep
from reviewkit.semantic.funnel import Funnel

VARIANTS = ("conservative", "expected", "optimistic")
POOLED = "pooled"  # the ``month`` of the pooled rows of :func:`recent_rates`
TOTAL = "total"  # the ``month`` of the quarter-total rows
MIN_MONTHS = 6  # fewer valid months than this: pooled rates for every variant
QUANTILES = {"conservative": 0.25, "optimistic": 0.75}
RATE_COLUMNS = ["month", "driver", "kind", "numerator", "denominator", "value"]
VARIANT_COLUMNS = ["driver", "kind", *VARIANTS, "valid_months", "pooled_only", "no_data_months"]
PLAN_COLUMNS = ["variant", "month", "metric", "value", "rounded"]
COMPARISON_COLUMNS = ["month", "metric", "target", *VARIANTS, *(f"diff_{v}" for v in VARIANTS)]
DRAFT_PREFIX = "targets-draft-"
_LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")
_CEIL_SLACK = 1e-12  # relative: 20.000000000000004 people are 20, not 21


# --- the tree --------------------------------------------------------------------------------


def plan_metrics(definitions: Definitions) -> list[str]:
    """The plan's metrics in funnel order: the tree's stages, then the KGI (once)."""
    head, steps = definitions.tree_steps()
    return list(dict.fromkeys([head, *(s.numerator for s in steps)]))


def quarter_months(period: Period, *, calendar: FiscalCalendar) -> list[Period]:
    """The calendar months of a period (a quarter: its three months), oldest first."""
    months, day = [], period.start
    while day < period.end:
        month = period_containing("monthly", day, calendar=calendar)
        months.append(month)
        day = month.end
    return months


# --- recent rates ----------------------------------------------------------------------------


def recent_rates(
    funnel: Funnel, period: Period, *, calendar: FiscalCalendar, months: int = 12
) -> pd.DataFrame:
    """Each tree driver's period-basis value per month, and pooled over the window.

    Parameters
    ----------
    funnel
        The semantic layer bound to the store.
    period
        The reviewed period (a quarter): the window ends with its last month.
    calendar
        The fiscal calendar.
    months
        Length of the window in months.

    Returns
    -------
    pandas.DataFrame
        :data:`RATE_COLUMNS`, one row per month (``YYYY-MM``, oldest first) x rate or size
        driver (tree order; the first stage's volume is not a rate and is left out), then one
        ``month == "pooled"`` row per driver. A rate is the later stage's entries in the month
        over the earlier stage's (``numerator`` / ``denominator``); deal size is the KGI over
        the last stage's count. ``value`` is NaN when the denominator is 0; pooled values are
        the sums of numerators over the sums of denominators.
    """
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise ParameterError(f"months: {months!r} is not a number of months; use 1 or more (12)")
    _, steps = funnel.definitions.tree_steps()
    window = months_ending(period, months, calendar=calendar)
    labels = [p.label for p in window]
    keys = list(dict.fromkeys(k for s in steps for k in (s.numerator, s.denominator)))
    frame = funnel.metric_frame(keys, window)
    counts = frame.pivot(index="period", columns="metric", values="value").reindex(labels)
    parts = []
    for step in steps:
        num = counts[step.numerator].fillna(0.0).to_numpy(dtype="float64")
        den = counts[step.denominator].fillna(0.0).to_numpy(dtype="float64")
        total_num, total_den = float(num.sum()), float(den.sum())
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
        parts.append(
            pd.DataFrame(
                {
                    "month": [*labels, POOLED],
                    "driver": step.driver,
                    "kind": step.kind,
                    "numerator": [*num, total_num],
                    "denominator": [*den, total_den],
                    "value": [*value, total_num / total_den if total_den else math.nan],
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    out["_pooled"] = out["month"] == POOLED
    out = out.sort_values("_pooled", kind="stable").drop(columns="_pooled")
    return out[RATE_COLUMNS].reset_index(drop=True)


def plan_variants(rates: pd.DataFrame, *, min_months: int = MIN_MONTHS) -> pd.DataFrame:
    """The value each variant assumes for each driver.

    ``expected`` is the pooled value; ``conservative`` the 25th and ``optimistic`` the 75th
    percentile of the monthly values (linear interpolation between months; a lower rate or
    deal size needs more people, hence "conservative"). A driver with fewer than
    ``min_months`` months with a value uses the pooled value for all three
    (``pooled_only``).

    Parameters
    ----------
    rates
        :func:`recent_rates`.
    min_months
        The fewest months with a value for percentiles to be used.

    Returns
    -------
    pandas.DataFrame
        :data:`VARIANT_COLUMNS`, one row per driver in tree order: the three values,
        ``valid_months`` (months with a value), ``pooled_only`` and ``no_data_months`` (the
        ``YYYY-MM`` months without a value, as a tuple).
    """
    monthly = rates[rates["month"] != POOLED]
    pooled = rates[rates["month"] == POOLED].set_index("driver")
    rows = []
    for driver, group in monthly.groupby("driver", sort=False):
        values = group["value"].dropna()
        expected = float(pooled.loc[driver, "value"])
        few = len(values) < min_months
        row = {
            "driver": driver,
            "kind": str(group["kind"].iloc[0]),
            "expected": expected,
            "valid_months": len(values),
            "pooled_only": few,
            "no_data_months": tuple(group.loc[group["value"].isna(), "month"]),
        }
        for name, q in QUANTILES.items():
            row[name] = expected if few else float(values.quantile(q))
        rows.append(row)
    return pd.DataFrame(rows, columns=VARIANT_COLUMNS)


# --- the KGI target --------------------------------------------------------------------------


@dataclass(frozen=True)
class KgiTarget:
    """Next quarter's KGI target, per month.

    Attributes
    ----------
    period
        The quarter.
    metric
        The KGI's metric key (``revenue``).
    by_month
        ``YYYY-MM`` -> the month's KGI target, or ``None`` when there is none.
    source
        ``targets_file`` (the targets' monthly KGI), ``parameter`` (``next_kgi_target``) or
        ``none``.
    split
        How the quarter's total is spread over its months: ``targets_file`` (the file's
        months, or their shares of an override), ``last_year`` (the same months' actual
        shares a year earlier), ``equal``, or ``none``.
    missing_months
        Months of the quarter without a KGI target in the targets (``YYYY-MM``).
    """

    period: Period
    metric: str
    by_month: dict[str, float] | None
    source: Literal["targets_file", "parameter", "none"]
    split: Literal["targets_file", "last_year", "equal", "none"]
    missing_months: tuple[str, ...] = ()

    @property
    def total(self) -> float | None:
        """The quarter's KGI target (``None`` when there is none)."""
        return None if self.by_month is None else math.fsum(self.by_month.values())

    def message(self, lang: str, *, kgi: str = "KGI") -> str | None:
        """Why there is no plan and how to give a target (``None`` when there is a target).

        ``kgi`` is the KGI's name in ``lang`` (``definitions.kgi.label(lang)``).
        """
        if self.by_month is not None:
            return None
        return t(
            "plan.no_target", lang, kgi=kgi, period=format_period(self.period, lang=lang),
            months=", ".join(self.missing_months),
        )  # fmt: skip

    def describe(self, *, definitions: Definitions, lang: str, currency: str) -> str | None:
        """Where the target comes from and how it is split, in one sentence (in ``currency``)."""
        if self.by_month is None:
            return None
        return t(
            f"plan.source.{self.source}",
            lang,
            kgi=definitions.kgi.label(lang),
            total=format_value(self.total, kind=definitions.kgi_kind, lang=lang, currency=currency),
            period=format_period(self.period, lang=lang),
            split=t(f"plan.split.{self.split}", lang),
        )


def _check_override(override: object, *, count: bool = False) -> float | None:
    """The override as a float; ``count``: the KGI is a count, so the target is whole."""
    if override is None:
        return None
    example = "180" if count else "531_000_000"
    fix = (
        f"write the quarter's KGI target as a plain number (e.g. {example}), or leave it "
        "None to use params/targets.yml"
    )
    if isinstance(override, bool) or not isinstance(override, int | float):
        raise ParameterError(f"next_kgi_target: {override!r} is not a number; {fix}")
    if not math.isfinite(override) or override <= 0:
        raise ParameterError(f"next_kgi_target: {override!r} is not a positive number; {fix}")
    if count and not float(override).is_integer():
        raise ParameterError(
            f"next_kgi_target: {override!r} is not a whole number, but the KGI is a count; "
            f"write the quarter's target as a whole number (e.g. {example})"
        )
    return float(override)


def check_next_kgi_target(definitions: Definitions, value: object) -> float | None:
    """The parameter ``next_kgi_target`` checked: ``None`` when not given (``0`` or empty).

    Raises
    ------
    ParameterError
        One line: not a positive number, or not a whole number for a count KGI.
    """
    if value is None or value == "" or (isinstance(value, int | float) and value == 0):
        return None
    return _check_override(value, count=not definitions.kgi_is_revenue)


def whole_split(total: float, shares: Mapping[str, float]) -> dict[str, float]:
    """Split a whole ``total`` over ``shares`` in whole numbers that add up to it.

    The largest-remainder rule: each part is the floor of its exact share, and the units left
    go to the largest remainders (the earlier part on a tie).
    """
    whole = math.fsum(shares.values())
    exact = {k: total * v / whole for k, v in shares.items()}
    parts = {k: float(math.floor(v + 1e-9)) for k, v in exact.items()}
    left = round(total - math.fsum(parts.values()))
    order = sorted(exact, key=lambda k: -(exact[k] - parts[k]))
    for key in order[:left]:
        parts[key] += 1
    return parts


def next_quarter_target(
    targets: TargetSource | None,
    funnel: Funnel,
    next_period: Period,
    *,
    calendar: FiscalCalendar,
    override: float | None = None,
) -> KgiTarget:
    """The KGI target of each month of ``next_period``.

    Parameters
    ----------
    targets
        The targets (``params/targets.yml``); ``None`` when there are none.
    funnel
        For the KGI's key and, to split an override without monthly targets, last year's
        actual KGI of the same months.
    next_period
        The quarter to plan.
    calendar
        The fiscal calendar.
    override
        The template parameter ``next_kgi_target``: the quarter's total, split over its months
        by the targets' monthly KGI if every month has one, else by the same months' actual
        shares a year earlier, else equally. A count KGI's target is a whole number, split in
        whole numbers (:func:`whole_split`).

    Returns
    -------
    KgiTarget
        ``by_month is None`` (with :meth:`KgiTarget.message`) when there is neither an
        override nor a KGI target for every month.

    Raises
    ------
    ParameterError
        If ``override`` is not a positive number (a whole number for a count KGI).
    """
    count = not funnel.definitions.kgi_is_revenue
    total = _check_override(override, count=count)
    kgi = funnel.definitions.kgi_metric
    months = quarter_months(next_period, calendar=calendar)
    planned = {
        m.label: (None if targets is None else targets.for_period(kgi, m.start, m.end))
        for m in months
    }
    missing = tuple(k for k, v in planned.items() if v is None)
    in_file = {k: float(v) for k, v in planned.items() if v is not None}
    if total is None:
        if missing:
            return KgiTarget(next_period, kgi, None, "none", "none", missing)
        return KgiTarget(next_period, kgi, in_file, "targets_file", "targets_file")
    shares: dict[str, float] = {}
    split: Literal["targets_file", "last_year", "equal"] = "equal"
    if not missing and sum(in_file.values()) > 0:
        shares, split = in_file, "targets_file"
    else:
        before = [same_period_last_year(m, calendar=calendar) for m in months]
        actual = funnel.metric_frame([kgi], before).set_index("period")["value"]
        last_year = {
            m.label: float(actual.get(b.label, 0.0)) for m, b in zip(months, before, strict=True)
        }
        if sum(last_year.values()) > 0:
            shares, split = last_year, "last_year"
    if split == "equal":
        shares = {m.label: 1.0 for m in months}
    if count:  # a count KGI is planned in whole deals (or people) per month
        by_month = whole_split(total, shares)
    else:
        whole = math.fsum(shares.values())
        by_month = {k: total * v / whole for k, v in shares.items()}
    return KgiTarget(next_period, kgi, by_month, "parameter", split, missing)


# --- back-solving ----------------------------------------------------------------------------


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


# --- compared with the current targets -------------------------------------------------------


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


# --- the draft targets file ------------------------------------------------------------------


def _number(value: float) -> str:
    number = round(value)
    return f"{number:_}" if number >= 100_000 else str(number)


def _rate_lines(variants: pd.DataFrame, variant: str, *, lang: str) -> list[str]:
    lines = []
    for row in variants.itertuples(index=False):
        value = float(getattr(row, variant))
        shown = format_pct(value, lang=lang) if row.kind == "rate" else _number(value)
        lines.append(f"#   {row.driver}: {shown}")
    return lines


def draft_targets_yaml(
    plan: pd.DataFrame,
    *,
    variant: str = "expected",
    months: Sequence[Period],
    period_label: str,
    generated_from: str,
    rates: pd.DataFrame,
    lang: str = "en",
    proration: Literal["linear", "seasonal"] = "linear",
    segment: tuple[str, str] | None = None,
) -> str:
    """A draft ``targets.yml`` for next quarter's months, for approval.

    Parameters
    ----------
    plan
        :func:`back_solve`.
    variant
        Which variant's counts to write.
    months
        The quarter's months.
    period_label
        The quarter's label (``FY2026-Q3``).
    generated_from
        The review that proposed it, with its date (``quarterly review FY2026-Q2, as of
        2026-11-23``).
    rates
        :func:`plan_variants`: the rates written in the header.
    lang
        The language of the header comments.
    proration
        The ``proration:`` line (copy the current file's).
    segment
        ``(column, value)`` for a segment pack's plan: the months go under ``segments:``
        instead of ``company:``.

    Returns
    -------
    str
        ``proration:`` and ``company:`` with one flow map per month, values aligned in columns
        as in ``params/targets.yml``: stage counts rounded up to whole people, the KGI to the
        whole currency unit. :func:`reviewkit.model.targets.load_targets` reads it.
    """
    if variant not in VARIANTS:
        raise ParameterError(f"variant: {variant!r} is not a variant; use one of {VARIANTS}")
    name = t(f"plan.variant.{variant}", lang)
    count = not (rates["kind"] == "size").any()  # a count KGI: no deal size, no currency
    suffix = "_count" if count else ""
    chosen = plan[plan["variant"] == variant]
    table = chosen.pivot_table(index="month", columns="metric", values="rounded", aggfunc="first")
    metrics = [m for m in dict.fromkeys(chosen["metric"]) if m in table.columns]
    labels = [m.label for m in months]
    missing = [label for label in labels if label not in table.index]
    if missing:
        raise ParameterError(
            f"months: {missing[0]} is not in the plan (its months are {list(table.index)}); "
            "pass the months the plan was back-solved for"
        )
    texts = {m: {label: _number(float(table.loc[label, m])) for label in labels} for m in metrics}
    width = {m: max(len(x) for x in texts[m].values()) for m in metrics}
    lines = [
        f"# {t('plan.draft.title', lang, period=period_label, variant=name.lower())}",
        f"# {t('plan.draft.generated', lang, source=generated_from)}",
        f"# {t(f'plan.draft.rates{suffix}', lang)}",
        *_rate_lines(rates, variant, lang=lang),
        f"# {t(f'plan.draft.rounding{suffix}', lang)}",
        f"# {t('plan.draft.approval', lang)}",
        f"# {t('plan.draft.never_read', lang)}",
        "",
        f"proration: {proration}",
        "",
    ]
    indent = "  "
    if segment is None:
        lines.append("company:")
    else:
        column, value = segment
        lines += ["segments:", f"  {column}:", f"    {json.dumps(value, ensure_ascii=False)}:"]
        indent = "      "
    lines.append(f"{indent}# {period_label}: {labels[0]} .. {labels[-1]}")
    for label in labels:
        cells = ", ".join(f"{m}: {texts[m][label]:>{width[m]}}" for m in metrics)
        lines.append(f"{indent}{label}: {{{cells}}}")
    return "\n".join(lines) + "\n"


def _inside_params(directory: Path, params_dir: Path | None) -> Path | None:
    """The params folder ``directory`` is in (or is), if any."""
    here = directory.resolve()
    if params_dir is not None:
        params = params_dir.resolve()
        if here == params or params in here.parents:
            return params
    for folder in (here, *here.parents):
        if folder.name == "params" and any(
            (folder / name).exists() for name in ("targets.yml", "definitions.yml")
        ):
            return folder
    return None


def write_draft(
    text: str, directory: Path, *, period_label: str, params_dir: Path | None = None
) -> Path:
    """Write a draft targets file as ``targets-draft-<period_label>.yml`` (atomically).

    Parameters
    ----------
    text
        :func:`draft_targets_yaml`.
    directory
        Where to write it: next to the pack, never under ``params/``.
    period_label
        The planned quarter's label (``FY2026-Q3``).
    params_dir
        The workspace's ``params`` folder, refused besides any ``params`` folder holding a
        ``targets.yml`` or ``definitions.yml``.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ParameterError
        If ``directory`` is (inside) a params folder, or the label is not a period label.
    """
    if not _LABEL.match(period_label):
        raise ParameterError(
            f"period_label: {period_label!r} is not a period label; use e.g. FY2026-Q3"
        )
    directory = Path(directory)
    params = _inside_params(directory, params_dir)
    if params is not None:
        raise ParameterError(
            f"directory: {directory} is inside {params}; a draft is never written there (nor "
            f"over {params / 'targets.yml'}): write it next to the pack and copy the months "
            "you approve into params/targets.yml in a reviewed commit"
        )
    path = directory / f"{DRAFT_PREFIX}{period_label}.yml"
    write_text_atomic(path, text)
    return path
