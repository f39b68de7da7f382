"""The drill-down in JupyterLab: an ipywidgets shell over the drill-down's frame, chart and table.

:class:`Explorer` holds the controls (metric, split, cadence, periods, a filter and the basis
of conversion rates) and redraws :func:`~reviewkit.present.sections.drilldown.explore_chart` and
:func:`~reviewkit.present.sections.drilldown.explore_table` of
:func:`~reviewkit.analysis.drilldown.explore_frame` on every change. :func:`explorer` builds one
for a review; :class:`Explorable` gives every cadence's review its ``explore()``, and
:func:`reviewkit.review.open.explore` opens one on a workspace (``reviewkit.explore``).

ipywidgets (and IPython) are imported only when a widget is built, and a pack never contains
widget output or widget state: :func:`explorer` and ``explore()`` return ``None`` inside a
pack build (:func:`~reviewkit.core.context.in_pack`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from reviewkit.analysis.drilldown import (
    BASES,
    EXPLORE_COLUMNS,
    WHOLE,
    _check_dimension,
    _check_filters,
    _check_metric,
    explore_dimensions,
    explore_frame,
    explore_metrics,
    explore_values,
)
from reviewkit.core.context import in_pack
from reviewkit.core.periods import (
    CADENCES,
    Cadence,
    FiscalCalendar,
    Period,
    last_complete_period,
    periods_ending,
)
from reviewkit.errors import ParameterError
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import ConversionMetric
from reviewkit.model.labels import dimension_label, metric_label
from reviewkit.present.charts.house import PackChart
from reviewkit.present.html import Html, note_html
from reviewkit.present.sections.drilldown import explore_chart, explore_table
from reviewkit.semantic.funnel import Funnel

if TYPE_CHECKING:
    from reviewkit.review.base import Review

PERIODS_RANGE = (3, 24)  # the periods slider
DEFAULT_PERIODS: dict[str, int] = {"weekly": 13, "monthly": 12, "quarterly": 8}
WIDGET_WIDTH = 760  # the chart in a notebook, in pixels
TABLE_STYLE = "max-height: 28em; overflow-y: auto"


def _one_line(error: BaseException) -> str:
    lines = [line for line in str(error).strip().splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


class Explorer:
    """The drill-down widget: controls over the drill-down frame, chart and table below.

    Parameters
    ----------
    funnel
        The semantic layer (a review's :attr:`reviewkit.review.base.Review.funnel`).
    as_of
        The review date: the periods end at the last complete period before it.
    calendar
        The workspace's fiscal calendar.
    lang
        ``ja`` or ``en``.
    currency
        The workspace's currency (ISO 4217), for amounts.
    cadence
        ``monthly``, ``quarterly`` or ``weekly``.
    metric
        A key of :func:`~reviewkit.analysis.drilldown.explore_metrics`; ``None``: the KGI.
    dimension
        A column of :func:`~reviewkit.analysis.drilldown.explore_dimensions`; ``None``: the whole
        funnel.
    periods
        How many periods (3 to 24); ``None``: 12 months, 8 quarters or 13 weeks.
    basis
        ``cohort`` or ``period`` for conversions; ``None``: the metric's own.
    filters
        ``{column: [values]}`` on one column (the widget filters one column at a time).
    top
        Values shown by name (see :func:`~reviewkit.analysis.drilldown.explore_frame`).

    Attributes
    ----------
    widget
        The ``ipywidgets.VBox`` (class ``rk-explore``) to display.
    frame
        The current :func:`~reviewkit.analysis.drilldown.explore_frame` (empty after an error).
    chart, table
        The current chart and table (``None`` when there is a message instead).
    message
        The one-line message shown instead of chart and table (``""`` when there is none).
    """

    def __init__(
        self,
        funnel: Funnel,
        *,
        as_of: dt.date,
        calendar: FiscalCalendar,
        lang: str,
        currency: str,
        cadence: Cadence = "monthly",
        metric: str | None = None,
        dimension: str | None = None,
        periods: int | None = None,
        basis: str | None = None,
        filters: Mapping[str, Sequence[str]] | None = None,
        top: int = 8,
    ) -> None:
        self.funnel, self.definitions = funnel, funnel.definitions
        self.as_of, self.calendar, self.lang, self.top = as_of, calendar, lang, top
        self.currency = currency
        self.frame = pd.DataFrame(columns=EXPLORE_COLUMNS)
        self.chart: PackChart | None = None
        self.table: Html | None = None
        self.message = ""
        self._holding = True
        self._build()
        self._holding = False
        self.set(
            metric=metric or funnel.kgi_key(), dimension=dimension or "", cadence=cadence,
            periods=periods or DEFAULT_PERIODS.get(cadence, 12), basis=basis,
            filters=filters or {},
        )  # fmt: skip

    def _build(self) -> None:
        import ipywidgets as w

        lang, wide = self.lang, {"description_width": "initial"}

        def dropdown(key: str, options: list[tuple[str, str]]) -> Any:
            return w.Dropdown(options=options, description=t(key, lang), style=wide)

        metrics = [(metric_label(self.definitions, k, lang=lang), k)
                   for k in explore_metrics(self.definitions)]  # fmt: skip
        columns = [(dimension_label(d, lang=lang, definitions=self.definitions), d)
                   for d in explore_dimensions(self.funnel)]  # fmt: skip
        cadences = [(t(f"explore.cadence.{c}", lang), c) for c in ("monthly", "quarterly",
                                                                    "weekly")]  # fmt: skip
        self._metric = dropdown("explore.metric", metrics)
        self._dimension = dropdown("explore.dimension", [(t(WHOLE, lang), ""), *columns])
        self._cadence = dropdown("explore.cadence", cadences)
        low, high = PERIODS_RANGE
        self._periods = w.IntSlider(value=DEFAULT_PERIODS["monthly"], min=low, max=high,
                                    description=t("explore.periods", lang), style=wide,
                                    continuous_update=False)  # fmt: skip
        self._basis = w.ToggleButtons(
            options=[(t(f"explore.basis.{b}", lang), b) for b in BASES],
            description=t("explore.basis", lang), style=wide,
            tooltips=[t("explore.basis_hint", lang)] * len(BASES),
        )  # fmt: skip
        self._column = dropdown("explore.filter", [(t("explore.filter.none", lang), ""),
                                                   *columns])  # fmt: skip
        self._values = w.SelectMultiple(options=[], rows=5, style=wide,
                                        description=t("explore.filter.values", lang))  # fmt: skip
        self._clear = w.Button(description=t("explore.clear", lang), icon="times")
        self._clear.on_click(lambda _: self.clear_filters())
        self._output = w.Output()
        for control in (self._metric, self._dimension, self._cadence, self._periods,
                        self._basis, self._column, self._values):  # fmt: skip
            control.observe(self._changed, names="value")
        self.widget = w.VBox([
            w.HBox([self._metric, self._dimension]), w.HBox([self._cadence, self._periods]),
            self._basis, w.HBox([self._column, self._values, self._clear]), self._output,
        ])  # fmt: skip
        self.widget.add_class("rk-explore")

    # -- state ---------------------------------------------------------------------------------

    @property
    def periods(self) -> list[Period]:
        """The periods shown: the chosen number, ending at the last complete period."""
        last = last_complete_period(self._cadence.value, self.as_of, calendar=self.calendar)
        return periods_ending(last, int(self._periods.value), calendar=self.calendar)

    @property
    def metric(self) -> str:
        """The metric key chosen."""
        return str(self._metric.value)

    @property
    def dimension(self) -> str | None:
        """The column split by; ``None``: the whole funnel."""
        return self._dimension.value or None

    @property
    def basis(self) -> str | None:
        """The basis chosen for a conversion metric; ``None`` for other metrics."""
        return None if self._basis.disabled else str(self._basis.value)

    @property
    def filters(self) -> dict[str, list[str]]:
        """The filter chosen: ``{column: [values]}``, or ``{}``."""
        if not self._column.value or not self._values.value:
            return {}
        return {self._column.value: list(self._values.value)}

    def set(
        self,
        *,
        metric: str | None = None,
        dimension: str | None = None,
        cadence: str | None = None,
        periods: int | None = None,
        basis: str | None = None,
        filters: Mapping[str, Sequence[str]] | None = None,
    ) -> Explorer:
        """Set several controls at once, then redraw once.

        ``None`` leaves a control as it is; ``dimension=""`` is the whole funnel and
        ``filters={}`` drops the filter. A new metric takes its own basis unless ``basis`` is
        given.

        Raises
        ------
        ParameterError
            When a value is not one the controls offer (naming it and the allowed ones).
        """
        if metric is not None or basis is not None:
            _check_metric(self.definitions, metric or self.metric, basis)
        _check_dimension(self.funnel, dimension)
        if cadence is not None and cadence not in CADENCES:
            raise ParameterError(f"cadence: {cadence!r} is not a cadence; use one of {CADENCES}")
        low, high = PERIODS_RANGE
        if periods is not None and not low <= periods <= high:
            raise ParameterError(f"periods: {periods!r} is out of range; use {low} to {high}")
        if filters is not None and len(_check_filters(self.funnel, filters)) > 1:
            raise ParameterError(f"filters: the explorer filters on one column at a time; got "
                                 f"{list(filters)}")  # fmt: skip
        self._holding = True
        try:
            if metric is not None:
                self._metric.value = metric
            if metric is not None or basis is not None:
                self._set_basis(basis)
            for control, value in ((self._dimension, dimension), (self._cadence, cadence),
                                   (self._periods, periods)):  # fmt: skip
                if value is not None:
                    control.value = value
            if filters is not None:
                column, values = next(iter(filters.items()), ("", []))
                self._column.value = column
                self._refresh_values(keep=[values] if isinstance(values, str) else list(values))
            elif cadence is not None or periods is not None:
                self._refresh_values(keep=list(self._values.value))
        finally:
            self._holding = False
        self.refresh()
        return self

    def clear_filters(self) -> None:
        """Drop the filter and redraw (the "clear" button)."""
        self.set(filters={})

    def _set_basis(self, basis: str | None) -> None:
        """Enable the basis for a conversion (its own basis unless ``basis``), else grey it."""
        found = self.definitions.metric(self.metric)
        self._basis.disabled = not isinstance(found, ConversionMetric)
        if isinstance(found, ConversionMetric):
            self._basis.value = basis or found.basis

    def _refresh_values(self, *, keep: Sequence[str] = ()) -> None:
        """The filter column's values in the periods shown; ``keep`` stays chosen."""
        column = self._column.value
        options = explore_values(self.funnel, column, self.periods) if column else []
        self._values.options = [*options, *(v for v in keep if v not in options)]
        self._values.value = tuple(keep)

    def _changed(self, change: dict[str, Any]) -> None:
        """An analyst changed a control: keep the others consistent, then redraw."""
        if self._holding:
            return
        owner = change["owner"]
        self._holding = True
        try:
            if owner is self._metric:
                self._set_basis(None)
            elif owner is self._column:
                self._refresh_values()
            elif owner in (self._cadence, self._periods) and self._column.value:
                self._refresh_values(keep=list(self._values.value))
        finally:
            self._holding = False
        self.refresh()

    def refresh(self) -> None:
        """Recompute the frame from the controls and redraw; errors become a one-line message."""
        if self._holding:
            return
        lang = self.lang
        self.chart, self.table, self.message = None, None, ""
        try:
            frame = explore_frame(
                self.funnel, metric=self.metric, dimension=self.dimension, periods=self.periods,
                basis=self.basis, filters=self.filters, top=self.top,
            )  # fmt: skip
            self.frame = frame
            amounts = frame[["numerator", "denominator"]]
            nothing = amounts.fillna(0).eq(0).all(axis=None) and amounts.notna().any(axis=None)
            if frame.empty or nothing:  # every count zero (NaN throughout: undefined)
                self.message = t("explore.no_data", lang)
            elif frame["value"].isna().all():
                label = metric_label(self.definitions, self.metric, lang=lang)
                self.message = t("explore.undefined", lang, metric=label)
            else:
                options: dict[str, Any] = {"definitions": self.definitions, "metric": self.metric,
                           "dimension": self.dimension, "lang": lang,
                           "currency": self.currency}  # fmt: skip
                self.chart = explore_chart(frame, **options)
                self.table = explore_table(frame, **options)
        except Exception as exc:  # the drill-down shows a message, never a traceback
            self.frame = pd.DataFrame(columns=EXPLORE_COLUMNS)
            self.message = t("explore.error", lang, error=_one_line(exc))
        self._draw()

    def _draw(self) -> None:
        from IPython import get_ipython
        from IPython.display import display

        if get_ipython() is None:
            return  # no notebook to draw in (a script, the tests): the state above is all
        self._output.clear_output(wait=True)
        with self._output:
            if self.message or self.chart is None or self.table is None:
                display(Html(note_html(self.message), text=self.message))
                return
            # a notebook has no container to fit: a fixed width, and a table that scrolls
            chart = self.chart.chart.properties(width=WIDGET_WIDTH)
            table = f'<div class="rk-explore-table" style="{TABLE_STYLE}">{self.table.html}</div>'
            display(PackChart(chart, description=self.chart.description), Html(table))


# -- entry points -----------------------------------------------------------------------------


def explorer(review: Review, **defaults: Any) -> Explorer | None:
    """The drill-down of a review's store, or ``None`` inside a pack build.

    Parameters
    ----------
    review
        The review (its funnel, date, calendar and language; a segment pack's scope holds).
    **defaults
        The controls' first values: ``metric``, ``dimension``, ``cadence`` (default: the
        review's), ``periods``, ``basis``, ``filters``, ``top`` (see :class:`Explorer`).

    Returns
    -------
    Explorer or None
        ``None`` when :func:`~reviewkit.core.context.in_pack`: packs never contain widget output
        or widget state.
    """
    if in_pack():
        return None
    defaults.setdefault("cadence", review.cadence)
    return Explorer(
        review.funnel,
        as_of=review.as_of,
        calendar=review.workspace.calendar,
        lang=review.lang,
        currency=review.currency,
        **defaults,
    )


class Explorable:
    """What gives every cadence's review its :meth:`explore` (the drill-down in JupyterLab)."""

    def explore(self, **defaults: Any) -> Any:
        """The interactive drill-down (ipywidgets) in JupyterLab; ``None`` in a pack.

        ``defaults`` (``metric=``, ``dimension=``, ...) set the controls' first values; see
        :func:`reviewkit.review.open.explore`.
        """
        found = explorer(cast("Review", self), **defaults)
        return None if found is None else found.widget
