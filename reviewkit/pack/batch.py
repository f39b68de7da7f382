"""``reviewkit batch``: build the packs of ``params/schedule.yml`` before the meetings.

One runner process plans every pack (checks its input and hashes what it is built from: see
:mod:`reviewkit.pack.fingerprint`) and skips those already built from the same inputs. The rest go
to ``jobs`` worker processes (:mod:`reviewkit.pack.batch_workers`), each with a warm kernel that is
reset between packs and replaced every ``packs_per_kernel`` packs; a pack that fails is kept
under ``_failed/`` while the others are still published. The batch holds a lock (two runs
never overlap), writes a log per run under ``<output-dir>/_logs/`` and a summary the index page
shows; both are published with the packs, so their lines and error messages are redacted (see
:mod:`reviewkit.core.published`).

SIGINT or SIGTERM stops a batch (see :mod:`reviewkit.pack.batch_stop`): the workers abandon their
packs (one in its publish step finishes it), no other pack starts, the log, the summary and
the index say "interrupted", and the batch exits 130 or 143. Workers and their kernels die
with the batch, even after ``kill -9`` (:mod:`reviewkit.core.interrupts`); a worker whose batch is
gone publishes nothing. What a killed run left in ``_staging/`` goes at the next run.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewkit.core.interrupts import StopFlag, signal_name
from reviewkit.core.periods import parse_as_of
from reviewkit.core.published import write_json
from reviewkit.core.redaction import redact_text
from reviewkit.core.workspace import Workspace, find_workspace
from reviewkit.errors import ConfigError, ParameterError, ReviewkitError
from reviewkit.pack.batch_log import (
    LOG_DIR,
    batch_lock,
    close_log,
    now,
    open_log,
    prune_logs,
    record_event,
    relative_to_out,
)
from reviewkit.pack.batch_workers import PACKS_PER_KERNEL, Event, _Pool
from reviewkit.pack.staging import sweep

LAST_BATCH = "last-batch.json"


@dataclass
class Outcome:
    """What happened to one job."""

    name: str
    status: str  # built, skipped or failed
    seconds: float = 0.0
    error: str = ""
    pack: str = ""  # relative to the output folder
    notebook: str = ""  # a failed run's kept notebook, relative to the output folder
    attempts: int = 0
    cadence: str = ""
    period: str = ""
    lang: str = ""
    segment: dict[str, Any] | None = None


@dataclass
class BatchReport:
    """A batch run: every job's outcome, the log, and the time taken."""

    outcomes: list[Outcome]
    log: Path
    seconds: float
    as_of: str
    jobs: int
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def failed(self) -> list[Outcome]:
        """The jobs that failed."""
        return [o for o in self.outcomes if o.status == "failed"]


Listener = Callable[[Event], None]
# run after the packs, under the batch's lock (delivery): returns what last-batch.json records
AfterBatch = Callable[["BatchReport", logging.Logger], dict[str, Any]]


# --- the batch -----------------------------------------------------------------------------


