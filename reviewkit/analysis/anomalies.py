"""Early anomaly detection on weekly counts and stage rates, for the funnel and its segments.

Each *series* is one measure (a stage count, a stage-to-stage rate, or the follow-up SLA) for
the whole funnel or one value of a segment dimension, over the reviewed week and the
:attr:`AnomalySettings.baseline_weeks` weeks before it. The reviewed week is tested against
its series' normal:

- **counts**: a robust seasonal baseline. Each week's count is divided by the week's weight
  (the sum of its days' weights in the company's day profile, so the public holidays and
  seasonal breaks of its country, e.g. Japan's Golden Week, Obon and year-end break, are
  expected to be quiet); the normal level is the median of the baseline
  weeks' ratios, its spread 1.4826 x their median absolute deviation, with a Poisson floor
  (the spread is never below the square root of the expected count). z = (y - expected) /
  spread, two-sided normal p-value.
- **rates**: each conversion of the KPI tree on the period basis (entries into the later
  stage / entries into the earlier stage, in the same weeks), over the reviewed week and over
  the last :attr:`AnomalySettings.recent_weeks` weeks, each against the baseline weeks before
  it pooled, by a two-proportion z-test, or Fisher's exact test when an expected cell is below
  :attr:`AnomalySettings.fisher_below` (a week with more entries into the later stage than
  into the earlier one is tested as 100 %). The window with the stronger evidence is kept.
  The follow-up SLA (MQLs touched within the SLA / MQLs due) is tested the same way, for the
  funnel and per sales team. A segment new within :attr:`AnomalySettings.new_weeks` weeks (or
  too small before) is compared with everyone's baseline rate instead, and its counts are not
  tested (a new campaign's first leads are not an anomaly).

Series with too little volume are not tested (minimum-volume gate). The p-values of all tested
series of the week are adjusted together (Benjamini-Hochberg) so that across hundreds of
segments a normal week raises few or no alerts; an alert also needs a minimum business impact
(people gained or lost). Each alert says since when the series has been off (the change point
of the recent run).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from reviewkit.core.periods import FiscalCalendar, Period, periods_before
from reviewkit.model.definitions import ConversionMetric
from reviewkit.model.seasonality import day_profile
from reviewkit.semantic.funnel import Funnel

# The dimensions the sample company's packs were built around; a review tests its funnel's
# split dimensions (:attr:`reviewkit.semantic.funnel.Funnel.split_dimensions`: every segment column
# with two or more known values), so a column that is all unknown or single-valued raises
# nothing.
DIMENSIONS = ("channel", "campaign_id", "content_asset", "sales_team", "industry", "company_size")
# Campaigns start and end by plan, and a channel's new campaign is not news: a new campaign
# is not compared with everyone (its channel's series carries any change).
NOT_COMPARED_WHEN_NEW = ("campaign_id",)
COUNT_DIMENSIONS = ("channel", "content_asset", "sales_team", "industry", "company_size")
SERIES_COLUMNS = ["kind", "measure", "dimension", "segment", "week", "start", "x", "n", "weight"]
ALERT_COLUMNS = [
    "kind", "measure", "dimension", "segment", "value", "normal", "low", "high", "n", "impact",
    "change", "z", "p", "q", "method", "baseline", "window", "since", "since_start", "weeks_off",
]  # fmt: skip
MAD_SCALE = 1.4826
INTERMITTENT = 0.5  # a count series with this share of empty baseline weeks is not tested
EXPLAINED_SHARE = 0.5  # an alert is explained by a segment if without it half its change goes


@dataclass(frozen=True)
class AnomalySettings:
    """Gates and thresholds of the weekly detectors (stated in every pack's glossary).

    Attributes
    ----------
    baseline_weeks
        Weeks before the reviewed week that make the normal.
    fdr
        Benjamini-Hochberg false discovery rate across all tested series of the week.
    min_expected
        Counts: a series is tested when its expected or actual count reaches this.
    min_count_change, min_relative_change
        Counts: an alert needs at least this many people and this share off normal.
    min_n
        Rates: entrants needed to test, per week of the window tested (a per-person rate
        such as the SLA: in the window; see :func:`detect`).
    min_baseline_n
        Rates: baseline entrants needed to use the series' own baseline (else everyone's).
    min_impact
        Rates: people gained or lost at the next stage against normal.
    new_weeks
        A segment first seen within this many weeks is new: compared with everyone.
    fisher_below
        Rates: Fisher's exact test when an expected cell count is below this.
    change_weeks
        How far back the change point may lie.
    recent_weeks
        Rates are also tested over this many recent weeks pooled (a shift that persists).
    """

    baseline_weeks: int = 26
    fdr: float = 0.05
    min_expected: float = 10.0
    min_count_change: float = 10.0
    min_relative_change: float = 0.25
    min_n: int = 20
    min_baseline_n: int = 60
    min_impact: float = 5.0
    new_weeks: int = 13
    fisher_below: float = 10.0
    change_weeks: int = 12
    recent_weeks: int = 4


# --- the tests -------------------------------------------------------------------------------


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


# --- detection over many series ----------------------------------------------------------------


def _count_alert(
    x: np.ndarray, w: np.ndarray, s: AnomalySettings, *, gated: bool = True
) -> dict[str, object] | None:
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


def _rate_alert(
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
        return _count_alert(m.x[row], m.w[row], s, gated=bool(options.get("gated", True)))
    options.setdefault("per_person", False)
    everyone = m.everyone.get((str(measure), str(dimension)))
    compare_new = dimension not in NOT_COMPARED_WHEN_NEW
    return _rate_alert(m.x[row], m.n[row], everyone, s, compare_new=compare_new, **options)  # type: ignore[arg-type]


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
        key = _key(alert)
        if key not in index:
            continue
        found = _test_row(m, index[key], s, gated=False, windows=[int(alert["window"])])
        if found is not None:
            out[key] = (float(found["change"]), float(found["n"]))  # type: ignore[arg-type]
    return out


# --- the store's weekly series ------------------------------------------------------------------


@dataclass(frozen=True)
class WeeklyData:
    """What the weekly detectors read from the store, once.

    Attributes
    ----------
    weeks
        The baseline weeks and the reviewed week, oldest first.
    entries
        Every stage entry in those weeks with the person's segment columns
        (:meth:`reviewkit.semantic.funnel.Funnel.entries`) and the ``week`` label.
    weights
        ``(stage, week) -> weight``: each week's expected volume in the stage's day profile.
    stages
        The stages in funnel order.
    conversions
        ``(key, from, to)`` of each conversion of the KPI tree.
    sla
        The SLA series (funnel and per sales team), tidy; empty without an SLA metric.
    dimensions
        The segment dimensions tested.
    """

    weeks: list[Period]
    entries: pd.DataFrame
    weights: dict[tuple[str, str], float]
    stages: list[str]
    conversions: list[tuple[str, str, str]]
    sla: pd.DataFrame
    dimensions: tuple[str, ...]


def load_weekly(
    funnel: Funnel,
    *,
    week: Period,
    calendar: FiscalCalendar,
    dimensions: Sequence[str] | None = None,
    settings: AnomalySettings | None = None,
) -> WeeklyData:
    """Read the reviewed week and its baseline weeks from the store (three queries per stage).

    ``dimensions``: the segment columns to test; ``None``: the funnel's split dimensions.
    """
    s = settings or AnomalySettings()
    definitions = funnel.definitions
    if dimensions is None:
        dimensions = funnel.split_dimensions
    earlier = periods_before(week, s.baseline_weeks + s.recent_weeks - 1, calendar=calendar)
    weeks = [*earlier, week]
    stages = list(definitions.stage_keys)
    weights: dict[tuple[str, str], float] = {}
    for stage in stages:
        daily = funnel.daily(stage, start=weeks[0].start - dt.timedelta(days=365), end=week.end)
        profile = day_profile(daily, before=week.start, calendar=calendar)
        for p in weeks:
            weights[(stage, p.label)] = float(profile.weights(p.start, p.end).sum())
    entries = funnel.entries(stages, start=weeks[0].start, end=week.end)
    starts = pd.Series([p.start for p in weeks], index=[p.label for p in weeks])
    position = np.searchsorted(starts.to_numpy(), entries["day"].to_numpy(), side="right") - 1
    entries["week"] = starts.index.to_numpy()[position] if len(entries) else []
    conversions = [
        (m.key, m.from_, m.to)
        for k in definitions.tree
        if isinstance(m := definitions.metric(k), ConversionMetric)
    ]
    sla = definitions.sla_metric
    frames = []
    if sla is not None:
        for dimension in (None, "sales_team"):
            by = [dimension] if dimension else []
            touched = funnel.metric_frame([sla], weeks, by=by)
            frames.append(
                pd.DataFrame(
                    {
                        "kind": "rate",
                        "measure": sla.key,
                        "dimension": dimension,
                        "segment": touched[dimension] if dimension else None,
                        "week": touched["period"],
                        "x": touched["numerator"].to_numpy(dtype="float64"),
                        "n": touched["denominator"].to_numpy(dtype="float64"),
                        "weight": np.nan,
                    }
                )
            )
    sla_frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if frames:
        sla_frame["start"] = sla_frame["week"].map({p.label: p.start for p in weeks})
        sla_frame = sla_frame[SERIES_COLUMNS]
    return WeeklyData(
        weeks=weeks,
        entries=entries,
        weights=weights,
        stages=stages,
        conversions=conversions,
        sla=sla_frame,
        dimensions=tuple(dimensions),
    )


def _tidy(
    wide: pd.DataFrame,
    data: WeeklyData,
    kind: str,
    measure: str,
    dimension: str | None,
    x: str,
    n: str | None,
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kind": kind,
            "measure": measure,
            "dimension": dimension,
            "segment": wide[dimension].astype("object") if dimension else None,
            "week": wide["week"].to_numpy(),
            "x": wide[x].to_numpy(dtype="float64"),
            "n": wide[n].to_numpy(dtype="float64") if n else np.nan,
            "weight": [data.weights[(x, w)] for w in wide["week"]] if kind == "count" else np.nan,
        }
    )


def series_of(
    data: WeeklyData, *, entries: pd.DataFrame | None = None, measures: Sequence[str] = ()
) -> pd.DataFrame:
    """The tidy weekly series (:data:`SERIES_COLUMNS`) built from person-level entries.

    Counts: each stage's entries, for the funnel and the :data:`COUNT_DIMENSIONS`. Rates: each
    conversion of the KPI tree on the period basis, for the funnel and every dimension. Plus
    the SLA series. ``entries`` replaces ``data.entries`` (e.g. with one segment's people
    taken out); ``measures`` keeps only those measures.
    """
    rows = data.entries if entries is None else entries
    labels = [p.label for p in data.weeks]
    frames = []
    for dimension in (None, *data.dimensions):
        keys = ["week", "stage"] + ([dimension] if dimension else [])
        counted = rows.groupby(keys, dropna=False).size().rename("n").reset_index()
        wide = counted.pivot_table(
            index=keys[:1] + keys[2:], columns="stage", values="n", aggfunc="sum", dropna=False
        )
        wide = wide.reindex(columns=data.stages).fillna(0.0).reset_index()
        wide = wide[wide["week"].isin(labels)]

        if dimension is None or dimension in COUNT_DIMENSIONS:
            for stage in data.stages:
                if not measures or stage in measures:
                    frames.append(_tidy(wide, data, "count", stage, dimension, stage, None))
        for key, from_, to in data.conversions:
            if not measures or key in measures:
                frames.append(_tidy(wide, data, "rate", key, dimension, to, from_))
    if not data.sla.empty and (not measures or set(measures) & set(data.sla["measure"])):
        frames.append(data.sla)
    if not frames:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    out["start"] = out["week"].map({p.label: p.start for p in data.weeks})
    return out[SERIES_COLUMNS]


def _key(row: pd.Series | dict) -> tuple[object, ...]:
    columns = ("kind", "measure", "dimension", "segment")
    return tuple(None if pd.isna(row[c]) else row[c] for c in columns)


class _Without:
    """The weekly series with one segment's people taken out, found by subtraction.

    Counting is additive, so the series of the people who remain are the full series less the
    counts of the people taken out, on the rows :func:`series_of` would give the remaining
    people (every week and every segment value some remaining entry has): the same frame as
    ``series_of(data, entries=remaining, measures=...)`` without grouping all the weeks'
    entries again for every alert. Entries are coded once (week, stage, each dimension's
    value); taking people out is then a ``bincount`` of their entries.
    """

    def __init__(self, data: WeeklyData, full: pd.DataFrame) -> None:
        entries = data.entries
        self.data = data
        self.sla = set(data.sla["measure"]) if not data.sla.empty else set()
        # plain object columns: every alert's frame is grouped again, and text arrays are slow
        keys = ["kind", "measure", "dimension", "segment", "week"]
        self.rows = full.reset_index(drop=True).astype(dict.fromkeys(keys, "object"))
        person, persons = pd.factorize(entries["person_id"], use_na_sentinel=False)
        self.person, self.n_persons = person, len(persons)
        weeks = pd.Index([p.label for p in data.weeks])
        stages = pd.Index(data.stages)
        week = weeks.get_indexer(entries["week"])
        stage = stages.get_indexer(entries["stage"])
        # entries outside the weeks or stages (never from load_weekly): series_of's own way
        self.usable = bool((week >= 0).all() and (stage >= 0).all())
        week, stage = np.maximum(week, 0), np.maximum(stage, 0)
        self.shape: dict[str | None, tuple[int, int, int]] = {}
        self.flat: dict[str | None, np.ndarray] = {}
        self.values: dict[str | None, pd.Index] = {}
        self.full: dict[str | None, np.ndarray] = {}
        for dimension in (None, *data.dimensions):
            if dimension is None:
                value, uniques = np.zeros(len(entries), dtype="int64"), pd.Index([None])
            else:
                value, uniques = pd.factorize(
                    entries[dimension].astype("object"), use_na_sentinel=False
                )
            shape = (len(weeks), len(stages), len(uniques))
            flat = (week * shape[1] + stage) * shape[2] + value
            self.shape[dimension], self.flat[dimension] = shape, flat
            self.values[dimension] = pd.Index(uniques, dtype="object")
            self.full[dimension] = np.bincount(flat, minlength=math.prod(shape)).reshape(shape)
        # where each entry-derived row of the full series reads its counts
        rows = self.rows
        stage_of = {m: (m, "") for m in data.stages}
        stage_of |= {key: (to, from_) for key, from_, to in data.conversions}
        self.from_entries = ~rows["measure"].isin(list(self.sla)).to_numpy()
        dims = rows["dimension"].astype("object").where(rows["dimension"].notna(), None)
        self.dims = dims.to_numpy()
        self.week = weeks.get_indexer(rows["week"])
        self.x_stage = stages.get_indexer([stage_of.get(m, ("", ""))[0] for m in rows["measure"]])
        self.n_stage = stages.get_indexer([stage_of.get(m, ("", ""))[1] for m in rows["measure"]])
        self.value = np.zeros(len(rows), dtype="int64")
        for dimension in data.dimensions:
            mine = self.dims == dimension
            self.value[mine] = self.values[dimension].get_indexer(
                rows.loc[mine, "segment"].astype("object")
            )
        ok = (self.week >= 0) & (self.x_stage >= 0) & (self.value >= 0)
        if not ok[self.from_entries].all():  # cannot happen: series_of built these rows
            raise AssertionError("a weekly series row does not match the entries")

    def people_of(self, dimension: str, segment: object) -> np.ndarray:
        """Which entries belong to the people with ``dimension == segment`` (any of theirs)."""
        taken = np.zeros(self.n_persons, dtype=bool)
        if not pd.isna(segment):  # a missing value equals nothing, as ``==`` has it
            found = self.values[dimension].get_indexer([segment])[0]
            if found >= 0:
                value = self.flat[dimension] % self.shape[dimension][2]
                taken[self.person[value == found]] = True
        return taken[self.person]

    def series(self, taken: np.ndarray, measures: Sequence[str]) -> pd.DataFrame:
        """``series_of`` of the entries not ``taken``, keeping only ``measures``."""
        rows = self.rows
        x = rows["x"].to_numpy(dtype="float64").copy()
        n = rows["n"].to_numpy(dtype="float64").copy()
        keep = self.from_entries.copy()
        for dimension in (None, *self.data.dimensions):
            shape = self.shape[dimension]
            gone = np.bincount(self.flat[dimension][taken], minlength=math.prod(shape))
            left = self.full[dimension] - gone.reshape(shape)
            mine = self.from_entries & (
                pd.isna(self.dims) if dimension is None else self.dims == dimension
            )
            w, v = self.week[mine], self.value[mine]
            x[mine] = left[w, self.x_stage[mine], v]
            rate = self.n_stage[mine] >= 0
            n_rows = np.flatnonzero(mine)[rate]
            n[n_rows] = left[w[rate], self.n_stage[mine][rate], v[rate]]
            # series_of has no row for a week, or a segment value, nobody remaining has
            weeks_left = left.sum(axis=(1, 2)) > 0 if dimension is None else None
            if weeks_left is not None:
                keep &= ~self.from_entries | weeks_left[np.maximum(self.week, 0)]
            else:
                values_left = left.sum(axis=(0, 1)) > 0
                keep[mine] &= values_left[v]
        keep |= ~self.from_entries  # the SLA series are not made of entries
        keep &= rows["measure"].isin(list(measures)).to_numpy()
        return rows.assign(x=x, n=n)[keep].reset_index(drop=True)


def explain(
    alerts: pd.DataFrame,
    data: WeeklyData,
    *,
    settings: AnomalySettings | None = None,
    series: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Say where each alert came from: which alerts are the same change seen elsewhere.

    Alerts are taken largest impact first. For a segment alert, its people are taken out and
    the other alerts of the same measure are tested again: those that no longer fire are
    *explained by* it (e.g. the funnel's MQL -> SQL drop, and the drops in the teams and
    industries the new whitepaper's MQLs went to, are explained by the whitepaper). A team's
    SLA alert explains the funnel's SLA alert (the team's series subtracted) and, with the
    team's people taken out, the other measures' alerts its slow follow-up drags (a region
    served mostly by that team); an SLA alert is explained by no other measure's.

    ``series`` is ``series_of(data)`` when the caller has it (else it is built here).

    Returns
    -------
    pandas.DataFrame
        ``alerts`` with an ``explained_by`` column: the index of the explaining alert, or -1.
    """
    s = settings or AnomalySettings()
    out = alerts.copy()
    out["explained_by"] = -1
    sla_measures = set(data.sla["measure"]) if not data.sla.empty else set()
    without: _Without | None = None
    for i in out.index:
        a = out.loc[i]
        if out.at[i, "explained_by"] != -1 or pd.isna(a["dimension"]):
            continue
        same = out[(out.index != i) & (out["explained_by"] == -1)]
        is_sla = a["measure"] in sla_measures
        other = ~same["measure"].isin(sla_measures)  # SLA series are not made of entries
        if is_sla:  # a team's SLA explains the funnel's SLA, and other measures' alerts
            same = same[other | ((same["measure"] == a["measure"]) & same["dimension"].isna())]
        else:
            same = same[other]
        if same.empty:
            continue
        parts = []
        if is_sla and (same["measure"] == a["measure"]).any():
            parts.append(_sla_without(data.sla, a))
        measures = list(dict.fromkeys(m for m in same["measure"] if m not in sla_measures))
        if measures:
            if without is None:
                without = _Without(data, series_of(data) if series is None else series)
            parts.append(_series_without(data, without, a, measures))
        reduced = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        left = effects(reduced, same, settings=s)
        for j in same.index:
            b = out.loc[j]
            if j < i and not pd.isna(b["dimension"]):
                continue  # a larger alert is not explained by a smaller one (the funnel's can be)
            if (b["dimension"], b["segment"]) == (a["dimension"], a["segment"]):
                continue  # the same segment's other symptom: a finding of its own
            change, n = left.get(_key(b), (0.0, 0.0))
            if (
                n < EXPLAINED_SHARE * float(b["n"])
                or change * float(b["change"]) <= 0
                or abs(change) < EXPLAINED_SHARE * abs(float(b["change"]))
            ):
                out.at[j, "explained_by"] = i
    return _explained_by_the_funnel(out)


