"""Improvement proposals: one action per top finding, ready to adopt in the meeting.

Each proposal names the KPI, the segment, the owner and the expected effect: the people the
segment lost beyond its share this period (what the action would win back if the segment came
back to its baseline), and what that is worth at this period's downstream rates and deal size.
The frame is what the actions register takes in when the meeting adopts a proposal.
"""

from __future__ import annotations

import re
from html import escape

import pandas as pd

from reviewkit.definitions import ConversionMetric, Definitions
from reviewkit.formatting import format_count, format_money
from reviewkit.glossary import metric_label
from reviewkit.html import Html
from reviewkit.monthly import driver_label, finding_label
from reviewkit.periods import Period
from reviewkit.tables import styled_table
from reviewkit.texts import t

PROPOSAL_COLUMNS = [
    "proposal_id", "family", "kpi", "dims", "values", "segment", "action", "owner",
    "expected_people", "expected_unit", "expected_yen",
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
                ),
                "owner": owner,
                "expected_people": -float(r["score"]),
                "expected_unit": metric_label(definitions, stage, lang=lang),
                "expected_yen": -float(r["yen"]),
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
    if frame.empty:
        return Html(f'<p class="rk-note">{escape(t("proposal.none", lang))}</p>')
    shown, classes = [], []
    for r in frame.to_dict("records"):
        owner = f"owner.{r['owner']}"
        shown.append(
            {
                t("col.number", lang): str(len(shown) + 1),
                t("col.action", lang): r["action"],
                t("col.driver", lang): driver_label(definitions, str(r["kpi"]), lang=lang),
                t("col.expected", lang): t(
                    "proposal.effect",
                    lang,
                    driver=driver_label(definitions, str(r["kpi"]), lang=lang),
                    people=format_count(r["expected_people"], lang=lang),
                    unit=r["expected_unit"],
                    amount=format_money(r["expected_yen"], currency=currency, lang=lang),
                ),
                t("col.owner_role", lang): t(owner, lang) if r["owner"] else "—",
            }
        )
        classes.append(["rk-num", "rk-text", "rk-label", "rk-text", "rk-label"])
    table = styled_table(pd.DataFrame(shown), classes, css_class="rk-proposals", shorten=False).html
    note = t("proposal.note", lang, period=period, baseline=baseline)
    return Html(
        f'<h3 class="rk-subsection" id="proposals">{escape(t("proposal.title", lang))}</h3>'
        f'{table}<p class="rk-note">{escape(note)}</p>',
        text=t("proposal.title", lang),
    )
