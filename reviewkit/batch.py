"""``reviewkit batch``: build the packs of ``params/schedule.yml`` before the meetings.

One runner process plans every pack (checks its input and hashes what it is built from: see
:mod:`reviewkit.fingerprint`) and skips those already built from the same inputs. The rest go
to ``jobs`` worker processes. Each worker keeps a warm kernel (started and importing reviewkit
while the previous pack still runs), resets it between packs and replaces it every
``packs_per_kernel`` packs, so memory stays bounded. A kernel that fails to start is retried on
a fresh one (:data:`KERNEL_ATTEMPTS` in all); a pack that fails is kept under ``_failed/`` while
the others are still published. The batch holds a lock (two runs never overlap), writes a log
per run under ``<output-dir>/_logs/`` and a summary the index page shows; both are published
with the packs, so their lines and error messages are redacted (see :mod:`reviewkit.published`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import multiprocessing
import os
import queue
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from reviewkit.errors import ConfigError, ReviewkitError, RunFailedError
from reviewkit.periods import parse_as_of
from reviewkit.published import write_json
from reviewkit.redaction import redact_text
from reviewkit.workspace import Workspace, find_workspace

LOG_DIR = "_logs"
LOCK_FILE = "batch.lock"
LAST_BATCH = "last-batch.json"
KEEP_LOGS = 100  # older batch logs are removed
KERNEL_ATTEMPTS = 3  # a kernel that fails to start is retried on a fresh one
# Then the worker moves to a fresh kernel. A kernel's memory stays flat from pack to pack
# (about 330 MB on the sample, measured over 12 packs): this bounds what a leak could cost.
PACKS_PER_KERNEL = 25


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


Event = dict[str, Any]
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
    log = logging.getLogger(f"reviewkit.batch.{path.name}")
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


# --- workers -------------------------------------------------------------------------------


class _Kernels:
    """A worker's kernel, and the spare it starts while the current one runs its last pack."""

    def __init__(self, kernel: str, *, cwd: Path, per_kernel: int) -> None:
        from reviewkit.kernel import WarmKernel

        self._make = lambda: WarmKernel(kernel, cwd=cwd)
        self.per_kernel = per_kernel
        self.current: Any = None
        self.spare: Any = self._make()  # warms up while the runner plans the first packs

    def ready_for(self, staging: Path, *, more: Callable[[], bool] = lambda: True) -> Any:
        """A kernel reset for the pack built in ``staging`` (fresh after ``per_kernel`` packs).

        ``more`` says whether other packs wait: only then is the next kernel started ahead.

        Raises
        ------
        RunFailedError
            The kernel did not start or answer.
        """
        k = self.current
        if k is None or k.packs >= self.per_kernel or not k.alive():
            if k is not None:
                k.shutdown()
            self.current, self.spare = self.spare or self._make(), None
        self.current.prepare(staging)
        if self.spare is None and self.current.packs + 1 >= self.per_kernel and more():
            self.spare = self._make()  # the next kernel starts while this pack runs
        return self.current

    def discard(self) -> None:
        """Drop the current kernel (it failed)."""
        if self.current is not None:
            self.current.shutdown()
            self.current = None

    def close(self) -> None:
        """Stop every kernel."""
        self.discard()
        if self.spare is not None:
            self.spare.shutdown()
            self.spare = None


def _build_one(
    kernels: _Kernels,
    name: str,
    plan: Any,
    events: Any,
    *,
    more: Callable[[], bool] = lambda: True,
) -> Event:
    """Build one planned pack on the worker's kernel; the event that reports it."""
    from reviewkit.runner import build_pack, make_staging, new_staging

    started = time.perf_counter()
    staging = make_staging(new_staging(plan))
    kernel, attempts, error = None, 0, ""
    while kernel is None and attempts < KERNEL_ATTEMPTS:
        attempts += 1
        try:
            kernel = kernels.ready_for(staging, more=more)
        except RunFailedError as exc:
            kernels.discard()
            error = str(exc)
            events.put({"event": "retry", "name": name, "attempt": attempts, "error": error})
    report: Event = {"name": name, "attempts": attempts}
    if kernel is None:
        staging.rmdir()
        return {**report, "event": "failed", "seconds": time.perf_counter() - started,
                "error": f"{error} (tried {attempts} kernels)"}  # fmt: skip
    try:
        result = build_pack(plan, kernel_manager=kernel.manager, staging=staging)
        report |= {"event": "built", "pack": str(result.pack)}
    except ReviewkitError as exc:  # its message may quote a value of the data: redacted
        report |= {"event": "failed", "error": redact_text(str(exc))}
    except Exception as exc:  # a bug: report it and keep the batch going
        report |= {"event": "failed", "error": redact_text(f"{type(exc).__name__}: {exc}"),
                   "traceback": redact_text(traceback.format_exc())}  # fmt: skip
    finally:
        kernel.packs += 1
        kernel.manager.close_clients()
    return {**report, "seconds": time.perf_counter() - started}


