"""The cause checklist's sales-team questions: follow-up (4), resources (8), collaboration (10).

Each rule returns ``(status, evidence sentence)`` for :func:`reviewkit.analysis.checklist.assess`;
``teams`` is :func:`reviewkit.analysis.followup_month.team_follow_up`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from reviewkit.analysis.checklist_evidence import (
    EPS,
    STATUSES,
    Evidence,
    as_float,
    count_text,
    hours_text,
    is_missing,
    pct_text,
)
from reviewkit.analysis.followup import team_name
from reviewkit.i18n.formatting import format_count, format_money, format_pct
from reviewkit.i18n.texts import t

if TYPE_CHECKING:
    from reviewkit.model.definitions import Definitions

SLA_PROBLEM = 0.80  # lowest team SLA below this is a problem
SLA_WATCH = 0.90  # ... below this is to watch
SLA_FALL = 0.10  # a fall of this much (10 points) against the team's own baseline is a problem
TOUCHED_FALL = 0.20  # a team touching 20 % fewer leads while its MQLs held
SPEND_FALL = 0.20  # campaign spend 20 % below the 3 months before


# -- 4: follow-up ------------------------------------------------------------------------------


def _sla_fall(row: pd.Series) -> float:
    """Points (as a fraction) the team's SLA fell against its baseline; NaN when unknown."""
    return as_float(row.get("sla_before")) - as_float(row.get("sla"))


def rule_follow_up(teams: pd.DataFrame, *, evidence: Evidence, lang: str) -> tuple[str, str]:
    """Point 4: the lowest team SLA, or a team fallen well below its own usual."""
    if not evidence.touches:
        return "nodata", t("check.nodata.touches", lang)
    if teams is None or teams.empty:
        return "discuss", t("check.sla.no_metric", lang)
    rated = teams[pd.to_numeric(teams["sla"], errors="coerce").notna()]
    if rated.empty:
        return "discuss", t("check.sla.none_due", lang)
    rated = rated.assign(
        _sla=pd.to_numeric(rated["sla"]), _mqls=-pd.to_numeric(rated["mqls"], errors="coerce")
    ).sort_values(["_sla", "_mqls"], kind="stable")
    lowest = rated.iloc[0]
    sla = float(lowest["_sla"])

    def fell(row: pd.Series) -> bool:
        fall = _sla_fall(row)
        return not math.isnan(fall) and fall >= SLA_FALL - EPS

    def sentence(row: pd.Series, key: str) -> str:
        fall = _sla_fall(row)
        return t(
            key,
            lang,
            team=team_name(row["sales_team"], lang=lang),
            sla=pct_text(row["sla"], lang=lang),
            sla_before=pct_text(row.get("sla_before"), lang=lang),
            hours=hours_text(row.get("median_hours"), lang=lang),
            hours_before=hours_text(row.get("median_hours_before"), lang=lang),
            points=t("check.points", lang, value=f"{fall * 100:.1f}"),
        )

    first = "check.sla.lowest" if evidence.teams else "check.sla.company"
    if sla < SLA_PROBLEM - EPS or fell(lowest):
        return "problem", sentence(lowest, first)
    # the lowest team held up, but another team may have fallen well below its own usual
    falls = [r for _, r in rated.iterrows() if fell(r)]
    if falls:
        worst = max(falls, key=_sla_fall)
        return "problem", sentence(worst, "check.sla.fell")
    status = "watch" if sla < SLA_WATCH - EPS else "ok"
    return status, sentence(lowest, first)


# -- 8: resources ------------------------------------------------------------------------------


def _mqls_before(row: pd.Series) -> float:
    """The team's MQLs of the baseline: ``mqls_before`` if given, else from the shares.

    ``touched_before = mqls_before x (1 - untouched_share_before)`` (never touched is the
    MQLs minus the touched), so the baseline's MQLs follow when that column is there.
    """
    if "mqls_before" in row.index and not is_missing(row["mqls_before"]):
        return float(row["mqls_before"])
    share = as_float(row.get("untouched_share_before"))
    touched = as_float(row.get("touched_before"))
    if math.isnan(share) or math.isnan(touched) or share >= 1:
        return math.nan
    return touched / (1 - share)


