"""The article's ten-question cause checklist, each question assessed from the pack's evidence.

Every question gets a status, one sentence of evidence naming the figures, and the anchor of
the pack section where that evidence is shown:

- ``problem``: the data shows a cause that needs a decision;
- ``watch``: something moved, but below the threshold of a problem;
- ``ok``: the data that would show a problem exists, and shows none;
- ``nodata``: the store lacks the data the point rests on (no touches, no campaign costs, no
  segment column with values ...); the evidence says what to import. Never "ok";
- ``discuss``: data cannot answer it (the market, the hand-offs); the meeting brings it.

What data exists comes in as :class:`Evidence` (the review passes its store's). A finding is
*material* when the cause analysis marked it so (``material``: it cost
:attr:`reviewkit.analysis.cause_selection.CauseSettings.problem_share` of the KGI's reference or
more); findings without that column are material when they lost at least
:data:`MATERIAL_PEOPLE` people beyond the segment's share (``score <= -5``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from reviewkit.analysis.cause_selection import CauseSettings
from reviewkit.analysis.followup import format_hours, team_name
from reviewkit.i18n.formatting import format_count, format_date, format_money, format_pct
from reviewkit.i18n.texts import check_lang, t

if TYPE_CHECKING:
    from reviewkit.analysis.quality import DataQuality
    from reviewkit.model.definitions import Definitions

STATUSES = ("problem", "watch", "ok", "nodata", "discuss")
CHECKLIST_COLUMNS = ["number", "question", "status", "evidence", "section"]

MATERIAL_PEOPLE = 5  # without a ``material`` column: material when it lost this many (score <= -5)
TARGET_DIMS = ("industry", "company_size", "persona", "region")
CONTENT_DIMS = ("content_asset", "campaign_id")
SEGMENT_DIMS = ("channel", *TARGET_DIMS, *CONTENT_DIMS, "sales_team")
SLA_PROBLEM = 0.80  # lowest team SLA below this is a problem
SLA_WATCH = 0.90  # ... below this is to watch
SLA_FALL = 0.10  # a fall of this much (10 points) against the team's own baseline is a problem
AGREEMENT_DAYS = 365  # definitions agreed longer ago than this are due for review
SALES_SIDE = ("sales", "inside_sales")
QUALITY_NO_CHANNEL = 0.05  # share of people without a channel that makes measurement "watch"
TOOLS_NO_CHANNEL = 0.02  # ... that points at tracking parameters (tools: "watch")
TOOLS_DUPLICATES = 0.05  # merged / lead records that points at the MA->SFA sync
TOUCHED_FALL = 0.20  # a team touching 20 % fewer leads while its MQLs held
SPEND_FALL = 0.20  # campaign spend 20 % below the 3 months before
_EPS = 1e-9  # rates are compared at their thresholds without float noise

SECTIONS = {
    1: "cause_target",
    2: "cause_target",
    3: "cause_content",
    4: "cause_follow_up",
    5: "glossary",
    6: "glossary",  # the data quality block sits in the appendix after the glossary
    7: "",
    8: "cause_follow_up",
    9: "glossary",
    10: "cause_follow_up",
}


@dataclass(frozen=True)
class Evidence:
    """What data the checklist's points can rest on.

    Attributes
    ----------
    columns
        The segment columns with two or more values among the leads
        (:attr:`reviewkit.semantic.funnel.Funnel.split_dimensions`).
    touches
        Whether the store holds touches (human activities).
    teams
        Whether the leads or deals have a sales team.
    campaign_costs
        Whether the store holds campaign costs.
    """

    columns: tuple[str, ...] = SEGMENT_DIMS
    touches: bool = True
    teams: bool = True
    campaign_costs: bool = True


def _nan(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _float(value: Any) -> float:
    return math.nan if _nan(value) else float(value)


def _pct(value: object, *, lang: str) -> str:
    return format_pct(_float(value), lang=lang)


def _count(value: object, *, lang: str) -> str:
    return format_count(_float(value), lang=lang)


def _hours(value: object, *, lang: str) -> str:
    return format_hours(_float(value), lang=lang)


def _dims(value: Any) -> tuple[str, ...]:
    """The segment columns of a finding as a tuple (a lone column name is one column)."""
    if isinstance(value, str):
        return (value,)
    try:
        return tuple(str(d) for d in value)
    except TypeError:  # a missing value
        return ()


# -- 1, 2, 3: the cause findings ------------------------------------------------------------


def _normalized_findings(findings: pd.DataFrame | None) -> pd.DataFrame:
    if findings is None or findings.empty:
        return pd.DataFrame(columns=["family", "rank", "dims", "score"])
    out = findings.copy()
    out["dims"] = out["dims"].map(_dims)
    out["_rank"] = pd.to_numeric(out["rank"], errors="coerce").fillna(math.inf)
    out["_score"] = pd.to_numeric(out["score"], errors="coerce").fillna(0.0)
    return out.sort_values(["_rank", "_score"], kind="stable")


def _finding_text(row: pd.Series, *, lang: str) -> str:
    people = format_count(max(0.0, -_float(row.get("score"))), lang=lang)
    before, now = _float(row.get("rate_before")), _float(row.get("rate"))
    fields = {"label": str(row.get("label", "")), "driver": str(row.get("driver_label", ""))}
    if math.isnan(before) and math.isnan(now):
        return t("check.finding.volume", lang, people=people, **fields)
    new = "size_before" in row.index and _float(row["size_before"]) == 0
    return t(
        "check.finding.rate",
        lang,
        before=t("cause.new_segment", lang) if new else format_pct(before, lang=lang),
        now=format_pct(now, lang=lang),
        people=people,
        **fields,
    )


def _findings_rule(
    findings: pd.DataFrame, keep: Callable[[pd.Series], bool], *, scope: str, lang: str
) -> tuple[str, str]:
    """Status and evidence from the findings ``keep`` selects (already in rank order)."""
    scope_text = t(f"check.scope.{scope}", lang)
    rows = [r for _, r in findings.iterrows() if keep(r)]
    if not rows:
        return "ok", t("check.findings.ok", lang, scope=scope_text)
    material = [r for r in rows if _material(r)]
    status, named = ("problem", material) if material else ("watch", rows)
    more = t("check.more", lang, n=len(named) - 1) if len(named) > 1 else ""
    key = f"check.findings.{status}"
    if status == "watch" and "material" not in findings.columns:  # judged by people lost
        key = "check.findings.watch_people"
    return status, t(
        key,
        lang,
        scope=scope_text,
        finding=_finding_text(named[0], lang=lang),
        more=more,
        min=MATERIAL_PEOPLE,
        pct=format_pct(CauseSettings().problem_share, lang=lang),
    )


def _material(row: pd.Series) -> bool:
    """The cause analysis' ``material`` mark, else a loss of :data:`MATERIAL_PEOPLE` or more."""
    if "material" in row.index and not _nan(row["material"]):
        return bool(row["material"])
    return _float(row["score"]) <= -MATERIAL_PEOPLE + _EPS


