"""The review a template is about: workspace, period, language and the store, in one object.

Templates call :func:`open_review` once, then ask the review for each section's content::

    review = rk.open_review("monthly", workspace=workspace, as_of=as_of, lang=lang)
    review.header()
"""

from __future__ import annotations

import datetime as dt
import math
from functools import cached_property
from html import escape
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from reviewkit.agenda import APPENDIX, agenda, position, total_minutes
from reviewkit.charts import PackChart, funnel_chart, trend_chart
from reviewkit.definitions import Definitions, load_definitions
from reviewkit.errors import ParameterError
from reviewkit.formatting import (
    format_count,
    format_date,
    format_datetime,
    format_pct,
    format_period,
    format_value,
)
from reviewkit.glossary import glossary_table, metric_label
from reviewkit.html import Html
from reviewkit.meeting import decisions_html, deviations_html, quality_html
from reviewkit.periods import (
    CADENCES,
    Cadence,
    Period,
    last_complete_period,
    parse_as_of,
    periods_before,
    previous_period,
)
from reviewkit.quality import DataQuality, data_quality
from reviewkit.scorecard import rate_card, scorecard, target_for
from reviewkit.semantic import Funnel, cutoff_of
from reviewkit.store import connect, data_freshness
from reviewkit.summary import summary_html, summary_sentences
from reviewkit.tables import NEAR, rates_table, scorecard_table, status_of
from reviewkit.targets import Targets, load_targets
from reviewkit.texts import TEXTS, check_lang, t
from reviewkit.workspace import Workspace, find_workspace

if TYPE_CHECKING:
    from reviewkit.followup import FollowUpPulse


