"""The ``reviewkit`` command line.

Errors print one line to stderr (add ``--debug`` anywhere for the traceback) and exit with 2
for bad input or 1 for a failed run; a run stopped by SIGINT exits 130, by SIGTERM 143.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console

from reviewkit.errors import ReviewkitError

if TYPE_CHECKING:
    from reviewkit.core.workspace import Workspace

err = Console(stderr=True, highlight=False)
out = Console(highlight=False, soft_wrap=True)

workspace_option = click.option(
    "--workspace",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Workspace folder (params/, data/, outputs/). Default: $REVIEWKIT_WORKSPACE, else "
    "the current folder or a parent with params/workspace.yml.",
)


def _output_dir(_ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """A folder option or argument checked before any work: writable (exit 2, one line)."""
    from reviewkit.model.request import check_output_dir

    name = param.opts[0] if isinstance(param, click.Option) else param.human_readable_name
    return check_output_dir(value, option=name)


output_dir_option = click.option(
    "--output-dir",
    type=click.Path(path_type=Path),
    default=None,
    callback=_output_dir,
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
@click.option("--segment", default="", metavar="COLUMN=VALUE[,VALUE]",
              help="A pack for one segment, e.g. 'sales_team=Team B' or a group "
              "'channel=paid_search,display'. Default: the whole company.")  # fmt: skip
@click.option("--segment-name", default="", metavar="NAME",
              help="A name for a group of values, e.g. paid (its folder and header).")  # fmt: skip
@output_dir_option
@workspace_option
def run(
    cadence: str,
    as_of: str,
    lang: str,
    parameters: tuple[str, ...],
    segment: str,
    segment_name: str,
    output_dir: Path | None,
    workspace: Path | None,
) -> None:
    """Render the CADENCE pack (weekly, monthly, quarterly) of the last complete period.

    CADENCE may also name a template of yours, notebooks/NAME.ipynb (see `reviewkit
    new-template`): its pack covers a period of its cadence and goes to <output-dir>/NAME/.
    """
    from reviewkit.pack.parameters import parse_parameters
    from reviewkit.pack.runner import run_pack

    values = parse_parameters(parameters)
    with err.status("starting…") as status:
        result = run_pack(
            cadence,
            as_of=as_of,
            lang=lang,
            output_dir=output_dir,
            workspace=workspace,
            parameters=values,
            segment=segment,
            segment_name=segment_name,
            progress=lambda message: status.update(message),
        )
    out.print(
        f"{result.name} {result.period} ({result.lang}): {result.pack} [{result.seconds:.1f} s]"
    )


@app.command(name="new-template")
@click.argument("name")
@click.option("--cadence", type=click.Choice(["weekly", "monthly", "quarterly"]),
              default="monthly", show_default=True,
              help="The periods the template reviews.")  # fmt: skip
@click.option("--title-ja", default="", help="Its title in Japanese packs. Default: NAME in words.")
@click.option("--title-en", default="", help="Its title in English packs. Default: NAME in words.")
@workspace_option
def new_template(
    name: str, cadence: str, title_ja: str, title_en: str, workspace: Path | None
) -> None:
    """Create notebooks/NAME.ipynb: a review template of your own (NAME in snake_case)."""
    from reviewkit.core.workspace import find_workspace
    from reviewkit.review.templates import new_template as scaffold

    ws = find_workspace(workspace)
    made = scaffold(name, workspace=ws, cadence=cadence, title_ja=title_ja, title_en=title_en)
    out.print(
        f"template {made.name} ({made.cadence}) created at {made.path}; edit it in JupyterLab, "
        f"then: reviewkit run {made.name} --workspace {ws.root}",
        markup=False,
    )


@app.command()
@workspace_option
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="Random seed, 0 or more (default: the spec's).")  # fmt: skip
@click.option("--leads", type=click.IntRange(min=1000, max=10_000_000), default=None,
              help="About how many leads to generate (default: the spec's 50,000); for "
              "trying reviewkit at scale.")  # fmt: skip
@click.option("--company", default=None, metavar="NAME",
              help="A zoo company instead: sample, brazil, usa or germany. Creates a "
              "complete workspace in DIR (params, store, exports/).")  # fmt: skip
@click.option("--exports-only", is_flag=True,
              help="With --company: write only the company's export files, into DIR.")  # fmt: skip
@click.argument("directory", required=False, callback=_output_dir,
                type=click.Path(path_type=Path, file_okay=False))  # fmt: skip
def sample(
    workspace: Path | None,
    seed: int | None,
    leads: int | None,
    company: str | None,
    exports_only: bool,
    directory: Path | None,
) -> None:
    """Generate the sample company into the workspace's store (replacing its contents).

    With --company NAME DIR: a zoo company (another shape of funnel, with planted problems)
    as a new workspace in DIR.
    """
    if company is not None:
        _zoo_company(company, directory, workspace, seed=seed, leads=leads, exports=exports_only)
        return
    if directory is not None or exports_only:
        raise click.UsageError("DIR and --exports-only go with --company NAME")
    from reviewkit.core.workspace import find_workspace
    from reviewkit.ingest.sample.company import write_sample

    ws = find_workspace(workspace)
    with err.status("generating the sample company…"):
        counts = write_sample(str(ws.store_path), seed=seed, leads=leads)
    summary = ", ".join(f"{k} {v:,}" for k, v in counts.items())
    out.print(f"sample company written to {ws.store_path}: {summary}")


def _zoo_company(
    name: str,
    directory: Path | None,
    workspace: Path | None,
    *,
    seed: int | None,
    leads: int | None,
    exports: bool,
) -> None:
    """``reviewkit sample --company NAME DIR``: a zoo company's workspace or export files."""
    if directory is None:
        raise click.UsageError(f"--company {name}: give the folder to create, e.g. "
                               f"`reviewkit sample --company {name} {name}-ws`")  # fmt: skip
    if workspace is not None or leads is not None:
        raise click.UsageError("--workspace and --leads go with the sample, not with --company")
    from reviewkit.ingest.sample.zoo.workspace import write_company

    with err.status(f"generating the zoo company {name}…"):
        lines = write_company(name, directory, seed=seed, exports_only=exports)
    for line in lines:
        out.print(line, markup=False)


