"""The anomaly tests: robust seasonal counts, rates, Benjamini-Hochberg and change points."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from reviewkit.analysis.anomaly_settings import INTERMITTENT, MAD_SCALE, AnomalySettings


def _normal_p(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2)) if math.isfinite(z) else 0.0


def count_test(
    history: Sequence[float] | np.ndarray,
    weights: Sequence[float] | np.ndarray,
    value: float,
    weight: float,
) -> tuple[float, float, float, float]:
    """Test a week's count against a robust, seasonally weighted baseline.

    Parameters
    ----------
    history
        The baseline weeks' counts.
    weights
        Their weeks' weights (the expected volume of each week relative to the others).
    value
        The reviewed week's count.
    weight
        The reviewed week's weight.

    Returns
    -------
    tuple of float
        ``(expected, spread, z, p)``.
    """
    h = np.asarray(history, dtype="float64")
    w = np.asarray(weights, dtype="float64")
    ok = w > 0
    if not ok.any() or weight <= 0:
        return math.nan, math.nan, math.nan, 1.0
    level = h[ok] / w[ok]
    centre = float(np.median(level))
    mad = float(np.median(np.abs(level - centre))) * MAD_SCALE
    expected = centre * weight
    spread = math.sqrt(max((mad * weight) ** 2, expected, 1.0))
    z = (value - expected) / spread
    return expected, spread, z, _normal_p(z)


def rate_test(
    x1: float, n1: float, x0: float, n0: float, *, fisher_below: float = 10.0
) -> tuple[float, str]:
    """Two-sided test that a week's rate ``x1/n1`` differs from the baseline ``x0/n0``.

    Uses the pooled two-proportion z-test, or Fisher's exact test when any expected cell of the
    2 x 2 table is below ``fisher_below``.

    Returns
    -------
    tuple
        ``(p, method)`` with method ``z`` or ``fisher``.
    """
    if n1 <= 0 or n0 <= 0:
        return 1.0, "none"
    pooled = (x1 + x0) / (n1 + n0)
    cells = [n1 * pooled, n1 * (1 - pooled), n0 * pooled, n0 * (1 - pooled)]
    if min(cells) < fisher_below:
        from scipy.stats import fisher_exact

        table = [[round(x1), round(n1 - x1)], [round(x0), round(n0 - x0)]]
        return float(fisher_exact(table).pvalue), "fisher"
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    if se == 0:
        return 1.0, "z"
    return _normal_p((x1 / n1 - x0 / n0) / se), "z"


def adjust(pvalues: Sequence[float]) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values) of the week's tests."""
    p = np.asarray(pvalues, dtype="float64")
    if p.size == 0:
        return p
    from scipy.stats import false_discovery_control

    return np.asarray(false_discovery_control(np.clip(p, 0.0, 1.0), method="bh"))


def change_start_rate(
    x: Sequence[float] | np.ndarray, n: Sequence[float] | np.ndarray, *, max_weeks: int
) -> int:
    """How many recent weeks form the shifted run of a rate (a binomial change point).

    Chooses the split that best separates the last ``k`` weeks (1..``max_weeks``) from the
    weeks before them, by the likelihood of two constant rates against one.
    """
    xs, ns = np.asarray(x, dtype="float64"), np.asarray(n, dtype="float64")

    def ll(a: float, b: float) -> float:
        if b <= 0:
            return 0.0
        r = a / b
        return (a * math.log(r) if a > 0 else 0.0) + ((b - a) * math.log(1 - r) if b > a else 0.0)

    best, best_k = -1.0, 1
    for k in range(1, min(max_weeks, len(xs) - 1) + 1):
        gain = (
            ll(xs[-k:].sum(), ns[-k:].sum())
            + ll(xs[:-k].sum(), ns[:-k].sum())
            - ll(xs.sum(), ns.sum())
        )
        if gain > best + 1e-9:
            best, best_k = gain, k
    return best_k


def change_start_count(z: Sequence[float], *, max_weeks: int) -> int:
    """How many recent weeks form the shifted run of a count (the largest CUSUM of z)."""
    zs = np.asarray(z, dtype="float64")
    sign = 1.0 if zs[-1] >= 0 else -1.0
    best, best_k = -math.inf, 1
    for k in range(1, min(max_weeks, len(zs)) + 1):
        score = sign * zs[-k:].sum() / math.sqrt(k)
        if score > best + 1e-9:
            best, best_k = score, k
    return best_k


