"""The weekly review: where the month and quarter stand against their pace, and what moved.

:func:`reviewkit.review.open.open_review` returns a :class:`WeeklyReview` for the weekly cadence.
Its own sections: the pace table and bullets, the week's anomaly alerts and the first-touch
follow-up; the rest (header, agenda, trend and funnel charts, decisions, actions, glossary) is
:class:`reviewkit.review.base.Review`'s.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, ClassVar

import pandas as pd

from reviewkit.core.periods import Cadence
from reviewkit.i18n.texts import t
from reviewkit.present.charts.house import PackChart
from reviewkit.present.glossary import glossary_table
from reviewkit.present.html import Html
from reviewkit.present.summary import summary_html
from reviewkit.review.base import Review
from reviewkit.review.explorer import Explorable

if TYPE_CHECKING:
    from reviewkit.analysis.followup import FollowUpPulse


class WeeklyReview(Explorable, Review):
    """A weekly review (see the module docstring)."""

    cadence: ClassVar[Cadence] = "weekly"
    recent_periods: ClassVar[int] = 13
    trend_dates: ClassVar[str] = "%m/%d"

    def first_screen(self) -> Html:
        """The first screen: where the month and quarter stand against their pace.

        It also says what needs attention (the largest alerts and the follow-up backlog).
        """
        from reviewkit.analysis.anomaly_detection import number_tested
        from reviewkit.present.sections.weekly import weekly_summary

        if self.no_data is not None:
            return self.no_data
        alerts, _ = self.weekly_alerts
        return summary_html(
            weekly_summary(
                self.pace_frame, alerts, self.pulse, definitions=self.definitions,
                kgi=self.funnel.kgi_key(), lang=self.lang, currency=self.currency,
                tested=number_tested(alerts),
            )
        )  # fmt: skip

    def kpi_heading(self) -> str:
        """What :meth:`kpi_statuses` are: the month to date against its pace."""
        return t("deliver.kpis.pace", self.lang)

    def kpi_statuses(self) -> list[dict[str, str]]:
        """The month to date against its pace, as the pace table's status column shows it."""
        from reviewkit.present.summary_record import pace_statuses

        if self.no_data is not None:
            return []
        return pace_statuses(
            self.pace_frame, definitions=self.definitions, lang=self.lang, currency=self.currency
        )

    # -- pace ------------------------------------------------------------------------------------

    @cached_property
    def pace_frame(self) -> pd.DataFrame:
        """Month and quarter to date against the pace.

        See :func:`reviewkit.analysis.pacing.pace_frame`.
        """
        from reviewkit.analysis.pacing import pace_frame

        metrics = list(dict.fromkeys([*self.definitions.stage_keys, self.funnel.kgi_key()]))
        frame = pace_frame(
            self.funnel, self.targets, week=self.period, through=self.through,
            calendar=self.workspace.calendar, metrics=metrics,
        )  # fmt: skip
        # a stage or KGI without any record is not behind: it has no data (said under the table)
        frame.loc[frame["metric"].isin(self.gaps.metrics(self.definitions)), "status"] = "no_data"
        return frame

    def pace(self) -> pd.DataFrame:
        """Pace, projection and required run rate of every stage and the KGI."""
        return self.pace_frame.copy()

    def pace_table(self, frame: pd.DataFrame) -> Html:
        """The weekly scorecard: the week, month and quarter to date, projection, run rate."""
        from reviewkit.present.sections.kpi_status import missing_lines
        from reviewkit.present.sections.pace import pace_note, pace_table

        if self.no_data is not None:
            return self.no_data
        table = pace_table(
            frame, self.card, definitions=self.definitions, lang=self.lang, currency=self.currency
        )
        note = pace_note(frame, calendar=self.workspace.calendar, lang=self.lang)
        return Html(table.html + note.html + missing_lines(self._gap_lines()), text=table.text)

    def pace_chart(self) -> PackChart | Html:
        """Pace bullets: to date, expected, projection and its range, as a share of target.

        Without a target for any period in progress (e.g. a segment with no targets of its
        own) there is no pace to draw: nothing is drawn, as the pace table above already
        says in one line which periods have no target.
        """
        from reviewkit.present.sections.pace import pace_bullets

        if self.no_data is not None:  # the pace table above says so
            return Html("", text=self.no_data.text)
        pace = self.pace_frame
        if not (~pace["closed"] & pace["target"].notna()).any():
            return Html("", text=t("pace.no_targets", self.lang))
        return pace_bullets(
            pace, definitions=self.definitions, lang=self.lang, currency=self.currency
        )

    # -- alerts and follow-up --------------------------------------------------------------------

    @cached_property
    def weekly_alerts(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The week's anomaly alerts and the weekly series they were found in."""
        from reviewkit.analysis.anomalies import weekly_alerts

        return weekly_alerts(
            self.funnel, week=self.period, calendar=self.workspace.calendar,
            dimensions=self.funnel.split_dimensions,
        )  # fmt: skip

    def alerts(self) -> Html:
        """The week's anomalies: what moved, by how much against normal, where, since when."""
        from reviewkit.present.sections.alerts import alerts_html

        if self.no_data is not None:
            return self.no_data
        alerts, series = self.weekly_alerts
        return alerts_html(
            alerts, series, definitions=self.definitions, calendar=self.workspace.calendar,
            lang=self.lang,
        )  # fmt: skip

    @cached_property
    def pulse(self) -> FollowUpPulse | None:
        """The follow-up pulse of the week.

        ``None`` without an SLA metric, or without touches in the store (everyone would look
        untouched).
        """
        from reviewkit.analysis.followup import follow_up_pulse

        if not self.available.has("touches"):
            return None
        return follow_up_pulse(self.funnel, week=self.period)

    def follow_up(self) -> Html:
        """Who is past the first-touch SLA and still waiting, by team, and the longest waiting.

        Without touches in the store, one line says which import brings them; without an SLA
        metric, the week's first touches without calling anyone late
        (:func:`reviewkit.present.sections.followup.follow_up_section`).
        """
        from reviewkit.present.sections.followup import follow_up_section

        return follow_up_section(
            self.funnel, self.pulse, week=self.period, available=self.available, lang=self.lang
        )

    # -- appendix --------------------------------------------------------------------------------

    def glossary(self) -> Html:
        """The definitions this pack used, each metric in plain words, and the agreement."""
        return glossary_table(self.definitions, lang=self.lang)
