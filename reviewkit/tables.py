"""Tables for packs, rendered with the pandas Styler."""

from __future__ import annotations

import math
from html import escape

import pandas as pd

from reviewkit.definitions import Definitions
from reviewkit.formatting import format_count, format_date, format_pct, format_yen
from reviewkit.html import Html
from reviewkit.texts import t

NEAR = 0.9  # achievement at or above this (and below 100 %) is "slightly short"


def status_of(achievement: float) -> str:
    """Classify an achievement ratio: ``met``, ``near``, ``missed`` or ``no_target``."""
    if math.isnan(achievement):
        return "no_target"
    if achievement >= 1.0:
        return "met"
    return "near" if achievement >= NEAR else "missed"


def scorecard_table(frame: pd.DataFrame, *, definitions: Definitions, lang: str) -> Html:
    """Render a scorecard (see :func:`reviewkit.scorecard.scorecard`) as a styled table.

    Parameters
    ----------
    frame
        The scorecard.
    definitions
        For the metric labels.
    lang
        ``ja`` or ``en``.

    Returns
    -------
    Html
        The table; status is given by symbol and word as well as colour.
    """
    labels = {s.key: s.label(lang) for s in definitions.stages}
    labels[definitions.kgi.key] = definitions.kgi.label(lang)
    shown = []
    classes = []
    for row in frame.itertuples(index=False):
        money = row.kind == "amount"

        def fmt(value: float, *, money: bool = money) -> str:
            return format_yen(value, lang=lang) if money else format_count(value, lang=lang)

        status = status_of(row.achievement)
        shown.append(
            {
                t("col.metric", lang): labels.get(row.metric, row.metric),
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
    table = pd.DataFrame(shown)
    styler = (
        table.style.hide(axis="index")
        .set_td_classes(pd.DataFrame(classes, columns=table.columns))
        .set_table_attributes('class="rk-table rk-scorecard"')
    )
    return Html(styler.to_html(), text=table.to_string(index=False))


def definitions_table(definitions: Definitions, *, lang: str) -> Html:
    """Render the agreed definitions: each stage and the KGI with owner and meaning."""
    items = [*definitions.stages, definitions.kgi]
    table = pd.DataFrame(
        {
            t("col.metric", lang): [i.label(lang) for i in items],
            t("col.owner", lang): [t(f"owner.{i.owner}", lang) for i in items],
            t("col.definition", lang): [i.description(lang) for i in items],
        }
    )
    agreement = t(
        "definitions.agreement",
        lang,
        version=definitions.version,
        agreed_on=format_date(definitions.agreed_on, lang=lang),
        agreed_by=", ".join(t(f"owner.{d}", lang) for d in definitions.agreed_by),
    )
    styler = table.style.hide(axis="index").set_table_attributes('class="rk-table rk-definitions"')
    html = f'<p class="rk-note">{escape(agreement)}</p>{styler.to_html()}'
    return Html(html, text=agreement)
