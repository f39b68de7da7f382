"""The actions register in a pack: open actions and owners, last review's decisions, outcomes.

Every pack lists the open actions (overdue ones marked in words, not only colour) and those
decided in the previous review of the same cadence; the monthly pack adds each action's measured
effect (:mod:`reviewkit.analysis.effects`); the quarterly pack sums up the quarter's actions by
cause family.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from html import escape

import pandas as pd

from reviewkit.i18n.formatting import format_date
from reviewkit.i18n.texts import t
from reviewkit.model.actions import Action, Actions, owner_label
from reviewkit.model.definitions import Definitions
from reviewkit.model.labels import metric_label, segment_words
from reviewkit.present.html import Html, note_html
from reviewkit.present.tables import styled_table

VERDICTS = ("improved", "no_clear_change", "worse", "too_early", "unsupported")
# Closed actions stay in the monthly effect table this long after they closed.
SHOWN_AFTER_CLOSING = dt.timedelta(days=183)


def target_label(action: Action, *, definitions: Definitions, lang: str) -> str:
    """``MQL to SQL rate — channel: referral`` (the KPI, and the segment or the whole funnel)."""
    kpi = metric_label(definitions, action.kpi, lang=lang)
    return f"{kpi} — {segment_words(action.segment, lang=lang, definitions=definitions)}"


def measured(actions: Actions, *, through: dt.date) -> list[Action]:
    """The actions whose effect a review on the day after ``through`` measures.

    Those started by ``through`` that are open, or were closed less than half a year before.
    """
    return [
        a
        for a in actions
        if a.start <= through
        and (a.is_open or (a.closed_on is not None and through - a.closed_on < SHOWN_AFTER_CLOSING))
    ]


def _table(
    actions: Sequence[Action], *, on: dt.date, definitions: Definitions, lang: str, css: str
) -> str:
    shown, classes = [], []
    for a in actions:
        if a.is_overdue(on):
            due = t("cycle.overdue", lang, due=format_date(a.due, lang=lang),
                    days=(on - a.due).days)  # fmt: skip
            due_class = "rk-text rk-missed"
        else:
            due, due_class = format_date(a.due, lang=lang), "rk-text"
        shown.append(
            {
                t("actions.col.title", lang): f"{a.title} ({a.id})",
                t("col.target_kpi", lang): target_label(a, definitions=definitions, lang=lang),
                t("col.owner", lang): owner_label(a.owner, lang=lang),
                t("cycle.col.start", lang): format_date(a.start, lang=lang),
                t("col.due", lang): due,
                t("actions.col.status", lang): t(f"actions.status.{a.status}", lang),
            }
        )
        classes.append(["rk-label", "rk-text", "rk-text", "rk-num", due_class, "rk-text"])
    return styled_table(pd.DataFrame(shown), classes, css_class=css, shorten=False).html


def actions_html(
    actions: Actions,
    *,
    on: dt.date,
    previous: tuple[str, str] | None,
    previous_name: str,
    definitions: Definitions,
    lang: str,
) -> Html:
    """Open actions (overdue marked) and those decided in the previous review.

    Parameters
    ----------
    actions
        The register.
    on
        The review date (an open action due before it is overdue).
    previous
        ``(cadence, period label)`` of the previous review of the same cadence.
    previous_name
        That period as readers name it.
    definitions
        For KPI labels.
    lang
        ``ja`` or ``en``.
    """
    opened = actions.open()
    parts = [f'<h3 class="rk-subsection" id="open_actions">{escape(t("cycle.open", lang))}</h3>']
    if len(opened):
        late = len(opened.overdue(on))
        parts.append(_table(list(opened), on=on, definitions=definitions, lang=lang,
                            css="rk-actions"))  # fmt: skip
        parts.append(note_html(t("cycle.open_note", lang, n=len(opened), late=late)))
    else:
        parts.append(note_html(t("cycle.none_open", lang)))
    if previous is not None:
        decided = actions.decided_in(*previous)
        title = t("cycle.previous", lang, period=previous_name)
        parts.append(f'<h3 class="rk-subsection" id="previous_actions">{escape(title)}</h3>')
        if len(decided):
            parts.append(_table(list(decided), on=on, definitions=definitions, lang=lang,
                                css="rk-actions"))  # fmt: skip
        else:
            parts.append(note_html(t("cycle.previous_none", lang, period=previous_name)))
    if not len(actions):
        parts.append(note_html(t("actions.none", lang)))
    return Html("".join(parts), text=t("cycle.open", lang))


def verdict_counts(rows: Sequence[Mapping[str, object]]) -> dict[str, int]:
    """How many measured actions got each verdict."""
    counts = dict.fromkeys(VERDICTS, 0)
    for row in rows:
        counts[str(row["verdict"])] = counts.get(str(row["verdict"]), 0) + 1
    return counts


def outcomes_by_family(
    actions: Sequence[Action], rows: Sequence[Mapping[str, object]], *, lang: str
) -> Html:
    """The quarter's actions by cause family: how many, and each verdict's count."""
    by_id = {str(r["action"]): r for r in rows}
    shown, classes = [], []
    for family in ("target", "content", "follow_up", "other"):
        ours = [a for a in actions if a.family == family]
        if not ours:
            continue
        counts = verdict_counts([by_id[a.id] for a in ours if a.id in by_id])
        shown.append(
            {
                t("cycle.col.family", lang): t(f"family.{family}", lang),
                t("cycle.col.count", lang): str(len(ours)),
                **{t(f"effects.verdict.{v}", lang): str(counts[v]) for v in VERDICTS[:4]},
            }
        )
        classes.append(["rk-label", *["rk-num"] * 5])
    if not shown:
        return Html("")
    return Html(
        styled_table(pd.DataFrame(shown), classes, css_class="rk-outcomes", shorten=False).html
    )
