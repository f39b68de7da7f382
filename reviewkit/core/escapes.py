r"""Show untrusted text (file names, sheet names, cell values) safely on a terminal.

A file name or a cell may hold control characters: an ANSI escape sequence (``\x1b[2J``
clears the screen, ``\x1b]8;;...`` makes a link), a carriage return that overwrites the line
before it, a line break that splits one message into two, or a Unicode direction override that
shows ``txt.exe`` as ``exe.txt``. :func:`escape_controls` writes each of them as a visible
escape (``\x1b``, ``\r``, ``\n``, ``\u202e``), so every message stays one honest line.
"""

from __future__ import annotations

import re

__all__ = ["escape_controls", "quoted", "shorten"]

# C0 controls, DEL, C1 controls, and the invisible format characters that reorder or hide
# text: direction marks, embeddings, overrides and isolates, zero-width characters, the BOM.
_CONTROLS = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064"
    "\u2066-\u2069\ufeff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: object) -> str:
    r"""``text`` (a string, a path, any value) with every control character escaped.

    Parameters
    ----------
    text : object
        What to show; a path is shown as written, anything else with ``str()``.

    Returns
    -------
    str
        The text with control and invisible formatting characters written as escapes
        (``\x1b``, ``\n``, ``\u202e``); printable text, Japanese included, is unchanged.

    Examples
    --------
    >>> escape_controls("evil\x1b[31mred.csv")
    'evil\\x1b[31mred.csv'
    """
    return _CONTROLS.sub(_escape, str(text))


def shorten(text: str, *, limit: int = 60) -> str:
    """``text`` on one line, escaped, cut to ``limit`` characters with an ellipsis.

    Parameters
    ----------
    text : str
        The text (a cell, a footer line).
    limit : int
        The most characters kept (the ellipsis included).

    Returns
    -------
    str
        Whitespace runs as one space, control characters escaped, at most ``limit`` long.
    """
    one = escape_controls(" ".join(text.split()))
    return one if len(one) <= limit else one[: max(1, limit - 1)] + "…"


def quoted(text: object) -> str:
    """``text`` escaped (:func:`escape_controls`) in single quotes, for a message.

    Parameters
    ----------
    text : object
        A file, sheet or column name, or a value.

    Returns
    -------
    str
        ``'name'`` with control characters escaped; unlike ``repr``, an escape already made is
        not doubled, so the text reads the same however often it is quoted.
    """
    return f"'{escape_controls(text)}'"
