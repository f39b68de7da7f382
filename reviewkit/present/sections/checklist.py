"""The monthly checklist section: the article's ten questions under their heading.

The questions are assessed by :mod:`reviewkit.analysis.checklist`, which also lays out the table.
"""

from __future__ import annotations

import pandas as pd

from reviewkit.analysis.checklist import checklist_table_html
from reviewkit.i18n.texts import t
from reviewkit.present.html import Html, h3


def checklist_section(frame: pd.DataFrame, *, lang: str) -> Html:
    """The ten questions, each with a status and its evidence (or 'discuss').

    Parameters
    ----------
    frame
        :func:`reviewkit.analysis.checklist.assess`.
    """
    table = checklist_table_html(frame, lang=lang)
    return Html(h3(t("checklist.title", lang), anchor="checklist") + table.html,
                text=t("checklist.title", lang))  # fmt: skip
