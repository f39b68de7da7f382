"""The quarterly review: re-evaluate the KPIs themselves and re-set the targets.

:func:`reviewkit.review.open.open_review` returns a :class:`QuarterlyReview` for the quarterly
cadence. Its sections, in agenda order:

- KPI status: the scorecard, trends quarter over quarter and year over year (maturing cohorts
  marked), the rates over eight quarters, where the company sits against published benchmarks;
- re-evaluating the KPIs: which leading KPIs still track the KGI (lag, elasticity), which moved
  alone, which matter more than their targets suggest; what a rule-based stage's threshold trades;
- re-setting targets: next quarter's funnel back-solved from its KGI target at recent rates, in
  three variants, against the current targets, and a draft targets file next to the pack
  (the what-if's and the plan's data: :mod:`reviewkit.review.quarterly_inputs`);
- actions: what the quarter's improvement actions achieved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar

import pandas as pd

from reviewkit.core.context import PackContext
from reviewkit.core.periods import Cadence
from reviewkit.core.workspace import Workspace
from reviewkit.i18n.formatting import format_period
from reviewkit.i18n.texts import t
from reviewkit.model.scope import Scope
from reviewkit.present.charts.house import PackChart
from reviewkit.present.glossary import metric_label
from reviewkit.present.html import Html
from reviewkit.present.sections import quarterly as sections
from reviewkit.review.explorer import Explorable
from reviewkit.review.quarterly_inputs import QuarterlyInputs

if TYPE_CHECKING:
    from reviewkit.analysis.benchmarks import Benchmarks
    from reviewkit.analysis.relevance import Relevance
    from reviewkit.model.actions import Action


RATE_QUARTERS = 8  # the rates chart's quarters
YEAR_ON_YEAR = 5  # quarters a comparison with the same quarter a year earlier needs


class QuarterlyReview(Explorable, QuarterlyInputs):
    """A quarterly review (see the module docstring).

    Parameters
    ----------
    what_if_rule
        A proposed rule for the what-if's rule stage (e.g. ``"score >= 70"``), compared with the
        current definition over the reviewed quarter; ``""``: the sweep's suggestion. Refused
        (:class:`~reviewkit.errors.ParameterError`) for a funnel without a rule stage.
    next_kgi_target
        Next quarter's KGI target (the quarter's total); ``0``: from ``params/targets.yml``.
    """

    cadence: ClassVar[Cadence] = "quarterly"
    recent_periods: ClassVar[int] = 8

    def __init__(
        self,
        *,
        workspace: Workspace,
        as_of: dt.date,
        lang: str,
        what_if_rule: str = "",
        next_kgi_target: float = 0,
        scope: Scope | None = None,
        title: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(workspace=workspace, as_of=as_of, lang=lang, scope=scope, title=title)
        from reviewkit.analysis.kgi_target import check_next_kgi_target
        from reviewkit.analysis.whatif_scope import check_what_if_rule

        self.what_if_rule = check_what_if_rule(self.definitions, what_if_rule)
        self.next_kgi_target = check_next_kgi_target(self.definitions, next_kgi_target) or 0.0

    # -- KPI status ------------------------------------------------------------------------------

    @cached_property
    def trend_frame(self) -> pd.DataFrame:
        """Every stage, tree rate and the KGI: this quarter, the previous one, a year earlier."""
        from reviewkit.analysis.trends import quarter_trends

        return quarter_trends(self.funnel, self.period, calendar=self.workspace.calendar)

    def trends(self) -> Html:
        """Trends quarter over quarter and year over year, maturing cohorts marked."""
        from reviewkit.present.sections.trends import trends_table

        title = t("trends.title", self.lang)
        if self.no_data is not None:
            return sections.titled("trends", title, self.no_data)
        table = trends_table(
            self.trend_frame, definitions=self.definitions, lang=self.lang, currency=self.currency
        )
        return sections.titled("trends", title, table)

    def rates_chart(self) -> PackChart | Html:
        """The KPI tree's rates over the last eight quarters (maturing quarters hollow).

        With fewer quarters of history, the quarters before the data are left out and a note
        says how many there are and what needs more.
        """
        from reviewkit.analysis.trends import quarter_series
        from reviewkit.present.charts.trends import rates_chart

        series = quarter_series(
            self.funnel, self.period, calendar=self.workspace.calendar, quarters=RATE_QUARTERS
        )
        known = series[series["value"].notna()]
        if known.empty:
            return sections.missing_line(t("quarterly.rates.none", self.lang))
        first = known["start"].min()
        if series["start"].min() >= first:
            return rates_chart(series, definitions=self.definitions, lang=self.lang)
        shown = series[series["start"] >= first]
        chart = rates_chart(shown, definitions=self.definitions, lang=self.lang)
        return sections.rates_over_quarters(
            chart, shown=shown, most=RATE_QUARTERS, year=YEAR_ON_YEAR, lang=self.lang
        )

    @cached_property
    def benchmark_set(self) -> Benchmarks:
        """The reference ranges of ``params/benchmarks.yml`` (empty when there is none)."""
        from reviewkit.analysis.benchmarks import load_benchmarks

        return load_benchmarks(self.workspace, definitions=self.definitions)

    def benchmarks(self) -> Html:
        """Where the company sits against published ranges (context, never targets)."""
        from reviewkit.analysis.benchmark_positions import benchmark_positions
        from reviewkit.present.sections.benchmarks import benchmarks_html

        frame = benchmark_positions(
            self.benchmark_set, self.funnel, self.period, available=self.available
        )
        body = benchmarks_html(
            frame, self.benchmark_set, definitions=self.definitions, lang=self.lang,
            currency=self.currency,
        )  # fmt: skip
        return sections.titled("benchmarks", t("benchmarks.title", self.lang), body)

    # -- re-evaluating the KPIs ------------------------------------------------------------------

    @cached_property
    def relevance_results(self) -> dict[str, Relevance]:
        """Leading KPIs against the KGI and against its volume (the last stage's count)."""
        from reviewkit.analysis.relevance import relevance_results
        from reviewkit.analysis.relevance_series import monthly_series

        series = monthly_series(self.funnel, self.period, calendar=self.workspace.calendar)
        return relevance_results(series, definitions=self.definitions)

    @cached_property
    def underweighted_frame(self) -> pd.DataFrame:
        """Drivers that matter more than their current targets suggest."""
        from reviewkit.analysis.underweighted import underweighted

        return underweighted(
            self.relevance_results, targets=self.targets, funnel=self.funnel,
            next_period=self.next_period, definitions=self.definitions,
        )  # fmt: skip

    def relevance(self) -> Html:
        """Which leading KPIs still track the KGI, which moved alone, which are under-targeted.

        With too few months of history (or no leading KPI with data), one line says so.
        """
        from reviewkit.present.sections.relevance import relevance_body

        lang = self.lang
        title = t("relevance.title", lang, kgi=self.definitions.kgi.label(lang))
        body = relevance_body(
            self.relevance_results, self.underweighted_frame, definitions=self.definitions,
            lang=lang, currency=self.currency,
        )  # fmt: skip
        return sections.titled("relevance", title, body)

    def relevance_chart(self) -> PackChart | Html:
        """Correlation of each leading KPI with the KGI at each lag (months); none when too few."""
        from reviewkit.present.sections.relevance import relevance_chart, relevance_shown

        if not relevance_shown(self.relevance_results):
            return Html("")
        return relevance_chart(self.relevance_results, definitions=self.definitions, lang=self.lang)

    def what_if(self) -> Html:
        """How the threshold trades volume for quality; what a proposed rule would have given.

        Without a rule stage to sweep or compare (every stage an event, or no score history
        for a rule that replays it), one line says why and what would enable it.
        """
        from reviewkit.present.sections.whatif import absent_html, skipped_html, whatif_html

        lang = self.lang
        scope = self.what_if_scope
        if scope.stage is None:
            title = t("whatif.title_any", lang)
        else:
            label = metric_label(self.definitions, scope.stage, lang=lang)
            title = t("whatif.title", lang, stage=label)
        absent = absent_html(scope, definitions=self.definitions, lang=lang)
        if scope.stage is None or (scope.sweep is None and self.rule_comparison.empty):
            return sections.titled("what_if", title, absent)
        body = whatif_html(
            self.sweep, self.rule_comparison, definitions=self.definitions, stage=scope.stage,
            period_name=format_period(self.period, lang=lang), lang=lang, currency=self.currency,
        )  # fmt: skip
        skipped = skipped_html(self.definitions, lang=lang)
        return sections.titled("what_if", title, Html(body.html + skipped.html, text=body.text))

    def what_if_chart(self) -> PackChart | Html:
        """The sweep as a chart: volume against the next stage's rate, the current rule marked."""
        from reviewkit.present.charts.sweep import sweep_chart

        stage = self.threshold_stage
        if stage is None or self.sweep.empty:
            return Html("")
        lang = self.lang
        return sweep_chart(
            self.sweep, stage_label=metric_label(self.definitions, stage.key, lang=lang),
            next_label=metric_label(self.definitions, stage.next_stage, lang=lang),
            kgi_label=self._kgi_label(), lang=lang, currency=self.currency,
            last_label=metric_label(self.definitions, stage.last_stage, lang=lang),
            revenue=self.definitions.kgi_is_revenue,
        )  # fmt: skip

    # -- re-setting targets ----------------------------------------------------------------------

    def _plan_sentence(self) -> str:
        from reviewkit.present.sections.target_plan import plan_sentence

        _, comparison, _ = self.planned
        return plan_sentence(
            comparison, kgi_target=self.kgi_target, definitions=self.definitions, lang=self.lang,
            currency=self.currency,
        )  # fmt: skip

    def target_proposal(self) -> Html:
        """Next quarter's targets back-solved from its KGI target, against the current targets.

        When the pack is built by ``reviewkit run``, the expected variant is also written as a
        draft targets file next to the pack (never over ``params/targets.yml``).
        """
        from reviewkit.present.sections.target_plan import plan_table, rates_table
        from reviewkit.review.drafts import write_draft

        lang, currency = self.lang, self.currency
        plan, comparison, reason = self.planned
        described = self.kgi_target.describe(
            definitions=self.definitions, lang=lang, currency=currency
        )
        if plan.empty:
            return sections.no_plan(reason, lang=lang)
        tables = [
            rates_table(self.plan_variants, definitions=self.definitions, lang=lang,
                        currency=currency, comparison=comparison),
            plan_table(comparison, definitions=self.definitions, lang=lang, currency=currency),
        ]  # fmt: skip
        context = PackContext.current() if self.draft_targets else None
        if context is not None:  # a pack being built: the draft is published next to it
            context.register(write_draft(
                self.draft_targets, context.folder, period_label=self.next_period.label,
                params_dir=self.workspace.params_dir,
            ).name)  # fmt: skip
        return sections.plan_section(
            self._plan_sentence(), described=described, tables=tables, draft=self.draft_targets,
            draft_name=self.draft_name, written=context is not None, lang=lang,
        )  # fmt: skip

    # -- actions ---------------------------------------------------------------------------------

    @cached_property
    def quarter_actions(self) -> list[Action]:
        """The actions under way during the quarter (started by its end, not closed before it)."""
        return [
            a
            for a in self.register
            if a.start < self.period.end
            and (a.closed_on is None or a.closed_on >= self.period.start)
        ]

    @cached_property
    def quarter_effects(self) -> list[dict[str, object]]:
        """Each of the quarter's actions measured as of the review."""
        return self.measure(self.quarter_actions)

    def _actions_counts(self) -> str:
        from reviewkit.present.sections.actions import verdict_counts

        if not self.quarter_actions:
            return t("quarterly.actions_review.short", self.lang)
        counts = verdict_counts(self.quarter_effects)
        return t("cycle.counts", self.lang, n=len(self.quarter_actions), **counts)

    def actions_review(self) -> Html:
        """What the quarter's improvement actions achieved, by cause family."""
        from reviewkit.present.sections.actions import outcomes_by_family
        from reviewkit.present.sections.effects import effects_table

        if not self.quarter_actions:
            return sections.actions_review_section("", families=None, table=None, lang=self.lang)
        families = outcomes_by_family(self.quarter_actions, self.quarter_effects, lang=self.lang)
        titles = {a.id: a.title for a in self.quarter_actions}
        table = effects_table(self.quarter_effects, definitions=self.definitions, lang=self.lang,
                              titles=titles)  # fmt: skip
        return sections.actions_review_section(
            self._actions_counts(), families=families, table=table, lang=self.lang
        )

    # -- summary ---------------------------------------------------------------------------------

    def first_screen(self) -> Html:
        """The first screen: the KGI, which KPIs still predict it, the rule's trade, the targets."""
        from reviewkit.present.sections.relevance import relevance_sentences
        from reviewkit.present.sections.whatif import whatif_sentences

        if self.no_data is not None:
            return self.no_data
        lang = self.lang
        headline = self._kgi_headline()
        relevance = relevance_sentences(
            self.relevance_results, self.underweighted_frame, definitions=self.definitions,
            lang=lang, currency=self.currency,
        )  # fmt: skip
        what_if = None
        if self.threshold_stage is not None and not self.sweep.empty:
            what_if = whatif_sentences(
                self.sweep, definitions=self.definitions, stage=self.threshold_stage.key,
                period_name=format_period(self.period, lang=lang), lang=lang,
                currency=self.currency,
            )  # fmt: skip
        plan, _, reason = self.planned
        return sections.quarterly_summary_html(
            headline, relevance=relevance, what_if=what_if,
            plan=reason if plan.empty else self._plan_sentence(),
            actions=self._actions_counts(), lang=lang,
        )  # fmt: skip
