"""The weekly pack's summary: month and quarter pace, the stages behind, what needs attention.

The pace scorecard is in :mod:`reviewkit.present.sections.pace`, the anomaly alerts in
:mod:`reviewkit.present.sections.alerts`. Everything here formats frames computed by
:mod:`reviewkit.analysis.pacing`, :mod:`reviewkit.analysis.anomalies` and
:mod:`reviewkit.analysis.followup`; nothing here queries the store.
"""

from __future__ import annotations

import math
from functools import partial

import pandas as pd

from reviewkit.analysis.followup import FollowUpPulse
from reviewkit.i18n.formatting import format_count, format_pct, format_value
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import Definitions
from reviewkit.present.glossary import metric_label
from reviewkit.present.sections.alerts import alert_sentence
from reviewkit.present.sections.pace import period_name, short_day


def weekly_summary(
    pace: pd.DataFrame,
    alerts: pd.DataFrame,
    pulse: FollowUpPulse | None,
    *,
    definitions: Definitions,
    kgi: str,
    lang: str,
    currency: str,
    attention: int = 3,
    tested: int | None = None,
) -> list[str]:
    """The weekly first screen: month and quarter pace, the stages behind, what needs attention.

    Parameters
    ----------
    pace
        :func:`reviewkit.analysis.pacing.pace_frame`.
    alerts
        :func:`reviewkit.analysis.anomalies.weekly_alerts` (with ``explained_by``).
    pulse
        The follow-up pulse, or ``None``.
    definitions
        For labels.
    kgi
        The KGI's metric key.
    lang
        ``ja`` or ``en``.
    currency
        The workspace's currency (ISO 4217), for amounts.
    attention
        How many attention items at most.
    tested
        How many series the anomaly detection looked at
        (:func:`reviewkit.analysis.anomaly_detection.number_tested`); 0 says the week had too
        few people to test, ``None``: not known.
    """
    out = []
    current = pace[~pace["closed"]]
    kgi_label = (  # a count KGI is named as the definitions name it ("Customers won")
        definitions.kgi.label(lang)
        if kgi == definitions.kgi_metric
        else metric_label(definitions, kgi, lang=lang)
    )
    out.extend(_closed_lines(pace, kgi=kgi, kgi_label=kgi_label, lang=lang, currency=currency))
    for scope in ("month", "quarter"):
        rows = current[(current["scope"] == scope) & (current["metric"] == kgi)]
        if rows.empty:
            continue
        rec = rows.iloc[0].to_dict()
        if scope == "month":
            out.append(_month_line(rec, kgi_label=kgi_label, lang=lang, currency=currency))
            behind = _behind_line(
                current, definitions=definitions, kgi=kgi, lang=lang, currency=currency
            )
            if behind is not None:
                out.append(behind)
        elif not math.isnan(rec["target"]):
            out.append(_quarter_line(rec, kgi_label=kgi_label, lang=lang, currency=currency))
    out.extend(
        attention_items(alerts, pulse, definitions=definitions, lang=lang, top=attention,
                        tested=tested)
    )  # fmt: skip
    return out


def _closed_lines(
    pace: pd.DataFrame, *, kgi: str, kgi_label: str, lang: str, currency: str
) -> list[str]:
    """One line per closed period of the KGI: its actual against its target, or the actual."""
    out = []
    for rec in pace[pace["closed"] & (pace["metric"] == kgi)].to_dict("records"):
        if math.isnan(rec["target"]):
            out.append(
                t("weekly.closed_no_target", lang, period=period_name(rec, lang=lang),
                  kgi=kgi_label, actual=format_value(rec["actual"], kind=rec["kind"], lang=lang,
                                                     currency=currency))
            )  # fmt: skip
            continue
        out.append(
            t(
                "weekly.closed",
                lang,
                period=period_name(rec, lang=lang),
                kgi=kgi_label,
                actual=format_value(rec["actual"], kind=rec["kind"], lang=lang, currency=currency),
                target=format_value(rec["target"], kind=rec["kind"], lang=lang, currency=currency),
                pct=format_pct(
                    rec["actual"] / rec["target"] if rec["target"] else math.nan, lang=lang
                ),
                status=t(f"status.{rec['status']}", lang),
            )
        )
    return out


def _month_projection(rec: dict, *, lang: str, currency: str) -> str:
    """The month's projection in words: a range while early, a point with its range after."""
    kind = rec["kind"]
    fv = partial(format_value, kind=kind, lang=lang, currency=currency)
    if not rec["stable"]:
        return (
            t("weekly.projection_unknown", lang)
            if math.isnan(rec["low"])
            else t(
                "weekly.projection_early",
                lang,
                low=format_value(rec["low"], kind=kind, lang=lang, currency=currency),
                high=format_value(rec["high"], kind=kind, lang=lang, currency=currency),
            )
        )
    return t(
        "weekly.projection", lang, point=fv(rec["projected"]), low=fv(rec["low"]),
        high=fv(rec["high"]), target=fv(rec["target"]),
    )  # fmt: skip


