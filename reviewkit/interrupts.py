"""Interrupts and parent death: a run stops cleanly, and no child outlives its parent.

- :class:`Interrupt` is raised in the main thread by SIGINT or SIGTERM (see :func:`catching`)
  and unwinds through ``except Exception``, so every ``finally`` runs: the staging folder is
  removed and the kernel stopped. The CLI turns it into :class:`RunInterruptedError` (exit
  130 for SIGINT, 143 for SIGTERM, one line).
- :func:`publish_step` wraps the moves that put a built pack in place: a signal arriving
  during it is held until the pack is whole (then :func:`checkpoint` raises it), and a batch
  worker whose batch is gone never enters it (:func:`expect_parent`).
- :func:`die_with_parent` asks Linux to signal a process when its parent dies
  (``prctl(PR_SET_PDEATHSIG)``); elsewhere a thread watches the parent's process id. Batch
  workers get SIGTERM (they stop their kernels and leave), kernels SIGKILL.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from types import FrameType
from typing import Any

from reviewkit.errors import ReviewkitError

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


class RunInterruptedError(ReviewkitError):
    """A run stopped by SIGINT or SIGTERM; exit code 128 + the signal (130, 143)."""

    def __init__(self, message: str, *, signum: int) -> None:
        super().__init__(message)
        self.signum = signum
        self.exit_code = 128 + signum


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
    pending: int | None = None  # a signal held during the publish step
    raised: bool = False  # one Interrupt per run: the cleanup is not cut short again


_STATE = _State()


def _raise_on_signal(signum: int, _frame: FrameType | None) -> None:
    if _STATE.publishing:
        _STATE.pending = _STATE.pending or signum
        return
    if _STATE.raised:
        return
    _STATE.raised = True
    raise Interrupt(signum)


@contextlib.contextmanager
def catching(signals: tuple[int, ...] = STOP_SIGNALS) -> Iterator[None]:
    """Turn ``signals`` into :class:`Interrupt` in the main thread, while the block runs.

    Outside the main thread nothing is installed (Python only signals the main thread).
    A second signal during the cleanup is ignored; one during :func:`publish_step` is held.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, _raise_on_signal) for s in signals}
    _STATE.raised, _STATE.pending = False, None
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


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
    """Raise the :class:`Interrupt` held during a publish step, if any."""
    if _STATE.pending is not None:
        signum, _STATE.pending = _STATE.pending, None
        _STATE.raised = True
        raise Interrupt(signum)


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