def run_batch(
    *,
    workspace: str | Path | Workspace | None = None,
    jobs: int = 2,
    as_of: str = "auto",
    only: Sequence[str] = (),
    force: bool = False,
    output_dir: str | Path | None = None,
    packs_per_kernel: int = PACKS_PER_KERNEL,
    listener: Listener | None = None,
    after: AfterBatch | None = None,
    part: bool = False,
    cluster: str | None = None,
    shared_store: bool = False,
) -> BatchReport:
    """Build the packs of ``params/schedule.yml`` that are not built yet from the same inputs.

    Parameters
    ----------
    workspace
        The workspace (default: found from the environment).
    jobs
        Worker processes (packs built at once).
    as_of
        Review date ``YYYY-MM-DD`` or ``auto`` (today in the workspace time zone).
    only
        Shell-style patterns on job names (``monthly/*``, ``*/sales_team-*/ja``) or entry
        names; empty: every job.
    force
        Rebuild packs whose inputs are unchanged.
    output_dir
        Where packs go; default: the workspace's ``outputs/``.
    packs_per_kernel
        Packs a worker builds on one kernel before it moves to a fresh one.
    listener
        Called with each event: ``planned`` (``total``, ``to_build``), ``skipped``,
        ``start``, ``retry``, ``built``, ``failed`` (each with ``name``).
    after
        Called once the packs are done (not after an interrupted run), still under the lock,
        with the report and the log; what it returns is recorded in ``last-batch.json`` under
        ``delivery`` (the packs' delivery, :mod:`reviewkit.deliver`).
    part
        One part of a batch run in parallel with other parts (Airflow's shards, with
        ``only``): the parts share the lock, each writes its own log, and none writes
        ``last-batch.json`` or the index or calls ``after``: the whole batch run afterwards
        skips what the parts built, records the night and delivers.
    cluster
        A Dask scheduler's address (``tcp://host:8786``) or ``local:N`` (a local cluster of
        N worker processes): the packs to build run there (:mod:`reviewkit.pack.cluster`);
        planning, skipping and publishing stay here. ``None``: ``jobs`` local workers.
    shared_store
        With ``cluster``: workers copy the store from its path here (a folder every machine
        mounts at the same path) instead of receiving it from this process.

    Returns
    -------
    BatchReport

    Raises
    ------
    ConfigError, ParameterError
        A broken schedule, definitions or targets file, or an ``--only`` pattern that
        matches nothing (nothing is built).
    BatchLockedError
        Another batch is running on the same output folder.
    BatchInterruptedError
        SIGINT or SIGTERM stopped it (exit 130 or 143); the log, ``last-batch.json`` and the
        index say so, and no half-built pack was published.
    ClusterError
        ``cluster`` is malformed or its scheduler does not answer (nothing is built).
    """
    from reviewkit.pack.batch_stop import interrupted_error
    from reviewkit.pack.preflight import output_folder

    if jobs < 1:
        raise ConfigError(f"--jobs: {jobs} is not a number of workers; use 1 or more")
    if cluster is not None:
        from reviewkit.pack.cluster import check_address

        cluster = check_address(cluster)
    elif shared_store:
        raise ParameterError("--shared-store: only with --cluster (local workers read the store)")
    ws = workspace if isinstance(workspace, Workspace) else find_workspace(workspace)
    out = output_folder(ws, output_dir)  # a folder that cannot be written: one line
    # one review date for the whole batch, even one that runs past midnight
    as_of = parse_as_of(as_of, today=ws.today()).isoformat()
    with batch_lock(out / LOG_DIR, part=part), StopFlag() as stop:
        batch = _Batch(ws, out, as_of=as_of, jobs=jobs, stop=stop, listener=listener)
        batch.after, batch.part, batch.cluster = after, part, cluster
        batch.per_kernel, batch.shared_store = packs_per_kernel, shared_store
        schedule, shared = batch.start(only)
        try:
            batch.plan(schedule, shared, force=force, packs_per_kernel=packs_per_kernel)
            batch.wait()
        finally:
            if batch.pool is not None:
                batch.pool.close()
            shared.close()
            sweep(out)  # e.g. the folder of a worker killed while it built
            _cleanup_staging(out)
        report, signum = batch.finish()
    if signum is not None:
        raise interrupted_error(
            report.outcomes, signum=signum, log=relative_to_out(batch.log_path, out), report=report
        )
    return report


