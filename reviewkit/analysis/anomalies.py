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

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from reviewkit.analysis.anomaly_detection import alert_key, detect, effects
from reviewkit.analysis.anomaly_settings import EXPLAINED_SHARE, SERIES_COLUMNS, AnomalySettings
from reviewkit.analysis.weekly_series import WeeklyData, load_weekly, series_of
from reviewkit.core.periods import FiscalCalendar, Period
from reviewkit.semantic.funnel import Funnel


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
            change, n = left.get(alert_key(b), (0.0, 0.0))
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
