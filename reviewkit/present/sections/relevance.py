"""The KPI-relevance section in words, tables and a chart (see :mod:`reviewkit.analysis.relevance`).

:func:`relevance_table` lays out each leading KPI's correlation with the KGI and its volume, the
elasticity, the verdict and whether it moved alone, with notes on the months used and the rules;
:func:`relevance_chart` draws the correlations per lag; :func:`relevance_sentences` says what
still predicts, what moved alone and what is underweighted, for the pack summary;
:func:`relevance_body` is the section under its title (one line when the history is too short).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from html import escape
from typing import Any

import pandas as pd

from reviewkit.analysis.relevance import MOVE_POINTS, MOVE_RELATIVE, Relevance, combined
from reviewkit.i18n.formatting import DASH, format_pct
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import Definitions
from reviewkit.present.charts.house import PackChart
from reviewkit.present.charts.relevance import correlation_heatmap
from reviewkit.present.html import Html, note_html
from reviewkit.present.sections.relevance_words import (
    change_words,
    kpi_label,
    lag_words,
    level_words,
    signed_number,
    span_words,
    window_words,
)
from reviewkit.present.tables import styled_table


def _reason_words(row: Mapping[str, object], relevance: Relevance, *, lang: str) -> str:
    return t(f"relevance.reason.{row['reason']}", lang, n=row["n"], min=relevance.min_points)


def _correlation_cell(row: Mapping[str, Any], relevance: Relevance, *, lang: str) -> str:
    if row["verdict"] == "none" and row["reason"] in ("too_few_points", "no_variation"):
        return t("relevance.correlation_missing", lang,
                 reason=_reason_words(row, relevance, lang=lang))  # fmt: skip
    return t(
        "relevance.correlation_cell", lang, r=signed_number(float(row["correlation"])),
        lag=lag_words(float(row["lag"]), lang=lang),
    )  # fmt: skip


def _elasticity(row: Mapping[str, Any], *, definitions: Definitions, lang: str) -> str:
    value = float(row["elasticity"])
    if math.isnan(value):
        return DASH
    return t(
        "relevance.elasticity", lang,
        kpi=kpi_label(definitions, str(row["metric"]), lang=lang),
        against=kpi_label(definitions, str(row["against"]), lang=lang),
        value=format_pct(value / 100, lang=lang, signed=True),
        low=format_pct(float(row["elasticity_low"]) / 100, lang=lang, signed=True),
        high=format_pct(float(row["elasticity_high"]) / 100, lang=lang, signed=True),
    )  # fmt: skip


def _verdict_words(
    row: Mapping[str, Any], results: Mapping[str, Relevance], *, definitions: Definitions,
    lang: str,
) -> str:  # fmt: skip
    verdict = t(f"relevance.verdict.{row['verdict']}", lang)
    relevance = results[str(row["against"])]
    if row["verdict"] == "predicts":
        detail = kpi_label(definitions, str(row["against"]), lang=lang)
    else:
        first = relevance.table.set_index("metric").loc[row["metric"]]
        detail = _reason_words({**first.to_dict(), "metric": row["metric"]}, relevance, lang=lang)
    return t("relevance.verdict.detail", lang, verdict=verdict, detail=detail)


def _moved_words(row: Mapping[str, Any], *, definitions: Definitions, kgi: str, lang: str) -> str:
    change = float(row["kpi_change"])
    if math.isnan(change):
        return DASH
    kind = str(row["kind"])
    fields = {
        "kpi": kpi_label(definitions, str(row["metric"]), lang=lang),
        "change": change_words(change, kind, lang=lang),
        "against": kpi_label(definitions, kgi, lang=lang),
        "kgi_change": format_pct(float(row["kgi_change"]), lang=lang, signed=True),
    }
    moved = abs(change) >= (MOVE_POINTS if kind == "rate" else MOVE_RELATIVE)
    if row["moved_alone"]:
        return t("relevance.moved.alone", lang, **fields)
    return t("relevance.moved.followed" if moved else "relevance.moved.small", lang, **fields)


def _excluded(definitions: Definitions, kpis: Mapping[str, str], *, lang: str) -> str:
    """The tree's parts left out (the last stage, its rate, the deal size), by name."""
    last = definitions.stages[-1].key
    keys = [last, *(k for k in definitions.tree if k not in kpis and k != definitions.tree[0])]
    keys = list(dict.fromkeys(keys))
    names = t("relevance.join", lang).join(kpi_label(definitions, k, lang=lang) for k in keys)
    return t("relevance.note_excluded", lang, items=names)


