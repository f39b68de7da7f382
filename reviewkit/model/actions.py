"""The actions register: what the reviews decided to do, who owns it, by when, how it ended.

``params/actions.yml`` is written by hand or by ``reviewkit action add|update|close`` and is
reviewed in git like the other files under ``params/``::

    actions:
      - id: A-2026-07-webinar-call
        title: Call webinar MQLs within an hour
        family: follow_up                   # target | content | follow_up | other
        kpi: mql_to_sql                     # a metric key of params/definitions.yml
        segment: {channel: webinar}         # optional; omit for the whole funnel
        owner: inside_sales
        decided_in: {review: monthly, period: 2026-06}
        start: 2026-07-15
        due: 2026-09-30
        status: open                        # open | done | dropped
        expected_effect: "+10 pt MQL to SQL among webinar leads"   # optional
        proposal_id: 2026-06-follow_up-mql_to_sql-webinar          # optional
        closed_on: 2026-10-05               # when status is done or dropped
        outcome: "..."                      # optional

A missing file is an empty register. :func:`load_actions` checks every entry against the
definitions and says what is wrong in one line (file:line, the action's id, the bad value,
what is allowed and the fix); :func:`save_actions` rewrites the file in a fixed layout.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args

import pandas as pd
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from reviewkit.core.periods import (
    CADENCES,
    Cadence,
    FiscalCalendar,
    parse_period,
    period_containing,
)
from reviewkit.errors import ParameterError
from reviewkit.i18n.texts import TEXTS, t
from reviewkit.model.action_fields import (
    choice,
    decided_in_field,
    id_field,
    optional_date,
    optional_text,
    parse_date,
    period_label,
    segment_field,
    suggest,
    text_field,
)
from reviewkit.model.definitions import LEAD_DIMENSIONS

if TYPE_CHECKING:
    from reviewkit.model.definitions import Definitions

FILE_NAME = "actions.yml"
Family = Literal["target", "content", "follow_up", "other"]
FAMILIES: tuple[str, ...] = get_args(Family)
Status = Literal["open", "done", "dropped"]
STATUSES: tuple[str, ...] = get_args(Status)
FIELDS = (
    "id", "title", "family", "kpi", "segment", "owner", "decided_in", "start", "due", "status",
    "expected_effect", "proposal_id", "closed_on", "outcome",
)  # fmt: skip
DECIDED_IN_FIELDS = ("review", "period")
ACTION_COLUMNS = [
    "id", "title", "family", "kpi", "segment", "owner", "review", "period", "start", "due",
    "status", "expected_effect", "proposal_id", "closed_on", "outcome",
]  # fmt: skip
_LABEL_EXAMPLES = {"weekly": "2026-W27", "monthly": "2026-06", "quarterly": "FY2026-Q1"}


def owner_label(owner: str, *, lang: str) -> str:
    """A stage owner's role name (``inside_sales`` -> インサイドセールス), else the text as is."""
    key = f"owner.{owner}"
    return t(key, lang) if key in TEXTS else owner


# --- the model -----------------------------------------------------------------------------


_REVIEW = choice("a review cadence", CADENCES, "the review that decided the action")
_FAMILY = choice(
    "an action family",
    FAMILIES,
    "target: who is reached, content: what they are offered, follow_up: how they are worked",
)
_STATUS = choice("a status", STATUSES, "done and dropped are set with `reviewkit action close`")


