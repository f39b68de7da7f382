"""The monthly review's words for segment keys and a finding's change.

Shared by the monthly sections (:mod:`reviewkit.present.sections.monthly`), their summary
(:mod:`reviewkit.present.sections.monthly_summary`) and the other sections that name a segment
or a change; it imports neither of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from reviewkit.analysis.splits import MISSING, SEPARATOR
from reviewkit.i18n.formatting import format_count, format_pct
from reviewkit.i18n.texts import t
from reviewkit.model.labels import segment_label

if TYPE_CHECKING:
    from reviewkit.model.definitions import Definitions


def key_label(
    dims: Sequence[str], key: str, *, lang: str, definitions: Definitions | None = None
) -> str:
    """:func:`segment_label` of a segment key (``definitions`` name the dimensions they add)."""
    values = [None if v == MISSING else v for v in key.split(SEPARATOR)]
    return segment_label(dims, values, lang=lang, definitions=definitions)


def change_text(row: Mapping[str, Any], *, lang: str) -> str:
    """A finding's change: its rate before → now ("new" without a baseline), or its count."""
    if row.get("kind") == "volume":
        size_before, size = float(row["size_before"]), float(row["size"])
        return f"{format_count(size_before, lang=lang)} → {format_count(size, lang=lang)}"
    new = not row["size_before"]
    before = t("cause.new_segment", lang) if new else format_pct(row["rate_before"], lang=lang)
    return f"{before} → {format_pct(row['rate'], lang=lang)}"
