"""The review a template is about: workspace, period, language and the store, in one object.

Templates call :func:`open_review` once, then ask the review for each section's content::

    review = rk.open_review("monthly", workspace=workspace, as_of=as_of, lang=lang)
    review.header()
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from functools import cached_property, partial
from html import escape
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from reviewkit.analysis.quality import DataQuality, data_quality, record_profiles
from reviewkit.analysis.scorecard import rate_card, scorecard, target_for
from reviewkit.core.context import PackContext, in_pack
from reviewkit.core.currency import money_labels_expr
from reviewkit.core.periods import (
    CADENCES,
    Cadence,
    Period,
    last_complete_period,
    parse_as_of,
    periods_before,
    previous_period,
)
from reviewkit.core.workspace import Workspace, find_workspace
from reviewkit.errors import ParameterError
from reviewkit.i18n.formatting import (
    format_count,
    format_date,
    format_datetime,
    format_pct,
    format_period,
    format_value,
)
from reviewkit.i18n.texts import TEXTS, check_lang, t
from reviewkit.model.definitions import Definitions, load_definitions
from reviewkit.model.scope import Scope, parse_scope
from reviewkit.model.targets import Targets, load_targets
from reviewkit.model.units import kgi_unit
from reviewkit.present.agenda import APPENDIX, agenda, position, total_minutes
from reviewkit.present.charts.house import PackChart, funnel_chart, trend_chart
from reviewkit.present.glossary import glossary_table, metric_label
from reviewkit.present.html import Html, missing_html, note_html
from reviewkit.present.sections.meeting import decisions_html, quality_html
from reviewkit.present.summary import summary_html
from reviewkit.present.tables import NEAR, rates_table, scorecard_table, status_of
from reviewkit.semantic.funnel import Funnel, cutoff_of
from reviewkit.semantic.funnel_gaps import FunnelGaps, funnel_gaps
from reviewkit.store.availability import Availability, availability
from reviewkit.store.schema import connect, data_freshness, snapshot

if TYPE_CHECKING:
    from reviewkit.analysis.followup import FollowUpPulse
    from reviewkit.analysis.splits import PeriodPeople
    from reviewkit.model.actions import Action, Actions
    from reviewkit.present.sections.causes import CauseInputs


class Review:
    """One review: a cadence, the period it looks back on, a language and the store.

    Parameters
    ----------
    cadence
        ``weekly``, ``monthly`` or ``quarterly``.
    workspace
        The workspace (see :func:`reviewkit.core.workspace.find_workspace`).
    as_of
        The review date; the review covers the last complete period before it.
    lang
        Pack language.
    scope
        The segment the pack covers (:func:`reviewkit.model.scope.parse_scope`); ``None``: the
        whole company.
    title
        The review's title in both languages (an analyst's template); ``None``: the cadence's.
    """

    def __init__(
        self,
        cadence: Cadence,
        *,
        workspace: Workspace,
        as_of: dt.date,
        lang: str,
        scope: Scope | None = None,
        title: Mapping[str, str] | None = None,
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
        self.scope = scope
        self.title = dict(title) if title else None  # an analyst's template: its own title
        self._headings: list[str] = []

    @cached_property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The store, read-only.

        In a pack build, the file itself. Anywhere else (JupyterLab, a script) an in-memory
        copy taken now (:func:`reviewkit.store.schema.snapshot`), so a notebook left open never
        keeps the nightly import from writing; run the ``open_review`` cell again for newer data.
        """
        if in_pack():
            return connect(self.workspace.store_path, read_only=True, timezone=self.timezone)
        return snapshot(self.workspace.store_path, timezone=self.timezone)

    @cached_property
    def targets(self) -> Targets:
        """The targets (``params/targets.yml``, else the store's table).

        A segment pack reads the segment's own targets in place of the company's.
        """
        targets = load_targets(self.workspace, definitions=self.definitions, con=self.con)
        if self.scope is None:
            return targets
        return targets.scoped(self.scope.column, self.scope.values)

    @cached_property
    def funnel(self) -> Funnel:
        """The semantic layer: the definitions compiled against the store."""
        return Funnel(
            self.con,
            self.definitions,
            timezone=self.timezone,
            cutoff=cutoff_of(self.as_of, timezone=self.timezone),
            targets=self.targets,
            scope=None if self.scope is None else self.scope.filter,
        )

    @cached_property
    def available(self) -> Availability:
        """What optional data the store holds (amounts, campaign costs, touches, teams, ...)."""
        return availability(self.con)

    @cached_property
    def gaps(self) -> FunnelGaps:
        """The funnel's data the store holds none of (:mod:`reviewkit.semantic.funnel_gaps`)."""
        return funnel_gaps(self.con, self.definitions)

    def _gap_notes(self) -> str:
        """One ``rk-missing`` line per kind of funnel data the store lacks; ``""`` when none."""
        lines = self.gaps.lines(self.definitions, lang=self.lang)
        return "".join(f'<p class="rk-missing">{escape(line)}</p>' for line in lines)

    @cached_property
    def no_data(self) -> Html | None:
        """The one line every figure section shows when the review has no data to read.

        ``None`` when the store holds a record before the review's cut-off. Otherwise the
        store is empty, or its data starts after the review date (a review of a period before
        it): a section then says so once instead of a table of zeros
        (:func:`reviewkit.semantic.funnel_gaps.first_record`).
        """
        from reviewkit.semantic.funnel_gaps import first_record

        if self.freshness is not None:
            return None
        period = format_period(self.period, lang=self.lang)
        first = first_record(self.con)
        if first is None:
            return missing_html("no_records", lang=self.lang, period=period)
        return missing_html(
            "before_data", lang=self.lang, period=period,
            as_of=format_date(self.as_of, lang=self.lang),
            first=format_date(first.astimezone(self.workspace.tz).date(), lang=self.lang),
        )  # fmt: skip

    @cached_property
    def freshness(self) -> dt.datetime | None:
        """The newest record before the review's cut-off (in the workspace zone): "data as of".

        Records after the cut-off (a store that already holds later months) are not what the
        review saw; :attr:`newest` says when the store's own newest record is later.
        """
        moment = data_freshness(self.con, before=self.funnel.cutoff)
        return None if moment is None else moment.astimezone(self.workspace.tz)

    @cached_property
    def newest(self) -> dt.datetime | None:
        """The store's newest record, when it is after the review's cut-off; else ``None``."""
        moment = data_freshness(self.con)
        if moment is None or moment < self.funnel.cutoff:
            return None
        return moment.astimezone(self.workspace.tz)

    @property
    def currency(self) -> str:
        """The company's currency (``currency:`` of ``params/workspace.yml``, ISO 4217).

        Every amount the pack prints is in it; every function that writes one takes it as
        ``currency=``.
        """
        return self.workspace.config.currency

    def section_title(self, key: str) -> str:
        """A section's title in the pack language (cadence-specific where it differs)."""
        specific = f"section.{self.cadence}.{key}"
        return t(specific if specific in TEXTS else f"section.{key}", self.lang)

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
            place, title = None, _own_title(key, title, lang=self.lang)
        elif f"section.{key}" in TEXTS or f"section.{self.cadence}.{key}" in TEXTS:
            place, title = position(self.cadence, key), self.section_title(key)
        else:
            raise ParameterError(
                f"heading: {key!r} is not a standard section; give your own section a title, "
                f'e.g. review.heading("{key}", title={{"ja": "…", "en": "…"}})'
            )
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
        title = self.title[lang] if self.title else t(f"title.{self.cadence}", lang)
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
        notes += self._foreign_currency_notes()
        if self.newest is not None:  # the store runs past the review: say so, once
            notes.append(t("header.newer_data", lang, date=format_datetime(self.newest, lang=lang)))
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
        scope = "" if self.scope is None else self.scope.label(lang)
        heading = " — ".join(x for x in (title, scope, format_period(self.period, lang=lang)) if x)
        segment = "" if self.scope is None else f' data-segment="{escape(self.scope.text)}"'
        html = (
            f'<header class="rk-header" data-cadence="{self.cadence}" '
            f'data-period="{self.period.label}" data-lang="{lang}"{segment}>'
            f'<p class="rk-company">{escape(company)}</p>'
            f"<h1>{escape(heading)}</h1>"
            f'<p class="rk-purpose">{escape(t(f"purpose.{self.cadence}", lang))}</p>'
            f'<dl class="rk-facts">{items}</dl>{warning}</header>'
        )
        shown = " ".join(x for x in (title, scope, self.period.label) if x)
        return Html(html, text=f"{company}: {shown}")

    def _foreign_currency_notes(self) -> list[str]:
        """One line when the store holds amounts in another currency than the workspace's."""
        from reviewkit.core.currency import foreign_amounts

        found = foreign_amounts(self.con, currency=self.currency)
        if not found:
            return []
        lang = self.lang
        counts = t("summary.join", lang).join(
            t(f"header.foreign_currency.{f.table}", lang, n=format_count(f.rows, lang=lang),
              currency=f.currency)
            for f in found
        )  # fmt: skip
        return [t("header.foreign_currency", lang, currency=self.currency, counts=counts)]

    @cached_property
    def card(self) -> pd.DataFrame:
        """The scorecard, computed once per review."""
        return scorecard(
            self.funnel, self.period, previous=self.previous, targets=self.targets,
            calendar=self.workspace.calendar,
        )  # fmt: skip

    @cached_property
    def rate_frame(self) -> pd.DataFrame:
        """The rate card, computed once per review."""
        return rate_card(self.funnel, self.period, previous=self.previous)

    def scorecard(self) -> pd.DataFrame:
        """The KPI scorecard of the period (see :func:`reviewkit.analysis.scorecard.scorecard`)."""
        return self.card.copy()

    def scorecard_table(self, frame: pd.DataFrame) -> Html:
        """The scorecard as a table, with a note on how it is counted."""
        if self.no_data is not None:
            return self.no_data
        note = t("scorecard.note", self.lang, previous=format_period(self.previous, lang=self.lang))
        table = scorecard_table(
            frame, definitions=self.definitions, lang=self.lang, currency=self.currency,
            no_data=self.gaps.metrics(self.definitions),
        )  # fmt: skip
        return Html(
            f'{table.html}<p class="rk-note">{escape(note)}</p>{self._gap_notes()}',
            text=table.text,
        )

    def rates(self) -> pd.DataFrame:
        """The stage rates of the KPI tree (see :func:`reviewkit.analysis.scorecard.rate_card`)."""
        return self.rate_frame.copy()

    def summary(self) -> Html:
        """The first screen: where the period stands, in a few sentences.

        The weekly summary says where the month and quarter stand against their pace and what
        needs attention (the largest alerts and the follow-up backlog).
        """
        if self.no_data is not None:
            return self.no_data
        if self.cadence == "weekly":
            from reviewkit.analysis.anomalies import number_tested
            from reviewkit.present.sections.weekly import weekly_summary

            alerts, _ = self.weekly_alerts
            return summary_html(
                weekly_summary(
                    self.pace_frame,
                    alerts,
                    self.pulse,
                    definitions=self.definitions,
                    kgi=self.funnel.kgi_key(),
                    lang=self.lang,
                    currency=self.currency,
                    tested=number_tested(alerts),
                )
            )
        if self.cadence == "monthly":
            return self._monthly_summary()
        raise ParameterError(  # the quarterly review is a QuarterlyReview, with its own summary
            f"cadence: {self.cadence!r} has no summary here; open it with open_review()"
        )

    def _kgi_headline(self) -> str:
        """The summary's first sentence: the KGI against target, previous period, a year ago.

        Its wording is the cadence's (``summary.<cadence>.gap`` / ``gap_no_target``).
        """
        lang = self.lang
        kgi = self.funnel.kgi_key()
        figures = self.figures
        actual = figures["actual"][kgi]
        fv = partial(format_value, kind=kgi_unit(self.definitions), lang=lang,
                     currency=self.currency)  # fmt: skip

        def change(name: str) -> str:
            base = figures[name][kgi]
            return format_pct(actual / base - 1 if base else math.nan, lang=lang, signed=True)

        fields = {
            "period": format_period(self.period, lang=lang), "kgi": self._kgi_label(),
            "actual": fv(actual),
            "previous": change("previous"), "last_year": change("last_year"),
        }  # fmt: skip
        # The KGI's own target, even when the tree's stages have none (e.g. a team's targets)
        target = figures.get("target", {}).get(kgi)
        if target is None:
            target = target_for(
                self.funnel, self.targets, kgi, self.period, segment=None,
                calendar=self.workspace.calendar,
            )  # fmt: skip
        if target is None:
            return t(f"summary.{self.cadence}.gap_no_target", lang, **fields)
        gap = actual - target
        shown = fv(gap)
        return t(
            f"summary.{self.cadence}.gap", lang,
            target=fv(target),
            pct=format_pct(actual / target if target else math.nan, lang=lang),
            gap=shown if gap < 0 else f"+{shown}", **fields,
        )  # fmt: skip

    def _monthly_summary(self) -> Html:
        """How far the KGI missed, the driver that cost most, and the top cause of each family."""
        from reviewkit.analysis.checklist import checklist_counts
        from reviewkit.analysis.gap import cost_and_offsets, main_comparison
        from reviewkit.present.sections.monthly import driver_label, driver_names
        from reviewkit.present.sections.monthly_summary import (
            families_without_data,
            summary_cause_items,
            summary_no_data,
            timing_words,
        )

        lang = self.lang
        items = [self._kgi_headline()]
        html_items = [escape(items[0])]
        comparison = main_comparison(self.attribution)
        worst, offsets = cost_and_offsets(self.attribution, comparison)
        if worst is not None:
            driver = driver_label(self.definitions, str(worst["driver"]), lang=lang)
            cost = format_value(worst["contribution"], kind=kgi_unit(self.definitions),
                                lang=lang, currency=self.currency)  # fmt: skip
            if len(offsets):
                names = driver_names(self.definitions, offsets["driver"], lang=lang)
                text = t("summary.monthly.driver", lang, driver=driver, cost=cost, offsets=names)
            else:
                text = t("summary.monthly.driver_alone", lang, driver=driver, cost=cost)
            timing = timing_words(
                self.timing, comparison, str(worst["driver"]), definitions=self.definitions,
                period=self.period, lang=lang,
            )  # fmt: skip
            if timing:
                text += (" " if lang == "en" else "") + timing
            items.append(text)
            html_items.append(f'{escape(text)} <a href="#gap">→</a>')
        no_data = families_without_data(self.funnel.dimensions, self.funnel.split_dimensions)
        causes = summary_cause_items(
            self.findings, definitions=self.definitions, lang=lang, no_data=no_data
        )
        if causes:
            links = [f'<a href="#{anchor}">{escape(text)}</a>' for anchor, text in causes]
            head, _, _ = t("summary.monthly.causes", lang, items="\x00").partition("\x00")
            items.append(t("summary.monthly.causes", lang,
                           items=t("summary.join", lang).join(c for _, c in causes)))  # fmt: skip
            html_items.append(escape(head) + t("summary.join", lang).join(links))
        missing = summary_no_data(no_data, lang=lang)
        if missing:
            items.append(missing)
            html_items.append(escape(missing))
        counts = checklist_counts(self.checklist_frame)
        key = (
            "summary.monthly.checklist_nodata" if counts["nodata"] else "summary.monthly.checklist"
        )
        html_items.append(f'{escape(t(key, lang, **counts))} <a href="#checklist">→</a>')
        if len(self.proposal_frame):
            html_items.append(
                f"{escape(t('summary.monthly.proposals', lang, n=len(self.proposal_frame)))} "
                '<a href="#proposals">→</a>'
            )
        if self.effect_rows:
            from reviewkit.present.sections.actions import verdict_counts

            counts = verdict_counts(self.effect_rows)
            said = t("cycle.counts", lang, n=len(self.effect_rows), **counts)
            html_items.append(
                f'{escape(t("summary.monthly.actions", lang, text=said))} <a href="#effects">→</a>'
            )
        body = "".join(f"<li>{item}</li>" for item in html_items)
        return Html(f'<div class="rk-summary"><ul>{body}</ul></div>', text="\n".join(items))

    def _recent_periods(self) -> list[Period]:
        count = {"weekly": 13, "monthly": 12, "quarterly": 8}[self.cadence]
        earlier = periods_before(self.period, count - 1, calendar=self.workspace.calendar)
        return [*earlier, self.period]

    def trend_chart(self) -> PackChart | Html:
        """Actual against target over recent periods, one metric at a time (a dropdown).

        Nothing is drawn without data before the review date (the scorecard says so).
        """
        if self.no_data is not None:
            return Html("", text=self.no_data.text)
        lang = self.lang
        metrics = list(self.card["metric"])
        periods = self._recent_periods()
        values = self.funnel.metric_frame(metrics, periods).set_index(["period", "metric"])["value"]
        rows = []
        kinds = dict(zip(self.card["metric"], self.card["kind"], strict=True))
        for p in periods:
            for metric in metrics:
                actual = float(values.loc[(p.label, metric)])
                target = target_for(
                    self.funnel, self.targets, metric, p, segment=None,
                    calendar=self.workspace.calendar,
                )  # fmt: skip
                rows.append(
                    {
                        "period": format_period(p, lang=lang),
                        "start": p.start,
                        "metric": metric,
                        "actual": actual,
                        "target": math.nan if target is None else float(target),
                        "shown_actual": format_value(
                            actual, kind=kinds[metric], lang=lang, currency=self.currency
                        ),
                        "shown_target": format_value(
                            target, kind=kinds[metric], lang=lang, currency=self.currency
                        ),
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
            label_expr=money_labels_expr(
                [labels[m] for m in metrics if kinds[m] == "amount"],
                currency=self.currency, lang=lang,
            ),
        )  # fmt: skip

    def funnel_chart(self) -> PackChart | Html:
        """The period's stage counts against target, status in symbols and words.

        Only stages with a target are drawn (an achievement needs one); without a target for
        any stage, one line says so instead of bars at 0 %.
        """
        lang = self.lang
        if self.no_data is not None:
            return Html("", text=self.no_data.text)
        card = self.card[(self.card["kind"] == "count") & self.card["target"].notna()].copy()
        if card.empty:
            from reviewkit.present.html import missing_html

            return missing_html(
                "targets", lang=lang, period=format_period(self.period, lang=lang),
                what=t("chart.funnel.what", lang),
            )  # fmt: skip
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
        from reviewkit.present.sections.weekly import pace_note, pace_table

        if self.no_data is not None:
            return self.no_data

        table = pace_table(
            frame, self.card, definitions=self.definitions, lang=self.lang, currency=self.currency
        )
        note = pace_note(frame, calendar=self.workspace.calendar, lang=self.lang)
        return Html(table.html + note.html + self._gap_notes(), text=table.text)

    def pace_chart(self) -> PackChart | Html:
        """Pace bullets: to date, expected, projection and its range, as a share of target.

        Without a target for any period in progress (e.g. a segment with no targets of its
        own) there is no pace to draw: nothing is drawn, as the pace table above already
        says in one line which periods have no target.
        """
        from reviewkit.present.sections.weekly import pace_bullets

        if self.no_data is not None:  # the pace table above says so
            return Html("", text=self.no_data.text)
        pace = self.pace_frame
        if not (~pace["closed"] & pace["target"].notna()).any():
            return Html("", text=t("pace.no_targets", self.lang))
        return pace_bullets(
            pace, definitions=self.definitions, lang=self.lang, currency=self.currency
        )

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
        from reviewkit.present.sections.weekly import alerts_html

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

    # -- monthly: why the KGI missed ----------------------------------------------------------

    @cached_property
    def figures(self) -> dict[str, dict[str, float]]:
        """Stage counts and the KGI: actual, previous, same period last year, target."""
        from reviewkit.analysis.gap import kgi_figures

        return kgi_figures(
            self.funnel, self.period, calendar=self.workspace.calendar, targets=self.targets
        )

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
    def people(self) -> PeriodPeople:
        """Stage entries of the period and the previous one, person by person."""
        from reviewkit.analysis.splits import period_people

        return period_people(self.funnel, self.period, baseline=self.previous)

    @cached_property
    def findings(self) -> pd.DataFrame:
        """Ranked findings of the three cause families (see :mod:`reviewkit.analysis.causes`)."""
        from reviewkit.analysis.causes import cause_findings

        return cause_findings(
            self.people, self.attribution, self.figures, definitions=self.definitions,
            dimensions=self.funnel.split_dimensions, teams=self.teams,
        )  # fmt: skip

    @cached_property
    def teams(self) -> pd.DataFrame:
        """First touch by sales team, this period against the previous one."""
        from reviewkit.analysis.followup import team_follow_up

        return team_follow_up(self.funnel, self.period, baseline=self.previous)

    def _kgi_label(self) -> str:
        """The KGI's name: revenue's metric label, or a count KGI's own label (Customers won)."""
        if not self.definitions.kgi_is_revenue:
            return self.definitions.kgi.label(self.lang)
        return metric_label(self.definitions, self.funnel.kgi_key(), lang=self.lang)

    def _names(self) -> tuple[str, str]:
        return (
            format_period(self.period, lang=self.lang),
            format_period(self.previous, lang=self.lang),
        )

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
        from reviewkit.present.sections.monthly import gap_sentence, gap_table

        lang = self.lang
        heading = t("gap.title", lang, kgi=self._kgi_label())
        title = f'<h3 class="rk-subsection" id="gap">{escape(heading)}</h3>'
        missing = self.no_data or self._tree_missing()
        if missing is not None:
            return Html(title + missing.html, text=missing.text)
        if self.attribution.empty:
            return Html(title + f'<p class="rk-note">{escape(t("header.no_data", lang))}</p>')
        sentence = gap_sentence(
            self.attribution, definitions=self.definitions, kgi_label=self._kgi_label(),
            lang=lang, currency=self.currency, timing=self.timing, period=self.period,
        )  # fmt: skip
        lead = f'<p class="rk-lead">{escape(sentence)}</p>' if sentence else ""
        table = gap_table(
            self.attribution, definitions=self.definitions, lang=lang, currency=self.currency
        )
        return Html(title + lead + table.html, text=sentence or heading)

    def _tree_missing(self) -> Html | None:
        """The one line saying the tree's split is left out for lack of data, or ``None``."""
        drivers = self.gaps.tree_drivers(self.definitions)
        if not drivers:
            return None
        names = t("summary.join", self.lang).join(
            metric_label(self.definitions, d, lang=self.lang) for d in drivers
        )
        what = t("missing.what.gap", self.lang)
        return missing_html("tree", lang=self.lang, drivers=names, what=what)

    def gap_chart(self) -> PackChart | Html:
        """The gap as a waterfall, one bar per KPI-tree driver (a dropdown per comparison).

        A rate whose fall is timing (:attr:`timing`) is drawn grey, not as a miss. Without a
        split (a driver without data, see :meth:`gap`) nothing is drawn.
        """
        from reviewkit.present.sections.monthly import waterfall

        if self.no_data is not None or self.attribution.empty:
            return Html("", text=t("missing.what.gap", self.lang))

        return waterfall(
            self.attribution, definitions=self.definitions, kgi_label=self._kgi_label(),
            lang=self.lang, currency=self.currency, timing=self.timing,
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

        if family not in ("target", "content", "follow_up"):
            raise ParameterError(
                f"family: {family!r} is not a cause family; use target, content or follow_up"
            )
        if self.no_data is not None:
            return self.no_data
        return cause_html(
            family, self.cause_inputs, funnel=self.funnel, teams=self.teams,
            period=self.period, baseline=self.previous,
        )  # fmt: skip

    @cached_property
    def checklist_frame(self) -> pd.DataFrame:
        """The ten questions assessed from this pack's evidence.

        See :mod:`reviewkit.analysis.checklist`.
        """
        from reviewkit.analysis.checklist import Evidence, assess
        from reviewkit.present.sections.monthly import driver_label, finding_label

        findings = self.findings.copy()
        findings["label"] = [finding_label(r, lang=self.lang) for r in findings.to_dict("records")]
        findings["driver_label"] = [
            driver_label(self.definitions, str(d), lang=self.lang) for d in findings["driver"]
        ]
        have = Evidence(
            columns=self.funnel.split_dimensions, touches=self.available.has("touches"),
            teams=self.available.has("teams"),
            campaign_costs=self.available.has("campaign_costs"),
        )  # fmt: skip
        spend_now = spend_before = math.nan
        if have.campaign_costs:
            first = self.definitions.stage_keys[0]
            before = periods_before(self.period, 3, calendar=self.workspace.calendar)
            cost = self.definitions.cost_metric(first)
            spend = self.funnel.metric_frame([cost], [self.period, *before])
            spend_now = float(spend["numerator"].iloc[0])
            spend_before = float(spend["numerator"].iloc[1:].mean())
        return assess(
            definitions=self.definitions, quality=self.quality, findings=findings,
            teams=self.teams if have.touches else None, spend_now=spend_now,
            spend_before=spend_before, period_last_day=self.period.last_day, as_of=self.as_of,
            lang=self.lang, currency=self.currency, evidence=have,
        )  # fmt: skip

    def checklist(self) -> Html:
        """The article's ten questions, each with a status and its evidence (or 'discuss')."""
        from reviewkit.analysis.checklist import checklist_table_html

        name = escape(t("checklist.title", self.lang))
        title = f'<h3 class="rk-subsection" id="checklist">{name}</h3>'
        table = checklist_table_html(self.checklist_frame, lang=self.lang)
        return Html(title + table.html, text=t("checklist.title", self.lang))

    @cached_property
    def proposal_frame(self) -> pd.DataFrame:
        """Improvement proposals, one per family's top finding.

        See :mod:`reviewkit.analysis.proposals`.
        """
        from reviewkit.analysis.proposals import proposals

        return proposals(
            self.findings, definitions=self.definitions, period=self.period, lang=self.lang
        )

    def proposals(self) -> Html:
        """The improvement proposals, ready to adopt.

        While a pack is built, they are also written next to it as ``proposals.json``, which
        ``reviewkit action add --from-proposal ID`` reads.
        """
        from reviewkit.analysis.proposals import proposals_html

        context = PackContext.current()
        if context is not None:
            records = [
                {**{k: None if isinstance(v, float) and math.isnan(v) else v
                    for k, v in r.items()},  # strict JSON: an unknown is null, never NaN
                 "dims": list(r["dims"]), "values": list(r["values"]),
                 "period": self.period.label, "lang": self.lang}
                for r in self.proposal_frame.to_dict("records")
            ]  # fmt: skip
            text = json.dumps(records, ensure_ascii=False, indent=1, default=str)
            context.publish("proposals.json", text)
        period, baseline = self._names()
        return proposals_html(self.proposal_frame, definitions=self.definitions,
                              period=period, baseline=baseline, lang=self.lang,
                              currency=self.currency)  # fmt: skip

    def decisions(self) -> Html:
        """The meeting's decision sheet, to fill in (and print).

        In the monthly pack its first rows are the analysis' proposals, each with the command
        that records it in the actions register.
        """
        from reviewkit.present.sections.monthly import driver_label

        prefilled = []
        if self.cadence == "monthly":
            for r in self.proposal_frame.to_dict("records"):
                driver = driver_label(self.definitions, str(r["kpi"]), lang=self.lang)
                owner = t(f"owner.{r['owner']}", self.lang) if r["owner"] else ""
                prefilled.append({
                    "decision": str(r["action"]), "target": f"{driver} — {r['segment']}",
                    "owner": owner,
                    "adopt": f"reviewkit action add --from-proposal {r['proposal_id']}",
                })  # fmt: skip
        return decisions_html(self.lang, prefilled=prefilled)

    @cached_property
    def register(self) -> Actions:
        """The actions register (``params/actions.yml``; empty when there is none)."""
        from reviewkit.model.actions import load_actions

        return load_actions(self.workspace, definitions=self.definitions)

    def actions(self) -> Html:
        """Open actions and owners (overdue marked), and those decided in the previous review."""
        from reviewkit.present.sections.actions import actions_html

        return actions_html(
            self.register, on=self.as_of, previous=(self.cadence, self.previous.label),
            previous_name=format_period(self.previous, lang=self.lang),
            definitions=self.definitions, lang=self.lang,
        )  # fmt: skip

    def measure(self, actions: Sequence[Action]) -> list[dict[str, object]]:
        """Each action's effect on its KPI in its segment, against everyone else."""
        from reviewkit.analysis.effects import direction_of, measure_effect

        rows = []
        for action in actions:
            row = measure_effect(
                self.funnel, kpi=action.kpi, segment=action.segment, start=action.start,
                direction=direction_of(self.definitions.metric(action.kpi)),
            )  # fmt: skip
            rows.append({**row, "action": action.id})
        return rows

    @cached_property
    def effect_rows(self) -> list[dict[str, object]]:
        """The measured effect of each action past its start (open, or closed recently)."""
        from reviewkit.present.sections.actions import measured

        return self.measure(measured(self.register, through=self.through))

    def effects(self) -> Html:
        """Did the actions work? Each one's KPI in its segment before and after, vs the rest."""
        from reviewkit.present.sections.effects import effects_table

        lang = self.lang
        title = escape(t("effects.title", lang))
        head = f'<h3 class="rk-subsection" id="effects">{title}</h3>'
        if not self.effect_rows:
            return Html(head + note_html(t("effects.none", lang)), text=t("effects.title", lang))
        titles = {a.id: a.title for a in self.register}
        table = effects_table(self.effect_rows, definitions=self.definitions, lang=lang,
                              titles=titles)  # fmt: skip
        return Html(head + table.html, text=table.text)

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

    def explore(self, **defaults: Any) -> Any:
        """The interactive drill-down (ipywidgets) in JupyterLab; ``None`` in a pack.

        ``defaults`` (``metric=``, ``dimension=``, ...) set the controls' first values; see
        :func:`reviewkit.review.explorer.explore`.
        """
        from reviewkit.review.explorer import explorer

        found = explorer(self, **defaults)
        return None if found is None else found.widget

    def rates_table(self, frame: pd.DataFrame) -> Html:
        """The stage rates as a table, with a note on bases and maturing cohorts.

        A maturing cohort is marked, the period's and the previous period's; when any is, the
        table compares both at the same age and the note says how to read it.
        """
        if self.no_data is not None:
            return self.no_data
        points = f"{self.definitions.conversion.show_both_when_gap * 100:g}"
        note = t("rates.note", self.lang, gap=t("rate.points", self.lang, value=points))
        if frame["equal_days"].notna().any():
            note += (" " if self.lang == "en" else "") + t("rates.note_equal", self.lang)
        table = rates_table(frame, definitions=self.definitions, lang=self.lang)
        return Html(f'{table.html}<p class="rk-note">{escape(note)}</p>', text=table.text)

    @cached_property
    def quality(self) -> DataQuality:
        """The data quality report of the store."""
        profiles = record_profiles(self.con, self.workspace)
        return data_quality(
            self.con, timezone=self.timezone, definitions=self.definitions, profiles=profiles
        )

    def data_quality(self) -> Html:
        """Freshness per source, merged duplicates, missing channels, quarantined rows."""
        return quality_html(self.quality, lang=self.lang, definitions=self.definitions)

    def glossary(self) -> Html:
        """The definitions this pack used, each metric in plain words, and the agreement.

        The monthly and quarterly glossaries add the rule behind each action's verdict.
        """
        table = glossary_table(self.definitions, lang=self.lang)
        if self.cadence == "weekly":
            return table
        from reviewkit.analysis.effects import LEVEL, MIN_DAYS, MIN_PEOPLE
        from reviewkit.present.sections.effects import verdict_rule

        rule = verdict_rule(self.lang, level=LEVEL, min_people=MIN_PEOPLE, min_days=MIN_DAYS)
        title = escape(t("effects.rule_title", self.lang))
        return Html(
            f'{table.html}<h3 class="rk-subsection" id="verdict_rule">{title}</h3>'
            f"{note_html(rule)}",
            text=table.text,
        )


def _own_title(key: str, title: Mapping[str, str], *, lang: str) -> str:
    """The title of an analyst's own section, checked: both languages, a snake_case key."""
    if not key.replace("_", "").isalnum() or not key[:1].isalpha() or key != key.lower():
        raise ParameterError(
            f"heading: {key!r} is not a section key; use snake_case letters, digits and _ "
            "(e.g. account_tiers)"
        )
    missing = [x for x in ("ja", "en") if not str(title.get(x, "")).strip()]
    if missing:
        raise ParameterError(
            f"heading {key!r}: title lacks {' and '.join(missing)}; give both, e.g. "
            'title={"ja": "顧客ティア別", "en": "By account tier"}'
        )
    return str(title[lang])


def open_review(
    cadence: Cadence,
    *,
    workspace: str = "",
    as_of: str = "auto",
    lang: str = "",
    what_if_rule: str = "",
    next_kgi_target: float = 0,
    segment: str = "",
    segment_name: str = "",
    template: str = "",
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
    what_if_rule
        Quarterly only: a proposed rule for the threshold-defined stage (``"score >= 70"``),
        compared with the current definition; ``""`` compares the sweep's suggestion.
    next_kgi_target
        Quarterly only: next quarter's KGI target (its total); ``0`` reads
        ``params/targets.yml``.
    segment
        ``KEY=VALUE`` (``sales_team=Team B``) or ``KEY=VALUE,VALUE`` for a segment pack;
        ``""``: the whole company.
    segment_name
        A name for a group of values (``paid``); ``""``: the values themselves.
    template
        The name of an analyst's template (``reviewkit new-template``): the review takes its
        title from that notebook's metadata; ``""``: a shipped review.

    Returns
    -------
    Review
        A :class:`reviewkit.review.quarterly.QuarterlyReview` for the quarterly cadence.
    """
    ws = find_workspace(workspace or None)
    day = parse_as_of(as_of, today=ws.today())
    lang = lang or ws.config.lang
    scope = None
    if segment.strip():
        from reviewkit.model.scope import check_scope

        definitions = load_definitions(ws)
        scope = parse_scope(segment, name=segment_name, columns=definitions.dimensions)
        con = connect(ws.store_path, read_only=True, timezone=ws.config.timezone)
        try:
            check_scope(con, scope, definitions=definitions)  # type: ignore[arg-type]
        finally:
            con.close()
    title = None
    if template:
        from reviewkit.review.templates import load_template

        title = load_template(template, workspace=ws).titles
    if cadence == "quarterly":
        from reviewkit.review.quarterly import QuarterlyReview

        return QuarterlyReview(
            workspace=ws, as_of=day, lang=lang, what_if_rule=what_if_rule,
            next_kgi_target=next_kgi_target, scope=scope, title=title,
        )  # fmt: skip
    if what_if_rule or next_kgi_target:
        raise ParameterError(
            f"what_if_rule / next_kgi_target: only the quarterly review takes them, not the "
            f"{cadence} review; remove them from the {cadence} template's call"
        )
    return Review(cadence, workspace=ws, as_of=day, lang=lang, scope=scope, title=title)