def _sla_without(sla: pd.DataFrame, alert: pd.Series) -> pd.DataFrame:
    """The funnel's SLA series without the alert's segment (subtracted week by week)."""
    own = sla[(sla["dimension"] == alert["dimension"]) & (sla["segment"] == alert["segment"])]
    total = sla[sla["dimension"].isna()].set_index("week")
    rest = total.copy()
    sub = own.set_index("week").reindex(total.index).fillna({"x": 0.0, "n": 0.0})
    rest["x"] = total["x"] - sub["x"]
    rest["n"] = total["n"] - sub["n"]
    return rest.reset_index()[SERIES_COLUMNS]


def _series_without(
    data: WeeklyData, without: _Without, alert: pd.Series, measures: Sequence[str]
) -> pd.DataFrame:
    """The series of ``measures`` with the people of the alert's segment taken out."""
    # the SLA is tested by team even where the team is not a split column (a team's pack)
    if without.usable and alert["dimension"] in without.values:
        taken = without.people_of(str(alert["dimension"]), alert["segment"])
        return without.series(taken, measures)
    mask = data.entries[alert["dimension"]].astype("object") == alert["segment"]
    people = set(data.entries.loc[mask, "person_id"])
    remaining = data.entries[~data.entries["person_id"].isin(people)]
    return series_of(data, entries=remaining, measures=measures)


