"""The monthly pack's cause sections: the gap, where it came from, the three families, proposals.

Presentation only: every figure comes from :mod:`reviewkit.analysis.gap`,
:mod:`reviewkit.analysis.splits`, :mod:`reviewkit.analysis.causes` and
:mod:`reviewkit.analysis.content`; this module words and lays it out.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from functools import partial
from html import escape

import pandas as pd

from reviewkit.analysis.gap import cost_and_offsets, main_comparison
from reviewkit.analysis.rate_basis import rate_basis, split_rate
from reviewkit.analysis.splits import MISSING, PeriodPeople
from reviewkit.core.currency import money_label_expr
from reviewkit.core.periods import Period
from reviewkit.i18n.formatting import MINUS, format_count, format_money, format_pct, format_value
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import ConversionMetric, Definitions
from reviewkit.model.labels import (
    dimension_label,
    driver_label,
    driver_names,
    finding_label,
    metric_label,
)
from reviewkit.model.units import kgi_unit
from reviewkit.present.charts.house import PackChart
from reviewkit.present.charts.monthly import heatmap_chart, waterfall_chart
from reviewkit.present.html import Html, note_html
from reviewkit.present.sections.monthly_summary import timing_words
from reviewkit.present.sections.monthly_words import change_text, key_label
from reviewkit.present.styling import short_text
from reviewkit.present.tables import styled_table

HEAT_ROWS = 16
HEAT_LABEL = 48  # heat-map row labels longer than this are shortened (full name in the tooltip)


def _signed(value: float, *, digits: int = 1) -> str:
    return "—" if math.isnan(value) else f"{value:+.{digits}f}".replace("-", MINUS)


def _kgi_figure(
    value: float, *, definitions: Definitions, lang: str, currency: str, signed: bool = False
) -> str:
    """A figure of the KGI (an amount in ``currency``, or a count); ``signed``: ``+`` shown."""
    text = format_value(value, kind=kgi_unit(definitions), lang=lang, currency=currency)
    return f"+{text}" if signed and not (value < 0 or math.isnan(value)) else text


# -- the gap ---------------------------------------------------------------------------------


def gap_table(
    attribution: pd.DataFrame, *, definitions: Definitions, lang: str, currency: str
) -> Html:
    """Drivers as rows, comparisons as columns: each driver's part of each gap (KGI units)."""
    fig = partial(_kgi_figure, definitions=definitions, lang=lang, currency=currency)
    comparisons = list(dict.fromkeys(attribution["comparison"]))
    drivers = list(dict.fromkeys(attribution["driver"]))
    shown, classes = [], []
    table = attribution.set_index(["comparison", "driver"])["contribution"]
    for driver in drivers:
        if driver == "residual" and all(abs(table[(c, driver)]) < 0.5 for c in comparisons):
            continue
        row = {t("gap.driver", lang): driver_label(definitions, driver, lang=lang)}
        for c in comparisons:
            row[t(f"gap.comparison.{c}", lang)] = fig(table[(c, driver)], signed=True)
        shown.append(row)
        classes.append(["rk-label", *["rk-num"] * len(comparisons)])
    first = attribution.groupby("comparison", sort=False).first()
    for label, column, signed in (
        (t("gap.gap", lang), "gap", True),
        (t("gap.actual", lang), "actual", False),
    ):
        row = {t("gap.driver", lang): label}
        for c in comparisons:
            value = float(first.loc[c, column])
            row[t(f"gap.comparison.{c}", lang)] = fig(value, signed=signed)
        shown.append(row)
        classes.append(["rk-label rk-total", *["rk-num rk-total"] * len(comparisons)])
    table_html = styled_table(pd.DataFrame(shown), classes, css_class="rk-gap").html
    tree = " × ".join(driver_label(definitions, d, lang=lang) for d in definitions.tree)
    note = note_html(t("gap.note", lang, tree=tree))
    return Html(
        table_html + note,
        text=t("gap.title", lang, kgi=metric_label(definitions, definitions.kgi_metric, lang=lang)),
    )


