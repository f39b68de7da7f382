"""The first screen of a pack: a few sentences that say where the period stands."""

from __future__ import annotations

from html import escape

from reviewkit.present.html import Html


def summary_html(sentences: list[str]) -> Html:
    """The sentences as the pack's summary box."""
    items = "".join(f"<li>{escape(s)}</li>" for s in sentences)
    return Html(f'<div class="rk-summary"><ul>{items}</ul></div>', text="\n".join(sentences))
