"""The action-effect table of the monthly pack, in words (see :mod:`reviewkit.analysis.effects`).

:func:`effects_table` lays out one row per action (its
:func:`reviewkit.analysis.effects.measure_effect` result); :func:`verdict_rule` is the rule in one
paragraph, for the glossary.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from reviewkit.i18n.formatting import format_count, format_date, format_pct
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import Definitions
from reviewkit.model.labels import metric_label, segment_words
from reviewkit.present.html import Html, note_html, points_text, subsection_heading
from reviewkit.present.tables import styled_table

VERDICT_CLASSES = {
    "improved": "rk-status rk-met",
    "worse": "rk-status rk-missed",
    "no_clear_change": "rk-status",
    "too_early": "rk-status rk-no_target",
    "unsupported": "rk-status rk-no_target",
}
_ONE = dt.timedelta(days=1)


def _level(level: float, *, lang: str) -> str:
    """``90%`` (a confidence level is a whole percentage in every pack)."""
    return f"{format_count(level * 100, lang=lang)}%"


def _before_after(row: Mapping[str, Any], *, lang: str) -> str:
    if row["verdict"] == "unsupported" or not row["days_after"]:
        return "—"
    if row["basis"] == "count":
        return t(
            "effects.counts",
            lang,
            before=format_count(row["n_seg_before"], lang=lang),
            after=format_count(row["n_seg_after"], lang=lang),
            days=format_count(row["days_after"], lang=lang),
        )
    return t(
        "effects.rates",
        lang,
        before=format_pct(row["seg_before"], lang=lang),
        after=format_pct(row["seg_after"], lang=lang),
    )


def _change(row: Mapping[str, Any], *, lang: str) -> str:
    effect = float(row["effect"])
    if row["verdict"] in ("too_early", "unsupported") or math.isnan(effect):
        return "—"
    low, high = float(row["low"]), float(row["high"])
    if row["basis"] == "count":
        shown = [format_pct(v, lang=lang, signed=True) for v in (effect, low, high)]
    else:
        shown = [points_text(v, lang=lang, fraction=True) for v in (effect, low, high)]
    text = t(
        "effects.interval",
        lang,
        change=shown[0],
        low=shown[1],
        high=shown[2],
        level=_level(float(row["level"]), lang=lang),
    )
    return text + (t("effects.no_comparison", lang) if row["comparison"] == "none" else "")


# Everyone else moving this much in the same days is worth a warning: difference in
# differences assumes they share the segment's trend, not that they had a shock of their own.
REST_MOVED = {"rate": 0.05, "count": 0.20}


def _rest_moved(row: Mapping[str, Any], name: str, *, lang: str) -> str | None:
    """A warning when the comparison group itself moved a lot (a shock of its own?)."""
    if row["comparison"] != "rest" or row["verdict"] in ("too_early", "unsupported"):
        return None
    before, after = float(row["rest_before"]), float(row["rest_after"])
    if math.isnan(before) or math.isnan(after) or before <= 0:
        return None
    if row["basis"] == "count":
        change = after / before - 1
        if abs(change) < REST_MOVED["count"]:
            return None
        shown = format_pct(change, lang=lang, signed=True)
    else:
        change = after - before
        if abs(change) < REST_MOVED["rate"]:
            return None
        shown = points_text(change, lang=lang, fraction=True)
    return t("effects.rest_moved", lang, action=name, change=shown)


def _verdict(row: Mapping[str, Any], *, definitions: Definitions, lang: str) -> str:
    verdict, reason = str(row["verdict"]), row["reason"]
    words = t(f"effects.verdict.{verdict}", lang)
    if reason == "too_little_time":
        detail = t(
            "effects.reason.too_little_time",
            lang,
            days=format_count(row["days_after"], lang=lang),
            min_days=format_count(row["min_days"], lang=lang),
        )
    elif reason == "too_little_data":
        groups = ["seg", "rest"] if row["comparison"] == "rest" else ["seg"]
        people = t("effects.people.join", lang).join(
            t(
                f"effects.people.{g}",
                lang,
                before=format_count(row[f"n_{g}_before"], lang=lang),
                after=format_count(row[f"n_{g}_after"], lang=lang),
            )
            for g in groups
        )
        detail = t(
            "effects.reason.too_little_data",
            lang,
            people=people,
            min_people=format_count(row["min_people"], lang=lang),
        )
    elif reason == "unsupported_metric":
        metric = metric_label(definitions, str(row["kpi"]), lang=lang)
        detail = t("effects.reason.unsupported_metric", lang, metric=metric)
    else:
        return words
    return f"{words}: {detail}" if lang == "en" else f"{words}：{detail}"


def _windows(row: Mapping[str, Any], action: str, *, lang: str) -> str | None:
    if row["verdict"] == "unsupported":
        return None
    if not row["days_after"]:
        start = format_date(row["start"], lang=lang)
        return t("effects.windows_none", lang, action=action, start=start)
    days: dict[str, str] = {}
    for name in ("before", "after"):
        first, end = row[f"{name}_start"], row[f"{name}_end"]
        days[f"{name}_first"] = format_date(first, lang=lang)
        days[f"{name}_last"] = format_date(end - _ONE, lang=lang)
    count = format_count(row["days_after"], lang=lang)
    return t("effects.windows", lang, action=action, days=count, **days)


def effects_table(
    rows: Sequence[Mapping[str, object]] | pd.DataFrame,
    *,
    definitions: Definitions,
    lang: str,
    titles: Mapping[str, str],
) -> Html:
    """One row per action: what it targets, before -> after, the change vs the rest, the verdict.

    Parameters
    ----------
    rows
        One :func:`reviewkit.analysis.effects.measure_effect` result per action, each with an added
        ``action`` key (the action's id); or a frame of them.
    definitions
        For the KPI labels.
    lang
        ``ja`` or ``en``.
    titles
        Action id -> title, shown next to the id.

    Returns
    -------
    Html
        The table (rates before -> after in %, counts as people in each window; the change vs the
        rest in points or % with its interval, hidden while too early; the verdict in words and
        symbol with the reason when too early or not measurable), a note on how it is counted
        and one line per action naming its before and after windows. A note alone when there
        are no rows.
    """
    records = rows.to_dict("records") if isinstance(rows, pd.DataFrame) else list(rows)
    if not records:
        return Html(note_html(t("effects.none", lang)), text=t("effects.none", lang))
    shown, classes, windows = [], [], []
    for row in records:
        action = str(row["action"])
        title = titles.get(action, "")
        name = f"{title} ({action})" if title else action
        kpi = metric_label(definitions, str(row["kpi"]), lang=lang)
        if row.get("direction") == "down":
            kpi += t("effects.lower_better", lang)
        segment = segment_words(row["segment"], lang=lang, definitions=definitions)
        shown.append(
            {
                t("effects.col.action", lang): name,
                t("effects.col.kpi", lang): f"{kpi} / {segment}",
                t("effects.col.before_after", lang): _before_after(row, lang=lang),
                t("effects.col.change", lang): _change(row, lang=lang),
                t("effects.col.verdict", lang): _verdict(row, definitions=definitions, lang=lang),
            }
        )
        classes.append(
            ["rk-label", "rk-text", "rk-num", "rk-num", VERDICT_CLASSES[str(row["verdict"])]]
        )
        window = _windows(row, name, lang=lang)
        if window is not None:
            windows.append(window)
        moved = _rest_moved(row, name, lang=lang)
        if moved is not None:
            windows.append(moved)
    table = styled_table(pd.DataFrame(shown), classes, css_class="rk-effects", shorten=False).html
    max_days = max(int(r.get("max_days") or 90) for r in records)
    notes = [t("effects.note", lang, max_days=format_count(max_days, lang=lang)), *windows]
    return Html(table + "".join(note_html(n) for n in notes), text=t("effects.title", lang))


def verdict_rule(lang: str, *, level: float, min_people: int, min_days: int) -> str:
    """The verdict rule of :func:`reviewkit.analysis.effects.measure_effect` in one plain paragraph.

    Parameters
    ----------
    lang
        ``ja`` or ``en``.
    level, min_people, min_days
        The options the pack measured with.
    """
    return t(
        "effects.rule",
        lang,
        level=_level(level, lang=lang),
        min_people=format_count(min_people, lang=lang),
        min_days=format_count(min_days, lang=lang),
    )


def effects_section(
    rows: Sequence[Mapping[str, object]],
    *,
    titles: Mapping[str, str],
    definitions: Definitions,
    lang: str,
) -> Html:
    """Did the actions work? The measured effects under their heading, or one line when none.

    Parameters
    ----------
    rows
        :func:`reviewkit.analysis.effects.measure_effect` per action, with its ``action`` id.
    titles
        Each action's title by id.
    """
    head = subsection_heading(t("effects.title", lang), anchor="effects")
    if not rows:
        return Html(head + note_html(t("effects.none", lang)), text=t("effects.title", lang))
    table = effects_table(rows, definitions=definitions, lang=lang, titles=titles)
    return Html(head + table.html, text=table.text)


def verdict_rule_section(lang: str, *, level: float, min_people: int, min_days: int) -> str:
    """The verdict rule under its own heading, for the glossary (see :func:`verdict_rule`)."""
    rule = verdict_rule(lang, level=level, min_people=min_people, min_days=min_days)
    heading = subsection_heading(t("effects.rule_title", lang), anchor="verdict_rule")
    return heading + note_html(rule)
