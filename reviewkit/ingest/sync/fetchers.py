"""The fetcher for a sync source's API (imported only when a sync runs)."""

from __future__ import annotations

from reviewkit.ingest.sync.pages import Fetcher
from reviewkit.ingest.sync.retry import RetryPolicy
from reviewkit.ingest.sync.spec import SyncSource

__all__ = ["make_fetcher"]


def make_fetcher(source: SyncSource, *, policy: RetryPolicy | None = None) -> Fetcher:
    """The fetcher of ``source.api`` (HubSpot or Salesforce), with the retry ``policy``.

    The default policy is the source's ``retry_attempts`` and ``retry_budget_seconds``.
    """
    policy = policy or RetryPolicy(
        attempts=source.retry_attempts, budget=source.retry_budget_seconds
    )
    if source.api == "hubspot":
        from reviewkit.ingest.sync.hubspot import HubSpotFetcher

        return HubSpotFetcher(source, policy=policy)
    from reviewkit.ingest.sync.salesforce import SalesforceFetcher

    return SalesforceFetcher(source, policy=policy)