class DecidedIn(BaseModel):
    """The review that decided an action and the period label it reviewed."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    review: Annotated[Cadence, _REVIEW]
    period: Annotated[str, BeforeValidator(period_label)]


class Action(BaseModel):
    """One decided action (see the module docstring for the file).

    The model checks each field on its own; :func:`check_action` checks what needs the
    definitions or several fields (KPI, segment columns, period label, dates in order).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: Annotated[str, BeforeValidator(id_field)]
    title: Annotated[str, text_field("a title", "Call webinar MQLs within an hour")]
    family: Annotated[Family, _FAMILY]
    kpi: Annotated[str, text_field("a metric key", "mql_to_sql")]
    segment: Annotated[dict[str, str] | None, BeforeValidator(segment_field)] = None
    owner: Annotated[str, text_field("an owner", "inside_sales")]
    decided_in: Annotated[DecidedIn, BeforeValidator(decided_in_field)]
    start: Annotated[dt.date, BeforeValidator(parse_date)]
    due: Annotated[dt.date, BeforeValidator(parse_date)]
    status: Annotated[Status, _STATUS] = "open"
    expected_effect: Annotated[str | None, BeforeValidator(optional_text)] = None
    proposal_id: Annotated[str | None, BeforeValidator(optional_text)] = None
    closed_on: Annotated[dt.date | None, BeforeValidator(optional_date)] = None
    outcome: Annotated[str | None, BeforeValidator(optional_text)] = None

    @property
    def is_open(self) -> bool:
        """Whether the action is still open."""
        return self.status == "open"

    def is_overdue(self, on: dt.date) -> bool:
        """Whether the action is open and its due date is before ``on``."""
        return self.is_open and self.due < on


