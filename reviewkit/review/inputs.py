"""What a review reads: the store, the definitions, the targets and the funnel, computed once.

:class:`ReviewInputs` is the data half of :class:`reviewkit.review.base.Review`: the store
connection, the targets and the funnel compiled against it, what data the store holds, the
scorecard and rate card, the KGI's figures, the actions register and the data quality report.
The sections built from them live in :mod:`reviewkit.review.base` and one module per cadence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar

import duckdb
import pandas as pd

from reviewkit.analysis.quality import DataQuality, data_quality, record_profiles
from reviewkit.analysis.scorecard import rate_card, scorecard
from reviewkit.core.context import in_pack
from reviewkit.core.periods import Cadence, Period, last_complete_period, previous_period
from reviewkit.core.workspace import Workspace
from reviewkit.i18n.formatting import format_date, format_period
from reviewkit.model.definitions import Definitions, load_definitions
from reviewkit.model.scope import Scope
from reviewkit.model.targets import Targets, load_targets
from reviewkit.present.glossary import metric_label
from reviewkit.present.html import Html, missing_html
from reviewkit.semantic.funnel import Funnel, cutoff_of
from reviewkit.semantic.funnel_gaps import FunnelGaps, funnel_gaps
from reviewkit.store.availability import Availability, availability
from reviewkit.store.schema import connect, data_freshness, snapshot

if TYPE_CHECKING:
    from reviewkit.model.actions import Action, Actions


class ReviewInputs:
    """What a review reads: a cadence, the period it looks back on, a language and the store.

    The sections every cadence shows are :class:`reviewkit.review.base.Review`'s.

    Parameters
    ----------
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

    cadence: ClassVar[Cadence]

    def __init__(
        self,
        *,
        workspace: Workspace,
        as_of: dt.date,
        lang: str,
        scope: Scope | None = None,
        title: Mapping[str, str] | None = None,
    ) -> None:
        self.workspace = workspace
        self.lang = lang  # checked with the request (reviewkit.review.open)
        self.as_of = as_of
        calendar = workspace.calendar
        self.period: Period = last_complete_period(self.cadence, as_of, calendar=calendar)
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

    @property
    def through(self) -> dt.date:
        """The last day whose data the review counts (the day before the review date)."""
        return self.as_of - dt.timedelta(days=1)

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

    @cached_property
    def figures(self) -> dict[str, dict[str, float]]:
        """Stage counts and the KGI: actual, previous, same period last year, target."""
        from reviewkit.analysis.gap import kgi_figures

        return kgi_figures(
            self.funnel, self.period, calendar=self.workspace.calendar, targets=self.targets
        )

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
    def register(self) -> Actions:
        """The actions register (``params/actions.yml``; empty when there is none)."""
        from reviewkit.model.actions_file import load_actions

        return load_actions(self.workspace, definitions=self.definitions)

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
    def quality(self) -> DataQuality:
        """The data quality report of the store."""
        profiles = record_profiles(self.con, self.workspace)
        return data_quality(
            self.con, timezone=self.timezone, definitions=self.definitions, profiles=profiles,
            workspace=self.workspace,
        )  # fmt: skip
