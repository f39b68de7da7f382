"""Tables for packs, rendered with the pandas Styler."""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import Any

import pandas as pd

from reviewkit.analysis.status import status_of
from reviewkit.i18n.formatting import format_pct, format_value
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import Definitions
from reviewkit.model.labels import duration_words, metric_label
from reviewkit.present.html import Html, points_text
from reviewkit.present.styling import TOP_ROWS, escaped_styler, fold_rows


def styled_table(
    table: pd.DataFrame,
    classes: list[list[str]],
    *,
    css_class: str,
    shorten: bool = True,
    lang: str | None = None,
    top: int = TOP_ROWS,
) -> Html:
    """Render ``table`` without its index, each cell with its CSS classes, all text escaped.

    Parameters
    ----------
    table
        Cells already formatted as text (plain text: cells and headers are HTML-escaped).
    classes
        One list of CSS classes (a string) per row, one per column.
    css_class
        The table's own class, besides ``rk-table``.
    shorten
        Shorten long names (full text on hover); ``False`` for tables of sentences.
    lang
        Given, a long table shows its top rows and folds the rest behind a switch in that
        language (:func:`reviewkit.present.styling.fold_rows`).
    top
        How many rows a folded table shows first (e.g. one month's rows of a month x stage
        table, so that no month is cut in two).
    """
    styler = escaped_styler(table, css_class=css_class, shorten=shorten).set_td_classes(
        pd.DataFrame(classes, index=table.index, columns=table.columns)
    )
    html = styler.to_html()
    if lang is not None:
        html = fold_rows(html, lang=lang, top=top)
    return Html(html, text=table.to_string(index=False))


def scorecard_table(
    frame: pd.DataFrame,
    *,
    definitions: Definitions,
    lang: str,
    currency: str,
    no_data: Collection[str] = (),
) -> Html:
    """Render a scorecard (see :func:`reviewkit.analysis.scorecard.scorecard`) as a styled table.

    Parameters
    ----------
    frame
        The scorecard.
    definitions
        For the metric labels.
    lang
        ``ja`` or ``en``.
    currency
        The workspace's currency (ISO 4217), for rows whose ``kind`` is ``amount``.
    no_data
        Metrics the store holds no record of at all (:mod:`reviewkit.semantic.funnel_gaps`): their
        actual and achievement are a dash and their status "no data", never "missed".

    Returns
    -------
    Html
        The table; status is given by symbol and word as well as colour.
    """
    shown = []
    classes = []
    for row in frame.itertuples(index=False):

        def fmt(value: float, *, kind: str = row.kind) -> str:
            return format_value(value, kind=kind, lang=lang, currency=currency)

        missing = row.metric in no_data
        status = "no_data" if missing else status_of(row.achievement)
        shown.append(
            {
                t("col.metric", lang): metric_label(definitions, row.metric, lang=lang),
                t("col.actual", lang): "—" if missing else fmt(row.actual),
                t("col.target", lang): fmt(row.target),
                t("col.achievement", lang): (
                    "—" if missing else format_pct(row.achievement, lang=lang)
                ),
                t("col.status", lang): t(f"status.{status}", lang),
                t("col.previous", lang): fmt(row.previous),
                t("col.change", lang): format_pct(row.change, lang=lang, signed=True),
            }
        )
        css = "no_target" if missing else status  # styled as a row without a target
        classes.append(
            ["rk-label", "rk-num", "rk-num", "rk-num", f"rk-status rk-{css}", "rk-num", "rk-num"]
        )
    return styled_table(pd.DataFrame(shown), classes, css_class="rk-scorecard")


def _maturing(text: str, *, mature: bool, lang: str) -> str:
    """``text`` marked "(maturing)" when its cohort's window has not elapsed (never a dash)."""
    if mature or text == "—":
        return text
    return f"{text}{'' if lang == 'ja' else ' '}{t('rate.maturing', lang)}"


def _equal_age(row: Any, *, lang: str) -> str:
    """``12 days: 5.0% → 4.1% (−0.9 pts)``: both cohorts at the same age; ``—`` without."""
    days = float(row.equal_days)
    if math.isnan(days):
        return "—"
    before, now = row.equal_previous, row.equal_value
    return t(
        "rate.equal_age_cell", lang, days=int(days),
        before=format_pct(before, lang=lang), now=format_pct(now, lang=lang),
        change=points_text((now - before) * 100, lang=lang, unsigned_zero=True),
    )  # fmt: skip


def rates_table(frame: pd.DataFrame, *, definitions: Definitions, lang: str) -> Html:
    """Render a rate card (see :func:`reviewkit.analysis.scorecard.rate_card`).

    Parameters
    ----------
    frame
        The rate card.
    definitions
        For labels.
    lang
        ``ja`` or ``en``.

    Returns
    -------
    Html
        One row per stage rate: the rate on its agreed basis, the basis, the value on the
        other basis where it differs materially, the previous period and the change in
        points. A cohort whose window has not elapsed is marked maturing, the period's and
        the previous period's alike, and so is a change with a maturing side (it is not a
        miss); when any is, a column compares both cohorts at the same age.
    """
    shown, classes = [], []

    def basis_words(basis: str, window: str) -> str:
        if basis == "cohort":
            return t("basis.cohort", lang, window=duration_words(window, lang=lang))
        return t("basis.period", lang)

    equal = frame["equal_days"].notna().any() if len(frame) else False
    for row in frame.itertuples(index=False):
        basis = basis_words(row.basis, row.window)
        settled = bool(row.mature) and bool(row.previous_mature)
        other = (
            f"{basis_words(row.other_basis, row.window)}: {format_pct(row.other_value, lang=lang)}"
            if row.show_both
            else "—"
        )
        cells = {
            t("col.metric", lang): metric_label(definitions, row.metric, lang=lang),
            t("col.rate", lang): _maturing(
                format_pct(row.value, lang=lang), mature=row.mature, lang=lang
            ),
            t("col.basis", lang): basis,
            t("col.other_basis", lang): other,
            t("col.previous", lang): _maturing(
                format_pct(row.previous, lang=lang), mature=row.previous_mature, lang=lang
            ),
            t("col.change_points", lang): _maturing(
                points_text(row.change_points, lang=lang, unsigned_zero=True),
                mature=settled,
                lang=lang,
            ),
        }
        kinds = ["rk-label", "rk-num", "rk-text", "rk-num", "rk-num", "rk-num"]
        if equal:
            cells[t("col.equal_age", lang)] = _equal_age(row, lang=lang)
            kinds.append("rk-num")
        shown.append(cells)
        classes.append(kinds)
    return styled_table(pd.DataFrame(shown), classes, css_class="rk-rates")
