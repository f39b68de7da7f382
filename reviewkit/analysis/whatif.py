"""Definition what-ifs: how a rule stage's threshold trades volume for quality.

For a rule stage with one numeric threshold (``score >= 60``), :func:`threshold_sweep` counts,
for each candidate threshold, who would have *entered* the stage in a period under that rule
(evaluated exactly as the stage's own rule: the same ``at:``, score history and first entry),
and of them how many reached the next stage within the window of the definitions' conversion
metric, how many reached the last stage (won) by the cut-off and their won revenue.
:func:`compare_rule` does the same for the current rule against any proposed rule, and
:func:`suggest_threshold` picks a threshold worth discussing. All variants are evaluated in one
query (:meth:`reviewkit.semantic.funnel.Funnel.rule_entries`).

Counting rules (the same for every variant):

- *entered*: people whose first entry under the variant falls on a local day of
  ``[start, end)`` and before the cut-off. A lead whose score crossed 60 before the period and
  70 inside it is an entrant at 70, not at 60.
- *reached_next*: of them, those who entered the next stage before the cut-off and within the
  conversion metric's window after entering (as the cohort rate counts it: the same numerator
  and denominator as :meth:`~reviewkit.semantic.funnel.Funnel.metric_frame` for the current rule).
- *won* / *revenue*: of them, those who entered the last stage before the cut-off, and the
  amounts of their deals won before the cut-off. Deals take months to close, so a recent
  period's revenue is still maturing.
- *revenue_share*: the variant's revenue / the current rule's revenue; *next_kept*: the
  variant's next-stage entrants / the current rule's.

This module is the analysis (frames); :mod:`reviewkit.present.sections.whatif` words, tabulates and
draws them.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections.abc import Sequence

import pandas as pd

from reviewkit.analysis.threshold_stages import ThresholdStage, next_metric, threshold_stage
from reviewkit.errors import ConfigError, ParameterError
from reviewkit.model.definitions import (
    RULE_COLUMNS,
    RuleStage,
    parse_duration,
)
from reviewkit.model.rules import compile_rule, with_threshold
from reviewkit.semantic.funnel import Funnel

KEEP_NEXT = 0.95  # a suggested threshold keeps at least this share of next-stage entrants
GRID_STEPS = 6  # default grid: this many steps each side of the current threshold
GRID_STEPS_PER_RANGE = 20  # the step is a round number near the observed range / 20
OUTCOME_COLUMNS = ["entered", "reached_next", "next_rate", "won", "revenue"]
SWEEP_COLUMNS = [
    "threshold", "rule", "current", *OUTCOME_COLUMNS, "delta_entered_pct", "delta_rate_points",
    "next_kept", "revenue_share", "revenue_delta", "mature", "days_after",
]  # fmt: skip
COMPARE_COLUMNS = ["variant", "rule", *OUTCOME_COLUMNS, "mature", "days_after"]
VARIANTS = ("current", "proposed", "change")
_OPERATORS = "==, !=, <, <=, >, >=, in, not in"


# -- the grid -----------------------------------------------------------------------------------


def _nice(step: float) -> float:
    """The smallest of 1, 2, 5 x 10^k at or above ``step``."""
    power = 10.0 ** math.floor(math.log10(step))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= step * (1 - 1e-9))


def plain_number(value: float) -> float:
    """``value`` rounded to 9 decimals, so that ``60.000000000001`` is the threshold ``60.0``."""
    value = round(float(value), 9)
    return float(int(value)) if value.is_integer() else value


def threshold_grid(current: float, *, low: float | None, high: float | None) -> list[float]:
    """Candidate thresholds around ``current``: round steps within the observed range.

    The step is the round number (1, 2, 5 x 10^k) nearest above (high - low) / 20; the grid
    spans :data:`GRID_STEPS` steps either side of ``current`` (aligned to the step), inside
    ``[low, high]``, and always contains ``current``. For a 0..100 score at 60: 30, 35, ..., 90.
    Without an observed range the step comes from ``|current|`` (or 1).

    Returns
    -------
    list of float
        Ascending, without duplicates.
    """
    known = low is not None and high is not None and high > low
    span = (high - low) if known else (abs(current) or 1.0)  # type: ignore[operator]
    step = _nice(span / GRID_STEPS_PER_RANGE)
    centre = round(current / step) * step
    grid = {plain_number(centre + k * step) for k in range(-GRID_STEPS, GRID_STEPS + 1)}
    if known:
        grid = {v for v in grid if low <= v <= high}  # type: ignore[operator]
    return sorted(grid | {plain_number(current)})


def _observed_range(funnel: Funnel, column: str) -> tuple[float | None, float | None]:
    """Smallest and largest value of a lead column (and of the score history for ``score``)."""
    if column not in RULE_COLUMNS:
        return None, None
    low, high = funnel.lead_column_range(column)
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (low, high)):
        return None, None
    return float(low), float(high)


# -- the analyses -------------------------------------------------------------------------------


def _maturity(funnel: Funnel, stage: ThresholdStage, end: dt.date) -> tuple[bool, int]:
    """Whether the window has elapsed for the whole period, and days from its end to the cut-off."""
    period_end = dt.datetime.combine(end, dt.time(), tzinfo=funnel.tz)
    days = (funnel.cutoff.astimezone(funnel.tz).date() - end).days
    return period_end + parse_duration(stage.window) <= funnel.cutoff, days


def _check_period(start: dt.date, end: dt.date) -> None:
    if not start < end:
        raise ParameterError(
            f"start/end: [{start}, {end}) is empty; give start before end (end is exclusive)"
        )


def _outcomes(
    funnel: Funnel, stage: ThresholdStage, rules: dict[str, str], *, start: dt.date, end: dt.date
) -> pd.DataFrame:
    """Per variant (index, in ``rules`` order): :data:`OUTCOME_COLUMNS`."""
    reached = list(dict.fromkeys([stage.next_stage, stage.last_stage]))
    people = funnel.rule_entries(stage.key, rules, start=start, end=end, reached=reached)
    window = pd.Timedelta(parse_duration(stage.window))
    nxt = people[f"{stage.next_stage}_at"]
    people["reached_next"] = nxt.notna() & (nxt < people["entered_at"] + window)
    people["won"] = people[f"{stage.last_stage}_at"].notna()
    out = (
        people.groupby("variant", sort=False)
        .agg(
            entered=("person_id", "size"),
            reached_next=("reached_next", "sum"),
            won=("won", "sum"),
            revenue=("won_amount", "sum"),
        )
        .reindex(list(rules), fill_value=0)
        .astype(float)
    )
    out["next_rate"] = (out["reached_next"] / out["entered"].where(out["entered"] > 0)).astype(
        float
    )
    return out[OUTCOME_COLUMNS]


def threshold_sweep(
    funnel: Funnel,
    stage: str,
    *,
    start: dt.date,
    end: dt.date,
    values: Sequence[float] | None = None,
) -> pd.DataFrame:
    """What each threshold of a rule stage would have given for entries in ``[start, end)``.

    Parameters
    ----------
    funnel
        The funnel (its cut-off bounds every count).
    stage
        A stage of :func:`threshold_stages` (e.g. ``mql``).
    start, end
        Local days of entry (``end`` exclusive), usually a period's.
    values
        Thresholds to try; default :func:`threshold_grid` over the column's observed range.
        The current threshold is always added.

    Returns
    -------
    pandas.DataFrame
        One row per threshold, ascending: :data:`SWEEP_COLUMNS`. ``rule`` is the stage's rule
        with the threshold replaced; ``current`` marks the agreed one; ``entered``,
        ``reached_next`` (within the conversion window), ``next_rate``, ``won`` and ``revenue``
        count as the module says; ``delta_entered_pct`` (entered / current - 1),
        ``delta_rate_points`` (rate - current rate, a fraction), ``next_kept``,
        ``revenue_share`` and ``revenue_delta`` compare with the current row; ``mature`` is
        whether the window has elapsed for the whole period by the cut-off and ``days_after``
        the days from ``end`` to the cut-off (the history deals had to close).

    Raises
    ------
    ParameterError
        For a stage without a single numeric threshold, an empty period or bad ``values``.
    """
    info = threshold_stage(funnel.definitions, stage)
    _check_period(start, end)
    if values is None:
        low, high = _observed_range(funnel, info.column)
        grid = threshold_grid(info.value, low=low, high=high)
    else:
        bad = [
            v
            for v in values
            if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v)
        ]
        if bad or not len(values):
            raise ParameterError(
                f"values: {bad[0] if bad else list(values)!r} is not a list of finite numbers; "
                f"give thresholds for {info.column}, e.g. [50, 60, 70], or None for a default grid"
            )
        grid = sorted({plain_number(v) for v in values} | {plain_number(info.value)})
    rules = {str(v): with_threshold(info.rule, v) for v in grid}
    out = _outcomes(funnel, info, rules, start=start, end=end).reset_index(drop=True)
    out.insert(0, "threshold", grid)
    out.insert(1, "rule", list(rules.values()))
    out.insert(2, "current", [v == plain_number(info.value) for v in grid])
    base = out[out["current"]].iloc[0]

    def ratio(column: str) -> pd.Series:
        return out[column] / base[column] if base[column] else pd.Series(math.nan, out.index)

    out["delta_entered_pct"] = ratio("entered") - 1
    out["delta_rate_points"] = out["next_rate"] - base["next_rate"]
    out["next_kept"] = ratio("reached_next")
    out["revenue_share"] = ratio("revenue")
    out["revenue_delta"] = out["revenue"] - base["revenue"]
    out["mature"], out["days_after"] = _maturity(funnel, info, end)
    return out[SWEEP_COLUMNS]


def check_rule(rule: object) -> str:
    """Return ``rule`` when it is a valid rule for a what-if, else raise.

    Raises
    ------
    ParameterError
        Naming ``what_if_rule``, the rule, what went wrong, the columns and operators a rule
        may use, and an example.
    """
    problem = "it is not text"
    if isinstance(rule, str) and rule.strip():
        try:
            compile_rule(rule, columns=RULE_COLUMNS)
            return rule
        except ConfigError as exc:
            problem = str(exc)
    elif isinstance(rule, str):
        problem = "it is empty"
    raise ParameterError(
        f"what_if_rule: {rule!r} is not a valid rule ({problem}); a rule compares lead columns "
        f"({', '.join(RULE_COLUMNS)}) with literals using {_OPERATORS}, joined by and / or / "
        "not; fix it, e.g. what_if_rule: \"score >= 70 and company_size != 'micro'\""
    )


def compare_rule(
    funnel: Funnel, stage: str, rule: str, *, start: dt.date, end: dt.date
) -> pd.DataFrame:
    """The agreed rule of a rule stage against a proposed one, for entries in ``[start, end)``.

    Parameters
    ----------
    funnel
        The funnel.
    stage
        A rule stage with a next stage (e.g. ``mql``); its rule need not have a threshold.
    rule
        The proposed rule, any rule :func:`reviewkit.model.rules.compile_rule` accepts (e.g.
        ``score >= 70 and company_size != 'micro'``).
    start, end
        Local days of entry (``end`` exclusive).

    Returns
    -------
    pandas.DataFrame
        :data:`COMPARE_COLUMNS`, three rows: ``current``, ``proposed`` and ``change``
        (proposed - current; ``next_rate`` in points as a fraction, ``rule`` empty). Counted
        as :func:`threshold_sweep` counts.

    Raises
    ------
    ParameterError
        For a bad rule (see :func:`check_rule`), a stage that is not a rule stage with a next
        stage, or an empty period.
    """
    check_rule(rule)
    definitions = funnel.definitions
    current = definitions.stage(stage) if stage in definitions.stage_keys else None
    metric = next_metric(definitions, stage) if current is not None else None
    if not isinstance(current, RuleStage) or metric is None:
        usable = [
            s.key
            for s in definitions.stages
            if isinstance(s, RuleStage) and next_metric(definitions, s.key)
        ]
        raise ParameterError(
            f"stage: {stage!r} is not a rule stage followed by another stage; use one of {usable}"
        )
    _check_period(start, end)
    info = ThresholdStage(
        key=stage, rule=current.rule, column="", operator="", value=math.nan,
        next_stage=metric.to, last_stage=definitions.stage_keys[-1], metric=metric.key,
        window=metric.window,
    )  # fmt: skip
    rules = {"current": current.rule, "proposed": rule}
    out = _outcomes(funnel, info, rules, start=start, end=end)
    change = out.loc["proposed"] - out.loc["current"]
    out = pd.concat([out, change.to_frame("change").T]).reset_index(names="variant")
    out.insert(1, "rule", pd.Series([current.rule, rule, None], index=out.index, dtype=object))
    out["mature"], out["days_after"] = _maturity(funnel, info, end)
    return out[COMPARE_COLUMNS]


def suggest_threshold(sweep: pd.DataFrame) -> float | None:
    """A threshold worth discussing, or ``None`` when none beats the current one.

    The rule: among thresholds that admit fewer people than the current one, keep at least
    :data:`KEEP_NEXT` (95 %) of its next-stage entrants and convert at a higher rate, the one
    admitting the fewest (the strictest: quality up, little lost downstream).
    """
    current = sweep[sweep["current"]]
    if current.empty or not current["reached_next"].iloc[0]:
        return None
    c = current.iloc[0]
    fits = sweep[
        (sweep["entered"] < c["entered"])
        & (sweep["reached_next"] >= KEEP_NEXT * c["reached_next"])
        & (sweep["next_rate"] > c["next_rate"])
    ]
    if fits.empty:
        return None
    return float(fits.sort_values(["entered", "threshold"]).iloc[0]["threshold"])
