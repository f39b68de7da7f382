"""Maturity and timing: cohorts that have not had their window yet, and changes that are timing.

A cohort rate counts, of the people who entered a stage in a period, those who reached the next
stage within the rate's window. Until the window has elapsed for the period's *last* entrant
(:meth:`reviewkit.semantic.funnel.Funnel.window_elapsed`: the period's end plus the window, at or
before the cut-off) the cohort is *maturing*: its rate may still rise, so it is marked and never
read as a miss. This holds for the period under review and for every period it is compared with.

Two periods' cohorts are compared fairly *at equal age*: each entrant counted as converted only
when they reached the next stage within the same horizon, the time the period's youngest
entrants have had by the cut-off (or the window, if shorter). :func:`equal_age_rates` gives the
rate of both periods at that age.

The KPI tree multiplies out on the *period basis* (the period's entries into the later stage
over its entries into the earlier one). When a tree rate fell on that basis but not at equal
age, the fall is *timing*: the period's entrants have not had time to convert yet (a surge of
entrants late in the period, or a slower pace of the same conversion), not a worse conversion.
:func:`timing_check` says which.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from reviewkit.core.periods import Period
from reviewkit.model.definitions import ConversionMetric, parse_duration
from reviewkit.semantic.funnel import Funnel

DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class TimingSettings:
    """When a period-basis fall counts as timing, and when it holds at equal age.

    Attributes
    ----------
    share
        The fall is timing only when, at equal age, the rate fell by less than this share of
        its period-basis fall (relative changes; a rise counts as no fall) ...
    z
        ... and the equal-age rate is this many standard errors above the rate the period
        would have had at that age had it fallen as much as on the period basis (one-sided;
        1.645: 95 %). The fall *holds* when the equal-age rate is this many standard errors
        below the reference's. Between the two, it is too early to tell.
    min_people
        Each period's cohort needs at least this many entrants for the equal-age view to say
        anything; with fewer, no verdict is given.
    """

    share: float = 0.5
    z: float = 1.645
    min_people: int = 20


@dataclass(frozen=True)
class EqualAge:
    """One conversion's cohort rate of two periods, both counted at the same age.

    Attributes
    ----------
    metric
        The conversion's key.
    horizon
        The age both cohorts are counted at (converted within this long of entering).
    value, numerator, denominator
        The period's rate at that age, its converted people and its entrants.
    reference_value, reference_numerator, reference_denominator
        The same for the period it is compared with.
    """

    metric: str
    horizon: dt.timedelta
    value: float
    numerator: float
    denominator: float
    reference_value: float
    reference_numerator: float
    reference_denominator: float

    @property
    def days(self) -> int:
        """The horizon in whole days (as sentences and the drill-downs name it)."""
        return self.horizon.days

    @property
    def change_points(self) -> float:
        """The change at equal age, in percentage points (NaN when either rate is)."""
        return (self.value - self.reference_value) * 100


def period_age(funnel: Funnel, period: Period) -> dt.timedelta:
    """How long the period's last entrants have had by the cut-off (0 for a period not over)."""
    end = dt.datetime.combine(period.end, dt.time(), tzinfo=funnel.tz)
    return max(funnel.cutoff - end, dt.timedelta(0))


