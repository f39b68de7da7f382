"""The worker processes of ``reviewkit batch`` (see :mod:`reviewkit.pack.batch`).

Each worker keeps a warm kernel (started and importing reviewkit while the previous pack still
runs), resets it between packs and replaces it every ``packs_per_kernel`` packs, so memory
stays bounded. A kernel that fails to start is retried on a fresh one (:data:`KERNEL_ATTEMPTS`
in all). A worker dies with its batch (the parent-death signal, :mod:`reviewkit.core.interrupts`):
on SIGTERM it abandons its pack (one in its publish step is finished first), kills its kernels
and leaves; a worker whose batch is gone publishes nothing.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import shutil
import signal
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reviewkit.core.interrupts import ignoring
from reviewkit.core.redaction import redact_text
from reviewkit.errors import ReviewkitError, RunFailedError

KERNEL_ATTEMPTS = 3  # a kernel that fails to start is retried on a fresh one
# Then the worker moves to a fresh kernel. A kernel's memory stays flat from pack to pack
# (about 330 MB on the sample, measured over 12 packs): this bounds what a leak could cost.
PACKS_PER_KERNEL = 25
# A stopped worker (SIGTERM, or its batch gone) leaves within this even if its cleanup hangs;
# its kernels are killed first.
WORKER_EXIT_SECONDS = 10.0

Event = dict[str, Any]


class _Kernels:
    """A worker's kernel, and the spare it starts while the current one runs its last pack."""

    def __init__(self, kernel: str, *, cwd: Path, per_kernel: int) -> None:
        from reviewkit.pack.kernel import WarmKernel

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
    from reviewkit.pack.execute import make_staging, new_staging

    started = time.perf_counter()
    staging = make_staging(new_staging(plan))
    try:
        return _build_in(kernels, name, plan, events, staging=staging, started=started, more=more)
    except BaseException:  # an interrupt (or the batch gone) while the kernel got ready
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _build_in(
    kernels: _Kernels,
    name: str,
    plan: Any,
    events: Any,
    *,
    staging: Path,
    started: float,
    more: Callable[[], bool],
) -> Event:
    from reviewkit.core.interrupts import checkpoint
    from reviewkit.pack.runner import build_pack

    kernel, attempts, error = None, 0, ""
    while kernel is None and attempts < KERNEL_ATTEMPTS:
        checkpoint()  # stopped: no other kernel
        attempts += 1
        try:
            kernel = kernels.ready_for(staging, more=more)
        except RunFailedError as exc:
            kernels.discard()
            error = str(exc)
            events.put({"event": "retry", "name": name, "attempt": attempts, "error": error})
    report: Event = {"name": name, "attempts": attempts}
    if kernel is None:
        shutil.rmtree(staging, ignore_errors=True)
        return {**report, "event": "failed", "seconds": time.perf_counter() - started,
                "error": f"{error} (tried {attempts} kernels)"}  # fmt: skip
    try:
        checkpoint()
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
    number: int,
    tasks: Any,
    events: Any,
    kernel: str,
    workspace: str,
    per_kernel: int,
    parent: int | None = None,
) -> None:
    """A worker process: build the plans it is given until it gets ``None``.

    It dies with the batch (``parent``): SIGTERM when the batch ends, however it ends. On
    SIGTERM it abandons its pack (a pack in its publish step is finished first) and stops its
    kernels; SIGINT is the batch's to handle (a Ctrl-C reaches the whole process group).
    """
    from reviewkit.core import interrupts as stops
    from reviewkit.core.lazy_imports import defer_iri_grammar

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if parent is not None:
        stops.expect_parent(parent)  # checked again before each publish
        stops.die_with_parent(signal.SIGTERM, parent=parent)
    defer_iri_grammar()
    kernels: _Kernels | None = None
    try:
        with stops.catching((signal.SIGTERM,), hard_exit=WORKER_EXIT_SECONDS, mute=True):
            try:
                kernels = _Kernels(kernel, cwd=Path(workspace), per_kernel=per_kernel)
                for name, plan in iter(tasks.get, None):
                    events.put({"event": "start", "name": name, "worker": number})
                    more = lambda: not tasks.empty()  # noqa: E731
                    events.put(_build_one(kernels, name, plan, events, more=more))
                    stops.checkpoint()  # a stop that came during a publish
            finally:
                if kernels is not None:
                    kernels.close()
    except stops.Interrupt:
        if not stops.parent_alive():  # nobody reads the events: exit without flushing them
            events.cancel_join_thread()


