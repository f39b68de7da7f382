"""A minimal HTML fragment that Jupyter displays and nbconvert keeps in the pack."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Html:
    """HTML to display in a notebook; ``text`` is the plain-text fallback."""

    html: str
    text: str = ""

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.text or "<html fragment>"
