"""Tables for packs, rendered with the pandas Styler."""

from __future__ import annotations

import math

import pandas as pd

from reviewkit.definitions import Definitions
from reviewkit.formatting import MINUS, format_pct, format_value
from reviewkit.glossary import duration_words, metric_label
from reviewkit.html import Html
from reviewkit.styling import escaped_styler, fold_rows
from reviewkit.texts import t

NEAR = 0.9  # achievement at or above this (and below 100 %) is "slightly short"


def styled_table(
    table: pd.DataFrame,
    classes: list[list[str]],
    *,
    css_class: str,
    shorten: bool = True,
    lang: str | None = None,
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
        language (:func:`reviewkit.styling.fold_rows`).
    """
    styler = escaped_styler(table, css_class=css_class, shorten=shorten).set_td_classes(
        pd.DataFrame(classes, index=table.index, columns=table.columns)
    )
    html = styler.to_html()
    if lang is not None:
        html = fold_rows(html, lang=lang)
    return Html(html, text=table.to_string(index=False))


def status_of(achievement: float) -> str:
    """Classify an achievement ratio: ``met``, ``near``, ``missed`` or ``no_target``."""
    if math.isnan(achievement):
        return "no_target"
    if achievement >= 1.0:
        return "met"
    return "near" if achievement >= NEAR else "missed"


def scorecard_table(
    frame: pd.DataFrame, *, definitions: Definitions, lang: str, currency: str
) -> Html:
    """Render a scorecard (see :func:`reviewkit.scorecard.scorecard`) as a styled table.

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

        status = status_of(row.achievement)
        shown.append(
            {
                t("col.metric", lang): metric_label(definitions, row.metric, lang=lang),
                t("col.actual", lang): fmt(row.actual),
                t("col.target", lang): fmt(row.target),
                t("col.achievement", lang): format_pct(row.achievement, lang=lang),
                t("col.status", lang): t(f"status.{status}", lang),
                t("col.previous", lang): fmt(row.previous),
                t("col.change", lang): format_pct(row.change, lang=lang, signed=True),
            }
        )
        classes.append(
            ["rk-label", "rk-num", "rk-num", "rk-num", f"rk-status rk-{status}", "rk-num", "rk-num"]
        )
    return styled_table(pd.DataFrame(shown), classes, css_class="rk-scorecard")


def _points(value: float, *, lang: str) -> str:
    if math.isnan(value):
        return "—"
    text = f"{value:+.1f}".replace("-", MINUS)
    return t("rate.points", lang, value=text)


def rates_table(frame: pd.DataFrame, *, definitions: Definitions, lang: str) -> Html:
    """Render a rate card (see :func:`reviewkit.scorecard.rate_card`).

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
        One row per stage rate: the rate on its agreed basis (marked while maturing), the
        basis, the value on the other basis where it differs materially, the previous
        period and the change in points.
    """
    shown, classes = [], []

    def basis_words(basis: str, window: str) -> str:
        if basis == "cohort":
            return t("basis.cohort", lang, window=duration_words(window, lang=lang))
        return t("basis.period", lang)

    for row in frame.itertuples(index=False):
        basis = basis_words(row.basis, row.window)
        rate = format_pct(row.value, lang=lang)
        if not row.mature:
            rate = f"{rate} {t('rate.maturing', lang)}"
        other = (
            f"{basis_words(row.other_basis, row.window)}: {format_pct(row.other_value, lang=lang)}"
            if row.show_both
            else "—"
        )
        shown.append(
            {
                t("col.metric", lang): metric_label(definitions, row.metric, lang=lang),
                t("col.rate", lang): rate,
                t("col.basis", lang): basis,
                t("col.other_basis", lang): other,
                t("col.previous", lang): format_pct(row.previous, lang=lang),
                t("col.change_points", lang): _points(row.change_points, lang=lang),
            }
        )
        classes.append(["rk-label", "rk-num", "rk-text", "rk-num", "rk-num", "rk-num"])
    return styled_table(pd.DataFrame(shown), classes, css_class="rk-rates")
