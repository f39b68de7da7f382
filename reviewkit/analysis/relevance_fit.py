"""The lagged fits of the KPI relevance: detrended log correlations and elasticities per lag."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import special  # not scipy.stats: its import alone takes ~0.5 s


def detrended_fit(
    x: np.ndarray, y: np.ndarray, time: np.ndarray, *, detrend: bool
) -> dict[str, float]:
    """Correlation, p-value, OLS slope (y on x) and its standard error, of detrended points."""
    n = len(x)
    dof = n - (3 if detrend else 2)
    nan = {"r": math.nan, "p": math.nan, "slope": math.nan, "se": math.nan, "dof": dof}
    if dof < 1:
        return nan
    if detrend:
        design = np.column_stack([np.ones(n), time - time.mean()])
        x = x - design @ np.linalg.lstsq(design, x, rcond=None)[0]
        y = y - design @ np.linalg.lstsq(design, y, rcond=None)[0]
    dx, dy = x - x.mean(), y - y.mean()
    sxx, syy, sxy = float(dx @ dx), float(dy @ dy), float(dx @ dy)
    tiny = 1e-12
    if sxx <= tiny * (1 + float(x @ x)) or syy <= tiny * (1 + float(y @ y)):
        return nan
    r = max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))
    slope = sxy / sxx
    se = math.sqrt(max(syy * (1 - r * r), 0.0) / dof / sxx)
    stat = math.inf if abs(r) >= 1 else r * math.sqrt(dof / (1 - r * r))
    p = float(2 * special.stdtr(dof, -abs(stat)))  # = 2 * scipy.stats.t.sf(|stat|, dof)
    return {"r": r, "p": p, "slope": slope, "se": se, "dof": dof}


def positive_logs(values: pd.Series) -> pd.Series:
    """Natural logs of the positive values; the rest dropped."""
    values = values.astype("float64")
    return np.log(values[(values > 0) & np.isfinite(values)])


def lag_fits(
    x_log: pd.Series, y_log: pd.Series, metric: str, lag_rows: list[dict[str, object]], *,
    max_lag: int, min_points: int, detrend: bool,
) -> dict[int, tuple[int, dict[str, float]]]:  # fmt: skip
    """One KPI's fit at each lag with enough pairs; appends every lag's row to ``lag_rows``."""
    fits = {}
    for lag in range(max_lag + 1):
        shifted = x_log.set_axis(x_log.index + lag)
        pairs = pd.concat({"x": shifted, "y": y_log}, axis=1, join="inner").dropna()
        n = len(pairs)
        fit = (
            detrended_fit(pairs["x"].to_numpy(), pairs["y"].to_numpy(),
                 pairs.index.to_numpy(dtype="float64"), detrend=detrend)
            if n >= min_points
            else None
        )  # fmt: skip
        if fit is not None:
            fits[lag] = (n, fit)
        lag_rows.append(
            {"metric": metric, "lag": lag, "n": n,
             "correlation": fit["r"] if fit else math.nan,
             "p_value": fit["p"] if fit else math.nan}
        )  # fmt: skip
    return fits
