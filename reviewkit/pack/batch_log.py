"""The batch's lock and log: one batch per output folder, a redacted log per run.

The log is published with the packs (``<output-dir>/_logs/``), so every line goes through
redaction (:mod:`reviewkit.core.redaction`); the newest :data:`KEEP_LOGS` logs are kept.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from reviewkit.core.redaction import redact_text
from reviewkit.errors import RunFailedError

LOG_DIR = "_logs"
LOCK_FILE = "batch.lock"
KEEP_LOGS = 100  # older batch logs are removed


class BatchLockedError(RunFailedError):
    """Another batch holds the lock of this output folder."""


def now() -> dt.datetime:
    """The time now, in UTC (what the lock, the log and ``last-batch.json`` record)."""
    return dt.datetime.now(dt.UTC)


@contextlib.contextmanager
def batch_lock(folder: Path, *, part: bool = False) -> Iterator[IO[str]]:
    """Hold the batch lock of an output folder (released when the process ends, too).

    ``part``: a part of a batch run in parallel with other parts (``reviewkit batch --part``,
    e.g. Airflow's shards) shares the lock with the other parts; a whole batch and a part
    never overlap.

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
            fcntl.flock(handle, (fcntl.LOCK_SH if part else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "parts of a batch (reviewkit batch --part)"
            raise BatchLockedError(
                f"{path}: another batch is running ({holder}); two runs never overlap, so this "
                "one stops here; let the running one finish (the lock is freed when it ends)"
            ) from None
        if part:  # the parts share the lock: none of them names itself the holder
            yield handle
            return
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, started {now().isoformat(timespec='seconds')}")
        handle.flush()
        yield handle
    finally:
        handle.close()  # closing releases the lock


class _RedactingFormatter(logging.Formatter):
    """Log lines with e-mail addresses and phone numbers redacted: the log is published."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_text(super().format(record))


def open_log(path: Path) -> logging.Logger:
    """A logger writing redacted lines to ``path`` (one per batch run)."""
    log = logging.getLogger(f"reviewkit.pack.batch.{path.name}")
    log.setLevel(logging.INFO)
    log.propagate = False
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(_RedactingFormatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    return log


def prune_logs(folder: Path) -> None:
    """Remove all but the newest :data:`KEEP_LOGS` batch logs of ``folder``."""
    logs = sorted(folder.glob("batch-*.log"))
    for old in logs[:-KEEP_LOGS]:
        old.unlink(missing_ok=True)


def close_log(log: logging.Logger) -> None:
    """Close the log's file (the batch ended, however it ended)."""
    for handler in list(log.handlers):
        handler.close()
        log.removeHandler(handler)


def relative_to_out(path: str | Path, out: Path) -> str:
    """``path`` relative to the output folder (as given when it lies elsewhere)."""
    try:
        return Path(path).resolve().relative_to(out.resolve()).as_posix()
    except ValueError:
        return str(path)


def record_event(
    event: dict[str, Any], outcomes: dict[str, Any], *, out: Path, log: logging.Logger
) -> None:
    """Note a worker's event in the outcomes and the log."""
    name, kind = event["name"], event["event"]
    outcome = outcomes[name]
    if kind == "start":
        log.info("%s: building on worker %s", name, event.get("worker"))
    elif kind == "retry":
        log.warning("%s: attempt %s failed: %s", name, event["attempt"], event["error"])
    elif kind == "built":
        outcome.status, outcome.seconds = "built", float(event["seconds"])
        outcome.pack, outcome.attempts = relative_to_out(event["pack"], out), int(event["attempts"])
        log.info("%s: built in %.1f s: %s", name, outcome.seconds, outcome.pack)
    elif kind == "failed":
        outcome.status, outcome.error = "failed", str(event["error"])
        outcome.seconds, outcome.attempts = float(event["seconds"]), int(event["attempts"])
        kept = outcome.error.rpartition("executed notebook kept at ")[2]
        if kept != outcome.error:
            outcome.notebook = relative_to_out(kept, out)
        log.error("%s: failed after %.1f s: %s", name, outcome.seconds, outcome.error)
        if event.get("traceback"):
            log.error("%s", event["traceback"])
