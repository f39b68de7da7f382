"""The monthly pack's cause tables and charts: where the gap came from, the findings, content.

Presentation only: every figure comes from :mod:`reviewkit.analysis.splits`,
:mod:`reviewkit.analysis.causes` and :mod:`reviewkit.analysis.content`; this module words and
lays it out. The gap itself (sentence, table, waterfall) is :mod:`reviewkit.present.sections.gap`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from functools import partial
from html import escape

import pandas as pd

from reviewkit.analysis.rate_basis import rate_basis, split_rate
from reviewkit.analysis.splits import MISSING, PeriodPeople
from reviewkit.i18n.formatting import MINUS, format_count, format_money, format_pct, format_value
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import ConversionMetric, Definitions
from reviewkit.model.labels import (
    dimension_label,
    driver_label,
    finding_label,
    metric_label,
)
from reviewkit.model.units import kgi_unit
from reviewkit.present.charts.house import PackChart
from reviewkit.present.charts.monthly import heatmap_chart
from reviewkit.present.html import Html, note_html
from reviewkit.present.sections.monthly_words import change_text, key_label
from reviewkit.present.styling import short_text
from reviewkit.present.tables import styled_table

HEAT_ROWS = 16
HEAT_LABEL = 48  # heat-map row labels longer than this are shortened (full name in the tooltip)


def _signed(value: float, *, digits: int = 1) -> str:
    return "—" if math.isnan(value) else f"{value:+.{digits}f}".replace("-", MINUS)


def kgi_figure(
    value: float, *, definitions: Definitions, lang: str, currency: str, signed: bool = False
) -> str:
    """A figure of the KGI (an amount in ``currency``, or a count); ``signed``: ``+`` shown.

    Parameters
    ----------
    value
        The figure in the KGI's unit (NaN: a dash).
    signed
        Whether a figure of 0 or more is written with ``+``.
    """
    text = format_value(value, kind=kgi_unit(definitions), lang=lang, currency=currency)
    return f"+{text}" if signed and not (value < 0 or math.isnan(value)) else text


# -- where it came from ----------------------------------------------------------------------


def basis_note(
    people: PeriodPeople, driver: str, *, definitions: Definitions, period: str, baseline: str,
    lang: str,
) -> str:  # fmt: skip
    """How a driver's segments are compared (:mod:`reviewkit.analysis.rate_basis`)."""
    metric = definitions.metric(driver)
    if not isinstance(metric, ConversionMetric):
        return ""
    basis = rate_basis(people, metric, definitions=definitions)
    fields = {
        "driver": driver_label(definitions, driver, lang=lang),
        "source": metric_label(definitions, metric.from_, lang=lang),
        "target": metric_label(definitions, metric.to, lang=lang),
        "period": period, "baseline": baseline,
    }  # fmt: skip
    if basis.kind == "closed":
        return t("where.basis_closed", lang, **fields)
    if basis.kind == "period":
        return t("where.basis_period", lang, **fields)
    youngest = basis.youngest or dt.timedelta(0)
    return t("where.basis", lang, window=format_count(basis.days, lang=lang),
             days=format_count(min(youngest, basis.window or youngest).days, lang=lang),
             **fields)  # fmt: skip


