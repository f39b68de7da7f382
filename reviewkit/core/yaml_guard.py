"""Guards for reading YAML configuration: size, encoding, nesting, aliases and duplicate keys.

A configuration file is written by a person, so every limit here is far above what one needs,
and each refusal is one line naming the file (and line), what was found, the limit and the fix:

- the file: missing, a folder, not a regular file, larger than :data:`MAX_BYTES`, binary, or
  not UTF-8 (Shift_JIS/CP932 and UTF-16 are recognised by name);
- the text: nested deeper than :data:`MAX_DEPTH` (checked on the parser's events, before any
  recursive step: libyaml's composer crashes the process on a very deep text);
- the node tree: aliases that expand to more than :data:`MAX_ALIAS_NODES` nodes (a "billion
  laughs" bomb is refused in milliseconds, before anything is built from it), an alias that
  contains itself, and a key given twice in one mapping (YAML would keep the last silently).
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import NoReturn

import yaml

from reviewkit.errors import ConfigError

#: The largest configuration file read (a targets file of every month and segment is < 1 MB).
MAX_BYTES = 10 * 1024 * 1024
#: How deeply collections may nest.
MAX_DEPTH = 64
#: How many nodes aliases (``*name``) may add to a document when expanded.
MAX_ALIAS_NODES = 100_000

_MERGE_TAG = "tag:yaml.org,2002:merge"
_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
_FIX_UTF8 = "save it as UTF-8 (in Excel or an editor: Save As, encoding UTF-8)"


def read_config_text(path: Path) -> str:
    """The text of a configuration file, checked before it is parsed.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    str
        The text (a UTF-8 byte-order mark removed).

    Raises
    ------
    ConfigError
        If the file is missing, a folder or not a regular file, larger than
        :data:`MAX_BYTES`, binary, or not UTF-8 (naming the encoding it looks like).
    """
    try:
        if path.is_dir():
            raise ConfigError(
                f"{path}: is a folder, not a YAML file; point at the .yml file inside it"
            )
        if not path.exists():
            raise ConfigError(f"{path}: file not found; create it or run `reviewkit init`")
        if not path.is_file():
            raise ConfigError(f"{path}: not a regular file; give a .yml file")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ConfigError(
                f"{path}: {size:,} bytes is too large for a configuration file (at most "
                f"{MAX_BYTES:,}); check that this is the right file"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"{path}: cannot be read ({exc.strerror or exc}); check the path and its permissions"
        ) from None
    return decode_config(data, path)


def decode_config(data: bytes, path: Path | str) -> str:
    """``data`` as UTF-8 text, or a :class:`ConfigError` naming the encoding it looks like."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            raise ConfigError(
                f"{path}: the file is {name} (byte-order mark), not UTF-8 text; {_FIX_UTF8}"
            )
    if b"\x00" in data[:8192]:
        raise ConfigError(
            f"{path}: holds NUL bytes: a binary file (or UTF-16 without a byte-order mark), not "
            f"YAML text; check that this is the right file, or {_FIX_UTF8}"
        )
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        if _looks_japanese(data):
            looks = "the file looks like Shift_JIS (CP932), not UTF-8 text"
        else:
            looks = f"byte 0x{data[exc.start]:02x}: not UTF-8 text"
        raise ConfigError(f"{path}:{line}: {looks}; {_FIX_UTF8}") from None


