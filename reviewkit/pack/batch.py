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
import datetime as dt
import fcntl
import json
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from reviewkit.core.interrupts import StopFlag, signal_name
from reviewkit.core.periods import parse_as_of
from reviewkit.core.published import write_json
from reviewkit.core.redaction import redact_text
from reviewkit.core.workspace import Workspace, find_workspace
from reviewkit.errors import ConfigError, ReviewkitError, RunFailedError
from reviewkit.pack.batch_workers import PACKS_PER_KERNEL, Event, _Pool
from reviewkit.pack.staging import sweep

LOG_DIR = "_logs"
LOCK_FILE = "batch.lock"
LAST_BATCH = "last-batch.json"
KEEP_LOGS = 100  # older batch logs are removed


class BatchLockedError(RunFailedError):
    """Another batch holds the lock of this output folder."""


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


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@contextlib.contextmanager
def batch_lock(folder: Path) -> Iterator[IO[str]]:
    """Hold the batch lock of an output folder (released when the process ends, too).

    Raises
    ------
    BatchLockedError
        Another batch holds it: naming its process and start time.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_FILE
    handle = path.open("a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise BatchLockedError(
                f"{path}: another batch is running ({holder}); two runs never overlap, so this "
                "one stops here; let the running one finish (the lock is freed when it ends)"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, started {_now().isoformat(timespec='seconds')}")
        handle.flush()
        yield handle
    finally:
        handle.close()  # closing releases the lock


class _RedactingFormatter(logging.Formatter):
    """Log lines with e-mail addresses and phone numbers redacted: the log is published."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_text(super().format(record))


