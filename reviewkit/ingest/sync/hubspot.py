"""The HubSpot fetcher: CRM v3 search by modification time, archived records, merges, history.

:class:`HubSpotFetcher` reads one sync source's objects (contacts, deals, calls, e-mails,
meetings, companies, custom objects) through the official client (:mod:`.hubspot_http`). Each
record becomes ``{property: text or None}`` with its id under ``hs_object_id``, plus the derived
fields a profile may map (``associations.contacts``, ``owner.name``, ``owner.team``,
``<property>.entered.<value>``: :mod:`.hubspot_fields`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from reviewkit.errors import SyncConfigError, SyncFailedError
from reviewkit.ingest.sync.hubspot_fields import (
    FieldPlan,
    as_text,
    earliest,
    epoch_ms,
    modified_property,
    owner_name,
    owner_team,
    search_filter,
    to_ms,
    utc,
)
from reviewkit.ingest.sync.hubspot_http import (
    ApiStatusError,
    HubSpotApi,
    Json,
    missing_scopes,
    property_in_error,
)
from reviewkit.ingest.sync.pages import ObjectSpec, Page
from reviewkit.ingest.sync.retry import RetryPolicy
from reviewkit.ingest.sync.spec import SyncSource

__all__ = ["HubSpotFetcher", "modified_property"]

_HISTORY_BATCH = 50  # a batch read with propertiesWithHistory takes at most 50 ids
_UNKNOWN_OBJECT = "infer object type"


@dataclass
class _Window:
    """Where a search restarts: at ``start`` (ms, inclusive), skipping ids already read there."""

    start: int | None
    seen: set[str] = field(default_factory=set)


class HubSpotFetcher:
    """Reads a HubSpot portal for the sync engine (the :class:`~.pages.Fetcher` protocol).

    Parameters
    ----------
    source
        The sync source (``params/sources/sync/<name>.yml`` or the shipped default).
    policy
        Retries of 429, 5xx and connection failures (tests inject a recording ``sleep``).
    page_size
        Records per search page (1-200; HubSpot's search returns at most 200).
    search_limit
        The most results one search query pages through (HubSpot: 10,000); a window holding
        more is read in several queries (see :meth:`changes`).
    """

    api = "hubspot"
    deleted_lookback: dt.timedelta | None = dt.timedelta(days=90)

    def __init__(
        self,
        source: SyncSource,
        *,
        policy: RetryPolicy | None = None,
        page_size: int = 100,
        search_limit: int = 10_000,
    ) -> None:
        if not 1 <= page_size <= 200 or search_limit < 1:
            raise ValueError(f"page_size {page_size} (1-200) or search_limit {search_limit}")
        self.source = source
        self.page_size = min(page_size, search_limit)
        self.search_limit = search_limit
        self.http = HubSpotApi(source.name, policy=policy)
        self._owners: dict[str, Json] | None = None
        self._archived_owners_read = False

    # -- errors -----------------------------------------------------------------------------
    def _profile_fix(self) -> str:
        return f"add the property in HubSpot or change params/sources/sync/{self.source.name}.yml"

    def _error(self, error: ApiStatusError, spec: ObjectSpec, *, what: str) -> Exception:
        """The one-line error for a status ``what`` (a call on ``spec``'s object) answered."""
        src, obj = self.source.name, spec.api_object
        if error.body.get("category") == "MISSING_SCOPES":
            scopes = missing_scopes(error.body) or [f"crm.objects.{obj}.read"]
            return SyncConfigError(
                f"{src}: the HubSpot app lacks the scope(s) {', '.join(scopes)} to read {what} "
                f"(object {spec.name}); add them to the private app's scopes (docs/sync.md) "
                "and run the sync again"
            )
        if error.status == 404 or _UNKNOWN_OBJECT in error.message.lower():
            return SyncConfigError(
                f"{src}: object {spec.name}: {obj!r} is not a HubSpot object of this portal "
                f"(HTTP {error.status}); use contacts, companies, deals, calls, emails, meetings "
                f"or a custom object's name in params/sources/sync/{src}.yml"
            )
        prop = property_in_error(error.body) if error.status == 400 else None
        if prop is not None:
            return SyncConfigError(
                f"{src}: object {spec.name} ({obj}) has no property {prop!r} (HTTP 400: "
                f"{error.message}); {self._profile_fix()}"
            )
        return SyncFailedError(
            f"{src}: object {spec.name} ({obj}): HubSpot answered HTTP {error.status} to "
            f"{what} ({error.message}); nothing of this object was written; check the "
            "profile and run the sync again"
        )

    def _call(self, spec: ObjectSpec, api: str, method: str, *args: Any, **kwargs: Any) -> Json:
        what = f"{self.source.name} {spec.name}"
        try:
            return self.http.call(api, method, *args, what=what, **kwargs)
        except ApiStatusError as error:
            label = {"owners": "owners", "associations": "associations"}.get(api, spec.api_object)
            raise self._error(error, spec, what=label) from None

    # -- check ------------------------------------------------------------------------------
    def check(self, specs: list[ObjectSpec]) -> None:
        """Fail early on a refused token, a missing scope, an unknown object or property.

        One call to the properties API per object (``GET /crm/v3/properties/{object}``), and
        one to the owners API when a profile maps ``owner.name`` or ``owner.team``.

        Raises
        ------
        SyncConfigError
            Naming the source, object, property or scope, and the fix.
        SyncFailedError
            When HubSpot keeps failing (5xx, 429, network) past the retry budget.
        """
        for spec in specs:
            plan = FieldPlan.of(spec)
            answer = self._call(spec, "properties", "get_all", spec.api_object, archived=False)
            names = {str(p.get("name")) for p in answer.get("results") or []}
            missing = [n for n in plan.checked if n not in names]
            if missing:
                raise SyncConfigError(
                    f"{self.source.name}: object {spec.name} ({spec.api_object}) has no "
                    f"property {missing[0]!r}"
                    + (f" (nor {missing[1:]})" if len(missing) > 1 else "")
                    + f"; {self._profile_fix()}"
                )
        owner_specs = [s for s in specs if FieldPlan.of(s).owner]
        if owner_specs:
            self._call(owner_specs[0], "owners", "get_page", limit=1, archived=False)

    # -- changes ----------------------------------------------------------------------------
    def changes(self, spec: ObjectSpec, *, since: dt.datetime | None) -> Iterator[Page]:
        """Pages of the records of ``spec`` modified at or after ``since``, oldest first.

        A search sorted ascending on the modification property pages through at most
        ``search_limit`` results; past that, the search *restarts* at the last modification
        time seen (inclusive) and drops the ids already read at that instant. When one instant
        alone holds more than the limit, that instant is read by record id. An incremental
        read (``since`` given) ends with a page of the ids archived at or after ``since``.

        Raises
        ------
        SyncConfigError
            On a refused token, a missing scope, an unknown object or property.
        SyncFailedError
            When HubSpot keeps failing past the retry budget, or answers another status.
        """
        plan = FieldPlan.of(spec)
        cursor: int | None = None
        for results in self._search(spec, plan, since):
            rows, merged = self._rows(spec, plan, results)
            stamps = [s for s in (self._stamp(plan, r) for r in results) if s is not None]
            cursor = max([*stamps, *([cursor] if cursor is not None else [])], default=None)
            yield Page(rows=rows, merged=merged, cursor=utc(cursor) if cursor else None)
        if since is not None:
            deleted = self._archived(spec, since)
            yield Page(deleted=deleted, cursor=utc(cursor) if cursor else None)

    @staticmethod
    def _stamp(plan: FieldPlan, result: Json) -> int | None:
        props = result.get("properties") or {}
        return to_ms(props.get(plan.modified) or result.get("updatedAt"))

    def _search(
        self, spec: ObjectSpec, plan: FieldPlan, since: dt.datetime | None
    ) -> Iterator[list[Json]]:
        """Lists of search results, ascending, restarting the query at the search limit."""
        window = _Window(epoch_ms(since) if since is not None else None)
        while True:
            filters = (
                [] if window.start is None else [search_filter(plan.modified, "GTE", window.start)]
            )
            last: int | None = None
            at_last: set[str] = set()
            for results, more in self._query(spec, plan, filters, plan.modified):
                fresh = []
                for result in results:
                    rid, stamp = str(result.get("id")), self._stamp(plan, result)
                    if stamp != last:
                        last, at_last = stamp, set()
                    at_last.add(rid)
                    if not (stamp == window.start and rid in window.seen):
                        fresh.append(result)
                if fresh:
                    yield fresh
                if not more:
                    return
            if last is None:
                return
            if last == window.start:  # one instant holds more than the limit: read it by id
                yield from self._instant(spec, plan, last, window.seen | at_last)
                window = _Window(last + 1)
            else:
                window = _Window(last, at_last)

    def _instant(
        self, spec: ObjectSpec, plan: FieldPlan, stamp: int, seen: set[str]
    ) -> Iterator[list[Json]]:
        """The records modified at exactly ``stamp`` (ms), by ascending id, minus ``seen``."""
        after_id = "0"
        while True:
            filters = [
                search_filter(plan.modified, "EQ", stamp),
                search_filter("hs_object_id", "GT", after_id),
            ]
            last_id: str | None = None
            for results, more in self._query(spec, plan, filters, "hs_object_id"):
                if results:
                    last_id = str(results[-1].get("id"))
                fresh = [r for r in results if str(r.get("id")) not in seen]
                if fresh:
                    yield fresh
                if not more:
                    return
            if last_id is None:
                return
            after_id = last_id

    def _query(
        self, spec: ObjectSpec, plan: FieldPlan, filters: list[Json], sort: str
    ) -> Iterator[tuple[list[Json], bool]]:
        """One search query's pages, up to the search limit: (results, more to read)."""
        after = 0
        while True:
            body: Json = {
                "filterGroups": [{"filters": filters}] if filters else [],
                "sorts": [{"propertyName": sort, "direction": "ASCENDING"}],
                "properties": plan.request,
                "limit": self.page_size,
                "after": str(after),
            }
            answer = self._call(
                spec, "search", "do_search", spec.api_object, public_object_search_request=body
            )
            results = list(answer.get("results") or [])
            following = ((answer.get("paging") or {}).get("next") or {}).get("after")
            if following is None:
                yield results, False
                return
            after = int(following)
            if after + self.page_size > self.search_limit:
                yield results, True  # the caller restarts the query
                return
            yield results, True

    # -- rows -------------------------------------------------------------------------------
    def _rows(
        self, spec: ObjectSpec, plan: FieldPlan, results: list[Json]
    ) -> tuple[list[dict[str, str | None]], dict[str, str]]:
        ids = [str(r.get("id")) for r in results]
        linked = {to: self._associations(spec, to, ids) for to in plan.associations}
        history = self._history(spec, plan, ids) if plan.entered else {}
        rows: list[dict[str, str | None]] = []
        merged: dict[str, str] = {}
        for rid, result in zip(ids, results, strict=True):
            props = result.get("properties") or {}
            row = {name: as_text(props.get(name)) for name in plan.request}
            row["hs_object_id"] = rid
            for to in plan.associations:
                row[f"associations.{to}"] = linked[to].get(rid)
            if plan.owner:
                owner = self._owner(spec, row.get("hubspot_owner_id"))
                row["owner.name"], row["owner.team"] = owner_name(owner), owner_team(owner)
            for name, (prop, value) in plan.entered.items():
                row[name] = history.get(rid, {}).get(prop, {}).get(value)
            for old in (row.get("hs_merged_object_ids") or "").split(";"):
                if old.strip() and old.strip() != rid:
                    merged[old.strip()] = rid
            rows.append(row)
        return rows, merged

    def _associations(self, spec: ObjectSpec, to: str, ids: list[str]) -> dict[str, str]:
        """Record id -> its first associated ``to`` record's id (v4 batch read)."""
        if not ids:
            return {}
        body = {"inputs": [{"id": i} for i in ids]}
        answer = self._call(
            spec,
            "associations",
            "get_page",
            spec.api_object,
            to,
            batch_input_public_fetch_associations_batch_request=body,
        )
        first: dict[str, str] = {}
        for result in answer.get("results") or []:
            targets = result.get("to") or []
            if targets:
                first[str((result.get("from") or {}).get("id"))] = str(targets[0]["toObjectId"])
        return first

    def _history(self, spec: ObjectSpec, plan: FieldPlan, ids: list[str]) -> dict[str, Any]:
        """Record id -> property -> value -> the text of the earliest time it took the value."""
        out: dict[str, Any] = {}
        for at in range(0, len(ids), _HISTORY_BATCH):
            body = {
                "inputs": [{"id": i} for i in ids[at : at + _HISTORY_BATCH]],
                "properties": [],
                "propertiesWithHistory": plan.history,
            }
            answer = self._call(
                spec,
                "batch",
                "read",
                spec.api_object,
                batch_read_input_simple_public_object_id=body,
            )
            for result in answer.get("results") or []:
                by_prop = out.setdefault(str(result.get("id")), {})
                for prop, changes in (result.get("propertiesWithHistory") or {}).items():
                    by_prop[prop] = earliest(changes)
        return out

    def _owner(self, spec: ObjectSpec, owner_id: str | None) -> Json | None:
        if not owner_id:
            return None
        if self._owners is None:
            self._owners = self._read_owners(spec, archived=False)
        if owner_id not in self._owners and not self._archived_owners_read:
            self._archived_owners_read = True  # a deactivated user still owns records
            self._owners = {**self._read_owners(spec, archived=True), **self._owners}
        return self._owners.get(owner_id)

    def _read_owners(self, spec: ObjectSpec, *, archived: bool) -> dict[str, Json]:
        owners: dict[str, Json] = {}
        after: str | None = None
        while True:
            answer = self._call(
                spec, "owners", "get_page", limit=500, after=after, archived=archived
            )
            owners.update({str(o.get("id")): o for o in answer.get("results") or []})
            after = ((answer.get("paging") or {}).get("next") or {}).get("after")
            if after is None:
                return owners

    def _archived(self, spec: ObjectSpec, since: dt.datetime) -> list[str]:
        """Ids of the records archived at or after ``since`` (the archived list, paged)."""
        limit = epoch_ms(since)
        deleted: list[str] = []
        after: str | None = None
        while True:
            answer = self._call(
                spec,
                "basic",
                "get_page",
                spec.api_object,
                limit=100,
                after=after,
                archived=True,
                properties=["hs_object_id"],
            )
            for result in answer.get("results") or []:
                stamp = to_ms(result.get("archivedAt"))
                if stamp is None or stamp >= limit:
                    deleted.append(str(result.get("id")))
            after = ((answer.get("paging") or {}).get("next") or {}).get("after")
            if after is None:
                return deleted