def _looks_japanese(data: bytes) -> bool:
    """Whether ``data`` reads as CP932 text with kana or kanji (and no private-use signs)."""
    try:
        text = data.decode("cp932")
    except UnicodeDecodeError:
        return False
    japanese = any("\u3040" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff" for c in text)
    return japanese and not any("\ue000" <= c <= "\uf8ff" for c in text)


def check_events(text: str, path: Path | str, loader: type[yaml.SafeLoader]) -> None:
    """Refuse a text nested deeper than :data:`MAX_DEPTH`, from the parser's events.

    The event parser keeps its own stack (no recursion), so this is safe on any text; a
    syntax error is left for the caller's parse to report.
    """
    parser = loader(text)
    depth = 0
    try:
        while (event := parser.get_event()) is not None:
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    line = event.start_mark.line + 1 if event.start_mark else 0
                    raise ConfigError(
                        f"{path}:{line}: collections nested more than {MAX_DEPTH} levels deep; "
                        "a configuration file needs a few: check that this is the right file"
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return
    finally:
        parser.dispose()


def check_tree(node: yaml.Node | None, path: Path | str) -> None:
    """Refuse alias bombs, self-containing aliases and keys given twice in a node tree.

    Every distinct collection is visited once (aliases share nodes) and scalars are counted
    where they stand, so this takes time in the size of the text, however large the aliases
    would expand.

    Raises
    ------
    ConfigError
        Naming the file, the line, what was found, the limit and the fix.
    """
    if node is None or isinstance(node, yaml.ScalarNode):
        return
    expanded: dict[int, int] = {}  # id(collection) -> values when expanded, itself included
    deepest: dict[int, int] = {}  # id(collection) -> levels of collections when expanded
    distinct = 0  # the values as written: each collection once, each scalar where it stands
    open_: set[int] = set()  # the collections being visited: an alias to one is a loop
    stack: list[tuple[yaml.Node, tuple[str | int, ...], bool]] = [(node, (), False)]
    while stack:
        current, keys, done = stack.pop()
        ident = id(current)
        if done:
            open_.discard(ident)
            size, depth = 1, 0
            for child in _children(current):
                if type(child) is not yaml.ScalarNode:
                    size += expanded[id(child)]
                    depth = max(depth, deepest[id(child)])
                else:
                    size += 1
            expanded[ident], deepest[ident] = size, depth + 1
            if depth >= MAX_DEPTH:
                raise ConfigError(
                    f"{path}:{current.start_mark.line + 1}: aliases (*name) nest collections "
                    f"more than {MAX_DEPTH} levels deep; write the values out"
                )
            continue
        if ident in expanded:
            continue
        distinct += 1
        open_.add(ident)
        stack.append((current, keys, True))
        if isinstance(current, yaml.MappingNode):
            _check_keys(current, keys, path)
            pairs: list[tuple[yaml.Node, str | int]] = [(k, "<key>") for k, _ in current.value] + [
                (v, str(k.value)) for k, v in current.value
            ]
        else:
            pairs = list(zip(current.value, range(len(current.value)), strict=True))
        for child, key in reversed(pairs):
            if type(child) is yaml.ScalarNode:
                distinct += 1
            elif id(child) in open_:
                raise ConfigError(
                    f"{path}:{child.start_mark.line + 1}: an alias refers to a collection that "
                    "contains it (a loop); replace the alias with the values it stands for"
                )
            else:
                stack.append((child, (*keys, key), False))
    total = expanded[id(node)]
    if total - distinct > MAX_ALIAS_NODES:
        raise ConfigError(
            f"{path}: aliases (*name) expand {distinct:,} values as written to {total:,}, "
            f"more than {MAX_ALIAS_NODES:,} added (an alias bomb); write the values out, or use "
            "fewer nested aliases"
        )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return list(node.value)


def _check_keys(node: yaml.MappingNode, keys: tuple[str | int, ...], path: Path | str) -> None:
    seen: dict[str, int] = {}  # by the text written: `1:` and `"1":` are one key to a person
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.tag == _MERGE_TAG:
            continue
        name, line = str(key.value), key.start_mark.line + 1
        if name in seen:
            dotted = ".".join(map(str, (*keys, key.value)))
            raise ConfigError(
                f"{path}:{line}: {dotted}: {key.value!r} is given twice (first on line "
                f"{seen[name]}); keep one"
            )
        seen[name] = line


def raise_bad_value(node: yaml.Node | None, path: Path | str, exc: Exception) -> NoReturn:
    """Raise one line for a value YAML reads but cannot build (a date such as 2026-02-30).

    The scalar that fails is found again to name its line.
    """
    loader = yaml.SafeLoader("")
    stack = [node] if node is not None else []
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, yaml.ScalarNode):
            try:
                loader.construct_object(current, deep=True)
            except (ValueError, OverflowError) as found:
                what = (
                    "is a date that does not exist"
                    if "timestamp" in current.tag
                    else ("cannot be read")
                )
                raise ConfigError(
                    f"{path}:{current.start_mark.line + 1}: {current.value!r} {what} ({found}); "
                    "write a date that exists as YYYY-MM-DD, or quote the value"
                ) from None
        else:
            stack += reversed(_children(current))
    raise ConfigError(
        f"{path}: a value cannot be read ({exc}); write each date as YYYY-MM-DD"
    ) from None
