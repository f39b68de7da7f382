"""The monthly gap section: how far the KGI missed and which KPI-tree driver cost it.

The attribution comes from :mod:`reviewkit.analysis.gap`; the sentence, table and waterfall are
:mod:`reviewkit.present.sections.monthly`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import pandas as pd

from reviewkit.core.periods import Period
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import Definitions
from reviewkit.present.glossary import metric_label
from reviewkit.present.html import Html, missing_html, note_html, subsection_heading
from reviewkit.present.sections.monthly import gap_sentence, gap_table


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
