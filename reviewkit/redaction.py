r"""Keep personal contact data and secrets out of what reviewkit publishes.

A pack is shown on a screen in a meeting and mailed around afterwards, and everything next to
it (the executed notebook, the manifest, proposals, draft targets, the index, the batch log) is
published with it, so none of it carries e-mail addresses or phone numbers: :func:`redact_text`
replaces them with :data:`PLACEHOLDER`, :func:`redact_data` does so in parsed JSON (every
string, keys too; binary outputs such as PNG are left alone) and :func:`redact_notebook` in a
whole notebook (sources, outputs, metadata such as widget state). :mod:`reviewkit.published`
applies them to every file before it is published, and
:class:`reviewkit.rendering.RedactPreprocessor` to a notebook being rendered into a pack.

Numbers that only look numeric (``1,234,567``, ``2026-11-23``, ``12.5%``, ``1億6,700万円``,
``¥167.0M``, ``+12.345.678``) are left alone: a phone number needs its separators
(``03-1234-5678``, ``(03) 1234-5678``, ``090-1234-5678``, ``415-555-0100``) or a leading ``+``
and country code (``+81 3 1234 5678``), and the right number of digits. Text inside JSON (a
chart's specification in a page) is read through its escapes: ``\u003cjane@example.com``
loses the address, not the escape.

:func:`mask_secrets` masks parameter values whose names look secret (``db_password``,
``api_token``, ``aws_secret_access_key``) before a manifest records them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

PLACEHOLDER = "[redacted]"
MASK = "***"

# Where a match may start although the character before it is a letter or digit: just after a
# JSON escape (``\u003c`` for "<", ``\n``), as in a chart's specification inside a page.
_AFTER_ESCAPE = r"(?<=\\u[0-9A-Fa-f]{4})|(?<=\\[nrtbf])"
# Local part in ASCII (so that Japanese text just before an address survives), ``@`` or the
# full-width ``＠``, then dot-separated labels ending in an alphabetic top-level domain (in one
# case: mixed-case "domains" are encoded data, such as parser tables in a script), which may
# be followed by Japanese text (``taro@example.jpの``). A match never starts inside a JSON
# escape (the ``u003c`` of ``\u003c``).
_EMAIL = re.compile(
    # (each pattern opens with a lookahead on its first character: a quick test that lets
    # the engine pass over most positions of a long text)
    r"(?=[A-Za-z0-9._%+\-])"
    rf"(?:{_AFTER_ESCAPE}|(?<![A-Za-z0-9._%+\-]))(?!(?<=\\)(?:u[0-9A-Fa-f]{{4}}|[nrtbf]))"
    r"[A-Za-z0-9._%+\-]+[@＠](?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+"
    r"(?:[a-z]{2,63}|[A-Z]{2,63})(?![A-Za-z0-9_\-])"
)

_SEP = r"[ \-.\u2010\u2011\uFF0D]"  # space, hyphen, dot, Unicode and full-width hyphens
# Not glued to a word, a ``+`` or ``/``, or to a number it continues (``2026-03-...``).
_START = rf"(?:{_AFTER_ESCAPE}|(?<![0-9A-Za-z+/]))(?<![0-9][\-./:,])"
_END = r"(?![0-9A-Za-z])(?![\-./:,][0-9])"
_PHONE = re.compile(
    r"(?=[+(0-9])"
    + _START
    + r"(?:"
    # International: +country code, then two to five separated groups, e.g. (0)3 or (415)555.
    # Unseparated digits (+16777216) are left alone: they are as likely arithmetic in code.
    + r"(?P<intl>\+\d{1,3}(?:[ \-.]?\(\d{1,4}\)\d{0,4}|[ \-.]\d{1,5}){2,5})"
    # Japanese domestic: 0 + area code (maybe in parentheses), local exchange, subscriber.
    + rf"|(?P<jp>(?:\(0\d{{1,4}}\)[ ]?|0\d{{1,4}}{_SEP})\d{{1,4}}{_SEP}\d{{3,4}})"
    # North American: (415) 555-0100, 415-555-0100, 415.555.0100.
    + r"|(?P<nanp>(?:\(\d{3}\)[ ]?|\d{3}[\-.])\d{3}[\-.]\d{4})"
    + r")"
    + _END
)
# A signed number in thousands: +12.345.678, +12 345 678 (every group of three digits).
_GROUPED = re.compile(r"\+\d{1,3}(?P<sep>[ .])\d{3}(?:(?P=sep)\d{3})+")


def _digits(text: str) -> int:
    return sum(c.isdigit() for c in text)


def _phone(match: re.Match[str]) -> str:
    if match["intl"] is not None:
        number = match["intl"]
        # E.164: at most 15 digits
        ok = 8 <= _digits(number) <= 15 and not _GROUPED.fullmatch(number)
    elif match["jp"] is not None:
        ok = 10 <= _digits(match["jp"]) <= 11  # 03-1234-5678, 090-1234-5678, 0120-123-456
    else:
        ok = True
    return PLACEHOLDER if ok else match[0]


def redact_text(text: str) -> str:
    """Replace every e-mail address and phone number in ``text`` with :data:`PLACEHOLDER`.

    Parameters
    ----------
    text
        Any text: a table cell, an error message, a whole page or log.

    Returns
    -------
    str
        ``text`` with each address and number replaced, everything around them unchanged:
        ``"Call 03-1234-5678 (taro@example.jp)"`` -> ``"Call [redacted] ([redacted])"``.
    """
    if not text:
        return text
    if "@" in text or "＠" in text:
        text = _EMAIL.sub(PLACEHOLDER, text)
    return _PHONE.sub(_phone, text)


def has_contact_data(text: str) -> bool:
    """Whether ``text`` holds an e-mail address or phone number (:func:`redact_text` changes it)."""
    return redact_text(text) != text


def is_text_mimetype(mimetype: str) -> bool:
    """Whether a notebook output of ``mimetype`` is text (redacted), not binary (left alone)."""
    return (
        mimetype.startswith("text/")
        or mimetype == "image/svg+xml"
        or mimetype == "application/json"
        or mimetype.endswith("+json")
    )


_MIMETYPE = re.compile(r"[a-z]+/[A-Za-z0-9.+\-]+")


def _binary(key: object) -> bool:
    """Whether ``key`` names a binary mimetype (``image/png``): its value is base64 data."""
    return isinstance(key, str) and bool(_MIMETYPE.fullmatch(key)) and not is_text_mimetype(key)


def redact_data(value: Any) -> Any:
    """A copy of ``value`` (parsed JSON or YAML) with every string redacted, keys too.

    The value of a binary mimetype key (``"image/png": "iVBOR..."``, as in a notebook's
    outputs and attachments) is kept as it is. Numbers, booleans and ``None`` are kept.

    Parameters
    ----------
    value
        A string, a list, a mapping (a notebook node, a manifest) or a scalar.

    Returns
    -------
    Any
        The same structure; ``{"owner": "taro@example.jp", "n": 3}`` ->
        ``{"owner": "[redacted]", "n": 3}``.
    """
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, list | tuple):
        return [redact_data(v) for v in value]
    if isinstance(value, Mapping):
        return {
            (redact_text(k) if isinstance(k, str) else k): (v if _binary(k) else redact_data(v))
            for k, v in value.items()
        }
    return value


def redact_notebook(notebook: Mapping[str, Any]) -> Any:
    """A redacted copy of a notebook: what is published next to a pack.

    Every cell's source (markdown, code, raw: the injected parameters too), every output
    (stream, text, HTML, markdown, JSON such as chart specifications and widget views, error
    names, messages and tracebacks), attachments' text and all metadata (the notebook's
    widget state, papermill's parameters and exception) go through :func:`redact_text`;
    binary outputs (PNG, JPEG, PDF) are kept as they are.

    Parameters
    ----------
    notebook
        A notebook (an ``nbformat.NotebookNode`` or its parsed JSON).

    Returns
    -------
    nbformat.NotebookNode
        The redacted copy; ``notebook`` is left unchanged.
    """
    import nbformat

    return nbformat.from_dict(redact_data(notebook))


def __getattr__(name: str) -> Any:
    """``RedactPreprocessor`` (now in :mod:`reviewkit.rendering`: nbconvert loads only there)."""
    if name == "RedactPreprocessor":
        from reviewkit.rendering import RedactPreprocessor

        return RedactPreprocessor
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_SECRET_NAME = re.compile(
    r"password|passwd|secret|token|api_?key|(?:access|private|signing|encryption)_key"
    r"|credential",
    flags=re.IGNORECASE,
)


def is_secret_name(name: str) -> bool:
    """Whether a parameter called ``name`` holds a secret (``db_password``, ``api_key``)."""
    return bool(_SECRET_NAME.search(name))


def mask_secrets(values: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``values`` with the value of every secret-looking name (nested too) as ``***``.

    Parameters
    ----------
    values
        Parameter names and values, e.g. a template's parameters.

    Returns
    -------
    dict
        A copy; ``{"api_token": "abc", "lang": "ja"}`` -> ``{"api_token": "***", "lang": "ja"}``.
    """

    def masked(value: Any) -> Any:
        if isinstance(value, Mapping):
            return mask_secrets(value)
        if isinstance(value, list | tuple):
            return [masked(v) for v in value]
        return value

    return {
        name: MASK if is_secret_name(str(name)) else masked(value) for name, value in values.items()
    }
