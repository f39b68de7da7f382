"""The first screen of a pack: a few sentences that say where the period stands."""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import partial
from html import escape

from reviewkit.core.periods import Period
from reviewkit.i18n.formatting import format_pct, format_period, format_value
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import Definitions
from reviewkit.model.units import kgi_unit
from reviewkit.present.html import Html


def summary_html(sentences: list[str]) -> Html:
    """The sentences as the pack's summary box."""
    items = "".join(f"<li>{escape(s)}</li>" for s in sentences)
    return Html(f'<div class="rk-summary"><ul>{items}</ul></div>', text="\n".join(sentences))


def kgi_headline(
    figures: Mapping[str, Mapping[str, float]],
    *,
    kgi: str,
    target: float | None,
    cadence: str,
    period: Period,
    kgi_label: str,
    definitions: Definitions,
    lang: str,
    currency: str,
) -> str:
    """The summary's first sentence: the KGI against target, previous period, a year ago.

    Parameters
    ----------
    figures
        :func:`reviewkit.analysis.gap.kgi_figures` (``actual``, ``previous``, ``last_year``).
    kgi
        The KGI's metric key.
    target
        The KGI's target for the period; ``None``: none.
    cadence
        Its wording is the cadence's (``summary.<cadence>.gap`` / ``gap_no_target``).
    kgi_label
        The KGI's name.
    """
    actual = figures["actual"][kgi]
    fv = partial(format_value, kind=kgi_unit(definitions), lang=lang, currency=currency)

    def change(name: str) -> str:
        base = figures[name][kgi]
        return format_pct(actual / base - 1 if base else math.nan, lang=lang, signed=True)

    fields = {
        "period": format_period(period, lang=lang), "kgi": kgi_label, "actual": fv(actual),
        "previous": change("previous"), "last_year": change("last_year"),
    }  # fmt: skip
    if target is None:
        return t(f"summary.{cadence}.gap_no_target", lang, **fields)
    gap = actual - target
    shown = fv(gap)
    return t(
        f"summary.{cadence}.gap", lang,
        target=fv(target),
        pct=format_pct(actual / target if target else math.nan, lang=lang),
        gap=shown if gap < 0 else f"+{shown}", **fields,
    )  # fmt: skip
