"""Exact, order-independent splits of a change.

A KGI gap splits across its KPI-tree drivers (Shapley); a rate's change splits across segments
into mix and rate effects (midpoint form).

Both are pure functions of numbers: the figures in, the parts out, and the parts always add up
to the whole change (up to floating-point rounding). See ``../shared/reference/kpi-methods.md``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from reviewkit.model.definitions import ConversionMetric, CountMetric, Definitions

MIX_COLUMNS = [
    "segment", "before_denominator", "before_numerator", "denominator", "numerator",
    "weight_before", "weight", "rate_before", "rate", "mix", "rate_effect", "total",
]  # fmt: skip


def shapley(
    before: Mapping[str, float],
    after: Mapping[str, float],
    *,
    combine: Callable[[Sequence[float]], float] = math.prod,
) -> dict[str, float]:
    """Split ``combine(after) - combine(before)`` across the drivers, Shapley-fair.

    Each driver's part is its average marginal effect over every order in which the drivers
    could move from their ``before`` to their ``after`` values, so the split does not depend on
    any order and the parts add up to the change exactly. Zeros need no special care.

    Parameters
    ----------
    before, after
        Driver values, with the same keys (in tree order).
    combine
        How drivers make the KGI (default: their product).

    Returns
    -------
    dict
        Driver -> its part of the change.

    Examples
    --------
    >>> parts = shapley({"volume": 100, "rate": 0.5}, {"volume": 120, "rate": 0.4})
    >>> round(sum(parts.values()), 9) == 120 * 0.4 - 100 * 0.5
    True
    """
    keys = list(before)
    if set(keys) != set(after):
        raise ValueError(f"before and after name different drivers: {keys} vs {list(after)}")
    n = len(keys)
    if n == 0:
        return {}
    size = 1 << n
    value = [0.0] * size  # value[mask]: the KGI with the drivers in mask at their after-values
    for mask in range(size):
        value[mask] = float(
            combine([after[k] if mask >> i & 1 else before[k] for i, k in enumerate(keys)])
        )
    weight = [math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n) for s in range(n)]
    parts: dict[str, float] = {}
    for i, key in enumerate(keys):
        bit = 1 << i
        terms = [
            weight[mask.bit_count()] * (value[mask | bit] - value[mask])
            for mask in range(size)
            if not mask & bit
        ]
        parts[key] = math.fsum(terms)
    return parts


def mix_rate(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Split a rate's change across segments into mix and rate effects (midpoint form).

    With ``R = sum_i w_i r_i`` (``w_i`` the segment's share of the denominator, ``r_i`` its rate):
    ``rate_i = (r_i1 - r_i0) (w_i0 + w_i1) / 2`` and
    ``mix_i = (w_i1 - w_i0) ((r_i0 + r_i1) / 2 - (R_0 + R_1) / 2)``; the sum over segments of
    ``mix_i + rate_i`` is ``R_1 - R_0`` exactly. The mix effect is measured against the average
    rate (the weights' changes sum to zero, so this moves nothing in the total): a segment that
    swells with a below-average rate carries the dilution it causes, instead of spreading it over
    every segment that shrank. A segment new in ``after`` takes its new rate as its old one (its
    whole effect is mix), and a segment gone keeps its old rate. With no denominator before,
    the plain midpoint form applies (there is no average to measure against).

    Parameters
    ----------
    before, after
        One row per segment: ``segment``, ``numerator`` and ``denominator`` (counts).

    Returns
    -------
    pandas.DataFrame
        One row per segment with a denominator on either side (:data:`MIX_COLUMNS`), largest
        loss (most negative ``total``) first. Weights and rates are fractions; effects are in
        rate units (0.01 = one point).
    """
    a = before.set_index("segment")[["numerator", "denominator"]].astype("float64")
    b = after.set_index("segment")[["numerator", "denominator"]].astype("float64")
    joined = a.add_suffix("_before").join(b, how="outer").fillna(0.0)
    return mix_arrays(
        joined.index.to_numpy(dtype=object),
        joined["numerator_before"].to_numpy(dtype="float64"),
        joined["denominator_before"].to_numpy(dtype="float64"),
        joined["numerator"].to_numpy(dtype="float64"),
        joined["denominator"].to_numpy(dtype="float64"),
    )