def relevance_notes(
    results: Mapping[str, Relevance], *, definitions: Definitions, lang: str
) -> list[str]:
    """The notes under the relevance table: months used, what is compared, the rule."""
    first = next(iter(results.values()))
    notes = []
    if first.months:
        notes.append(
            t("relevance.note", lang, n=len(first.months),
              span=span_words(first.months[0], first.months[-1], lang=lang))
        )  # fmt: skip
    if first.skipped:
        notes.append(
            t("relevance.note_filling", lang,
              span=span_words(first.skipped[0], first.skipped[-1], lang=lang))
        )  # fmt: skip
    keys = list(results)
    if len(keys) > 1:
        notes.append(
            t("relevance.note_against", lang,
              kgi=kpi_label(definitions, keys[0], lang=lang),
              volume=kpi_label(definitions, keys[1], lang=lang))
        )  # fmt: skip
    kpis = dict(zip(first.table["metric"], first.table["kind"], strict=True))
    notes.append(_excluded(definitions, {**kpis, **dict.fromkeys(first.dropped, "")}, lang=lang))
    if first.dropped:
        names = t("relevance.join", lang).join(
            kpi_label(definitions, k, lang=lang) for k in first.dropped
        )
        notes.append(t("relevance.note_no_data", lang, items=names))
    if first.months:
        end = first.months[-1]
        notes.append(
            t("relevance.note_moved", lang, kgi=kpi_label(definitions, keys[0], lang=lang),
              kgi_span=window_words(end, lang=lang))
        )  # fmt: skip
    notes.append(t("relevance.rule", lang, lags=first.max_lag, min=first.min_points))
    return notes


def relevance_table(
    results: Mapping[str, Relevance], *, definitions: Definitions, lang: str
) -> Html:
    """The KPIs as rows: correlation with each KGI column (and lag), elasticity, verdict, move.

    Parameters
    ----------
    results
        :func:`~reviewkit.analysis.relevance.relevance_results`: the KGI first, then the last
        stage's count.
    definitions
        For labels.
    lang
        ``ja`` or ``en``.

    Returns
    -------
    Html
        The table and its notes (months used, what is left out, the rules).
    """
    table = combined(results)
    kgi = next(iter(results))
    per = {key: r.table.set_index("metric") for key, r in results.items()}
    shown, classes = [], []
    for row in table.to_dict("records"):
        metric = str(row["metric"])
        cells = {t("relevance.col.kpi", lang): kpi_label(definitions, metric, lang=lang)}
        for key, relevance in results.items():
            header = t("relevance.col.correlation", lang,
                       against=kpi_label(definitions, key, lang=lang))  # fmt: skip
            one = {**per[key].loc[metric].to_dict(), "metric": metric}
            cells[header] = _correlation_cell(one, relevance, lang=lang)
        cells[t("relevance.col.elasticity", lang)] = _elasticity(
            row, definitions=definitions, lang=lang
        )
        cells[t("relevance.col.verdict", lang)] = _verdict_words(
            row, results, definitions=definitions, lang=lang
        )
        first = {**per[kgi].loc[metric].to_dict(), "metric": metric}
        cells[t("relevance.col.moved", lang)] = _moved_words(
            first, definitions=definitions, kgi=kgi, lang=lang
        )
        shown.append(cells)
        classes.append(
            ["rk-label", *["rk-num"] * len(results), "rk-text",
             f"rk-status rk-relevance-{row['verdict']}", "rk-text"]
        )  # fmt: skip
    html = styled_table(pd.DataFrame(shown), classes, css_class="rk-relevance", lang=lang).html
    said = relevance_notes(results, definitions=definitions, lang=lang)
    notes = "".join(note_html(n) for n in said)
    title = t("relevance.title", lang, kgi=kpi_label(definitions, kgi, lang=lang))
    return Html(html + notes, text=title)