def drilldown_html(
    people: PeriodPeople, driver: str, *, definitions: Definitions, dimensions: Sequence[str],
    lang: str,
) -> Html:  # fmt: skip
    """Per segment column, a folded table of the driver's mix/rate split (adds up exactly).

    ``dimensions``: the columns worth splitting by (two or more known values); a table of more
    than 15 rows shows its top rows and folds the rest.
    """
    metric = definitions.metric(driver)
    if not isinstance(metric, ConversionMetric):
        return Html("")
    basis = rate_basis(people, metric, definitions=definitions)
    label = driver_label(definitions, driver, lang=lang)
    parts = []
    for dim in dimensions:
        frame = split_rate(people, basis, dims=(dim,))
        if frame.empty:
            continue
        shown, classes = [], []
        for r in frame.to_dict("records"):
            shown.append(
                {
                    t("col.segment", lang): key_label((dim,), str(r["segment"]), lang=lang).split(
                        ": ", 1
                    )[1],
                    t("col.before_people", lang): format_count(r["before_denominator"], lang=lang),
                    t("col.people", lang): format_count(r["denominator"], lang=lang),
                    t("col.previous", lang): _rate_text(r["before_denominator"], r["rate_before"],
                                                        lang=lang),
                    t("col.rate", lang): _rate_text(r["denominator"], r["rate"], lang=lang),
                    t("col.mix", lang): _signed(r["mix"] * 100),
                    t("col.rate_effect", lang): _signed(r["rate_effect"] * 100),
                    t("col.total", lang): _signed(r["total"] * 100),
                }
            )  # fmt: skip
            classes.append(["rk-label", *["rk-num"] * 7])
        total = frame[["mix", "rate_effect", "total"]].sum()
        shown.append(
            {
                t("col.segment", lang): t("col.total", lang),
                t("col.before_people", lang): format_count(
                    frame["before_denominator"].sum(), lang=lang
                ),
                t("col.people", lang): format_count(frame["denominator"].sum(), lang=lang),
                t("col.previous", lang): "",
                t("col.rate", lang): "",
                t("col.mix", lang): _signed(total["mix"] * 100),
                t("col.rate_effect", lang): _signed(total["rate_effect"] * 100),
                t("col.total", lang): _signed(total["total"] * 100),
            }
        )
        classes.append(["rk-label rk-total", *["rk-num rk-total"] * 7])
        table = styled_table(pd.DataFrame(shown), classes, css_class="rk-drill", lang=lang).html
        named = dimension_label(dim, lang=lang, definitions=definitions)
        title = f"{label} — " + t("where.drill", lang, dimension=named)
        parts.append(
            f'<details class="rk-drilldown"><summary>{escape(title)}</summary>{table}</details>'
        )
    return Html("".join(parts) + note_html(t("where.drill_note", lang)))


def _rate_text(people: float, rate: float, *, lang: str) -> str:
    """A segment's rate, or "—" when it had nobody on that side (never a borrowed rate)."""
    return format_pct(rate, lang=lang) if people else "—"


def heatmap(
    people: PeriodPeople, *, definitions: Definitions, driver: str, dimensions: Sequence[str],
    period: str, baseline: str, lang: str,
) -> PackChart:  # fmt: skip
    """Segments (rows) x stage rates of the tree (columns): the change in points.

    Rows are the segments that lost the most people on ``driver``.
    """
    rates = [k for k in definitions.tree if isinstance(definitions.metric(k), ConversionMetric)]
    splits = {}
    for key in rates:
        metric = definitions.metric(key)
        assert isinstance(metric, ConversionMetric)
        basis = rate_basis(people, metric, definitions=definitions)
        for dim in dimensions:
            splits[(key, dim)] = split_rate(people, basis, dims=(dim,))
    ranked = []
    for dim in dimensions:
        frame = splits[(driver, dim)]
        frame = frame[(frame["denominator"] >= 20) & ~frame["segment"].str.contains(MISSING)]
        ranked += [(float(r["people"]), dim, str(r["segment"])) for r in frame.to_dict("records")]
    ranked.sort()
    rows = []
    for _, dim, segment in ranked[:HEAT_ROWS]:
        full = key_label((dim,), segment, lang=lang, definitions=definitions)
        label = short_text(full, limit=HEAT_LABEL)  # the full name is in the tooltip
        for key in rates:
            frame = splits[(key, dim)]
            match = frame[frame["segment"] == segment]
            stage = metric_label(definitions, key, lang=lang)
            if (
                match.empty
                or not match["before_denominator"].iloc[0]
                or not match["denominator"].iloc[0]
            ):
                new = not match.empty and match["denominator"].iloc[0] > 0
                shown = t("cause.new_segment", lang) if new else "—"
                rows.append({"row": label, "column": stage, "points": math.nan, "shown": shown,
                             "tooltip": full})  # fmt: skip
                continue
            r = match.iloc[0]
            points = (r["rate"] - r["rate_before"]) * 100
            rows.append(
                {"row": label, "column": stage, "points": points, "shown": _signed(points),
                 "tooltip": t("chart.heatmap.tooltip", lang, segment=full, stage=stage,
                              before=format_pct(r["rate_before"], lang=lang),
                              now=format_pct(r["rate"], lang=lang),
                              people=format_count(r["denominator"], lang=lang))}
            )  # fmt: skip
    return heatmap_chart(
        pd.DataFrame(rows, columns=["row", "column", "points", "shown", "tooltip"]),
        title=t("chart.heatmap.title", lang),
        description=t("chart.heatmap.description", lang, period=period, baseline=baseline),
        legend=t("chart.heatmap.legend", lang),
    )


# -- the three families -----------------------------------------------------------------------


