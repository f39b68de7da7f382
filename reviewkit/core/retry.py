"""How long to keep trying a call to a server: attempts, a time budget, back-off.

A caller turns a transient failure (HTTP 429 or 5xx, a dropped connection, a timeout, an SMTP
4xx reply) into :class:`TransientError`, with the server's ``Retry-After`` when it gives one;
:class:`RetryPolicy` says how long to wait before the next try and when to give up. The CRM sync
(:mod:`reviewkit.ingest.sync.retry`) and the delivery of packs use it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["RetryPolicy", "TransientError"]


class TransientError(Exception):
    """A failure worth retrying: HTTP 429, a 5xx, a dropped connection or a timeout."""

    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class RetryPolicy:
    """How long to keep trying.

    Parameters
    ----------
    attempts
        Tries in all (the first included).
    budget
        Seconds of waiting allowed in all; a wait that would pass it is not started.
    first_wait
        The first back-off in seconds (doubled each time, at most ``max_wait``) when the
        server gives no ``Retry-After``.
    max_wait
        The longest single wait, ``Retry-After`` included.
    sleep
        How to wait (tests pass a recorder instead of :func:`time.sleep`).
    """

    def __init__(
        self,
        *,
        attempts: int = 6,
        budget: float = 300.0,
        first_wait: float = 1.0,
        max_wait: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.attempts, self.budget = attempts, budget
        self.first_wait, self.max_wait, self.sleep = first_wait, max_wait, sleep

    def wait(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before try ``attempt + 1`` (``attempt`` counts from 1)."""
        if retry_after is not None:
            return max(0.0, min(retry_after, self.max_wait))
        return min(self.first_wait * 2 ** (attempt - 1), self.max_wait)
