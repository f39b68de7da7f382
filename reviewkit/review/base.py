"""The review a template is about: workspace, period, language and the store, in one object.

Templates call :func:`reviewkit.review.open.open_review` once, then ask the review for each
section's content::

    review = rk.open_review("monthly", workspace=workspace, as_of=as_of, lang=lang)
    review.header()

:class:`Review` holds what every cadence shares (the store, the funnel, the header, agenda,
scorecard, trend and funnel charts, decisions, actions, glossary and data quality); each cadence
adds its own sections in :mod:`reviewkit.review.weekly`, :mod:`reviewkit.review.monthly` and
:mod:`reviewkit.review.quarterly`. Its methods gather data from the analysis layer and hand it to
:mod:`reviewkit.present.sections` for the HTML.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

import pandas as pd

from reviewkit.analysis.scorecard import target_for
from reviewkit.core.context import PackContext
from reviewkit.core.periods import Period, periods_before
from reviewkit.errors import ParameterError
from reviewkit.i18n.formatting import format_period
from reviewkit.i18n.texts import t
from reviewkit.present.agenda import position
from reviewkit.present.charts.house import PackChart
from reviewkit.present.glossary import glossary_table
from reviewkit.present.html import Html
from reviewkit.present.sections import header as header_section
from reviewkit.present.sections import kpi_status
from reviewkit.present.sections.meeting import decisions_html, quality_html
from reviewkit.present.summary import kgi_headline
from reviewkit.present.summary_record import scorecard_statuses, summary_sentences
from reviewkit.review.inputs import ReviewInputs


class Review(ReviewInputs, ABC):
    """One review: its inputs (:class:`~reviewkit.review.inputs.ReviewInputs`), shared sections.

    The sections every cadence shows: header, agenda, headings, KPI status, decisions, actions,
    data quality and glossary; each cadence's class adds its own.

    Open one with :func:`reviewkit.review.open.open_review`, which returns the cadence's class
    (:class:`~reviewkit.review.weekly.WeeklyReview`, ...).
    """

    recent_periods: ClassVar[int]  # the trend chart's periods
    trend_dates: ClassVar[str] = "%Y-%m"  # how the trend chart's axis writes a period

    # -- the top of the pack ---------------------------------------------------------------------

    def section_title(self, key: str) -> str:
        """A section's title in the pack language (cadence-specific where it differs)."""
        return header_section.section_title(self.cadence, key, lang=self.lang)

    def heading(self, key: str, *, title: Mapping[str, str] | None = None) -> Html:
        """A section heading (``<h2>``): agenda number, title and time box.

        Parameters
        ----------
        key
            A standard section (``summary``, ``kpi_status``, ``deviations``, ``decisions``,
            ``actions``, ``glossary``) or a key of your own (snake_case; the anchor).
        title
            Your own section's title in both languages, ``{"ja": ..., "en": ...}``; standard
            sections take theirs from the agenda.
        """
        if title is not None:
            place, label = None, header_section.own_title(key, title, lang=self.lang)
        elif header_section.is_standard_section(self.cadence, key):
            place, label = position(self.cadence, key), self.section_title(key)
        else:
            raise ParameterError(
                f"heading: {key!r} is not a standard section; give your own section a title, "
                f'e.g. review.heading("{key}", title={{"ja": "…", "en": "…"}})'
            )
        box = ""
        if place is not None:
            number, item = place
            label = f"{number}. {label}"
            box = t("agenda.minutes", self.lang, minutes=item.minutes)
        first = not self._headings
        self._headings.append(key)
        return header_section.heading_html(key, label, box=box, first=first)

    def agenda(self) -> Html:
        """The agenda with time boxes, as the pack's table of contents."""
        return header_section.agenda_html(self.cadence, lang=self.lang)

    def header(self) -> Html:
        """The pack header: company, review, period, as-of date, data freshness, definitions."""
        from reviewkit.core.currency import foreign_amounts

        lang = self.lang
        foreign = header_section.foreign_currency_notes(
            foreign_amounts(self.con, currency=self.currency), currency=self.currency, lang=lang
        )
        notes = header_section.header_notes(
            self.quality.stale_sources(self.period.last_day), foreign=foreign,
            newest=self.newest, lang=lang,
        )  # fmt: skip
        return header_section.header_html(
            self.cadence, company=self.workspace.config.company(lang),
            title=self.title[lang] if self.title else t(f"title.{self.cadence}", lang),
            period=self.period, as_of=self.as_of, freshness=self.freshness,
            definitions=self.definitions, scope=self.scope, notes=notes, lang=lang,
        )  # fmt: skip

    def summary(self) -> Html:
        """The first screen: where the period stands, in a few sentences.

        While a pack is built, its sentences and the KPI statuses are also written next to it
        as ``summary.json``, which the messages delivering the pack quote
        (:mod:`reviewkit.present.summary_record`).
        """
        html = self.first_screen()
        context = PackContext.current()
        if context is not None:
            record = {
                "sentences": summary_sentences(html.html),
                "kpi_heading": self.kpi_heading(),
                "kpis": self.kpi_statuses(),
                "lang": self.lang,
                "period": self.period.label,
            }
            context.publish("summary.json", json.dumps(record, ensure_ascii=False, indent=1))
        return html

    @abstractmethod
    def first_screen(self) -> Html:
        """The summary box of :meth:`summary` (each cadence words its own)."""

    def kpi_heading(self) -> str:
        """What :meth:`kpi_statuses` are, for a message: the period's KPI status."""
        return t(
            "deliver.kpis.period", self.lang, period=format_period(self.period, lang=self.lang)
        )

    def kpi_statuses(self) -> list[dict[str, str]]:
        """The KPIs' statuses as the pack's status table shows them (none without data)."""
        if self.no_data is not None:
            return []
        return scorecard_statuses(
            self.card, definitions=self.definitions, no_data=self.gaps.metrics(self.definitions),
            lang=self.lang, currency=self.currency,
        )  # fmt: skip

    # -- KPI status ------------------------------------------------------------------------------

    def scorecard(self) -> pd.DataFrame:
        """The KPI scorecard of the period (see :func:`reviewkit.analysis.scorecard.scorecard`)."""
        return self.card.copy()

    def scorecard_table(self, frame: pd.DataFrame) -> Html:
        """The scorecard as a table, with a note on how it is counted."""
        if self.no_data is not None:
            return self.no_data
        return kpi_status.scorecard_section(
            frame, definitions=self.definitions, previous=self.previous,
            no_data=self.gaps.metrics(self.definitions), missing=self._gap_lines(),
            lang=self.lang, currency=self.currency,
        )  # fmt: skip

    def _gap_lines(self) -> list[str]:
        """One line per kind of funnel data the store lacks."""
        return list(self.gaps.lines(self.definitions, lang=self.lang))

    def rates(self) -> pd.DataFrame:
        """The stage rates of the KPI tree (see :func:`reviewkit.analysis.scorecard.rate_card`)."""
        return self.rate_frame.copy()

    def rates_table(self, frame: pd.DataFrame) -> Html:
        """The stage rates as a table, with a note on bases and maturing cohorts.

        A maturing cohort is marked, the period's and the previous period's; when any is, the
        table compares both at the same age and the note says how to read it.
        """
        if self.no_data is not None:
            return self.no_data
        return kpi_status.rates_section(frame, definitions=self.definitions, lang=self.lang)

    def _recent_periods(self) -> list[Period]:
        count = self.recent_periods - 1
        earlier = periods_before(self.period, count, calendar=self.workspace.calendar)
        return [*earlier, self.period]

    def _trend_points(self) -> list[dict[str, Any]]:
        """Each scorecard metric's actual and target in each recent period, oldest first."""
        metrics = list(self.card["metric"])
        periods = self._recent_periods()
        values = self.funnel.metric_frame(metrics, periods).set_index(["period", "metric"])["value"]
        return [
            {"period": p, "metric": metric, "actual": float(values.loc[(p.label, metric)]),
             "target": target_for(self.funnel, self.targets, metric, p, segment=None,
                                  calendar=self.workspace.calendar)}
            for p in periods
            for metric in metrics
        ]  # fmt: skip

    def trend_chart(self) -> PackChart | Html:
        """Actual against target over recent periods, one metric at a time (a dropdown).

        Nothing is drawn without data before the review date (the scorecard says so).
        """
        if self.no_data is not None:
            return Html("", text=self.no_data.text)
        kinds = dict(zip(self.card["metric"], self.card["kind"], strict=True))
        return kpi_status.trend_section(
            self._trend_points(), kinds=kinds,
            definitions=self.definitions, date_format=self.trend_dates, lang=self.lang,
            currency=self.currency,
        )  # fmt: skip

    def funnel_chart(self) -> PackChart | Html:
        """The period's stage counts against target, status in symbols and words.

        Only stages with a target are drawn (an achievement needs one); without a target for
        any stage, one line says so instead of bars at 0 %.
        """
        if self.no_data is not None:
            return Html("", text=self.no_data.text)
        return kpi_status.funnel_section(
            self.card, definitions=self.definitions, period=self.period, lang=self.lang
        )

    def split_chart(self, dimension: str, *, metric: str = "") -> PackChart:
        """One metric by a segment dimension's values, this period against the previous one.

        Parameters
        ----------
        dimension
            A segment column (``channel``, ``sales_team``, ...) or a dimension the definitions
            add (``segments:`` in ``definitions.yml``).
        metric
            A metric key (``mql_to_sql``, ``lead``, ...); ``""``: the KGI.
        """
        from reviewkit.analysis.drilldown import explore_frame
        from reviewkit.present.sections.drilldown import explore_chart

        key = metric or self.funnel.kgi_key()
        frame = explore_frame(
            self.funnel, metric=key, dimension=dimension, periods=[self.previous, self.period]
        )
        return explore_chart(
            frame, definitions=self.definitions, metric=key, dimension=dimension, lang=self.lang,
            currency=self.currency,
        )  # fmt: skip

    # -- the KGI ---------------------------------------------------------------------------------

    def _kgi_headline(self) -> str:
        """The summary's first sentence: the KGI against target, previous period, a year ago."""
        kgi = self.funnel.kgi_key()
        # The KGI's own target, even when the tree's stages have none (e.g. a team's targets)
        target = self.figures.get("target", {}).get(kgi)
        if target is None:
            target = target_for(
                self.funnel, self.targets, kgi, self.period, segment=None,
                calendar=self.workspace.calendar,
            )  # fmt: skip
        return kgi_headline(
            self.figures, kgi=kgi, target=target, cadence=self.cadence, period=self.period,
            kgi_label=self._kgi_label(), definitions=self.definitions, lang=self.lang,
            currency=self.currency,
        )  # fmt: skip

    # -- the meeting -----------------------------------------------------------------------------

    def decisions(self) -> Html:
        """The meeting's decision sheet, to fill in (and print)."""
        return decisions_html(self.lang, prefilled=[])

    def actions(self) -> Html:
        """Open actions and owners (overdue marked), and those decided in the previous review."""
        from reviewkit.present.sections.actions import actions_html

        return actions_html(
            self.register, on=self.as_of, previous=(self.cadence, self.previous.label),
            previous_name=format_period(self.previous, lang=self.lang),
            definitions=self.definitions, lang=self.lang,
        )  # fmt: skip

    # -- appendix --------------------------------------------------------------------------------

    def data_quality(self) -> Html:
        """Freshness per source, merged duplicates, missing channels, quarantined rows."""
        return quality_html(self.quality, lang=self.lang, definitions=self.definitions)

    def glossary(self) -> Html:
        """The definitions this pack used, each metric in plain words, and the agreement.

        The monthly and quarterly glossaries add the rule behind each action's verdict (the
        weekly review has none).
        """
        from reviewkit.analysis.effects import LEVEL, MIN_DAYS, MIN_PEOPLE
        from reviewkit.present.sections.effects import verdict_rule_section

        table = glossary_table(self.definitions, lang=self.lang)
        rule = verdict_rule_section(
            self.lang, level=LEVEL, min_people=MIN_PEOPLE, min_days=MIN_DAYS
        )
        return Html(table.html + rule, text=table.text)
