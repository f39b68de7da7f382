"""The monthly summary's sentences: timing, the top cause of each family, families without data.

Presentation only, like :mod:`reviewkit.present.sections.monthly`: the figures come from
:mod:`reviewkit.analysis.timing` (is a rate's fall timing?), :mod:`reviewkit.analysis.causes` (the
findings) and the funnel's split dimensions (which families have data at all).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

import pandas as pd

from reviewkit.analysis.gap import cost_and_offsets, main_comparison
from reviewkit.core.periods import Period
from reviewkit.i18n.formatting import format_pct, format_period, format_value
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
from reviewkit.present.html import Html
from reviewkit.present.sections.monthly_words import change_text


def timing_words(
    timing: pd.DataFrame | None,
    comparison: str,
    driver: str,
    *,
    definitions: Definitions,
    period: Period,
    lang: str,
    detail: bool = False,
) -> str:
    """A driver's fall in a comparison as timing (with ``detail``: or as a fall that holds).

    Parameters
    ----------
    timing
        :func:`reviewkit.analysis.timing.gap_timing` (``None``: nothing was checked).
    comparison, driver
        The gap comparison and the KPI-tree driver.
    definitions
        For the driver's and its stages' names.
    period
        The period under review (named in the sentence with the period compared with).
    detail
        Also word a fall that holds at equal age, or that it is too early to tell (the gap
        section does; the summary says only what is timing).

    Returns
    -------
    str
        The sentence, with the period-basis rates and the equal-age rates of both periods;
        ``""`` when the driver was not checked, did not fall, or (without ``detail``) is no
        timing.
    """
    if timing is None or timing.empty:
        return ""
    rows = timing[(timing["comparison"] == comparison) & (timing["driver"] == driver)]
    if rows.empty:
        return ""
    r = rows.iloc[0]
    state = "sentence" if r["timing"] else "held" if r["held"] else "unclear"
    if not r["fell"] or (state != "sentence" and not detail):
        return ""
    metric = definitions.metric(driver)
    assert isinstance(metric, ConversionMetric)
    fields = {
        "driver": driver_label(definitions, driver, lang=lang),
        "source": metric_label(definitions, metric.from_, lang=lang),
        "target": metric_label(definitions, metric.to, lang=lang),
        "period": format_period(period, lang=lang),
        "reference": format_period(r["reference"], lang=lang),
        "before": format_pct(r["reference_value"], lang=lang),
        "now": format_pct(r["value"], lang=lang),
        "days": int(r["equal_days"]),
        "equal_before": format_pct(r["equal_reference"], lang=lang),
        "equal_now": format_pct(r["equal_value"], lang=lang),
    }
    return t(f"timing.{state}", lang, **fields)


FAMILIES = ("target", "content", "follow_up")
FAMILY_COLUMNS = {"content": ("content_asset", "campaign_id"), "follow_up": ("sales_team",)}


def family_columns(family: str, dimensions: Sequence[str]) -> tuple[str, ...]:
    """The segment columns a cause family's findings are split by, among ``dimensions``.

    Content by asset and campaign, follow-up by sales team, target by every other column
    (channel, industry, company size, ...), as :func:`reviewkit.analysis.causes.family_of` assigns
    them.
    """
    own = FAMILY_COLUMNS.get(family)
    if own is not None:
        return tuple(d for d in dimensions if d in own)
    others = {c for cs in FAMILY_COLUMNS.values() for c in cs}
    return tuple(d for d in dimensions if d not in others)


def families_without_data(
    dimensions: Sequence[str], split_dimensions: Sequence[str]
) -> dict[str, tuple[str, ...]]:
    """The cause families none of whose columns can split the funnel, with those columns.

    A column splits when two or more values are known among the funnel's people
    (:attr:`reviewkit.semantic.funnel.Funnel.split_dimensions`); a family without one has no data to
    find anything in, which the summary says instead of leaving the family out.
    """
    return {
        family: family_columns(family, dimensions)
        for family in FAMILIES
        if not family_columns(family, split_dimensions)
    }


def _cause_item(r: dict[str, object], *, definitions: Definitions, lang: str) -> str:
    before, _, now = change_text(r, lang=lang).partition(" → ")
    return t(
        "summary.monthly.cause_item", lang, family=t(f"family.{r['family']}", lang),
        segment=finding_label(r, lang=lang, definitions=definitions),
        driver=driver_label(definitions, str(r["driver"]), lang=lang),
        before=before, now=now,
    )  # fmt: skip


def summary_cause_items(
    findings: pd.DataFrame,
    *,
    definitions: Definitions,
    lang: str,
    no_data: Mapping[str, Sequence[str]] | None = None,
) -> list[tuple[str, str]]:
    """The top finding of each cause family, largest loss first: (family anchor, words).

    A family that has data but no material finding is listed after them as such; a family in
    ``no_data`` (:func:`families_without_data`) is left to :func:`summary_no_data`.
    """
    no_data = no_data or {}
    # costliest to the KGI first
    firsts = findings[findings["rank"] == 1].sort_values("yen") if len(findings) else findings
    items = [
        (f"cause_{r['family']}", _cause_item(r, definitions=definitions, lang=lang))
        for r in firsts.to_dict("records")
    ]
    found = set(firsts["family"]) if len(firsts) else set()
    for family in FAMILIES:
        if family not in found and family not in no_data:
            words = t("summary.monthly.no_finding", lang, family=t(f"family.{family}", lang))
            items.append((f"cause_{family}", words))
    return items


def summary_no_data(
    no_data: Mapping[str, Sequence[str]], *, lang: str, definitions: Definitions | None = None
) -> str:
    """One line naming the cause families not analysed for lack of data, and what is missing.

    ``""`` when every family had data; ``definitions`` name the dimensions they add.
    """
    if not no_data:
        return ""
    sep = "・" if lang == "ja" else " / "
    parts = []
    for family, columns in no_data.items():
        named = sep.join(dimension_label(c, lang=lang, definitions=definitions) for c in columns)
        key = "summary.monthly.no_data_item" if named else "summary.monthly.no_data_family"
        parts.append(t(key, lang, family=t(f"family.{family}", lang), columns=named))
    return t("summary.monthly.no_data", lang, items=t("summary.join", lang).join(parts))


def _driver_item(
    attribution: pd.DataFrame,
    timing: pd.DataFrame | None,
    *,
    definitions: Definitions,
    period: Period,
    lang: str,
    currency: str,
) -> str:
    """The driver that cost the KGI most, those that offset it, and whether it was timing."""
    comparison = main_comparison(attribution)
    worst, offsets = cost_and_offsets(attribution, comparison)
    if worst is None:
        return ""
    driver = driver_label(definitions, str(worst["driver"]), lang=lang)
    cost = format_value(worst["contribution"], kind=kgi_unit(definitions), lang=lang,
                        currency=currency)  # fmt: skip
    if len(offsets):
        names = driver_names(definitions, offsets["driver"], lang=lang)
        text = t("summary.monthly.driver", lang, driver=driver, cost=cost, offsets=names)
    else:
        text = t("summary.monthly.driver_alone", lang, driver=driver, cost=cost)
    timing_text = timing_words(
        timing, comparison, str(worst["driver"]), definitions=definitions, period=period,
        lang=lang,
    )  # fmt: skip
    if timing_text:
        text += (" " if lang == "en" else "") + timing_text
    return text


def monthly_summary_html(
    headline: str,
    attribution: pd.DataFrame,
    findings: pd.DataFrame,
    *,
    timing: pd.DataFrame | None,
    definitions: Definitions,
    dimensions: Sequence[str],
    split_dimensions: Sequence[str],
    checklist: Mapping[str, int],
    proposals: int,
    actions: str,
    period: Period,
    lang: str,
    currency: str,
) -> Html:
    """How far the KGI missed, the driver that cost most, and the top cause of each family.

    Parameters
    ----------
    headline
        The KGI against target, previous period and a year ago (the first sentence).
    attribution, findings, timing
        The gap split across the KPI tree, the ranked causes, and which falls are timing.
    dimensions, split_dimensions
        The funnel's columns and those it splits by (families without data are named).
    checklist
        :func:`reviewkit.analysis.checklist.checklist_counts`.
    proposals
        How many improvement proposals there are.
    actions
        What the measured actions did (``cycle.counts``); ``""``: none measured.
    """
    items, html_items = [headline], [escape(headline)]
    driver = _driver_item(attribution, timing, definitions=definitions, period=period,
                          lang=lang, currency=currency)  # fmt: skip
    if driver:
        items.append(driver)
        html_items.append(f'{escape(driver)} <a href="#gap">→</a>')
    no_data = families_without_data(dimensions, split_dimensions)
    causes = summary_cause_items(findings, definitions=definitions, lang=lang, no_data=no_data)
    if causes:
        links = [f'<a href="#{anchor}">{escape(text)}</a>' for anchor, text in causes]
        head, _, _ = t("summary.monthly.causes", lang, items="\x00").partition("\x00")
        items.append(t("summary.monthly.causes", lang,
                       items=t("summary.join", lang).join(c for _, c in causes)))  # fmt: skip
        html_items.append(escape(head) + t("summary.join", lang).join(links))
    missing = summary_no_data(no_data, lang=lang, definitions=definitions)
    if missing:
        items.append(missing)
        html_items.append(escape(missing))
    key = "summary.monthly.checklist_nodata" if checklist["nodata"] else "summary.monthly.checklist"
    html_items.append(f'{escape(t(key, lang, **checklist))} <a href="#checklist">→</a>')
    if proposals:
        html_items.append(
            f"{escape(t('summary.monthly.proposals', lang, n=proposals))} "
            '<a href="#proposals">→</a>'
        )
    if actions:
        html_items.append(
            f'{escape(t("summary.monthly.actions", lang, text=actions))} <a href="#effects">→</a>'
        )
    body = "".join(f"<li>{item}</li>" for item in html_items)
    return Html(f'<div class="rk-summary"><ul>{body}</ul></div>', text="\n".join(items))
