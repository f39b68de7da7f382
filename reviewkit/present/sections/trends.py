"""The quarterly trends table: each KPI this quarter against the last and a year ago.

The frame comes from :func:`reviewkit.analysis.trends.quarter_trends`.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from typing import Any

import pandas as pd

from reviewkit.analysis.trends import MATURING
from reviewkit.errors import ParameterError
from reviewkit.i18n.formatting import format_pct, format_period, format_value
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import ConversionMetric, Definitions
from reviewkit.model.labels import duration_words, metric_label
from reviewkit.present.html import Html, note_html, points_text
from reviewkit.present.tables import styled_table


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
    shown, classes = [], []
    for r in frame.to_dict("records"):
        row, kinds = _trend_row(r, definitions=definitions, lang=lang, currency=currency)
        shown.append(row)
        classes.append(kinds)
    notes = _maturing_notes(frame, definitions=definitions, lang=lang)
    equal = _equal_age_columns(frame, shown, classes, lang=lang)
    if equal:
        notes.append(equal)
    caption = t(
        "trends.caption", lang,
        period=format_period(periods["actual"], lang=lang),
        previous=format_period(periods["previous"], lang=lang),
        last_year=format_period(periods["last_year"], lang=lang),
    )  # fmt: skip
    basis = _basis_lines(frame, definitions=definitions, lang=lang)
    table = styled_table(pd.DataFrame(shown), classes, css_class="rk-trends", lang=lang)
    html = note_html(caption) + table.html + "".join(note_html(n) for n in [*basis, *notes])
    return Html(html, text=f"{caption}\n{table.text}")


def _trend_row(
    r: dict[Hashable, Any], *, definitions: Definitions, lang: str, currency: str
) -> tuple[dict[str, str], list[str]]:
    """One KPI's cells (this quarter, the last, a year ago, the changes) and their classes."""
    kind = r["kind"]
    settled = r["mature"] and r["previous_mature"]
    settled_ly = r["mature"] and r["last_year_mature"]
    qoq, yoy = r["qoq"], r["yoy"]

    def value(column: str, mature: str) -> str:
        return _value_text(r[column], kind, mature=r[mature], lang=lang, currency=currency)

    row = {
        t("trends.col.metric", lang): metric_label(definitions, r["metric"], lang=lang),
        t("trends.col.actual", lang): value("actual", "mature"),
        t("trends.col.previous", lang): value("previous", "previous_mature"),
        t("trends.col.qoq", lang): _change_text(qoq, kind, lang=lang, settled=settled),
        t("trends.col.last_year", lang): value("last_year", "last_year_mature"),
        t("trends.col.yoy", lang): _change_text(yoy, kind, lang=lang, settled=settled_ly),
    }
    kinds = [
        "rk-label",
        "rk-num",
        "rk-num",
        _change_class(qoq, settled=settled),
        "rk-num",
        _change_class(yoy, settled=settled_ly),
    ]
    return row, kinds


def _maturing_notes(frame: pd.DataFrame, *, definitions: Definitions, lang: str) -> list[str]:
    """The notes on maturing cohort rates: this quarter's (by window and share), then others'."""
    notes: list[str] = []
    maturing: dict[tuple[str, str], list[str]] = {}  # (window, share) -> rates
    for r in frame[frame["kind"] == "rate"].to_dict("records"):
        label = metric_label(definitions, r["metric"], lang=lang)
        metric = definitions.metric(r["metric"])
        assert isinstance(metric, ConversionMetric)
        window = duration_words(metric.window, lang=lang)
        if not r["mature"]:
            maturing.setdefault((window, format_pct(r["maturity"], lang=lang)), []).append(label)
        for name in ("previous", "last_year"):
            if not r[f"{name}_mature"]:
                quarter = t(f"trends.quarter.{name}", lang)
                notes.append(t("trends.compare_maturing_note", lang, metric=label, quarter=quarter))
    comma = "、" if lang == "ja" else ", "
    return [
        t("trends.maturing_note", lang, metric=comma.join(names), share=share, window=window)
        for (window, share), names in maturing.items()
    ] + notes


def _basis_lines(frame: pd.DataFrame, *, definitions: Definitions, lang: str) -> list[str]:
    """How counts, amounts and rates are counted, and what the changes are, one note each."""
    comma = "、" if lang == "ja" else ", "
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
    return basis
