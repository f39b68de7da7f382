"""``reviewkit run``, ``batch``, ``index`` and ``new-template``: build and publish packs."""

from __future__ import annotations

from pathlib import Path

import click

from reviewkit.cli.shared import err, out, output_dir_option, workspace_option


@click.command()
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


@click.command()
@click.option("--jobs", "-j", type=click.IntRange(min=1, max=64), default=2, show_default=True,
              help="Packs built at once (worker processes).")  # fmt: skip
@click.option("--as-of", default="auto", show_default=True, help="Review date YYYY-MM-DD or auto.")
@click.option("--only", "only", multiple=True, metavar="PATTERN",
              help="Build only the packs whose name matches, e.g. 'monthly/*' or "
              "'*/sales_team-*/ja' (repeatable); a name is cadence/segment/lang.")  # fmt: skip
@click.option("--force", is_flag=True, help="Rebuild packs whose inputs are unchanged.")
@click.option("--sync", "sync_first", is_flag=True,
              help="First sync every source of params/sources/sync/ from its API; a failed "
              "sync builds no pack (exit 1).")  # fmt: skip
@click.option("--no-deliver", is_flag=True,
              help="Build only: send nothing even if params/delivery.yml exists.")  # fmt: skip
@click.option("--redeliver", is_flag=True,
              help="Send every pack again, also to recipients that already had it.")  # fmt: skip
@click.option("--cluster", default=None, metavar="ADDRESS",
              help="Build on a Dask cluster: its scheduler (tcp://HOST:8786) or local:N for N "
              "worker processes here; planning, skipping and publishing stay here "
              "(docs/scaling.md).")  # fmt: skip
@click.option("--shared-store", is_flag=True,
              help="With --cluster: workers copy the store from its path here (a folder "
              "every machine mounts) instead of receiving it from this process.")  # fmt: skip
@click.option("--part", is_flag=True,
              help="One part of a batch run in parallel with other parts (e.g. Airflow "
              "shards, with --only): no last-batch.json, index or delivery; a whole batch "
              "afterwards skips what the parts built and records the night.")  # fmt: skip
@click.option(
    "--list",
    "list_jobs",
    is_flag=True,
    help="Print the names of the schedule's packs (after --only), build nothing.",
)
@output_dir_option
@workspace_option
def batch(
    jobs: int,
    as_of: str,
    only: tuple[str, ...],
    force: bool,
    sync_first: bool,
    no_deliver: bool,
    redeliver: bool,
    cluster: str | None,
    shared_store: bool,
    part: bool,
    list_jobs: bool,
    output_dir: Path | None,
    workspace: Path | None,
) -> None:
    """Build the packs of params/schedule.yml; skip those whose inputs are unchanged.

    With params/delivery.yml, each pack built (or unchanged but not yet delivered) then goes
    to its audiences; exit 3 when a delivery failed (the packs stay published).
    """
    from reviewkit.cli.deliver import BatchDelivery, load_config, show_delivery
    from reviewkit.core.workspace import find_workspace
    from reviewkit.errors import DELIVERY_EXIT
    from reviewkit.pack.batch_view import show_batch
    from reviewkit.pack.preflight import output_folder

    ws = find_workspace(workspace)
    if list_jobs:
        from reviewkit.pack.schedule import SCHEDULE_FILE, load_schedule, select

        for job in select(load_schedule(ws.params_dir / SCHEDULE_FILE,
                                        default_lang=ws.config.lang), only):  # fmt: skip
            out.print(job.name, highlight=False, markup=False, soft_wrap=True)
        return
    # a part never delivers: the whole batch after the parts does, once
    config = None if no_deliver or part else load_config(ws)  # a bad file: exit 2
    if sync_first:  # each object commits whole, so packs see every source synced or as it was
        from reviewkit.cli.sync import run_sync

        run_sync(ws, ["all"], full=False, objects=[], dry_run=False)

    delivery = None
    if config is not None:
        delivery = BatchDelivery(ws, config, output_folder(ws, output_dir), redeliver=redeliver)
    report = show_batch(
        err, out, jobs=jobs, as_of=as_of, only=only, force=force, output_dir=output_dir,
        workspace=ws.root, after=delivery, part=part, cluster=cluster,
        shared_store=shared_store,
    )  # fmt: skip
    if delivery is not None and delivery.report is not None:
        show_delivery(delivery.report)
    if report.failed:
        raise click.exceptions.Exit(1)
    if delivery is not None and delivery.report is not None and delivery.report.failures:
        raise click.exceptions.Exit(DELIVERY_EXIT)


@click.command()
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


@click.command(name="new-template")
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
    from reviewkit.review.new_template import new_template as scaffold

    ws = find_workspace(workspace)
    made = scaffold(name, workspace=ws, cadence=cadence, title_ja=title_ja, title_en=title_en)
    out.print(
        f"template {made.name} ({made.cadence}) created at {made.path}; edit it in JupyterLab, "
        f"then: reviewkit run {made.name} --workspace {ws.root}",
        markup=False,
    )
