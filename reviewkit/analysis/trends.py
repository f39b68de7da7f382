"""The quarterly review's trends: every KPI of the tree this quarter, last quarter, last year.

Analysis (:func:`quarter_trends`, :func:`quarter_series`) asks the semantic layer for the stage
counts, the tree's stage rates, the average deal size and the KGI; presentation
(:func:`trends_table`, :func:`rates_chart`) words and draws them. A cohort rate whose window
has not elapsed by the cut-off is *maturing*: it is marked, with the share of its window that
has elapsed, and never read as a miss.
"""

from __future__ import annotations

import datetime as dt
import math

import altair as alt
import pandas as pd

from reviewkit.core.periods import (
    FiscalCalendar,
    Period,
    periods_ending,
    previous_period,
    same_period_last_year,
)
from reviewkit.errors import ParameterError
from reviewkit.i18n.formatting import format_pct, format_period, format_value
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import (
    AverageDealSizeMetric,
    ConversionMetric,
    Definitions,
    parse_duration,
)
from reviewkit.model.labels import duration_words, metric_label
from reviewkit.model.units import kgi_unit, metric_unit, unit_of
from reviewkit.present.charts.house import INK, PALETTE, RESIZE, PackChart, house_style
from reviewkit.present.html import Html, note_html, points_text
from reviewkit.present.tables import styled_table
from reviewkit.semantic.funnel import Funnel

TREND_COLUMNS = [
    "metric", "kind", "actual", "previous", "qoq", "last_year", "yoy", "basis", "mature",
    "maturity", "previous_mature", "last_year_mature", "equal_days", "equal_actual",
    "equal_previous", "equal_last_year",
]  # fmt: skip
SERIES_COLUMNS = ["period", "label", "start", "metric", "value", "mature"]
SHAPES = ["circle", "square", "triangle-up", "diamond", "triangle-down", "cross"]
MATURING = "◔"


def trend_metrics(definitions: Definitions) -> list[tuple[str, str]]:
    """The metrics a quarterly trend covers, in order, each with its kind.

    Returns
    -------
    list of tuple
        ``(metric key, kind)``: every stage count (``count``), the tree's stage rates
        (``rate``), the tree's average deal size (``amount``), then the KGI when it is
        revenue (``amount``; a won-count KGI is the last stage count, already listed).
    """
    out = {key: unit_of(definitions, key) for key in definitions.stage_keys}
    for key in definitions.tree:
        metric = definitions.metric(key)
        if isinstance(metric, ConversionMetric):
            out.setdefault(key, metric_unit(metric))
    for key in definitions.tree:
        if isinstance(definitions.metric(key), AverageDealSizeMetric):
            out.setdefault(key, unit_of(definitions, key))
    out.setdefault(definitions.kgi_metric, kgi_unit(definitions))
    return list(out.items())


def window_elapsed(funnel: Funnel, metric: str, period: Period) -> float:
    """Share (0..1) of a cohort rate's window elapsed by the cut-off for a period's last entrants.

    The last entrants of ``period`` entered just before its end; their window ends one window
    after it. The share is 1 exactly when :meth:`Funnel.metric_frame` calls the cohort
    ``mature``. Counts, amounts and period-basis rates are always 1.

    Parameters
    ----------
    funnel
        The semantic layer (its definitions, time zone and cut-off).
    metric
        A metric key of the definitions.
    period
        The period whose cohort is asked about.

    Returns
    -------
    float
        Between 0 (the period has just ended) and 1 (the window has elapsed).
    """
    definition = funnel.definitions.metric(metric)
    if not isinstance(definition, ConversionMetric) or definition.basis != "cohort":
        return 1.0
    window = parse_duration(definition.window)
    end = dt.datetime.combine(period.end, dt.time(), tzinfo=funnel.tz)
    return min(1.0, max(0.0, (funnel.cutoff - end) / window))


def _change(now: float, before: float, kind: str) -> float:
    """Points for rates; relative change for counts and amounts (NaN from a zero)."""
    if kind == "rate":
        return (now - before) * 100
    if math.isnan(before) or before == 0 or math.isnan(now):
        return math.nan
    return now / before - 1


