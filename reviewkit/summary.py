"""The first screen of a pack: a few generated sentences that say where the period stands."""

from __future__ import annotations

import itertools
import math
from html import escape

import pandas as pd

from reviewkit.definitions import Definitions
from reviewkit.formatting import format_count, format_pct, format_value
from reviewkit.glossary import metric_label
from reviewkit.html import Html
from reviewkit.tables import status_of
from reviewkit.texts import t

SURGE = 1.2  # a stage this far over target while the next one misses: volume without quality


def summary_sentences(
    card: pd.DataFrame,
    rates: pd.DataFrame,
    *,
    definitions: Definitions,
    period_name: str,
    lang: str,
) -> list[str]:
    """Sentences for the summary, most important first.

    Parameters
    ----------
    card
        The scorecard (:func:`reviewkit.scorecard.scorecard`); its last row is the KGI.
    rates
        The rate card (:func:`reviewkit.scorecard.rate_card`).
    definitions
        For labels.
    period_name
        The period as readers name it (``2026年10月``).
    lang
        ``ja`` or ``en``.
    """
    sentences = []
    kgi = card.iloc[-1]
    label = metric_label(definitions, kgi["metric"], lang=lang)
    status = t(f"status.{status_of(kgi['achievement'])}", lang)
    if math.isnan(kgi["target"]):
        sentences.append(
            t("summary.kgi_no_target", lang, period=period_name, kgi=label,
              actual=format_value(kgi["actual"], kind=kgi["kind"], lang=lang),
              change=format_pct(kgi["change"], lang=lang, signed=True))
        )  # fmt: skip
    else:
        sentences.append(
            t("summary.kgi", lang, period=period_name, kgi=label,
              actual=format_value(kgi["actual"], kind=kgi["kind"], lang=lang),
              target=format_value(kgi["target"], kind=kgi["kind"], lang=lang),
              pct=format_pct(kgi["achievement"], lang=lang), status=status,
              change=format_pct(kgi["change"], lang=lang, signed=True))
        )  # fmt: skip
    stages = card.iloc[:-1]
    missed = stages[stages["achievement"] < 1].sort_values("achievement")
    if len(missed):
        parts = [
            t("summary.miss_item", lang, metric=metric_label(definitions, r.metric, lang=lang),
              pct=format_pct(r.achievement, lang=lang), actual=format_count(r.actual, lang=lang),
              target=format_count(r.target, lang=lang))
            for r in missed.itertuples()
        ]  # fmt: skip
        sentences.append(t("summary.missed", lang, items=t("summary.join", lang).join(parts)))
    elif stages["achievement"].notna().any():
        sentences.append(t("summary.all_met", lang))
    rows = list(stages.itertuples())
    for upper, lower in itertools.pairwise(rows):
        if upper.achievement >= SURGE and lower.achievement < 1:
            sentences.append(
                t("summary.surge", lang, upper=metric_label(definitions, upper.metric, lang=lang),
                  pct=format_pct(upper.achievement, lang=lang),
                  lower=metric_label(definitions, lower.metric, lang=lang))
            )  # fmt: skip
    falling = rates.dropna(subset=["change_points"]).sort_values("change_points")
    if len(falling) and falling.iloc[0]["change_points"] < 0:
        r = falling.iloc[0]
        key = "summary.rate_drop" if r["mature"] else "summary.rate_drop_maturing"
        sentences.append(
            t(key, lang, metric=metric_label(definitions, r["metric"], lang=lang),
              value=format_pct(r["value"], lang=lang), before=format_pct(r["previous"], lang=lang),
              points=f"{r['change_points']:+.1f}".replace("-", "\u2212"))
        )  # fmt: skip
    return sentences


def summary_html(sentences: list[str]) -> Html:
    """The sentences as the pack's summary box."""
    items = "".join(f"<li>{escape(s)}</li>" for s in sentences)
    return Html(f'<div class="rk-summary"><ul>{items}</ul></div>', text="\n".join(sentences))
