"""Checks of a workspace's inputs made before a pack's kernel starts.

``reviewkit run`` boots its kernel while the pack is planned; a broken definitions file or a
damaged store found then would have cost a kernel's start (and, in a long-lived process, its
sockets). :func:`check_inputs` reads both first, in milliseconds, and checks that the output
folder can be written, so bad input is one line before any work.
"""

from __future__ import annotations

from pathlib import Path

from reviewkit.core.workspace import CONFIG_FILE, Workspace
from reviewkit.model.request import check_output_dir


def output_folder(ws: Workspace, output_dir: str | Path | None) -> Path:
    """Where packs go (``output_dir``, else the workspace's ``outputs:``), checked writable.

    Raises
    ------
    ParameterError
        Naming ``--output-dir`` or ``outputs:`` of ``params/workspace.yml``, the path and the fix.
    """
    if output_dir is not None:
        out = check_output_dir(Path(output_dir))
    else:
        out = check_output_dir(ws.outputs_dir, option=f"outputs: in {ws.root / CONFIG_FILE}")
    assert out is not None
    return out


def check_inputs(ws: Workspace, *, output_dir: str | Path | None = None) -> None:
    """Read the definitions, open the store (read-only) once and check the output folder.

    Raises
    ------
    ParameterError
        The output folder cannot be written (see :func:`output_folder`).
    ConfigError
        The definitions file is missing, unreadable or invalid.
    StoreMissingError, StoreBusyError, StoreCorruptError
        As :func:`reviewkit.store.schema.connect` with ``read_only=True``.
    """
    from reviewkit.model.definitions import load_definitions
    from reviewkit.store.schema import connect

    load_definitions(ws)
    connect(ws.store_path, read_only=True, timezone=ws.config.timezone).close()
    output_folder(ws, output_dir)
