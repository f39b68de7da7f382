"""``reviewkit import``, ``identity``, ``profile`` and ``validate``: bring data in, check it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from reviewkit.cli.shared import err, out, workspace_option

if TYPE_CHECKING:
    from reviewkit.core.workspace import Workspace


@click.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--profile", required=True, help="hubspot-contacts, hubspot-deals, "
              "salesforce-leads, salesforce-opportunities, a name under params/sources/, "
              "or a profile YAML file.")  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Read, check and report; write nothing.")
@click.option("--encoding", default=None, help="Force an encoding (utf-8, utf-8-sig, cp932).")
@click.option("--sheet", default=None, metavar="NAME",
              help="The .xlsx sheet with the data (default: the profile's sheet:, else the "
              "first).")  # fmt: skip
@click.option("--move-source", is_flag=True,
              help="Move records the store holds under another source system to the "
              "profile's (refused without it).")  # fmt: skip
@workspace_option
def import_(
    files: tuple[Path, ...],
    profile: str,
    dry_run: bool,
    encoding: str | None,
    sheet: str | None,
    move_source: bool,
    workspace: Path | None,
) -> None:
    """Import MA/SFA export FILES into the store (each file in one transaction)."""
    from reviewkit.core.workspace import find_workspace
    from reviewkit.ingest.importer import import_file
    from reviewkit.ingest.profile import load_profile
    from reviewkit.ingest.readers import check_file
    from reviewkit.model.definitions import load_definitions
    from reviewkit.model.exchange_rates import load_rates
    from reviewkit.store.schema import connect

    ws = find_workspace(workspace)
    definitions = load_definitions(ws)
    chosen = load_profile(profile, workspace=ws)
    rates = load_rates(ws.root, currency=ws.config.currency)
    for path in files:  # every file named exists before the first is imported
        check_file(path)
    con = connect(ws.store_path, timezone=ws.config.timezone)
    try:
        report = None
        for path in files:
            report = import_file(
                con, path, chosen, definitions=definitions, timezone=ws.config.timezone,
                currency=ws.config.currency, encoding=encoding, sheet=sheet, dry_run=dry_run,
                move_source=move_source, bounds=ws.config.dates.bounds(), rates=rates,
            )  # fmt: skip
            out.print(report.line(ws.config.lang), markup=False)  # [profile] is not markup
            for warning in report.warnings(ws.config.lang):
                out.print(f"warning: {warning}", markup=False)
            if dry_run:  # each file alone against the store as it is
                _warn_consistency(report.consistency, definitions, ws.config.lang)
        people = chosen.record in ("leads", "opportunities")
        if not dry_run and report is not None and people:  # the store after every file
            _warn_consistency(report.consistency, definitions, ws.config.lang)
            from reviewkit.ingest.identity import identity_report

            counts = identity_report(con)["summary"].set_index("measure")["count"].to_dict()
            out.print(
                "identity: "
                + ", ".join(f"{measure.replace('_', ' ')} {n:,}" for measure, n in counts.items())
            )
    finally:
        con.close()


def _warn_consistency(problems: Any, definitions: Any, lang: str) -> None:
    """One warning line per stage-date contradiction in the store (ids, never addresses)."""
    from reviewkit.present.sections.consistency import consistency_lines

    for line in consistency_lines(problems, definitions=definitions, lang=lang):
        out.print(f"warning: {line}", markup=False)


@click.command()
@click.option("--limit", type=click.IntRange(min=0, max=1_000_000), default=20,
              show_default=True, help="Rows to show per table.")  # fmt: skip
@workspace_option
def identity(limit: int, workspace: Path | None) -> None:
    """Show identity matching: merged records, conflicting attributes, ambiguous records."""
    from rich.table import Table

    from reviewkit.core.workspace import find_workspace
    from reviewkit.ingest.identity import identity_report
    from reviewkit.store.schema import connect

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


# --- reviewkit profile -----------------------------------------------------------------------


@click.group()
def profile() -> None:
    """Import profiles: how an export file maps onto the store (params/sources/)."""


@profile.command(name="draft")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--name", default=None, help="The profile's name. Default: the file's name.")
@click.option("--record",
              type=click.Choice(["leads", "opportunities", "campaigns", "activities"]),
              default=None,
              help="What each row is. Default: guessed from the columns.")  # fmt: skip
@click.option("--encoding", default=None, help="Force an encoding (utf-8, utf-8-sig, cp932).")
@workspace_option
def profile_draft(
    file: Path, name: str | None, record: str | None, encoding: str | None, workspace: Path | None
) -> None:
    """Draft params/sources/NAME.yml from an export FILE, for you to check and edit."""
    from reviewkit.core.workspace import find_workspace
    from reviewkit.ingest.profile_draft import write_draft
    from reviewkit.model.definitions import load_definitions

    ws = find_workspace(workspace)
    path, draft = write_draft(
        file, sources_dir=ws.params_dir / "sources", definitions=load_definitions(ws),
        name=name, record=record, encoding=encoding, store=ws.store_path,
    )  # fmt: skip
    mapped = ", ".join(f"{k} <- {v}" for k, v in draft.columns.items()) or "none"
    stages = ", ".join(f"{k} <- {v}" for k, v in draft.stages.items())
    personal = ", ".join(draft.personal)
    out.print(
        f"drafted {path}: {draft.record}, id {draft.id_column or '(none)'}; columns: {mapped}"
        + (f"; stages: {stages}" if stages else "")
        + (f"; not imported (personal data): {personal}" if personal else ""),
        markup=False,
    )
    out.print(
        f"next: check the comments in {path}, then: reviewkit import {file} --profile "
        f"{draft.name} --dry-run" + (f" --workspace {ws.root}" if workspace else ""),
        markup=False,
    )


# --- reviewkit action ------------------------------------------------------------------------


@click.command()
@workspace_option
def validate(workspace: Path | None) -> None:
    """Check definitions, targets, benchmarks, actions, schedule and your templates (no run)."""
    from reviewkit.analysis.benchmarks import load_benchmarks
    from reviewkit.core.workspace import find_workspace
    from reviewkit.model.actions_file import load_actions
    from reviewkit.model.definitions import load_definitions
    from reviewkit.model.exchange_rates import load_rates, rates_summary
    from reviewkit.model.targets import load_targets
    from reviewkit.pack.schedule import SCHEDULE_FILE, load_schedule
    from reviewkit.pack.validate import store_problems
    from reviewkit.review.templates import read_template, template_files, template_problems

    ws = find_workspace(workspace)
    ws.check_calendar()
    definitions = load_definitions(ws)
    rates = load_rates(ws.root, currency=ws.config.currency)
    targets = load_targets(ws, definitions=definitions)
    templates = template_files(ws.root)
    problems = [line for path in templates for line in template_problems(path)]
    if problems:
        for line in problems:
            err.print(f"reviewkit: error: {line}", markup=False, soft_wrap=True)
        raise click.exceptions.Exit(2)
    if targets.source:
        source = Path(targets.source).resolve()
        shown = source.relative_to(ws.root).as_posix() if source.is_relative_to(ws.root) else source
        checked = f"{len(targets.frame):,} monthly values ({shown})"
    else:
        checked = "no params/targets.yml (packs use the store's targets table)"
    benchmarks = load_benchmarks(ws, definitions=definitions)
    actions = load_actions(ws, definitions=definitions)
    synced = _sync_sources(ws, definitions)
    schedule_file = ws.params_dir / SCHEDULE_FILE
    jobs = (
        load_schedule(schedule_file, default_lang=ws.config.lang) if schedule_file.is_file() else []
    )
    packs = (
        f"{len(jobs)} packs"
        if schedule_file.is_file()
        else "no params/schedule.yml (reviewkit batch needs one)"
    )
    delivery = _delivery(ws, jobs)
    found = store_problems(ws, definitions=definitions, jobs=jobs)
    for line in found.warnings:
        err.print(f"reviewkit: warning: {line}", markup=False, soft_wrap=True)
    if found.errors:
        for line in found.errors:
            err.print(f"reviewkit: error: {line}", markup=False, soft_wrap=True)
        raise click.exceptions.Exit(2)
    own = ", ".join(f"{c.name} ({c.cadence})" for c in map(read_template, templates))
    mixed = _store_currency_warning(ws)
    if mixed:
        err.print(f"reviewkit: warning: {mixed}", markup=False, soft_wrap=True)
    out.print(
        f"definitions v{definitions.version} (hash {definitions.version_hash}): "
        f"{len(definitions.stages)} stages, {len(definitions.metric_map)} metrics; "
        f"targets: {checked}; benchmarks: {len(benchmarks)} reference ranges; "
        f"actions: {len(actions)}; schedule: {packs}; {rates_summary(rates)}"
        f"{f'; templates: {own}' if own else ''}"
        f"{f'; sync sources: {synced}' if synced else ''}{delivery} — OK",
        markup=False,
    )


def _sync_sources(ws: Workspace, definitions: Any) -> str:
    """The sync sources of ``params/sources/sync/``, each checked (ConfigError: one line)."""
    from reviewkit.ingest.importer import check_profile_stages
    from reviewkit.ingest.sync.spec import configured_sources, load_sync_source

    shown = []
    for name in configured_sources(ws):
        source = load_sync_source(name, workspace=ws)
        for spec in source.specs():
            check_profile_stages(spec.profile, definitions)
        shown.append(f"{name} ({source.api}, {len(source.objects)} objects)")
    return ", ".join(shown)


def _delivery(ws: Workspace, jobs: list[Any]) -> str:
    """``params/delivery.yml`` checked against the schedule: its audiences, in words."""
    from reviewkit.deliver.config import DELIVERY_FILE, load_delivery

    config = load_delivery(ws.params_dir / DELIVERY_FILE, jobs=jobs, default_lang=ws.config.lang)
    if config is None:
        return ""
    packs = sum(len(a.jobs) for a in config.audiences)
    return f"; delivery: {len(config.audiences)} audiences, {packs} pack deliveries per run"


def _store_currency_warning(ws: Workspace) -> str | None:
    """One line when the store holds amounts in another currency than the workspace's."""
    from reviewkit.core.currency import foreign_amounts, foreign_amounts_line
    from reviewkit.errors import StoreBusyError
    from reviewkit.store.schema import connect

    if not ws.store_path.is_file():
        return None
    try:
        con = connect(ws.store_path, read_only=True, timezone=ws.config.timezone)
    except StoreBusyError:  # an import is writing: its own checks run; nothing to say here
        return None
    try:
        found = foreign_amounts(con, currency=ws.config.currency)
    finally:
        con.close()
    return foreign_amounts_line(found, currency=ws.config.currency)
