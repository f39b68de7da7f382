"""The definition what-if in words, tables and a chart (see :mod:`reviewkit.analysis.whatif`).

:func:`whatif_html` is the section: the trade-off in words (:func:`whatif_sentences`), the sweep
as a table (:func:`sweep_table`), the current rule against a proposed one
(:func:`compare_table`) and notes; :func:`sweep_chart` draws volume against the next stage's
rate per threshold; :func:`skipped_html` says why a rule stage has no sweep and
:func:`absent_html` why a funnel has no what-if at all.

A count KGI (no amounts) is followed in the last stage's count: no revenue column or wording.
"""

from __future__ import annotations

import math
from html import escape

import pandas as pd

from reviewkit.analysis.threshold_stages import next_metric, skipped_stages
from reviewkit.analysis.whatif import KEEP_NEXT, suggest_threshold
from reviewkit.analysis.whatif_scope import WhatIfScope
from reviewkit.i18n.formatting import format_count, format_money, format_pct
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import Definitions, RuleStage
from reviewkit.model.labels import duration_words, metric_label
from reviewkit.present.charts.sweep import threshold_text
from reviewkit.present.html import Html, missing_html, note_html, points_text, subsection_heading
from reviewkit.present.tables import styled_table


def _signed_count(value: float, *, lang: str) -> str:
    text = format_count(value, lang=lang)
    return text if math.isnan(value) or round(value) <= 0 else f"+{text}"


def _signed_money(value: float, *, lang: str, currency: str) -> str:
    text = format_money(value, currency=currency, lang=lang)
    return text if math.isnan(value) or value <= 0 else f"+{text}"


def _labels(definitions: Definitions, stage: str, *, lang: str) -> dict[str, str]:
    metric = next_metric(definitions, stage)
    assert metric is not None
    return {
        "at": getattr(definitions.stage(stage), "at", "first_held"),
        "stage": definitions.stage(stage).label(lang),
        "next": definitions.stage(metric.to).label(lang),
        "last": definitions.stages[-1].label(lang),
        "metric": metric_label(definitions, metric.key, lang=lang),
        "window": duration_words(metric.window, lang=lang),
        "kgi": definitions.kgi.label(lang),
    }


def _suffix(definitions: Definitions) -> str:
    """``""`` for a revenue KGI; ``_count`` for a count KGI (its texts name no revenue)."""
    return "" if definitions.kgi_is_revenue else "_count"


def _alternative(
    row: pd.Series, current: pd.Series, labels: dict[str, str], *, lang: str, currency: str,
    suffix: str = "",
) -> str:  # fmt: skip
    move = "up" if row["threshold"] > current["threshold"] else "down"
    return t(
        f"whatif.move.{move}{suffix}", lang,
        won=format_count(row["won"], lang=lang),
        won_change=_signed_count(row["won"] - current["won"], lang=lang),
        value=threshold_text(row["threshold"], lang=lang),
        entered=format_count(row["entered"], lang=lang),
        entered_change=format_pct(row["delta_entered_pct"], lang=lang, signed=True),
        rate=format_pct(row["next_rate"], lang=lang),
        points=points_text(row["delta_rate_points"], lang=lang, fraction=True),
        kept=format_pct(row["next_kept"], lang=lang),
        revenue=format_money(row["revenue"], currency=currency, lang=lang),
        revenue_change=_signed_money(row["revenue_delta"], lang=lang, currency=currency),
        **labels,
    )  # fmt: skip


