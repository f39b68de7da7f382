"""Where a quarterly pack writes its draft targets: next to the pack, never into ``params/``.

The draft's text is :func:`reviewkit.analysis.draft_targets.draft_targets_yaml`; writing it is
the review's job, through the pack context (:class:`reviewkit.core.context.PackContext`).
"""

from __future__ import annotations

import re
from pathlib import Path

from reviewkit.analysis.draft_targets import DRAFT_PREFIX
from reviewkit.core.atomic import write_text_atomic
from reviewkit.errors import ParameterError

_LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")


def _inside_params(directory: Path, params_dir: Path | None) -> Path | None:
    """The params folder ``directory`` is in (or is), if any."""
    here = directory.resolve()
    if params_dir is not None:
        params = params_dir.resolve()
        if here == params or params in here.parents:
            return params
    for folder in (here, *here.parents):
        if folder.name == "params" and any(
            (folder / name).exists() for name in ("targets.yml", "definitions.yml")
        ):
            return folder
    return None


def write_draft(
    text: str, directory: Path, *, period_label: str, params_dir: Path | None = None
) -> Path:
    """Write a draft targets file as ``targets-draft-<period_label>.yml`` (atomically).

    Parameters
    ----------
    text
        :func:`draft_targets_yaml`.
    directory
        Where to write it: next to the pack, never under ``params/``.
    period_label
        The planned quarter's label (``FY2026-Q3``).
    params_dir
        The workspace's ``params`` folder, refused besides any ``params`` folder holding a
        ``targets.yml`` or ``definitions.yml``.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ParameterError
        If ``directory`` is (inside) a params folder, or the label is not a period label.
    """
    if not _LABEL.match(period_label):
        raise ParameterError(
            f"period_label: {period_label!r} is not a period label; use e.g. FY2026-Q3"
        )
    directory = Path(directory)
    params = _inside_params(directory, params_dir)
    if params is not None:
        raise ParameterError(
            f"directory: {directory} is inside {params}; a draft is never written there (nor "
            f"over {params / 'targets.yml'}): write it next to the pack and copy the months "
            "you approve into params/targets.yml in a reviewed commit"
        )
    path = directory / f"{DRAFT_PREFIX}{period_label}.yml"
    write_text_atomic(path, text)
    return path
