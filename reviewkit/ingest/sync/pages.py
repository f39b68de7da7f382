"""What a fetcher hands the sync engine: pages of changed, deleted and merged records.

Every API is read the same way: :meth:`Fetcher.changes` yields :class:`Page` objects for one
object of a sync profile, oldest change first, so the engine can write them in batches (memory
stays flat however many records there are) and keep the highest modification time it has seen
as the object's next cursor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from reviewkit.ingest.profile import Profile

__all__ = ["Fetcher", "ObjectSpec", "Page"]


@dataclass(frozen=True)
class ObjectSpec:
    """One API object of a sync profile and how it lands in the store.

    Attributes
    ----------
    name
        The object's name in the sync profile and in ``reviewkit sources`` (``contacts``,
        ``Lead``, ...); unique within the profile.
    api_object
        The object the API reads (``contacts``, ``deals``, ``calls``, ``Lead``,
        ``Opportunity``, ``Task``, ...).
    profile
        The import profile whose columns are the API's property names (plus the derived
        fields a fetcher documents, e.g. ``associations.contacts`` or ``Owner.Name``).
    history
        Properties read with their change history (HubSpot ``propertiesWithHistory``;
        Salesforce ``OpportunityHistory`` for ``StageName``), as ``<property>.history``.
    where
        Salesforce only: an extra SOQL condition (e.g. ``IsDeleted = false``); ``None``: none.
    """

    name: str
    api_object: str
    profile: Profile
    history: tuple[str, ...] = ()
    where: str | None = None

    @property
    def properties(self) -> list[str]:
        """The API properties the profile reads (derived ``a.b`` fields included)."""
        p = self.profile
        names = [*p.id, *p.stages.values()]
        for mapping in (p.columns, p.lead_columns):
            for value in mapping.values():
                names += [value] if isinstance(value, str) else list(value)
        return list(dict.fromkeys(names))


@dataclass
class Page:
    """One batch of changes of one object, in modification order.

    Attributes
    ----------
    rows
        The changed records, each flattened to ``{property: text or None}`` (dates as ISO
        8601 text, numbers as text), with the record id under the profile's id property.
    deleted
        Ids of records deleted (archived) in the API.
    merged
        Merged-away record id -> the id of the record it was merged into.
    cursor
        The highest modification time of the records read so far in this run (UTC);
        ``None`` when no record has been read yet.
    """

    rows: list[dict[str, str | None]] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    merged: dict[str, str] = field(default_factory=dict)
    cursor: dt.datetime | None = None


class Fetcher(Protocol):
    """Reads one CRM's API. Each API module provides one (``HubSpotFetcher``, ...)."""

    #: The API's name in messages and in the store (``hubspot``, ``salesforce``).
    api: str
    #: How far back the API lists deleted records; ``None``: deletes are not listed.
    deleted_lookback: dt.timedelta | None

    def check(self, specs: list[ObjectSpec]) -> None:
        """Fail early on a wrong credential, missing scope, unknown object or property.

        Raises :class:`~reviewkit.errors.SyncConfigError` naming the source, object and fix.
        """
        ...

    def changes(self, spec: ObjectSpec, *, since: dt.datetime | None) -> Iterator[Page]:
        """Pages of the records of ``spec`` modified at or after ``since`` (``None``: all).

        In a full read (``since`` is ``None``) deletes need not be listed: the engine
        removes the records the full read no longer returns.
        """
        ...
