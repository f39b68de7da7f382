"""Checks of command-line options made before any work: a bad value is one line, exit 2."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from reviewkit.errors import ParameterError

#: The most packs ``reviewkit batch`` builds at once (each is a worker and a kernel).
MAX_JOBS = 64


def check_output_dir(path: Path | None, *, option: str = "--output-dir") -> Path | None:
    """``path`` if files can be written there: a writable folder, or one that can be made.

    A folder that does not exist yet is fine when its nearest existing parent is a writable
    folder (the run creates it). Writability is tried (a temporary file made and removed), as
    permission bits do not tell for root or for ``/proc``.

    Raises
    ------
    ParameterError
        Naming the option, the path, what it is and the fix.
    """
    if path is None:
        return None
    if str(path).strip() == "":
        raise ParameterError(f"{option}: empty; give a folder, or leave the option out")
    target = path.expanduser()
    existing = target
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        what = "is a file" if existing == target else f"is under {existing}, which is a file"
        raise ParameterError(f"{option}: {str(path)!r} {what}, not a folder; give a folder")
    try:
        handle, probe = tempfile.mkstemp(prefix=".reviewkit-write-check-", dir=existing)
        os.close(handle)
        Path(probe).unlink()
    except OSError as exc:
        raise ParameterError(
            f"{option}: {str(path)!r} is not a folder reviewkit can write to "
            f"({exc.strerror or exc} in {existing}); give a writable folder"
        ) from None
    return path
