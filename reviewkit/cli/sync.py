"""``reviewkit sync`` and ``reviewkit sources``: CRM APIs into the store; where each stands."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from reviewkit.cli.shared import err, out, workspace_option

if TYPE_CHECKING:
    from reviewkit.core.workspace import Workspace
    from reviewkit.ingest.sync.engine import Progress
    from reviewkit.ingest.sync.state import ObjectReport

__all__ = ["run_sync", "sources", "sync"]


def _line(report: ObjectReport, lang: str) -> str:
    from reviewkit.i18n.texts import t

    r = report
    if r.mode == "full":
        why = {"first sync": "sync.reason.first", "--full": "sync.reason.full"}
        reason = t(why.get(r.reason or "", "sync.reason.window"), lang, api=r.source,
                   days=r.gap_days, lookback=r.lookback_days)  # fmt: skip
        how = t("sync.full", lang, reason=reason)
    else:
        since = r.cursor.strftime("%Y-%m-%d %H:%M UTC") if r.cursor else "-"
        how = t("sync.incremental", lang, since=since)
    line = t(
        "sync.line", lang, head=f"{r.source}/{r.object} [{how}]", read=f"{r.rows_read:,}",
        added=f"{r.added:,}", updated=f"{r.updated:,}", unchanged=f"{r.unchanged:,}",
        deleted=f"{r.deleted:,}", merged=f"{r.merged:,}", quarantined=f"{r.quarantined:,}",
    )  # fmt: skip
    if r.reasons:
        shown = ", ".join(f"{k} {v:,}" for k, v in sorted(r.reasons.items(), key=lambda kv: -kv[1]))
        line += "; " + t("sync.reasons", lang, reasons=shown)
    return line + (t("sync.dry_run", lang) if r.dry_run else "")


def _progress() -> tuple[Progress | None, object]:
    """A progress bar on a terminal (records read per object); nothing otherwise."""
    if not err.is_terminal:
        return None, None
    from rich.progress import Progress as Bar
    from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

    bar = Bar(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
              console=err, transient=True)  # fmt: skip
    tasks: dict[str, object] = {}

    def show(report: ObjectReport) -> None:
        key = f"{report.source}/{report.object}"
        text = f"{key}: {report.rows_read:,}"
        if key not in tasks:
            tasks[key] = bar.add_task(text, total=None)
        bar.update(tasks[key], description=text)  # type: ignore[arg-type]

    return show, bar


def run_sync(
    ws: Workspace, names: list[str], *, full: bool, objects: list[str], dry_run: bool
) -> list[ObjectReport]:
    """Sync the sources ``names`` of ``ws`` (``["all"]``: every configured one).

    Prints one line per object. Every source file is validated before the first is synced.
    """
    from reviewkit.errors import ConfigError
    from reviewkit.i18n.texts import t
    from reviewkit.ingest.sync.engine import SyncSettings, sync_source
    from reviewkit.ingest.sync.fetchers import make_fetcher
    from reviewkit.ingest.sync.spec import configured_sources, load_sync_source
    from reviewkit.model.definitions import load_definitions
    from reviewkit.model.exchange_rates import load_rates
    from reviewkit.store.schema import connect

    lang = ws.config.lang
    if names == ["all"]:
        names = configured_sources(ws)
        if not names:
            raise ConfigError(t("sync.no_sources", "en"))
    chosen = [load_sync_source(name, workspace=ws) for name in names]
    settings = SyncSettings(
        definitions=load_definitions(ws), timezone=ws.config.timezone,
        currency=ws.config.currency, rates=load_rates(ws.root, currency=ws.config.currency),
        bounds=ws.config.dates.bounds(),
    )  # fmt: skip
    progress, bar = _progress()
    reports: list[ObjectReport] = []
    con = connect(ws.store_path, timezone=ws.config.timezone)
    try:
        for source in chosen:
            fetcher = make_fetcher(source)
            if bar is not None:
                bar.start()  # type: ignore[attr-defined]
            try:
                done = sync_source(con, source, fetcher, settings=settings,
                                   only=objects or None, full=full, dry_run=dry_run,
                                   progress=progress)  # fmt: skip
            finally:
                if bar is not None:
                    bar.stop()  # type: ignore[attr-defined]
            for report in done:
                out.print(_line(report, lang), markup=False)
            reports += done
    finally:
        con.close()
    return reports


@click.command()
@click.argument("source", nargs=-1, required=True)
@click.option("--full", is_flag=True, help="Read every record, not only the changes since "
              "the last sync (records the CRM no longer returns are removed).")  # fmt: skip
@click.option("--object", "objects", multiple=True, metavar="NAME",
              help="Sync only this object of the source (repeatable), e.g. contacts.")  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Read, map and report; write nothing.")
@workspace_option
def sync(
    source: tuple[str, ...], full: bool, objects: tuple[str, ...], dry_run: bool,
    workspace: Path | None,
) -> None:  # fmt: skip
    """Sync SOURCE (hubspot, salesforce, a name in params/sources/sync/, or all) from its API.

    Each object is one transaction: a failed or killed sync leaves the store as it was, and
    the next sync resumes from the last committed cursor. Credentials come from the
    environment or the credentials file (docs/sync.md).
    """
    from reviewkit.core.workspace import find_workspace

    ws = find_workspace(workspace)
    names = ["all"] if "all" in source else list(dict.fromkeys(source))
    run_sync(ws, names, full=full, objects=list(objects), dry_run=dry_run)


@click.command()
@workspace_option
def sources(workspace: Path | None) -> None:
    """List each sync source: last successful sync, what it did, its cursor; stale ones."""
    from reviewkit.core.workspace import find_workspace
    from reviewkit.i18n.texts import t
    from reviewkit.ingest.sync.state import source_status
    from reviewkit.ingest.sync.status import sync_status
    from reviewkit.store.schema import connect

    ws = find_workspace(workspace)
    lang = ws.config.lang
    con = connect(ws.store_path, read_only=True, timezone=ws.config.timezone)
    try:
        rows = source_status(con)
        statuses = sync_status(con, workspace=ws, now=dt.datetime.now(dt.UTC))
    finally:
        con.close()
    if rows.empty:
        out.print(t("sources.none", lang))
    for r in rows.itertuples(index=False):
        line = t(
            "sources.line", lang, head=f"{r.source}/{r.object}", last=_stamp(r.last_success),
            mode=t(f"sources.mode.{r.mode}", lang), read=f"{r.rows_read:,}",
            added=f"{r.added:,}", updated=f"{r.updated:,}", deleted=f"{r.deleted:,}",
            merged=f"{r.merged:,}", quarantined=f"{r.quarantined:,}", cursor=_stamp(r.cursor),
        )  # fmt: skip
        out.print(line, markup=False)
    for s in statuses:
        if s.never:
            out.print(t("sources.never", lang, source=s.source))
        elif s.stale:
            out.print(t("sources.stale", lang, source=s.source, hours=f"{s.stale_after_hours:g}",
                        last=_stamp(s.last_success)))  # fmt: skip


def _stamp(value: object) -> str:
    """A timestamp as ``YYYY-MM-DD HH:MM UTC`` (``-`` when there is none)."""
    import pandas as pd

    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return "-"
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.strftime("%Y-%m-%d %H:%M UTC")
