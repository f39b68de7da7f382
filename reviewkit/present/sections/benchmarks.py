"""The benchmarks section: the company's figures against public ranges, never targets.

The figures and positions come from
:func:`reviewkit.analysis.benchmark_positions.benchmark_positions`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from html import escape

import pandas as pd

from reviewkit.analysis.benchmarks import FILE_NAME, Benchmarks, metric_kind
from reviewkit.analysis.trends import MATURING
from reviewkit.core.periods import Period
from reviewkit.i18n.formatting import format_count, format_money, format_period, format_value
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import Definitions, Metric, WinRateMetric
from reviewkit.model.labels import dimension_label
from reviewkit.present.html import Html, note_html
from reviewkit.present.tables import styled_table


def _segment_words(
    segment: Mapping[str, object] | None, *, lang: str, definitions: Definitions
) -> str:
    if not segment:
        return ""
    comma = "、" if lang == "ja" else ", "
    parts = []
    for column, values in segment.items():
        shown = comma.join(map(str, values)) if isinstance(values, list) else str(values)
        parts.append(f"{dimension_label(column, lang=lang, definitions=definitions)}: {shown}")
    inner = "; ".join(parts)
    return f"（{inner}）" if lang == "ja" else f" ({inner})"


def _amount_text(value: float, kind: str, *, lang: str, currency: str) -> str:
    return format_value(value, kind=kind, lang=lang, currency=currency)


def _company_text(row: dict[str, object], metric: Metric, *, lang: str, currency: str) -> str:
    value = float(row["value"])  # type: ignore[arg-type]
    if math.isnan(value):
        return "—"
    kind = metric_kind(metric) or "rate"
    text = _amount_text(value, kind, lang=lang, currency=currency)
    if not row["mature"]:
        text += f" {MATURING}"
    if kind == "rate":
        money = isinstance(metric, WinRateMetric) and metric.by == "amount"
        parts = [
            format_money(float(row[c]), currency=currency, lang=lang)  # type: ignore[arg-type]
            if money
            else format_count(float(row[c]), lang=lang)  # type: ignore[arg-type]
            for c in ("numerator", "denominator")
        ]
        text += f"（{parts[0]}／{parts[1]}）" if lang == "ja" else f" ({parts[0]} / {parts[1]})"
    return text


def benchmarks_html(
    frame: pd.DataFrame,
    benchmarks: Benchmarks,
    *,
    definitions: Definitions,
    lang: str,
    currency: str,
) -> Html:
    """The benchmarks against the company, headed by the note that they are never targets.

    Parameters
    ----------
    frame
        From :func:`benchmark_positions`.
    benchmarks
        The same benchmarks (labels, sources, caveats).
    definitions
        For the metrics' kinds and labels.
    lang
        ``ja`` or ``en``.
    currency
        The workspace's currency (ISO 4217): amounts, the company's and the ranges', are in it.

    Returns
    -------
    Html
        With no benchmark configured, one line saying so and where to add them. Else the
        lead note, a table (benchmark, the company's value with numerator and denominator,
        the range, the position as a symbol and words, with what data is missing when there
        is no value, source, year, sample, caveat; folded over 15 rows) and a note on the
        basis.
    """
    if benchmarks.is_empty or frame.empty:
        none = t("benchmarks.none", lang, path=f"params/{FILE_NAME}")
        return Html(f'<p class="rk-missing">{escape(none)}</p>', text=none)
    lead = note_html(t("benchmarks.lead", lang))
    rows = {r["key"]: r for r in frame.to_dict("records")}
    dash, unknown = "〜" if lang == "ja" else "–", t("benchmarks.not_stated", lang)
    shown, classes = [], []
    for entry in benchmarks:
        r = rows[entry.key]
        metric = definitions.metric(entry.metric)
        kind = metric_kind(metric) or "rate"
        label = entry.label(lang) + _segment_words(
            entry.segment, lang=lang, definitions=definitions
        )
        position = str(r["position"])
        words = t(f"benchmarks.position.{position}", lang)
        if position != "no_data" and not r["mature"]:
            words += f" {MATURING}"
        if r.get("missing"):
            words = t("benchmarks.no_data_because", lang, position=words,
                      why=t(f"benchmarks.missing.{r['missing']}", lang))  # fmt: skip
        low, high = (
            _amount_text(v, kind, lang=lang, currency=currency) for v in (entry.low, entry.high)
        )
        shown.append(
            {
                t("benchmarks.col.benchmark", lang): label,
                t("benchmarks.col.company", lang): _company_text(
                    r, metric, lang=lang, currency=currency
                ),
                t("benchmarks.col.range", lang): f"{low}{dash}{high}",
                t("benchmarks.col.position", lang): words,
                t("benchmarks.col.source", lang): t(
                    "benchmarks.source_detail", lang, source=entry.source(lang),
                    year=str(entry.year) if entry.year else unknown,
                    sample=entry.sample(lang) if entry.sample else unknown,
                ),
                t("benchmarks.col.caveat", lang): entry.caveat(lang),
            }
        )  # fmt: skip
        classes.append(["rk-label", "rk-num", "rk-num", "rk-text", "rk-text", "rk-text"])
    period = frame.attrs.get("period")
    name = (
        format_period(period, lang=lang)
        if isinstance(period, Period)
        else t("benchmarks.this_quarter", lang)
    )
    table = styled_table(
        pd.DataFrame(shown), classes, css_class="rk-benchmarks", shorten=False, lang=lang
    )
    note = t("benchmarks.note", lang, period=name)
    return Html(lead + table.html + note_html(note), text=table.text)