def _month_line(rec: dict, *, kgi_label: str, lang: str, currency: str) -> str:
    """The month's KGI pace so far, with its projection."""
    kind = rec["kind"]
    key = "weekly.month_pace" if not math.isnan(rec["target"]) else "weekly.month_pace_no_target"
    return t(
        key,
        lang,
        period=period_name(rec, lang=lang),
        kgi=kgi_label,
        through=short_day(rec["through"], lang=lang),
        actual=format_value(rec["actual"], kind=kind, lang=lang, currency=currency),
        expected=format_value(rec["expected"], kind=kind, lang=lang, currency=currency),
        pace=format_pct(rec["pace"], lang=lang),
        status=t(f"pace.status.{rec['status']}", lang),
        projection=_month_projection(rec, lang=lang, currency=currency),
    )


def _behind_line(
    current: pd.DataFrame, *, definitions: Definitions, kgi: str, lang: str, currency: str
) -> str | None:
    """The stages behind this month's pace, or that all are on pace (``None``: neither)."""
    behind = current[
        (current["scope"] == "month")
        & (current["metric"] != kgi)
        & current["status"].isin(["near", "missed"])
    ].sort_values("pace")
    if len(behind):
        items = [
            t(
                "weekly.behind_item",
                lang,
                metric=metric_label(definitions, r["metric"], lang=lang),
                pace=format_pct(r["pace"], lang=lang),
                per_week=format_value(
                    r["required_per_week"], kind=r["kind"], lang=lang, currency=currency
                ),
            )
            for r in behind.to_dict("records")
        ]
        return t("weekly.behind", lang, items=t("summary.join", lang).join(items))
    if (current["scope"].eq("month") & current["status"].eq("met")).any() and not (
        current["status"].eq("no_data").any()  # not "every stage": one has no data
    ):
        return t("weekly.all_on_pace", lang)
    return None


def _quarter_line(rec: dict, *, kgi_label: str, lang: str, currency: str) -> str:
    """The quarter's KGI pace and projection against its target."""
    kind = rec["kind"]
    point = format_value(rec["projected"], kind=kind, lang=lang, currency=currency)
    return t(
        "weekly.quarter" if rec["stable"] else "weekly.quarter_early",
        lang,
        period=period_name(rec, lang=lang),
        kgi=kgi_label,
        pace=format_pct(rec["pace"], lang=lang),
        status=t(f"pace.status.{rec['status']}", lang),
        point=point,
        target=format_value(rec["target"], kind=kind, lang=lang, currency=currency),
    )


def attention_items(
    alerts: pd.DataFrame,
    pulse: FollowUpPulse | None,
    *,
    definitions: Definitions,
    lang: str,
    top: int = 3,
    tested: int | None = None,
) -> list[str]:
    """What needs attention: the largest losses among the main alerts, then the follow-up backlog.

    One item per measure and segment; a rise in a rate (more people advancing) is not a
    problem to attend to, while a drop is. With nothing to attend to, one item says so: that
    nothing moved (when series were tested), that only rises did, or that the week had too
    few people to test (``tested`` = 0).
    """
    items: list[str] = []
    teams_named: dict[object, int] = {}  # a team already in an item: its backlog joins that item
    primary = alerts[alerts["explained_by"] == -1] if not alerts.empty else alerts
    if not alerts.empty:
        for alert in primary[primary["impact"] < 0].to_dict("records")[:top]:
            items.append(
                t("weekly.attention", lang,
                  text=alert_sentence(alert, definitions=definitions, lang=lang))
            )  # fmt: skip
            if alert["dimension"] == "sales_team":
                teams_named[alert["segment"]] = len(items) - 1
    if pulse is not None and len(items) < top + 1 and pulse.total_overdue > 0:
        backlog = _backlog_item(pulse, teams_named, lang=lang)
        if backlog is not None:
            index, text = backlog
            if index is None:
                items.append(t("weekly.attention", lang, text=text))
            else:
                items[index] += text
    if not items:
        if tested == 0:
            items.append(t("weekly.nothing_tested", lang))
        elif len(primary):
            items.append(t("weekly.only_rises", lang, n=format_count(len(primary), lang=lang)))
        else:
            items.append(t("weekly.no_alerts", lang))
    return items


def _backlog_item(
    pulse: FollowUpPulse, teams_named: dict[object, int], *, lang: str
) -> tuple[int | None, str] | None:
    """The follow-up backlog's attention text, and the item it joins (``None``: its own item)."""
    worst = pulse.by_team.iloc[0]
    if worst["overdue_untouched"] <= 0:
        return None
    n = format_count(worst["overdue_untouched"], lang=lang)
    stage = pulse.stage_label(lang)
    if pulse.by_team["sales_team"].isna().all():  # no teams recorded: no team to name
        return None, t("weekly.followup_attention_no_team", lang, n=n, stage=stage)
    if worst["sales_team"] in teams_named:
        return teams_named[worst["sales_team"]], t("weekly.team_backlog", lang, n=n, stage=stage)
    team = worst["sales_team"] or t("followup.no_team", lang)
    return None, t("weekly.followup_attention", lang, team=team, n=n, stage=stage)
