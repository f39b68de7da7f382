"""The weekly pace section: month and quarter pace against target (table, note, bullets)."""

from __future__ import annotations

import datetime as dt
import math
from functools import partial
from html import escape

import pandas as pd

from reviewkit.analysis.pace_projection import PaceSettings
from reviewkit.core.periods import FiscalCalendar
from reviewkit.i18n.calendar_words import days_off_words
from reviewkit.i18n.formatting import format_date, format_pct, format_value
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import Definitions
from reviewkit.present.charts.house import PackChart
from reviewkit.present.charts.pace import pace_chart
from reviewkit.present.glossary import metric_label
from reviewkit.present.html import Html, missing_html
from reviewkit.present.tables import styled_table

STATUS_CLASS = {
    "met": "rk-met", "near": "rk-near", "missed": "rk-missed", "no_target": "", "early": "",
    "no_data": "",  # a stage or KGI the store has no record of (reviewkit.semantic.funnel_gaps)
}  # fmt: skip


def short_day(day: dt.date, *, lang: str) -> str:
    """A day as the pace texts write it (``9/14`` in Japanese, the date format otherwise)."""
    return f"{day.month}/{day.day}" if lang == "ja" else format_date(day, lang=lang)


def period_name(row: pd.Series | dict, *, lang: str) -> str:
    """A pace row's month or quarter in words (``9月``, ``Sep``, ...)."""
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
            untargeted.append(period_name(part.iloc[0].to_dict(), lang=lang))
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
    name = period_name(rec, lang=lang)
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
        name = period_name(part.iloc[0].to_dict(), lang=lang)
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
                "row": f"{period_name(rec, lang=lang)} · {label}",
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
