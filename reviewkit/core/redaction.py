r"""Keep personal contact data and secrets out of what reviewkit publishes.

A pack is shown on a screen in a meeting and mailed around afterwards, and everything next to
it (the executed notebook, the manifest, proposals, draft targets, the index, the batch log) is
published with it, so none of it carries e-mail addresses or phone numbers: :func:`redact_text`
replaces them with :data:`PLACEHOLDER`, :func:`redact_data` does so in parsed JSON (every
string, keys too; binary outputs such as PNG are left alone) and :func:`redact_notebook` in a
whole notebook (sources, outputs, metadata such as widget state). :mod:`reviewkit.core.published`
applies them to every file before it is published, and
:class:`reviewkit.pack.render.RedactPreprocessor` to a notebook being rendered into a pack.

Addresses are found in any script context: glued to Japanese text (``担当はjohn@example.comです``
loses only the address), with a non-ASCII local part or domain (``ユーザー@例え.jp``), quoted
(``"john doe"@example.com``), with an address literal (``user@[192.168.0.1]``), behind
``mailto:`` with the at sign percent- or HTML-encoded (``john%40example.com``), or full-width
(``＠``). Phone numbers in Japanese and international forms, full-width digits too
(``０３－１２３４－５６７８``): separated (``03-1234-5678``, ``03(1234)5678``, ``(03)1234-5678``,
``090 1234 5678``, ``+81-3-1234-5678``, ``+44 20 7946 0958``, ``+1 (415) 555-0100``) or not
(``+81312345678``, ``0312345678``, ``09012345678``).

Numbers that only look like one are left alone: amounts (``1,234,567``, ``¥12,345,678``,
``$1.2M``, ``1億6,700万円``, ``+12.345.678``), dates and times (``2026-11-23``, ``20261123``,
``2026/11/23 10:00``), ids (``LEAD-000123``, Salesforce ids, UUIDs, hashes, a bare
``1234567890``: ten digits not starting with 0), percentages and versions. An unseparated
number is a phone number only as ``+`` and 10 to 15 digits, or a Japanese ``0`` and 9 digits
(11 for mobiles, ``050`` and ``0800``); a separated one needs the right number of digits. Text
inside JSON (a chart's specification in a page) is read through its escapes:
``\u003cjane@example.com`` loses the address, not the escape.

The address expression runs only around at signs (a page has a few), so a whole page of about
1 MB is redacted in a few tens of milliseconds.

:func:`mask_secrets` masks parameter values whose names look secret (``db_password``,
``api_token``, ``aws_secret_access_key``) before a manifest records them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

PLACEHOLDER = "[redacted]"
MASK = "***"

# Where a match may start although the character before it is a letter or digit: just after a
# JSON escape (``\u003c`` for "<", ``\n``), as in a chart's specification inside a page.
_AFTER_ESCAPE = r"(?<=\\u[0-9A-Fa-f]{4})|(?<=\\[nrtbf])"
_NOT_IN_ESCAPE = r"(?!(?<=\\)(?:u[0-9A-Fa-f]{4}|[nrtbf]))"

# -- e-mail addresses -------------------------------------------------------------------------
# The local part, one of:
# - quoted (``"john doe"@``, its quotes maybe escaped as in JSON: ``\"john doe\"@``);
# - ending in a non-ASCII letter (``ユーザー@``, ``担当者ユーザー@``: the whole run of letters,
#   as no one can tell where Japanese text ends and such a name begins; full-width letters too);
# - ASCII (``john.doe+news@``): then Japanese text just before it survives (``担当はjohn@``).
# A match never starts inside a JSON escape (the ``u003c`` of ``\u003c``).
_LOCAL = (
    r"(?:(?:\\\"|(?<!\\)\")[^\"\\\r\n]{1,64}\\?\""
    r"|(?<![\w.%+\-])[\w.%+\-]*[^\W\x00-\x7f]"
    rf"|(?:{_AFTER_ESCAPE}|(?<![A-Za-z0-9._%+\-])){_NOT_IN_ESCAPE}[A-Za-z0-9._%+\-]+)"
)
# ``@`` or the full-width ``＠``, or percent- or HTML-encoded (``mailto:john%40example.com``).
_AT = r"(?:[@＠]|%40|&#0*64;|&#[xX]0*40;)"
_AT_SIGN = re.compile(r"[@＠]|%40|&#0*64;|&#[xX]0*40;")
# Labels (IDN ones too: ``例え.jp``) separated by dots (or full-width ones), ending in a
# top-level domain: alphabetic in one case (mixed-case "domains" are encoded data, such as
# parser tables in a script) and maybe followed by Japanese text (``taro@example.jpの``),
# punycode, or non-ASCII (``.日本``, ``ｃｏｍ``); or an address literal (``user@[192.168.0.1]``,
# ``user@[IPv6:2001:db8::1]``).
_LABEL = r"[^\W_](?:[\w\-]{0,61}[^\W_])?[.．]"
_DOMAIN = (
    rf"(?:(?:{_LABEL})+(?:[a-z]{{2,63}}|[A-Z]{{2,63}}|xn--[a-z0-9\-]{{1,59}})(?![A-Za-z0-9_\-])"
    rf"|(?:{_LABEL})+[^\W\d_\x00-\x7f]{{1,63}}"
    r"|\[(?:\d{1,3}\.){3}\d{1,3}\]|\[IPv6:[0-9A-Fa-f:.]{2,45}\])"
)
_EMAIL = re.compile(_LOCAL + _AT + _DOMAIN)
# How far an address reaches around its at sign: a local part of up to 64 characters (quoted,
# 66) and a domain of up to 253 (the at sign itself written as ``&#x040;``: 7).
_BEFORE, _AFTER = 70, 270
_LOCAL_CHAR = re.compile(r"[\w.%+\-\\]")

# -- phone numbers ----------------------------------------------------------------------------
# Digits are any (``\d``: full-width ones too, ``０３－１２３４－５６７８``); separators of the
# groups: space (ideographic too), hyphens and dashes (full-width, Unicode, the long-vowel mark
# written for one: ``03ー1234ー5678``), dot.
_DASH = "\\-\u2010-\u2015\u2212\u30fc\uff0d\uff70"
_SEP = f"[ \u3000.\uff0e{_DASH}]"
_NSEP = f"[.\uff0e{_DASH}]"  # North American numbers: no spaces (``100 100.0000`` is two)
_PLUS, _OPEN, _CLOSE = "[+＋]", "[(（]", "[)）]"
# Not glued to a word, a ``+`` or ``/``, or to a number or id it continues (``2026-03-...``,
# ``LEAD-0312345678``).
_START = rf"(?:{_AFTER_ESCAPE}|(?<![\dA-Za-z_+＋/]))(?<!\d[\-./:,])(?<![A-Za-z\d][\-_])"
# Nor followed by more of a number, a word, or a unit (``0312345678円``, ``+1234567890%``).
_END = r"(?![\dA-Za-z_%円万億兆])(?![\-./:,]\d)"
_PHONE = re.compile(
    rf"(?=[+＋(（\d]){_START}(?:"
    # International: +country code, then two to five separated groups, e.g. (0)3 or (415)555.
    rf"(?P<intl>{_PLUS}\d{{1,3}}(?:{_SEP}?{_OPEN}\d{{1,4}}{_CLOSE}\d{{0,4}}|{_SEP}\d{{1,6}}){{2,5}})"
    # ... or unseparated (E.164: +81312345678); fewer than 10 digits (+16777216) are left
    # alone: they are as likely arithmetic in a script.
    rf"|(?<!\.)(?P<e164>{_PLUS}[1-9１-９]\d{{9,14}})"
    # Japanese domestic: 0 + area code (maybe in parentheses), local exchange (maybe in
    # parentheses: 03(1234)5678), subscriber; or unseparated (0312345678, 09012345678).
    rf"|(?P<jp>(?:{_OPEN}[0０]\d{{1,4}}{_CLOSE}[ \u3000]?|[0０]\d{{1,4}}{_SEP})"
    rf"\d{{1,4}}{_SEP}\d{{3,4}}"
    rf"|[0０]\d{{1,4}}{_OPEN}\d{{1,4}}{_CLOSE}\d{{3,4}}"
    # ... and the British mobile form (07700 900123).
    rf"|[0０]\d{{3,4}}{_SEP}\d{{6}})"
    r"|(?<!\.)(?P<jpflat>[0０][1-9１-９]\d{8,9})"
    # North American: (415) 555-0100, 415-555-0100, 415.555.0100, 1-800-555-0100.
    rf"|(?P<nanp>(?:1{_NSEP})?(?:{_OPEN}\d{{3}}{_CLOSE}[ \u3000]?|\d{{3}}{_NSEP})"
    rf"\d{{3}}{_NSEP}\d{{4}})"
    rf"){_END}"
)
# A signed number in thousands: +12.345.678, +12 345 678 (every group of three digits).
_GROUPED = re.compile(r"\+\d{1,3}(?P<sep>[ .])\d{3}(?:(?P=sep)\d{3})+")
# Eleven-digit Japanese numbers: mobile (090, 080, 070), IP phones (050), free dial (0800).
_JP_ELEVEN = ("050", "070", "080", "090", "0800")
# Full-width forms as ASCII, to check a match found (``＋８１``...).
_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: ord(" ")}


def _digits(text: str) -> int:
    return sum(c.isdigit() for c in text)


def _is_phone(match: re.Match[str]) -> bool:
    if match["intl"] is not None:
        number = match["intl"].translate(_ASCII)
        # E.164: at most 15 digits
        return 8 <= _digits(number) <= 15 and not _GROUPED.fullmatch(number)
    if match["jp"] is not None:
        return 10 <= _digits(match["jp"]) <= 11  # 03-1234-5678, 090-1234-5678, 0120-123-456
    if match["jpflat"] is not None:
        number = match["jpflat"].translate(_ASCII)
        return len(number) == 10 or number.startswith(_JP_ELEVEN)
    return True


def _emails(text: str) -> list[tuple[int, int]]:
    """Where ``text`` holds an e-mail address: the expression runs only around its at signs."""
    windows: list[list[int]] = []
    for sign in _AT_SIGN.finditer(text):
        at = sign.start()
        start = max(0, at - _BEFORE)
        while start > 0 and _LOCAL_CHAR.match(text, start - 1):  # never past another @
            start -= 1  # back to where the run of letters holding the local part begins
        end = min(len(text), at + _AFTER)
        if windows and start <= windows[-1][1]:
            windows[-1][1] = end
        else:
            windows.append([start, end])
    return [m.span() for lo, hi in windows for m in _EMAIL.finditer(text, lo, hi)]


def _replaced(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    parts: list[str] = []
    end = 0
    for start, stop in spans:
        parts += (text[end:start], PLACEHOLDER)
        end = stop
    parts.append(text[end:])
    return "".join(parts)


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
    if "@" in text or "＠" in text or "%40" in text or "&#" in text:  # most text has none
        text = _replaced(text, _emails(text))
    return _replaced(text, [m.span() for m in _PHONE.finditer(text) if _is_phone(m)])


def has_contact_data(text: str) -> bool:
    """Whether ``text`` holds an e-mail address or phone number (:func:`redact_text` changes it)."""
    return redact_text(text) != text


def quote_examples(values: Iterable[object], *, limit: int = 5) -> str:
    """A few of ``values``, redacted and quoted, and how many more: for an error message.

    A message naming what a column holds quotes some examples, never the whole column: it is
    shown, logged and published (the index, the batch log, ``last-batch.json``).

    Parameters
    ----------
    values
        The values, in the order to show them (e.g. sorted).
    limit
        How many to quote at most.

    Returns
    -------
    str
        ``"'kanto', 'kansai', '[redacted]' and 312 more"``; ``"none"`` for no values.
    """
    items = list(values)
    quoted: list[str] = []
    used = 0
    for value in items:
        if len(quoted) == limit:
            break
        used += 1
        shown = repr(redact_text(str(value)))
        if shown not in quoted:  # several addresses are one "[redacted]"
            quoted.append(shown)
    if not quoted:
        return "none"
    more = len(items) - used
    return ", ".join(quoted) + (f" and {more:,} more" if more else "")


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
