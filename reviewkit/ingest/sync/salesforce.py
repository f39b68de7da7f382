"""The Salesforce fetcher: SOQL ``queryAll`` by ``SystemModstamp``, tombstones, merges, history.

An incremental read asks ``queryAll`` for the records of an object whose ``SystemModstamp`` is at
or after the cursor, oldest first, one :class:`~.pages.Page` per API page (``nextRecordsUrl``).
Rows with ``IsDeleted = true`` are tombstones: deleted ids, or, when they carry a
``MasterRecordId`` (Lead, Contact, Account), merged-away ids. Inside Salesforce's 15-day window
``sobjects/<Object>/deleted`` adds the records already purged from the recycle bin. A full read
uses ``query`` (no deleted rows). Objects with ``history:`` get ``<field>.entered.<value>``: the
first time the field took the value (``OpportunityHistory`` for ``StageName``, else the object's
field history). Relationship fields are flattened (``Owner.Name``); values are text.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import requests

from reviewkit.errors import SyncConfigError
from reviewkit.ingest.sync.pages import ObjectSpec, Page
from reviewkit.ingest.sync.retry import RetryPolicy
from reviewkit.ingest.sync.salesforce_client import SalesforceClient
from reviewkit.ingest.sync.spec import SyncSource

__all__ = ["SalesforceFetcher", "build_soql", "flatten", "soql_literal"]

#: Objects whose merges leave the losers as tombstones with a ``MasterRecordId``.
MERGEABLE = frozenset({"Lead", "Contact", "Account"})
#: Record ids per ``IN (...)`` list of a history query (keeps the URL short).
ID_CHUNK = 200
_ENTERED = ".entered."


def soql_literal(value: str) -> str:
    """``value`` as a quoted SOQL string literal.

    Parameters
    ----------
    value
        Any text (a record id, a field name).

    Returns
    -------
    str
        ``'value'`` with backslashes and single quotes escaped.
    """
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _soql_time(moment: dt.datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def flatten(record: dict[str, Any], prefix: str = "") -> dict[str, str | None]:
    """A record of the REST API as ``{field: text}``: relationships become ``Owner.Name``.

    Parameters
    ----------
    record
        One element of a query answer's ``records``.
    prefix
        Prepended to every key (used for nested relationship records).

    Returns
    -------
    dict
        ``attributes`` dropped; booleans as ``"true"``/``"false"``, numbers as their text,
        dates and datetimes as the ISO text Salesforce sends, null as ``None`` (a null
        relationship stays one ``None`` key, e.g. ``Owner``).
    """
    out: dict[str, str | None] = {}
    for key, value in record.items():
        if key == "attributes":
            continue
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = _text(value)
    return out


def _parse_time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class _Plan:
    """What to read of one object: the fields, the derived ``entered`` fields, history."""

    fields: tuple[str, ...]
    entered: tuple[str, ...]
    history: tuple[str, ...]

    @classmethod
    def of(cls, spec: ObjectSpec) -> _Plan:
        fields: dict[str, str] = {"id": "Id"}
        entered: list[str] = []
        history = list(spec.history)
        for name in spec.properties:
            if _ENTERED in name:
                entered.append(name)
                history.append(name.split(_ENTERED, 1)[0])
            else:
                fields.setdefault(name.lower(), name)
        fields.setdefault("systemmodstamp", "SystemModstamp")
        return cls(tuple(fields.values()), tuple(entered), tuple(dict.fromkeys(history)))

    def select(self, spec: ObjectSpec, *, incremental: bool) -> list[str]:
        """The SELECT list: the fields, and the tombstone fields of an incremental read."""
        names = list(self.fields)
        lower = {n.lower() for n in names}
        extra = ["IsDeleted"]
        if spec.api_object in MERGEABLE:
            extra.append("MasterRecordId")
        return names + [e for e in extra if incremental and e.lower() not in lower]


def build_soql(spec: ObjectSpec, fields: list[str], *, since: dt.datetime | None) -> str:
    """``SELECT <fields> FROM <Object> [WHERE ...] ORDER BY SystemModstamp ASC``.

    Parameters
    ----------
    spec
        The object (its ``api_object`` and ``where``).
    fields
        The SELECT list.
    since
        The cursor: ``SystemModstamp >= <since>`` (UTC, whole seconds); ``None``: no bound.

    Returns
    -------
    str
        The SOQL, with ``spec.where`` AND-ed in parentheses.
    """
    conditions = [f"SystemModstamp >= {_soql_time(since)}"] if since is not None else []
    if spec.where:
        conditions.append(f"({spec.where})")
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    return f"SELECT {', '.join(fields)} FROM {spec.api_object}{where} ORDER BY SystemModstamp ASC"


def _history_sources(obj: str, fields: tuple[str, ...]) -> list[tuple[str, str, list[str]]]:
    """``(history object, parent id field, tracked fields)`` for each history object to read."""
    if obj.endswith("__c"):
        return [(f"{obj[:-3]}__History", "ParentId", list(fields))]
    rest = [f for f in fields if not (obj == "Opportunity" and f.lower() == "stagename")]
    sources = (
        [("OpportunityHistory", "OpportunityId", ["StageName"])] if len(rest) < len(fields) else []
    )
    if rest:
        name = "OpportunityFieldHistory" if obj == "Opportunity" else f"{obj}History"
        sources.append((name, f"{obj}Id", rest))
    return sources


class SalesforceFetcher:
    """Reads a Salesforce org for a sync source (see the module text).

    Parameters
    ----------
    source
        The sync source (``api: salesforce``).
    policy
        Retries of rate limits and server errors (default: :class:`~.retry.RetryPolicy`).
    session
        The ``requests`` session to use (tests pass one that a fake serves).
    clock
        The current time (UTC), for the deleted-records window; default: the system clock.
    """

    api = "salesforce"
    deleted_lookback: dt.timedelta | None = dt.timedelta(days=15)

    def __init__(
        self,
        source: SyncSource,
        *,
        policy: RetryPolicy | None = None,
        session: requests.Session | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.source = source
        self.client = SalesforceClient(source.name, policy=policy, session=session)
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))

    # -- check -------------------------------------------------------------------------------

    def check(self, specs: list[ObjectSpec]) -> None:
        """Describe each object (and history object) once; fail on what it does not have.

        Raises
        ------
        SyncConfigError
            A credential or permission is refused, an object is unknown, or a field of the
            profile (or its ``history:``) is missing from the object's describe.
        """
        described: dict[str, tuple[set[str], set[str]]] = {}
        histories: set[str] = set()
        for spec in specs:
            obj = spec.api_object
            if obj not in described:
                fields = self.client.describe(obj).get("fields") or []
                described[obj] = (
                    {str(f.get("name", "")).lower() for f in fields},
                    {str(f.get("relationshipName") or "").lower() for f in fields} - {""},
                )
            names, relations = described[obj]
            for prop in [*spec.properties, *spec.history]:
                self._check_field(spec, prop, names, relations)
            for history_obj, _, _ in _history_sources(obj, _Plan.of(spec).history):
                if history_obj not in histories:
                    self.client.describe(history_obj)
                    histories.add(history_obj)
            if spec.where:  # a wrong condition fails here, before anything is written
                self.client.query(f"SELECT Id FROM {obj} WHERE ({spec.where}) LIMIT 1", obj=obj)

    def _check_field(
        self, spec: ObjectSpec, prop: str, names: set[str], relations: set[str]
    ) -> None:
        base = prop.split(_ENTERED, 1)[0]
        head = base.split(".", 1)[0]
        if ("." in base and head.lower() in relations) or base.lower() in names:
            return
        what = f"relationship {head!r} (of {prop!r})" if "." in base else f"field {base!r}"
        raise SyncConfigError(
            f"{self.source.name}: object {spec.name} ({spec.api_object}): {what} is not in "
            "the object's describe (missing, or not visible to the sync user); add the field "
            f"or change params/sources/sync/{self.source.name}.yml"
        )

    # -- changes -----------------------------------------------------------------------------

    def changes(self, spec: ObjectSpec, *, since: dt.datetime | None) -> Iterator[Page]:
        """Pages of the records of ``spec`` modified at or after ``since`` (``None``: all).

        Parameters
        ----------
        spec
            The object to read.
        since
            The cursor (UTC); ``None`` for a full read (``query``: no deleted rows).

        Yields
        ------
        Page
            One per API page, then (incremental reads inside the 15-day window) one with the
            ids ``deleted()`` lists that the pages did not.
        """
        plan = _Plan.of(spec)
        incremental = since is not None
        obj = spec.api_object
        soql = build_soql(spec, plan.select(spec, incremental=incremental), since=since)
        answer = self.client.query(soql, obj=obj, include_deleted=incremental)
        cursor: dt.datetime | None = None
        gone: set[str] = set()
        while True:
            page = self._page(spec, plan, answer.get("records") or [], cursor)
            cursor = page.cursor
            gone.update(page.deleted)
            gone.update(page.merged)
            yield page
            next_url = answer.get("nextRecordsUrl")
            if answer.get("done", True) or not next_url:
                break
            answer = self.client.query_more(str(next_url), obj=obj)
        if since is not None:
            extra = [i for i in self._deleted_since(obj, since) if i not in gone]
            if extra:
                yield Page(deleted=extra, cursor=cursor)

    def _deleted_since(self, obj: str, since: dt.datetime) -> list[str]:
        """Ids ``deleted()`` lists since ``since``; none when that is past the 15-day window.

        The engine re-reads ``overlap_minutes`` before its cursor, so a ``since`` up to that
        much (and a few minutes) past the window is read from the window's start: the
        deletes before the cursor were seen by the sync that set it.
        """
        lookback = self.deleted_lookback
        if lookback is None:
            return []
        now = self._clock()
        slack = dt.timedelta(minutes=self.source.overlap_minutes + 5)
        if now - since > lookback + slack:
            return []
        start = max(since, now - lookback + dt.timedelta(minutes=5))
        start = min(start, now - dt.timedelta(minutes=1))
        return list(dict.fromkeys(self.client.deleted(obj, start, now)))

    def _page(
        self,
        spec: ObjectSpec,
        plan: _Plan,
        records: list[dict[str, Any]],
        cursor: dt.datetime | None,
    ) -> Page:
        page = Page(cursor=cursor)
        for record in records:
            flat = {k.lower(): v for k, v in flatten(record).items()}
            stamp = _parse_time(flat.get("systemmodstamp"))
            if stamp is not None and (page.cursor is None or stamp > page.cursor):
                page.cursor = stamp
            record_id = flat.get("id")
            if record_id is None:
                continue
            if flat.get("isdeleted") == "true":
                master = flat.get("masterrecordid")
                if master and spec.api_object in MERGEABLE:
                    page.merged[record_id] = master
                else:
                    page.deleted.append(record_id)
                continue
            page.rows.append({name: flat.get(name.lower()) for name in plan.fields})
        if plan.history and page.rows:
            self._add_history(spec, plan, page.rows)
        return page

    # -- history -----------------------------------------------------------------------------

    def _add_history(
        self, spec: ObjectSpec, plan: _Plan, rows: list[dict[str, str | None]]
    ) -> None:
        """Add ``<field>.entered.<value>`` (the earliest change to the value) to ``rows``."""
        ids = [r["Id"] for r in rows if r.get("Id")]
        first: dict[str, dict[str, tuple[dt.datetime, str]]] = {}
        for history_obj, parent, fields in _history_sources(spec.api_object, plan.history):
            stage_history = history_obj == "OpportunityHistory"
            for chunk in _chunks([i for i in ids if i], ID_CHUNK):
                listed = ", ".join(soql_literal(i) for i in chunk)
                if stage_history:
                    select, field_filter = f"{parent}, StageName, CreatedDate", ""
                else:
                    tracked = ", ".join(soql_literal(f) for f in fields)
                    select = f"{parent}, Field, NewValue, CreatedDate"
                    field_filter = f" AND Field IN ({tracked})"
                soql = (
                    f"SELECT {select} FROM {history_obj} WHERE {parent} IN ({listed}){field_filter}"
                )
                for record in self._query_all(soql, obj=history_obj):
                    flat = flatten(record)
                    field = "StageName" if stage_history else flat.get("Field")
                    value = flat.get("StageName" if stage_history else "NewValue")
                    created = flat.get("CreatedDate")
                    when = _parse_time(created)
                    owner = flat.get(parent)
                    if not (owner and field and value is not None and when and created):
                        continue
                    key = f"{_matching(field, fields)}{_ENTERED}{value}"
                    seen = first.setdefault(owner, {})
                    if key not in seen or when < seen[key][0]:
                        seen[key] = (when, created)
        for row in rows:
            row.update(dict.fromkeys(plan.entered))
            row.update({k: text for k, (_, text) in first.get(row["Id"] or "", {}).items()})

    def _query_all(self, soql: str, *, obj: str) -> Iterator[dict[str, Any]]:
        answer = self.client.query(soql, obj=obj)
        while True:
            yield from answer.get("records") or []
            next_url = answer.get("nextRecordsUrl")
            if answer.get("done", True) or not next_url:
                return
            answer = self.client.query_more(str(next_url), obj=obj)


def _matching(field: str, fields: list[str]) -> str:
    """The profile's spelling of a history ``Field`` (SOQL names are case-insensitive)."""
    return next((f for f in fields if f.lower() == field.lower()), field)