def _fewer_hands(teams: pd.DataFrame) -> list[tuple[float, pd.Series, float]]:
    """Teams that touched >= 20 % fewer leads while their MQLs did not fall, worst first."""
    out = []
    for _, row in teams.iterrows():
        touched, before = as_float(row.get("touched")), as_float(row.get("touched_before"))
        if math.isnan(touched) or math.isnan(before) or before <= 0:
            continue
        change = (touched - before) / before
        mqls, mqls_before = as_float(row.get("mqls")), _mqls_before(row)
        if math.isnan(mqls) or math.isnan(mqls_before) or mqls < mqls_before - EPS:
            continue
        if change <= -TOUCHED_FALL + EPS:
            out.append((change, row, mqls_before))
    return sorted(out, key=lambda item: item[0])


def _people_part(
    teams: pd.DataFrame, *, evidence: Evidence, stage: str, lang: str
) -> tuple[str, str]:
    """Point 8's people: a team with fewer hands for more MQLs (status ``""``: no data)."""
    if not evidence.touches:
        return "", t("check.people.no_touches", lang)
    if not evidence.teams:
        return "", t("check.people.no_teams", lang)
    if teams is None or teams.empty:
        return "", t("check.people.none", lang)
    fewer = _fewer_hands(teams)
    if not fewer:
        fall = format_pct(TOUCHED_FALL, lang=lang)
        return "ok", t("check.people.ok", lang, fall=fall, stage=stage)
    change, row, mqls_before = fewer[0]
    more = t("check.more", lang, n=len(fewer) - 1) if len(fewer) > 1 else ""
    return "problem", t(
        "check.people.problem",
        lang,
        team=team_name(row["sales_team"], lang=lang),
        mqls_before=count_text(mqls_before, lang=lang),
        mqls=count_text(row["mqls"], lang=lang),
        touched_before=count_text(row["touched_before"], lang=lang),
        touched=count_text(row["touched"], lang=lang),
        change=format_pct(change, lang=lang, signed=True),
        more=more,
        stage=stage,
    )


def _spend_part(
    spend_now: float, spend_before: float, *, evidence: Evidence, lang: str, currency: str
) -> tuple[str, str]:
    """Point 8's budget: campaign spend against the 3 months before (status ``""``: no data)."""
    now, before = as_float(spend_now), as_float(spend_before)
    if not evidence.campaign_costs or math.isnan(now) or math.isnan(before):
        return "", t("check.spend.none", lang)
    if now == 0 and before == 0:
        return "", t("check.spend.zero", lang)
    change = (now - before) / before if before > 0 else math.nan
    text = t(
        "check.spend.figures",
        lang,
        now=format_money(now, currency=currency, lang=lang),
        before=format_money(before, currency=currency, lang=lang),
        change=format_pct(change, lang=lang, signed=True),
    )
    fell = not math.isnan(change) and change <= -SPEND_FALL + EPS
    return ("watch" if fell else "ok"), text


def rule_resources(
    teams: pd.DataFrame,
    *,
    spend_now: float,
    spend_before: float,
    evidence: Evidence,
    stage: str,
    lang: str,
    currency: str,
) -> tuple[str, str]:
    """People and budget; the worse part's status, "no data" when neither part has data."""
    people_status, people = _people_part(teams, evidence=evidence, stage=stage, lang=lang)
    spend_status, spend = _spend_part(
        spend_now, spend_before, evidence=evidence, lang=lang, currency=currency
    )
    found = [x for x in (people_status, spend_status) if x]
    status = min(found, key=STATUSES.index) if found else "nodata"
    return status, t("check.resources", lang, people=people, spend=spend)


# -- 10: collaboration -------------------------------------------------------------------------


def rule_collaboration(
    teams: pd.DataFrame, *, evidence: Evidence, stage: str, lang: str
) -> tuple[str, str]:
    """Point 10: how many of the stage's entrants nobody touched (for the meeting to discuss)."""
    if not evidence.touches:
        return "nodata", t("check.nodata.collab", lang)
    if teams is None or teams.empty:
        return "discuss", t("check.collab.none", lang)
    mqls = float(pd.to_numeric(teams["mqls"], errors="coerce").fillna(0).sum())
    never = float(pd.to_numeric(teams["never_touched"], errors="coerce").fillna(0).sum())
    share = never / mqls if mqls else math.nan
    return "discuss", t(
        "check.collab.untouched",
        lang,
        mqls=format_count(mqls, lang=lang),
        never=format_count(never, lang=lang),
        share=format_pct(share, lang=lang),
        stage=stage,
    )


def sla_stage(definitions: Definitions, *, lang: str) -> str:
    """The label of the stage the follow-up promise starts from (the SLA's; else "MQL")."""
    from reviewkit.model.labels import metric_label

    sla = definitions.sla_metric
    return "MQL" if sla is None else metric_label(definitions, sla.from_, lang=lang)