@app.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False), callback=_output_dir)
@click.option("--company", default=None, help="The company's name. Default: DIRECTORY's name.")
@click.option("--country", default=None,
              help="ISO 3166 code (JP, US, DE, BR, ...): holidays, and the defaults of the "
              "options below. Default: JP.")  # fmt: skip
@click.option("--currency", default=None,
              help="ISO 4217 code (JPY, USD, EUR, ...). Default: the country's.")  # fmt: skip
@click.option("--timezone", default=None,
              help="IANA time zone. Default: the country's (e.g. America/New_York).")  # fmt: skip
@click.option("--lang", default=None, help="Pack language, ja or en. Default: ja in JP, else en.")
@click.option("--fiscal-year-start", default=None, metavar="MONTH",
              help="First month of the fiscal year, 1-12 or a name. Default: the country's "
              "usual (April in JP, January in US).")  # fmt: skip
@click.option("--sample", is_flag=True,
              help="Copy the sample company's configuration instead (for demos; then "
              "`reviewkit sample`).")  # fmt: skip
def init(
    directory: Path,
    company: str | None,
    country: str | None,
    currency: str | None,
    timezone: str | None,
    lang: str | None,
    fiscal_year_start: str | None,
    sample: bool,
) -> None:
    """Create a workspace in DIRECTORY for your company's own data (or --sample)."""
    if sample:
        _init_sample(directory, company=company, country=country, currency=currency,
                     timezone=timezone, lang=lang, fiscal_year_start=fiscal_year_start)  # fmt: skip
        return
    from reviewkit.model.onboarding import company_settings, init_company_workspace

    settings = company_settings(
        company=company or directory.expanduser().resolve().name, country=country or "JP",
        currency=currency, timezone=timezone, lang=lang, fiscal_year_start=fiscal_year_start,
    )  # fmt: skip
    ws = init_company_workspace(directory, settings)
    _print_next_steps(ws, settings)


