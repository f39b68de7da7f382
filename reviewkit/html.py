"""A minimal HTML fragment that Jupyter displays and nbconvert keeps in the pack."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape


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
