"""The week's alerts across many tidy weekly series: volume gates, tests, false discovery rate."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

from reviewkit.analysis.anomaly_settings import (
    ALERT_COLUMNS,
    NOT_COMPARED_WHEN_NEW,
    AnomalySettings,
)
from reviewkit.analysis.anomaly_statistics import adjust, count_alert, rate_alert

KEYS = ["kind", "measure", "dimension", "segment"]


def is_tested(dimension: object, segment: object) -> bool:
    """Whether a series is tested: the whole funnel, or a known value of a dimension.

    The people with no value in a column (no campaign, no team) are not a segment anyone can
    act on; their move shows in the whole funnel. They still count in everyone's baseline.
    """
    return dimension is None or pd.isna(dimension) or not pd.isna(segment)


def number_tested(alerts: pd.DataFrame) -> int | None:
    """How many series of the week passed the volume gates and were tested.

    :func:`detect` records it on its frame (``attrs["tested"]``); the Benjamini-Hochberg
    adjustment runs over these. ``None`` for a frame that does not say.
    """
    found = alerts.attrs.get("tested")
    return None if found is None else int(found)


@dataclass(frozen=True)
class _Matrix:
    keys: list[tuple[object, ...]]
    weeks: list[str]
    starts: dict[str, object]
    x: np.ndarray
    n: np.ndarray
    w: np.ndarray
    everyone: dict[tuple[str, str], tuple[float, float]]


def _matrix(series: pd.DataFrame, s: AnomalySettings) -> _Matrix:
    """Series as arrays: one row per series, one column per week (oldest first)."""
    weeks = pd.unique(series.sort_values("start", kind="stable")["week"]).tolist()
    last = series.drop_duplicates("week", keep="last")
    starts = dict(zip(last["week"], last["start"], strict=True))
    data = series.assign(
        dimension=series["dimension"].astype("object").where(series["dimension"].notna(), None),
        segment=series["segment"].astype("object").where(series["segment"].notna(), None),
    )
    codes = data.groupby(KEYS, dropna=False, sort=False).ngroup().to_numpy()
    first = pd.Series(np.arange(len(data))).groupby(codes).first().to_numpy()
    keys = [tuple(r) for r in data[KEYS].to_numpy()[first]]
    position = pd.Index(weeks).get_indexer(data["week"])
    shape = (len(keys), len(weeks))
    x, n, w = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    np.add.at(x, (codes, position), data["x"].fillna(0.0).to_numpy(dtype="float64"))
    np.add.at(n, (codes, position), data["n"].fillna(0.0).to_numpy(dtype="float64"))
    np.add.at(w, (codes, position), data["weight"].fillna(0.0).to_numpy(dtype="float64"))
    everyone: dict[tuple[str, str], tuple[float, float]] = {}
    base = len(weeks) - s.recent_weeks
    for row, (kind, measure, dimension, _) in enumerate(keys):
        if kind != "rate":
            continue
        got = everyone.get((str(measure), str(dimension)), (0.0, 0.0))
        everyone[(str(measure), str(dimension))] = (
            got[0] + float(np.minimum(x[row, :base], n[row, :base]).sum()),
            got[1] + float(n[row, :base].sum()),
        )
    return _Matrix(keys, weeks, starts, x, n, w, everyone)


def _test_row(
    m: _Matrix, row: int, s: AnomalySettings, **options: object
) -> dict[str, object] | None:
    kind, measure, dimension, _ = m.keys[row]
    if kind == "count":
        return count_alert(m.x[row], m.w[row], s, gated=bool(options.get("gated", True)))
    options.setdefault("per_person", False)
    everyone = m.everyone.get((str(measure), str(dimension)))
    compare_new = dimension not in NOT_COMPARED_WHEN_NEW
    return rate_alert(m.x[row], m.n[row], everyone, s, compare_new=compare_new, **options)  # type: ignore[arg-type]


def detect(
    series: pd.DataFrame,
    *,
    settings: AnomalySettings | None = None,
    per_person: Collection[str] = (),
) -> pd.DataFrame:
    """Find the alerts of the last week in many weekly series.

    Parameters
    ----------
    series
        Tidy weekly data with :data:`SERIES_COLUMNS`: ``kind`` (``count`` or ``rate``),
        ``measure`` (e.g. ``mql`` or ``mql_to_sql``), ``dimension`` (``None`` for the whole
        funnel), ``segment`` (the dimension's value), ``week`` (label), ``start`` (date), ``x``
        (the count, or the rate's numerator), ``n`` (the rate's denominator) and ``weight``
        (the week's expected volume, for counts). Weeks missing from a series count as 0;
        the latest week is the reviewed one.
    settings
        Gates and thresholds.
    per_person
        Rate measures whose every entrant is counted once with their own outcome (the
        follow-up SLA: touched in time or not), so their weeks pool without mixing cohorts;
        their volume gate is :attr:`AnomalySettings.min_n` entrants in the window tested
        rather than per week of it. Period-basis conversions (entries into the later stage
        over entries into the earlier one, in the same weeks) vary more than counting noise
        from week to week and keep the per-week gate.

    Returns
    -------
    pandas.DataFrame
        One row per alert (:data:`ALERT_COLUMNS`), the largest impact first. ``q`` is the
        adjusted p-value; ``since`` the first week of the shifted run.
    """
    s = settings or AnomalySettings()
    if series.empty:
        return _with_tested(pd.DataFrame(columns=ALERT_COLUMNS), 0)
    m = _matrix(series, s)
    rows = []
    for row, (kind, measure, dimension, segment) in enumerate(m.keys):
        if not is_tested(dimension, segment):
            continue
        found = _test_row(m, row, s, per_person=measure in per_person)
        if found is None:
            continue
        k = int(found.pop("weeks_off"))  # type: ignore[call-overload]
        since = m.weeks[max(0, len(m.weeks) - k)]
        rows.append(
            {
                "kind": kind,
                "measure": measure,
                "dimension": dimension,
                "segment": segment,
                **found,
                "since": since,
                "since_start": m.starts.get(since),
                "weeks_off": k,
            }
        )
    tested = pd.DataFrame(rows, columns=[c for c in ALERT_COLUMNS if c != "q"])
    if tested.empty:
        return _with_tested(pd.DataFrame(columns=ALERT_COLUMNS), 0)
    tested.insert(ALERT_COLUMNS.index("q"), "q", adjust(tested["p"].to_numpy()))
    counts = tested["kind"] == "count"
    big_count = (tested["impact"].abs() >= s.min_count_change) & (
        tested["change"].abs() >= s.min_relative_change
    )
    big_rate = tested["impact"].abs() >= s.min_impact
    keep = (tested["q"] <= s.fdr) & ((counts & big_count) | (~counts & big_rate))
    out = tested[keep].copy()
    out["_order"] = -out["impact"].abs()
    out = out.sort_values("_order", kind="stable").drop(columns="_order")
    return _with_tested(out.reset_index(drop=True)[ALERT_COLUMNS], len(tested))


def _with_tested(alerts: pd.DataFrame, tested: int) -> pd.DataFrame:
    alerts.attrs["tested"] = int(tested)
    return alerts


def effects(
    series: pd.DataFrame, alerts: pd.DataFrame, *, settings: AnomalySettings | None = None
) -> dict[tuple[object, ...], tuple[float, float]]:
    """Each alert's change and volume in (other) series, with no gate: ``key -> (change, n)``.

    Used to see whether an alert survives when one segment's people are taken out.
    """
    s = settings or AnomalySettings()
    if series.empty:
        return {}
    m = _matrix(series, s)
    index = {k: i for i, k in enumerate(m.keys)}
    out = {}
    for alert in alerts.to_dict("records"):
        key = alert_key(alert)
        if key not in index:
            continue
        found = _test_row(m, index[key], s, gated=False, windows=[int(alert["window"])])
        if found is not None:
            out[key] = (float(found["change"]), float(found["n"]))  # type: ignore[arg-type]
    return out


def alert_key(row: pd.Series | dict) -> tuple[object, ...]:
    """An alert's or a series' identity: ``(kind, measure, dimension, segment)``."""
    columns = ("kind", "measure", "dimension", "segment")
    return tuple(None if pd.isna(row[c]) else row[c] for c in columns)
