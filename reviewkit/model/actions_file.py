"""Reading and writing the actions register, params/actions.yml, with each problem named by line.

The model of one action and the register itself are :mod:`reviewkit.model.actions`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from reviewkit.core.atomic import write_text_atomic
from reviewkit.core.periods import (
    FiscalCalendar,
)
from reviewkit.core.yaml_config import Lines, read_yaml, validate_model, where
from reviewkit.errors import ConfigError
from reviewkit.i18n.texts import t
from reviewkit.model.action_fields import suggest
from reviewkit.model.actions import (
    DECIDED_IN_FIELDS,
    FIELDS,
    FILE_NAME,
    Action,
    Actions,
    ActionsFile,
    DecidedIn,
    action_problem,
)

if TYPE_CHECKING:
    from reviewkit.core.workspace import Workspace
    from reviewkit.model.definitions import Definitions


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
                    f"field of an action{suggest(key, FIELDS)}; the fields are "
                    f"{', '.join(FIELDS)}: correct the spelling, or put the words in title, "
                    "expected_effect or outcome"
                )
        decided = entry.get("decided_in")
        for key in decided if isinstance(decided, dict) else ():
            if key not in DECIDED_IN_FIELDS:
                raise ConfigError(
                    f"{where(path, lines, ('actions', i, 'decided_in', str(key)))} ({name}): "
                    f"{key!r} is not a key of decided_in{suggest(key, DECIDED_IN_FIELDS)}; write "
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