def _init_sample(directory: Path, **options: str | None) -> None:
    """``reviewkit init DIR --sample``: the sample company's configuration, for demos."""
    from reviewkit.core.workspace import init_workspace
    from reviewkit.errors import ParameterError

    given = [f"--{k.replace('_', '-')}" for k, v in options.items() if v is not None]
    if given:
        raise ParameterError(
            f"{given[0]}: not used with --sample (the sample company has its own settings); "
            "leave out --sample to create a workspace for your company"
        )
    ws = init_workspace(directory)
    out.print(
        f"workspace created at {ws.root} with the sample company's configuration; "
        f"next: reviewkit sample --workspace {ws.root}",
        markup=False,
    )


def _print_next_steps(ws: Any, settings: Any) -> None:
    """What ``reviewkit init`` made, and the commands that import the company's exports."""
    import shlex

    from reviewkit.model.starter_files import MONTH_NAMES

    root = shlex.quote(str(ws.root))
    month = MONTH_NAMES[settings.fiscal_year_start_month - 1]
    out.print(
        f"workspace created at {ws.root} for {settings.company} ({settings.currency}, "
        f"{settings.country}, {settings.timezone}, packs in {settings.lang}, fiscal year from "
        f"{month})\n"
        "next: describe each export file in a profile, check it, import it:\n"
        f"  reviewkit profile draft exports/leads.csv --workspace {root}\n"
        f"  (edit {shlex.quote(str(ws.params_dir / 'sources' / 'leads.yml'))}: the comments say "
        "what to check)\n"
        f"  reviewkit import exports/leads.csv --profile leads --dry-run --workspace {root}\n"
        f"  reviewkit import exports/leads.csv --profile leads --workspace {root}\n"
        "then: write your funnel in params/definitions.yml and your targets in "
        f"params/targets.yml, run `reviewkit validate --workspace {root}` and "
        f"`reviewkit batch --workspace {root}` (docs/own-data.md)",
        markup=False,
    )


@app.command()
@workspace_option
@output_dir_option
def index(workspace: Path | None, output_dir: Path | None) -> None:
    """Rebuild index.html from the packs already published."""
    from reviewkit.core.workspace import find_workspace
    from reviewkit.pack.index_page import write_index
    from reviewkit.pack.preflight import output_folder

    ws = find_workspace(workspace)
    folder = output_folder(ws, output_dir)  # a folder that cannot be written: one line
    path = write_index(folder, lang=ws.config.lang, timezone=ws.config.timezone)
    out.print(str(path))


@app.command()
@workspace_option
def validate(workspace: Path | None) -> None:
    """Check definitions, targets, benchmarks, actions, schedule and your templates (no run)."""
    from reviewkit.analysis.benchmarks import load_benchmarks
    from reviewkit.core.workspace import find_workspace
    from reviewkit.model.actions import load_actions
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
    schedule_file = ws.params_dir / SCHEDULE_FILE
    jobs = (
        load_schedule(schedule_file, default_lang=ws.config.lang) if schedule_file.is_file() else []
    )
    packs = (
        f"{len(jobs)} packs"
        if schedule_file.is_file()
        else "no params/schedule.yml (reviewkit batch needs one)"
    )
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
        f"{f'; templates: {own}' if own else ''} — OK",
        markup=False,
    )


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


@app.command(name="import")
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


@app.command()
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


@app.group()
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


@app.group()
def action() -> None:
    """The actions register (params/actions.yml): what the reviews decided, by whom, by when."""


def _register(workspace: Path | None) -> tuple[Any, Any, Any]:
    """The workspace, its definitions and its actions register (checked)."""
    from reviewkit.core.workspace import find_workspace
    from reviewkit.model.actions import load_actions
    from reviewkit.model.definitions import load_definitions

    ws = find_workspace(workspace)
    definitions = load_definitions(ws)
    return ws, definitions, load_actions(ws, definitions=definitions)


