"""Normalise the contact values that match people and companies: e-mails, phones, domains, names.

Pure functions of one value, used by the importer (``email_hash``) and identity matching
(:mod:`reviewkit.ingest.identity`); an unusable value gives ``None`` (or ``""`` for a company
name) rather than an error.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import urlsplit

__all__ = [
    "email_hash",
    "normalise_company",
    "normalise_domain",
    "normalise_email",
    "normalise_phone",
]

_ANGLE_EMAIL = re.compile(r"<([^<>]+@[^<>]+)>")
_PHONE_EXTENSION = re.compile(r"(?:ext\.?|extension|x|内線)\s*\d+\s*$")
_LEGAL_JA = re.compile(
    r"株式会社|有限会社|合同会社|合資会社|合名会社|"
    r"一般社団法人|一般財団法人|公益社団法人|公益財団法人|\((?:株|有|同)\)"
)
_LEGAL_EN = re.compile(
    r"(?:[\s,]*\b(?:co\.?,?\s*ltd\.?|inc\.?|incorporated|corp\.?|corporation|llc|l\.l\.c\.|"
    r"ltd\.?|limited|pte\.?|gmbh|k\.k\.|kk|plc|co\.?))+\s*$"
)


def normalise_email(text: str | None) -> str | None:
    """An e-mail address in the form used to match people: trimmed, NFKC, lower case.

    Parameters
    ----------
    text : str or None
        The value; surrounding spaces, tabs, CR/LF and ideographic spaces (U+3000) are
        removed, a ``mailto:`` prefix or ``Name <addr>`` wrapper is taken off, and of several
        addresses (``a@x.com; b@y.com``) the first is used.

    Returns
    -------
    str or None
        The address, or ``None`` when there is no ``user@domain``.
    """
    if text is None:
        return None
    value = unicodedata.normalize("NFKC", str(text)).strip().lower()
    angle = _ANGLE_EMAIL.search(value)
    if angle:
        value = angle.group(1).strip()
    value = value.removeprefix("mailto:")
    for part in re.split(r"[;,\s]+", value):
        local, at, domain = part.rpartition("@")
        if at and local and domain:
            return part
    return None


def email_hash(text: str | None) -> str | None:
    """The SHA-256 hex digest of :func:`normalise_email` of ``text``; ``None`` without one.

    Parameters
    ----------
    text : str or None
        The e-mail value as exported.

    Returns
    -------
    str or None
        64 hex digits; the same for ``Taro@Example.com`` and ``taro@example.com``.
    """
    email = normalise_email(text)
    if email is None:
        return None
    return hashlib.sha256(email.encode("utf-8")).hexdigest()


def normalise_phone(text: str | None) -> str | None:
    """A phone number as digits only, with a leading ``+`` kept.

    Parameters
    ----------
    text : str or None
        The value, e.g. ``03-1234-5678``, ``+81 (0)3 1234 5678``, ``０３－１２３４－５６７８``;
        an extension (``ext. 12``, ``x12``, ``内線12``) is dropped, as is the ``(0)`` trunk
        prefix written after a country code.

    Returns
    -------
    str or None
        ``0312345678`` or ``+81312345678``; ``None`` when there are no digits.
    """
    if text is None:
        return None
    value = unicodedata.normalize("NFKC", str(text)).strip().lower()
    value = _PHONE_EXTENSION.sub("", value.removeprefix("tel:")).strip()
    plus = value.startswith("+")
    if plus:
        value = value.replace("(0)", "", 1)
    digits = "".join(ch for ch in value if ch.isascii() and ch.isdigit())
    if not digits:
        return None
    return f"+{digits}" if plus else digits


def normalise_domain(text: str | None) -> str | None:
    """The domain of an e-mail address or a URL, lower case and without ``www.``.

    Parameters
    ----------
    text : str or None
        ``taro@Example.co.jp``, ``https://www.Example.co.jp/about``, ``www.example.com`` or
        ``example.com``.

    Returns
    -------
    str or None
        ``example.co.jp``; ``None`` when no host name with a dot is found.
    """
    if text is None:
        return None
    value = unicodedata.normalize("NFKC", str(text)).strip().lower()
    if not value:
        return None
    if "@" in value and "://" not in value:
        email = normalise_email(value)
        host = email.rpartition("@")[2] if email else ""
    else:
        if "://" not in value:
            value = "//" + value
        try:
            host = urlsplit(value).hostname or ""
        except ValueError:
            return None
    host = host.strip().rstrip(".").removeprefix("www.")
    if "." not in host or any(ch.isspace() for ch in host) or host.startswith("."):
        return None
    return host


def normalise_company(name: str | None) -> str:
    """A company name in the form used to match accounts across systems.

    NFKC (so ``㈱`` is ``(株)`` and full-width letters are ASCII), lower case, without legal
    forms (株式会社, 有限会社, 合同会社, (株), (有), Inc., Co., Ltd., Corp., Corporation, LLC,
    Ltd., Limited, GmbH, K.K., PLC), punctuation or spaces.

    Parameters
    ----------
    name : str or None
        The company name as exported.

    Returns
    -------
    str
        E.g. ``example`` for ``Example Co., Ltd.``, ``サンプル`` for ``株式会社 サンプル`` and
        ``サンプル㈱``; ``""`` for a blank name. A name that is only a legal form keeps it.
    """
    if name is None:
        return ""
    value = unicodedata.normalize("NFKC", str(name)).lower().strip()
    stripped = _LEGAL_EN.sub("", _LEGAL_JA.sub(" ", value))
    compact = _compact(stripped)
    return compact or _compact(value)


def _compact(value: str) -> str:
    return "".join(ch for ch in value if unicodedata.category(ch)[0] in "LN")