def _logger(path: Path) -> logging.Logger:
    log = logging.getLogger(f"reviewkit.pack.batch.{path.name}")
    log.setLevel(logging.INFO)
    log.propagate = False
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(_RedactingFormatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    return log


def _prune_logs(folder: Path) -> None:
    logs = sorted(folder.glob("batch-*.log"))
    for old in logs[:-KEEP_LOGS]:
        old.unlink(missing_ok=True)


def _relative(path: str | Path, out: Path) -> str:
    try:
        return Path(path).resolve().relative_to(out.resolve()).as_posix()
    except ValueError:
        return str(path)


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
    """
    from reviewkit.pack.batch_stop import (
        counts_of,
        interrupted_error,
        mark_interrupted,
        summary_fields,
        unfinished_run,
    )  # fmt: skip
    from reviewkit.pack.index_page import write_index
    from reviewkit.pack.preflight import output_folder
    from reviewkit.pack.runner import SharedInputs, plan_pack
    from reviewkit.pack.schedule import SCHEDULE_FILE, load_schedule, select

    if jobs < 1:
        raise ConfigError(f"--jobs: {jobs} is not a number of workers; use 1 or more")
    ws = workspace if isinstance(workspace, Workspace) else find_workspace(workspace)
    out = output_folder(ws, output_dir)  # a folder that cannot be written: one line
    logs = out / LOG_DIR
    notify = listener or (lambda _event: None)
    # one review date for the whole batch, even one that runs past midnight
    as_of = parse_as_of(as_of, today=ws.today()).isoformat()
    started_at, t0 = _now(), time.perf_counter()
    with batch_lock(logs), StopFlag() as stop:
        log_path = logs / f"batch-{started_at:%Y%m%dT%H%M%SZ}-{os.getpid()}.log"
        log = _logger(log_path)
        summary: dict[str, Any] = {
            "started_at": started_at.isoformat(timespec="seconds"), "as_of": as_of,
            "jobs": jobs, "log": _relative(log_path, out), "counts": {}, "failed": [],
        }  # fmt: skip
        try:
            schedule = select(
                load_schedule(ws.params_dir / SCHEDULE_FILE, default_lang=ws.config.lang), only
            )
            shared = SharedInputs.load(ws)
        except ReviewkitError as exc:
            log.error("stopped before building: %s", exc)
            _close(log)
            raise
        stale = sweep(out)  # what a killed run left (never a live run's folder)
        killed = unfinished_run(_read_json(logs / LAST_BATCH))
        # the index shows a batch under way only once it is really under way
        write_json(logs / LAST_BATCH, summary | {"pid": os.getpid()})
        log.info("batch of %d packs, as of %s, %d worker(s)", len(schedule), as_of, jobs)
        if killed:
            log.warning("%s", killed)
        if stale:
            log.info("removed %d staging folder(s) or temporary file(s) a killed run left: %s",
                     len(stale), ", ".join(_relative(p, out) for p in stale))  # fmt: skip
        outcomes: dict[str, Outcome] = {}
        plans: dict[str, Any] = {}
        pool: _Pool | None = None
        try:
            for job in schedule:
                outcome = Outcome(job.name, "", cadence=job.cadence, lang=job.lang)
                outcomes[job.name] = outcome
                if stop.stopped:
                    continue  # listed, not planned: interrupted before it started
                try:
                    plan = plan_pack(
                        job.cadence, as_of=as_of, lang=job.lang, output_dir=out, workspace=ws,
                        parameters=job.parameters, segment=job.segment,
                        segment_name=job.segment_name, shared=shared,
                    )  # fmt: skip
                except ReviewkitError as exc:  # e.g. quoting the store's values: redacted
                    outcome.status, outcome.error = "failed", redact_text(str(exc))
                    log.error("%s: not built: %s", job.name, outcome.error)
                    notify({"event": "failed", "name": job.name, "error": outcome.error})
                    continue
                outcome.period = plan.period.label
                outcome.segment = plan.manifest.get("segment")
                if not force and plan.is_built():
                    outcome.status, outcome.pack = (
                        "skipped",
                        _relative(plan.target / "pack.html", out),
                    )
                    log.info("%s: skipped (inputs unchanged since %s)", job.name, plan.period.label)
                    notify({"event": "skipped", "name": job.name})
                    continue
                plans[job.name] = plan
                if pool is None:  # workers start (and warm their kernels) while planning goes on
                    pool = _Pool(
                        min(jobs, len(schedule)), kernel=ws.config.kernel, workspace=ws.root,
                        per_kernel=packs_per_kernel,
                    )  # fmt: skip
                pool.submit(job.name, plan)
            notify({"event": "planned", "total": len(schedule), "to_build": len(plans)})
            while pool is not None and pool.pending and not stop.stopped:
                # a short timeout: a stop signal is seen at once
                for event in pool.poll(timeout=0.5, stopping=lambda: stop.stopped):
                    _record(event, outcomes, out=out, log=log)
                    notify(event)
            if stop.signum is not None and pool is not None:
                log.warning("interrupted by %s: stopping the workers", signal_name(stop.signum))
                for event in pool.abandon():
                    _record(event, outcomes, out=out, log=log)
                    notify(event)
        finally:
            if pool is not None:
                pool.close()
            shared.close()
            sweep(out)  # e.g. the folder of a worker killed while it built
            _cleanup_staging(out)
        # interrupted if the stop left a pack unbuilt (one after the last pack changes nothing)
        signum = stop.signum if any(not o.status for o in outcomes.values()) else None
        if signum is not None:
            started = set() if pool is None else set(pool.running.values())
            mark_interrupted(outcomes.values(), signum=signum, started=started)
            for o in outcomes.values():
                if o.status == "interrupted":
                    log.warning("%s: %s", o.name, o.error)
        counts = counts_of(outcomes.values())
        seconds = time.perf_counter() - t0
        log.info("%s in %.1f s: %d built, %d skipped, %d failed, %d interrupted",
                 "interrupted" if signum else "done", seconds, counts["built"],
                 counts["skipped"], counts["failed"], counts.get("interrupted", 0))  # fmt: skip
        report = BatchReport(list(outcomes.values()), log_path, seconds, as_of, jobs, counts)
        summary |= {
            **summary_fields(signum),
            "finished_at": _now().isoformat(timespec="seconds"), "seconds": round(seconds, 1),
            "counts": counts,
            "failed": [
                {"name": o.name, "cadence": o.cadence, "period": o.period, "lang": o.lang,
                 "segment": o.segment, "error": o.error, "notebook": o.notebook or None}
                for o in report.failed
            ],
        }  # fmt: skip
        write_json(logs / LAST_BATCH, summary)
        write_index(out, lang=ws.config.lang, timezone=ws.config.timezone)
        _prune_logs(logs)
        _close(log)
    if signum is not None:
        raise interrupted_error(
            report.outcomes, signum=signum, log=_relative(log_path, out), report=report
        )
    return report


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _close(log: logging.Logger) -> None:
    for handler in list(log.handlers):
        handler.close()
        log.removeHandler(handler)


def _record(event: Event, outcomes: dict[str, Outcome], *, out: Path, log: logging.Logger) -> None:
    """Note a worker's event in the outcomes and the log."""
    name, kind = event["name"], event["event"]
    outcome = outcomes[name]
    if kind == "start":
        log.info("%s: building on worker %s", name, event.get("worker"))
    elif kind == "retry":
        log.warning("%s: kernel attempt %s failed: %s", name, event["attempt"], event["error"])
    elif kind == "built":
        outcome.status, outcome.seconds = "built", float(event["seconds"])
        outcome.pack, outcome.attempts = _relative(event["pack"], out), int(event["attempts"])
        log.info("%s: built in %.1f s: %s", name, outcome.seconds, outcome.pack)
    elif kind == "failed":
        outcome.status, outcome.error = "failed", str(event["error"])
        outcome.seconds, outcome.attempts = float(event["seconds"]), int(event["attempts"])
        kept = outcome.error.rpartition("executed notebook kept at ")[2]
        if kept != outcome.error:
            outcome.notebook = _relative(kept, out)
        log.error("%s: failed after %.1f s: %s", name, outcome.seconds, outcome.error)
        if event.get("traceback"):
            log.error("%s", event["traceback"])


def _cleanup_staging(out: Path) -> None:
    """Remove the staging root when the batch left it empty.

    Its folders are :func:`reviewkit.pack.staging.sweep`'s: an empty one may be a concurrent run's,
    made a moment before it records its owner.
    """
    with contextlib.suppress(OSError):
        (out / "_staging").rmdir()
