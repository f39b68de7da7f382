"""The glossary every pack ends with: each metric in plain words, in the pack's language."""

from __future__ import annotations

from html import escape

import pandas as pd

from reviewkit.i18n.formatting import format_date
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import (
    AverageDealSizeMetric,
    ConversionMetric,
    CostPerMetric,
    CountMetric,
    Definitions,
    EventStage,
    PipelineCoverageMetric,
    RevenueMetric,
    RuleStage,
    SalesCycleMetric,
    SlaMetric,
    SpeedToLeadMetric,
    WinRateMetric,
)
from reviewkit.model.labels import duration_words, metric_label
from reviewkit.present.html import Html
from reviewkit.present.styling import escaped_styler


def stage_rule_words(definitions: Definitions, key: str, *, lang: str) -> str:
    """How a stage is entered, in words."""
    stage = definitions.stage(key)
    if isinstance(stage, EventStage):
        return t("glossary.stage_event", lang, event=stage.event)
    assert isinstance(stage, RuleStage)
    if stage.at == "first_held":
        at = t("glossary.at_first_held", lang)
    elif stage.at == "created_at":
        at = t("glossary.at_created", lang)
    else:
        other = definitions.stage(stage.after_stage or "").label(lang)
        at = t("glossary.at_stage", lang, stage=other)
    return t("glossary.stage_rule", lang, rule=stage.rule, at=at)


def describe(definitions: Definitions, key: str, *, lang: str) -> str:
    """One metric's definition in plain words: numerator, denominator, basis and window."""
    m = definitions.metric(key)

    def stage(k: str) -> str:
        return definitions.stage(k).label(lang)

    if isinstance(m, CountMetric):
        return (
            t("glossary.count", lang, stage=stage(m.stage))
            + " "
            + stage_rule_words(definitions, m.stage, lang=lang)
        )
    if isinstance(m, ConversionMetric):
        if m.basis == "cohort":
            return t(
                "glossary.cohort", lang, a=stage(m.from_), b=stage(m.to),
                window=duration_words(m.window, lang=lang),
            )  # fmt: skip
        return t("glossary.period", lang, a=stage(m.from_), b=stage(m.to))
    if isinstance(m, RevenueMetric):
        return definitions.kgi.description(lang)
    if isinstance(m, WinRateMetric):
        return t(f"glossary.win_rate_{m.by}", lang)
    if isinstance(m, AverageDealSizeMetric):
        return t("glossary.average_deal_size", lang)
    if isinstance(m, SalesCycleMetric):
        return t("glossary.sales_cycle", lang)
    if isinstance(m, PipelineCoverageMetric):
        return t("glossary.pipeline_coverage", lang)
    if isinstance(m, SpeedToLeadMetric):
        return t("glossary.speed_to_lead", lang, stage=stage(m.from_))
    if isinstance(m, SlaMetric):
        return t(
            "glossary.sla", lang, stage=stage(m.from_), within=duration_words(m.within, lang=lang)
        )
    if isinstance(m, CostPerMetric):
        return t("glossary.cost_per", lang, stage=stage(m.stage))
    return key


def glossary_frame(definitions: Definitions, *, lang: str) -> pd.DataFrame:
    """Every metric with its label, owner (for stages and the KGI) and plain definition."""
    owners = {s.key: s.owner for s in definitions.stages}
    owners[definitions.kgi.key] = definitions.kgi.owner
    rows = []
    for key in definitions.metric_map:
        owner = owners.get(key)
        rows.append(
            {
                "metric": key,
                t("col.metric", lang): metric_label(definitions, key, lang=lang),
                t("col.owner", lang): t(f"owner.{owner}", lang) if owner else "",
                t("col.definition", lang): describe(definitions, key, lang=lang),
            }
        )
    return pd.DataFrame(rows)


def glossary_table(definitions: Definitions, *, lang: str) -> Html:
    """The glossary as HTML, headed by the agreement: who agreed, when, version and hash."""
    frame = glossary_frame(definitions, lang=lang).drop(columns="metric")
    agreement = t(
        "definitions.agreement",
        lang,
        version=definitions.version,
        agreed_on=format_date(definitions.agreed_on, lang=lang),
        agreed_by=", ".join(t(f"owner.{d}", lang) for d in definitions.agreed_by),
        hash=definitions.version_hash,
    )
    tree = " × ".join(metric_label(definitions, k, lang=lang) for k in definitions.tree)
    kgi = definitions.kgi.label(lang)
    styler = escaped_styler(frame, css_class="rk-glossary", shorten=False)
    html = (
        f'<p class="rk-note">{escape(agreement)}</p>'
        f'<p class="rk-note">{escape(t("glossary.tree", lang, kgi=kgi, tree=tree))}</p>'
        f"{styler.to_html()}{segments_html(definitions, lang=lang)}"
    )
    return Html(html, text=agreement)


def segments_frame(definitions: Definitions, *, lang: str) -> pd.DataFrame:
    """The dimensions ``segments:`` adds: one row per value, its rule, and what is left over."""
    rows = []
    for segment in definitions.segments:
        label = segment.label(lang)
        for value in segment.values:
            rows.append({"dimension": label, "value": value.value, "rule": value.rule})
        rows.append(
            {
                "dimension": label,
                "value": t("segment.unknown", lang)
                if segment.otherwise is None
                else segment.otherwise,
                "rule": t("glossary.segment_otherwise", lang),
            }
        )
    return pd.DataFrame(rows, columns=["dimension", "value", "rule"])


def segments_html(definitions: Definitions, *, lang: str) -> str:
    """The added dimensions as a table plus the SQL each compiles to; ``""`` when none."""
    if not definitions.segments:
        return ""
    frame = segments_frame(definitions, lang=lang).rename(
        columns={
            "dimension": t("glossary.segment_dimension", lang),
            "value": t("glossary.segment_value", lang),
            "rule": t("glossary.segment_rule", lang),
        }
    )
    sql = "".join(
        f"<li>{escape(s.label(lang))} ({escape(s.key)}): <code>{escape(s.sql('leads'))}</code>"
        f"<br>{escape(s.description(lang))}</li>"
        for s in definitions.segments
    )
    title = escape(t("glossary.segments_title", lang))
    return (
        f'<h3 class="rk-subsection" id="segment_dimensions">{title}</h3>'
        f'<p class="rk-note">{escape(t("glossary.segments_note", lang))}</p>'
        f"{escaped_styler(frame, css_class='rk-glossary', shorten=False).to_html()}"
        f'<ul class="rk-note rk-sql">{sql}</ul>'
    )
