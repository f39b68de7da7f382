"""The slice of the funnel a pack covers: the whole company, or one segment of it.

A segment pack is written ``KEY=VALUE`` (``sales_team=Team B``) or, for a group of values,
``KEY=VALUE,VALUE`` (``channel=paid_search,display``) with an optional name for the group
(``paid``). The scope limits every metric of the pack to the people whose canonical lead
record is in it (see :class:`reviewkit.semantic.funnel.Funnel`), swaps the company's targets for the
segment's, names the segment in the header and gives the pack its own folder
``<cadence>/<period>/<key>-<value>/``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reviewkit.core.redaction import has_contact_data, quote_examples, redact_text
from reviewkit.errors import ParameterError
from reviewkit.model.labels import dimension_label

if TYPE_CHECKING:
    import duckdb

    from reviewkit.model.definitions import Definitions

_UNSAFE = re.compile(r"[^\w.]+", re.UNICODE)


@dataclass(frozen=True)
class Scope:
    """One segment: a lead column and the values it keeps.

    Parameters
    ----------
    column
        A segment column (``channel``, ``sales_team``, ...).
    values
        The values kept (one, or a group).
    name
        The group's name, shown in the header and used for the folder; ``""``: the values.
    """

    column: str
    values: tuple[str, ...]
    name: str = ""

    @property
    def filter(self) -> dict[str, object]:
        """The ``{column: value}`` (or ``{column: [values]}``) filter of the funnel."""
        return {self.column: self.values[0] if len(self.values) == 1 else list(self.values)}

    @property
    def text(self) -> str:
        """The ``KEY=VALUE[,VALUE]`` form (the template parameter and ``--segment``)."""
        return f"{self.column}={','.join(self.values)}"

    @property
    def slug(self) -> str:
        """The pack's folder name: ``sales_team-team-b``, ``channel-paid``.

        A value holding contact data gets ``<column>-redacted-<hash>`` instead: the folder
        name is published (a segment holding any is refused before a pack is built, but its
        job is still named), and two such segments keep two names.
        """
        shown = self.name or "+".join(self.values)
        if has_contact_data(shown):  # a stable name that shows nothing of the value
            digest = hashlib.sha256(f"{self.column}={shown}".encode()).hexdigest()[:10]
            return f"{self.column}-redacted-{digest}"
        return f"{self.column}-{slugify(shown)}"

    def label(self, lang: str, *, definitions: Definitions | None = None) -> str:
        """The segment in words: ``sales team: Team B``, ``channel: paid (paid_search, ...)``.

        ``definitions`` name a dimension they add (:func:`reviewkit.model.labels.dimension_label`).
        """
        values = ", ".join(self.values)
        shown = f"{self.name} ({values})" if self.name else values
        return f"{dimension_label(self.column, lang=lang, definitions=definitions)}: {shown}"


def slugify(text: str) -> str:
    """A folder-safe form of ``text``: lower case, runs of other characters as ``-``."""
    slug = _UNSAFE.sub("-", text.strip().lower()).strip("-.")
    return slug or "_"


def parse_scope(
    text: str,
    *,
    name: str = "",
    parameter: str = "segment",
    columns: Collection[str] | None = None,
) -> Scope | None:
    """Read ``KEY=VALUE`` or ``KEY=VALUE,VALUE``; ``""`` is the whole company (``None``).

    Parameters
    ----------
    text
        The segment as written on the command line or in the template's parameters.
    name
        A name for a group of values (optional).
    parameter
        The parameter's name, for the error message.
    columns
        The segment columns allowed (``Definitions.dimensions``); ``None``: the lead columns.

    Raises
    ------
    ParameterError
        No ``=``, an unknown column, or no value.
    """
    from reviewkit.model.definitions import LEAD_DIMENSIONS

    allowed = tuple(LEAD_DIMENSIONS if columns is None else columns)
    text = text.strip()
    if not text:
        return None
    column, sep, rest = text.partition("=")
    column = column.strip()
    values = tuple(v.strip() for v in rest.split(",") if v.strip())
    if not sep or not values:
        raise ParameterError(
            f"{parameter}: {text!r} is not a segment; write KEY=VALUE (e.g. "
            f"sales_team=Team B) or KEY=VALUE,VALUE for a group"
        )
    if column not in allowed:
        raise ParameterError(
            f"{parameter}: {column!r} is not a segment column; use one of "
            f"{', '.join(allowed)} (or add it under segments: in params/definitions.yml)"
        )
    if len(set(values)) != len(values):
        raise ParameterError(f"{parameter}: {text!r} repeats a value; list each value once")
    return Scope(column=column, values=values, name=name.strip())


def check_scope(
    con: duckdb.DuckDBPyConnection, scope: Scope, *, definitions: Definitions | None = None
) -> None:
    """Refuse a segment no lead record has (a typo would give an empty pack).

    ``definitions`` lets the segment be one of the dimensions they add (``segments:``).

    Raises
    ------
    ParameterError
        Naming the missing value and the values the store has.
    """
    column = (
        f'l."{scope.column}"' if definitions is None else definitions.column_sql(scope.column, "l")
    )
    found = {
        str(v)
        for (v,) in con.execute(
            f"SELECT DISTINCT {column} AS v FROM leads l WHERE v IS NOT NULL"
        ).fetchall()
    }
    missing = [v for v in scope.values if v not in found]
    if missing:
        raise ParameterError(
            f"segment {redact_text(scope.text)!r}: no lead in the store has "
            f"{scope.column}={redact_text(missing[0])!r}; its values include "
            f"{quote_examples(sorted(found))} (check the spelling, or import the data first)"
        )