def whatif_sentences(
    sweep: pd.DataFrame,
    *,
    definitions: Definitions,
    stage: str,
    period_name: str,
    lang: str,
    currency: str,
) -> list[str]:
    """The sweep in words: the current threshold, two steps stricter and looser, the proposal."""
    labels = _labels(definitions, stage, lang=lang)
    suffix = _suffix(definitions)
    ordered = sweep.sort_values("threshold").reset_index(drop=True)
    where = ordered.index[ordered["current"]]
    if not len(where):
        return []
    i = int(where[0])
    current = ordered.iloc[i]
    lead = t(
        f"whatif.lead{suffix}", lang, period=period_name,
        value=threshold_text(current["threshold"], lang=lang),
        won=format_count(current["won"], lang=lang),
        entered=format_count(current["entered"], lang=lang),
        rate=format_pct(current["next_rate"], lang=lang),
        revenue=format_money(current["revenue"], currency=currency, lang=lang), **labels,
    )  # fmt: skip
    out = [lead]
    for j in (min(i + 2, len(ordered) - 1), max(i - 2, 0)):
        if j != i:
            out.append(
                _alternative(ordered.iloc[j], current, labels, lang=lang, currency=currency,
                             suffix=suffix)
            )  # fmt: skip
    proposal = suggest_threshold(sweep)
    keep = format_pct(KEEP_NEXT, lang=lang)
    if proposal is None:
        out.append(t("whatif.suggest_none", lang, keep=keep, **labels))
    else:
        row = ordered[ordered["threshold"] == proposal].iloc[0]
        out.append(
            t("whatif.suggest", lang, keep=keep, value=threshold_text(proposal, lang=lang),
              rate=format_pct(row["next_rate"], lang=lang),
              points=points_text(row["delta_rate_points"], lang=lang, fraction=True), **labels)
        )  # fmt: skip
    return out


def sweep_table(
    sweep: pd.DataFrame, *, definitions: Definitions, stage: str, lang: str, currency: str
) -> Html:
    """The sweep as a table, the current threshold's row in bold (revenue for a revenue KGI)."""
    labels = _labels(definitions, stage, lang=lang)
    revenue = definitions.kgi_is_revenue
    shown, classes = [], []
    for r in sweep.sort_values("threshold").to_dict("records"):
        mark = t("whatif.current_mark", lang) if r["current"] else ""
        shown.append(
            {
                t("whatif.col.threshold", lang): threshold_text(r["threshold"], lang=lang) + mark,
                t("whatif.col.entered", lang, **labels): format_count(r["entered"], lang=lang),
                t("whatif.col.entered_change", lang): format_pct(
                    r["delta_entered_pct"], lang=lang, signed=True
                ),
                t("whatif.col.reached", lang, **labels): format_count(r["reached_next"], lang=lang),
                t("whatif.col.rate", lang, **labels): format_pct(r["next_rate"], lang=lang),
                t("whatif.col.rate_change", lang): points_text(
                    r["delta_rate_points"], lang=lang, fraction=True
                ),
                t("whatif.col.kept", lang, **labels): format_pct(r["next_kept"], lang=lang),
                t("whatif.col.won", lang, **labels): format_count(r["won"], lang=lang),
            }
        )
        if revenue:
            shown[-1][t("whatif.col.revenue", lang, **labels)] = format_money(
                r["revenue"], currency=currency, lang=lang
            )
            shown[-1][t("whatif.col.revenue_share", lang, **labels)] = format_pct(
                r["revenue_share"], lang=lang
            )
        extra = " rk-total" if r["current"] else ""
        classes.append([f"rk-label{extra}", *[f"rk-num{extra}"] * (len(shown[-1]) - 1)])
    return styled_table(pd.DataFrame(shown), classes, css_class="rk-whatif", lang=lang)


def compare_table(
    comparison: pd.DataFrame, *, definitions: Definitions, stage: str, lang: str, currency: str
) -> Html:
    """The current rule against the proposed one, and the change (revenue for a revenue KGI)."""
    labels = _labels(definitions, stage, lang=lang)
    revenue = definitions.kgi_is_revenue
    shown, classes = [], []
    for r in comparison.to_dict("records"):
        change = r["variant"] == "change"
        count = _signed_count if change else format_count
        shown.append(
            {
                t("whatif.col.variant", lang): t(f"whatif.variant.{r['variant']}", lang),
                t("whatif.col.rule", lang): r["rule"] or "",
                t("whatif.col.entered", lang, **labels): count(r["entered"], lang=lang),
                t("whatif.col.reached", lang, **labels): count(r["reached_next"], lang=lang),
                t("whatif.col.rate", lang, **labels): points_text(
                    r["next_rate"], lang=lang, fraction=True
                )
                if change
                else format_pct(r["next_rate"], lang=lang),
                t("whatif.col.won", lang, **labels): count(r["won"], lang=lang),
            }
        )
        if revenue:
            money = _signed_money if change else format_money
            shown[-1][t("whatif.col.revenue", lang, **labels)] = money(
                r["revenue"], lang=lang, currency=currency
            )
        extra = " rk-total" if change else ""
        numbers = [f"rk-num{extra}"] * (len(shown[-1]) - 2)
        classes.append([f"rk-label{extra}", f"rk-text{extra}", *numbers])
    return styled_table(pd.DataFrame(shown), classes, css_class="rk-whatif-compare", lang=lang)