def _explained_by_the_funnel(alerts: pd.DataFrame) -> pd.DataFrame:
    """Segment count alerts that only follow the whole funnel's count move, listed under it.

    A fair or a mailing that doubles everyone's leads doubles most segments' too; a segment
    whose count, scaled by the funnel's change (its normal x the funnel's value / normal),
    keeps less than half of its own change is the same change, not a finding of its own.
    """
    out = alerts
    funnel = out[(out["kind"] == "count") & out["dimension"].isna() & (out["explained_by"] == -1)]
    for f in funnel.index:
        ratio = float(out.at[f, "value"]) / float(out.at[f, "normal"])
        mine = out[
            (out["kind"] == "count")
            & (out["measure"] == out.at[f, "measure"])
            & out["dimension"].notna()
            & (out["explained_by"] == -1)
            & (np.sign(out["change"]) == np.sign(out.at[f, "change"]))
        ]
        for j in mine.index:
            value, normal = float(out.at[j, "value"]), float(out.at[j, "normal"])
            if abs(value - normal * ratio) < EXPLAINED_SHARE * abs(value - normal):
                out.at[j, "explained_by"] = f
    return out


def weekly_alerts(
    funnel: Funnel,
    *,
    week: Period,
    calendar: FiscalCalendar,
    dimensions: Sequence[str] | None = None,
    settings: AnomalySettings | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The week's alerts (with ``explained_by``) and the series they came from.

    ``dimensions``: the segment columns to test; ``None``: the funnel's split dimensions
    (:attr:`reviewkit.semantic.funnel.Funnel.split_dimensions`).
    """
    data = load_weekly(
        funnel, week=week, calendar=calendar, dimensions=dimensions, settings=settings
    )
    series = series_of(data)
    per_person = set(data.sla["measure"]) if not data.sla.empty else set()
    found = detect(series, settings=settings, per_person=per_person)
    alerts = explain(found, data, settings=settings, series=series)
    return alerts, series
