"""The rule stages a what-if threshold sweep applies to, and why the others are left out."""

from __future__ import annotations

from dataclasses import dataclass

from reviewkit.errors import ParameterError
from reviewkit.model.definitions import (
    ConversionMetric,
    Definitions,
    RuleStage,
)
from reviewkit.model.rules import rule_threshold

NUMERIC_RULE_COLUMNS = ("score",)  # the rule columns a threshold can be swept over


@dataclass(frozen=True)
class ThresholdStage:
    """A rule stage whose rule has one numeric threshold (``score >= 60``).

    ``metric`` is the conversion metric to the next stage (``mql_to_sql``) whose window says
    how long after entry reaching the next stage counts.
    """

    key: str
    rule: str
    column: str
    operator: str
    value: float
    next_stage: str
    last_stage: str
    metric: str
    window: str


def next_metric(definitions: Definitions, key: str) -> ConversionMetric | None:
    """The conversion metric from stage ``key`` to the next stage (``None``: last stage)."""
    keys = definitions.stage_keys
    i = keys.index(key)
    if i + 1 >= len(keys):
        return None
    metric = definitions.metric(f"{key}_to_{keys[i + 1]}")
    return metric if isinstance(metric, ConversionMetric) else None


def threshold_stages(definitions: Definitions) -> list[ThresholdStage]:
    """The rule stages a threshold sweep applies to, in funnel order.

    A rule stage qualifies when its rule has exactly one ``column <op> number`` comparison
    (see :func:`reviewkit.model.rules.rule_threshold`) on a numeric column
    (:data:`NUMERIC_RULE_COLUMNS`) and a next stage; the conversion metric is
    ``<stage>_to_<next>`` as the definitions define it (a ``metrics:`` entry of that key
    overrides the defaults). :func:`skipped_stages` says why the others are left out.
    """
    out = []
    for stage in definitions.stages:
        if not isinstance(stage, RuleStage):
            continue
        found = rule_threshold(stage.rule)
        metric = next_metric(definitions, stage.key)
        if found is None or metric is None or found[0] not in NUMERIC_RULE_COLUMNS:
            continue
        column, operator, value = found
        out.append(
            ThresholdStage(
                key=stage.key, rule=stage.rule, column=column, operator=operator,
                value=float(value), next_stage=metric.to,
                last_stage=definitions.stage_keys[-1], metric=metric.key, window=metric.window,
            )
        )  # fmt: skip
    return out


def skipped_stages(definitions: Definitions) -> dict[str, str]:
    """Rule stages without a threshold sweep, and why.

    Returns
    -------
    dict
        Stage key -> ``no_threshold`` (the rule has no single numeric threshold, e.g.
        ``channel in [...]`` or two score bounds), ``not_numeric`` (its threshold is on a text
        column, not on one of :data:`NUMERIC_RULE_COLUMNS`) or ``last_stage`` (no later stage
        measures the quality of its entrants).
    """
    out = {}
    for stage in definitions.stages:
        if not isinstance(stage, RuleStage):
            continue
        found = rule_threshold(stage.rule)
        if next_metric(definitions, stage.key) is None:
            out[stage.key] = "last_stage"
        elif found is None:
            out[stage.key] = "no_threshold"
        elif found[0] not in NUMERIC_RULE_COLUMNS:
            out[stage.key] = "not_numeric"
    return out


def threshold_stage(definitions: Definitions, stage: str) -> ThresholdStage:
    """Stage ``stage`` of :func:`threshold_stages`; a :class:`ParameterError` says why not."""
    for candidate in threshold_stages(definitions):
        if candidate.key == stage:
            return candidate
    usable = [s.key for s in threshold_stages(definitions)]
    why = skipped_stages(definitions).get(stage)
    reason = {
        "no_threshold": "its rule has no single numeric threshold (column >= number)",
        "not_numeric": "its threshold is on a text column, not on "
        + " or ".join(NUMERIC_RULE_COLUMNS),
        "last_stage": "it is the last stage, so no next stage measures its quality",
    }.get(why or "", "it is not a rule stage")
    raise ParameterError(
        f"stage: {stage!r} cannot be swept because {reason}; use one of {usable} "
        "or compare a whole rule with compare_rule"
    )
