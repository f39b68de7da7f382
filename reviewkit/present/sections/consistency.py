"""Stage-date contradictions in words: one line per problem, for the terminal and the pack."""

from __future__ import annotations

import pandas as pd

from reviewkit.i18n.formatting import format_count
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import Definitions

__all__ = ["consistency_lines"]


def _label(definitions: Definitions | None, key: str, lang: str) -> str:
    if definitions is None or key not in definitions.stage_keys:
        return key
    return definitions.stage(key).label(lang)


def consistency_lines(
    problems: pd.DataFrame, *, definitions: Definitions | None, lang: str
) -> list[str]:
    """One sentence per row of :func:`reviewkit.ingest.consistency.consistency_problems`.

    Parameters
    ----------
    problems
        The problems found (no rows: no lines).
    definitions
        For the stages' labels (``None``: their keys).
    lang
        ``ja`` or ``en``.

    Returns
    -------
    list of str
        E.g. ``Won before the person's first contact (...): 2 people (e.g. L1, L7)``.
    """
    lines = []
    for row in problems.itertuples(index=False):
        earlier = t("consistency.or", lang).join(
            _label(definitions, key, lang) for key in row.earlier
        )
        text = t(
            f"consistency.{row.problem}",
            lang,
            stage=_label(definitions, row.stage, lang) if row.stage else "",
            earlier=earlier,
            count=format_count(row.count, lang=lang),
            people=t("consistency.person" if row.count == 1 else "consistency.people", lang),
        )
        if len(row.examples):
            text += t("consistency.examples", lang, ids=", ".join(map(str, row.examples)))
        lines.append(text)
    return lines
