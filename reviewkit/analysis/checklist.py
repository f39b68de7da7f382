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
from typing import TYPE_CHECKING, Any

import pandas as pd

from reviewkit.analysis.cause_selection import CauseSettings
from reviewkit.analysis.checklist_evidence import (
    CONTENT_DIMS,
    EPS,
    STATUSES,
    TARGET_DIMS,
    Evidence,
    as_float,
    count_text,
    is_missing,
)
from reviewkit.analysis.checklist_teams import (
    rule_collaboration,
    rule_follow_up,
    rule_resources,
    sla_stage,
)
from reviewkit.i18n.formatting import format_count, format_date, format_pct
from reviewkit.i18n.texts import check_lang, t

if TYPE_CHECKING:
    from reviewkit.analysis.quality import DataQuality
    from reviewkit.model.definitions import Definitions

CHECKLIST_COLUMNS = ["number", "question", "status", "evidence", "section"]

MATERIAL_PEOPLE = 5  # without a ``material`` column: material when it lost this many (score <= -5)
AGREEMENT_DAYS = 365  # definitions agreed longer ago than this are due for review
SALES_SIDE = ("sales", "inside_sales")
QUALITY_NO_CHANNEL = 0.05  # share of people without a channel that makes measurement "watch"
TOOLS_NO_CHANNEL = 0.02  # ... that points at tracking parameters (tools: "watch")
TOOLS_DUPLICATES = 0.05  # merged / lead records that points at the MA->SFA sync

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
    people = format_count(max(0.0, -as_float(row.get("score"))), lang=lang)
    before, now = as_float(row.get("rate_before")), as_float(row.get("rate"))
    fields = {"label": str(row.get("label", "")), "driver": str(row.get("driver_label", ""))}
    if math.isnan(before) and math.isnan(now):
        return t("check.finding.volume", lang, people=people, **fields)
    new = "size_before" in row.index and as_float(row["size_before"]) == 0
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
    if "material" in row.index and not is_missing(row["material"]):
        return bool(row["material"])
    return as_float(row["score"]) <= -MATERIAL_PEOPLE + EPS


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
            "check.data.quarantine_some", lang, rows=count_text(rows, lang=lang), reasons=reasons
        )
    else:
        quarantine = t("check.data.quarantine_none", lang)
    status = "watch" if rows or _share(share) >= QUALITY_NO_CHANNEL - EPS else "ok"
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
    if no_channel >= TOOLS_NO_CHANNEL - EPS:
        hints.append(t("check.tools.hint_channel", lang))
    if _share(duplicates) >= TOOLS_DUPLICATES - EPS:
        hints.append(t("check.tools.hint_duplicates", lang))
    if quality.stale_syncs:
        names = t("check.join", lang).join(s.source for s in quality.stale_syncs)
        hints.append(t("check.tools.hint_sync", lang, sources=names))
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
    stage = sla_stage(definitions, lang=lang)
    results = {
        1: _rule_target(found, evidence=have, lang=lang),
        2: _rule_channel(found, evidence=have, lang=lang),
        3: _rule_content(found, evidence=have, lang=lang),
        4: rule_follow_up(team_frame, evidence=have, lang=lang),
        5: _rule_agreed(definitions, as_of=as_of, lang=lang),
        6: _rule_measurement(quality, period_last_day=period_last_day, lang=lang),
        7: ("discuss", t("check.external", lang)),
        8: rule_resources(
            team_frame,
            spend_now=spend_now,
            spend_before=spend_before,
            evidence=have,
            stage=stage,
            lang=lang,
            currency=currency,
        ),
        9: _rule_tools(quality, lang=lang),
        10: rule_collaboration(team_frame, evidence=have, stage=stage, lang=lang),
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
