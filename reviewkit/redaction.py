"""Keep personal contact data and secrets out of what reviewkit publishes.

A pack is shown on a screen in a meeting and mailed around afterwards, so it carries no e-mail
addresses or phone numbers: :class:`RedactPreprocessor` replaces them in every output of the
notebook being rendered (and in markdown cells) with :data:`PLACEHOLDER`. Numbers that only look
numeric (``1,234,567``, ``2026-11-23``, ``12.5%``, ``1億6,700万円``, ``¥167.0M``) are left
alone: a phone number needs its separators (``03-1234-5678``, ``(03) 1234-5678``,
``090-1234-5678``, ``415-555-0100``) or a leading ``+`` and country code
(``+81 3 1234 5678``), and the right number of digits.

:func:`mask_secrets` masks parameter values whose names look secret (``db_password``,
``api_token``, ``aws_secret_access_key``) before a manifest records them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from nbconvert.preprocessors import Preprocessor

PLACEHOLDER = "[redacted]"
MASK = "***"

# Local part in ASCII (so that Japanese text just before an address survives), ``@`` or the
# full-width ``＠``, then dot-separated labels ending in an alphabetic top-level domain (in one
# case: mixed-case "domains" are encoded data, such as parser tables in a script).
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+[@＠](?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+"
    r"(?:[a-z]{2,63}|[A-Z]{2,63})(?![\w\-])"
)

_SEP = r"[ \-.\u2010\u2011\uFF0D]"  # space, hyphen, dot, Unicode and full-width hyphens
# Not glued to a word, a ``+`` or ``/``, or to a number it continues (``2026-03-...``).
_START = r"(?<![0-9A-Za-z+/])(?<![0-9][\-./:,])"
_END = r"(?![0-9A-Za-z])(?![\-./:,][0-9])"
_PHONE = re.compile(
    _START
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


def _digits(text: str) -> int:
    return sum(c.isdigit() for c in text)


def _phone(match: re.Match[str]) -> str:
    if match["intl"] is not None:
        ok = 8 <= _digits(match["intl"]) <= 15  # E.164: at most 15 digits
    elif match["jp"] is not None:
        ok = 10 <= _digits(match["jp"]) <= 11  # 03-1234-5678, 090-1234-5678, 0120-123-456
    else:
        ok = True
    return PLACEHOLDER if ok else match[0]


def redact_text(text: str) -> str:
    """Replace every e-mail address and phone number in ``text`` with :data:`PLACEHOLDER`."""
    if not text:
        return text
    text = _EMAIL.sub(PLACEHOLDER, text)
    return _PHONE.sub(_phone, text)


def _redact_value(value: Any) -> Any:
    """Redact a string, a list of strings (nbformat's split lines) or parsed JSON."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, list):
        return [_redact_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _redact_value(v) for k, v in value.items()}
    return value


def _is_text(mimetype: str) -> bool:
    return (
        mimetype.startswith("text/")
        or mimetype == "image/svg+xml"
        or mimetype == "application/json"
        or mimetype.endswith("+json")
    )


class RedactPreprocessor(Preprocessor):
    """Replace e-mail addresses and phone numbers in a notebook's outputs before rendering.

    Covers ``text/plain``, ``text/html`` and every other text output (markdown, SVG, JSON such
    as chart specifications), stream text, error messages and markdown cells. Binary outputs
    (PNG and the like) are left as they are.
    """

    def preprocess_cell(self, cell: Any, resources: Any, index: int) -> tuple[Any, Any]:
        """Redact one cell in place."""
        if cell.cell_type == "markdown":
            cell.source = _redact_value(cell.source)
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            if kind == "stream":
                output["text"] = _redact_value(output.get("text", ""))
            elif kind in ("display_data", "execute_result"):
                data = output.get("data", {})
                for mimetype in list(data):
                    if _is_text(mimetype):
                        data[mimetype] = _redact_value(data[mimetype])
            elif kind == "error":
                output["evalue"] = _redact_value(output.get("evalue", ""))
                output["traceback"] = _redact_value(output.get("traceback", []))
        return cell, resources


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