def count_alert(
    x: np.ndarray, w: np.ndarray, s: AnomalySettings, *, gated: bool = True
) -> dict[str, object] | None:
    """Test a count series' last week against its seasonal normal (``None``: not tested).

    ``x``: the weekly counts, oldest first; ``w``: the weeks' weights. ``gated``: apply the
    new-series, intermittent and minimum-volume gates of ``s``.
    """
    seen = np.nonzero(x[:-1] > 0)[0]
    if gated and (not len(seen) or len(x) - 1 - int(seen[0]) <= s.new_weeks):
        return None  # new (or never seen): its rates are compared with everyone's instead
    if gated and np.mean(x[:-1] == 0) >= INTERMITTENT:
        return None  # mostly silent weeks (events, webinars): no normal week to compare with
    expected, spread, z, p = count_test(x[:-1], w[:-1], x[-1], w[-1])
    if math.isnan(expected) or (gated and max(expected, x[-1]) < s.min_expected):
        return None
    centre = expected / w[-1]  # the normal level per unit of week weight
    zs = (x - centre * w) / np.sqrt(np.maximum((spread / max(w[-1], 1e-9) * w) ** 2, 1.0))
    return {
        "value": x[-1],
        "normal": expected,
        "low": max(0.0, expected - 1.96 * spread),
        "high": expected + 1.96 * spread,
        "n": x[-1],
        "impact": x[-1] - expected,
        "change": x[-1] / expected - 1 if expected > 0 else math.inf,
        "z": z,
        "p": p,
        "method": "robust",
        "baseline": "own",
        "window": 1,
        "weeks_off": change_start_count(zs, max_weeks=s.change_weeks),
    }


def rate_alert(
    x: np.ndarray,
    n: np.ndarray,
    everyone: tuple[float, float] | None,
    s: AnomalySettings,
    *,
    windows: Sequence[int] | None = None,
    gated: bool = True,
    compare_new: bool = True,
    per_person: bool = False,
) -> dict[str, object] | None:
    """Test a rate series' recent windows against its baseline (``None``: not tested).

    ``x``, ``n``: the weekly numerators and denominators, oldest first; ``everyone``: the
    pooled baseline of the dimension, for a new or small segment. The window with the
    stronger evidence is kept.
    """
    weeks = len(n)
    seen = np.nonzero(n[:-1] > 0)[0]
    first = int(seen[0]) if len(seen) else weeks - 1
    is_new = weeks - 1 - first <= s.new_weeks
    best: dict[str, object] | None = None
    for window in windows or sorted({1, s.recent_weeks}):
        x1, n1 = float(x[-window:].sum()), float(n[-window:].sum())
        needed = s.min_n if per_person else s.min_n * window
        if n1 <= 0 or (gated and n1 < needed) or x1 > n1:
            continue  # too few, or more entries into B than into A: cohorts too mixed to test
        x0, n0 = float(np.minimum(x[:-window], n[:-window]).sum()), float(n[:-window].sum())
        baseline = "own"
        if is_new or n0 < s.min_baseline_n:
            if everyone is None or not compare_new:
                continue
            x0, n0 = everyone
            baseline = "everyone"
        if n0 <= 0:
            continue
        p, method = rate_test(x1, n1, x0, n0, fisher_below=s.fisher_below)
        if best is not None and p >= float(best["p"]):  # type: ignore[arg-type]
            continue
        r0, r1 = x0 / n0, x1 / n1
        spread = math.sqrt(max(r0 * (1 - r0), 1e-12) / n1)
        best = {
            "value": r1,
            "normal": r0,
            "low": max(0.0, r0 - 1.96 * spread),
            "high": min(1.0, r0 + 1.96 * spread),
            "n": n1,
            "impact": (r1 - r0) * n1,
            "change": r1 - r0,
            "z": (r1 - r0) / spread,
            "p": p,
            "method": method,
            "baseline": baseline,
            "window": window,
            "weeks_off": (
                change_start_rate(x, n, max_weeks=s.change_weeks)
                if baseline == "own"
                else weeks - first
            ),
        }
    return best
