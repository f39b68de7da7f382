"""The weekly alerts section: each alert in a sentence with its chart, the rest in a table."""

from __future__ import annotations

import math
from html import escape

import pandas as pd

from reviewkit.analysis.anomaly_detection import number_tested
from reviewkit.analysis.anomaly_settings import AnomalySettings
from reviewkit.core.periods import FiscalCalendar
from reviewkit.i18n.calendar_words import days_off_words
from reviewkit.i18n.formatting import MINUS, format_count, format_pct
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import Definitions
from reviewkit.model.labels import dimension_label
from reviewkit.present.charts.alerts import alert_chart
from reviewkit.present.charts.house import PackChart
from reviewkit.present.glossary import metric_label
from reviewkit.present.html import Html
from reviewkit.present.sections.pace import short_day
from reviewkit.present.styling import short_text
from reviewkit.present.tables import styled_table

CHART_WEEKS = 13  # weeks drawn in an alert's chart


TOP_ALERTS = 5  # alerts written out as sentences with a chart; the rest go in a table


ALSO_SHOWN = 6  # "the same change also shows in": at most this many, then "and N more"


SEGMENT_CHARS = 48  # a segment named in a sentence or a chart title is cut to this (… at the end)


def _measure_label(measure: str, *, definitions: Definitions, lang: str) -> str:
    if measure in definitions.metric_map:
        return metric_label(definitions, measure, lang=lang)
    return measure


def _where(alert: dict, *, definitions: Definitions, lang: str) -> str:
    dimension = alert["dimension"]
    if pd.isna(dimension):
        return t("dimension.whole", lang)
    segment = alert["segment"]
    shown = (
        t("alert.unknown_segment", lang)
        if pd.isna(segment)
        else short_text(str(segment), limit=SEGMENT_CHARS)
    )
    named = dimension_label(str(dimension), lang=lang, definitions=definitions)
    return t("alert.segment", lang, dimension=named, segment=shown)


def _since(alert: dict, *, lang: str) -> str:
    if int(alert["weeks_off"]) <= 1 or alert["since_start"] is None:
        return t("alert.since_now", lang)
    return t("alert.since", lang, day=short_day(alert["since_start"], lang=lang))


def alert_sentence(alert: dict, *, definitions: Definitions, lang: str) -> str:
    """One alert as a sentence: what moved, by how much against normal, where, since when."""
    where = _where(alert, definitions=definitions, lang=lang)
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
    note = _method_note(s, tested=tested, calendar=calendar, lang=lang)
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
        html, sentence = _alert_block(i, records, series, definitions=definitions, lang=lang)
        parts.append(html)
        texts.append(sentence)
    rest = [i for i in records if i not in primary[:top]]
    if rest:
        parts.append(_rest_table(rest, records, definitions=definitions, lang=lang))
    return Html("".join(parts) + note, text="\n".join(texts))


def _method_note(s: AnomalySettings, *, tested: int, calendar: FiscalCalendar, lang: str) -> str:
    """The detection method and its gates, naming the company's days off."""
    method = t(
        "alert.method", lang, weeks=s.baseline_weeks, recent=s.recent_weeks,
        min_expected=format_count(s.min_expected, lang=lang), min_n=s.min_n,
        tested=format_count(tested, lang=lang), fdr=format_pct(s.fdr, lang=lang),
        min_count=format_count(s.min_count_change, lang=lang),
        min_rel=format_pct(s.min_relative_change, lang=lang),
        min_impact=format_count(s.min_impact, lang=lang),
        days_off=days_off_words(calendar.days, lang=lang),
    )  # fmt: skip
    return f'<p class="rk-note rk-method">{escape(method)}</p>'


def _alert_block(
    i: object, records: dict, series: pd.DataFrame, *, definitions: Definitions, lang: str
) -> tuple[str, str]:
    """A main alert: its sentence, the places the same change shows, and its chart."""
    alert = records[i]
    sentence = alert_sentence(alert, definitions=definitions, lang=lang)
    also = [
        _where(a, definitions=definitions, lang=lang)
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
        title=f"{_where(alert, definitions=definitions, lang=lang)} · "
        f"{_measure_label(alert['measure'], definitions=definitions, lang=lang)}",
        description=sentence,
        percent=alert["kind"] == "rate",
        normal=t("alert.chart.normal", lang),
        value=t("alert.chart.value", lang),
    )
    direction = "rk-down" if alert["change"] < 0 else "rk-up"
    html = (
        f'<div class="rk-alert {direction}"><p class="rk-alert-text">{escape(sentence)}</p>'
        f"{also_html}{_chart_html(chart)}</div>"
    )
    return html, sentence


def _rest_table(rest: list, records: dict, *, definitions: Definitions, lang: str) -> str:
    """The alerts not written out, in a folded table with the alert each is explained by."""
    rows = []
    for i in rest:
        a = records[i]
        by = a["explained_by"]
        rows.append(
            {
                t("alert.col.alert", lang): alert_sentence(a, definitions=definitions, lang=lang),
                t("alert.col.explained", lang): (
                    _where(records[by], definitions=definitions, lang=lang)
                    if by in records
                    else "—"
                ),
            }
        )
    table = styled_table(
        pd.DataFrame(rows), [["rk-label", "rk-label"]] * len(rows), css_class="rk-alerts",
        shorten=False, lang=lang,
    ).html  # fmt: skip
    return (
        f"<details><summary>{escape(t('alert.more_title', lang, n=len(rest)))}</summary>"
        f"{table}</details>"
    )
