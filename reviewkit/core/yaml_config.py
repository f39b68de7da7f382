"""Reading YAML configuration so that every error can name the file, key path and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from reviewkit.core.yaml_guard import check_events, check_tree, raise_bad_value, read_config_text
from reviewkit.errors import ConfigError

Lines = dict[tuple[str | int, ...], int]
M = TypeVar("M", bound=BaseModel)


def _walk(node: yaml.Node, path: tuple[str | int, ...], lines: Lines) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, str(key.value))
            lines[child] = key.start_mark.line + 1
            _walk(value, child, lines)
            lines[child] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines)


# libyaml's parser when PyYAML has it: several times faster than the pure-Python one.
_FAST_LOADER: type[yaml.SafeLoader] | None = getattr(yaml, "CSafeLoader", None)


def _parse(
    text: str, source: Path | str = "<text>", loaders: list[type[yaml.SafeLoader]] | None = None
) -> tuple[Any, yaml.Node | None]:
    """The data and the node tree of a YAML text, parsed once.

    The same as ``yaml.safe_load`` and ``yaml.compose``; libyaml parses it when it can. A text
    libyaml refuses is parsed again by PyYAML, whose error message (and line) is the one
    shown, so messages do not depend on how PyYAML was built. Before anything is built, the
    text's nesting, its aliases and its keys are checked (:mod:`reviewkit.core.yaml_guard`).
    """
    if loaders is None:
        loaders = [yaml.SafeLoader] if _FAST_LOADER is None else [_FAST_LOADER, yaml.SafeLoader]
    check_events(text, source, loaders[0])
    for loader_class in loaders:
        loader = loader_class(text)
        try:
            node = loader.get_single_node()
            check_tree(node, source)
            try:
                return (None if node is None else loader.construct_document(node)), node
            except (ValueError, OverflowError) as exc:  # e.g. 2026-02-30, built as a date
                raise_bad_value(node, source, exc)
        except yaml.YAMLError:
            if loader_class is loaders[-1]:
                raise
        finally:
            loader.dispose()
    raise AssertionError("unreachable: the pure-Python loader raises or returns")


def read_yaml(path: Path, *, loader: type[yaml.SafeLoader] | None = None) -> tuple[Any, Lines]:
    """Read a YAML file and the line of every key path in it.

    Parameters
    ----------
    path
        The file.
    loader
        A :class:`yaml.SafeLoader` subclass to parse with (e.g. one that keeps dates as
        text); default: libyaml's, else PyYAML's.

    Returns
    -------
    tuple
        The data, and ``{(key, index, ...): line}`` (1-based).

    Raises
    ------
    ConfigError
        If the file is missing, a folder, too large, not UTF-8 or not valid YAML, nests too
        deeply, holds an alias bomb or a key given twice, naming the line.
    """
    text = read_config_text(path)
    try:
        data, node = _parse(text, path, None if loader is None else [loader])
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context, start = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and start is not None and mark is not None and start.line != mark.line:
            problem += f"; {context} that starts on line {start.line + 1}"
        raise ConfigError(f"{path}{where}: not valid YAML ({problem}); fix the syntax") from None
    lines: Lines = {}
    if node is not None:
        _walk(node, (), lines)
    return data, lines


def load_text(text: str, *, source: str) -> Any:
    """``yaml.safe_load(text)`` with the checks of :func:`read_yaml` (nesting, aliases, keys).

    Raises
    ------
    yaml.YAMLError
        If ``text`` is not valid YAML (the caller may take it as plain text).
    ConfigError
        If it nests too deeply, holds an alias bomb or a key given twice, naming ``source``.
    """
    return _parse(text, source)[0]


def line_of(lines: Lines, path: tuple[str | int, ...]) -> int | None:
    """The line of ``path``, or of its nearest parent that has one."""
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


def where(path: Path, lines: Lines, keys: tuple[str | int, ...]) -> str:
    """``file:line: key.path`` for an error message."""
    line = line_of(lines, keys)
    dotted = ".".join(str(k) for k in keys) or "(top level)"
    return f"{path}{f':{line}' if line else ''}: {dotted}"


def validate_model(model: type[M], path: Path, data: Any, lines: Lines) -> M:
    """Validate ``data`` with ``model``; a failure becomes one :class:`ConfigError` line.

    The message names the file, line and key path of the first problem, the bad value, what is
    allowed, and how many more problems there are.
    """
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        keys: tuple[str | int, ...] = ()
        for k in first["loc"]:
            # a tagged union inside a list adds the tag to the location: not a key of the file
            if str(k).startswith("function-") or (
                k in _UNION_TAGS and keys and isinstance(keys[-1], int)
            ):
                continue
            keys = (*keys, k)
        keys, message, value = _problem(first, keys)
        shown = (
            ""
            if value is _UNSHOWN
            or isinstance(value, dict | list)
            or (isinstance(value, str) and repr(value) in message)
            else f" (got {value!r})"
        )
        more = f"; {len(errors) - 1} more problem(s) after this one" if len(errors) > 1 else ""
        raise ConfigError(f"{where(path, lines, keys)}: {message}{shown}{more}") from None


_UNSHOWN = object()  # a problem whose message already says what is there

# What to write for a missing key, in the fix of the message.
_EXAMPLES = {
    "label": "{ja: ..., en: ...}",
    "description": "{ja: ..., en: ...}",
    "ja": "<Japanese text>",
    "en": "<English text>",
}


def _problem(error: Any, keys: tuple[str | int, ...]) -> tuple[tuple[str | int, ...], str, Any]:
    """The key path, the problem and the fix in words, and the bad value of a pydantic error."""
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind == "missing" and keys:
        name = str(keys[-1])
        found = f" (found: {', '.join(map(str, value))})" if isinstance(value, dict) else ""
        example = _EXAMPLES.get(name, "...")
        return keys, f"{name} is missing{found}; add `{name}: {example}`", _UNSHOWN
    if kind == "extra_forbidden" and keys:
        return keys, f"{keys[-1]} is not a known key here; remove it or correct its spelling", value
    if kind == "literal_error":
        return keys, f"not an allowed value; use {ctx.get('expected')}", value
    if kind == "union_tag_invalid":
        field = str(ctx.get("discriminator", "type")).strip("'")
        tag = ctx.get("tag")
        return (*keys, field), f"{tag!r} is unknown; use one of {ctx.get('expected_tags')}", tag
    if kind == "union_tag_not_found":
        field = str(ctx.get("discriminator", "type")).strip("'")
        return keys, f"{field} is missing; add `{field}: ...`", _UNSHOWN
    return keys, message, value


# pydantic puts the chosen member of a tagged union into the error location; users never
# wrote those words, so they are dropped from the key path.
_UNION_TAGS = {
    "conversion",
    "win_rate",
    "average_deal_size",
    "sales_cycle",
    "pipeline_coverage",
    "speed_to_lead",
    "sla",
    "cost_per",
    "revenue",
    "EventStage",
    "RuleStage",
}
