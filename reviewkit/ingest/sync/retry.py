"""Retrying an API call on rate limits (429) and server errors (5xx), within a time budget.

A fetcher turns a transient HTTP failure into :class:`TransientError` (with the server's
``Retry-After``, if any); :func:`retrying` waits that long, or backs off exponentially, and gives
up with a one-line :class:`~reviewkit.errors.SyncFailedError` once the attempts or the total
time budget are used up. Nothing else is retried: a 4xx other than 429 is a configuration
problem the fetcher reports at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from reviewkit.errors import SyncFailedError

__all__ = ["RetryPolicy", "TransientError", "retrying"]

T = TypeVar("T")


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


def retrying(call: Callable[[], T], *, what: str, policy: RetryPolicy | None = None) -> T:
    """Run ``call``, retrying on :class:`TransientError` as ``policy`` allows.

    Parameters
    ----------
    call
        The API call.
    what
        What is being read, for the message: ``"hubspot contacts"``.
    policy
        Attempts, time budget and how to wait (default: :class:`RetryPolicy`).

    Raises
    ------
    SyncFailedError
        When the call still fails after the attempts or the time budget; the message names
        ``what``, the last reason, the attempts and the seconds waited.
    """
    policy = policy or RetryPolicy()
    waited = 0.0
    for attempt in range(1, policy.attempts + 1):
        try:
            return call()
        except TransientError as error:
            pause = policy.wait(attempt, error.retry_after)
            if attempt == policy.attempts or waited + pause > policy.budget:
                raise SyncFailedError(
                    f"{what}: {error.reason}; gave up after {attempt} attempt(s) and "
                    f"{waited:.0f} s of waiting; nothing of this object was written; run the "
                    "sync again later (it resumes from the last committed cursor)"
                ) from None
            policy.sleep(pause)
            waited += pause
    raise AssertionError("unreachable")  # pragma: no cover
