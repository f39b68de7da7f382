"""Retrying an API call on rate limits (429) and server errors (5xx), within a time budget.

A fetcher turns a transient HTTP failure into :class:`TransientError` (with the server's
``Retry-After``, if any); :func:`retrying` waits that long, or backs off exponentially, and gives
up with a one-line :class:`~reviewkit.errors.SyncFailedError` once the attempts or the total
time budget are used up. Nothing else is retried: a 4xx other than 429 is a configuration
problem the fetcher reports at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from reviewkit.core.retry import RetryPolicy, TransientError
from reviewkit.errors import SyncFailedError

__all__ = ["RetryPolicy", "TransientError", "retrying"]

T = TypeVar("T")


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