def mix_arrays(
    segments: np.ndarray, n0: np.ndarray, d0: np.ndarray, n1: np.ndarray, d1: np.ndarray
) -> pd.DataFrame:
    """:func:`mix_rate` of aligned arrays: each segment's numerator and denominator, both sides.

    Segments with no denominator on either side are left out; the rest are returned largest
    loss first (a stable sort, so ties keep the order given).
    """
    keep = (d0 > 0) | (d1 > 0)
    segments, n0, d0, n1, d1 = segments[keep], n0[keep], d0[keep], n1[keep], d1[keep]
    total_before, total_after = float(d0.sum()), float(d1.sum())
    centre = 0.0
    if total_before and total_after:
        centre = (n0.sum() / total_before + n1.sum() / total_after) / 2
    w0 = d0 / total_before if total_before else np.zeros(len(d0))
    w1 = d1 / total_after if total_after else np.zeros(len(d1))
    with np.errstate(divide="ignore", invalid="ignore"):  # a side without people: the other's
        r0 = np.where(d0 > 0, n0 / np.where(d0 > 0, d0, 1.0), np.nan)
        r1 = np.where(d1 > 0, n1 / np.where(d1 > 0, d1, 1.0), np.nan)
    r0, r1 = np.where(np.isnan(r0), r1, r0), np.where(np.isnan(r1), r0, r1)
    mix = (w1 - w0) * ((r0 + r1) / 2 - centre)
    rate = (r1 - r0) * (w0 + w1) / 2
    order = np.argsort(mix + rate, kind="stable")
    columns = {
        "segment": np.asarray(segments, dtype=object), "before_denominator": d0,
        "before_numerator": n0, "denominator": d1, "numerator": n1, "weight_before": w0,
        "weight": w1, "rate_before": r0, "rate": r1, "mix": mix, "rate_effect": rate,
        "total": mix + rate,
    }  # fmt: skip
    return pd.DataFrame({k: v[order] for k, v in columns.items()}, columns=MIX_COLUMNS)


def overall_rate(frame: pd.DataFrame, *, before: bool = False) -> float:
    """The whole population's rate of a :func:`mix_rate` input or output frame (NaN if none)."""
    num = frame["before_numerator" if before else "numerator"].sum()
    den = frame["before_denominator" if before else "denominator"].sum()
    return float(num / den) if den else math.nan


TREE_COLUMNS = ["driver", "kind", "before", "after", "contribution", "share"]


def tree_values(figures: Mapping[str, float], *, definitions: Definitions) -> dict[str, float]:
    """The KPI tree's driver values from stage counts and the KGI, on the period basis.

    Volume is the first stage's count, each rate is the next stage's count over this one's,
    and deal size is the KGI over the last stage's count, so the drivers multiply out to the
    KGI exactly. A driver without a denominator (a zero count) is NaN.

    Parameters
    ----------
    figures
        Stage key -> count, and the KGI key (``revenue``) -> its value.
    definitions
        The tree (``kgi.tree``) and its metrics.
    """
    out: dict[str, float] = {}
    last = definitions.stages[-1].key
    for key in definitions.tree:
        metric = definitions.metric(key)
        if isinstance(metric, CountMetric):
            out[key] = float(figures[metric.stage])
        elif isinstance(metric, ConversionMetric):
            out[key] = _ratio(figures[metric.to], figures[metric.from_])
        else:  # average deal size: the KGI per unit of the last stage
            out[key] = _ratio(figures[definitions.kgi_metric], figures[last])
    return out


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator) / float(denominator) if denominator else math.nan


def tree_attribution(
    before: Mapping[str, float], after: Mapping[str, float], *, definitions: Definitions
) -> pd.DataFrame:
    """Split a KGI change (``after - before``) across the KPI tree's drivers (Shapley).

    Parameters
    ----------
    before, after
        Stage counts and the KGI (see :func:`tree_values`): a target, an earlier period, or
        the period under review.
    definitions
        The tree.

    Returns
    -------
    pandas.DataFrame
        One row per driver in tree order (:data:`TREE_COLUMNS`: ``kind`` is ``volume``,
        ``rate`` or ``size``; ``contribution`` in KGI units; ``share`` of the change), then a
        ``residual`` row: the part the tree cannot carry (zero unless a stage count is zero
        while a later one is not, which a product of rates cannot express).
    """
    x0 = tree_values(before, definitions=definitions)
    x1 = tree_values(after, definitions=definitions)
    # A driver undefined on one side takes the other side's value: it moved nothing.
    for key in x0:
        if math.isnan(x0[key]) and math.isnan(x1[key]):
            x0[key] = x1[key] = 0.0
        elif math.isnan(x0[key]):
            x0[key] = x1[key]
        elif math.isnan(x1[key]):
            x1[key] = x0[key]
    parts = shapley(x0, x1)
    kgi = definitions.kgi_metric
    change = float(after[kgi]) - float(before[kgi])
    kinds = {
        key: (
            "volume"
            if isinstance(definitions.metric(key), CountMetric)
            else "rate"
            if isinstance(definitions.metric(key), ConversionMetric)
            else "size"
        )
        for key in x0
    }
    rows = [
        {"driver": key, "kind": kinds[key], "before": x0[key], "after": x1[key],
         "contribution": parts[key]}
        for key in x0
    ]  # fmt: skip
    residual = change - math.fsum(parts.values())
    rows.append(
        {"driver": "residual", "kind": "residual", "before": math.nan, "after": math.nan,
         "contribution": residual}
    )  # fmt: skip
    out = pd.DataFrame(rows)
    out["share"] = out["contribution"] / change if change else math.nan
    return out[TREE_COLUMNS]