def findings_table(
    findings: pd.DataFrame, family: str, *, definitions: Definitions, lang: str,
    currency: str = "JPY",
) -> Html:  # fmt: skip
    """One family's findings, ranked: segment, KPI, change, people lost, its KGI cost, notes.

    No finding: one line saying so, with the rule a finding must meet.
    """
    from reviewkit.analysis.cause_selection import CauseSettings

    pct = format_pct(CauseSettings().min_share, lang=lang)
    rows = findings[findings["family"] == family]
    if rows.empty:
        return Html(note_html(t("cause.none", lang, pct=pct)), text=t("cause.none", lang, pct=pct))
    shown, classes = [], []
    kgi = metric_label(definitions, definitions.kgi_metric, lang=lang)
    named = partial(key_label, lang=lang, definitions=definitions)
    for r in rows.to_dict("records"):
        notes = []
        if r["concentrated_from"] is not None:
            parent_dims, parent_key = r["concentrated_from"]
            notes.append(
                t("cause.concentrated", lang, parent=named(parent_dims, parent_key),
                  pct=format_pct(r["concentration"], lang=lang))
            )  # fmt: skip
        if r["within"] is not None:
            child_dims, child_key, share = r["within"]
            notes.append(
                t("cause.within", lang, child=named(child_dims, child_key),
                  pct=format_pct(share, lang=lang))
            )  # fmt: skip
        also = "、" if lang == "ja" else ", "
        explained = also.join(named(d, k) for d, k in r["explains"][:4])
        shown.append(
            {
                t("col.rank", lang): str(r["rank"]),
                t("col.finding", lang): finding_label(r, lang=lang, definitions=definitions)
                + (f"（{'; '.join(notes)}）" if notes and lang == "ja" else "")
                + (f" ({'; '.join(notes)})" if notes and lang == "en" else ""),
                t("col.driver", lang): driver_label(definitions, str(r["driver"]), lang=lang),
                t("col.rate_change", lang): change_text(r, lang=lang),
                t("col.people", lang): format_count(r["size"], lang=lang),
                t("col.loss", lang): _signed(float(r["score"]), digits=0),
                t("col.kgi_cost", lang, kgi=kgi): kgi_figure(
                    float(r["yen"]), definitions=definitions, lang=lang, currency=currency
                ),
                t("col.also", lang): explained or "—",
            }
        )
        classes.append(
            ["rk-num", "rk-text", "rk-label", "rk-num", "rk-num", "rk-num", "rk-num", "rk-text"]
        )
    table = styled_table(pd.DataFrame(shown), classes, css_class="rk-findings", lang=lang).html
    note = t("cause.note", lang, pct=pct)
    return Html(table + note_html(note), text=f"{family}: {len(rows)}")


def content_table(
    frame: pd.DataFrame, *, by: str, days: float | None, target: str, period: str, lang: str,
    currency: str, source: str = "", costs: bool = True, definitions: Definitions | None = None,
) -> Html:  # fmt: skip
    """Content assets or campaigns ranked by how far their leads fell short of everyone's rate.

    Spend and cost per one reached are in ``currency`` (the workspace's), and only when the
    store has campaign costs (``costs``); without, the columns are left out. ``source``: the
    first stage's label (the entrants counted).
    """
    if frame.empty:
        return Html("")
    shown, classes = [], []
    for r in frame.to_dict("records"):
        row = {
            dimension_label(by, lang=lang, definitions=definitions): str(r["segment"]),
            source or t("col.leads", lang): format_count(r["leads"], lang=lang),
            t("col.reached", lang): format_count(r["reached"], lang=lang),
            t("col.rate_change", lang): (
                f"{_rate_text(r['leads_before'], r['rate_before'], lang=lang)} → "
                f"{format_pct(r['rate'], lang=lang)}"
            ),
        }  # fmt: skip
        if costs:
            row[t("col.spend", lang)] = format_money(r["spend"], currency=currency, lang=lang)
            row[t("col.cost_per", lang)] = format_money(
                r["cost_per_reached"], currency=currency, lang=lang
            )
        row[t("col.shortfall", lang)] = format_count(r["shortfall"], lang=lang)
        shown.append(row)
        classes.append(["rk-label", *["rk-num"] * (len(row) - 1)])
    table = styled_table(pd.DataFrame(shown), classes, css_class="rk-content", lang=lang).html
    basis = (
        t("content.basis_cohort", lang, window=format_count(days, lang=lang))
        if days
        else t("content.basis_period", lang)
    )
    note = t("content.note", lang, period=period, target=target, basis=basis,
             source=source or t("col.leads", lang))  # fmt: skip
    return Html(table + note_html(note))
