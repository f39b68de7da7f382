"""The delivery log in the store: which pack, built from which inputs, reached whom.

A row per try (``deliveries``): the pack's fingerprint (its ``inputs_digest``), the job, the
audience, the channel (``email``, ``slack``, ``teams``), the recipient (an address or the
webhook's variable name, never a URL), ``sent`` or ``failed``, the attempts and the error. A
pack counts as delivered to a recipient once a ``sent`` row holds its fingerprint: a rebuilt pack
with the same inputs, or a batch that skipped it, sends nothing again; a pack rebuilt from new
inputs has a new fingerprint and is sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb

__all__ = ["LogRow", "record", "sent_keys", "sent_periods"]

Key = tuple[str, str, str, str]  # fingerprint, audience, channel, recipient
PeriodKey = tuple[str, str, str, str, str]  # job, period, audience, channel, recipient


@dataclass(frozen=True)
class LogRow:
    """One try to deliver one pack to one recipient."""

    fingerprint: str
    job: str
    period: str
    audience: str
    channel: str
    recipient: str
    status: str  # sent or failed
    attempts: int
    error: str
    at: dt.datetime

    @property
    def key(self) -> Key:
        """What makes a delivery the same one."""
        return (self.fingerprint, self.audience, self.channel, self.recipient)


def sent_keys(con: duckdb.DuckDBPyConnection, fingerprints: Iterable[str]) -> set[Key]:
    """The (fingerprint, audience, channel, recipient) already sent, for these fingerprints."""
    wanted = sorted(set(fingerprints))
    if not wanted:
        return set()
    marks = ", ".join("?" for _ in wanted)
    rows = con.execute(
        "SELECT DISTINCT fingerprint, audience, channel, recipient FROM deliveries "
        f"WHERE status = 'sent' AND fingerprint IN ({marks})",
        wanted,
    ).fetchall()
    return {(str(a), str(b), str(c), str(d)) for a, b, c, d in rows}


def sent_periods(con: duckdb.DuckDBPyConnection, jobs: Iterable[str]) -> set[PeriodKey]:
    """The (job, period, audience, channel, recipient) that had some build of the period."""
    wanted = sorted(set(jobs))
    if not wanted:
        return set()
    marks = ", ".join("?" for _ in wanted)
    rows = con.execute(
        "SELECT DISTINCT job, period, audience, channel, recipient FROM deliveries "
        f"WHERE status = 'sent' AND job IN ({marks})",
        wanted,
    ).fetchall()
    return {(str(a), str(b), str(c), str(d), str(e)) for a, b, c, d, e in rows}


def record(con: duckdb.DuckDBPyConnection, rows: Iterable[LogRow]) -> int:
    """Append ``rows`` to the log in one transaction; return how many."""
    values = [
        (r.fingerprint, r.job, r.period, r.audience, r.channel, r.recipient, r.status,
         r.attempts, r.error or None, r.at)
        for r in rows
    ]  # fmt: skip
    if not values:
        return 0
    con.execute("BEGIN TRANSACTION")
    try:
        con.executemany("INSERT INTO deliveries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", values)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return len(values)
