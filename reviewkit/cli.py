"""The ``reviewkit`` command line.

Errors print one line to stderr (add ``--debug`` anywhere for the traceback) and exit with 2
for bad input or 1 for a failed run.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

import click
from rich.console import Console

from reviewkit.errors import ReviewkitError

err = Console(stderr=True, highlight=False)
out = Console(highlight=False, soft_wrap=True)

workspace_option = click.option(
    "--workspace",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Workspace folder (params/, data/, outputs/). Default: $REVIEWKIT_WORKSPACE, else "
    "the current folder or a parent with params/workspace.yml.",
)
output_dir_option = click.option(
    "--output-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where packs go. Default: the workspace's outputs/.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="reviewkit")
def app() -> None:
    """KPI review packs for B2B marketing and sales teams."""


@app.command()
@click.argument("cadence")
@click.option("--as-of", default="auto", show_default=True, help="Review date YYYY-MM-DD or auto.")
@click.option("--lang", default="", help="ja or en. Default: the workspace's language.")
@click.option(
    "-p",
    "--parameter",
    "parameters",
    multiple=True,
    metavar="NAME=VALUE",
    help="A template parameter, e.g. -p what_if_rule='score >= 70' (repeatable; the value is "
    "read as YAML: 600000000 is a number).",
)
@output_dir_option
@workspace_option
def run(
    cadence: str,
    as_of: str,
    lang: str,
    parameters: tuple[str, ...],
    output_dir: Path | None,
    workspace: Path | None,
) -> None:
    """Render the CADENCE pack (weekly, monthly, quarterly) of the last complete period."""
    from reviewkit.runner import parse_parameters, run_pack

    values = parse_parameters(parameters)
    with err.status("starting…") as status:
        result = run_pack(
            cadence,
            as_of=as_of,
            lang=lang,
            output_dir=output_dir,
            workspace=workspace,
            parameters=values,
            progress=lambda message: status.update(message),
        )
    out.print(
        f"{result.cadence} {result.period} ({result.lang}): {result.pack} [{result.seconds:.1f} s]"
    )


@app.command()
@workspace_option
@click.option("--seed", type=int, default=None, help="Random seed (default: the spec's).")
def sample(workspace: Path | None, seed: int | None) -> None:
    """Generate the sample company into the workspace's store (replacing its contents)."""
    from reviewkit.sample_company import write_sample
    from reviewkit.workspace import find_workspace

    ws = find_workspace(workspace)
    with err.status("generating the sample company…"):
        counts = write_sample(str(ws.store_path), seed=seed)
    summary = ", ".join(f"{k} {v:,}" for k, v in counts.items())
    out.print(f"sample company written to {ws.store_path}: {summary}")


@app.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
def init(directory: Path) -> None:
    """Create a workspace in DIRECTORY from the sample configuration."""
    from reviewkit.workspace import init_workspace

    ws = init_workspace(directory)
    out.print(f"workspace created at {ws.root}; next: reviewkit sample --workspace {ws.root}")


@app.command()
@workspace_option
@output_dir_option
def index(workspace: Path | None, output_dir: Path | None) -> None:
    """Rebuild index.html from the packs already published."""
    from reviewkit.index_page import write_index
    from reviewkit.workspace import find_workspace

    ws = find_workspace(workspace)
    path = write_index(
        output_dir or ws.outputs_dir, lang=ws.config.lang, timezone=ws.config.timezone
    )
    out.print(str(path))


@app.command()
@workspace_option
def validate(workspace: Path | None) -> None:
    """Check params/definitions.yml, targets.yml and benchmarks.yml without running anything."""
    from reviewkit.benchmarks import load_benchmarks
    from reviewkit.definitions import load_definitions
    from reviewkit.targets import load_targets
    from reviewkit.workspace import find_workspace

    ws = find_workspace(workspace)
    definitions = load_definitions(ws)
    targets = load_targets(ws, definitions=definitions)
    if targets.source:
        source = Path(targets.source).resolve()
        shown = source.relative_to(ws.root).as_posix() if source.is_relative_to(ws.root) else source
        checked = f"{len(targets.frame):,} monthly values ({shown})"
    else:
        checked = "no params/targets.yml (packs use the store's targets table)"
    benchmarks = load_benchmarks(ws, definitions=definitions)
    out.print(
        f"definitions v{definitions.version} (hash {definitions.version_hash}): "
        f"{len(definitions.stages)} stages, {len(definitions.metric_map)} metrics; "
        f"targets: {checked}; benchmarks: {len(benchmarks)} reference ranges — OK",
        markup=False,
    )


@app.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--profile", required=True, help="hubspot-contacts, hubspot-deals, "
              "salesforce-leads, salesforce-opportunities, a name under params/sources/, "
              "or a profile YAML file.")  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Read, check and report; write nothing.")
@click.option("--encoding", default=None, help="Force an encoding (utf-8, utf-8-sig, cp932).")
@workspace_option
def import_(
    files: tuple[Path, ...],
    profile: str,
    dry_run: bool,
    encoding: str | None,
    workspace: Path | None,
) -> None:
    """Import MA/SFA export FILES into the store (each file in one transaction)."""
    from reviewkit.definitions import load_definitions
    from reviewkit.errors import DataError
    from reviewkit.import_profiles import load_profile
    from reviewkit.importer import import_file
    from reviewkit.store import connect
    from reviewkit.workspace import find_workspace

    ws = find_workspace(workspace)
    definitions = load_definitions(ws)
    chosen = load_profile(profile, workspace=ws)
    for path in files:
        if not path.is_file():
            raise DataError(f"{path}: no such file; check the path")
    con = connect(ws.store_path, timezone=ws.config.timezone)
    try:
        for path in files:
            report = import_file(
                con, path, chosen, definitions=definitions, timezone=ws.config.timezone,
                encoding=encoding, dry_run=dry_run,
            )  # fmt: skip
            out.print(report.line())
        if not dry_run:
            from reviewkit.identity import identity_report

            counts = identity_report(con)["summary"].set_index("measure")["count"].to_dict()
            out.print(
                "identity: "
                + ", ".join(f"{measure.replace('_', ' ')} {n:,}" for measure, n in counts.items())
            )
    finally:
        con.close()


@app.command()
@click.option("--limit", default=20, show_default=True, help="Rows to show per table.")
@workspace_option
def identity(limit: int, workspace: Path | None) -> None:
    """Show identity matching: merged records, conflicting attributes, ambiguous records."""
    from rich.table import Table

    from reviewkit.identity import identity_report
    from reviewkit.store import connect
    from reviewkit.workspace import find_workspace

    ws = find_workspace(workspace)
    con = connect(ws.store_path, read_only=True, timezone=ws.config.timezone)
    try:
        report = identity_report(con)
    finally:
        con.close()
    for name in ("summary", "merges", "conflicts", "ambiguous"):
        frame = report[name]
        table = Table(title=f"{name} ({len(frame):,})", title_justify="left")
        for column in frame.columns:
            table.add_column(str(column))
        for row in frame.head(limit).itertuples(index=False):
            table.add_row(*[", ".join(map(str, v)) if isinstance(v, list) else str(v) for v in row])
        out.print(table)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code (0 ok, 1 failed run, 2 bad input)."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    args = [a for a in args if a != "--debug"]
    try:
        app.main(args=args, prog_name="reviewkit", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.Abort:
        err.print("reviewkit: interrupted")
        return 1
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