def _target_family(row: pd.Series) -> bool:
    return str(row["family"]) == "target"


def _rule_target(findings: pd.DataFrame, *, evidence: Evidence, lang: str) -> tuple[str, str]:
    if not set(TARGET_DIMS) & set(evidence.columns):
        return "nodata", t("check.nodata.target", lang)

    def keep(row: pd.Series) -> bool:
        return _target_family(row) and any(d in TARGET_DIMS for d in row["dims"])

    return _findings_rule(findings, keep, scope="target", lang=lang)


def _rule_channel(findings: pd.DataFrame, *, evidence: Evidence, lang: str) -> tuple[str, str]:
    if "channel" not in evidence.columns:
        return "nodata", t("check.nodata.channel", lang)

    def keep(row: pd.Series) -> bool:
        return _target_family(row) and "channel" in row["dims"]

    return _findings_rule(findings, keep, scope="channel", lang=lang)


def _rule_content(findings: pd.DataFrame, *, evidence: Evidence, lang: str) -> tuple[str, str]:
    if not set(CONTENT_DIMS) & set(evidence.columns):
        return "nodata", t("check.nodata.content", lang)

    def keep(row: pd.Series) -> bool:
        return str(row["family"]) == "content"

    return _findings_rule(findings, keep, scope="content", lang=lang)


# -- 4: follow-up ------------------------------------------------------------------------------


def _sla_fall(row: pd.Series) -> float:
    """Points (as a fraction) the team's SLA fell against its baseline; NaN when unknown."""
    return _float(row.get("sla_before")) - _float(row.get("sla"))


