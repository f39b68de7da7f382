"""The monthly review: why the KGI missed, where it came from, and what to do about it.

:func:`reviewkit.review.open.open_review` returns a :class:`MonthlyReview` for the monthly
cadence. Its own sections: the gap and its waterfall, where the drivers' change came from, the
three cause families, the checklist, the improvement proposals (prefilled in the decision sheet)
and the actions' effects; the rest is :class:`reviewkit.review.base.Review`'s.
"""

from __future__ import annotations

import json
import math
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar

import pandas as pd

from reviewkit.core.context import PackContext
from reviewkit.core.periods import Cadence, periods_before
from reviewkit.errors import ParameterError
from reviewkit.i18n.texts import t
from reviewkit.present.charts.house import PackChart
from reviewkit.present.html import Html
from reviewkit.present.sections.meeting import decisions_html
from reviewkit.review.base import Review
from reviewkit.review.explorer import Explorable

if TYPE_CHECKING:
    from reviewkit.analysis.splits import PeriodPeople
    from reviewkit.present.sections.causes import CauseInputs

CAUSE_FAMILIES = ("target", "content", "follow_up")


class MonthlyReview(Explorable, Review):
    """A monthly review (see the module docstring)."""

    cadence: ClassVar[Cadence] = "monthly"
    recent_periods: ClassVar[int] = 12

    def first_screen(self) -> Html:
        """How far the KGI missed, the driver that cost most, and the top cause of each family."""
        from reviewkit.analysis.checklist import checklist_counts
        from reviewkit.present.sections.actions import verdict_counts
        from reviewkit.present.sections.monthly_summary import monthly_summary_html

        if self.no_data is not None:
            return self.no_data
        actions = ""
        if self.effect_rows:
            counts = verdict_counts(self.effect_rows)
            actions = t("cycle.counts", self.lang, n=len(self.effect_rows), **counts)
        return monthly_summary_html(
            self._kgi_headline(), self.attribution, self.findings, timing=self.timing,
            definitions=self.definitions, dimensions=self.funnel.dimensions,
            split_dimensions=self.funnel.split_dimensions,
            checklist=checklist_counts(self.checklist_frame),
            proposals=len(self.proposal_frame), actions=actions, period=self.period,
            lang=self.lang, currency=self.currency,
        )  # fmt: skip

    # -- why the KGI missed ----------------------------------------------------------------------

    @cached_property
    def attribution(self) -> pd.DataFrame:
        """The KGI's gaps split across the KPI tree.

        See :func:`reviewkit.analysis.gap.gap_attribution`.
        """
        from reviewkit.analysis.gap import GAP_COLUMNS, gap_attribution

        if self.gaps.tree_drivers(self.definitions):  # a driver without data: no split
            return pd.DataFrame(columns=GAP_COLUMNS)
        return gap_attribution(self.figures, funnel=self.funnel)

    @cached_property
    def timing(self) -> pd.DataFrame:
        """Which rate drivers of the gap fell only by timing.

        See :func:`reviewkit.analysis.timing.gap_timing`.

        Each rate that cost the KGI is compared on the period basis and at equal age with the
        previous period (for the target and previous comparisons) or last year's.
        """
        from reviewkit.analysis.timing import gap_timing
        from reviewkit.core.periods import same_period_last_year

        periods = {
            "actual": self.period, "previous": self.previous,
            "last_year": same_period_last_year(self.period, calendar=self.workspace.calendar),
        }  # fmt: skip
        return gap_timing(self.funnel, self.attribution, periods)

    def gap(self) -> Html:
        """How far the KGI missed its target, the previous and last year's month, and why."""
        from reviewkit.present.sections.gap import gap_section, tree_missing

        missing = self.no_data or tree_missing(
            self.gaps.tree_drivers(self.definitions), definitions=self.definitions, lang=self.lang
        )
        return gap_section(
            self.attribution, missing=missing, timing=self.timing, definitions=self.definitions,
            kgi_label=self._kgi_label(), period=self.period, lang=self.lang,
            currency=self.currency,
        )  # fmt: skip

    def gap_chart(self) -> PackChart | Html:
        """The gap as a waterfall, one bar per KPI-tree driver (a dropdown per comparison).

        A rate whose fall is timing (:attr:`timing`) is drawn grey, not as a miss. Without a
        split (a driver without data, see :meth:`gap`) nothing is drawn.
        """
        from reviewkit.present.sections.gap import waterfall

        if self.no_data is not None or self.attribution.empty:
            return Html("", text=t("missing.what.gap", self.lang))
        return waterfall(
            self.attribution, definitions=self.definitions, kgi_label=self._kgi_label(),
            lang=self.lang, currency=self.currency, timing=self.timing,
        )  # fmt: skip

    # -- where and why ---------------------------------------------------------------------------

    @cached_property
    def people(self) -> PeriodPeople:
        """Stage entries of the period and the previous one, person by person."""
        from reviewkit.analysis.splits import period_people

        return period_people(self.funnel, self.period, baseline=self.previous)

    @cached_property
    def teams(self) -> pd.DataFrame:
        """First touch by sales team, this period against the previous one."""
        from reviewkit.analysis.followup_month import team_follow_up

        return team_follow_up(self.funnel, self.period, baseline=self.previous)

    @cached_property
    def findings(self) -> pd.DataFrame:
        """Ranked findings of the three cause families (see :mod:`reviewkit.analysis.causes`)."""
        from reviewkit.analysis.causes import cause_findings

        return cause_findings(
            self.people, self.attribution, self.figures, definitions=self.definitions,
            dimensions=self.funnel.split_dimensions, teams=self.teams,
        )  # fmt: skip

    @cached_property
    def cause_inputs(self) -> CauseInputs:
        """What the where- and cause sections are drawn from.

        See :mod:`reviewkit.present.sections.causes`.
        """
        from reviewkit.present.sections.causes import CauseInputs

        period, baseline = self._names()
        return CauseInputs(
            people=self.people, attribution=self.attribution, findings=self.findings,
            definitions=self.definitions, dimensions=self.funnel.split_dimensions,
            value_counts=self.funnel.value_counts, available=self.available, period=period,
            baseline=baseline, lang=self.lang, currency=self.currency,
        )  # fmt: skip

    def where(self) -> Html:
        """Which segments the drivers' change came from: heat map and drill-downs.

        Segment columns with no value or one value for everyone are left out (said once).
        """
        from reviewkit.present.sections.causes import where_html

        if self.no_data is not None:
            return self.no_data
        return where_html(self.cause_inputs)

    def causes(self, family: str) -> Html:
        """One cause family's section: ranked findings, with the family's own evidence.

        What the store lacks (content columns, campaign costs, teams, touches, opportunities)
        is said in one line, with the import that brings it.
        """
        from reviewkit.present.sections.causes import cause_html

        if family not in CAUSE_FAMILIES:
            raise ParameterError(
                f"family: {family!r} is not a cause family; use target, content or follow_up"
            )
        if self.no_data is not None:
            return self.no_data
        return cause_html(
            family, self.cause_inputs, funnel=self.funnel, teams=self.teams,
            period=self.period, baseline=self.previous,
        )  # fmt: skip

    # -- checklist -------------------------------------------------------------------------------

    def _spend(self) -> tuple[float, float]:
        """The first stage's campaign spend: this period, and the mean of the three before."""
        first = self.definitions.stage_keys[0]
        before = periods_before(self.period, 3, calendar=self.workspace.calendar)
        cost = self.definitions.cost_metric(first)
        spend = self.funnel.metric_frame([cost], [self.period, *before])
        return float(spend["numerator"].iloc[0]), float(spend["numerator"].iloc[1:].mean())

    @cached_property
    def checklist_frame(self) -> pd.DataFrame:
        """The ten questions assessed from this pack's evidence.

        See :mod:`reviewkit.analysis.checklist`.
        """
        from reviewkit.analysis.checklist import assess
        from reviewkit.analysis.checklist_evidence import Evidence
        from reviewkit.present.sections.monthly import driver_label, finding_label

        findings = self.findings.copy()
        findings["label"] = [
            finding_label(r, lang=self.lang, definitions=self.definitions)
            for r in findings.to_dict("records")
        ]
        findings["driver_label"] = [
            driver_label(self.definitions, str(d), lang=self.lang) for d in findings["driver"]
        ]
        have = Evidence(
            columns=self.funnel.split_dimensions, touches=self.available.has("touches"),
            teams=self.available.has("teams"),
            campaign_costs=self.available.has("campaign_costs"),
        )  # fmt: skip
        spend_now, spend_before = self._spend() if have.campaign_costs else (math.nan, math.nan)
        return assess(
            definitions=self.definitions, quality=self.quality, findings=findings,
            teams=self.teams if have.touches else None, spend_now=spend_now,
            spend_before=spend_before, period_last_day=self.period.last_day, as_of=self.as_of,
            lang=self.lang, currency=self.currency, evidence=have,
        )  # fmt: skip

    def checklist(self) -> Html:
        """The article's ten questions, each with a status and its evidence (or 'discuss')."""
        from reviewkit.present.sections.checklist import checklist_section

        return checklist_section(self.checklist_frame, lang=self.lang)

    # -- proposals and decisions -----------------------------------------------------------------

    @cached_property
    def proposal_frame(self) -> pd.DataFrame:
        """Improvement proposals, one per family's top finding.

        See :mod:`reviewkit.analysis.proposals`.
        """
        from reviewkit.analysis.proposals import proposals

        return proposals(
            self.findings, definitions=self.definitions, period=self.period, lang=self.lang
        )

    def _write_proposals(self) -> None:
        """While a pack is built, write the proposals next to it as ``proposals.json``."""
        context = PackContext.current()
        if context is None:
            return
        records = [
            {**{k: None if isinstance(v, float) and math.isnan(v) else v
                for k, v in r.items()},  # strict JSON: an unknown is null, never NaN
             "dims": list(r["dims"]), "values": list(r["values"]),
             "period": self.period.label, "lang": self.lang}
            for r in self.proposal_frame.to_dict("records")
        ]  # fmt: skip
        text = json.dumps(records, ensure_ascii=False, indent=1, default=str)
        context.publish("proposals.json", text)

    def proposals(self) -> Html:
        """The improvement proposals, ready to adopt.

        While a pack is built, they are also written next to it as ``proposals.json``, which
        ``reviewkit action add --from-proposal ID`` reads.
        """
        from reviewkit.present.sections.proposals import proposals_html

        self._write_proposals()
        period, baseline = self._names()
        return proposals_html(self.proposal_frame, definitions=self.definitions,
                              period=period, baseline=baseline, lang=self.lang,
                              currency=self.currency)  # fmt: skip

    def decisions(self) -> Html:
        """The meeting's decision sheet, to fill in (and print).

        Its first rows are the analysis' proposals, each with the command that records it in
        the actions register.
        """
        from reviewkit.present.sections.monthly import driver_label

        prefilled = []
        for r in self.proposal_frame.to_dict("records"):
            driver = driver_label(self.definitions, str(r["kpi"]), lang=self.lang)
            owner = t(f"owner.{r['owner']}", self.lang) if r["owner"] else ""
            prefilled.append({
                "decision": str(r["action"]), "target": f"{driver} — {r['segment']}",
                "owner": owner,
                "adopt": f"reviewkit action add --from-proposal {r['proposal_id']}",
            })  # fmt: skip
        return decisions_html(self.lang, prefilled=prefilled)

    # -- actions' effects ------------------------------------------------------------------------

    @cached_property
    def effect_rows(self) -> list[dict[str, object]]:
        """The measured effect of each action past its start (open, or closed recently)."""
        from reviewkit.present.sections.actions import measured

        return self.measure(measured(self.register, through=self.through))

    def effects(self) -> Html:
        """Did the actions work? Each one's KPI in its segment before and after, vs the rest."""
        from reviewkit.present.sections.effects import effects_section

        titles = {a.id: a.title for a in self.register}
        return effects_section(
            self.effect_rows, titles=titles, definitions=self.definitions, lang=self.lang
        )
