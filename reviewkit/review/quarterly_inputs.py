"""What the quarterly review re-evaluates and re-sets: the what-if and next quarter's plan.

:class:`QuarterlyInputs` is the data half of :class:`reviewkit.review.quarterly.QuarterlyReview`
for its two decisions: the threshold sweep of a rule-based stage and the comparison with a
proposed rule (:mod:`reviewkit.analysis.whatif`), and next quarter's targets back-solved from
its KGI target (:mod:`reviewkit.analysis.target_plan`), with the draft targets file.
"""

from __future__ import annotations

from functools import cached_property, partial
from typing import TYPE_CHECKING

import pandas as pd

from reviewkit.core.periods import Period, next_period
from reviewkit.i18n.texts import t
from reviewkit.present.glossary import metric_label
from reviewkit.review.base import Review

if TYPE_CHECKING:
    from reviewkit.analysis.kgi_target import KgiTarget
    from reviewkit.analysis.whatif import ThresholdStage
    from reviewkit.analysis.whatif_scope import WhatIfScope


class QuarterlyInputs(Review):
    """The what-if's and the target plan's data, computed once per quarterly review.

    Attributes
    ----------
    what_if_rule
        The proposed rule (checked); ``""``: the sweep's suggestion.
    next_kgi_target
        Next quarter's KGI target; ``0``: from ``params/targets.yml``.
    """

    what_if_rule: str
    next_kgi_target: float

    @cached_property
    def next_period(self) -> Period:
        """The quarter after the reviewed one (the one targets are re-set for)."""
        return next_period(self.period, calendar=self.workspace.calendar)

    @cached_property
    def what_if_scope(self) -> WhatIfScope:
        """The what-if's rule stage and sweep, or why there is none (events only, no history)."""
        from reviewkit.analysis.whatif_scope import what_if_scope

        return what_if_scope(self.definitions, score_history=self.available.has("score_history"))

    @cached_property
    def threshold_stage(self) -> ThresholdStage | None:
        """The stage whose threshold is swept (e.g. MQL: ``score >= 60``), if any."""
        return self.what_if_scope.sweep

    @cached_property
    def sweep(self) -> pd.DataFrame:
        """The threshold sweep of :attr:`threshold_stage` over the reviewed quarter."""
        from reviewkit.analysis.whatif import threshold_sweep

        if self.threshold_stage is None:
            return pd.DataFrame()
        return threshold_sweep(
            self.funnel, self.threshold_stage.key, start=self.period.start, end=self.period.end
        )

    @cached_property
    def proposed_rule(self) -> str:
        """The rule compared with the current one.

        The ``what_if_rule`` parameter; else the sweep's suggestion; else, for illustration, the
        next stricter threshold of the sweep (``""`` when there is none).
        """
        from reviewkit.analysis.whatif import suggest_threshold
        from reviewkit.model.rules import with_threshold

        if self.what_if_rule:
            return self.what_if_rule
        stage = self.threshold_stage
        if stage is None or self.sweep.empty:
            return ""
        value = suggest_threshold(self.sweep)
        if value is None:
            current = float(self.sweep.loc[self.sweep["current"], "threshold"].iloc[0])
            stricter = self.sweep.loc[self.sweep["threshold"] > current, "threshold"]
            if stricter.empty:
                return ""
            value = float(stricter.min())
        return with_threshold(stage.rule, value)

    @cached_property
    def rule_comparison(self) -> pd.DataFrame:
        """The current definition against :attr:`proposed_rule` over the reviewed quarter."""
        from reviewkit.analysis.whatif import compare_rule

        scope = self.what_if_scope
        if scope.stage is None or not scope.compares or not self.proposed_rule:
            return pd.DataFrame()
        return compare_rule(
            self.funnel, scope.stage, self.proposed_rule, start=self.period.start,
            end=self.period.end,
        )  # fmt: skip

    @cached_property
    def next_months(self) -> list[Period]:
        """The months of the next quarter."""
        from reviewkit.analysis.target_plan import quarter_months

        return quarter_months(self.next_period, calendar=self.workspace.calendar)

    @cached_property
    def kgi_target(self) -> KgiTarget:
        """Next quarter's KGI target per month (parameter, else ``params/targets.yml``)."""
        from reviewkit.analysis.kgi_target import next_quarter_target

        return next_quarter_target(
            self.targets, self.funnel, self.next_period, calendar=self.workspace.calendar,
            override=self.next_kgi_target or None,
        )  # fmt: skip

    @cached_property
    def plan_variants(self) -> pd.DataFrame:
        """The KPI tree's rates and deal size each variant assumes (the last 12 months)."""
        from reviewkit.analysis.target_plan import plan_variants, recent_rates

        rates = recent_rates(self.funnel, self.period, calendar=self.workspace.calendar)
        return plan_variants(rates)

    @cached_property
    def planned(self) -> tuple[pd.DataFrame, pd.DataFrame, str]:
        """``(plan, comparison with the current targets, why there is none)``."""
        from reviewkit.analysis.plan_solving import back_solve, compare_with_targets
        from reviewkit.errors import DataError

        target = self.kgi_target
        if target.by_month is None:
            kgi = self.definitions.kgi.label(self.lang)
            return pd.DataFrame(), pd.DataFrame(), target.message(self.lang, kgi=kgi) or ""
        blocked = self._blocked_plan()
        if blocked:
            return pd.DataFrame(), pd.DataFrame(), blocked
        try:
            plan = back_solve(target.by_month, self.plan_variants, definitions=self.definitions)
        except DataError as exc:
            return pd.DataFrame(), pd.DataFrame(), str(exc)
        comparison = compare_with_targets(
            plan, self.targets, months=self.next_months, definitions=self.definitions
        )
        return plan, comparison, ""

    def _blocked_plan(self) -> str:
        """The line saying which driver the plan cannot go through for lack of data, or ``""``."""
        from reviewkit.analysis.plan_solving import blocked_drivers

        blocked = blocked_drivers(self.plan_variants, definitions=self.definitions)
        if not blocked:
            return ""
        first, lang = blocked[0], self.lang
        label = partial(metric_label, self.definitions, lang=lang)
        join = t("summary.join", lang)
        gaps = first.no_data_months
        if len(gaps) > 3:
            months = t("missing.plan_months_range", lang, n=len(gaps), first=gaps[0], last=gaps[-1])
        elif gaps:
            months = t("missing.plan_months", lang, months=join.join(gaps))
        else:
            months = t("missing.plan_months_none", lang)
        return t(
            "missing.plan_driver", lang, driver=label(first.driver), months=months,
            stages=join.join((label(first.denominator), label(first.numerator))),
        )  # fmt: skip

    @cached_property
    def draft_targets(self) -> str:
        """The expected variant as a draft targets file (YAML), or ``""`` without a plan."""
        from reviewkit.analysis.draft_targets import draft_targets_yaml

        plan, _, _ = self.planned
        scope = self.scope
        if plan.empty or (scope is not None and len(scope.values) > 1):
            return ""  # a group of values has no targets of its own in targets.yml
        return draft_targets_yaml(
            plan, variant="expected", months=self.next_months,
            period_label=self.next_period.label,
            generated_from=f"quarterly review {self.period.label}, as of {self.as_of.isoformat()}",
            rates=self.plan_variants, lang=self.lang, proration=self.targets.proration,
            segment=None if scope is None else (scope.column, scope.values[0]),
        )  # fmt: skip

    @property
    def draft_name(self) -> str:
        """The draft targets file's name."""
        return f"targets-draft-{self.next_period.label}.yml"