def gap_sentence(
    attribution: pd.DataFrame,
    *,
    definitions: Definitions,
    kgi_label: str,
    lang: str,
    currency: str,
    timing: pd.DataFrame | None = None,
    period: Period | None = None,
) -> str | None:
    """One sentence: the KGI against its first comparison, and the driver that cost the most.

    With ``timing`` (:func:`reviewkit.analysis.timing.gap_timing`) and the ``period`` under review,
    a rate driver's fall is said to be timing when it disappears at equal age, or to hold when
    it does not, with the figures of both views.
    """
    fig = partial(_kgi_figure, definitions=definitions, lang=lang, currency=currency)
    if attribution.empty:
        return None
    name = main_comparison(attribution)
    first = attribution[attribution["comparison"] == name].iloc[0]
    worst, offsets = cost_and_offsets(attribution, name)
    if worst is None:
        return None
    reference_name = t(f"gap.reference.{name}", lang)
    sentence = t(
        "gap.sentence", lang, kgi=kgi_label,
        actual=fig(first["actual"]),
        reference_name=reference_name, reference_name_lower=reference_name.lower(),
        reference=fig(first["reference"]), gap=fig(first["gap"], signed=True),
        pct=format_pct(first["actual"] / first["reference"] if first["reference"] else math.nan,
                       lang=lang),
        driver=driver_label(definitions, str(worst["driver"]), lang=lang),
        cost=fig(worst["contribution"], signed=True),
    )  # fmt: skip
    if period is not None:
        said = timing_words(timing, name, str(worst["driver"]), definitions=definitions,
                            period=period, lang=lang, detail=True)  # fmt: skip
        sentence += (" " if lang == "en" else "") + said if said else ""
    if len(offsets):
        sentence += ("" if lang == "ja" else " ") + t(
            "gap.sentence_offset", lang,
            drivers=driver_names(definitions, offsets["driver"], lang=lang),
            offset=fig(float(offsets["contribution"].sum()), signed=True),
        )  # fmt: skip
    return sentence


def waterfall(
    attribution: pd.DataFrame,
    *,
    definitions: Definitions,
    kgi_label: str,
    lang: str,
    currency: str,
    timing: pd.DataFrame | None = None,
) -> PackChart:
    """The gap as a waterfall per comparison (reference, one bar per driver, actual).

    A rate driver whose fall is timing (``timing``: :func:`reviewkit.analysis.timing.gap_timing`)
    is a pale grey bar named "(timing)", not a vermillion one: it is not a miss.
    """
    fig = partial(_kgi_figure, definitions=definitions, lang=lang, currency=currency)
    timed = set()
    if timing is not None and not timing.empty:
        rows = timing[timing["timing"]]
        timed = set(zip(rows["comparison"], rows["driver"], strict=True))
    rows = []
    for name, part in attribution.groupby("comparison", sort=False):
        option = t(f"gap.comparison.{name}", lang)
        first = part.iloc[0]
        rows.append({"comparison": option, "bar": t(f"gap.reference.{name}", lang),
                     "kind": "start", "value": float(first["reference"]),
                     "shown": fig(first["reference"])})  # fmt: skip
        for r in part.to_dict("records"):
            if r["driver"] == "residual" and abs(r["contribution"]) < 0.5:
                continue
            bar = driver_label(definitions, r["driver"], lang=lang)
            kind = "up" if r["contribution"] >= 0 else "down"
            if (name, r["driver"]) in timed:
                bar, kind = t("timing.bar", lang, driver=bar), "timing"
            rows.append({"comparison": option, "bar": bar, "kind": kind,
                         "value": float(r["contribution"]),
                         "shown": fig(r["contribution"], signed=True)})  # fmt: skip
        rows.append({"comparison": option, "bar": t("gap.actual", lang), "kind": "end",
                     "value": float(first["actual"]),
                     "shown": fig(first["actual"])})  # fmt: skip
    reference = t(f"gap.reference.{attribution['comparison'].iloc[0]}", lang)
    description = t("chart.waterfall.description", lang, kgi=kgi_label, reference=reference)
    if timed:
        description += (" " if lang == "en" else "") + t("chart.waterfall.timing", lang)
    return waterfall_chart(
        pd.DataFrame(rows),
        title=t("chart.waterfall.title", lang, kgi=kgi_label),
        description=description,
        choose=t("chart.waterfall.choose", lang),
        label_expr=(
            money_label_expr(currency, lang=lang) if kgi_unit(definitions) == "amount" else None
        ),
    )


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
                t("col.kgi_cost", lang, kgi=kgi): _kgi_figure(
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