class _Pool:
    """``n`` worker processes fed through one task queue."""

    def __init__(self, n: int, *, kernel: str, workspace: Path, per_kernel: int) -> None:
        context = multiprocessing.get_context("spawn")  # no inherited threads or connections
        _quiet_resource_tracker()
        self.tasks: Any = context.Queue()
        self.events: Any = context.Queue()
        self.waiting: set[str] = set()  # submitted, not reported built or failed
        self.running: dict[int, str] = {}  # worker -> the job it started last
        self.processes = [
            context.Process(
                target=_worker,
                args=(i, self.tasks, self.events, kernel, str(workspace), per_kernel, os.getpid()),
                daemon=True,
            )
            for i in range(n)
        ]
        with ignoring(signal.SIGINT):  # workers start ignoring it: the batch stops them
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

    def poll(self, timeout: float, *, stopping: Callable[[], bool] = lambda: False) -> list[Event]:
        """The next events (none after ``timeout`` seconds).

        A worker that died (e.g. killed for memory) fails the job it was building; when no
        worker is left, every job still waiting fails. Not while ``stopping()``: a signal to
        the whole process group stops the workers too, and their packs are interrupted.
        """
        try:
            events: list[Event] = [self.events.get(timeout=timeout)]
        except queue.Empty:
            events = [] if stopping() else self._losses()
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

    def abandon(self, *, grace: float = 20.0) -> list[Event]:
        """Stop the workers now (SIGTERM: they abandon their packs and stop their kernels).

        A worker still running after ``grace`` seconds is killed (its kernels die with it).
        Returns the events that came in meanwhile (a pack whose publish step was under way).
        """
        # the jobs no worker will take stay unsent: exiting must not wait to flush them
        self.tasks.cancel_join_thread()
        for process in self.processes:
            if process.is_alive():
                process.terminate()
        events: list[Event] = []
        deadline = time.monotonic() + grace
        while any(p.is_alive() for p in self.processes) and time.monotonic() < deadline:
            events += self._drain(timeout=0.2)
        for process in self.processes:
            if process.is_alive():
                process.kill()
            process.join(timeout=5)
        return events + self._drain(timeout=0.0)

    def _drain(self, *, timeout: float) -> list[Event]:
        events: list[Event] = []
        with contextlib.suppress(Exception):  # empty, or a message cut by a killed worker
            while True:
                events.append(self.events.get(timeout=timeout))
                timeout = 0.0
        for event in events:
            if event["event"] in {"built", "failed"}:
                self.waiting.discard(event["name"])
        return events

    def close(self) -> None:
        """Stop the workers (after their current pack)."""
        for _ in self.processes:
            self.tasks.put(None)
        for process in self.processes:
            process.join(timeout=60)
            if process.is_alive():
                process.kill()


def _quiet_resource_tracker() -> None:
    """Start multiprocessing's resource tracker without the batch's stderr.

    After ``kill -9`` of the batch it cleans up the queues' semaphores and says so on stderr:
    a warning nobody can act on, in the cron mail of a run that was killed.
    """
    from multiprocessing import resource_tracker

    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        resource_tracker.ensure_running()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _lost(name: str, why: str) -> Event:
    return {"event": "failed", "name": name, "attempts": 0, "seconds": 0.0,
            "error": f"{name} was not built: {why}; see the log under _logs/"}  # fmt: skip
