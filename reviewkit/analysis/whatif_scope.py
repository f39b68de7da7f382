"""Which stage a definition what-if is about, and, when there is none, why.

The quarterly review's what-if (:mod:`reviewkit.analysis.whatif`) sweeps the threshold of a stage
defined by a rule over the lead score (``score >= 60``) and compares a proposed rule with the
agreed one. It needs:

- a stage defined by a rule (``rule:``) that another stage follows (the later stage shows the
  quality of its entrants); a funnel whose stages are all events recorded by the source
  systems has none, and nothing to try;
- for a sweep, exactly one numeric threshold in that rule, on a numeric column (the score);
  other rules can only be compared whole with a proposed rule;
- when the stage is entered the first time its rule holds (``at: first_held``) and the rule
  reads the score, the score's history (``score_changes``): without it nobody can tell when a
  lead first crossed another threshold.

:func:`what_if_scope` says which case applies; :func:`check_what_if_rule` refuses a proposed
rule (``-p what_if_rule=...``) for a funnel with no rule stage to compare it on, before a pack
is built (:func:`reviewkit.pack.plan.plan_pack` calls it) and again when the review opens.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from reviewkit.analysis.threshold_stages import ThresholdStage, next_metric, threshold_stages
from reviewkit.analysis.whatif import check_rule
from reviewkit.errors import ParameterError
from reviewkit.model.definitions import Definitions, RuleStage
from reviewkit.model.rules import rule_columns

Reason = Literal["", "events_only", "no_threshold", "score_history"]


@dataclass(frozen=True)
class WhatIfScope:
    """What the what-if section can show for a funnel.

    Attributes
    ----------
    stage
        The rule stage the section is about (``None``: no rule stage another stage follows).
    sweep
        The stage whose threshold is swept (``None``: no sweep).
    reason
        Why there is no sweep: ``events_only`` (no stage is defined by a rule),
        ``no_threshold`` (no rule stage has one numeric threshold and a next stage; see
        :func:`reviewkit.analysis.threshold_stages.skipped_stages` for each),
        ``score_history`` (the swept stage replays the score history and the store has none);
        ``""`` when there is a sweep.
    """

    stage: str | None
    sweep: ThresholdStage | None
    reason: Reason

    @property
    def compares(self) -> bool:
        """Whether a proposed rule can be compared (on :attr:`stage`)."""
        return self.stage is not None and self.reason != "score_history"


def comparable_stages(definitions: Definitions) -> list[str]:
    """Rule stages followed by another stage (a proposed rule can be compared on them)."""
    return [
        s.key
        for s in definitions.stages
        if isinstance(s, RuleStage) and next_metric(definitions, s.key) is not None
    ]


def needs_score_history(stage: RuleStage) -> bool:
    """Whether the stage replays the score history: ``at: first_held`` on a rule over score."""
    return stage.at == "first_held" and "score" in rule_columns(stage.rule)


def what_if_scope(definitions: Definitions, *, score_history: bool) -> WhatIfScope:
    """The what-if's stage and sweep for ``definitions``, or why there is none.

    Parameters
    ----------
    definitions
        The agreed funnel.
    score_history
        Whether the store holds score changes
        (:meth:`reviewkit.store.availability.Availability.has` ``("score_history")``).
    """
    if not any(isinstance(s, RuleStage) for s in definitions.stages):
        return WhatIfScope(None, None, "events_only")
    sweeps = threshold_stages(definitions)
    if sweeps:
        first = sweeps[0]
        stage = definitions.stage(first.key)
        if isinstance(stage, RuleStage) and needs_score_history(stage) and not score_history:
            return WhatIfScope(first.key, None, "score_history")
        return WhatIfScope(first.key, first, "")
    comparable = comparable_stages(definitions)
    return WhatIfScope(comparable[0] if comparable else None, None, "no_threshold")


def check_what_if_rule(definitions: Definitions, rule: object) -> str:
    """The proposed rule, checked: ``""`` when none is given.

    Raises
    ------
    ParameterError
        One line, when a rule is given for a funnel with no rule stage that another stage
        follows (naming the stages and how to define one), or the rule is not valid
        (:func:`reviewkit.analysis.whatif.check_rule`).
    """
    if rule is None or (isinstance(rule, str) and not rule.strip()):
        return ""
    if not comparable_stages(definitions):
        rules = [s.key for s in definitions.stages if isinstance(s, RuleStage)]
        why = (
            f"its only rule stages ({', '.join(rules)}) are last, with no later stage"
            if rules
            else "every stage is an event from the source systems"
        )
        raise ParameterError(
            f"what_if_rule: {rule!r} has no stage to be compared on: {why} "
            f"({' -> '.join(definitions.stage_keys)}); remove -p what_if_rule, or define a "
            'stage by a rule in params/definitions.yml (e.g. rule: "score >= 60")'
        )
    return check_rule(rule.strip() if isinstance(rule, str) else rule)