def whatif_html(
    sweep: pd.DataFrame,
    comparison: pd.DataFrame | None,
    *,
    definitions: Definitions,
    stage: str,
    period_name: str,
    lang: str,
    currency: str,
) -> Html:
    """The what-if section: the trade-off in words, the sweep table, current vs proposed, notes.

    Parameters
    ----------
    sweep
        :func:`~reviewkit.analysis.whatif.threshold_sweep`; empty when the stage has no threshold to
        sweep (only the comparison is shown).
    comparison
        :func:`~reviewkit.analysis.whatif.compare_rule`, or ``None`` when no rule was proposed.
    definitions
        For labels and the conversion window.
    stage
        The swept stage's key.
    period_name
        The period as readers know it (:func:`reviewkit.i18n.formatting.format_period`).
    lang
        ``ja`` or ``en``.
    currency
        The workspace's currency (ISO 4217): revenue is in it.
    """
    labels = _labels(definitions, stage, lang=lang)
    parts, text, days = [], "", 0
    if len(sweep):
        sentences = whatif_sentences(
            sweep, definitions=definitions, stage=stage, period_name=period_name, lang=lang,
            currency=currency,
        )  # fmt: skip
        text = ("" if lang == "ja" else " ").join(sentences)
        parts.append(f'<p class="rk-lead">{escape(text)}</p>')
        table = sweep_table(
            sweep, definitions=definitions, stage=stage, lang=lang, currency=currency
        )
        parts.append(table.html)
        days = int(sweep["days_after"].iloc[0])
        at = "first_held" if labels["at"] == "first_held" else "other"
        parts.append(note_html(t(f"whatif.sweep_note.{at}", lang, period=period_name, **labels)))
        if not bool(sweep["mature"].iloc[0]):
            parts.append(note_html(t("whatif.immature", lang, **labels)))
    elif comparison is not None and len(comparison):
        days = int(comparison["days_after"].iloc[0])
    if comparison is not None and len(comparison):
        parts.append(subsection_heading(t("whatif.compare_title", lang, **labels)))
        table = compare_table(
            comparison, definitions=definitions, stage=stage, lang=lang, currency=currency
        )
        parts.append(table.html)
        parts.append(note_html(t("whatif.compare_note", lang, period=period_name, **labels)))
    key = "whatif.revenue_note" if definitions.kgi_is_revenue else "whatif.won_note"
    parts.append(note_html(t(key, lang, days=days, **labels)))
    return Html("".join(parts), text=text)


def absent_html(scope: WhatIfScope, *, definitions: Definitions, lang: str) -> Html:
    """Why the funnel has no threshold sweep, in one line (empty when it has one).

    ``events_only``: every stage is an event, and what would enable a what-if;
    ``score_history``: the store lacks the score history the stage's rule replays;
    ``no_threshold``: one line per rule stage without a sweep (:func:`skipped_html`).
    """
    if scope.reason == "events_only":
        labels = " → ".join(s.label(lang) for s in definitions.stages)
        text = t("whatif.events_only", lang, stages=labels)
        return Html(f'<p class="rk-missing">{escape(text)}</p>', text=text)
    if scope.reason == "score_history" and scope.stage is not None:
        stage = definitions.stage(scope.stage)
        rule = stage.rule if isinstance(stage, RuleStage) else ""
        return missing_html(
            "score_history_rule", lang=lang, stage=stage.label(lang), rule=rule,
            what=t("whatif.what", lang),
        )  # fmt: skip
    if scope.reason == "no_threshold":
        return skipped_html(definitions, lang=lang)
    return Html("")


def skipped_html(definitions: Definitions, *, lang: str) -> Html:
    """Why rule stages get no threshold sweep (empty when every rule stage has one)."""
    skipped = skipped_stages(definitions)
    items = [
        t(f"whatif.skipped.{why}", lang, stage=definitions.stage(key).label(lang),
          rule=definitions.stage(key).rule)  # type: ignore[union-attr]
        for key, why in skipped.items()
    ]  # fmt: skip
    return Html("".join(note_html(i) for i in items), text=" ".join(items))