def quarter_trends(funnel: Funnel, period: Period, *, calendar: FiscalCalendar) -> pd.DataFrame:
    """Every KPI of the tree in the quarter, the previous quarter and a year earlier.

    Parameters
    ----------
    funnel
        The semantic layer bound to the store (its cut-off decides maturity).
    period
        The quarter under review.
    calendar
        The fiscal calendar (previous quarter, same quarter last year).

    Returns
    -------
    pandas.DataFrame
        One row per metric of :func:`trend_metrics`, in that order, with columns
        :data:`TREND_COLUMNS`: ``metric``, ``kind`` (``count``, ``amount`` or ``rate``),
        ``actual``, ``previous``, ``qoq``, ``last_year``, ``yoy`` (changes: relative, e.g.
        0.05 for +5 %, for counts and amounts; the difference in percentage points, e.g. 2.1,
        for rates), ``basis`` (``cohort`` or ``period``), ``mature`` (the reviewed quarter's
        cohort window has fully elapsed before the cut-off; always true for counts and
        amounts), ``maturity`` (share of the window elapsed for the quarter's last entrants,
        0..1; 1 when mature), ``previous_mature`` and ``last_year_mature`` (the same flag for
        the two comparison quarters). For a cohort rate with a maturing quarter among the
        three, ``equal_days``, ``equal_actual``, ``equal_previous`` and ``equal_last_year``
        give the three cohorts at equal age (:mod:`reviewkit.analysis.timing`; NaN otherwise).
        ``frame.attrs["periods"]`` holds the three :class:`Period` objects (``actual``,
        ``previous``, ``last_year``).
    """
    from reviewkit.analysis.timing import equal_age_rates

    previous = previous_period(period, calendar=calendar)
    last_year = same_period_last_year(period, calendar=calendar)
    metrics = trend_metrics(funnel.definitions)
    frame = funnel.metric_frame([k for k, _ in metrics], [period, previous, last_year])
    cells = frame.set_index(["period", "metric"])
    rows = []
    for key, kind in metrics:
        now, before, year = (cells.loc[(p.label, key)] for p in (period, previous, last_year))
        actual, prev, ago = (float(r["value"]) for r in (now, before, year))
        flags = [bool(r["mature"]) for r in (now, before, year)]
        equal = {"equal_days": math.nan, "equal_actual": math.nan, "equal_previous": math.nan,
                 "equal_last_year": math.nan}  # fmt: skip
        if kind == "rate" and not all(flags):
            for name, other in (("previous", previous), ("last_year", last_year)):
                found = equal_age_rates(funnel, key, period, other)
                if found is not None:
                    equal.update({"equal_days": float(found.days), "equal_actual": found.value,
                                  f"equal_{name}": found.reference_value})  # fmt: skip
        rows.append(
            {
                "metric": key,
                "kind": kind,
                "actual": actual,
                "previous": prev,
                "qoq": _change(actual, prev, kind),
                "last_year": ago,
                "yoy": _change(actual, ago, kind),
                "basis": now["basis"] if now["basis"] in ("cohort", "period") else "period",
                "mature": bool(now["mature"]),
                "maturity": window_elapsed(funnel, key, period),
                "previous_mature": bool(before["mature"]),
                "last_year_mature": bool(year["mature"]),
                **equal,
            }
        )
    out = pd.DataFrame(rows, columns=TREND_COLUMNS)
    out.attrs["periods"] = {"actual": period, "previous": previous, "last_year": last_year}
    return out