def _rule_follow_up(teams: pd.DataFrame, *, evidence: Evidence, lang: str) -> tuple[str, str]:
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
        return not math.isnan(fall) and fall >= SLA_FALL - _EPS

    def sentence(row: pd.Series, key: str) -> str:
        fall = _sla_fall(row)
        return t(
            key,
            lang,
            team=team_name(row["sales_team"], lang=lang),
            sla=_pct(row["sla"], lang=lang),
            sla_before=_pct(row.get("sla_before"), lang=lang),
            hours=_hours(row.get("median_hours"), lang=lang),
            hours_before=_hours(row.get("median_hours_before"), lang=lang),
            points=t("check.points", lang, value=f"{fall * 100:.1f}"),
        )

    first = "check.sla.lowest" if evidence.teams else "check.sla.company"
    if sla < SLA_PROBLEM - _EPS or fell(lowest):
        return "problem", sentence(lowest, first)
    # the lowest team held up, but another team may have fallen well below its own usual
    falls = [r for _, r in rated.iterrows() if fell(r)]
    if falls:
        worst = max(falls, key=_sla_fall)
        return "problem", sentence(worst, "check.sla.fell")
    status = "watch" if sla < SLA_WATCH - _EPS else "ok"
    return status, sentence(lowest, first)


# -- 5: agreed definitions ---------------------------------------------------------------------


def _departments(names: Sequence[str], *, lang: str) -> str:
    """``marketing, inside sales and sales`` / ``マーケティング、インサイドセールスと営業``."""
    words = [t(f"check.dept.{n}", lang) for n in names]
    if len(words) < 2:
        return "".join(words)
    return t("check.join", lang).join(words[:-1]) + t("check.and", lang) + words[-1]


def _rule_agreed(definitions: Definitions, *, as_of: dt.date, lang: str) -> tuple[str, str]:
    agreed_by = [str(d) for d in definitions.agreed_by]
    fields = {
        "who": _departments(agreed_by, lang=lang),
        "date": format_date(definitions.agreed_on, lang=lang),
        "version": definitions.version,
    }
    missing = []
    if "marketing" not in agreed_by:
        missing.append(t("check.dept.marketing", lang))
    if not any(d in agreed_by for d in SALES_SIDE):
        missing.append(t("check.dept.sales_side", lang))
    if missing:
        joined = t("check.join", lang).join(missing)
        return "problem", t("check.agreed.missing", lang, missing=joined, **fields)
    if (as_of - definitions.agreed_on).days > AGREEMENT_DAYS:
        return "watch", t("check.agreed.old", lang, **fields)
    return "ok", t("check.agreed.ok", lang, **fields)


# -- 6, 9: data quality and tools ----------------------------------------------------------------


def _share(value: float) -> float:
    return 0.0 if math.isnan(value) else value


def _quarantined(quality: DataQuality) -> int:
    if quality.quarantine.empty:
        return 0
    return int(pd.to_numeric(quality.quarantine["rows"], errors="coerce").fillna(0).sum())


def _rule_measurement(
    quality: DataQuality, *, period_last_day: dt.date, lang: str
) -> tuple[str, str]:
    day = format_date(period_last_day, lang=lang)
    if quality.freshness.empty:
        return "problem", t("check.data.no_sources", lang)
    if quality.gaps or quality.emptied:  # a stage, the KGI or a source without any record
        return "problem", _gap_evidence(quality, lang=lang)
    stale = quality.stale_sources(period_last_day)
    if stale:
        names = t("check.join", lang).join(
            t("check.data.source_last", lang, source=s, date=format_date(last, lang=lang))
            if last is not None
            else t("check.data.source_none", lang, source=s)
            for s, last in stale
        )
        return "problem", t("check.data.stale", lang, day=day, sources=names)
    rows = _quarantined(quality)
    share = quality.without_channel_share
    if rows:
        reasons = t("check.join", lang).join(
            f"{r.reason} {format_count(r.rows, lang=lang)}"
            for r in quality.quarantine.head(3).itertuples()
        )
        quarantine = t(
            "check.data.quarantine_some", lang, rows=_count(rows, lang=lang), reasons=reasons
        )
    else:
        quarantine = t("check.data.quarantine_none", lang)
    status = "watch" if rows or _share(share) >= QUALITY_NO_CHANNEL - _EPS else "ok"
    return status, t(
        "check.data.fresh",
        lang,
        n=len(quality.freshness),
        day=day,
        quarantine=quarantine,
        share=format_pct(share, lang=lang),
        no_channel=format_count(quality.without_channel, lang=lang),
    )