def _save(ws: Any, definitions: Any, register: Any, changed: Any) -> None:
    """Check the changed action against the definitions, then write the register atomically."""
    from reviewkit.model.actions import FILE_NAME, check_action, save_actions

    check_action(changed, definitions=definitions, calendar=ws.calendar)
    save_actions(register, ws.params_dir / FILE_NAME, lang=ws.config.lang)


@action.command(name="add")
@click.option("--title", default=None, help="What will be done, in the team's language.")
@click.option("--family", default=None, help="target, content, follow_up or other.")
@click.option("--kpi", default=None, help="The metric it should move (a key of definitions.yml).")
@click.option("--segment", "segments", multiple=True, metavar="COLUMN=VALUE",
              help="The segment it targets, e.g. channel=webinar (repeatable; none: the whole "
              "funnel).")  # fmt: skip
@click.option("--owner", default=None, help="Who owns it, e.g. inside_sales.")
@click.option("--start", default=None, help="Start date YYYY-MM-DD.")
@click.option("--due", default=None, help="Due date YYYY-MM-DD.")
@click.option("--expected", default=None, help="The expected effect, in words.")
@click.option("--decided-in", default=None, metavar="REVIEW:PERIOD",
              help="The review that decided it, e.g. monthly:2026-10. Default: the last "
              "complete month before --start.")  # fmt: skip
@click.option("--id", "action_id", default=None,
              help="The action's id. Default: A-<start YYYY-MM>-<title in ASCII "
              "words>.")  # fmt: skip
@click.option("--from-proposal", default=None, metavar="PROPOSAL_ID",
              help="Adopt a proposal of a monthly pack (outputs/monthly/*/proposals.json); "
              "start defaults to today, due to start + 30 days.")  # fmt: skip
@workspace_option
def action_add(
    title: str | None,
    family: str | None,
    kpi: str | None,
    segments: tuple[str, ...],
    owner: str | None,
    start: str | None,
    due: str | None,
    expected: str | None,
    decided_in: str | None,
    action_id: str | None,
    from_proposal: str | None,
    workspace: Path | None,
) -> None:
    """Add an action to params/actions.yml (by hand, or --from-proposal ID)."""
    import datetime as dt

    from reviewkit.core.periods import last_complete_period
    from reviewkit.errors import ParameterError
    from reviewkit.model.actions import (
        action_from_proposal,
        default_action_id,
        find_proposal,
        make_action,
        parse_date_option,
        parse_decided_in,
        parse_segment_options,
    )

    ws, definitions, register = _register(workspace)
    if from_proposal is not None:
        given = {"--title": title, "--family": family, "--kpi": kpi, "--segment": segments,
                 "--expected": expected, "--decided-in": decided_in}  # fmt: skip
        extra = [name for name, value in given.items() if value]
        if extra:
            raise ParameterError(
                f"{extra[0]}: not used with --from-proposal (the proposal gives it); use "
                "--start, --due, --owner or --id, or `reviewkit action update` afterwards"
            )
        record = find_proposal(ws.outputs_dir, from_proposal, lang=ws.config.lang)
        if owner is not None:
            record = {**record, "owner": owner}
        begin = parse_date_option(start, option="--start") if start else ws.today()
        end = parse_date_option(due, option="--due") if due else begin + dt.timedelta(days=30)
        new = action_from_proposal(
            record, start=begin, due=end, currency=ws.config.currency, action_id=action_id
        )
    else:
        required = {"--title": title, "--family": family, "--kpi": kpi, "--owner": owner,
                    "--start": start, "--due": due}  # fmt: skip
        missing = [name for name, value in required.items() if not value]
        if missing:
            raise ParameterError(
                f"{', '.join(missing)}: missing; an action needs --title, --family, --kpi, "
                "--owner, --start and --due (or --from-proposal ID)"
            )
        assert title and start and due
        begin = parse_date_option(start, option="--start")
        decided = (
            parse_decided_in(decided_in)
            if decided_in
            else {
                "review": "monthly",
                "period": last_complete_period("monthly", begin, calendar=ws.calendar).label,
            }
        )
        fields = {
            "id": action_id or default_action_id(title, begin, taken=register.ids),
            "title": title,
            "family": family,
            "kpi": kpi,
            "segment": parse_segment_options(segments),
            "owner": owner,
            "decided_in": decided,
            "start": begin,
            "due": parse_date_option(due, option="--due"),
            "status": "open",
            "expected_effect": expected,
        }
        new = make_action(fields, source=f"action {fields['id']!r}")
    _save(ws, definitions, register.add(new), new)
    out.print(f"added {new.id}: {new.title} ({new.owner}, due {new.due})", markup=False)


