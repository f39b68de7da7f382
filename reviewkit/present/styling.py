"""The one way pack tables start: a pandas Styler that escapes every cell and header.

The Styler writes cell values and headers into its HTML as they are; a campaign called
``<script>...`` would run in the pack. Every table in a pack starts from :func:`escaped_styler`.

Two things keep a table readable whatever a company's data holds:

- a name longer than :data:`LONG_TEXT` characters (a 300-character campaign, a landing-page
  URL) is shortened with "…" and its full text shown on hover (the cell's ``title``);
- a table of more than :data:`FOLD_AFTER` rows shows its top :data:`TOP_ROWS` (and any total
  row) and folds the rest behind a "show all" switch (:func:`fold_rows`), without script.
"""

from __future__ import annotations

import hashlib
import re
from html import escape

import pandas as pd
from pandas.io.formats.style import Styler

from reviewkit.core.redaction import redact_text
from reviewkit.i18n.texts import t

LONG_TEXT = 64  # cells longer than this are shortened (full text on hover)
TOP_ROWS = 10  # a folded table shows this many rows first
FOLD_AFTER = 15  # ... when it has more rows than this
ELLIPSIS = "…"
_ROW = re.compile(r"<tr>(.*?)</tr>", re.S)
_TABLE_ID = re.compile(r'<table id="(T_[0-9a-f]+)"')


def short_text(value: str, *, limit: int = LONG_TEXT) -> str:
    """``value`` cut to ``limit`` characters with an ellipsis (unchanged when it fits).

    Contact data is redacted before the cut: a cut through an address (``john.doe@…``) would
    leave a fragment that the pack's redaction can no longer recognise.
    """
    if len(value) <= limit:
        return value
    value = redact_text(value)
    return value if len(value) <= limit else value[: limit - 1].rstrip() + ELLIPSIS


def _cell(value: object) -> str:
    """A text cell, escaped; a long one shortened with its full text as the hover title."""
    text = str(value)
    if len(text) <= LONG_TEXT:
        return escape(text, quote=False)
    return (
        f'<span class="rk-long" title="{escape(text, quote=True)}">'
        f"{escape(short_text(text), quote=False)}</span>"
    )


def escaped_styler(table: pd.DataFrame, *, css_class: str, shorten: bool = True) -> Styler:
    """A Styler for ``table`` without its index, whose cells and headers are HTML-escaped.

    Parameters
    ----------
    table
        The table, cells already formatted as text (other values are shown as pandas would).
    css_class
        The table's classes (``rk-table`` is added), e.g. ``rk-scorecard``.
    shorten
        Shorten text cells longer than :data:`LONG_TEXT` (full text on hover). Tables of
        sentences (evidence, proposals, actions) pass ``False``: their text wraps.

    Returns
    -------
    Styler
        Further styling (CSS classes per cell) may be added; formats must keep
        ``escape="html"``.
    """
    styler = (
        table.style.hide(axis="index")
        .format(escape="html")
        .format_index(escape="html", axis="columns")
        .format_index(escape="html", axis="index")
        .set_table_attributes(f'class="{escape(f"rk-table {css_class}".strip())}"')
    )
    if shorten:
        text = [c for c in table.columns if table[c].map(lambda v: isinstance(v, str)).all()]
        if text:
            styler = styler.format(_cell, subset=text)
    return styler


def fold_rows(html: str, *, lang: str, top: int = TOP_ROWS) -> str:
    """Fold the body rows of a rendered table after the first ``top`` (totals stay shown).

    The table is wrapped with a checkbox and its label ("show all N rows"); the folded rows
    carry ``rk-folded`` and CSS hides them until the box is ticked. Works offline, without
    script, and keeps one table (columns stay aligned).
    """
    head, sep, body = html.partition("<tbody>")
    if not sep:
        return html
    rows = _ROW.findall(body)
    movable = [i for i, r in enumerate(rows) if "rk-total" not in r]
    folded = set(movable[top:])
    if len(rows) <= FOLD_AFTER or not folded:
        return html
    index = iter(range(len(rows)))

    def mark(match: re.Match[str]) -> str:
        i = next(index)
        return '<tr class="rk-folded">' + match.group(1) + "</tr>" if i in folded else match[0]

    folded_body = _ROW.sub(mark, body)
    # the Styler's own table id (unique in the page) names the switch
    table_id = _TABLE_ID.search(head)
    uid = "rk-fold-" + (
        table_id.group(1) if table_id else hashlib.sha1(html.encode("utf-8")).hexdigest()[:10]
    )
    more = t("table.show_more", lang, n=f"{len(folded):,}")
    less = t("table.show_less", lang)
    return (
        f'<div class="rk-fold"><input type="checkbox" id="{uid}" class="rk-fold-toggle">'
        f"{head}<tbody>{folded_body}"
        f'<label for="{uid}" class="rk-fold-label"><span class="rk-fold-more">'
        f'{escape(more)}</span><span class="rk-fold-less">{escape(less)}</span></label></div>'
    )
