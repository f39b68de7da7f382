"""Improvement proposals: one action per top finding, ready to adopt in the meeting.

Each proposal names the KPI, the segment, the owner and the expected effect: the people the
segment lost beyond its share this period (what the action would win back if the segment came
back to its baseline), and what that is worth at this period's downstream rates and deal size.
A KGI that is a count (deals won, no amounts) is spoken of in counts: ``expected_yen`` is NaN
(never an amount in a currency) and ``expected_kgi`` is the KGI count the people are worth.
The frame is what the actions register takes in when the meeting adopts a proposal.
"""

from __future__ import annotations

import math
import re
from html import escape
from typing import Any

import pandas as pd

from reviewkit.core.periods import Period
from reviewkit.i18n.formatting import format_count, format_money
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import ConversionMetric, Definitions
from reviewkit.present.glossary import metric_label
from reviewkit.present.html import Html
from reviewkit.present.sections.monthly import driver_label, finding_label
from reviewkit.present.tables import styled_table

PROPOSAL_COLUMNS = [
    "proposal_id", "family", "kpi", "dims", "values", "segment", "action", "owner",
    "expected_people", "expected_unit", "expected_yen", "expected_stage", "expected_kgi",
]  # fmt: skip


def _slug(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z]+", "-", text).strip("-").lower() or "segment"


def proposals(
    findings: pd.DataFrame, *, definitions: Definitions, period: Period, lang: str
) -> pd.DataFrame:
    """One proposal per family's top finding (:data:`PROPOSAL_COLUMNS`).

    ``proposal_id`` is stable across re-runs of the same period (period, family, KPI and
    segment), so an adopted proposal can be tracked in the actions register.
    """
    rows = []
    top = findings[findings["rank"] == 1] if len(findings) else findings
    for r in top.sort_values("score").to_dict("records") if len(top) else []:
        metric = definitions.metric(str(r["driver"]))
        if isinstance(metric, ConversionMetric):
            stage = metric.to
            owner_stage = metric.to if r["family"] == "follow_up" else metric.from_
        else:  # a stage volume
            stage = owner_stage = metric.stage  # type: ignore[union-attr]
        owner = definitions.stage(owner_stage).owner
        segment = finding_label(r, lang=lang)
        values = "-".join(str(v) for v in r["values"])
        worth = -float(r["yen"])
        rows.append(
            {
                "proposal_id": f"{period.label}-{r['family']}-{r['driver']}-{_slug(values)}",
                "family": r["family"],
                "kpi": r["driver"],
                "dims": r["dims"],
                "values": r["values"],
                "segment": segment,
                "action": t(
                    f"proposal.{r['family']}",
                    lang,
                    segment=segment,
                    driver=driver_label(definitions, str(r["driver"]), lang=lang),
                    stage=metric_label(definitions, str(r["source"]), lang=lang),
                ),
                "owner": owner,
                "expected_people": -float(r["score"]),
                "expected_unit": metric_label(definitions, stage, lang=lang),
                "expected_yen": worth if definitions.kgi_is_revenue else math.nan,
                "expected_stage": stage,
                "expected_kgi": math.nan if definitions.kgi_is_revenue else worth,
            }
        )
    return pd.DataFrame(rows, columns=PROPOSAL_COLUMNS)


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
    title = f'<h3 class="rk-subsection" id="proposals">{escape(t("proposal.title", lang))}</h3>'
    if frame.empty:
        none = t("proposal.none", lang)
        return Html(f'{title}<p class="rk-note">{escape(none)}</p>', text=none)
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
    return Html(
        f'{title}{table}<p class="rk-note">{escape(note)}</p>', text=t("proposal.title", lang)
    )


def effect_text(row: dict[str, Any], *, definitions: Definitions, lang: str, currency: str) -> str:
    """A proposal's expected effect: ``+12 SQL/month (≈¥3.4M revenue)``.

    A KGI that is a count: ``+7 Won/month`` or, for a stage before the KGI's, ``+12 MQL/month
    (≈ +1.5 Won)``; never an amount in a currency.
    """
    fields = {
        "driver": driver_label(definitions, str(row["kpi"]), lang=lang),
        "people": format_count(float(row["expected_people"]), lang=lang),
        "unit": row["expected_unit"],
    }
    if definitions.kgi_is_revenue:
        amount = format_money(float(row["expected_yen"]), currency=currency, lang=lang)
        return t("proposal.effect", lang, amount=amount, **fields)
    if row.get("expected_stage") == definitions.stage_keys[-1]:
        return t("proposal.effect_count", lang, **fields)
    kgi = metric_label(definitions, definitions.kgi_metric, lang=lang)
    value = f"{float(row['expected_kgi']):,.1f}"
    return t("proposal.effect_kgi", lang, kgi=kgi, value=value, **fields)
