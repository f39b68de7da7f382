"""The top of every pack: the header, the agenda and the section headings.

The review (:mod:`reviewkit.review.base`) gathers what the store and the definitions say; these
functions word it and build the HTML.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING

from reviewkit.core.periods import Period
from reviewkit.errors import ParameterError
from reviewkit.i18n.formatting import format_count, format_date, format_datetime, format_period
from reviewkit.i18n.texts import TEXTS, t
from reviewkit.present.agenda import APPENDIX, agenda, total_minutes
from reviewkit.present.html import Html

if TYPE_CHECKING:
    from reviewkit.core.currency import ForeignAmounts
    from reviewkit.model.definitions import Definitions
    from reviewkit.model.scope import Scope


def section_title(cadence: str, key: str, *, lang: str) -> str:
    """A section's title in the pack language (cadence-specific where it differs)."""
    specific = f"section.{cadence}.{key}"
    return t(specific if specific in TEXTS else f"section.{key}", lang)


def is_standard_section(cadence: str, key: str) -> bool:
    """Whether ``key`` is a section the texts name (for every cadence or for this one)."""
    return f"section.{key}" in TEXTS or f"section.{cadence}.{key}" in TEXTS


def own_title(key: str, title: Mapping[str, str], *, lang: str) -> str:
    """The title of an analyst's own section, checked: both languages, a snake_case key."""
    if not key.replace("_", "").isalnum() or not key[:1].isalpha() or key != key.lower():
        raise ParameterError(
            f"heading: {key!r} is not a section key; use snake_case letters, digits and _ "
            "(e.g. account_tiers)"
        )
    missing = [x for x in ("ja", "en") if not str(title.get(x, "")).strip()]
    if missing:
        raise ParameterError(
            f"heading {key!r}: title lacks {' and '.join(missing)}; give both, e.g. "
            'title={"ja": "顧客ティア別", "en": "By account tier"}'
        )
    return str(title[lang])


def heading_html(key: str, label: str, *, box: str, first: bool) -> Html:
    """A section heading (``<h2>``): its label (agenda number and title) and time box.

    Parameters
    ----------
    key
        The section's anchor.
    label
        What the heading says.
    box
        The time box (``"10 min"``); ``""``: none.
    first
        The pack's first heading (no page break before it).
    """
    first_class = " rk-first" if first else ""
    minutes = f' <span class="rk-timebox">{escape(box)}</span>' if box else ""
    return Html(
        f'<h2 id="{escape(key)}" class="rk-section{first_class}">{escape(label)}{minutes}</h2>',
        text=label,
    )


def agenda_html(cadence: str, *, lang: str) -> Html:
    """The agenda with time boxes, as the pack's table of contents."""
    items = []
    for number, item in enumerate(agenda(cadence), start=1):
        minutes = t("agenda.minutes", lang, minutes=item.minutes)
        items.append(
            f'<li><a href="#{item.key}">{number}. '
            f"{escape(section_title(cadence, item.key, lang=lang))}"
            f'</a> <span class="rk-timebox">{escape(minutes)}</span></li>'
        )
    for key in APPENDIX:
        items.append(f'<li class="rk-appendix"><a href="#{key}">'
                     f"{escape(section_title(cadence, key, lang=lang))}</a></li>")  # fmt: skip
    title = t("agenda.title", lang, minutes=total_minutes(cadence))
    return Html(
        f'<nav class="rk-toc" aria-label="{escape(title)}"><p class="rk-toc-title">'
        f"{escape(title)}</p><ol>{''.join(items)}</ol></nav>",
        text=title,
    )


def foreign_currency_notes(
    found: Sequence[ForeignAmounts], *, currency: str, lang: str
) -> list[str]:
    """One line when the store holds amounts in another currency than the workspace's."""
    if not found:
        return []
    counts = t("summary.join", lang).join(
        t(f"header.foreign_currency.{f.table}", lang, n=format_count(f.rows, lang=lang),
          currency=f.currency)
        for f in found
    )  # fmt: skip
    return [t("header.foreign_currency", lang, currency=currency, counts=counts)]


def header_notes(
    stale_sources: Sequence[tuple[str, dt.date | None]],
    *,
    foreign: Sequence[str],
    newest: dt.datetime | None,
    lang: str,
) -> list[str]:
    """The header's warnings: stale sources, foreign currencies, data after the review."""
    notes = [
        t("header.stale_source", lang, source=source,
          day=format_date(day, lang=lang) if day else "—")
        for source, day in stale_sources
    ]  # fmt: skip
    notes += foreign
    if newest is not None:  # the store runs past the review: say so, once
        notes.append(t("header.newer_data", lang, date=format_datetime(newest, lang=lang)))
    return notes


def header_html(
    cadence: str,
    *,
    company: str,
    title: str,
    period: Period,
    as_of: dt.date,
    freshness: dt.datetime | None,
    definitions: Definitions,
    scope: Scope | None,
    notes: Sequence[str],
    lang: str,
) -> Html:
    """The pack header: company, review, period, as-of date, data freshness, definitions.

    Parameters
    ----------
    cadence
        The review's cadence (its purpose line and ``data-cadence``).
    company, title
        The company's name and the review's title in the pack language.
    period, as_of
        The period reviewed and the review date.
    freshness
        The newest record before the review's cut-off; ``None``: no data.
    definitions
        Their version is named.
    scope
        A segment pack's scope; ``None``: the whole company.
    notes
        Warnings (:func:`header_notes`).
    lang
        ``ja`` or ``en``.
    """
    fresh = (
        t("header.no_data", lang) if freshness is None else format_datetime(freshness, lang=lang)
    )
    stale = freshness is None or freshness.date() < period.last_day
    per_source = "".join(f'<p class="rk-warning">{escape(n)}</p>' for n in notes)
    facts = [
        (t("header.period", lang), f"{format_period(period, lang=lang)}"),
        (t("header.as_of", lang), format_date(as_of, lang=lang)),
        (t("header.freshness", lang), fresh),
        (t("header.definitions", lang), f"v{definitions.version} ({definitions.version_hash[:8]})"),
    ]
    items = "".join(f"<div><dt>{escape(k)}</dt><dd>{escape(v)}</dd></div>" for k, v in facts)
    warning = f'<p class="rk-warning">{escape(t("header.stale", lang))}</p>' if stale else ""
    warning += per_source
    scope_label = "" if scope is None else scope.label(lang, definitions=definitions)
    heading = " — ".join(x for x in (title, scope_label, format_period(period, lang=lang)) if x)
    segment = "" if scope is None else f' data-segment="{escape(scope.text)}"'
    html = (
        f'<header class="rk-header" data-cadence="{cadence}" '
        f'data-period="{period.label}" data-lang="{lang}"{segment}>'
        f'<p class="rk-company">{escape(company)}</p>'
        f"<h1>{escape(heading)}</h1>"
        f'<p class="rk-purpose">{escape(t(f"purpose.{cadence}", lang))}</p>'
        f'<dl class="rk-facts">{items}</dl>{warning}</header>'
    )
    shown = " ".join(x for x in (title, scope_label, period.label) if x)
    return Html(html, text=f"{company}: {shown}")