def relevance_chart(
    results: Mapping[str, Relevance], *, definitions: Definitions, lang: str
) -> PackChart:
    """A KPI x lag heat map of correlations, one row per KPI and KGI column, best lag outlined."""
    rows = []
    first = next(iter(results.values()))
    for metric in first.table["metric"]:
        for key, relevance in results.items():
            label = t("relevance.chart.row", lang, kpi=kpi_label(definitions, metric, lang=lang),
                      against=kpi_label(definitions, key, lang=lang))  # fmt: skip
            best = relevance.table.set_index("metric").loc[metric, "lag"]
            part = relevance.by_lag[relevance.by_lag["metric"] == metric]
            for r in part.to_dict("records"):
                value = float(r["correlation"])
                lag = lag_words(float(r["lag"]), lang=lang)
                rows.append(
                    {"row": label, "column": lag, "value": value, "shown": signed_number(value),
                     "best": bool(r["lag"] == best),
                     "tooltip": t("relevance.chart.tooltip", lang, lag=lag, r=signed_number(value),
                                  n=int(r["n"]))}
                )  # fmt: skip
    months = first.months
    span = span_words(months[0], months[-1], lang=lang) if months else DASH
    return correlation_heatmap(
        pd.DataFrame(rows, columns=["row", "column", "value", "shown", "best", "tooltip"]),
        title=t("relevance.chart.title", lang),
        description=t("relevance.chart.description", lang, span=span),
        legend=t("relevance.chart.legend", lang),
    )


def relevance_sentences(
    results: Mapping[str, Relevance],
    underweighted: pd.DataFrame,
    *,
    definitions: Definitions,
    lang: str,
    currency: str,
) -> list[str]:
    """Sentences for the pack summary: what still predicts, what moved alone, what is underweighted.

    Parameters
    ----------
    results
        :func:`~reviewkit.analysis.relevance.relevance_results`, KGI first.
    underweighted
        :func:`~reviewkit.analysis.underweighted.underweighted`.
    definitions
        For labels.
    lang
        ``ja`` or ``en``.
    currency
        The workspace's currency (ISO 4217), for a KPI that is an amount.

    Returns
    -------
    list of str
        One sentence on the KPIs that predict (or that none does), one per KPI that moved
        alone, and one per underweighted driver.
    """
    table = combined(results)
    first = next(iter(results.values()))
    if first.table.empty or first.too_few_months:
        return [_short_sentence(results, definitions=definitions, lang=lang)]
    out = [_predicts_sentence(table, results, definitions=definitions, lang=lang)]
    out.extend(_moved_sentences(results, definitions=definitions, lang=lang))
    out.extend(_underweighted_sentences(underweighted, definitions=definitions, lang=lang,
                                        currency=currency))  # fmt: skip
    return out


def _predicts_sentence(
    table: pd.DataFrame, results: Mapping[str, Relevance], *, definitions: Definitions, lang: str
) -> str:
    """The KPIs that predict; or, when none does, the closest one (or that too few months)."""
    first = next(iter(results.values()))
    names = t("relevance.or", lang).join(kpi_label(definitions, k, lang=lang) for k in results)
    join = t("relevance.join", lang)
    predicts = table[table["verdict"] == "predicts"]
    if len(predicts):
        items = join.join(
            t("relevance.sentence.item", lang,
              kpi=kpi_label(definitions, str(r["metric"]), lang=lang),
              lag=lag_words(float(r["lag"]), lang=lang), r=signed_number(float(r["correlation"])),
              against=kpi_label(definitions, str(r["against"]), lang=lang))
            for r in predicts.to_dict("records")
        )  # fmt: skip
        return t("relevance.sentence.predicts", lang, n=len(first.months), items=items)
    every = pd.concat(
        [r.table.assign(against=key) for key, r in results.items()], ignore_index=True
    )
    ranked = every[every["correlation"].notna()].sort_values(
        "correlation", ascending=False, kind="stable"
    )
    if not len(ranked):
        return t("relevance.sentence.too_few", lang, n=len(first.months))
    r = ranked.iloc[0]
    return t("relevance.sentence.none", lang, n=len(first.months), names=names,
             kpi=kpi_label(definitions, str(r["metric"]), lang=lang),
             lag=lag_words(float(r["lag"]), lang=lang), r=signed_number(float(r["correlation"])),
             against=kpi_label(definitions, str(r["against"]), lang=lang))  # fmt: skip


