"""The ``reviewkit`` command line: the command group and its error handling.

The commands live in one module per group: :mod:`~reviewkit.cli.packs` (run, batch, index,
new-template), :mod:`~reviewkit.cli.workspace` (init, sample), :mod:`~reviewkit.cli.imports`
(import, identity, profile, validate), :mod:`~reviewkit.cli.sync` (sync, sources) and
:mod:`~reviewkit.cli.actions` (action).

Errors print one line to stderr (add ``--debug`` anywhere for the traceback) and exit with 2
for bad input or 1 for a failed run; a run stopped by SIGINT exits 130, by SIGTERM 143.
"""

from __future__ import annotations

import sys
import traceback

import click

from reviewkit.cli.actions import action
from reviewkit.cli.deliver import deliver, publish
from reviewkit.cli.imports import identity, import_, profile, validate
from reviewkit.cli.packs import batch, index, new_template, run
from reviewkit.cli.pdf import pdf
from reviewkit.cli.shared import err, out, output_dir_option, workspace_option
from reviewkit.cli.sync import sources, sync
from reviewkit.cli.workspace import init, sample
from reviewkit.errors import ReviewkitError

__all__ = ["app", "err", "main", "out", "output_dir_option", "workspace_option"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="reviewkit")
def app() -> None:
    """KPI review packs for B2B marketing and sales teams."""


# one module per command group: packs, workspace, imports, actions (listed by name in --help)
for _command in (
    run, new_template, sample, init, index, validate, import_, identity, profile, action, batch,
    sync, sources, deliver, publish, pdf,
):  # fmt: skip
    app.add_command(_command)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code (0 ok, 1 failed run, 2 bad input, 130/143 stopped)."""
    from reviewkit.core.lazy_imports import defer_iri_grammar

    defer_iri_grammar()  # ~1 s less on every command that reads notebooks
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    args = [a for a in args if a != "--debug"]
    try:
        code = app.main(args=args, prog_name="reviewkit", standalone_mode=False)
        if isinstance(code, int):  # a command's ctx.exit(code) comes back here
            return code
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.Abort:  # Ctrl-C outside a run's own handling (e.g. a prompt)
        err.print("reviewkit: interrupted by SIGINT")
        return 130
    except click.ClickException as exc:
        if debug:
            traceback.print_exc()
        ctx = getattr(exc, "ctx", None)
        hint = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
        err.print(
            f"reviewkit: error: {exc.format_message().rstrip('.')}{hint}",
            markup=False,
            soft_wrap=True,
        )
        return 2
    except ReviewkitError as exc:
        if debug:
            traceback.print_exc()
        err.print(f"reviewkit: error: {exc}", markup=False, soft_wrap=True)
        return exc.exit_code
    except Exception as exc:
        if debug:
            traceback.print_exc()
        first = (str(exc).strip().splitlines() or [""])[0]
        err.print(
            f"reviewkit: unexpected {type(exc).__name__}: {first} (rerun with --debug)",
            markup=False,
            soft_wrap=True,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
