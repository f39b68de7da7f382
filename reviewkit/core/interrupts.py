"""Interrupts and parent death: a run stops cleanly, and no child outlives its parent.

- :class:`Interrupt` is raised in the main thread by SIGINT or SIGTERM (see :func:`catching`)
  and unwinds through ``except Exception``, so every ``finally`` runs: the staging folder is
  removed and the kernel stopped. The CLI turns it into :class:`RunInterruptedError` (exit
  130 for SIGINT, 143 for SIGTERM, one line). The stop is remembered and the run's kernels
  (:func:`stop_with_run`) are killed at once. Inside an asyncio loop (papermill's) nothing is
  raised, since a task would swallow it (and nbclient then waits for the cell's timeout): the
  loop's tasks are cancelled instead, and :func:`checkpoint` (called where a failure is
  handled) raises the stop rather than keeping the notebook as a failed pack.
- :func:`publish_step` wraps the moves that put a built pack in place: a signal arriving
  during it is held until the pack is whole (then :func:`checkpoint` raises it), and a batch
  worker whose batch is gone never enters it (:func:`expect_parent`).
- :func:`die_with_parent` asks Linux to signal a process when its parent dies
  (``prctl(PR_SET_PDEATHSIG)``); elsewhere a thread watches the parent's process id. Batch
  workers get SIGTERM (they stop their kernels and leave), kernels SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import signal
import sys
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from reviewkit.errors import RunInterruptedError

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
WATCH_SECONDS = 0.5  # how often the fallback watcher looks at the parent (not on Linux)


class Interrupt(BaseException):
    """A stop signal arrived: raised in the main thread to unwind the run.

    A :class:`BaseException`, so ``except Exception`` blocks (a failed cell, a failed pack)
    let it through and only ``finally`` blocks run.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signal_name(signum))
        self.signum = signum


def signal_name(signum: int) -> str:
    """``SIGINT`` for 2, and so on (the number if it has no name)."""
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


@dataclass
class _State:
    parent: int | None = None  # the process that must be alive for a publish
    publishing: bool = False
    stop: int | None = None  # the stop signal this run received
    raised: bool = False  # one Interrupt from the handler: the cleanup is not cut short
    hard_exit: float | None = None  # seconds a stopped process may take to leave
    mute: bool = False  # a stopped worker says nothing more on the stderr it shares
    kernels: weakref.WeakSet[Any] = field(default_factory=weakref.WeakSet)


_STATE = _State()


def _raise_on_signal(signum: int, _frame: FrameType | None) -> None:
    first = _STATE.stop is None
    _STATE.stop = _STATE.stop or signum
    if _STATE.publishing or not first:  # held (see checkpoint), or already stopping
        return
    if _STATE.hard_exit is not None:
        _hard_exit_after(_STATE.hard_exit, 128 + signum)
    if _STATE.mute:
        _mute_stderr()
    _kill_kernels()
    loop = asyncio._get_running_loop()  # the public one raises outside a loop
    if loop is not None:  # an exception here would end in one task, not in the run
        # the tasks cancelled here may be collected still pending: not an error to report
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)
        for task in asyncio.all_tasks(loop):
            task.cancel()
        return
    _STATE.raised = True
    raise Interrupt(signum)


def _mute_stderr() -> None:
    """Send this process's stderr to /dev/null (a stopped worker's last words are noise)."""
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)


def _hard_exit_after(seconds: float, code: int) -> None:
    """Leave after ``seconds`` even if the cleanup hangs (the kernels are dead by then)."""
    timer = threading.Timer(seconds, os._exit, (code,))
    timer.daemon = True
    timer.start()


def stop_with_run(process: Any) -> None:
    """Kill ``process`` (a kernel's :class:`subprocess.Popen`) when a stop signal comes."""
    _STATE.kernels.add(process)