def _gap_evidence(quality: DataQuality, *, lang: str) -> str:
    """What the store lacks entirely: the stages, the KGI's data, emptied sources."""
    gaps = quality.gaps
    what = [f"{k}" for k in gaps.stages]
    if gaps.amounts:
        what.append("amount")
    elif gaps.close_dates:
        what.append("closed_at")
    what += [source for source, _ in quality.emptied]
    return t("check.data.gaps", lang, what=t("check.join", lang).join(what))


def _rule_tools(quality: DataQuality, *, lang: str) -> tuple[str, str]:
    no_channel = _share(quality.without_channel_share)
    duplicates = quality.merged / quality.lead_records if quality.lead_records else math.nan
    hints = []
    if no_channel >= TOOLS_NO_CHANNEL - _EPS:
        hints.append(t("check.tools.hint_channel", lang))
    if _share(duplicates) >= TOOLS_DUPLICATES - _EPS:
        hints.append(t("check.tools.hint_duplicates", lang))
    facts = t(
        "check.tools.facts",
        lang,
        share=format_pct(quality.without_channel_share, lang=lang),
        no_channel=format_count(quality.without_channel, lang=lang),
        dup_share=format_pct(duplicates, lang=lang),
        merged=format_count(quality.merged, lang=lang),
        records=format_count(quality.lead_records, lang=lang),
    )
    if not hints:
        return "ok", t("check.tools.ok", lang, facts=facts)
    return "watch", t(
        "check.tools.watch", lang, facts=facts, hints=t("check.hint.join", lang).join(hints)
    )


# -- 8: resources ------------------------------------------------------------------------------


def _mqls_before(row: pd.Series) -> float:
    """The team's MQLs of the baseline: ``mqls_before`` if given, else from the shares.

    ``touched_before = mqls_before x (1 - untouched_share_before)`` (never touched is the
    MQLs minus the touched), so the baseline's MQLs follow when that column is there.
    """
    if "mqls_before" in row.index and not _nan(row["mqls_before"]):
        return float(row["mqls_before"])
    share = _float(row.get("untouched_share_before"))
    touched = _float(row.get("touched_before"))
    if math.isnan(share) or math.isnan(touched) or share >= 1:
        return math.nan
    return touched / (1 - share)


def _fewer_hands(teams: pd.DataFrame) -> list[tuple[float, pd.Series, float]]:
    """Teams that touched >= 20 % fewer leads while their MQLs did not fall, worst first."""
    out = []
    for _, row in teams.iterrows():
        touched, before = _float(row.get("touched")), _float(row.get("touched_before"))
        if math.isnan(touched) or math.isnan(before) or before <= 0:
            continue
        change = (touched - before) / before
        mqls, mqls_before = _float(row.get("mqls")), _mqls_before(row)
        if math.isnan(mqls) or math.isnan(mqls_before) or mqls < mqls_before - _EPS:
            continue
        if change <= -TOUCHED_FALL + _EPS:
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
        mqls_before=_count(mqls_before, lang=lang),
        mqls=_count(row["mqls"], lang=lang),
        touched_before=_count(row["touched_before"], lang=lang),
        touched=_count(row["touched"], lang=lang),
        change=format_pct(change, lang=lang, signed=True),
        more=more,
        stage=stage,
    )


def _spend_part(
    spend_now: float, spend_before: float, *, evidence: Evidence, lang: str, currency: str
) -> tuple[str, str]:
    """Point 8's budget: campaign spend against the 3 months before (status ``""``: no data)."""
    now, before = _float(spend_now), _float(spend_before)
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
    fell = not math.isnan(change) and change <= -SPEND_FALL + _EPS
    return ("watch" if fell else "ok"), text


