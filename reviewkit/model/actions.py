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

import contextlib
import dataclasses
import datetime as dt
import difflib
import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args

import pandas as pd
import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from reviewkit.core.atomic import write_text_atomic
from reviewkit.core.periods import (
    CADENCES,
    Cadence,
    FiscalCalendar,
    parse_period,
    period_containing,
)
from reviewkit.core.redaction import PLACEHOLDER
from reviewkit.core.yaml_config import Lines, read_yaml, validate_model, where
from reviewkit.errors import ConfigError, DataError, ParameterError
from reviewkit.i18n.formatting import format_count, format_money
from reviewkit.i18n.texts import LANGS, TEXTS, t
from reviewkit.semantic.funnel import SEGMENT_COLUMNS

if TYPE_CHECKING:
    from reviewkit.core.workspace import Workspace
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
PROPOSAL_GLOBS = ("monthly/*/proposals.json", "monthly/*/*/proposals.json")
_ID = re.compile(r"^[A-Za-z0-9_-]{3,80}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LABEL_EXAMPLES = {"weekly": "2026-W27", "monthly": "2026-06", "quarterly": "FY2026-Q1"}


def owner_label(owner: str, *, lang: str) -> str:
    """A stage owner's role name (``inside_sales`` -> インサイドセールス), else the text as is."""
    key = f"owner.{owner}"
    return t(key, lang) if key in TEXTS else owner


def _hint(word: object, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(str(word), choices, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


# --- the model -----------------------------------------------------------------------------


def _text(what: str, example: str) -> BeforeValidator:
    def check(value: object) -> object:
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{value!r} is not {what}; write it as text, e.g. {example}")
        return value.strip()

    return BeforeValidator(check)


def _optional_text(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not text; write it in words (in quotes if need be)")
    return value.strip() or None


def _action_id(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not _ID.match(value):
        raise ValueError(
            f"{value!r} is not an action id; use 3 to 80 letters, digits, - and _ "
            "(e.g. A-2026-07-webinar-call)"
        )
    return value


def _choice(what: str, allowed: Sequence[str], meaning: str) -> BeforeValidator:
    def check(value: object) -> object:
        if not isinstance(value, str) or value not in allowed:
            hint = _hint(value, allowed) if isinstance(value, str) else ""
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


def _optional_date(value: object) -> object:
    return None if value is None else parse_date(value)


def _segment(value: object) -> object:
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


def _decided_in(value: object) -> object:
    if not isinstance(value, dict):
        raise ValueError(
            f"{value!r} is not a review; write the review and the period it looked at, e.g. "
            "{review: monthly, period: 2026-06}"
        )
    return value


def _period_label(value: object) -> object:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


_REVIEW = _choice("a review cadence", CADENCES, "the review that decided the action")
_FAMILY = _choice(
    "an action family",
    FAMILIES,
    "target: who is reached, content: what they are offered, follow_up: how they are worked",
)
_STATUS = _choice("a status", STATUSES, "done and dropped are set with `reviewkit action close`")


class DecidedIn(BaseModel):
    """The review that decided an action and the period label it reviewed."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    review: Annotated[Cadence, _REVIEW]
    period: Annotated[str, BeforeValidator(_period_label)]


class Action(BaseModel):
    """One decided action (see the module docstring for the file).

    The model checks each field on its own; :func:`check_action` checks what needs the
    definitions or several fields (KPI, segment columns, period label, dates in order).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: Annotated[str, BeforeValidator(_action_id)]
    title: Annotated[str, _text("a title", "Call webinar MQLs within an hour")]
    family: Annotated[Family, _FAMILY]
    kpi: Annotated[str, _text("a metric key", "mql_to_sql")]
    segment: Annotated[dict[str, str] | None, BeforeValidator(_segment)] = None
    owner: Annotated[str, _text("an owner", "inside_sales")]
    decided_in: Annotated[DecidedIn, BeforeValidator(_decided_in)]
    start: Annotated[dt.date, BeforeValidator(parse_date)]
    due: Annotated[dt.date, BeforeValidator(parse_date)]
    status: Annotated[Status, _STATUS] = "open"
    expected_effect: Annotated[str | None, BeforeValidator(_optional_text)] = None
    proposal_id: Annotated[str | None, BeforeValidator(_optional_text)] = None
    closed_on: Annotated[dt.date | None, BeforeValidator(_optional_date)] = None
    outcome: Annotated[str | None, BeforeValidator(_optional_text)] = None

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
            f"{_hint(action.kpi, metrics)}; use one of {', '.join(metrics)}"
        )
    for column in action.segment or {}:
        if column not in SEGMENT_COLUMNS:
            return ("segment", column), (
                f"{column!r} is not a segment column{_hint(column, SEGMENT_COLUMNS)}; use one "
                f"of {', '.join(SEGMENT_COLUMNS)}, or leave segment out for the whole funnel"
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
            f"{_hint(action_id, self.ids)}; `reviewkit action list --all` shows the ids"
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


# --- reading -------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """Safe YAML that keeps dates as written, so that a bad date gets a message, not a crash."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read(path: Path) -> tuple[Any, Lines]:
    """The file's data (dates as text) and the line of every key path; a key twice fails."""
    return read_yaml(path, loader=_Loader)


def _entry_name(entry: object, index: int) -> str:
    raw = entry.get("id") if isinstance(entry, dict) else None
    return f"action {raw!r}" if raw else f"action #{index + 1}, which has no id yet"


def _check_shape(data: object, path: Path, lines: Lines) -> None:
    """The layout and the key names, before the values are read."""
    if not isinstance(data, dict):
        raise ConfigError(
            f"{where(path, lines, ())}: the file must be a mapping with an `actions:` list "
            f"(got {type(data).__name__}); see the comments at the top of the file"
        )
    for key in data:
        if key != "actions":
            raise ConfigError(
                f"{where(path, lines, (str(key),))}: {key!r} is not a key of this file; the file "
                "has one key, actions: (a list); move or remove it"
            )
    entries = data.get("actions")
    if entries is not None and not isinstance(entries, list):
        raise ConfigError(
            f"{where(path, lines, ('actions',))}: actions must be a list (got "
            f"{type(entries).__name__}); start each action with `- id: ...`"
        )
    for i, entry in enumerate(entries or []):
        name = _entry_name(entry, i)
        if not isinstance(entry, dict):
            raise ConfigError(
                f"{where(path, lines, ('actions', i))} ({name}): {entry!r} is not an action; "
                "write a mapping with id, title, family, kpi, owner, decided_in, start, due"
            )
        for key in entry:
            if key not in FIELDS:
                raise ConfigError(
                    f"{where(path, lines, ('actions', i, str(key)))} ({name}): {key!r} is not a "
                    f"field of an action{_hint(key, FIELDS)}; the fields are "
                    f"{', '.join(FIELDS)}: correct the spelling, or put the words in title, "
                    "expected_effect or outcome"
                )
        decided = entry.get("decided_in")
        for key in decided if isinstance(decided, dict) else ():
            if key not in DECIDED_IN_FIELDS:
                raise ConfigError(
                    f"{where(path, lines, ('actions', i, 'decided_in', str(key)))} ({name}): "
                    f"{key!r} is not a key of decided_in{_hint(key, DECIDED_IN_FIELDS)}; write "
                    "{review: monthly, period: 2026-06}"
                )


def _name_entry(message: str, data: object) -> str:
    """Add the action's id after the key path ``actions.<i>...`` of a message."""
    match = re.search(r": actions\.(\d+)", message)
    end = message.find(": ", match.end()) if match else -1
    if not match or end < 0:
        return message
    entries = data.get("actions") if isinstance(data, dict) else None
    index = int(match[1])
    entry = entries[index] if isinstance(entries, list) and index < len(entries) else None
    return f"{message[:end]} ({_entry_name(entry, index)}){message[end:]}"


def load_actions(workspace: Workspace | Path, *, definitions: Definitions) -> Actions:
    """Load and check ``params/actions.yml``.

    Parameters
    ----------
    workspace
        A workspace, or the path of an actions file.
    definitions
        The agreed funnel: every action's KPI must be one of its metrics.

    Returns
    -------
    Actions
        The actions in file order; empty (with ``path`` set) when the file does not exist.

    Raises
    ------
    ConfigError
        One line naming the file, line and key path, the action's id, the bad value, what is
        allowed and the fix: an unknown key, KPI, segment column, family, status or review
        cadence; a period label that is not one of its cadence; a bad date; due before start;
        closed_on missing for done/dropped, set while open, or before start; an id used twice.
    """
    if isinstance(workspace, Path):
        path, calendar = workspace, FiscalCalendar()
    else:
        path, calendar = workspace.params_dir / FILE_NAME, workspace.calendar
    if not path.is_file():
        return Actions(path=str(path))
    data, lines = _read(path)
    if data is None:
        return Actions(path=str(path))
    _check_shape(data, path, lines)
    if not data.get("actions"):
        return Actions(path=str(path))
    try:
        parsed = validate_model(ActionsFile, path, data, lines)
    except ConfigError as exc:
        raise ConfigError(_name_entry(str(exc), data)) from None
    seen: dict[str, int] = {}
    for i, action in enumerate(parsed.actions):
        name = f"(action {action.id!r})"
        if action.id in seen:
            raise ConfigError(
                f"{where(path, lines, ('actions', i, 'id'))} {name}: {action.id!r} is already "
                f"the id of the action on line {lines.get(('actions', seen[action.id], 'id'))}; "
                "give each action its own id"
            )
        seen[action.id] = i
        problem = action_problem(action, definitions=definitions, calendar=calendar)
        if problem is not None:
            keys, message = problem
            raise ConfigError(f"{where(path, lines, ('actions', i, *keys))} {name}: {message}")
    return Actions(tuple(parsed.actions), path=str(path))


# --- writing -------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Lists indented under their key (``actions:`` then ``  - id: ...``)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        """Never indentless."""
        super().increase_indent(flow, False)


def _entry(action: Action) -> dict[str, object]:
    out: dict[str, object] = {}
    for name in FIELDS:
        value = getattr(action, name)
        if value is None:
            continue
        if isinstance(value, DecidedIn):
            value = {"review": value.review, "period": value.period}
        out[name] = dict(value) if isinstance(value, dict) else value
    return out


def actions_yaml(actions: Actions | Sequence[Action], *, lang: str = "en") -> str:
    """The text of ``params/actions.yml`` for ``actions``: the header, then one block each."""
    header = "".join(f"# {line}".rstrip() + "\n" for line in t("actions.header", lang).split("\n"))
    entries = [_entry(a) for a in actions]
    if not entries:
        return f"{header}\nactions: []\n"
    body = yaml.dump(
        {"actions": entries},
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=None,
        width=1_000_000,
    )
    body = re.sub(r"\n(?=  - )", "\n\n", body).replace("actions:\n\n", "actions:\n", 1)
    return f"{header}\n{body}"


def save_actions(actions: Actions | Sequence[Action], path: Path, *, lang: str = "en") -> None:
    """Write ``actions`` to ``path`` atomically (see :func:`actions_yaml`).

    The layout is fixed (the header comment, fields in model order, a blank line between
    actions), so the file reads back to the same actions and a re-save changes nothing;
    comments inside entries are not kept. ``lang`` is the header's language.
    """
    write_text_atomic(Path(path), actions_yaml(actions, lang=lang))


# --- proposals -----------------------------------------------------------------------------


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def proposal_effect(record: Mapping[str, Any], *, lang: str, currency: str) -> str | None:
    """``+12 MQL/month (≈¥3.4M revenue)`` from a proposal's expected people, unit and revenue.

    The expected revenue (``expected_yen``) is in ``currency``, the workspace's.
    """
    people, revenue = _number(record.get("expected_people")), _number(record.get("expected_yen"))
    if people is None or people <= 0:
        return None
    unit = str(record.get("expected_unit") or "")
    shown = format_count(people, lang=lang)
    if revenue is None or revenue <= 0:
        return t("actions.effect_people", lang, people=shown, unit=unit)
    amount = format_money(revenue, currency=currency, lang=lang)
    return t("actions.effect", lang, people=shown, unit=unit, amount=amount)


def action_from_proposal(
    record: Mapping[str, Any],
    *,
    start: dt.date,
    due: dt.date,
    currency: str,
    action_id: str | None = None,
) -> Action:
    """The action that adopts a monthly proposal (a record of ``proposals.json``).

    Parameters
    ----------
    record
        The columns of :data:`reviewkit.analysis.proposals.PROPOSAL_COLUMNS` plus ``period`` (the
        month reviewed, e.g. ``2026-10``) and ``lang``.
    start, due
        When the action starts and is due.
    currency
        The workspace's currency (ISO 4217), that the proposal's expected revenue is in.
    action_id
        The action's id; default: the proposal id.

    Returns
    -------
    Action
        Open, decided in the monthly review of the proposal's period, with the proposal's
        title (``action``), family, KPI, segment (``dims`` and ``values``; ``None`` values
        dropped), owner and expected effect in words.

    Raises
    ------
    ParameterError
        If the record lacks a field the action needs or has a bad value, or its segment was
        redacted (it held contact data).
    """
    lang = str(record.get("lang") or "en")
    lang = lang if lang in LANGS else "en"
    dims, values = record.get("dims") or [], record.get("values") or []
    segment = {str(d): str(v) for d, v in zip(dims, values, strict=False) if v is not None}
    proposal_id = record.get("proposal_id")
    if any(PLACEHOLDER in v for v in segment.values()):
        raise ParameterError(
            f"proposal {proposal_id!r}: its segment held an e-mail address or phone number, "
            "redacted in proposals.json, so the action could not find its people; add it by "
            "hand: reviewkit action add --title ... --segment COLUMN=VALUE"
        )
    fields = {
        "id": action_id or proposal_id,
        "title": record.get("action"),
        "family": record.get("family"),
        "kpi": record.get("kpi"),
        "segment": segment or None,
        "owner": record.get("owner"),
        "decided_in": {"review": "monthly", "period": record.get("period")},
        "start": start,
        "due": due,
        "status": "open",
        "expected_effect": proposal_effect(record, lang=lang, currency=currency),
        "proposal_id": proposal_id,
    }
    return make_action(fields, source=f"proposal {proposal_id!r}")


def find_proposal(outputs_dir: Path, proposal_id: str, *, lang: str | None = None) -> dict:
    """The record of ``proposal_id`` in the monthly packs' ``proposals.json`` files.

    Looks in ``<outputs>/monthly/*/proposals.json`` and ``<outputs>/monthly/*/*/proposals.json``
    (language folders). When several packs have it, the one in ``lang`` wins, then the newest.

    Raises
    ------
    ParameterError
        If no file has it: naming the id, where it looked and the fix.
    DataError
        If a ``proposals.json`` is not a JSON list.
    """
    root = Path(outputs_dir)
    files = sorted({f for pattern in PROPOSAL_GLOBS for f in root.glob(pattern)})
    found: list[tuple[Path, dict]] = []
    known: list[str] = []
    for file in files:
        try:
            records = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DataError(
                f"{file}: not a readable proposals file ({exc}); rebuild the monthly pack: "
                "reviewkit run monthly"
            ) from None
        if not isinstance(records, list):
            raise DataError(
                f"{file}: a proposals file is a JSON list of proposals (got "
                f"{type(records).__name__}); rebuild the monthly pack: reviewkit run monthly"
            )
        for record in records:
            if isinstance(record, dict):
                known.append(str(record.get("proposal_id")))
                if record.get("proposal_id") == proposal_id:
                    found.append((file, record))
    if not found:
        looked = " and ".join(str(root / pattern) for pattern in PROPOSAL_GLOBS)
        raise ParameterError(
            f"proposal {proposal_id!r}: not found in {len(files)} proposals.json file(s) "
            f"({looked}){_hint(proposal_id, known)}; check the id in the monthly pack's "
            "proposals, or build the monthly pack first: reviewkit run monthly"
        )
    found.sort(key=lambda item: (item[1].get("lang") != lang, -item[0].stat().st_mtime))
    return dict(found[0][1])


# --- helpers of the command line -------------------------------------------------------------


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
