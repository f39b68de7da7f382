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

import pandas as pd

from reviewkit.core.periods import Period
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import ConversionMetric, Definitions
from reviewkit.model.labels import driver_label, finding_label, metric_label

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
        segment = finding_label(r, lang=lang, definitions=definitions)
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
