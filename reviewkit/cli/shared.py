"""What every command module of the ``reviewkit`` command uses: its consoles and common options."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

__all__ = ["err", "out", "output_dir_option", "workspace_option", "writable_folder"]

err = Console(stderr=True, highlight=False)
out = Console(highlight=False, soft_wrap=True)

workspace_option = click.option(
    "--workspace",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Workspace folder (params/, data/, outputs/). Default: $REVIEWKIT_WORKSPACE, else "
    "the current folder or a parent with params/workspace.yml.",
)


def writable_folder(_ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """A folder option or argument checked before any work: writable (exit 2, one line)."""
    from reviewkit.model.request import check_output_dir

    name = param.opts[0] if isinstance(param, click.Option) else param.human_readable_name
    return check_output_dir(value, option=name)


output_dir_option = click.option(
    "--output-dir",
    type=click.Path(path_type=Path),
    default=None,
    callback=writable_folder,
    help="Where packs go. Default: the workspace's outputs/.",
)
