"""A minimal HTML fragment that Jupyter displays and nbconvert keeps in the pack."""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from reviewkit.i18n.formatting import MINUS
from reviewkit.i18n.texts import t


@dataclass(frozen=True)
class Html:
    """HTML to display in a notebook; ``text`` is the plain-text fallback."""

    html: str
    text: str = ""

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.text or "<html fragment>"


def subsection_heading(text: str, *, anchor: str = "") -> str:
    """A section's sub-heading (``<h3 class="rk-subsection">``), the text escaped.

    Parameters
    ----------
    text
        The heading's words.
    anchor
        The heading's ``id`` (a link target such as ``proposals``); none when empty.
    """
    ident = f' id="{escape(anchor)}"' if anchor else ""
    return f'<h3 class="rk-subsection"{ident}>{escape(text)}</h3>'


def points_text(
    value: float, *, lang: str, fraction: bool = False, unsigned_zero: bool = False
) -> str:
    """A change in percentage points, signed: ``+1.2 pts`` / ``−0.4pt`` (``—`` when NaN).

    Parameters
    ----------
    value
        The change in points (``1.2``), or with ``fraction`` as a share (``0.012``).
    lang
        ``ja`` or ``en``.
    fraction
        ``value`` is a share of one, shown times 100.
    unsigned_zero
        A change that rounds to zero shows as ``0.0`` (never ``+0.0`` or ``−0.0``).
    """
    if math.isnan(value):
        return "—"
    shown = value * 100 if fraction else value
    if unsigned_zero and abs(shown) < 0.05:
        return t("rate.points", lang, value="0.0")
    return t("rate.points", lang, value=f"{shown:+.1f}".replace("-", MINUS))


def note_html(text: str) -> str:
    """A muted note under a table or chart (``<p class="rk-note">``), the text escaped."""
    return f'<p class="rk-note">{escape(text)}</p>'


def missing_html(kind: str, *, lang: str, **fields: object) -> Html:
    """One line saying what data a section lacks and which import brings it.

    Parameters
    ----------
    kind
        A key of :data:`reviewkit.i18n.texts_missing.MISSING_TEXTS` without ``missing.``
        (``campaign_costs``, ``touches``, ``teams``, ``amounts``, ...).
    lang
        ``ja`` or ``en``.
    **fields
        The text's fields, e.g. ``what``: the section's own words for what it would show.
    """
    text = t(f"missing.{kind}", lang, **fields)
    return Html(f'<p class="rk-missing">{escape(text)}</p>', text=text)
