"""Where the files that ship with reviewkit live: templates and the sample configuration.

In a source checkout they are the top-level ``notebooks/`` and ``params/``; an installed wheel
carries the same files under ``reviewkit/_bundled/``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]


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
