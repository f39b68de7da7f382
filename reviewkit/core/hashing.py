"""The SHA-256 of a file: an import's identity and a pack's fingerprint both use this one."""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_hash(path: str | Path, *, missing: str | None = None) -> str:
    """The SHA-256 of a file's bytes, as 64 hex digits.

    Parameters
    ----------
    path : str or Path
        The file.
    missing
        What to return when the file does not exist (e.g. ``"missing"`` for a fingerprint);
        ``None``: a missing file raises :class:`FileNotFoundError`.

    Returns
    -------
    str
        The hex digest; the same bytes always give the same hash, whatever the file's name.
    """
    digest = hashlib.sha256()
    try:
        with Path(path).open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except FileNotFoundError:
        if missing is None:
            raise
        return missing
    return digest.hexdigest()
