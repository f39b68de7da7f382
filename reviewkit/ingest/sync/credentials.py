"""Credentials for the CRM APIs: from the environment or a credentials file outside git.

A value is looked up in the environment first, then in the credentials file: the file named by
``REVIEWKIT_CREDENTIALS``, else ``~/.config/reviewkit/credentials.env`` (``NAME=value`` lines,
``#`` comments). Values never appear in a message: :func:`scrub` replaces every secret read so
far with ``***`` in any text (fetchers pass error texts from the APIs through it).
"""

from __future__ import annotations

import os
from pathlib import Path

from reviewkit.errors import SyncConfigError

__all__ = ["credentials_file", "remember_secret", "scrub", "secret"]

_SECRETS: set[str] = set()
_HIDDEN = "***"


def credentials_file() -> Path:
    """``$REVIEWKIT_CREDENTIALS``, else ``~/.config/reviewkit/credentials.env``."""
    named = os.environ.get("REVIEWKIT_CREDENTIALS")
    return Path(named) if named else Path.home() / ".config" / "reviewkit" / "credentials.env"


def _from_file(name: str) -> str | None:
    path = credentials_file()
    if not path.is_file():
        return None
    for line in path.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and not key.startswith("#") and key.strip() == name:
            return value.strip().strip('"').strip("'") or None
    return None


def remember_secret(value: str | None) -> None:
    """Make :func:`scrub` hide ``value`` (e.g. a token the API handed back on refresh)."""
    if value and len(value) >= 6:
        _SECRETS.add(value)


def secret(name: str, *, source: str, fix: str, required: bool = True) -> str | None:
    """The value of credential ``name`` (environment, then the credentials file).

    Parameters
    ----------
    name
        The variable, e.g. ``HUBSPOT_ACCESS_TOKEN``.
    source
        The sync source asking, for the message (``hubspot``).
    fix
        How to get the value, for the message (``"create a private app (docs/sync.md)"``).
    required
        Raise when it is missing (else return ``None``).

    Raises
    ------
    SyncConfigError
        When ``required`` and the variable is set nowhere; the message names the variable,
        the credentials file and ``fix``, never a value.
    """
    value = os.environ.get(name) or _from_file(name)
    if value:
        remember_secret(value)
        return value
    if required:
        raise SyncConfigError(
            f"{source}: {name} is not set; {fix}, then export {name}=... or add the line "
            f"{name}=... to {credentials_file()} (kept out of git)"
        )
    return None


def scrub(text: str) -> str:
    """``text`` with every secret read so far replaced by ``***``."""
    for value in sorted(_SECRETS, key=len, reverse=True):
        text = text.replace(value, _HIDDEN)
    return text