@action.command(name="list")
@click.option("--all", "show_all", is_flag=True, help="Every action, not only the open ones.")
@click.option("--status", type=click.Choice(["open", "done", "dropped"]), default=None,
              help="Only the actions with this status.")  # fmt: skip
@click.option("--lang", default="", help="ja or en. Default: the workspace's language.")
@workspace_option
def action_list(show_all: bool, status: str | None, lang: str, workspace: Path | None) -> None:
    """Show the open actions (overdue ones marked), or --all, or one --status."""
    from rich.table import Table
    from rich.text import Text

    from reviewkit.i18n.texts import check_lang
    from reviewkit.model.actions import actions_table, actions_text

    ws, _, register = _register(workspace)
    lang = check_lang(lang or ws.config.lang)
    today = ws.today()
    if status:
        chosen = register.with_status(status)
        title = actions_text("table.status", lang, status=actions_text(f"status.{status}", lang))
    elif show_all:
        chosen, title = register, actions_text("table.all", lang)
    else:
        chosen, title = register.open(), actions_text("table.open", lang)
    shown = Path(register.path)
    shown = shown.relative_to(ws.root) if shown.is_relative_to(ws.root) else shown
    if not len(chosen):
        out.print(actions_text("list_none", lang, file=shown), markup=False)
        return
    frame = actions_table(chosen, on=today, lang=lang)
    caption = actions_text(
        "table.caption", lang, file=shown, today=today, overdue=len(chosen.overdue(today))
    )
    table = Table(
        title=Text(title), caption=Text(caption), title_justify="left", caption_justify="left"
    )
    for i, column in enumerate(frame.columns):  # the due date whole; the title gets the room
        table.add_column(Text(str(column)), no_wrap=i == 5, overflow="fold")
    for row in frame.itertuples(index=False):
        table.add_row(*[Text(str(v)) for v in row])
    # a terminal's own width; a file or a pipe gets whole lines
    (out if out.is_terminal else Console(highlight=False, width=200)).print(table)


@action.command(name="update")
@click.argument("action_id", metavar="ID")
@click.option("--title", default=None, help="New title.")
@click.option("--family", default=None, help="target, content, follow_up or other.")
@click.option("--kpi", default=None, help="New KPI (a metric key of definitions.yml).")
@click.option("--segment", "segments", multiple=True, metavar="COLUMN=VALUE",
              help="New segment (replaces the old one; repeatable).")  # fmt: skip
@click.option("--whole-funnel", is_flag=True, help="Remove the segment.")
@click.option("--owner", default=None, help="New owner.")
@click.option("--start", default=None, help="New start date YYYY-MM-DD.")
@click.option("--due", default=None, help="New due date YYYY-MM-DD.")
@click.option("--status", default=None,
              help="open (reopens a closed action); to close one use "
              "`reviewkit action close`.")  # fmt: skip
@click.option("--expected", default=None, help="New expected effect, in words.")
@click.option("--decided-in", default=None, metavar="REVIEW:PERIOD",
              help="The review that decided it, e.g. monthly:2026-10.")  # fmt: skip
