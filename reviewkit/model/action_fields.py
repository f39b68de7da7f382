"""The field checks of an action in params/actions.yml: one validator per kind of field.

Each check either returns the value as the model stores it or raises a ``ValueError`` that
names the bad value, what is allowed and how to write it; :mod:`reviewkit.model.actions`
attaches them to the fields of :class:`reviewkit.model.actions.Action`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import re
from collections.abc import Sequence

from pydantic import BeforeValidator

_ID = re.compile(r"^[A-Za-z0-9_-]{3,80}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def suggest(word: object, choices: Sequence[str]) -> str:
    """`` (did you mean 'webinar'?)`` when one of ``choices`` is close to ``word``, else ``""``."""
    close = difflib.get_close_matches(str(word), choices, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def text_field(what: str, example: str) -> BeforeValidator:
    """A required text field: a number becomes text; empty or not text is an error."""

    def check(value: object) -> object:
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{value!r} is not {what}; write it as text, e.g. {example}")
        return value.strip()

    return BeforeValidator(check)


def optional_text(value: object) -> object:
    """An optional text field: ``None`` or blank is ``None``; a number becomes text."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not text; write it in words (in quotes if need be)")
    return value.strip() or None


def id_field(value: object) -> object:
    """An action id: 3 to 80 letters, digits, ``-`` and ``_`` (a number becomes text)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not _ID.match(value):
        raise ValueError(
            f"{value!r} is not an action id; use 3 to 80 letters, digits, - and _ "
            "(e.g. A-2026-07-webinar-call)"
        )
    return value


def choice(what: str, allowed: Sequence[str], meaning: str) -> BeforeValidator:
    """A field that is one of ``allowed``; the error names them and what they mean."""

    def check(value: object) -> object:
        if not isinstance(value, str) or value not in allowed:
            hint = suggest(value, allowed) if isinstance(value, str) else ""
            raise ValueError(
                f"{value!r} is not {what}{hint}; use one of {' | '.join(allowed)} ({meaning})"
            )
        return value

    return BeforeValidator(check)


# The dates an action may have: no review data is older; the end keeps date arithmetic safe.
_EARLIEST, _LATEST = dt.date(1990, 1, 1), dt.date(2999, 12, 31)


def parse_date(value: object, *, what: str = "a date") -> dt.date:
    """Read a date written ``YYYY-MM-DD`` (or a ``datetime.date``), 1990-01-01 to 2999-12-31.

    Raises
    ------
    ValueError
        Naming the bad value and the form to use.
    """
    day: dt.date | None = None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day = value
    elif isinstance(value, str) and _DATE.match(value.strip()):
        with contextlib.suppress(ValueError):
            day = dt.date.fromisoformat(value.strip())
    if day is None:
        raise ValueError(f"{value!r} is not {what}; write YYYY-MM-DD (e.g. 2026-07-15)")
    if not _EARLIEST <= day <= _LATEST:
        raise ValueError(f"{value!r} is out of range; write a date from {_EARLIEST} to {_LATEST}")
    return day


def optional_date(value: object) -> object:
    """An optional date (:func:`parse_date`), ``None`` when missing."""
    return None if value is None else parse_date(value)


def segment_field(value: object) -> object:
    """A segment: a mapping of lead attributes to one value each; ``None`` or empty = none."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError(
            f"{value!r} is not a segment; write a mapping of lead attributes to values, e.g. "
            "{channel: webinar}, or leave segment out for the whole funnel"
        )
    out: dict[str, str] = {}
    for column, item in value.items():
        if isinstance(item, bool) or not isinstance(item, str | int | float) or not str(item):
            raise ValueError(
                f"{column}: {item!r} is not a value; write one value, e.g. {{{column}: webinar}}"
            )
        out[str(column)] = str(item)
    return out or None


def decided_in_field(value: object) -> object:
    """The review that decided an action: a mapping (checked by the model)."""
    if not isinstance(value, dict):
        raise ValueError(
            f"{value!r} is not a review; write the review and the period it looked at, e.g. "
            "{review: monthly, period: 2026-06}"
        )
    return value


def period_label(value: object) -> object:
    """A period label; a number (e.g. ``2026``) becomes text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value
