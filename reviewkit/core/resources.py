"""Where the files that ship with reviewkit live: templates and the sample configuration.

In a source checkout they are the top-level ``notebooks/`` and ``params/``; an installed wheel
carries the same files under ``reviewkit/_bundled/``.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]

# Set by the runner while a template executes for a pack; the kernel inherits it.
PACK_ENV = "REVIEWKIT_PACK"
# The folder a pack is staged in while its template executes: files a template writes there
# (e.g. the quarterly draft targets) are published next to pack.html.
PACK_DIR_ENV = "REVIEWKIT_PACK_DIR"


def in_pack() -> bool:
    """Whether this runs inside a pack build.

    The runner sets :data:`PACK_ENV` (and :data:`PACK_DIR_ENV`) for every pack's kernel;
    JupyterLab and scripts have neither.
    """
    return bool(os.environ.get(PACK_ENV) or os.environ.get(PACK_DIR_ENV))


def pack_dir() -> Path | None:
    """The staging folder of the pack being built (see :data:`PACK_DIR_ENV`), else ``None``."""
    value = os.environ.get(PACK_DIR_ENV)
    return Path(value) if value else None


def bundled(name: str) -> Path:
    """Return the shipped folder ``name`` (``notebooks`` or ``params``).

    Parameters
    ----------
    name
        Top-level folder of the project.

    Returns
    -------
    Path
        The folder inside an installed wheel, else the folder of the source checkout.
    """
    inside = _PACKAGE / "_bundled" / name
    return inside if inside.is_dir() else _PACKAGE.parent / name


def package_file(*parts: str) -> Path:
    """Return a file shipped inside the ``reviewkit`` package itself."""
    return _PACKAGE.joinpath(*parts)
