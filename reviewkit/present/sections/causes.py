"""The monthly pack's "where it came from" and cause-family sections, for any company's data.

Presentation only (figures from :mod:`reviewkit.analysis.causes`, :mod:`reviewkit.analysis.content`,
:mod:`reviewkit.analysis.followup_month`): what each section shows depends on what the store
holds, and what it lacks is said in one line with the import that brings it
(:func:`reviewkit.present.html.missing_html`) instead of a table of zeros or of "(unknown)":

- a segment column with no value, or one value for everyone, is left out of every split,
  drill-down and finding; the where-section says once which and why;
- no content asset or campaign: the content family says so; no campaign costs: the content
  tables have no spend columns, and one line says why;
- no sales team: no follow-up family by team; no touches: no first-touch table; no
  opportunities: no stalled deals; deals without amounts: stalled deals counted, not valued.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

import pandas as pd

from reviewkit.analysis.causes import CauseSettings, material_drivers
from reviewkit.analysis.gap import main_comparison, reference_of
from reviewkit.analysis.splits import PeriodPeople
from reviewkit.core.periods import Period
from reviewkit.i18n.formatting import format_pct
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import ConversionMetric, Definitions
from reviewkit.model.labels import dimension_label, metric_label
from reviewkit.present.html import Html, missing_html, note_html
from reviewkit.present.sections.monthly import (
    basis_note,
    content_table,
    drilldown_html,
    findings_table,
    heatmap,
)
from reviewkit.semantic.funnel import Funnel
from reviewkit.store.availability import Availability

CONTENT_COLUMNS = ("content_asset", "campaign_id")


@dataclass(frozen=True)
class CauseInputs:
    """What the cause sections are drawn from (one review's).

    Attributes
    ----------
    people
        The period's and the baseline's entries and deals.
    attribution
        The KGI's gap by driver (:func:`reviewkit.analysis.gap.gap_attribution`).
    findings
        The ranked findings (:func:`reviewkit.analysis.causes.cause_findings`).
    definitions
        The funnel.
    dimensions
        The segment columns worth splitting by (two or more known values).
    value_counts
        Known values per segment column (to say why a column is left out).
    available
        What optional data the store holds.
    period, baseline
        The two periods' names in the pack's language.
    lang, currency
        The pack's language and currency.
    """

    people: PeriodPeople
    attribution: pd.DataFrame
    findings: pd.DataFrame
    definitions: Definitions
    dimensions: tuple[str, ...]
    value_counts: Mapping[str, int]
    available: Availability
    period: str
    baseline: str
    lang: str
    currency: str


def left_out_line(
    value_counts: Mapping[str, int], *, lang: str, definitions: Definitions | None = None
) -> str:
    """One sentence naming the segment columns left out of every split, and why ("" if none).

    ``definitions`` name the dimensions they add (:func:`dimension_label`).
    """
    items = []
    for column, count in value_counts.items():
        if count >= 2:
            continue
        name = dimension_label(column, lang=lang, definitions=definitions)
        key = "where.left_out.empty" if count == 0 else "where.left_out.single"
        items.append(t(key, lang, column=name))
    if not items:
        return ""
    return t("where.left_out", lang, columns=t("summary.join", lang).join(items))


def where_drivers(inputs: CauseInputs, settings: CauseSettings | None = None) -> list[str]:
    """The stage rates the where-section opens.

    Those that cost a material part of the KGI, largest cost first, then any other rate a
    finding was made in (in tree order).
    """
    att = inputs.attribution
    rates = [
        d for d in inputs.definitions.tree
        if isinstance(inputs.definitions.metric(d), ConversionMetric)
    ]  # fmt: skip
    if att.empty:
        return []
    comparison = main_comparison(att)
    rows = att[att["comparison"] == comparison]
    material = material_drivers(rows, reference=reference_of(att, comparison), settings=settings)
    found = set(inputs.findings["driver"]) if len(inputs.findings) else set()
    return [d for d in material if d in rates] + [
        d for d in rates if d in found and d not in material
    ]


def where_html(inputs: CauseInputs) -> Html:
    """Which segments the drivers' change came from: bases, heat map, drill-downs."""
    lang = inputs.lang
    title = t("where.title", lang)
    parts = [f'<h3 class="rk-subsection" id="where">{escape(title)}</h3>']
    left_out = left_out_line(inputs.value_counts, lang=lang, definitions=inputs.definitions)
    if left_out:
        parts.append(note_html(left_out))
    if not inputs.dimensions:
        parts.append(f'<p class="rk-missing">{escape(t("where.no_columns", lang))}</p>')
        return Html("".join(parts), text=title)
    drivers = where_drivers(inputs)
    if not drivers:
        pct = format_pct(CauseSettings().materiality, lang=lang)
        parts.append(note_html(t("where.none", lang, pct=pct)))
        return Html("".join(parts), text=title)
    names = {"period": inputs.period, "baseline": inputs.baseline}
    for driver in drivers:
        note = basis_note(inputs.people, driver, definitions=inputs.definitions, lang=lang,
                          **names)  # fmt: skip
        parts.append(note_html(note))
    chart = heatmap(inputs.people, definitions=inputs.definitions, driver=drivers[0],
                    dimensions=inputs.dimensions, lang=lang, **names)  # fmt: skip
    parts.append(chart._repr_html_())
    for driver in drivers:
        parts.append(
            drilldown_html(inputs.people, driver, definitions=inputs.definitions,
                           dimensions=inputs.dimensions, lang=lang).html
        )  # fmt: skip
    return Html("".join(parts), text=title)


def _content_html(inputs: CauseInputs, funnel: Funnel) -> list[str]:
    """The content family's own evidence: assets and campaigns ranked (spend if any)."""
    from reviewkit.analysis.content import content_ranking, reach_stage

    lang, definitions = inputs.lang, inputs.definitions
    searched = [c for c in CONTENT_COLUMNS if c in inputs.dimensions]
    costs = inputs.available.has("campaign_costs")
    reach = reach_stage(definitions.stage_keys)
    target = metric_label(definitions, reach, lang=lang)
    source = metric_label(definitions, definitions.stage_keys[0], lang=lang)
    parts = []
    for by in searched:
        frame, days = content_ranking(inputs.people, funnel, by=by, reach=reach, costs=costs)
        if frame.empty:
            continue
        parts.append(
            f'<h4 class="rk-minor">{escape(t("content.title", lang, target=target))}'
            f" — {escape(dimension_label(by, lang=lang, definitions=definitions))}</h4>"
        )
        parts.append(
            content_table(frame, by=by, days=days, target=target, period=inputs.period,
                          lang=lang, currency=inputs.currency, source=source,
                          costs=costs, definitions=definitions).html
        )  # fmt: skip
    if parts and not costs:
        what = t("content.what_spend", lang)
        parts.append(missing_html("campaign_costs", lang=lang, what=what).html)
    return parts


def _follow_up_html(inputs: CauseInputs, funnel: Funnel, teams: pd.DataFrame,
                    period: Period | None, baseline: Period | None) -> list[str]:  # fmt: skip
    """The follow-up family's own evidence: first touch by team, stalled opportunities."""
    from reviewkit.analysis.followup_month import stalled_opportunities
    from reviewkit.present.sections.followup_month import stalled_html, team_follow_up_html

    lang, definitions, available = inputs.lang, inputs.definitions, inputs.available
    parts = [f'<h4 class="rk-minor">{escape(t("followup.section.teams", lang))}</h4>']
    if not available.has("touches"):
        parts.append(missing_html("touches", lang=lang, what=t("followup.what.teams", lang)).html)
    elif not available.has("teams"):
        parts.append(missing_html("teams", lang=lang, what=t("followup.what.teams", lang)).html)
    else:
        sla = definitions.sla_metric
        stage = metric_label(definitions, sla.from_, lang=lang) if sla else ""
        parts.append(
            team_follow_up_html(teams, lang=lang, within=sla.within if sla else None,
                                stage=stage or "MQL", period=period, baseline=baseline).html
        )  # fmt: skip
    parts.append(f'<h4 class="rk-minor">{escape(t("followup.section.stalled", lang))}</h4>')
    if not available.has("opportunities"):
        what = t("followup.what.stalled", lang)
        parts.append(missing_html("opportunities", lang=lang, what=what).html)
        return parts
    stalled, days = stalled_opportunities(funnel)
    parts.append(
        stalled_html(stalled, threshold_days=days, lang=lang, currency=inputs.currency,
                     threshold_is_default=True, amounts=available.has("amounts")).html
    )  # fmt: skip
    return parts


def cause_html(
    family: str, inputs: CauseInputs, *, funnel: Funnel, teams: pd.DataFrame,
    period: Period | None, baseline: Period | None,
) -> Html:  # fmt: skip
    """One cause family's section: its findings, then its own evidence (see the module doc)."""
    lang = inputs.lang
    title = t(f"cause.{family}", lang)
    parts = [f'<h3 class="rk-subsection" id="cause_{family}">{escape(title)}</h3>']
    searched = families_searched(inputs.dimensions)
    if family == "content" and not searched["content"]:
        parts.append(missing_html("content", lang=lang, what=t("content.what", lang)).html)
        return Html("".join(parts), text=title)
    if family == "target" and not searched["target"]:
        parts.append(f'<p class="rk-missing">{escape(t("where.no_columns", lang))}</p>')
    elif family == "follow_up" and not searched["follow_up"]:
        kind = "teams" if not inputs.available.has("teams") else "one_team"
        what = t("followup.what.family", lang)
        parts.append(missing_html(kind, lang=lang, what=what).html)
    else:
        parts.append(
            findings_table(inputs.findings, family, definitions=inputs.definitions, lang=lang,
                           currency=inputs.currency).html
        )  # fmt: skip
    if family == "content":
        parts += _content_html(inputs, funnel)
    if family == "follow_up":
        parts += _follow_up_html(inputs, funnel, teams, period, baseline)
    return Html("".join(parts), text=title)


def families_searched(dimensions: Sequence[str]) -> dict[str, bool]:
    """Whether each cause family could be searched with these segment columns."""
    return {
        "target": bool(set(dimensions) - {*CONTENT_COLUMNS, "sales_team"}),
        "content": bool(set(dimensions) & set(CONTENT_COLUMNS)),
        "follow_up": "sales_team" in dimensions,
    }