@workspace_option
def action_update(
    action_id: str,
    title: str | None,
    family: str | None,
    kpi: str | None,
    segments: tuple[str, ...],
    whole_funnel: bool,
    owner: str | None,
    start: str | None,
    due: str | None,
    status: str | None,
    expected: str | None,
    decided_in: str | None,
    workspace: Path | None,
) -> None:
    """Change fields of the action ID."""
    from reviewkit.errors import ParameterError
    from reviewkit.model.actions import (
        make_action,
        parse_date_option,
        parse_decided_in,
        parse_segment_options,
    )

    ws, definitions, register = _register(workspace)
    old = register.get(action_id)
    if segments and whole_funnel:
        raise ParameterError("--whole-funnel: not used with --segment; give one of the two")
    if status in ("done", "dropped"):
        raise ParameterError(
            f"--status: {status!r} closes the action; use `reviewkit action close {action_id} "
            f"--status {status}` (it records the day and the outcome)"
        )
    changes: dict[str, object] = {
        "title": title, "family": family, "kpi": kpi, "owner": owner,
        "start": parse_date_option(start, option="--start") if start else None,
        "due": parse_date_option(due, option="--due") if due else None,
        "status": status, "expected_effect": expected,
        "decided_in": parse_decided_in(decided_in) if decided_in else None,
        "segment": parse_segment_options(segments) if segments else None,
    }  # fmt: skip
    changes = {k: v for k, v in changes.items() if v is not None}
    if whole_funnel:
        changes["segment"] = None
    if status == "open":
        changes["closed_on"] = None
    if not changes:
        raise ParameterError(
            f"action {action_id!r}: nothing to change; give --title, --family, --kpi, "
            "--segment, --whole-funnel, --owner, --start, --due, --status, --expected or "
            "--decided-in"
        )
    fields = {**old.model_dump(), **changes}
    new = make_action(fields, source=f"action {action_id!r}")
    _save(ws, definitions, register.replace(new), new)
    changed = ", ".join(
        f"{name} {getattr(old, name)} -> {getattr(new, name)}"
        for name in type(new).model_fields
        if getattr(old, name) != getattr(new, name)
    )
    out.print(f"updated {new.id}: {changed or 'no change'}", markup=False)


@action.command(name="close")
@click.argument("action_id", metavar="ID")
@click.option("--status", type=click.Choice(["done", "dropped"]), default="done",
              show_default=True, help="How it ended.")  # fmt: skip
@click.option("--outcome", default=None, help="What came of it, in words.")
@click.option("--on", "on", default=None, help="The day it closed (YYYY-MM-DD). Default: today.")
@workspace_option
def action_close(
    action_id: str, status: str, outcome: str | None, on: str | None, workspace: Path | None
) -> None:
    """Close the action ID as done or dropped, with the day and the outcome."""
    from reviewkit.model.actions import make_action, parse_date_option

    ws, definitions, register = _register(workspace)
    old = register.get(action_id)
    day = parse_date_option(on, option="--on") if on else ws.today()
    fields = {**old.model_dump(), "status": status, "closed_on": day}
    if outcome is not None:
        fields["outcome"] = outcome
    new = make_action(fields, source=f"action {action_id!r}")
    _save(ws, definitions, register.replace(new), new)
    out.print(f"closed {new.id}: {new.status} on {new.closed_on}", markup=False)


@app.command()
@click.option("--jobs", "-j", type=click.IntRange(min=1, max=64), default=2, show_default=True,
              help="Packs built at once (worker processes).")  # fmt: skip
@click.option("--as-of", default="auto", show_default=True, help="Review date YYYY-MM-DD or auto.")
@click.option("--only", "only", multiple=True, metavar="PATTERN",
              help="Build only the packs whose name matches, e.g. 'monthly/*' or "
              "'*/sales_team-*/ja' (repeatable); a name is cadence/segment/lang.")  # fmt: skip
@click.option("--force", is_flag=True, help="Rebuild packs whose inputs are unchanged.")
@output_dir_option
@workspace_option
def batch(
    jobs: int,
    as_of: str,
    only: tuple[str, ...],
    force: bool,
    output_dir: Path | None,
    workspace: Path | None,
) -> None:
    """Build the packs of params/schedule.yml; skip those whose inputs are unchanged."""
    from reviewkit.pack.batch_view import show_batch

    report = show_batch(
        err, out, jobs=jobs, as_of=as_of, only=only, force=force, output_dir=output_dir,
        workspace=workspace,
    )  # fmt: skip
    if report.failed:
        raise click.exceptions.Exit(1)


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
