"""The monthly gap section: how far the KGI missed and which KPI-tree driver cost it.

The attribution comes from :mod:`reviewkit.analysis.gap`; this module words it: the sentence,
the table of each driver's part of each gap, and the waterfall chart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import partial
from html import escape

import pandas as pd

from reviewkit.analysis.gap import cost_and_offsets, main_comparison
from reviewkit.core.currency import money_label_expr
from reviewkit.core.periods import Period
from reviewkit.i18n.formatting import format_pct
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import Definitions
from reviewkit.model.labels import driver_label, driver_names, metric_label
from reviewkit.model.units import kgi_unit
from reviewkit.present.charts.house import PackChart
from reviewkit.present.charts.monthly import waterfall_chart
from reviewkit.present.html import Html, missing_html, note_html, subsection_heading
from reviewkit.present.sections.monthly import kgi_figure
from reviewkit.present.sections.monthly_summary import timing_words
from reviewkit.present.tables import styled_table


def tree_missing(drivers: Sequence[str], *, definitions: Definitions, lang: str) -> Html | None:
    """The one line saying the tree's split is left out for lack of data, or ``None``.

    Parameters
    ----------
    drivers
        The KPI-tree drivers without data
        (:meth:`reviewkit.semantic.funnel_gaps.FunnelGaps.tree_drivers`).
    """
    if not drivers:
        return None
    names = t("summary.join", lang).join(metric_label(definitions, d, lang=lang) for d in drivers)
    return missing_html("tree", lang=lang, drivers=names, what=t("missing.what.gap", lang))


def gap_section(
    attribution: pd.DataFrame,
    *,
    missing: Html | None,
    timing: pd.DataFrame | None,
    definitions: Definitions,
    kgi_label: str,
    period: Period,
    lang: str,
    currency: str,
) -> Html:
    """How far the KGI missed its target, the previous and last year's month, and why.

    Parameters
    ----------
    attribution
        :func:`reviewkit.analysis.gap.gap_attribution` (empty: nothing to split).
    missing
        The line said instead when the review has no data or the tree lacks some; else ``None``.
    timing
        :func:`reviewkit.analysis.timing.gap_timing`.
    kgi_label
        The KGI's name.
    period
        The period reviewed.
    """
    heading = t("gap.title", lang, kgi=kgi_label)
    title = subsection_heading(heading, anchor="gap")
    if missing is not None:
        return Html(title + missing.html, text=missing.text)
    if attribution.empty:
        return Html(title + note_html(t("header.no_data", lang)))
    sentence = gap_sentence(
        attribution, definitions=definitions, kgi_label=kgi_label, lang=lang, currency=currency,
        timing=timing, period=period,
    )  # fmt: skip
    lead = f'<p class="rk-lead">{escape(sentence)}</p>' if sentence else ""
    table = gap_table(attribution, definitions=definitions, lang=lang, currency=currency)
    return Html(title + lead + table.html, text=sentence or heading)


def gap_table(
    attribution: pd.DataFrame, *, definitions: Definitions, lang: str, currency: str
) -> Html:
    """Drivers as rows, comparisons as columns: each driver's part of each gap (KGI units)."""
    fig = partial(kgi_figure, definitions=definitions, lang=lang, currency=currency)
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
    fig = partial(kgi_figure, definitions=definitions, lang=lang, currency=currency)
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
    fig = partial(kgi_figure, definitions=definitions, lang=lang, currency=currency)
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