def quarter_series(
    funnel: Funnel, period: Period, *, calendar: FiscalCalendar, quarters: int = 8
) -> pd.DataFrame:
    """The tree's stage rates over the last ``quarters`` quarters, ending with ``period``.

    Parameters
    ----------
    funnel
        The semantic layer bound to the store (its cut-off decides maturity).
    period
        The last quarter of the series (the one under review).
    calendar
        The fiscal calendar.
    quarters
        How many quarters, ``period`` included (1 or more).

    Returns
    -------
    pandas.DataFrame
        Long, oldest quarter first and rates in tree order; columns :data:`SERIES_COLUMNS`:
        ``period`` (the :class:`Period`), ``label`` (its label, ``FY2026-Q2``), ``start``
        (its first day), ``metric``, ``value`` (NaN without a denominator) and ``mature``.
    """
    if quarters < 1:
        raise ParameterError(f"quarters: {quarters!r} is not a number of quarters; use 1 or more")
    periods = periods_ending(period, quarters, calendar=calendar)
    rates = [k for k, kind in trend_metrics(funnel.definitions) if kind == "rate"]
    if not rates:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    frame = funnel.metric_frame(rates, periods)
    by_label = {p.label: p for p in periods}
    frame["_order"] = frame["metric"].map({k: i for i, k in enumerate(rates)})
    frame = frame.sort_values(["_order"], kind="stable")
    frame["_when"] = frame["period"].map({p.label: i for i, p in enumerate(periods)})
    frame = frame.sort_values(["_when", "_order"], kind="stable").reset_index(drop=True)
    return pd.DataFrame(
        {
            "period": frame["period"].map(by_label),
            "label": frame["period"],
            "start": frame["period"].map(lambda label: by_label[label].start),
            "metric": frame["metric"],
            "value": frame["value"].astype(float),
            "mature": frame["mature"].astype(bool),
        },
        columns=SERIES_COLUMNS,
    )


# -- presentation ------------------------------------------------------------------------------


def _arrow(value: float) -> str:
    if math.isnan(value):
        return ""
    return "▲ " if value > 0 else "▼ " if value < 0 else "→ "


def _change_text(value: float, kind: str, *, lang: str, settled: bool = True) -> str:
    """The change with an arrow; marked ◔ when either side is maturing (not a miss)."""
    text = _plain_change(value, kind, lang=lang)
    return text if settled or text == "—" else f"{text} {MATURING}"


def _plain_change(value: float, kind: str, *, lang: str) -> str:
    if math.isnan(value):
        return "—"
    if value == 0:  # no sign on "no change"
        return _arrow(value) + (
            t("rate.points", lang, value="0.0") if kind == "rate" else format_pct(0.0, lang=lang)
        )
    if kind == "rate":
        return _arrow(value) + points_text(value, lang=lang, unsigned_zero=True)
    return _arrow(value) + format_pct(value, lang=lang, signed=True)


def _change_class(value: float, *, settled: bool) -> str:
    """Up green, down red; a maturing comparison stays neutral (it is not a miss)."""
    if math.isnan(value) or value == 0 or not settled:
        return "rk-num rk-no_target"
    return "rk-num rk-met" if value > 0 else "rk-num rk-missed"


def _value_text(value: float, kind: str, *, mature: bool, lang: str, currency: str) -> str:
    text = format_value(value, kind=kind, lang=lang, currency=currency)
    return text if mature or math.isnan(value) else f"{text} {MATURING}"


def _equal_age_columns(
    frame: pd.DataFrame, shown: list[dict[str, str]], classes: list[list[str]], *, lang: str
) -> str:
    """Add the changes at equal age (QoQ and YoY) to the rows; return the note that explains them.

    Only when a cohort rate has a maturing quarter among the three: then every such rate is
    counted at the reviewed quarter's age (the same for all, as that quarter is the one
    maturing); other rows show "—". ``""`` and nothing added otherwise.
    """
    ages = frame["equal_days"].dropna()
    if ages.empty:
        return ""
    days = int(ages.iloc[0])
    names = {n: t(f"trends.col.{n}_equal", lang, days=days) for n in ("qoq", "yoy")}
    for r, row, kinds in zip(frame.to_dict("records"), shown, classes, strict=True):
        for name, other in (("qoq", "equal_previous"), ("yoy", "equal_last_year")):
            change = (float(r["equal_actual"]) - float(r[other])) * 100
            row[names[name]] = _change_text(change, "rate", lang=lang)
            kinds.append("rk-num rk-no_target")
    return t("trends.equal_age_note", lang, days=days)


def _basis_items(frame: pd.DataFrame, *, definitions: Definitions, lang: str) -> str:
    """``Cohort (within 90 days): Lead to MQL, ...; Period: ...`` for the caption."""
    groups: dict[str, list[str]] = {}
    for key in frame.loc[frame["kind"] == "rate", "metric"]:
        metric = definitions.metric(key)
        assert isinstance(metric, ConversionMetric)
        words = (
            t("basis.cohort", lang, window=duration_words(metric.window, lang=lang))
            if metric.basis == "cohort"
            else t("basis.period", lang)
        )
        groups.setdefault(words, []).append(metric_label(definitions, key, lang=lang))
    join = t("trends.basis.join", lang)
    comma = "、" if lang == "ja" else ", "
    return join.join(f"{words}: {comma.join(names)}" for words, names in groups.items())


