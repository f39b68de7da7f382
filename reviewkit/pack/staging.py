"""Who owns a staging folder, and removing what a killed run left behind.

A pack is built in ``<output-dir>/_staging/<name>/`` and moved into place at the end. A run
killed with ``kill -9`` cannot remove its folder, nor the temporary file of an atomic write
it was in the middle of (``.<name>.<pid>-<random>.tmp``, see :mod:`reviewkit.core.atomic`). Each
staging folder therefore records its owner (:data:`OWNER_FILE`: process id and start time),
and :func:`sweep` (run at the start of every ``reviewkit run`` and ``reviewkit batch``)
removes the folders and temporary files whose owner is gone, never those of a live run.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import time
from pathlib import Path

STAGING_DIR = "_staging"
OWNER_FILE = ".owner"
# A folder without an owner record (made before owners were recorded, or a moment ago and
# its record not yet written) is removed once it is this old.
UNOWNED_SECONDS = 60.0
_TEMP = re.compile(r"^\..+\.(\d+)-[^.]+\.tmp$")


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot (Linux); ``""`` elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return ""
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else ""


def process_alive(pid: int, start: str = "") -> bool:
    """Whether process ``pid`` runs (and, when ``start`` is known, is the same process)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # someone else's process: it exists
    return not start or _start_time(pid) in {"", start}


def claim(folder: Path) -> None:
    """Record this process as the owner of the staging ``folder``."""
    pid = os.getpid()
    (folder / OWNER_FILE).write_text(f"{pid} {_start_time(pid)}\n", encoding="ascii")


def _owner_alive(folder: Path, *, now: float) -> bool:
    try:
        pid_text, _, start = (folder / OWNER_FILE).read_text(encoding="ascii").partition(" ")
        return process_alive(int(pid_text), start.strip())
    except (OSError, ValueError):  # no (readable) record: alive only while young
        try:
            return now - folder.stat().st_mtime < UNOWNED_SECONDS
        except OSError:
            return True  # gone already


def sweep(out: Path) -> list[Path]:
    """Remove staging folders and temporary files left in ``out`` by runs that are gone.

    Parameters
    ----------
    out
        The output folder.

    Returns
    -------
    list[Path]
        What was removed.
    """
    removed: list[Path] = []
    now = time.time()
    root = out / STAGING_DIR
    if root.is_dir():
        for folder in sorted(root.iterdir()):
            if folder.is_dir() and not _owner_alive(folder, now=now):
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
        with contextlib.suppress(OSError):  # not empty: a live run's folder is in it
            root.rmdir()
    if out.is_dir():
        for temp in out.rglob(".*.tmp"):
            match = _TEMP.match(temp.name)
            if match and not process_alive(int(match.group(1))):
                temp.unlink(missing_ok=True)
                removed.append(temp)
    return removed