def equal_age_horizon(funnel: Funnel, metric: ConversionMetric, period: Period) -> dt.timedelta:
    """The age a period's cohort and earlier cohorts are compared at: the window or less.

    The period's age at the cut-off when its cohort is maturing, else the window. Zero for a
    period that ended less than an hour before the cut-off (nothing to compare).
    """
    age = min(parse_duration(metric.window), period_age(funnel, period))
    return dt.timedelta(hours=int(age.total_seconds() // 3600))


def equal_age_rates(
    funnel: Funnel,
    metric: str,
    period: Period,
    reference: Period,
    *,
    segment: Mapping[str, object] | None = None,
) -> EqualAge | None:
    """The cohort rate of ``metric`` in ``period`` and in ``reference``, at the same age.

    Parameters
    ----------
    funnel
        The semantic layer (its cut-off sets the period's age).
    metric
        A conversion of the definitions (on either basis: its window is used).
    period
        The later period (usually the one under review).
    reference
        An earlier period (the previous one, the same one a year earlier).
    segment
        A filter, as for :meth:`reviewkit.semantic.funnel.Funnel.metric_frame`; ``None``: everyone.

    Returns
    -------
    EqualAge or None
        ``None`` when ``metric`` is not a conversion, or the period has had less than a day.
    """
    definition = funnel.definitions.metric(metric)
    if not isinstance(definition, ConversionMetric):
        return None
    horizon = equal_age_horizon(funnel, definition, period)
    if horizon < DAY:
        return None
    hours = int(horizon.total_seconds() // 3600)
    cohort = definition.model_copy(update={"basis": "cohort", "window": f"{hours}h"})
    frame = funnel.metric_frame([cohort], [period, reference], segment=segment)
    frame = frame.set_index("period")
    now, before = frame.loc[period.label], frame.loc[reference.label]
    return EqualAge(
        metric=metric,
        horizon=horizon,
        value=float(now["value"]),
        numerator=float(now["numerator"]),
        denominator=float(now["denominator"]),
        reference_value=float(before["value"]),
        reference_numerator=float(before["numerator"]),
        reference_denominator=float(before["denominator"]),
    )


@dataclass(frozen=True)
class TimingCheck:
    """A tree rate's change on the period basis, against the same change at equal age.

    Attributes
    ----------
    driver
        The conversion's key.
    period, reference
        The periods compared (the reference is the earlier one).
    value, reference_value
        The rate of each period on the period basis (as the KPI tree counts it).
    equal
        The cohort rates of both periods at equal age.
    fell
        The period-basis rate fell.
    timing
        It fell, but not at equal age: there the rate fell by less than ``share`` of the
        period-basis fall (or rose), and significantly less (see :class:`TimingSettings`). The
        period's entrants have not had time to convert yet.
    held
        It fell, and at equal age the rate is significantly below the reference's: a worse
        conversion, not timing.
    """

    driver: str
    period: Period
    reference: Period
    value: float
    reference_value: float
    equal: EqualAge
    fell: bool
    timing: bool
    held: bool

    @property
    def unclear(self) -> bool:
        """It fell, and the equal-age view cannot tell timing from conversion yet."""
        return self.fell and not (self.timing or self.held)


def _z(now: float, n_now: float, base: float, n_base: float, *, scale: float = 1.0) -> float:
    """Standard errors between a rate and ``scale`` x another (independent samples)."""
    variance = now * (1 - now) / n_now + scale**2 * base * (1 - base) / n_base
    if variance <= 0:
        return math.nan
    return (now - scale * base) / math.sqrt(variance)


def _relative(now: float, before: float) -> float:
    if math.isnan(now) or math.isnan(before) or before <= 0:
        return math.nan
    return now / before - 1


def timing_check(
    funnel: Funnel,
    driver: str,
    period: Period,
    reference: Period,
    *,
    settings: TimingSettings | None = None,
) -> TimingCheck | None:
    """Whether a tree rate's fall from ``reference`` to ``period`` is timing or conversion.

    Parameters
    ----------
    funnel
        The semantic layer.
    driver
        A KPI-tree driver; only conversions are checked.
    period, reference
        The period under review and the period it is compared with.
    settings
        The thresholds (:class:`TimingSettings`).

    Returns
    -------
    TimingCheck or None
        ``None`` when the driver is not a conversion, the period is less than a day old, a
        period-basis rate is undefined, either cohort has fewer than ``settings.min_people``
        entrants, or no one of the reference cohort had converted at that age.
    """
    s = settings or TimingSettings()
    equal = equal_age_rates(funnel, driver, period, reference)
    if equal is None or min(equal.denominator, equal.reference_denominator) < s.min_people:
        return None
    definition = funnel.definitions.metric(driver)
    basis = definition.model_copy(update={"basis": "period"})
    frame = funnel.metric_frame([basis], [period, reference]).set_index("period")
    value = float(frame.loc[period.label, "value"])
    before = float(frame.loc[reference.label, "value"])
    change = _relative(value, before)
    if math.isnan(change):
        return None
    at_equal_age = _relative(equal.value, equal.reference_value)
    if math.isnan(at_equal_age):  # no one had converted at that age before: no verdict
        return None
    fell = change < 0
    n_now, n_before = equal.denominator, equal.reference_denominator
    # how far above the rate it would have had if it had fallen as on the period basis
    above_fall = _z(equal.value, n_now, equal.reference_value, n_before, scale=1 + change)
    below_before = _z(equal.value, n_now, equal.reference_value, n_before)
    timing = fell and min(at_equal_age, 0.0) > s.share * change and above_fall >= s.z
    held = fell and below_before <= -s.z
    return TimingCheck(
        driver=driver,
        period=period,
        reference=reference,
        value=value,
        reference_value=before,
        equal=equal,
        fell=fell,
        timing=timing,
        held=held,
    )


TIMING_COLUMNS = [
    "comparison", "driver", "reference", "value", "reference_value", "equal_days",
    "equal_value", "equal_reference", "fell", "timing", "held", "unclear",
]  # fmt: skip


def gap_timing(
    funnel: Funnel,
    attribution: pd.DataFrame,
    periods: Mapping[str, Period],
    *,
    settings: TimingSettings | None = None,
) -> pd.DataFrame:
    """For each gap comparison, which rate drivers that cost the KGI fell only by timing.

    Parameters
    ----------
    funnel
        The semantic layer.
    attribution
        :func:`reviewkit.analysis.gap.gap_attribution` (comparisons ``target``, ``previous``,
        ``last_year``).
    periods
        ``actual`` (the period under review), ``previous`` and ``last_year``. A target has no
        cohort of its own: the ``target`` comparison's rates are checked against the previous
        period (the change that made the rate fall short), ``last_year`` against last year's.
    settings
        The thresholds (:class:`TimingSettings`).

    Returns
    -------
    pandas.DataFrame
        :data:`TIMING_COLUMNS`, one row per comparison and conversion driver that cost the
        KGI something and could be checked (see :func:`timing_check`): ``reference`` is the
        :class:`Period` compared with, ``value`` / ``reference_value`` the period-basis rates,
        ``equal_days`` / ``equal_value`` / ``equal_reference`` the equal-age view, ``fell``,
        ``timing``, ``held`` and ``unclear`` as in :class:`TimingCheck`.
    """
    rows = []
    checks: dict[tuple[str, str], TimingCheck | None] = {}
    costs = attribution[(attribution["kind"] == "rate") & (attribution["contribution"] < 0)]
    for r in costs.to_dict("records"):
        name = "last_year" if r["comparison"] == "last_year" else "previous"
        reference = periods[name]
        key = (str(r["driver"]), reference.label)
        if key not in checks:
            checks[key] = timing_check(
                funnel, key[0], periods["actual"], reference, settings=settings
            )
        check = checks[key]
        if check is None:
            continue
        rows.append(
            {
                "comparison": r["comparison"], "driver": check.driver, "reference": reference,
                "value": check.value, "reference_value": check.reference_value,
                "equal_days": check.equal.days, "equal_value": check.equal.value,
                "equal_reference": check.equal.reference_value, "fell": check.fell,
                "timing": check.timing, "held": check.held, "unclear": check.unclear,
            }
        )  # fmt: skip
    return pd.DataFrame(rows, columns=TIMING_COLUMNS)
