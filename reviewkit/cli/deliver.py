"""``reviewkit deliver`` and ``publish``, and the delivery step of ``reviewkit batch``.

A batch delivers its packs (``params/delivery.yml``) once they are built, under its lock; the
``deliver`` command does the same for the packs of the last batch (after a failed delivery, or
to see who would get what with ``--dry-run``); ``publish`` lays the packs out per audience.
"""

from __future__ import annotations

import fnmatch
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.markup import escape

from reviewkit.cli.shared import err, out, output_dir_option, workspace_option

if TYPE_CHECKING:
    from reviewkit.core.workspace import Workspace
    from reviewkit.deliver.config import DeliveryConfig
    from reviewkit.deliver.engine import DeliveryReport
    from reviewkit.pack.batch import BatchReport

__all__ = ["BatchDelivery", "deliver", "load_config", "publish"]


def load_config(ws: Workspace) -> DeliveryConfig | None:
    """``params/delivery.yml`` checked against the schedule; ``None`` without the file."""
    from reviewkit.deliver.config import DELIVERY_FILE, load_delivery
    from reviewkit.pack.schedule import SCHEDULE_FILE, load_schedule

    path = ws.params_dir / DELIVERY_FILE
    if not path.is_file():
        return None
    jobs = load_schedule(ws.params_dir / SCHEDULE_FILE, default_lang=ws.config.lang)
    return load_delivery(path, jobs=jobs, default_lang=ws.config.lang)


@dataclass
class BatchDelivery:
    """The delivery step a batch runs after its packs (:data:`reviewkit.pack.batch.AfterBatch`)."""

    ws: Workspace
    config: DeliveryConfig
    out: Path
    redeliver: bool = False
    report: DeliveryReport | None = field(default=None, init=False)

    def __call__(self, batch: BatchReport, log: logging.Logger) -> dict[str, Any]:
        """Publish the site (when configured), deliver, return the ``delivery`` record."""
        from reviewkit.core.redaction import redact_text
        from reviewkit.deliver.engine import DeliveryReport
        from reviewkit.deliver.engine import deliver as run_delivery
        from reviewkit.deliver.plan import PackRef

        refs = [PackRef(o.name, o.status, o.pack, o.error, o.period) for o in batch.outcomes]
        try:
            self.report = _deliver(self.ws, self.config, refs, out=self.out, as_of=batch.as_of,
                                   redeliver=self.redeliver, log=log, run=run_delivery)  # fmt: skip
        except Exception as exc:  # the packs are published whatever happens here: exit 3
            line = redact_text(f"delivery stopped: {' '.join(str(exc).split())}")
            log.exception("%s", line)
            self.report = DeliveryReport(failures=[line])
        return self.report.record()


def _deliver(
    ws: Workspace,
    config: DeliveryConfig,
    refs: list[Any],
    *,
    out: Path,
    redeliver: bool,
    log: logging.Logger | None,
    run: Any,
    as_of: str,
    dry_run: bool = False,
) -> DeliveryReport:
    if config.site_dir is not None and not dry_run:
        from reviewkit.deliver.site import publish_site

        site = publish_site(out, config.site_dir, config, lang=ws.config.lang,
                            timezone=ws.config.timezone)  # fmt: skip
        if log is not None:
            log.info("site: %s", ", ".join(f"{a} {n}" for a, n in site.packs.items()))
    return run(refs, config, out=out, store=ws.store_path, timezone=ws.config.timezone,
               redeliver=redeliver, dry_run=dry_run, as_of=as_of, log=log)  # fmt: skip


def show_delivery(report: DeliveryReport) -> None:
    """Print what a delivery did: a line per send (or planned send), then each failure."""
    for line in report.lines:
        out.print(escape(line), soft_wrap=True)
    for line in report.failures:
        err.print(f"[bold red]delivery failed[/] {escape(line)}", soft_wrap=True)
    if not report.dry_run:
        note = ", operator notified" if report.operator_notified else ""
        out.print(f"delivered: {report.sent} sent, {report.already} already had it, "
                  f"{len(report.failures)} failed{note}", soft_wrap=True)  # fmt: skip


