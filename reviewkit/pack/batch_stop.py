"""A batch stopped by SIGINT or SIGTERM: what it says in its log, its summary and its exit.

:func:`reviewkit.pack.batch.run_batch` notes the signal
(:class:`reviewkit.core.interrupts.StopFlag`), starts no other pack, has its workers abandon
theirs, and then marks every pack not built, skipped or failed as ``interrupted``
(:func:`mark_interrupted`): abandoned while building, or never started. The summary
(``last-batch.json``) gets ``"status": "interrupted"`` and the signal, the index shows the run as
interrupted (in Japanese and English), and the batch ends with :class:`BatchInterruptedError`: one
line, exit 130 (SIGINT) or 143 (SIGTERM).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from reviewkit.core.interrupts import signal_name
from reviewkit.errors import RunInterruptedError

STATUSES = ("built", "skipped", "failed", "interrupted")


class BatchInterruptedError(RunInterruptedError):
    """A batch stopped by SIGINT or SIGTERM; ``report`` holds what it did before."""

    def __init__(self, message: str, *, signum: int, report: Any = None) -> None:
        super().__init__(message, signum=signum)
        self.report = report


def mark_interrupted(outcomes: Iterable[Any], *, signum: int, started: set[str]) -> None:
    """Mark each outcome with no status yet as ``interrupted`` (abandoned or not started).

    Parameters
    ----------
    outcomes
        The batch's :class:`reviewkit.pack.batch.Outcome` values.
    signum
        The signal that stopped the batch.
    started
        The names of the packs a worker started.
    """
    name = signal_name(signum)
    for outcome in outcomes:
        if not outcome.status:
            outcome.status = "interrupted"
            outcome.error = (
                f"interrupted by {name} while building: abandoned, nothing published"
                if outcome.name in started
                else f"interrupted by {name} before it started"
            )


def counts_of(outcomes: Iterable[Any]) -> dict[str, int]:
    """``{status: packs}`` for built, skipped and failed, and interrupted when any was."""
    statuses = [o.status for o in outcomes]
    counts = {k: statuses.count(k) for k in STATUSES}
    if not counts["interrupted"]:
        del counts["interrupted"]
    return counts


def summary_fields(signum: int | None) -> dict[str, Any]:
    """What ``last-batch.json`` records on how the run ended."""
    if signum is None:
        return {"status": "finished"}
    return {"status": "interrupted", "signal": signal_name(signum)}


def interrupted_error(
    outcomes: list[Any], *, signum: int, log: str, report: Any = None
) -> BatchInterruptedError:
    """The one-line error an interrupted batch ends with."""
    counts = counts_of(outcomes)
    abandoned = sum(o.status == "interrupted" and "while building" in o.error for o in outcomes)
    waiting = counts.get("interrupted", 0) - abandoned
    return BatchInterruptedError(
        f"batch interrupted by {signal_name(signum)}: {counts['built']} built, "
        f"{counts['skipped']} skipped, {counts['failed']} failed, {abandoned} abandoned "
        f"while building and {waiting} not started (nothing half-built was published); "
        f"log: {log}; run `reviewkit batch` again to build the rest",
        signum=signum,
        report=report,
    )


def unfinished_run(record: Any) -> str | None:
    """What a ``last-batch.json`` left by a batch that never finished says (``None`` if none).

    A batch killed outright (``kill -9``, a power cut) cannot write its end: the next batch
    notes it in its log, and the index shows it as interrupted once its process is gone.
    """
    if not isinstance(record, dict) or record.get("finished_at") or not record.get("pid"):
        return None
    return (
        f"the previous batch (process {record.get('pid')}, started {record.get('started_at')}) "
        "never finished: it was killed; its workers published nothing after it"
    )


def batch_gone(record: Any) -> bool:
    """Whether an unfinished batch's process has ended (killed before it could say so)."""
    from reviewkit.pack.staging import process_alive

    if not isinstance(record, dict) or record.get("finished_at") or not record.get("pid"):
        return False
    try:
        return not process_alive(int(record.get("pid") or 0))
    except (TypeError, ValueError):
        return False
