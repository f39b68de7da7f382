"""The ``reviewkit action`` command's helpers: option parsing, default ids, the listing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence

import pandas as pd

from reviewkit.errors import ParameterError
from reviewkit.i18n.texts import t
from reviewkit.model.action_fields import parse_date
from reviewkit.model.actions import Action, Actions, owner_label


def default_action_id(title: str, start: dt.date, *, taken: Sequence[str] = ()) -> str:
    """``A-<start YYYY-MM>-<slug of title>`` (``action`` for a title with no ASCII word).

    A ``-2``, ``-3``... suffix makes it unique among ``taken``; it is at most 80 characters.
    """
    slug = re.sub(r"[^0-9a-z]+", "-", title.lower()).strip("-") or "action"
    base = f"A-{start:%Y-%m}-{slug}"[:80].rstrip("-")
    candidate, n = base, 2
    while candidate in taken:
        suffix = f"-{n}"
        candidate = base[: 80 - len(suffix)].rstrip("-") + suffix
        n += 1
    return candidate


def parse_segment_options(items: Sequence[str]) -> dict[str, str] | None:
    """``("channel=webinar", ...)`` -> ``{"channel": "webinar"}`` (``None`` for none)."""
    out: dict[str, str] = {}
    for item in items:
        column, sep, value = item.partition("=")
        column, value = column.strip(), value.strip()
        if not sep or not column or not value:
            raise ParameterError(
                f"--segment: {item!r} is not column=value; write e.g. --segment channel=webinar"
            )
        if column in out:
            raise ParameterError(f"--segment: {column!r} is given twice; give each column once")
        out[column] = value
    return out or None


def parse_decided_in(text: str) -> dict[str, str]:
    """``monthly:2026-10`` -> ``{"review": "monthly", "period": "2026-10"}``."""
    review, sep, period = text.partition(":")
    if not sep or not review.strip() or not period.strip():
        raise ParameterError(
            f"--decided-in: {text!r} is not review:period; write e.g. --decided-in monthly:2026-10"
        )
    return {"review": review.strip(), "period": period.strip()}


def parse_date_option(text: str, *, option: str) -> dt.date:
    """A ``YYYY-MM-DD`` command-line value; a bad one is a :class:`ParameterError`."""
    try:
        return parse_date(text)
    except ValueError as exc:
        raise ParameterError(f"{option}: {exc}") from None


def status_words(action: Action, *, on: dt.date, lang: str) -> str:
    """The status in words, with ``overdue`` when an open action is past its due date."""
    words = t(f"actions.status.{action.status}", lang)
    if action.is_overdue(on):
        overdue = t("actions.overdue", lang)
        return f"{words}（{overdue}）" if lang == "ja" else f"{words}, {overdue}"
    return words


def segment_words(segment: Mapping[str, str] | None, *, lang: str) -> str:
    """``channel=webinar`` (several joined with ``, ``), or the whole funnel in words."""
    if not segment:
        return t("dimension.whole", lang)
    return ", ".join(f"{k}={v}" for k, v in segment.items())


def actions_table(actions: Actions | Sequence[Action], *, on: dt.date, lang: str) -> pd.DataFrame:
    """The actions as ``reviewkit action list`` shows them (headers and words in ``lang``).

    Columns: id, title, owner (the role's name when it is a stage owner), KPI (its key),
    segment, due (YYYY-MM-DD) and status (``overdue`` added in words when an open action is
    past its due date on ``on``).
    """
    names = ["id", "title", "owner", "kpi", "segment", "due", "status"]
    rows = [
        [
            a.id,
            a.title,
            owner_label(a.owner, lang=lang),
            a.kpi,
            segment_words(a.segment, lang=lang),
            a.due.isoformat(),
            status_words(a, on=on, lang=lang),
        ]
        for a in actions
    ]
    shared = {"owner": "col.owner", "due": "col.due"}  # the packs' column names
    return pd.DataFrame(rows, columns=[t(shared.get(n, f"actions.col.{n}"), lang) for n in names])


def actions_text(key: str, lang: str, **values: object) -> str:
    """The text ``actions.<key>`` (reviewkit/i18n/texts_actions.py) in ``lang``."""
    return t(f"actions.{key}", lang, **values)