def _last_refs(folder: Path, only: tuple[str, ...]) -> tuple[list[Any], str]:
    """The packs of the last batch (``_logs/last-batch.json``), filtered by ``--only``."""
    from reviewkit.deliver.plan import PackRef
    from reviewkit.errors import ParameterError
    from reviewkit.pack.batch import LAST_BATCH
    from reviewkit.pack.batch_log import LOG_DIR

    path = folder / LOG_DIR / LAST_BATCH
    try:
        last = json.loads(path.read_text(encoding="utf-8"))
        packs, as_of = last.get("packs") or [], str(last.get("as_of") or "")
    except (OSError, ValueError, AttributeError):
        packs, as_of = [], ""
    if not packs:
        raise ParameterError(
            f"{path}: no batch with its pack list found; run `reviewkit batch` first (it "
            "delivers what it builds)"
        )
    refs = [PackRef(str(p["name"]), str(p["status"]), str(p.get("pack") or ""), "",
                    str(p.get("period") or "")) for p in packs]  # fmt: skip
    for pattern in only:
        if not any(fnmatch.fnmatchcase(r.job, pattern) for r in refs):
            raise ParameterError(f"--only {pattern!r} matches no pack of the last batch")
    chosen = [r for r in refs if not only or any(fnmatch.fnmatchcase(r.job, p) for p in only)]
    return chosen, as_of


@click.command()
@click.option("--only", "only", multiple=True, metavar="PATTERN",
              help="Deliver only the packs whose name matches, e.g. 'monthly/*' "
              "(repeatable).")  # fmt: skip
@click.option("--redeliver", is_flag=True, help="Send again what was already sent.")
@click.option("--dry-run", is_flag=True, help="Show who would get what; send nothing.")
@output_dir_option
@workspace_option
def deliver(
    only: tuple[str, ...],
    redeliver: bool,
    dry_run: bool,
    output_dir: Path | None,
    workspace: Path | None,
) -> None:
    """Deliver the last batch's packs as params/delivery.yml says (each once per build)."""
    from reviewkit.core.workspace import find_workspace
    from reviewkit.deliver.engine import deliver as run_delivery
    from reviewkit.errors import DELIVERY_EXIT, ParameterError
    from reviewkit.pack.batch_log import LOG_DIR, batch_lock
    from reviewkit.pack.preflight import output_folder

    ws = find_workspace(workspace)
    config = load_config(ws)
    if config is None:
        raise ParameterError(
            f"{ws.params_dir / 'delivery.yml'}: no such file; write it to say who receives "
            "which pack (docs/delivery.md)"
        )
    folder = output_folder(ws, output_dir)
    refs, as_of = _last_refs(folder, only)
    with batch_lock(folder / LOG_DIR):  # never beside a batch that is publishing
        report = _deliver(ws, config, refs, out=folder, redeliver=redeliver, log=None,
                          run=run_delivery, as_of=as_of, dry_run=dry_run)  # fmt: skip
    show_delivery(report)
    if report.failures:
        raise click.exceptions.Exit(DELIVERY_EXIT)


@click.command()
@click.argument("folder", required=False, type=click.Path(path_type=Path, file_okay=False))
@output_dir_option
@workspace_option
def publish(folder: Path | None, output_dir: Path | None, workspace: Path | None) -> None:
    """Lay the packs out per audience in FOLDER (default: site.dir of params/delivery.yml)."""
    from reviewkit.core.workspace import find_workspace
    from reviewkit.deliver.site import publish_site
    from reviewkit.errors import ParameterError
    from reviewkit.pack.preflight import output_folder

    ws = find_workspace(workspace)
    config = load_config(ws)
    if config is None:
        raise ParameterError(
            f"{ws.params_dir / 'delivery.yml'}: no such file; its audiences say which packs go "
            "in which folder (docs/delivery.md)"
        )
    target = folder or config.site_dir
    if target is None:
        raise ParameterError("publish: name a FOLDER, or set site.dir in params/delivery.yml")
    report = publish_site(output_folder(ws, output_dir), target, config, lang=ws.config.lang,
                          timezone=ws.config.timezone)  # fmt: skip
    for audience, count in report.packs.items():
        out.print(f"{report.folder / audience}/index.html: {count} pack(s)")