class Review:
    """One review: a cadence, the period it looks back on, a language and the store.

    Parameters
    ----------
    cadence
        ``weekly``, ``monthly`` or ``quarterly``.
    workspace
        The workspace (see :func:`reviewkit.workspace.find_workspace`).
    as_of
        The review date; the review covers the last complete period before it.
    lang
        Pack language.
    """

    def __init__(
        self, cadence: Cadence, *, workspace: Workspace, as_of: dt.date, lang: str
    ) -> None:
        if cadence not in CADENCES:
            raise ParameterError(f"cadence: {cadence!r} is not a review cadence; use {CADENCES}")
        self.cadence: Cadence = cadence
        self.workspace = workspace
        self.lang = check_lang(lang)
        self.as_of = as_of
        calendar = workspace.calendar
        self.period: Period = last_complete_period(cadence, as_of, calendar=calendar)
        self.previous: Period = previous_period(self.period, calendar=calendar)
        self.definitions: Definitions = load_definitions(workspace)
        self.timezone = workspace.config.timezone
        self._headings: list[str] = []

    @cached_property
    def con(self) -> duckdb.DuckDBPyConnection:
        """A read-only connection to the store."""
        return connect(self.workspace.store_path, read_only=True, timezone=self.timezone)

    @cached_property
    def targets(self) -> Targets:
        """The targets (``params/targets.yml``, else the store's table)."""
        return load_targets(self.workspace, definitions=self.definitions, con=self.con)

    @cached_property
    def funnel(self) -> Funnel:
        """The semantic layer: the definitions compiled against the store."""
        return Funnel(
            self.con,
            self.definitions,
            timezone=self.timezone,
            cutoff=cutoff_of(self.as_of, timezone=self.timezone),
            targets=self.targets,
        )

    @cached_property
    def freshness(self) -> dt.datetime | None:
        """The latest instant recorded in the store (in the workspace zone)."""
        moment = data_freshness(self.con)
        return None if moment is None else moment.astimezone(self.workspace.tz)

    def section_title(self, key: str) -> str:
        """A section's title in the pack language (cadence-specific where it differs)."""
        specific = f"section.{self.cadence}.{key}"
        return t(specific if specific in TEXTS else f"section.{key}", self.lang)

    def heading(self, key: str) -> Html:
        """A section heading (``<h2>``): agenda number, title and time box."""
        place = position(self.cadence, key)
        title = self.section_title(key)
        if place is None:
            label, box = title, ""
        else:
            number, item = place
            label = f"{number}. {title}"
            box = t("agenda.minutes", self.lang, minutes=item.minutes)
        first = " rk-first" if not self._headings else ""
        self._headings.append(key)
        minutes = f' <span class="rk-timebox">{escape(box)}</span>' if box else ""
        return Html(
            f'<h2 id="{escape(key)}" class="rk-section{first}">{escape(label)}{minutes}</h2>',
            text=label,
        )

    def agenda(self) -> Html:
        """The agenda with time boxes, as the pack's table of contents."""
        lang = self.lang
        items = []
        for number, item in enumerate(agenda(self.cadence), start=1):
            minutes = t("agenda.minutes", lang, minutes=item.minutes)
            items.append(
                f'<li><a href="#{item.key}">{number}. {escape(self.section_title(item.key))}'
                f'</a> <span class="rk-timebox">{escape(minutes)}</span></li>'
            )
        for key in APPENDIX:
            items.append(f'<li class="rk-appendix"><a href="#{key}">'
                         f"{escape(self.section_title(key))}</a></li>")  # fmt: skip
        title = t("agenda.title", lang, minutes=total_minutes(self.cadence))
        return Html(
            f'<nav class="rk-toc" aria-label="{escape(title)}"><p class="rk-toc-title">'
            f"{escape(title)}</p><ol>{''.join(items)}</ol></nav>",
            text=title,
        )

    def header(self) -> Html:
        """The pack header: company, review, period, as-of date, data freshness, definitions."""
        lang = self.lang
        company = self.workspace.config.company(lang)
        title = t(f"title.{self.cadence}", lang)
        fresh = (
            t("header.no_data", lang)
            if self.freshness is None
            else format_datetime(self.freshness, lang=lang)
        )
        stale = self.freshness is None or self.freshness.date() < self.period.last_day
        notes = [
            t("header.stale_source", lang, source=source,
              day=format_date(day, lang=lang) if day else "—")
            for source, day in self.quality.stale_sources(self.period.last_day)
        ]  # fmt: skip
        per_source = "".join(f'<p class="rk-warning">{escape(n)}</p>' for n in notes)
        facts = [
            (t("header.period", lang), f"{format_period(self.period, lang=lang)}"),
            (t("header.as_of", lang), format_date(self.as_of, lang=lang)),
            (t("header.freshness", lang), fresh),
            (
                t("header.definitions", lang),
                f"v{self.definitions.version} ({self.definitions.version_hash[:8]})",
            ),
        ]
        items = "".join(f"<div><dt>{escape(k)}</dt><dd>{escape(v)}</dd></div>" for k, v in facts)
        warning = f'<p class="rk-warning">{escape(t("header.stale", lang))}</p>' if stale else ""
        warning += per_source
        html = (
            f'<header class="rk-header" data-cadence="{self.cadence}" '
            f'data-period="{self.period.label}" data-lang="{lang}">'
            f'<p class="rk-company">{escape(company)}</p>'
            f"<h1>{escape(title)} — {escape(format_period(self.period, lang=lang))}</h1>"
            f'<p class="rk-purpose">{escape(t(f"purpose.{self.cadence}", lang))}</p>'
            f'<dl class="rk-facts">{items}</dl>{warning}</header>'
        )
        return Html(html, text=f"{company}: {title} {self.period.label}")

    @cached_property
    def card(self) -> pd.DataFrame:
        """The scorecard, computed once per review."""
        return scorecard(self.funnel, self.period, previous=self.previous, targets=self.targets)

    @cached_property
    def rate_frame(self) -> pd.DataFrame:
        """The rate card, computed once per review."""
        return rate_card(self.funnel, self.period, previous=self.previous)

    def scorecard(self) -> pd.DataFrame:
        """The KPI scorecard of the period (see :func:`reviewkit.scorecard.scorecard`)."""
        return self.card.copy()

    def scorecard_table(self, frame: pd.DataFrame) -> Html:
        """The scorecard as a table, with a note on how it is counted."""
        note = t("scorecard.note", self.lang, previous=format_period(self.previous, lang=self.lang))
        table = scorecard_table(frame, definitions=self.definitions, lang=self.lang)
        return Html(f'{table.html}<p class="rk-note">{escape(note)}</p>', text=table.text)

    def rates(self) -> pd.DataFrame:
        """The stage rates of the KPI tree (see :func:`reviewkit.scorecard.rate_card`)."""
        return self.rate_frame.copy()

    def summary(self) -> Html:
        """The first screen: where the period stands, in a few sentences.

        The weekly summary says where the month and quarter stand against their pace and what
        needs attention (the largest alerts and the follow-up backlog).
        """
        if self.cadence == "weekly":
            from reviewkit.weekly import weekly_summary

            alerts, _ = self.weekly_alerts
            return summary_html(
                weekly_summary(
                    self.pace_frame,
                    alerts,
                    self.pulse,
                    definitions=self.definitions,
                    kgi=self.funnel.kgi_key(),
                    lang=self.lang,
                )
            )
        sentences = summary_sentences(
            self.card,
            self.rate_frame,
            definitions=self.definitions,
            period_name=format_period(self.period, lang=self.lang),
            lang=self.lang,
        )
        return summary_html(sentences)

    def _recent_periods(self) -> list[Period]:
        count = {"weekly": 13, "monthly": 12, "quarterly": 8}[self.cadence]
        earlier = periods_before(self.period, count - 1, calendar=self.workspace.calendar)
        return [*earlier, self.period]

    def trend_chart(self) -> PackChart:
        """Actual against target over recent periods, one metric at a time (a dropdown)."""
        lang = self.lang
        metrics = list(self.card["metric"])
        periods = self._recent_periods()
        frame = self.funnel.metric_frame(metrics, periods)
        rows = []
        kinds = dict(zip(self.card["metric"], self.card["kind"], strict=True))
        for p in periods:
            for metric in metrics:
                actual = float(
                    frame.loc[
                        (frame["period"] == p.label) & (frame["metric"] == metric), "value"
                    ].iloc[0]
                )
                target = target_for(self.funnel, self.targets, metric, p, segment=None)
                rows.append(
                    {
                        "period": format_period(p, lang=lang),
                        "start": p.start,
                        "metric": metric,
                        "actual": actual,
                        "target": math.nan if target is None else float(target),
                        "shown_actual": format_value(actual, kind=kinds[metric], lang=lang),
                        "shown_target": format_value(target, kind=kinds[metric], lang=lang),
                        "band_low": math.nan if target is None else NEAR * float(target),
                        "band_high": math.nan if target is None else float(target),
                    }
                )
        labels = {m: metric_label(self.definitions, m, lang=lang) for m in metrics}
        return trend_chart(
            pd.DataFrame(rows),
            metric_labels=labels,
            title=t("chart.trend.title", lang),
            choose=t("chart.trend.choose", lang),
            actual=t("series.actual", lang),
            target=t("series.target", lang),
            description=t("chart.trend.description", lang, n=len(periods)),
            date_format="%m/%d" if self.cadence == "weekly" else "%Y-%m",
            band=t("chart.trend.band", lang),
        )

    def funnel_chart(self) -> PackChart:
        """The period's stage counts against target, status in symbols and words."""
        lang = self.lang
        card = self.card[self.card["kind"] == "count"].copy()
        card["status"] = [status_of(a) for a in card["achievement"]]
        card["status_text"] = [
            f"{t(f'status.{r.status}', lang)} {format_pct(r.achievement, lang=lang)} "
            f"({format_count(r.actual, lang=lang)} / {format_count(r.target, lang=lang)})"
            for r in card.itertuples()
        ]
        labels = {m: metric_label(self.definitions, m, lang=lang) for m in card["metric"]}
        period = format_period(self.period, lang=lang)
        return funnel_chart(
            card,
            labels=labels,
            title=t("chart.funnel.title", lang),
            description=t("chart.funnel.description", lang, period=period),
        )

    @property
    def through(self) -> dt.date:
        """The last day whose data the review counts (the day before the review date)."""
        return self.as_of - dt.timedelta(days=1)

    @cached_property
    def pace_frame(self) -> pd.DataFrame:
        """Month and quarter to date against the pace (see :func:`reviewkit.pacing.pace_frame`)."""
        from reviewkit.pacing import pace_frame

        metrics = list(dict.fromkeys([*self.definitions.stage_keys, self.funnel.kgi_key()]))
        return pace_frame(
            self.funnel, self.targets, week=self.period, through=self.through,
            calendar=self.workspace.calendar, metrics=metrics,
        )  # fmt: skip

    def pace(self) -> pd.DataFrame:
        """Pace, projection and required run rate of every stage and the KGI."""
        return self.pace_frame.copy()

    def pace_table(self, frame: pd.DataFrame) -> Html:
        """The weekly scorecard: the week, month and quarter to date, projection, run rate."""
        from reviewkit.weekly import pace_note, pace_table

        table = pace_table(frame, self.card, definitions=self.definitions, lang=self.lang)
        note = pace_note(frame, lang=self.lang)
        return Html(table.html + note.html, text=table.text)

    def pace_chart(self) -> PackChart:
        """Pace bullets: to date, expected, projection and its range, as a share of target."""
        from reviewkit.weekly import pace_bullets

        return pace_bullets(self.pace_frame, definitions=self.definitions, lang=self.lang)

    @cached_property
    def weekly_alerts(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The week's anomaly alerts and the weekly series they were found in."""
        from reviewkit.anomalies import weekly_alerts

        return weekly_alerts(self.funnel, week=self.period, calendar=self.workspace.calendar)

    def alerts(self) -> Html:
        """The week's anomalies: what moved, by how much against normal, where, since when."""
        from reviewkit.weekly import alerts_html

        alerts, series = self.weekly_alerts
        return alerts_html(alerts, series, definitions=self.definitions, lang=self.lang)

    @cached_property
    def pulse(self) -> FollowUpPulse | None:
        """The follow-up pulse of the week (``None`` without an SLA metric)."""
        from reviewkit.followup import follow_up_pulse

        return follow_up_pulse(self.funnel, week=self.period)

    def follow_up(self) -> Html:
        """MQLs not touched within the SLA, by team, and the longest waiting."""
        from reviewkit.followup import follow_up_html

        return follow_up_html(self.pulse, lang=self.lang)

    def deviations(self) -> Html:
        """What missed, and the segments that moved the rate that fell most."""
        return deviations_html(self)

    def decisions(self) -> Html:
        """The meeting's decision sheet, to fill in (and print)."""
        return decisions_html(self.lang)

    def actions(self) -> Html:
        """Open actions and owners (the actions register comes in a later release)."""
        return Html(f'<p class="rk-note">{escape(t("actions.none", self.lang))}</p>')

    def rates_table(self, frame: pd.DataFrame) -> Html:
        """The stage rates as a table, with a note on bases and maturing cohorts."""
        points = f"{self.definitions.conversion.show_both_when_gap * 100:g}"
        note = t("rates.note", self.lang, gap=t("rate.points", self.lang, value=points))
        table = rates_table(frame, definitions=self.definitions, lang=self.lang)
        return Html(f'{table.html}<p class="rk-note">{escape(note)}</p>', text=table.text)

    @cached_property
    def quality(self) -> DataQuality:
        """The data quality report of the store."""
        return data_quality(self.con, timezone=self.timezone)

    def data_quality(self) -> Html:
        """Freshness per source, merged duplicates, missing channels, quarantined rows."""
        return quality_html(self.quality, lang=self.lang)

    def glossary(self) -> Html:
        """The definitions this pack used, each metric in plain words, and the agreement."""
        return glossary_table(self.definitions, lang=self.lang)


def open_review(
    cadence: Cadence, *, workspace: str = "", as_of: str = "auto", lang: str = ""
) -> Review:
    """Open the review a template renders.

    Parameters
    ----------
    cadence
        ``weekly``, ``monthly`` or ``quarterly``.
    workspace
        Workspace folder; ``""`` finds it (``$REVIEWKIT_WORKSPACE``, the current folder or a
        parent).
    as_of
        Review date ``YYYY-MM-DD``, or ``auto`` for today in the workspace time zone.
    lang
        ``ja`` or ``en``; ``""`` uses the workspace default.

    Returns
    -------
    Review
    """
    ws = find_workspace(workspace or None)
    day = parse_as_of(as_of, today=ws.today())
    return Review(cadence, workspace=ws, as_of=day, lang=lang or ws.config.lang)
