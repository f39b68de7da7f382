"""How ``reviewkit batch`` looks in a terminal: a progress bar, then a summary table."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console, JustifyMethod
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from reviewkit.pack.batch import AfterBatch, BatchReport, run_batch

_STYLE = {"built": "green", "skipped": "dim", "failed": "bold red"}


def show_batch(
    err: Console,
    out: Console,
    *,
    jobs: int,
    as_of: str,
    only: Sequence[str],
    force: bool,
    output_dir: Path | None,
    workspace: Path | None,
    after: AfterBatch | None = None,
    part: bool = False,
    cluster: str | None = None,
    shared_store: bool = False,
) -> BatchReport:
    """Run :func:`reviewkit.pack.batch.run_batch` with a progress bar on ``err``; print the summary.

    The bar counts every pack of the schedule (skipped ones at once) and names the packs
    being built; the summary table lists each pack's status, time and where it is, then the
    counts, the log and the index.
    """
    columns = (
        TextColumn("[progress.description]{task.description}"), BarColumn(),
        MofNCompleteColumn(), TimeElapsedColumn(),
    )  # fmt: skip
    running: list[str] = []
    # no bar (and no stray newline for cron to mail) when stderr is not a terminal
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("planning…", total=None)

        def listen(event: dict[str, Any]) -> None:
            kind = event["event"]
            if kind == "planned":
                progress.update(task, total=event["total"])
            elif kind == "start":
                running.append(event["name"])
            elif kind in {"built", "failed", "skipped"}:
                if event["name"] in running:
                    running.remove(event["name"])
                progress.advance(task)
                if kind == "failed":
                    progress.console.print(
                        # escaped: "[redacted]" (or a value of the data) is not markup
                        f"[bold red]failed[/] {escape(event['name'])}: "
                        f"{escape(event.get('error', ''))}",
                        markup=True, highlight=False, soft_wrap=True,
                    )  # fmt: skip
            elif kind == "retry":
                progress.console.print(
                    f"[yellow]retrying[/] {event['name']} on a fresh kernel "
                    f"(attempt {event['attempt']} failed)", highlight=False,
                )  # fmt: skip
            shown = ", ".join(running[-2:]) or "planning…"
            progress.update(task, description=f"building {shown}" if running else shown)

        report = run_batch(
            workspace=workspace, jobs=jobs, as_of=as_of, only=only, force=force,
            output_dir=output_dir, listener=listen, after=after, part=part, cluster=cluster,
            shared_store=shared_store,
        )  # fmt: skip
    out.print(summary_table(report))
    counts = report.counts
    where = f"cluster {cluster}" if cluster else f"{report.jobs} worker(s)"
    out.print(
        f"{counts['built']} built, {counts['skipped']} skipped, {counts['failed']} failed "
        f"in {report.seconds:.1f} s ({where}); log: {report.log}",
        highlight=False,
    )
    if not part:  # a part writes no index: the whole batch after the parts does
        out.print(f"index: {report.log.parent.parent / 'index.html'}", highlight=False)
    return report


def summary_table(report: BatchReport) -> Table:
    """One row per pack: name, period, status, seconds, and the pack (or the error)."""
    table = Table(title=f"reviewkit batch (as of {report.as_of})", title_justify="left")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("pack", "left"), ("period", "left"), ("status", "left"), ("time", "right"),
        ("where / why", "left"),
    )  # fmt: skip
    for name, justify in columns:
        table.add_column(name, justify=justify, overflow="fold")
    for o in report.outcomes:
        seconds = f"{o.seconds:.1f} s" if o.status == "built" or o.seconds else ""
        where = o.error if o.status == "failed" else o.pack
        style = _STYLE.get(o.status, "")
        table.add_row(
            Text(o.name), o.period, f"[{style}]{o.status}[/]", seconds, Text(str(where or ""))
        )
    return table
