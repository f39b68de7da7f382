"""The proposals section: one action per top finding, its expected effect and its owner.

The proposals come from :func:`reviewkit.analysis.proposals.proposals`.
"""

from __future__ import annotations

import pandas as pd

from reviewkit.i18n.formatting import format_count, format_money
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import Definitions
from reviewkit.model.labels import driver_label, metric_label
from reviewkit.present.html import Html, note_html, subsection_heading
from reviewkit.present.tables import styled_table


def proposals_html(
    frame: pd.DataFrame,
    *,
    definitions: Definitions,
    period: str,
    baseline: str,
    lang: str,
    currency: str,
) -> Html:
    """The proposals as a table, and how the effect is estimated (adopted on the decision sheet).

    The expected revenue is in ``currency``, the workspace's.
    """
    title = subsection_heading(t("proposal.title", lang), anchor="proposals")
    if frame.empty:
        none = t("proposal.none", lang)
        return Html(title + note_html(none), text=none)
    shown: list[dict[str, str]] = []
    classes: list[list[str]] = []
    for r in frame.to_dict("records"):
        owner = f"owner.{r['owner']}"
        shown.append(
            {
                t("col.number", lang): str(len(shown) + 1),
                t("col.action", lang): r["action"],
                t("col.driver", lang): driver_label(definitions, str(r["kpi"]), lang=lang),
                t("col.expected", lang): effect_text(
                    r, definitions=definitions, lang=lang, currency=currency
                ),
                t("col.owner_role", lang): t(owner, lang) if r["owner"] else "—",
            }
        )
        classes.append(["rk-num", "rk-text", "rk-label", "rk-text", "rk-label"])
    table = styled_table(pd.DataFrame(shown), classes, css_class="rk-proposals", shorten=False).html
    if definitions.kgi_is_revenue:
        note = t("proposal.note", lang, period=period, baseline=baseline)
    else:
        kgi = metric_label(definitions, definitions.kgi_metric, lang=lang)
        note = t("proposal.note_count", lang, period=period, baseline=baseline, kgi=kgi)
    return Html(title + table + note_html(note), text=t("proposal.title", lang))


def effect_text(
    row: dict[str, object], *, definitions: Definitions, lang: str, currency: str
) -> str:
    """A proposal's expected effect: ``+12 SQL/month (≈¥3.4M revenue)``.

    A KGI that is a count: ``+7 Won/month`` or, for a stage before the KGI's, ``+12 MQL/month
    (≈ +1.5 Won)``; never an amount in a currency.
    """
    fields = {
        "driver": driver_label(definitions, str(row["kpi"]), lang=lang),
        "people": format_count(float(row["expected_people"]), lang=lang),  # type: ignore[arg-type]
        "unit": row["expected_unit"],
    }
    if definitions.kgi_is_revenue:
        amount = format_money(float(row["expected_yen"]), currency=currency, lang=lang)  # type: ignore[arg-type]
        return t("proposal.effect", lang, amount=amount, **fields)
    if row.get("expected_stage") == definitions.stage_keys[-1]:
        return t("proposal.effect_count", lang, **fields)
    kgi = metric_label(definitions, definitions.kgi_metric, lang=lang)
    value = f"{float(row['expected_kgi']):,.1f}"  # type: ignore[arg-type]
    return t("proposal.effect_kgi", lang, kgi=kgi, value=value, **fields)