class _Batch:
    """One batch run under way: its log, its summary and every job's outcome."""

    def __init__(
        self,
        ws: Workspace,
        out: Path,
        *,
        as_of: str,
        jobs: int,
        stop: StopFlag,
        listener: Listener | None,
    ) -> None:
        self.ws, self.out, self.as_of, self.jobs, self.stop = ws, out, as_of, jobs, stop
        self.logs = out / LOG_DIR
        self.notify: Listener = listener or (lambda _event: None)
        self.started_at, self.t0 = now(), time.perf_counter()
        self.log_path = self.logs / f"batch-{self.started_at:%Y%m%dT%H%M%SZ}-{os.getpid()}.log"
        self.log = open_log(self.log_path)
        self.summary: dict[str, Any] = {
            "started_at": self.started_at.isoformat(timespec="seconds"), "as_of": as_of,
            "jobs": jobs, "log": relative_to_out(self.log_path, out), "counts": {}, "failed": [],
        }  # fmt: skip
        self.outcomes: dict[str, Outcome] = {}
        self.pool: Any = None  # _Pool or ClusterPool, started with the first pack to build
        self.after: AfterBatch | None = None
        self.part = False  # one part of a batch (--part): no last-batch.json, index, after
        self.cluster: str | None = None  # a Dask scheduler's address, or local:N
        self.per_kernel = PACKS_PER_KERNEL
        self.shared_store = False

    def start(self, only: Sequence[str]) -> tuple[list[Any], Any]:
        """Read the schedule and the shared inputs; note the batch as under way.

        Raises
        ------
        ReviewkitError
            A broken schedule, definitions or targets file (logged; nothing is built).
        """
        from reviewkit.pack.batch_stop import unfinished_run
        from reviewkit.pack.plan import SharedInputs
        from reviewkit.pack.schedule import SCHEDULE_FILE, load_schedule, select

        ws, log, out = self.ws, self.log, self.out
        try:
            schedule = select(
                load_schedule(ws.params_dir / SCHEDULE_FILE, default_lang=ws.config.lang), only
            )
            if self.cluster is not None and not self.cluster.startswith("local:"):
                self.pool = self._cluster_pool(self.per_kernel)  # unreachable: nothing built
            shared = SharedInputs.load(ws)
        except ReviewkitError as exc:
            log.error("stopped before building: %s", exc)
            close_log(log)
            if self.pool is not None:
                self.pool.close()
            raise
        stale = sweep(out)  # what a killed run left (never a live run's folder)
        killed = None if self.part else unfinished_run(_read_json(self.logs / LAST_BATCH))
        if not self.part:  # the index shows a batch under way only once it is really under way
            write_json(self.logs / LAST_BATCH, self.summary | {"pid": os.getpid()})
        workers = f"cluster {self.cluster}" if self.cluster else f"{self.jobs} worker(s)"
        log.info("batch %sof %d packs, as of %s, %s",
                 "part " if self.part else "", len(schedule), self.as_of, workers)  # fmt: skip
        if killed:
            log.warning("%s", killed)
        if stale:
            log.info("removed %d staging folder(s) or temporary file(s) a killed run left: %s",
                     len(stale), ", ".join(relative_to_out(p, out) for p in stale))  # fmt: skip
        return list(schedule), shared

    def plan(self, schedule: list[Any], shared: Any, *, force: bool, packs_per_kernel: int) -> None:
        """Plan every job; skip those built from the same inputs, hand the rest to workers."""
        to_build = 0
        for job in schedule:
            outcome = Outcome(job.name, "", cadence=job.cadence, lang=job.lang)
            self.outcomes[job.name] = outcome
            if self.stop.stopped:
                continue  # listed, not planned: interrupted before it started
            plan = self._plan_one(job, outcome, shared, force=force)
            if plan is None:
                continue
            to_build += 1
            if self.pool is None:  # workers start (and warm their kernels) while planning goes on
                self.pool = self._start_pool(len(schedule), packs_per_kernel=packs_per_kernel)
            self.pool.submit(job.name, plan)
            # what the workers did meanwhile: logged (and published) as it happens
            for event in self.pool.poll(timeout=0.0, stopping=lambda: self.stop.stopped):
                self._event(event)
        self.notify({"event": "planned", "total": len(schedule), "to_build": to_build})

    def _start_pool(self, size: int, *, packs_per_kernel: int) -> Any:
        """The workers: ``jobs`` local processes, or the cluster's (connected here)."""
        if self.cluster is None:
            return _Pool(
                min(self.jobs, size), kernel=self.ws.config.kernel, workspace=self.ws.root,
                per_kernel=packs_per_kernel,
            )  # fmt: skip
        return self._cluster_pool(packs_per_kernel)

    def _cluster_pool(self, packs_per_kernel: int) -> Any:
        from reviewkit.pack.cluster import ClusterPool

        assert self.cluster is not None
        pool = ClusterPool(
            self.cluster, ws=self.ws, out=self.out, per_kernel=packs_per_kernel, log=self.log,
            shared_store=self.shared_store,
        )  # fmt: skip
        self.summary["cluster"] = pool.describe()
        return pool

    def _plan_one(self, job: Any, outcome: Outcome, shared: Any, *, force: bool) -> Any:
        """The plan of one job to build; ``None`` when it failed to plan or is built already."""
        from reviewkit.pack.plan import plan_pack

        try:
            plan = plan_pack(
                job.cadence, as_of=self.as_of, lang=job.lang, output_dir=self.out,
                workspace=self.ws, parameters=job.parameters, segment=job.segment,
                segment_name=job.segment_name, shared=shared,
            )  # fmt: skip
        except ReviewkitError as exc:  # e.g. quoting the store's values: redacted
            outcome.status, outcome.error = "failed", redact_text(str(exc))
            self.log.error("%s: not built: %s", job.name, outcome.error)
            self.notify({"event": "failed", "name": job.name, "error": outcome.error})
            return None
        outcome.period = plan.period.label
        outcome.segment = plan.manifest.get("segment")
        if not force and plan.is_built():
            outcome.status = "skipped"
            outcome.pack = relative_to_out(plan.target / "pack.html", self.out)
            self.log.info("%s: skipped (inputs unchanged since %s)", job.name, plan.period.label)
            self.notify({"event": "skipped", "name": job.name})
            return None
        return plan

    def wait(self) -> None:
        """Record the workers' events until every pack is done or a stop signal came."""
        stop, pool = self.stop, self.pool
        while pool is not None and pool.pending and not stop.stopped:
            # a short timeout: a stop signal is seen at once
            for event in pool.poll(timeout=0.5, stopping=lambda: stop.stopped):
                self._event(event)
        if stop.signum is not None and pool is not None:
            self.log.warning("interrupted by %s: stopping the workers", signal_name(stop.signum))
            for event in pool.abandon():
                self._event(event)

    def _event(self, event: Event) -> None:
        record_event(event, self.outcomes, out=self.out, log=self.log)
        self.notify(event)

    def finish(self) -> tuple[BatchReport, int | None]:
        """Log and record the end (``last-batch.json``, the index); the report and the signal.

        The signal is ``None`` unless a stop left a pack unbuilt (one after the last pack
        changes nothing).
        """
        from reviewkit.pack.batch_stop import counts_of, mark_interrupted
        from reviewkit.pack.index_page import write_index

        outcomes, log = self.outcomes, self.log
        signum = self.stop.signum if any(not o.status for o in outcomes.values()) else None
        if signum is not None:
            started = set() if self.pool is None else set(self.pool.running.values())
            mark_interrupted(outcomes.values(), signum=signum, started=started)
            for o in outcomes.values():
                if o.status == "interrupted":
                    log.warning("%s: %s", o.name, o.error)
        counts = counts_of(outcomes.values())
        seconds = time.perf_counter() - self.t0
        log.info("%s in %.1f s: %d built, %d skipped, %d failed, %d interrupted",
                 "interrupted" if signum else "done", seconds, counts["built"],
                 counts["skipped"], counts["failed"], counts.get("interrupted", 0))  # fmt: skip
        report = BatchReport(
            list(outcomes.values()), self.log_path, seconds, self.as_of, self.jobs, counts
        )
        if self.part:  # the whole batch after the parts records the night
            close_log(log)
            return report, signum
        summary = self._summary(report, signum)
        if self.after is not None and signum is None:
            write_json(self.logs / LAST_BATCH, summary)  # the packs are done: the index says so
            summary["delivery"] = self.after(report, log)
        write_json(self.logs / LAST_BATCH, summary)
        write_index(self.out, lang=self.ws.config.lang, timezone=self.ws.config.timezone)
        prune_logs(self.logs)
        close_log(log)
        return report, signum

    def _summary(self, report: BatchReport, signum: int | None) -> dict[str, Any]:
        """What ``last-batch.json`` records of a finished (or interrupted) batch."""
        from reviewkit.pack.batch_stop import summary_fields

        return self.summary | {
            **summary_fields(signum),
            "finished_at": now().isoformat(timespec="seconds"),
            "seconds": round(report.seconds, 1), "counts": report.counts,
            "failed": [
                {"name": o.name, "cadence": o.cadence, "period": o.period, "lang": o.lang,
                 "segment": o.segment, "error": o.error, "notebook": o.notebook or None}
                for o in report.failed
            ],
            "packs": [{"name": o.name, "status": o.status, "pack": o.pack or None,
                       "period": o.period} for o in report.outcomes],
        }  # fmt: skip


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _cleanup_staging(out: Path) -> None:
    """Remove the staging root when the batch left it empty.

    Its folders are :func:`reviewkit.pack.staging.sweep`'s: an empty one may be a concurrent run's,
    made a moment before it records its owner.
    """
    with contextlib.suppress(OSError):
        (out / "_staging").rmdir()