def trends_table(
    frame: pd.DataFrame, *, definitions: Definitions, lang: str, currency: str
) -> Html:
    """The quarter's KPIs against the previous quarter and the same quarter a year earlier.

    Parameters
    ----------
    frame
        From :func:`quarter_trends` (its ``attrs["periods"]`` names the quarters).
    definitions
        For labels, bases and windows.
    lang
        ``ja`` or ``en``.
    currency
        The workspace's currency (ISO 4217), for amounts.

    Returns
    -------
    Html
        A caption naming the three quarters and the bases, the table (changes carry an arrow
        and a sign as well as a colour; rates change in points; a change with a maturing side is
        marked ◔ and never coloured), and a note for each maturing cohort rate saying how much
        of its window has elapsed. With a maturing quarter, two columns give each cohort rate's
        changes at equal age.
    """
    periods = frame.attrs.get("periods")
    if not periods:
        raise ParameterError(
            "frame: has no attrs['periods']; pass the frame quarter_trends returned"
        )
    shown, classes, notes = [], [], []
    maturing: dict[tuple[str, str], list[str]] = {}  # (window, share) -> rates
    for r in frame.to_dict("records"):
        kind, label = r["kind"], metric_label(definitions, r["metric"], lang=lang)
        settled = r["mature"] and r["previous_mature"]
        settled_ly = r["mature"] and r["last_year_mature"]
        shown.append(
            {
                t("trends.col.metric", lang): label,
                t("trends.col.actual", lang): _value_text(
                    r["actual"], kind, mature=r["mature"], lang=lang, currency=currency
                ),
                t("trends.col.previous", lang): _value_text(
                    r["previous"], kind, mature=r["previous_mature"], lang=lang, currency=currency
                ),
                t("trends.col.qoq", lang): _change_text(r["qoq"], kind, lang=lang, settled=settled),
                t("trends.col.last_year", lang): _value_text(
                    r["last_year"], kind, mature=r["last_year_mature"], lang=lang, currency=currency
                ),
                t("trends.col.yoy", lang): _change_text(
                    r["yoy"], kind, lang=lang, settled=settled_ly
                ),
            }
        )
        classes.append(
            [
                "rk-label",
                "rk-num",
                "rk-num",
                _change_class(r["qoq"], settled=settled),
                "rk-num",
                _change_class(r["yoy"], settled=settled_ly),
            ]
        )
        if kind != "rate":
            continue
        metric = definitions.metric(r["metric"])
        assert isinstance(metric, ConversionMetric)
        window = duration_words(metric.window, lang=lang)
        if not r["mature"]:
            maturing.setdefault((window, format_pct(r["maturity"], lang=lang)), []).append(label)
        for name in ("previous", "last_year"):
            if not r[f"{name}_mature"]:
                quarter = t(f"trends.quarter.{name}", lang)
                notes.append(t("trends.compare_maturing_note", lang, metric=label, quarter=quarter))
    equal = _equal_age_columns(frame, shown, classes, lang=lang)
    if equal:
        notes.append(equal)
    comma = "、" if lang == "ja" else ", "
    notes[:0] = [
        t("trends.maturing_note", lang, metric=comma.join(names), share=share, window=window)
        for (window, share), names in maturing.items()
    ]
    caption = t(
        "trends.caption", lang,
        period=format_period(periods["actual"], lang=lang),
        previous=format_period(periods["previous"], lang=lang),
        last_year=format_period(periods["last_year"], lang=lang),
    )  # fmt: skip
    basis = [t("trends.basis.counts", lang)]
    amounts = [
        metric_label(definitions, k, lang=lang)
        for k in frame.loc[frame["kind"] == "amount", "metric"]
    ]
    if amounts:
        basis.append(t("trends.basis.amounts", lang, metrics=comma.join(amounts)))
    if (frame["kind"] == "rate").any():
        items = _basis_items(frame, definitions=definitions, lang=lang)
        basis.append(t("trends.basis.rates", lang, items=items))
    basis.append(t("trends.basis.changes", lang))
    table = styled_table(pd.DataFrame(shown), classes, css_class="rk-trends", lang=lang)
    html = note_html(caption) + table.html + "".join(note_html(n) for n in [*basis, *notes])
    return Html(html, text=f"{caption}\n{table.text}")


