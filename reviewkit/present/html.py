"""A minimal HTML fragment that Jupyter displays and nbconvert keeps in the pack."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

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


def h3(text: str, *, anchor: str = "") -> str:
    """A subsection heading (``<h3 class="rk-subsection">``), with its anchor when given."""
    ident = f' id="{escape(anchor)}"' if anchor else ""
    return f'<h3 class="rk-subsection"{ident}>{escape(text)}</h3>'
