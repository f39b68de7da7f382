"""The quarterly review: re-evaluate the KPIs themselves and re-set the targets.

:func:`reviewkit.review.base.open_review` returns a :class:`QuarterlyReview` for the quarterly
cadence. Its sections, in agenda order:

- KPI status: the scorecard, trends quarter over quarter and year over year (maturing cohorts
  marked), the rates over eight quarters, where the company sits against published benchmarks;
- re-evaluating the KPIs: which leading KPIs still track the KGI (lag, elasticity), which moved
  alone, which matter more than their targets suggest; what a rule-based stage's threshold trades;
- re-setting targets: next quarter's funnel back-solved from its KGI target at recent rates, in
  three variants, against the current targets, and a draft targets file next to the pack;
- actions: what the quarter's improvement actions achieved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cached_property, partial
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import quote

import pandas as pd

from reviewkit.core.context import PackContext
from reviewkit.core.periods import Period, next_period
from reviewkit.i18n.formatting import format_period
from reviewkit.i18n.texts import t
from reviewkit.model.scope import Scope
from reviewkit.present.charts.house import PackChart
from reviewkit.present.glossary import metric_label
from reviewkit.present.html import Html, note_html
from reviewkit.review.base import Review

if TYPE_CHECKING:
    from reviewkit.analysis.benchmarks import Benchmarks
    from reviewkit.analysis.relevance import Relevance
    from reviewkit.analysis.target_plan import KgiTarget
    from reviewkit.analysis.whatif import ThresholdStage
    from reviewkit.analysis.whatif_scope import WhatIfScope
    from reviewkit.model.actions import Action


RATE_QUARTERS = 8  # the rates chart's quarters
YEAR_ON_YEAR = 5  # quarters a comparison with the same quarter a year earlier needs


def _h3(anchor: str, title: str) -> str:
    return f'<h3 class="rk-subsection" id="{escape(anchor)}">{escape(title)}</h3>'


class QuarterlyReview(Review):
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

    def __init__(
        self,
        *,
        workspace: object,
        as_of: dt.date,
        lang: str,
        what_if_rule: str = "",
        next_kgi_target: float = 0,
        scope: Scope | None = None,
        title: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            "quarterly",
            workspace=workspace,
            as_of=as_of,
            lang=lang,
            scope=scope,
            title=title,  # type: ignore[arg-type]
        )
        from reviewkit.analysis.target_plan import check_next_kgi_target
        from reviewkit.analysis.whatif_scope import check_what_if_rule

        self.what_if_rule = check_what_if_rule(self.definitions, what_if_rule)
        self.next_kgi_target = check_next_kgi_target(self.definitions, next_kgi_target) or 0.0

    @cached_property
    def next_period(self) -> Period:
        """The quarter after the reviewed one (the one targets are re-set for)."""
        return next_period(self.period, calendar=self.workspace.calendar)

    # -- KPI status ------------------------------------------------------------------------------

    @cached_property
    def trend_frame(self) -> pd.DataFrame:
        """Every stage, tree rate and the KGI: this quarter, the previous one, a year earlier."""
        from reviewkit.analysis.trends import quarter_trends

        return quarter_trends(self.funnel, self.period, calendar=self.workspace.calendar)

    def trends(self) -> Html:
        """Trends quarter over quarter and year over year, maturing cohorts marked."""
        from reviewkit.analysis.trends import trends_table

        title = _h3("trends", t("trends.title", self.lang))
        if self.no_data is not None:
            return Html(title + self.no_data.html, text=self.no_data.text)
        table = trends_table(
            self.trend_frame, definitions=self.definitions, lang=self.lang, currency=self.currency
        )
        return Html(title + table.html, text=table.text)

    def rates_chart(self) -> PackChart | Html:
        """The KPI tree's rates over the last eight quarters (maturing quarters hollow).

        With fewer quarters of history, the quarters before the data are left out and a note
        says how many there are and what needs more.
        """
        from reviewkit.analysis.trends import quarter_series, rates_chart

        series = quarter_series(
            self.funnel, self.period, calendar=self.workspace.calendar, quarters=RATE_QUARTERS
        )
        known = series[series["value"].notna()]
        if known.empty:
            text = t("quarterly.rates.none", self.lang)
            return Html(f'<p class="rk-missing">{escape(text)}</p>', text=text)
        first = known["start"].min()
        if series["start"].min() >= first:
            return rates_chart(series, definitions=self.definitions, lang=self.lang)
        shown = series[series["start"] >= first]
        chart = rates_chart(shown, definitions=self.definitions, lang=self.lang)
        n = shown["label"].nunique()
        start = format_period(shown["period"].iloc[0], lang=self.lang)
        note = t("quarterly.rates.short", self.lang, n=n, first=start, most=RATE_QUARTERS,
                 year=YEAR_ON_YEAR)  # fmt: skip
        return Html(chart._repr_html_() + note_html(note), text=note)

    @cached_property
    def benchmark_set(self) -> Benchmarks:
        """The reference ranges of ``params/benchmarks.yml`` (empty when there is none)."""
        from reviewkit.analysis.benchmarks import load_benchmarks

        return load_benchmarks(self.workspace, definitions=self.definitions)

    def benchmarks(self) -> Html:
        """Where the company sits against published ranges (context, never targets)."""
        from reviewkit.analysis.benchmarks import benchmark_positions, benchmarks_html

        title = _h3("benchmarks", t("benchmarks.title", self.lang))
        frame = benchmark_positions(
            self.benchmark_set, self.funnel, self.period, available=self.available
        )
        body = benchmarks_html(
            frame, self.benchmark_set, definitions=self.definitions, lang=self.lang,
            currency=self.currency,
        )  # fmt: skip
        return Html(title + body.html, text=body.text)

    # -- re-evaluating the KPIs ------------------------------------------------------------------

    @cached_property
    def relevance_results(self) -> dict[str, Relevance]:
        """Leading KPIs against the KGI and against its volume (the last stage's count)."""
        from reviewkit.analysis.relevance import monthly_series, relevance_results

        series = monthly_series(self.funnel, self.period, calendar=self.workspace.calendar)
        return relevance_results(series, definitions=self.definitions)

    @cached_property
    def underweighted_frame(self) -> pd.DataFrame:
        """Drivers that matter more than their current targets suggest."""
        from reviewkit.analysis.relevance import underweighted

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
        title = _h3("relevance", t("relevance.title", lang, kgi=self.definitions.kgi.label(lang)))
        body = relevance_body(
            self.relevance_results, self.underweighted_frame, definitions=self.definitions,
            lang=lang, currency=self.currency,
        )  # fmt: skip
        return Html(title + body.html, text=body.text)

    def relevance_chart(self) -> PackChart | Html:
        """Correlation of each leading KPI with the KGI at each lag (months); none when too few."""
        from reviewkit.present.sections.relevance import relevance_chart, relevance_shown

        if not relevance_shown(self.relevance_results):
            return Html("")
        return relevance_chart(self.relevance_results, definitions=self.definitions, lang=self.lang)

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

    def what_if(self) -> Html:
        """How the threshold trades volume for quality; what a proposed rule would have given.

        Without a rule stage to sweep or compare (every stage an event, or no score history
        for a rule that replays it), one line says why and what would enable it.
        """
        from reviewkit.present.sections.whatif import absent_html, skipped_html, whatif_html

        lang = self.lang
        scope = self.what_if_scope
        if scope.stage is None:
            title = _h3("what_if", t("whatif.title_any", lang))
        else:
            label = metric_label(self.definitions, scope.stage, lang=lang)
            title = _h3("what_if", t("whatif.title", lang, stage=label))
        absent = absent_html(scope, definitions=self.definitions, lang=lang)
        if scope.stage is None or (scope.sweep is None and self.rule_comparison.empty):
            return Html(title + absent.html, text=absent.text)
        body = whatif_html(
            self.sweep, self.rule_comparison, definitions=self.definitions, stage=scope.stage,
            period_name=format_period(self.period, lang=lang), lang=lang, currency=self.currency,
        )  # fmt: skip
        skipped = skipped_html(self.definitions, lang=lang)
        return Html(title + body.html + skipped.html, text=body.text)

    def what_if_chart(self) -> PackChart | Html:
        """The sweep as a chart: volume against the next stage's rate, the current rule marked."""
        from reviewkit.present.sections.whatif import sweep_chart

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

    @cached_property
    def next_months(self) -> list[Period]:
        """The months of the next quarter."""
        from reviewkit.analysis.target_plan import quarter_months

        return quarter_months(self.next_period, calendar=self.workspace.calendar)

    @cached_property
    def kgi_target(self) -> KgiTarget:
        """Next quarter's KGI target per month (parameter, else ``params/targets.yml``)."""
        from reviewkit.analysis.target_plan import next_quarter_target

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
        from reviewkit.analysis.target_plan import back_solve, compare_with_targets
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
        from reviewkit.analysis.target_plan import blocked_drivers

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
        from reviewkit.analysis.target_plan import draft_targets_yaml

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
        from reviewkit.analysis.target_plan import write_draft
        from reviewkit.present.sections.target_plan import plan_table, rates_table

        lang = self.lang
        parts = [_h3("plan", t("plan.title", lang))]
        plan, comparison, reason = self.planned
        described = self.kgi_target.describe(
            definitions=self.definitions, lang=lang, currency=self.currency
        )
        if plan.empty:
            parts.append(f'<p class="rk-missing">{escape(reason)}</p>')
            return Html("".join(parts), text=reason)
        sentence = self._plan_sentence()
        parts.append(f'<p class="rk-lead">{escape(sentence)}</p>')
        if described:
            parts.append(f'<p class="rk-note">{escape(described)}</p>')
        parts.append(
            rates_table(self.plan_variants, definitions=self.definitions, lang=lang,
                        currency=self.currency, comparison=comparison).html
        )  # fmt: skip
        parts.append(
            plan_table(
                comparison, definitions=self.definitions, lang=lang, currency=self.currency
            ).html
        )
        if not self.draft_targets:
            parts.append(note_html(t("quarterly.plan.group", lang)))
            return Html("".join(parts), text=sentence)
        variant = t("plan.variant.expected", lang)
        href = "data:text/yaml;charset=utf-8," + quote(self.draft_targets)
        label = escape(t("quarterly.plan.download", lang, variant=variant))
        parts.append(
            f'<p class="rk-download"><a href="{escape(href)}" '
            f'download="{escape(self.draft_name)}">{label}</a></p>'
        )
        context = PackContext.current()
        if context is not None:  # a pack being built: the draft is published next to it
            context.register(write_draft(
                self.draft_targets, context.folder, period_label=self.next_period.label,
                params_dir=self.workspace.params_dir,
            ).name)  # fmt: skip
        key = "quarterly.plan.written" if context else "quarterly.plan.not_written"
        parts.append(note_html(t(key, lang, file=self.draft_name)))
        return Html("".join(parts), text=sentence)

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

        lang = self.lang
        title = _h3("actions_review", t("quarterly.actions_review.title", lang))
        if not self.quarter_actions:
            note = t("quarterly.actions_review.none", lang)
            return Html(title + note_html(note), text=note)
        counts = self._actions_counts()
        families = outcomes_by_family(self.quarter_actions, self.quarter_effects, lang=lang)
        titles = {a.id: a.title for a in self.quarter_actions}
        table = effects_table(self.quarter_effects, definitions=self.definitions, lang=lang,
                              titles=titles)  # fmt: skip
        lead = f'<p class="rk-lead">{escape(counts)}</p>'
        return Html(title + lead + families.html + table.html, text=counts)

    # -- summary ---------------------------------------------------------------------------------

    def summary(self) -> Html:
        """The first screen: the KGI, which KPIs still predict it, the rule's trade, the targets."""
        from reviewkit.present.sections.relevance import relevance_sentences
        from reviewkit.present.sections.whatif import whatif_sentences

        if self.no_data is not None:
            return self.no_data
        lang = self.lang
        first = self._kgi_headline()
        items = [f'{escape(first)} <a href="#trends">→</a>']
        for sentence in relevance_sentences(
            self.relevance_results, self.underweighted_frame, definitions=self.definitions,
            lang=lang, currency=self.currency,
        ):  # fmt: skip
            items.append(f'{escape(sentence)} <a href="#relevance">→</a>')
        if self.threshold_stage is not None and not self.sweep.empty:
            said = whatif_sentences(
                self.sweep, definitions=self.definitions, stage=self.threshold_stage.key,
                period_name=format_period(self.period, lang=lang), lang=lang,
                currency=self.currency,
            )  # fmt: skip
            text = t("summary.join_sentences", lang).join(said[:2])
            items.append(f'{escape(text)} <a href="#what_if">→</a>')
        plan, _, reason = self.planned
        text = reason if plan.empty else self._plan_sentence()
        items.append(f'{escape(text)} <a href="#plan">→</a>')
        actions = self._actions_counts()
        items.append(
            f"{escape(t('summary.quarterly.actions', lang, text=actions))} "
            '<a href="#actions_review">→</a>'
        )
        body = "".join(f"<li>{item}</li>" for item in items)
        return Html(f'<div class="rk-summary"><ul>{body}</ul></div>', text=first)
