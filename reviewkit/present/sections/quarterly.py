"""The quarterly pack's sections: headings, notes and the first screen around their tables.

The quarterly review (:mod:`reviewkit.review.quarterly`) computes the frames once; these
functions put each section together: trends, rates over eight quarters, benchmarks,
relevance, what-if, the target proposal, the actions review and the summary.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import quote

from reviewkit.i18n.formatting import format_period
from reviewkit.i18n.texts import t
from reviewkit.present.charts.house import PackChart
from reviewkit.present.html import Html, note_html, subsection_heading

if TYPE_CHECKING:
    import pandas as pd


def titled(anchor: str, title: str, body: Html) -> Html:
    """A section's body under its subsection heading (the body's text kept)."""
    return Html(subsection_heading(title, anchor=anchor) + body.html, text=body.text)


def rates_over_quarters(
    chart: PackChart, *, shown: pd.DataFrame, most: int, year: int, lang: str
) -> Html:
    """The rates chart with a note that fewer quarters than ``most`` have data.

    Parameters
    ----------
    chart
        :func:`reviewkit.analysis.trends.rates_chart` of the quarters shown.
    shown
        Those quarters (:func:`reviewkit.analysis.trends.quarter_series` from the first with data).
    most
        The quarters the chart shows with enough history.
    year
        The quarters a comparison with a year earlier needs.
    """
    n = shown["label"].nunique()
    first = format_period(shown["period"].iloc[0], lang=lang)
    note = t("quarterly.rates.short", lang, n=n, first=first, most=most, year=year)
    return Html(chart._repr_html_() + note_html(note), text=note)


def missing_line(text: str) -> Html:
    """One ``rk-missing`` line (e.g. no rates at all, or why there is no plan)."""
    return Html(f'<p class="rk-missing">{escape(text)}</p>', text=text)


def plan_section(
    sentence: str,
    *,
    described: str | None,
    tables: Sequence[Html],
    draft: str,
    draft_name: str,
    written: bool | None,
    lang: str,
) -> Html:
    """Next quarter's targets: the plan's sentence, its tables and the draft targets file.

    Parameters
    ----------
    sentence
        The plan in one sentence (:func:`reviewkit.present.sections.target_plan.plan_sentence`).
    described
        Where the KGI target comes from; ``None``: not said.
    tables
        The rates and the plan against the current targets.
    draft
        The draft targets file (YAML); ``""``: none (a group of values has no targets).
    draft_name
        Its file name.
    written
        Whether the draft was written next to the pack (``None`` without a draft).
    """
    parts = [
        subsection_heading(t("plan.title", lang), anchor="plan"),
        f'<p class="rk-lead">{escape(sentence)}</p>',
    ]
    if described:
        parts.append(note_html(described))
    parts += [table.html for table in tables]
    if not draft:
        parts.append(note_html(t("quarterly.plan.group", lang)))
        return Html("".join(parts), text=sentence)
    variant = t("plan.variant.expected", lang)
    href = "data:text/yaml;charset=utf-8," + quote(draft)
    label = escape(t("quarterly.plan.download", lang, variant=variant))
    parts.append(
        f'<p class="rk-download"><a href="{escape(href)}" '
        f'download="{escape(draft_name)}">{label}</a></p>'
    )
    key = "quarterly.plan.written" if written else "quarterly.plan.not_written"
    parts.append(note_html(t(key, lang, file=draft_name)))
    return Html("".join(parts), text=sentence)


def no_plan(reason: str, *, lang: str) -> Html:
    """The plan section when there is no plan: its heading and why."""
    return Html(
        subsection_heading(t("plan.title", lang), anchor="plan") + missing_line(reason).html,
        text=reason,
    )


def actions_review_section(
    counts: str, *, families: Html | None, table: Html | None, lang: str
) -> Html:
    """What the quarter's improvement actions achieved, by cause family.

    Parameters
    ----------
    counts
        The verdicts counted (``cycle.counts``); ignored without actions.
    families, table
        The outcomes by cause family and the effects table; ``None``: no actions this quarter.
    """
    title = subsection_heading(t("quarterly.actions_review.title", lang), anchor="actions_review")
    if families is None or table is None:
        note = t("quarterly.actions_review.none", lang)
        return Html(title + note_html(note), text=note)
    lead = f'<p class="rk-lead">{escape(counts)}</p>'
    return Html(title + lead + families.html + table.html, text=counts)


def quarterly_summary_html(
    headline: str,
    *,
    relevance: Sequence[str],
    what_if: Sequence[str] | None,
    plan: str,
    actions: str,
    lang: str,
) -> Html:
    """The first screen: the KGI, which KPIs still predict it, the rule's trade, the targets.

    Parameters
    ----------
    headline
        The KGI against target, the previous quarter and a year earlier.
    relevance
        The relevance sentences (one item each).
    what_if
        The what-if's sentences (the first two make one item); ``None``: no sweep.
    plan
        The plan's sentence, or why there is none.
    actions
        The quarter's actions counted.
    """
    items = [f'{escape(headline)} <a href="#trends">→</a>']
    items += [f'{escape(sentence)} <a href="#relevance">→</a>' for sentence in relevance]
    if what_if is not None:
        text = t("summary.join_sentences", lang).join(what_if[:2])
        items.append(f'{escape(text)} <a href="#what_if">→</a>')
    items.append(f'{escape(plan)} <a href="#plan">→</a>')
    items.append(
        f"{escape(t('summary.quarterly.actions', lang, text=actions))} "
        '<a href="#actions_review">→</a>'
    )
    body = "".join(f"<li>{item}</li>" for item in items)
    return Html(f'<div class="rk-summary"><ul>{body}</ul></div>', text=headline)