def rates_chart(series: pd.DataFrame, *, definitions: Definitions, lang: str) -> PackChart:
    """The tree's stage rates by quarter: one line per rate, maturing cohorts hollow.

    Parameters
    ----------
    series
        From :func:`quarter_series`.
    definitions
        For the rate labels.
    lang
        ``ja`` or ``en``.

    Returns
    -------
    PackChart
        Quarters along x (named as :func:`format_period` names them, on two lines), the
        rate on y; colour and point shape both tell the rates apart, a filled point is a
        final value and a hollow one a maturing cohort (both named in a legend).
    """
    keys = list(dict.fromkeys(series["metric"]))
    labels = {k: metric_label(definitions, k, lang=lang) for k in keys}
    final, maturing = t("trends.chart.final", lang), t("trends.chart.maturing", lang)
    periods = list(dict.fromkeys(series["period"]))
    quarters = [format_period(p, lang=lang) for p in periods]
    data = pd.DataFrame(
        {
            "quarter": [format_period(p, lang=lang) for p in series["period"]],
            "rate": series["metric"].map(labels),
            "value": series["value"].astype(float),
            "mature": series["mature"].astype(bool),
        }
    )
    data["shown"] = [format_pct(v, lang=lang) for v in data["value"]]
    data["status"] = [final if m else maturing for m in data["mature"]]
    names = [labels[k] for k in keys]
    x = alt.X(
        "quarter:N",
        sort=quarters,
        title=None,
        scale=alt.Scale(domain=quarters),
        axis=alt.Axis(labelAngle=0, labelExpr="split(datum.label, ' ')", labelPadding=6),
    )
    y = alt.Y("value:Q", title=None, scale=alt.Scale(zero=True), axis=alt.Axis(format="%"))
    colours = alt.Scale(domain=names, range=PALETTE[: len(names)])
    shapes = alt.Scale(domain=names, range=SHAPES[: len(names)])
    colour = alt.Color("rate:N", scale=colours, title=None)
    shape = alt.Shape("rate:N", scale=shapes, title=None)
    tooltip = [
        alt.Tooltip("quarter:N", title=t("trends.chart.quarter", lang)),
        alt.Tooltip("rate:N", title=t("trends.chart.rate", lang)),
        alt.Tooltip("shown:N", title=t("trends.chart.value", lang)),
        alt.Tooltip("status:N", title=t("trends.chart.status", lang)),
    ]
    base = alt.Chart(data).transform_filter("isValid(datum.value)")
    lines = base.mark_line(strokeWidth=2).encode(
        x=x, y=y, color=colour, detail=alt.Detail("rate:N")
    )
    points = base.mark_point(size=90, filled=True, opacity=1).encode(
        x=x, y=y, color=colour, shape=shape, tooltip=tooltip
    )
    # A maturing cohort's point is hollow: a white point of the same shape inside it.
    hollow = (
        base.transform_filter("!datum.mature")
        .mark_point(size=30, filled=True, color="white", opacity=1)
        .encode(x=x, y=y, shape=shape, tooltip=tooltip)
    )
    # The legend of filled and hollow points: an invisible layer whose fill is the status.
    key = (
        alt.Chart(pd.DataFrame({"status": [final, maturing]}))
        .mark_point(opacity=0, size=80)
        .encode(
            fill=alt.Fill(
                "status:N",
                scale=alt.Scale(domain=[final, maturing], range=[INK, "white"]),
                title=None,
                legend=alt.Legend(
                    orient="top",
                    symbolType="circle",
                    symbolOpacity=1,
                    symbolStrokeColor=INK,
                    symbolStrokeWidth=2,
                    labelLimit=320,
                ),
            )
        )
    )
    chart = alt.layer(lines, points, hollow, key).properties(
        title=t("trends.chart.title", lang), width="container", height=260, autosize=RESIZE
    )
    description = t(
        "trends.chart.description", lang, n=len(periods),
        first=quarters[0] if quarters else "", last=quarters[-1] if quarters else "",
    )  # fmt: skip
    return PackChart(house_style(chart), description=description)