class ActionsFile(BaseModel):
    """``params/actions.yml`` as written."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    actions: list[Action] = Field(default_factory=list)


def make_action(fields: Mapping[str, Any], *, source: str = "action") -> Action:
    """Build an :class:`Action` from ``fields``; a problem becomes one :class:`ParameterError`.

    Parameters
    ----------
    fields
        The action's fields (as in the file).
    source
        What the fields come from, for the message (e.g. ``proposal '2026-10-...'``).
    """
    try:
        return Action.model_validate(dict(fields))
    except ValidationError as exc:
        first = exc.errors()[0]
        keys = ".".join(str(k) for k in first["loc"] if not str(k).startswith("function-"))
        message = str(first["msg"]).removeprefix("Value error, ")
        if first["type"] == "missing":
            message = f"is missing; give {keys}"
        raise ParameterError(f"{source}: {keys}: {message}") from None


def action_problem(
    action: Action, *, definitions: Definitions, calendar: FiscalCalendar | None = None
) -> tuple[tuple[str, ...], str] | None:
    """The first problem of ``action`` that needs the definitions or several fields.

    Returns
    -------
    tuple or None
        ``(key path inside the entry, message)``, or ``None`` when the action is fine.
    """
    metrics = list(definitions.metric_map)
    if action.kpi not in definitions.metric_map:
        return ("kpi",), (
            f"{action.kpi!r} is not a metric of params/definitions.yml"
            f"{suggest(action.kpi, metrics)}; use one of {', '.join(metrics)}"
        )
    for column in action.segment or {}:
        if column not in LEAD_DIMENSIONS:
            return ("segment", column), (
                f"{column!r} is not a segment column{suggest(column, LEAD_DIMENSIONS)}; use one "
                f"of {', '.join(LEAD_DIMENSIONS)}, or leave segment out for the whole funnel"
            )
    review, label = action.decided_in.review, action.decided_in.period
    calendar = calendar or FiscalCalendar()
    example = _LABEL_EXAMPLES[review]
    if review == "weekly":  # 2026-W27, or 2026-S27 where weeks start on Sunday
        example = period_containing("weekly", dt.date(2026, 7, 1), calendar=calendar).label
    try:
        period = parse_period(label, calendar=calendar)
    except ParameterError:
        return ("decided_in", "period"), (
            f"{label!r} is not a {review} period label; write the period the {review} review "
            f"looked at, e.g. {example}"
        )
    if period.cadence != review:
        return ("decided_in", "period"), (
            f"{label!r} is a {period.cadence} period but review is {review}; write a {review} "
            f"label such as {example}, or set review: {period.cadence}"
        )
    if action.due < action.start:
        return ("due",), (
            f"{action.due} is before start {action.start}; the due date is on or after the "
            "start: correct one of the two"
        )
    if action.status != "open" and action.closed_on is None:
        return ("status",), (
            f"{action.status!r} needs closed_on, which is missing; add closed_on: YYYY-MM-DD "
            f"(the day it was closed) or use `reviewkit action close {action.id}`"
        )
    if action.closed_on is not None and action.status == "open":
        return ("closed_on",), (
            f"{action.closed_on} is set but status is 'open'; remove closed_on, or set status "
            "to done or dropped"
        )
    if action.closed_on is not None and action.closed_on < action.start:
        return ("closed_on",), (
            f"{action.closed_on} is before start {action.start}; an action closes on or after "
            "its start: correct one of the two"
        )
    return None


def check_action(
    action: Action, *, definitions: Definitions, calendar: FiscalCalendar | None = None
) -> None:
    """Raise :class:`ParameterError` (one line) if :func:`action_problem` finds a problem."""
    problem = action_problem(action, definitions=definitions, calendar=calendar)
    if problem is not None:
        keys, message = problem
        raise ParameterError(f"action {action.id!r}: {'.'.join(keys)}: {message}")


# --- the register --------------------------------------------------------------------------


@dataclass(frozen=True)
class Actions:
    """The actions register, in file order.

    Parameters
    ----------
    entries
        The actions.
    path
        The file they come from, or where it would be (no file: no entries).
    """

    entries: tuple[Action, ...] = ()
    path: str = ""

    def __iter__(self) -> Iterator[Action]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def ids(self) -> list[str]:
        """The ids, in file order."""
        return [a.id for a in self.entries]

    def get(self, action_id: str) -> Action:
        """The action called ``action_id``.

        Raises
        ------
        ParameterError
            If there is none (naming the file and the closest id).
        """
        for action in self.entries:
            if action.id == action_id:
                return action
        raise ParameterError(
            f"action {action_id!r}: no such id in {self.path or FILE_NAME}"
            f"{suggest(action_id, self.ids)}; `reviewkit action list --all` shows the ids"
        )

    def _keep(self, entries: Iterator[Action]) -> Actions:
        return dataclasses.replace(self, entries=tuple(entries))

    def open(self) -> Actions:
        """The open actions."""
        return self._keep(a for a in self.entries if a.is_open)

    def with_status(self, status: str) -> Actions:
        """The actions whose status is ``status``."""
        return self._keep(a for a in self.entries if a.status == status)

    def decided_in(self, review: str, period_label: str) -> Actions:
        """The actions decided in the ``review`` of ``period_label`` (e.g. monthly, 2026-10)."""
        return self._keep(
            a
            for a in self.entries
            if (a.decided_in.review, a.decided_in.period) == (review, period_label)
        )

    def overdue(self, on: dt.date) -> Actions:
        """The open actions whose due date is before ``on``."""
        return self._keep(a for a in self.entries if a.is_overdue(on))

    def add(self, action: Action) -> Actions:
        """The register with ``action`` appended (its id must be new)."""
        if action.id in self.ids:
            raise ParameterError(
                f"action {action.id!r}: the id is already in {self.path or FILE_NAME}; give "
                "another id with --id, or change the existing one with `reviewkit action update`"
            )
        return self._keep(iter((*self.entries, action)))

    def replace(self, action: Action) -> Actions:
        """The register with the action of the same id replaced by ``action`` (order kept)."""
        self.get(action.id)
        return self._keep(action if a.id == action.id else a for a in self.entries)

    def frame(self) -> pd.DataFrame:
        """One row per action with :data:`ACTION_COLUMNS` (object columns; missing is ``None``)."""
        rows = [
            {
                **a.model_dump(exclude={"decided_in"}),
                "review": a.decided_in.review,
                "period": a.decided_in.period,
            }
            for a in self.entries
        ]
        return pd.DataFrame(rows, columns=ACTION_COLUMNS, dtype=object)
