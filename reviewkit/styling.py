"""The one way pack tables start: a pandas Styler that escapes every cell and header.

The Styler writes cell values and headers into its HTML as they are; a campaign called
``<script>...`` would run in the pack. Every table in a pack starts from :func:`escaped_styler`.
"""

from __future__ import annotations

from html import escape

import pandas as pd
from pandas.io.formats.style import Styler


def escaped_styler(table: pd.DataFrame, *, css_class: str) -> Styler:
    """A Styler for ``table`` without its index, whose cells and headers are HTML-escaped.

    Parameters
    ----------
    table
        The table, cells already formatted as text (other values are shown as pandas would).
    css_class
        The table's classes (``rk-table`` is added), e.g. ``rk-scorecard``.

    Returns
    -------
    Styler
        Further styling (CSS classes per cell) may be added; formats must keep
        ``escape="html"``.
    """
    return (
        table.style.hide(axis="index")
        .format(escape="html")
        .format_index(escape="html", axis="columns")
        .format_index(escape="html", axis="index")
        .set_table_attributes(f'class="{escape(f"rk-table {css_class}".strip())}"')
    )
