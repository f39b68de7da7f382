"""The weekly pack's own sections: the pace scorecard, the summary, and the anomaly alerts.

Everything here formats frames computed by :mod:`reviewkit.analysis.pacing`,
:mod:`reviewkit.analysis.anomalies` and :mod:`reviewkit.analysis.followup`; nothing here queries
the store.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import partial
from html import escape

import pandas as pd

from reviewkit.analysis.anomaly_detection import number_tested
from reviewkit.analysis.anomaly_settings import AnomalySettings
from reviewkit.analysis.followup import FollowUpPulse
from reviewkit.analysis.pacing import PaceSettings
from reviewkit.core.holidays import days_off_words
from reviewkit.core.periods import FiscalCalendar
from reviewkit.i18n.formatting import MINUS, format_count, format_date, format_pct, format_value
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import Definitions
from reviewkit.present.charts.house import PackChart, alert_chart, pace_chart
from reviewkit.present.glossary import metric_label
from reviewkit.present.html import Html, missing_html
from reviewkit.present.styling import short_text
from reviewkit.present.tables import styled_table

CHART_WEEKS = 13  # weeks drawn in an alert's chart
TOP_ALERTS = 5  # alerts written out as sentences with a chart; the rest go in a table
ALSO_SHOWN = 6  # "the same change also shows in": at most this many, then "and N more"
SEGMENT_CHARS = 48  # a segment named in a sentence or a chart title is cut to this (… at the end)
STATUS_CLASS = {
    "met": "rk-met", "near": "rk-near", "missed": "rk-missed", "no_target": "", "early": "",
    "no_data": "",  # a stage or KGI the store has no record of (reviewkit.semantic.funnel_gaps)
}  # fmt: skip


def _short_day(day: dt.date, *, lang: str) -> str:
    return f"{day.month}/{day.day}" if lang == "ja" else format_date(day, lang=lang)


def _period_name(row: pd.Series | dict, *, lang: str) -> str:
    start = row["start"]
    if row["scope"] == "month":
        return f"{start.month}月" if lang == "ja" else start.strftime("%b")
    label = str(row["period"])  # FY2026-Q3
    return label.replace("-", " ") if lang == "en" else label.split("-")[1]


def _projection_text(row: dict, *, lang: str, currency: str) -> str:
    fv = partial(format_value, kind=row["kind"], lang=lang, currency=currency)
    if row["closed"]:
        return fv(row["actual"])
    low, high = row["low"], row["high"]
    if not row["stable"]:
        if math.isnan(low) or math.isnan(high):
            return t("pace.early_no_range", lang)
        return t("pace.early", lang, low=fv(low), high=fv(high))
    return t("pace.range", lang, point=fv(row["projected"]), low=fv(low), high=fv(high))


def _required_text(row: dict, *, lang: str, currency: str) -> str:
    if math.isnan(row["target"]) or row["closed"]:
        return "—"
    if row["actual"] >= row["target"]:
        return t("pace.done", lang)
    text = format_value(row["required_per_week"], kind=row["kind"], lang=lang, currency=currency)
    times = row["required_vs_pace"]
    if not math.isnan(times) and row["stable"]:
        text += t("pace.times", lang, times=f"{times:.1f}")
    return text


def pace_table(
    pace: pd.DataFrame,
    week_card: pd.DataFrame,
    *,
    definitions: Definitions,
    lang: str,
    currency: str,
) -> Html:
    """The weekly scorecard: the week, then month and quarter to date against the pace.

    A period in progress without any target says so in one line (no row of dashes): its
    table keeps the actuals and the projection, without the target, pace and status columns.

    Parameters
    ----------
    pace
        :func:`reviewkit.analysis.pacing.pace_frame` (periods in progress; a period that closed
        during the week is shown in a second table).
    week_card
        The week's scorecard (:func:`reviewkit.analysis.scorecard.scorecard` for the week).
    definitions
        For labels.
    lang
        ``ja`` or ``en``.
    currency
        The workspace's currency (ISO 4217), for amounts.
    """
    open_rows = pace[~pace["closed"]]
    week = week_card.set_index("metric")
    tables, texts, untargeted = [], [], []
    scopes = list(dict.fromkeys(zip(open_rows["scope"], open_rows["period"], strict=True)))
    for scope, period in scopes:
        part = open_rows[(open_rows["scope"] == scope) & (open_rows["period"] == period)]
        with_target = bool(part["target"].notna().any())
        if not with_target:
            untargeted.append(_period_name(part.iloc[0].to_dict(), lang=lang))
        shown, classes = [], []
        for rec in part.to_dict("records"):
            row, cls = _pace_row(rec, week, scope=scope, with_target=with_target,
                                 definitions=definitions, lang=lang, currency=currency)  # fmt: skip
            shown.append(row)
            classes.append(cls)
            texts.append(" | ".join(row.values()))
        tables.append(styled_table(pd.DataFrame(shown), classes, css_class="rk-pace").html)
    tables += _closed_tables(pace[pace["closed"]], definitions=definitions, lang=lang,
                             currency=currency)  # fmt: skip
    if untargeted:
        line = missing_html(
            "targets", lang=lang, period=t("pace.and", lang).join(untargeted),
            what=t("pace.what", lang),
        )  # fmt: skip
        tables.insert(0, line.html)
        texts.insert(0, line.text)
    return Html("".join(tables), text="\n".join(texts))


def _pace_row(
    rec: dict,
    week: pd.DataFrame,
    *,
    scope: str,
    with_target: bool,
    definitions: Definitions,
    lang: str,
    currency: str,
) -> tuple[dict[str, str], list[str]]:
    """One metric's row of a period in progress, and its cells' CSS classes."""
    metric, kind = rec["metric"], rec["kind"]
    fv = partial(format_value, kind=kind, lang=lang, currency=currency)
    name = _period_name(rec, lang=lang)
    row: dict[str, str] = {t("pace.col.kpi", lang): metric_label(definitions, metric, lang=lang)}
    cls = ["rk-label"]
    if scope == "month" and metric in week.index:
        w = week.loc[metric]
        shown = fv(w["actual"])
        if not pd.isna(w["target"]):
            shown += f" / {fv(w['target'])}"
        key = "pace.col.week" if with_target else "pace.col.week_actual"
        row[t(key, lang)] = shown
        cls.append("rk-num")
    projection = _projection_text(rec, lang=lang, currency=currency)
    if not with_target:
        row[t("pace.col.actual_to_date", lang, period=name)] = fv(rec["actual"])
        row[t("pace.col.projection_only", lang, period=name)] = projection
        return row, [*cls, "rk-num", "rk-num"]
    row[t("pace.col.to_date", lang, period=name)] = (
        f"{fv(rec['actual'])} / {fv(rec['expected'])} · {format_pct(rec['pace'], lang=lang)}"
    )
    row[t("pace.col.projection", lang, period=name)] = f"{projection} / {fv(rec['target'])}"
    row[t("pace.col.required", lang)] = _required_text(rec, lang=lang, currency=currency)
    row[t("pace.col.status", lang)] = t(f"pace.status.{rec['status']}", lang)
    status_class = STATUS_CLASS[rec["status"]]
    cls += [f"rk-num {status_class}", "rk-num", "rk-num", f"rk-status {status_class}"]
    return row, cls


def _closed_tables(
    closed: pd.DataFrame, *, definitions: Definitions, lang: str, currency: str
) -> list[str]:
    """How each period that closed during the week ended: actual, target, achievement."""
    tables = []
    for _, part in closed.groupby(["scope", "period"], sort=False):
        rows, cls2 = [], []
        name = _period_name(part.iloc[0].to_dict(), lang=lang)
        heading = escape(t("pace.closed_title", lang, period=name))
        title = f'<h3 class="rk-subsection">{heading}</h3>'
        if part["target"].isna().all():  # no target: what it closed at, nothing to compare
            shown = pd.DataFrame({
                t("pace.col.kpi", lang): [
                    metric_label(definitions, m, lang=lang) for m in part["metric"]
                ],
                t("col.actual", lang): [
                    format_value(a, kind=k, lang=lang, currency=currency)
                    for a, k in zip(part["actual"], part["kind"], strict=True)
                ],
            })  # fmt: skip
            classes = [["rk-label", "rk-num"]] * len(shown)
            tables.append(title + styled_table(shown, classes, css_class="rk-closed").html)
            continue
        for rec in part.to_dict("records"):
            kind = rec["kind"]
            rows.append(
                {
                    t("pace.col.kpi", lang): metric_label(definitions, rec["metric"], lang=lang),
                    t("col.actual", lang): format_value(
                        rec["actual"], kind=kind, lang=lang, currency=currency
                    ),
                    t("col.target", lang): format_value(
                        rec["target"], kind=kind, lang=lang, currency=currency
                    ),
                    t("col.achievement", lang): format_pct(
                        rec["actual"] / rec["target"] if rec["target"] else math.nan, lang=lang
                    ),
                    t("pace.col.status", lang): t(f"status.{rec['status']}", lang),
                }
            )
            cls2.append(["rk-label", "rk-num", "rk-num", "rk-num", STATUS_CLASS[rec["status"]]])
        tables.append(title + styled_table(pd.DataFrame(rows), cls2, css_class="rk-closed").html)
    return tables


def pace_note(
    pace: pd.DataFrame,
    *,
    calendar: FiscalCalendar,
    lang: str,
    settings: PaceSettings | None = None,
) -> Html:
    """How pace, projection and required run rate are computed (under the table).

    The note names the company's days off (``calendar``: its country's public holidays and
    seasonal breaks), which shape the day weights. Without a target for any period in
    progress it explains the projection only.
    """
    s = settings or PaceSettings()
    through = pace["through"].max() if len(pace) else None
    day = format_date(through, lang=lang) if through is not None else "—"
    targeted = "target" not in pace or bool(pace.loc[~pace["closed"], "target"].notna().any())
    note = t(
        "pace.note" if targeted else "pace.note_no_target", lang, through=day,
        min_share=format_pct(s.min_share, lang=lang),
        max_width=format_pct(s.max_width, lang=lang),
        days_off=days_off_words(calendar.days, lang=lang),
    )  # fmt: skip
    return Html(f'<p class="rk-note">{escape(note)}</p>', text=note)


def pace_bullets(
    pace: pd.DataFrame, *, definitions: Definitions, lang: str, currency: str
) -> PackChart:
    """The pace bullets of the periods in progress (share of target; amounts in ``currency``)."""
    rows = []
    for rec in pace[~pace["closed"] & pace["target"].notna()].to_dict("records"):
        target = rec["target"]
        kind = rec["kind"]
        label = metric_label(definitions, rec["metric"], lang=lang)

        def share(value: float, target: float = target) -> float:
            return value / target if target and not math.isnan(value) else math.nan

        unstable = not rec["stable"]
        status_word = t(f"pace.status.{rec['status']}", lang)
        rows.append(
            {
                "row": f"{_period_name(rec, lang=lang)} · {label}",
                "actual_share": share(rec["actual"]),
                "expected_share": share(rec["expected"]),
                "projected_share": math.nan if unstable else share(rec["projected"]),
                "low_share": share(rec["low"]),
                "high_share": share(rec["high"]),
                "status": rec["status"],
                "status_text": f"{status_word} {format_pct(rec['pace'], lang=lang)}",
                "tooltip": t(
                    "pace.tooltip",
                    lang,
                    label=label,
                    actual=format_value(rec["actual"], kind=kind, lang=lang, currency=currency),
                    expected=format_value(rec["expected"], kind=kind, lang=lang, currency=currency),
                    linear=format_value(
                        rec["linear_expected"], kind=kind, lang=lang, currency=currency
                    ),
                    projected=_projection_text(rec, lang=lang, currency=currency),
                    target=format_value(target, kind=kind, lang=lang, currency=currency),
                ),
            }
        )
    return pace_chart(
        pd.DataFrame(rows),
        title=t("chart.pace.title", lang),
        description=t("chart.pace.description", lang),
        expected=t("chart.pace.expected", lang),
        projection=t("chart.pace.projection", lang),
        target=t("chart.pace.target", lang),
    )


# --- alerts ------------------------------------------------------------------------------------


def _measure_label(measure: str, *, definitions: Definitions, lang: str) -> str:
    if measure in definitions.metric_map:
        return metric_label(definitions, measure, lang=lang)
    return measure


def _where(alert: dict, *, lang: str) -> str:
    dimension = alert["dimension"]
    if pd.isna(dimension):
        return t("dimension.whole", lang)
    segment = alert["segment"]
    shown = (
        t("alert.unknown_segment", lang)
        if pd.isna(segment)
        else short_text(str(segment), limit=SEGMENT_CHARS)
    )
    return t("alert.segment", lang, dimension=t(f"dimension.{dimension}", lang), segment=shown)


def _since(alert: dict, *, lang: str) -> str:
    if int(alert["weeks_off"]) <= 1 or alert["since_start"] is None:
        return t("alert.since_now", lang)
    return t("alert.since", lang, day=_short_day(alert["since_start"], lang=lang))


def alert_sentence(alert: dict, *, definitions: Definitions, lang: str) -> str:
    """One alert as a sentence: what moved, by how much against normal, where, since when."""
    where = _where(alert, lang=lang)
    measure = alert["measure"]
    label = _measure_label(measure, definitions=definitions, lang=lang)
    up = alert["change"] > 0
    moved = t("alert.up" if up else "alert.down", lang)
    since = _since(alert, lang=lang)
    if alert["kind"] == "count":
        change = alert["change"]
        change_text = "—" if math.isinf(change) else format_pct(change, lang=lang, signed=True)
        return t(
            "alert.count", lang, where=where, measure=label, moved=moved,
            value=format_count(alert["value"], lang=lang),
            normal=format_count(alert["normal"], lang=lang), change=change_text, since=since,
        )  # fmt: skip
    metric = definitions.metric_map.get(measure)
    from_stage = getattr(metric, "from_", None) or definitions.stage_keys[0]
    to_stage = getattr(metric, "to", None)
    from_label = metric_label(definitions, from_stage, lang=lang)
    to_label = (
        metric_label(definitions, to_stage, lang=lang) if to_stage else t("alert.sla_measure", lang)
    )
    window = int(alert["window"])
    points = f"{alert['change'] * 100:+.1f}".replace("-", MINUS)
    text = t(
        "alert.rate" if to_stage else "alert.rate_sla", lang, where=where, measure=label,
        moved=moved,
        value=format_pct(alert["value"], lang=lang), normal=format_pct(alert["normal"], lang=lang),
        points=t("rate.points", lang, value=points),
        window=t("alert.week", lang) if window == 1 else t("alert.weeks", lang, n=window),
        n=format_count(alert["n"], lang=lang), from_stage=from_label, to_stage=to_label,
        impact=format_count(abs(alert["impact"]), lang=lang),
        direction=t("alert.more" if up else "alert.fewer", lang), since=since,
    )  # fmt: skip
    if alert["baseline"] == "everyone":
        text += t("alert.new_segment", lang)
    return text


def _alert_series(alert: dict, series: pd.DataFrame) -> pd.DataFrame:
    def same(column: str) -> pd.Series:
        value = alert[column]
        if pd.isna(value):
            return series[column].isna()
        return series[column] == value

    part = series[(series["kind"] == alert["kind"]) & (series["measure"] == alert["measure"])]
    part = part[same("dimension").loc[part.index] & same("segment").loc[part.index]]
    part = part.sort_values("start").tail(CHART_WEEKS).reset_index(drop=True)
    weeks = len(part)
    shifted = [i >= weeks - int(alert["weeks_off"]) for i in range(weeks)]
    if alert["kind"] == "count":
        last = float(part["weight"].iloc[-1]) or 1.0
        scale = part["weight"].astype(float) / last
        value = part["x"].astype(float)
        baseline = alert["normal"] * scale
        half = (alert["high"] - alert["normal"]) * scale
        low, high = (baseline - half).clip(lower=0), baseline + half
    else:
        n = part["n"].astype(float)
        value = part["x"].astype(float) / n.where(n > 0)
        # no rate without people, and none over 100 % (a week whose later-stage entries
        # outnumber its earlier-stage ones mixes cohorts): a gap, never a 100 % point
        value = value.where(value <= 1.0)
        r0 = alert["normal"]
        spread = 1.96 * (r0 * (1 - r0) / n.where(n > 0)) ** 0.5
        baseline = pd.Series([r0] * weeks)
        low, high = (r0 - spread).clip(lower=0), (r0 + spread).clip(upper=1)
    return pd.DataFrame(
        {
            "start": part["start"],
            "week": part["week"],
            "value": value,
            "baseline": baseline,
            "low": low,
            "high": high,
            "shifted": shifted,
        }
    )


def _chart_html(chart: PackChart) -> str:
    return chart._repr_html_()


def alerts_html(
    alerts: pd.DataFrame,
    series: pd.DataFrame,
    *,
    definitions: Definitions,
    calendar: FiscalCalendar,
    lang: str,
    settings: AnomalySettings | None = None,
    top: int = TOP_ALERTS,
) -> Html:
    """The week's alerts: the main ones as sentences with a chart, the rest in a table.

    Alerts explained by another (the same change seen in another segment) are listed under it.
    The detection method and its gates close the section; it names the company's days off
    (``calendar``), which shape the weeks' weights.
    """
    s = settings or AnomalySettings()
    tested = number_tested(alerts)
    if tested is None:  # a frame not from detect: every series counts
        tested = series.groupby(["kind", "measure", "dimension", "segment"], dropna=False).ngroups
    method = t(
        "alert.method", lang, weeks=s.baseline_weeks, recent=s.recent_weeks,
        min_expected=format_count(s.min_expected, lang=lang), min_n=s.min_n,
        tested=format_count(tested, lang=lang), fdr=format_pct(s.fdr, lang=lang),
        min_count=format_count(s.min_count_change, lang=lang),
        min_rel=format_pct(s.min_relative_change, lang=lang),
        min_impact=format_count(s.min_impact, lang=lang),
        days_off=days_off_words(calendar.days, lang=lang),
    )  # fmt: skip
    note = f'<p class="rk-note rk-method">{escape(method)}</p>'
    if alerts.empty:
        text = (
            t("alert.none", lang, tested=format_count(tested, lang=lang))
            if tested
            else t("weekly.nothing_tested", lang)
        )
        return Html(f'<p class="rk-ok">{escape(text)}</p>{note}', text=text)
    records = alerts.to_dict("index")
    primary = [i for i, a in records.items() if a["explained_by"] == -1]
    parts, texts = [], []
    for i in primary[:top]:
        alert = records[i]
        sentence = alert_sentence(alert, definitions=definitions, lang=lang)
        texts.append(sentence)
        also = [
            _where(a, lang=lang)
            + " · "
            + _measure_label(a["measure"], definitions=definitions, lang=lang)
            for a in records.values()
            if a["explained_by"] == i
        ]
        if len(also) > ALSO_SHOWN:
            more = t("alert.and_more", lang, n=format_count(len(also) - ALSO_SHOWN, lang=lang))
            also = [*also[:ALSO_SHOWN], more]
        also_html = (
            f'<p class="rk-also">{escape(t("alert.also", lang, items=", ".join(also)))}</p>'
            if also
            else ""
        )
        chart = alert_chart(
            _alert_series(alert, series),
            title=f"{_where(alert, lang=lang)} · "
            f"{_measure_label(alert['measure'], definitions=definitions, lang=lang)}",
            description=sentence,
            percent=alert["kind"] == "rate",
            normal=t("alert.chart.normal", lang),
            value=t("alert.chart.value", lang),
        )
        direction = "rk-down" if alert["change"] < 0 else "rk-up"
        parts.append(
            f'<div class="rk-alert {direction}"><p class="rk-alert-text">{escape(sentence)}</p>'
            f"{also_html}{_chart_html(chart)}</div>"
        )
    rest = [i for i in records if i not in primary[:top]]
    if rest:
        rows = []
        for i in rest:
            a = records[i]
            by = a["explained_by"]
            rows.append(
                {
                    t("alert.col.alert", lang): alert_sentence(
                        a, definitions=definitions, lang=lang
                    ),
                    t("alert.col.explained", lang): (
                        _where(records[by], lang=lang) if by in records else "—"
                    ),
                }
            )
        table = styled_table(
            pd.DataFrame(rows), [["rk-label", "rk-label"]] * len(rows), css_class="rk-alerts",
            shorten=False, lang=lang,
        ).html  # fmt: skip
        parts.append(
            f"<details><summary>{escape(t('alert.more_title', lang, n=len(rest)))}</summary>"
            f"{table}</details>"
        )
    return Html("".join(parts) + note, text="\n".join(texts))


# --- summary -----------------------------------------------------------------------------------


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
        How many series the anomaly detection looked at (:func:`reviewkit.analysis.anomalies.
        number_tested`); 0 says the week had too few people to test, ``None``: not known.
    """
    out = []
    current = pace[~pace["closed"]]
    kgi_label = (  # a count KGI is named as the definitions name it ("Customers won")
        definitions.kgi.label(lang)
        if kgi == definitions.kgi_metric
        else metric_label(definitions, kgi, lang=lang)
    )
    for rec in pace[pace["closed"] & (pace["metric"] == kgi)].to_dict("records"):
        if math.isnan(rec["target"]):
            out.append(
                t("weekly.closed_no_target", lang, period=_period_name(rec, lang=lang),
                  kgi=kgi_label, actual=format_value(rec["actual"], kind=rec["kind"], lang=lang,
                                                     currency=currency))
            )  # fmt: skip
            continue
        out.append(
            t(
                "weekly.closed",
                lang,
                period=_period_name(rec, lang=lang),
                kgi=kgi_label,
                actual=format_value(rec["actual"], kind=rec["kind"], lang=lang, currency=currency),
                target=format_value(rec["target"], kind=rec["kind"], lang=lang, currency=currency),
                pct=format_pct(
                    rec["actual"] / rec["target"] if rec["target"] else math.nan, lang=lang
                ),
                status=t(f"status.{rec['status']}", lang),
            )
        )
    for scope in ("month", "quarter"):
        rows = current[(current["scope"] == scope) & (current["metric"] == kgi)]
        if rows.empty:
            continue
        rec = rows.iloc[0].to_dict()
        kind = rec["kind"]
        fv = partial(format_value, kind=kind, lang=lang, currency=currency)
        name = _period_name(rec, lang=lang)
        status = t(f"pace.status.{rec['status']}", lang)
        if scope == "month":
            if not rec["stable"]:
                projection = (
                    t("weekly.projection_unknown", lang)
                    if math.isnan(rec["low"])
                    else t(
                        "weekly.projection_early",
                        lang,
                        low=format_value(rec["low"], kind=kind, lang=lang, currency=currency),
                        high=format_value(rec["high"], kind=kind, lang=lang, currency=currency),
                    )
                )
            else:
                projection = t(
                    "weekly.projection", lang, point=fv(rec["projected"]), low=fv(rec["low"]),
                    high=fv(rec["high"]), target=fv(rec["target"]),
                )  # fmt: skip
            through = _short_day(rec["through"], lang=lang)
            key = (
                "weekly.month_pace"
                if not math.isnan(rec["target"])
                else "weekly.month_pace_no_target"
            )
            out.append(
                t(
                    key,
                    lang,
                    period=name,
                    kgi=kgi_label,
                    through=through,
                    actual=format_value(rec["actual"], kind=kind, lang=lang, currency=currency),
                    expected=format_value(rec["expected"], kind=kind, lang=lang, currency=currency),
                    pace=format_pct(rec["pace"], lang=lang),
                    status=status,
                    projection=projection,
                )
            )
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
                out.append(t("weekly.behind", lang, items=t("summary.join", lang).join(items)))
            elif (current["scope"].eq("month") & current["status"].eq("met")).any() and not (
                current["status"].eq("no_data").any()  # not "every stage": one has no data
            ):
                out.append(t("weekly.all_on_pace", lang))
        elif not math.isnan(rec["target"]):
            point = format_value(rec["projected"], kind=kind, lang=lang, currency=currency)
            out.append(
                t(
                    "weekly.quarter" if rec["stable"] else "weekly.quarter_early",
                    lang,
                    period=name,
                    kgi=kgi_label,
                    pace=format_pct(rec["pace"], lang=lang),
                    status=status,
                    point=point,
                    target=format_value(rec["target"], kind=kind, lang=lang, currency=currency),
                )
            )
    out.extend(
        attention_items(alerts, pulse, definitions=definitions, lang=lang, top=attention,
                        tested=tested)
    )  # fmt: skip
    return out


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