def _worker(
    number: int, tasks: Any, events: Any, kernel: str, workspace: str, per_kernel: int
) -> None:
    """A worker process: build the plans it is given until it gets ``None``."""
    from reviewkit.lazy_imports import defer_iri_grammar
    from reviewkit.resources import PACK_ENV

    defer_iri_grammar()
    os.environ[PACK_ENV] = "1"  # kernels inherit it: charts for a pack
    kernels = _Kernels(kernel, cwd=Path(workspace), per_kernel=per_kernel)
    try:
        for name, plan in iter(tasks.get, None):
            events.put({"event": "start", "name": name, "worker": number})
            events.put(_build_one(kernels, name, plan, events, more=lambda: not tasks.empty()))
    finally:
        kernels.close()


class _Pool:
    """``n`` worker processes fed through one task queue."""

    def __init__(self, n: int, *, kernel: str, workspace: Path, per_kernel: int) -> None:
        context = multiprocessing.get_context("spawn")  # no inherited threads or connections
        self.tasks: Any = context.Queue()
        self.events: Any = context.Queue()
        self.waiting: set[str] = set()  # submitted, not reported built or failed
        self.running: dict[int, str] = {}  # worker -> the job it started last
        self.processes = [
            context.Process(
                target=_worker,
                args=(i, self.tasks, self.events, kernel, str(workspace), per_kernel),
                daemon=True,
            )
            for i in range(n)
        ]
        for process in self.processes:
            process.start()

    @property
    def pending(self) -> int:
        """Jobs not yet reported built or failed."""
        return len(self.waiting)

    def submit(self, name: str, plan: Any) -> None:
        """Queue a planned pack."""
        self.tasks.put((name, plan))
        self.waiting.add(name)

    def poll(self, timeout: float) -> list[Event]:
        """The next events (none after ``timeout`` seconds).

        A worker that died (e.g. killed for memory) fails the job it was building; when no
        worker is left, every job still waiting fails.
        """
        try:
            events: list[Event] = [self.events.get(timeout=timeout)]
        except queue.Empty:
            events = self._losses()
        for event in events:
            if event["event"] == "start":
                self.running[event["worker"]] = event["name"]
            elif event["event"] in {"built", "failed"}:
                self.waiting.discard(event["name"])
        return events

    def _losses(self) -> list[Event]:
        lost = []
        for number, process in enumerate(self.processes):
            name = self.running.get(number)
            if not process.is_alive() and name in self.waiting:
                lost.append(_lost(name, f"its worker stopped (exit code {process.exitcode})"))
        if not any(p.is_alive() for p in self.processes):
            done = {e["name"] for e in lost}
            lost += [_lost(n, "no batch worker was left to build it") for n in
                     sorted(self.waiting - done)]  # fmt: skip
        return lost

    def close(self) -> None:
        """Stop the workers (after their current pack)."""
        for _ in self.processes:
            self.tasks.put(None)
        for process in self.processes:
            process.join(timeout=60)
            if process.is_alive():
                process.kill()


def _lost(name: str, why: str) -> Event:
    return {"event": "failed", "name": name, "attempts": 0, "seconds": 0.0,
            "error": f"{name} was not built: {why}; see the log under _logs/"}  # fmt: skip


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
    """
    from reviewkit.index_page import write_index
    from reviewkit.preflight import output_folder
    from reviewkit.runner import SharedInputs, plan_pack
    from reviewkit.schedule import SCHEDULE_FILE, load_schedule, select

    if jobs < 1:
        raise ConfigError(f"--jobs: {jobs} is not a number of workers; use 1 or more")
    ws = workspace if isinstance(workspace, Workspace) else find_workspace(workspace)
    out = output_folder(ws, output_dir)  # a folder that cannot be written: one line
    logs = out / LOG_DIR
    notify = listener or (lambda _event: None)
    # one review date for the whole batch, even one that runs past midnight
    as_of = parse_as_of(as_of, today=ws.today()).isoformat()
    started_at, t0 = _now(), time.perf_counter()
    with batch_lock(logs):
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
        # the index shows a batch under way only once it is really under way
        write_json(logs / LAST_BATCH, summary)
        log.info("batch of %d packs, as of %s, %d worker(s)", len(schedule), as_of, jobs)
        outcomes: dict[str, Outcome] = {}
        plans: dict[str, Any] = {}
        pool: _Pool | None = None
        try:
            for job in schedule:
                outcome = Outcome(job.name, "", cadence=job.cadence, lang=job.lang)
                outcomes[job.name] = outcome
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
            while pool is not None and pool.pending:
                for event in pool.poll(timeout=5):
                    _record(event, outcomes, out=out, log=log)
                    notify(event)
        finally:
            if pool is not None:
                pool.close()
            shared.close()
            _cleanup_staging(out)
        counts = {
            k: sum(o.status == k for o in outcomes.values()) for k in ("built", "skipped", "failed")
        }
        seconds = time.perf_counter() - t0
        log.info("done in %.1f s: %d built, %d skipped, %d failed", seconds, *counts.values())
        report = BatchReport(list(outcomes.values()), log_path, seconds, as_of, jobs, counts)
        summary |= {
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
    return report


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
    """Remove the staging root when the batch left it empty."""
    root = out / "_staging"
    with contextlib.suppress(OSError):
        for folder in root.iterdir():
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        root.rmdir()