def _rule_resources(
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


def _rule_collaboration(
    teams: pd.DataFrame, *, evidence: Evidence, stage: str, lang: str
) -> tuple[str, str]:
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


def _sla_stage(definitions: Definitions, *, lang: str) -> str:
    """The label of the stage the follow-up promise starts from (the SLA's; else "MQL")."""
    from reviewkit.model.labels import metric_label

    sla = definitions.sla_metric
    return "MQL" if sla is None else metric_label(definitions, sla.from_, lang=lang)


# -- the checklist -----------------------------------------------------------------------------


def assess(
    *,
    definitions: Definitions,
    quality: DataQuality,
    findings: pd.DataFrame | None,
    teams: pd.DataFrame | None,
    spend_now: float,
    spend_before: float,
    period_last_day: dt.date,
    as_of: dt.date,
    lang: str,
    currency: str,
    evidence: Evidence | None = None,
) -> pd.DataFrame:
    """Assess the article's ten cause questions from the evidence of the pack.

    Parameters
    ----------
    definitions
        The agreed definitions (who agreed, when, which version).
    quality
        The data quality report of the store.
    findings
        Ranked cause findings, one row each: ``family`` (target, content, follow_up), ``rank``
        (1 = top within the family), ``dims`` (tuple of segment columns), ``label``,
        ``driver_label``, ``rate_before``, ``rate`` (fractions; NaN for a volume driver) and
        ``score`` (people lost beyond the segment's share, negative = loss). May be empty.
    teams
        Follow-up by sales team (:func:`reviewkit.analysis.followup_month.team_follow_up`):
        ``sales_team``, ``mqls``, ``sla``, ``sla_before``, ``median_hours``,
        ``median_hours_before``, ``never_touched``, ``untouched_share``, ``touched``,
        ``touched_before``; the baseline's MQLs from ``mqls_before`` when present, else from
        ``untouched_share_before`` and ``touched_before``. Empty when the definitions have no SLA
        metric.
    spend_now, spend_before
        Campaign spend of the period and the average of the three months before (NaN = no
        campaign cost data).
    period_last_day
        The last day of the period under review (sources must reach it).
    as_of
        The review date (the agreement on the definitions is dated against it).
    lang
        ``ja`` or ``en``.
    currency
        The workspace's currency (ISO 4217): campaign spend is in it.
    evidence
        What data the store holds (:class:`Evidence`); ``None``: all of it. A point whose
        data is missing is ``nodata``, never ``ok``.

    Returns
    -------
    pandas.DataFrame
        :data:`CHECKLIST_COLUMNS`, one row per question 1..10: ``status`` is one of
        :data:`STATUSES`; ``evidence`` one sentence in ``lang`` naming the
        figures; ``section`` the anchor of the pack section with the evidence, or ``""``.
    """
    check_lang(lang)
    found = _normalized_findings(findings)
    team_frame = teams if teams is not None else pd.DataFrame()
    have = evidence or Evidence()
    stage = _sla_stage(definitions, lang=lang)
    results = {
        1: _rule_target(found, evidence=have, lang=lang),
        2: _rule_channel(found, evidence=have, lang=lang),
        3: _rule_content(found, evidence=have, lang=lang),
        4: _rule_follow_up(team_frame, evidence=have, lang=lang),
        5: _rule_agreed(definitions, as_of=as_of, lang=lang),
        6: _rule_measurement(quality, period_last_day=period_last_day, lang=lang),
        7: ("discuss", t("check.external", lang)),
        8: _rule_resources(
            team_frame,
            spend_now=spend_now,
            spend_before=spend_before,
            evidence=have,
            stage=stage,
            lang=lang,
            currency=currency,
        ),
        9: _rule_tools(quality, lang=lang),
        10: _rule_collaboration(team_frame, evidence=have, stage=stage, lang=lang),
    }
    rows = [
        {
            "number": n,
            "question": t(f"checklist.{n}", lang),
            "status": status,
            "evidence": evidence,
            "section": SECTIONS[n],
        }
        for n, (status, evidence) in sorted(results.items())
    ]
    return pd.DataFrame(rows, columns=CHECKLIST_COLUMNS)


def checklist_counts(frame: pd.DataFrame) -> dict[str, int]:
    """How many questions have each status, e.g. ``{"problem": 2, "watch": 1, "ok": 4, ...}``.

    Every status of :data:`STATUSES` is a key (0 when no question has it).
    """
    counts = frame["status"].value_counts() if not frame.empty else pd.Series(dtype="int64")
    return {s: int(counts.get(s, 0)) for s in STATUSES}
