"""Checks of a workspace's inputs made before a pack's kernel starts.

``reviewkit run`` boots its kernel while the pack is planned; a broken definitions file or a
damaged store found then would have cost a kernel's start (and, in a long-lived process, its
sockets). :func:`check_inputs` reads both first, in milliseconds, so bad input is one line
before any work.
"""

from __future__ import annotations

from reviewkit.workspace import Workspace


def check_inputs(ws: Workspace) -> None:
    """Read the definitions and open the store (read-only) once, then let go.

    Raises
    ------
    ConfigError
        The definitions file is missing, unreadable or invalid.
    StoreMissingError, StoreBusyError, StoreCorruptError
        As :func:`reviewkit.store.connect` with ``read_only=True``.
    """
    from reviewkit.definitions import load_definitions
    from reviewkit.store import connect

    load_definitions(ws)
    connect(ws.store_path, read_only=True, timezone=ws.config.timezone).close()