def _kill_kernels() -> None:
    for process in list(_STATE.kernels):
        if process.poll() is None:  # a kernel leads its own session: its group goes too
            with contextlib.suppress(OSError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                process.kill()


@contextlib.contextmanager
def catching(
    signals: tuple[int, ...] = STOP_SIGNALS, *, hard_exit: float | None = None, mute: bool = False
) -> Iterator[None]:
    """Turn ``signals`` into :class:`Interrupt` in the main thread, while the block runs.

    Outside the main thread nothing is installed (Python only signals the main thread).
    A second signal during the cleanup is ignored; one during :func:`publish_step` is held.
    ``hard_exit``: seconds after the signal the process exits (128 + signal) even if its
    cleanup hangs (a batch worker: nobody may be left to kill it). ``mute``: after the
    signal, stderr goes to /dev/null (a worker shares the batch's; the batch reports).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, _raise_on_signal) for s in signals}
    _STATE.raised, _STATE.stop, _STATE.hard_exit, _STATE.mute = False, None, hard_exit, mute
    try:
        yield
    except BaseException as exc:  # e.g. the CancelledError of a stopped event loop
        if _STATE.stop is None or isinstance(exc, Interrupt):
            raise
        raise Interrupt(_STATE.stop) from None
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        _STATE.raised, _STATE.stop, _STATE.hard_exit = False, None, None  # the next run's
        _STATE.mute = False


@contextlib.contextmanager
def interruptible(what: str) -> Iterator[None]:
    """Run the block under :func:`catching`; an :class:`Interrupt` leaves as a one-line error.

    Parameters
    ----------
    what
        What was running, for the message (``the monthly pack``).

    Raises
    ------
    RunInterruptedError
        SIGINT or SIGTERM arrived (also when it was held until a publish ended).
    """
    try:
        with catching():
            yield
            checkpoint()
    except Interrupt as exc:
        raise RunInterruptedError(
            f"{what} interrupted by {signal_name(exc.signum)}: stopped, its kernel shut "
            "down and nothing half-built published; run the command again to build it",
            signum=exc.signum,
        ) from None


def checkpoint() -> None:
    """Raise :class:`Interrupt` if a stop signal came (held by a publish step, or swallowed).

    Called where a run goes on to its next step or handles a failure: a stopped run neither
    starts another step nor reports its dead kernel as a failed pack.
    """
    if _STATE.stop is not None and not _STATE.publishing:
        _STATE.raised = True
        raise Interrupt(_STATE.stop)


def stopping() -> bool:
    """Whether a stop signal came in this run."""
    return _STATE.stop is not None


def expect_parent(pid: int | None) -> None:
    """Publish only while the process ``pid`` is this process's parent (``None``: always)."""
    _STATE.parent = pid


def parent_alive() -> bool:
    """Whether the parent :func:`expect_parent` named is still this process's parent."""
    return _STATE.parent is None or os.getppid() == _STATE.parent


@contextlib.contextmanager
def publish_step() -> Iterator[None]:
    """The moves that put a built pack in place: never started late, never cut in half.

    Raises
    ------
    Interrupt
        Before the step, when a stop signal is held or the expected parent is gone (a batch
        killed with ``kill -9``: its workers publish nothing more).
    """
    if not parent_alive():
        raise Interrupt(signal.SIGTERM)
    checkpoint()
    _STATE.publishing = True
    try:
        yield
    finally:
        _STATE.publishing = False


def die_with_parent(signum: int, *, parent: int | None = None) -> bool:
    """Have this process receive ``signum`` when its parent dies.

    On Linux ``prctl(PR_SET_PDEATHSIG)`` (the kernel sends it, even after ``kill -9`` of the
    parent); elsewhere a daemon thread checks the parent's process id twice a second.

    Parameters
    ----------
    signum
        The signal to receive (SIGTERM lets the process clean up; SIGKILL does not).
    parent
        The parent's process id when known: if it is already gone, the signal comes now.

    Returns
    -------
    bool
        Whether the kernel's parent-death signal was set (``False``: the watcher thread).
    """
    parent = os.getppid() if parent is None else parent
    armed = False
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0
    if not armed:
        threading.Thread(target=_watch, args=(parent, signum), daemon=True).start()
    if os.getppid() != parent:  # it died before the request was in place
        os.kill(os.getpid(), signum)
    return armed


def _watch(parent: int, signum: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCH_SECONDS)
    os.kill(os.getpid(), signum)


@contextlib.contextmanager
def ignoring(signum: int) -> Iterator[None]:
    """Ignore ``signum`` while the block runs; processes started in it inherit that."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: Any = signal.signal(signum, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signum, previous)


class StopFlag:
    """SIGINT and SIGTERM noted, not raised: the batch runner looks at :attr:`signum`.

    Use as a context manager around the run (the previous handlers come back after it).
    """

    def __init__(self) -> None:
        self.signum: int | None = None
        self._previous: dict[int, Any] = {}

    def _note(self, signum: int, _frame: FrameType | None) -> None:
        self.signum = self.signum or signum

    def __enter__(self) -> StopFlag:
        if threading.current_thread() is threading.main_thread():
            self._previous = {s: signal.signal(s, self._note) for s in STOP_SIGNALS}
        return self

    def __exit__(self, *_exc: object) -> None:
        for s, handler in self._previous.items():
            signal.signal(s, handler)
        self._previous = {}

    @property
    def stopped(self) -> bool:
        """Whether a stop signal arrived."""
        return self.signum is not None