def _moved_sentences(
    results: Mapping[str, Relevance], *, definitions: Definitions, lang: str
) -> list[str]:
    """One sentence per KPI that moved without the KGI following."""
    first = next(iter(results.values()))
    kgi = next(iter(results))
    out = []
    for r in first.table[first.table["moved_alone"]].to_dict("records"):
        end = str(r["kpi_end"])
        last = first.months[-1]
        opposite = float(r["kgi_change"]) * float(r["expected_kgi_change"]) < 0
        key = "relevance.sentence.moved_opposite" if opposite else "relevance.sentence.moved"
        out.append(
            t(key, lang,
              kpi=kpi_label(definitions, str(r["metric"]), lang=lang),
              kpi_span=window_words(end, lang=lang),
              change=change_words(float(r["kpi_change"]), str(r["kind"]), lang=lang),
              kgi=kpi_label(definitions, kgi, lang=lang),
              kgi_span=window_words(last, lang=lang),
              kgi_change=format_pct(float(r["kgi_change"]), lang=lang, signed=True))
        )  # fmt: skip
    return out


def _underweighted_sentences(
    underweighted: pd.DataFrame, *, definitions: Definitions, lang: str, currency: str
) -> list[str]:
    """One sentence per driver that matters but whose target does not ask it to move."""
    out = []
    for r in underweighted.to_dict("records"):
        kind = str(r["kind"])
        against = kpi_label(definitions, str(r["against"]), lang=lang)
        why = t(f"relevance.why.{r['why']}", lang, against=against,
                value=format_pct(float(r["elasticity"]) / 100, lang=lang, signed=True))  # fmt: skip
        out.append(
            t(str(r["explanation"]), lang,
              kpi=kpi_label(definitions, str(r["metric"]), lang=lang), why=why,
              target=level_words(float(r["target"]), kind, lang=lang, currency=currency),
              actual=level_words(float(r["actual"]), kind, lang=lang, currency=currency))
        )  # fmt: skip
    return out


def _short_sentence(
    results: Mapping[str, Relevance], *, definitions: Definitions, lang: str
) -> str:
    """Why nothing can be judged: no leading KPI with data, or too few months (and how many)."""
    first = next(iter(results.values()))
    kgi = definitions.kgi.label(lang)
    if first.table.empty:
        return t("relevance.sentence.no_kpis", lang, kgi=kgi)
    n = len(first.months)
    span = span_words(first.months[0], first.months[-1], lang=lang) if n else DASH
    return t(
        "relevance.sentence.short", lang, n=n, span=span, kgi=kgi, min=first.min_points,
        more=max(first.min_points - n, 1),
    )  # fmt: skip


def relevance_body(
    results: Mapping[str, Relevance],
    underweighted: pd.DataFrame,
    *,
    definitions: Definitions,
    lang: str,
    currency: str,
) -> Html:
    """The relevance section under its title: the sentences, the table and its notes.

    When no leading KPI has data, or the months are too few to judge any (every KPI
    ``too_few_points``), one line says so (how many months there are and how many are needed)
    instead of a table of dashes.
    """
    first = next(iter(results.values()))
    if first.table.empty or first.too_few_months:
        text = _short_sentence(results, definitions=definitions, lang=lang)
        return Html(f'<p class="rk-missing">{escape(text)}</p>', text=text)
    sentences = relevance_sentences(
        results, underweighted, definitions=definitions, lang=lang, currency=currency
    )
    lead = "".join(f"<li>{escape(s)}</li>" for s in sentences)
    table = relevance_table(results, definitions=definitions, lang=lang)
    return Html(f'<ul class="rk-lead">{lead}</ul>{table.html}', text=table.text)


def relevance_shown(results: Mapping[str, Relevance]) -> bool:
    """Whether the section has a table and chart (some KPI with data and enough months)."""
    first = next(iter(results.values()))
    return not (first.table.empty or first.too_few_months)
