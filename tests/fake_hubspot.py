"""A fake HubSpot API on a real HTTP server (pytest-httpserver, 127.0.0.1) for sync tests.

:class:`FakeHubSpot` serves the documented JSON shapes of the endpoints the HubSpot fetcher
calls, from an in-memory dataset: CRM v3 search (filters, sorts, ``limit``, ``after`` and the
search limit: 400 once ``after`` reaches it), the basic list (``archived=true``), batch read
with ``propertiesWithHistory``, v4 associations batch read, owners, properties and the OAuth
token endpoint. Faults: :meth:`FakeHubSpot.fail_next` (429/5xx with ``Retry-After``),
:meth:`FakeHubSpot.expire_token`, :meth:`FakeHubSpot.missing_scope`. Every request served is
kept in :attr:`FakeHubSpot.requests`.

Searches are indexed: records sorted by (modification time, id) and by id, rebuilt lazily after
changes, so a page costs O(log n + limit) whatever the dataset's size (the benchmark serves
100,000 contacts). Filters other than the sort property's are checked record by record.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import json
import re
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

__all__ = ["FakeHubSpot", "Served", "contact_properties", "deal_properties", "iso"]

Json = dict[str, Any]
_STAGES = ("lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer")
_COMMON = ("hs_object_id", "hs_createdate", "hs_lastmodifieddate", "hubspot_owner_id")
_ENGAGEMENT = (*_COMMON, "hs_timestamp", "hs_body_preview")
PROPERTIES: dict[str, tuple[str, ...]] = {
    "contacts": (
        "hs_object_id",
        "createdate",
        "lastmodifieddate",
        "email",
        "firstname",
        "lastname",
        "company",
        "hs_analytics_source",
        "hs_analytics_source_data_1",
        "hubspotscore",
        "hubspot_owner_id",
        "lifecyclestage",
        "hs_merged_object_ids",
        *(f"hs_lifecyclestage_{s}_date" for s in _STAGES),
    ),
    "companies": (*_COMMON, "name", "domain", "hs_merged_object_ids"),
    "deals": (
        *_COMMON,
        "createdate",
        "dealname",
        "amount",
        "deal_currency_code",
        "closedate",
        "dealstage",
        "pipeline",
        "hs_merged_object_ids",
    ),
    "calls": (*_ENGAGEMENT, "hs_call_title"),
    "emails": (*_ENGAGEMENT, "hs_email_subject"),
    "meetings": (*_ENGAGEMENT, "hs_meeting_title"),
}
_DATETIMES = {"createdate", "hs_createdate", "lastmodifieddate", "hs_lastmodifieddate"}


def iso(when: dt.datetime | str) -> str:
    """HubSpot's datetime text: ``2026-01-02T03:04:05.678Z`` (UTC, milliseconds)."""
    if isinstance(when, str):
        return when
    utc = when.astimezone(dt.UTC) if when.tzinfo else when.replace(tzinfo=dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _ms(value: Any) -> int:
    text = str(value).strip()
    if text.lstrip("-").isdigit():
        return int(text)
    stamp = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)
    return round(stamp.timestamp() * 1000)


def contact_properties(
    n: int,
    *,
    created: dt.datetime,
    stage: str = "lead",
    source: str = "PAID_SEARCH",
    owner_id: str | None = None,
    **extra: str | None,
) -> dict[str, str | None]:
    """A realistic contact's properties: e-mail, company, source, stage and its date."""
    props: dict[str, str | None] = {
        "email": f"person{n}@example{n % 7}.test",
        "firstname": f"First{n}",
        "lastname": f"Last{n}",
        "company": f"Company {n % 13}",
        "hs_analytics_source": source,
        "hs_analytics_source_data_1": f"campaign-{n % 5}",
        "hubspotscore": str(n % 100),
        "createdate": iso(created),
        "lifecyclestage": stage,
        "hubspot_owner_id": owner_id,
    }
    reached = _STAGES[: _STAGES.index(stage) + 1] if stage in _STAGES else ()
    for i, key in enumerate(reached):
        props[f"hs_lifecyclestage_{key}_date"] = iso(created + dt.timedelta(days=i))
    props.update(extra)
    return props


def deal_properties(
    n: int,
    *,
    created: dt.datetime,
    stage: str = "appointmentscheduled",
    amount: float = 1000.0,
    owner_id: str | None = None,
    **extra: str | None,
) -> dict[str, str | None]:
    """A realistic deal's properties: name, amount, currency, stage, dates."""
    props: dict[str, str | None] = {
        "dealname": f"Deal {n}",
        "amount": f"{amount:.2f}",
        "deal_currency_code": "JPY",
        "createdate": iso(created),
        "dealstage": stage,
        "pipeline": "default",
        "closedate": iso(created + dt.timedelta(days=30)) if stage.startswith("closed") else None,
        "hubspot_owner_id": owner_id,
    }
    props.update(extra)
    return props


@dataclass
class Served:
    """One request the fake answered."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: str
    status: int = 200


@dataclass
class _Record:
    id: int
    props: dict[str, str | None]
    modified: int  # ms
    history: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    archived_at: str | None = None

    def shape(self, names: list[str], modified_prop: str) -> Json:
        props = {n: self.props.get(n) for n in names}
        props["hs_object_id"] = str(self.id)
        out: Json = {
            "id": str(self.id),
            "properties": props,
            "createdAt": self.props.get("createdate") or self.props.get("hs_createdate"),
            "updatedAt": self.props.get(modified_prop),
            "archived": self.archived_at is not None,
        }
        if self.archived_at:
            out["archivedAt"] = self.archived_at
        return out


class _Objects:
    """The records of one object type, with lazily rebuilt sort indexes."""

    def __init__(self, name: str, properties: tuple[str, ...]) -> None:
        self.name = name
        self.modified_prop = "lastmodifieddate" if name == "contacts" else "hs_lastmodifieddate"
        self.properties = list(dict.fromkeys([*properties, self.modified_prop, "hs_object_id"]))
        self.live: dict[int, _Record] = {}
        self.archived: dict[int, _Record] = {}
        self._by_time: list[tuple[int, int]] | None = None
        self._by_id: list[int] | None = None

    def changed(self) -> None:
        self._by_time = self._by_id = None

    def by_time(self) -> list[tuple[int, int]]:
        if self._by_time is None:
            self._by_time = sorted((r.modified, r.id) for r in self.live.values())
        return self._by_time

    def by_id(self) -> list[int]:
        if self._by_id is None:
            self._by_id = sorted(self.live)
        return self._by_id


def _error(status: int, message: str, category: str, **extra: Any) -> Response:
    body = {
        "status": "error",
        "message": message,
        "correlationId": secrets.token_hex(8),
        "category": category,
        **extra,
    }
    return Response(json.dumps(body), status=status, content_type="application/json")


def _ok(body: Json, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


class FakeHubSpot:
    """A HubSpot portal behind ``server`` (its URL is :attr:`base_url`).

    Parameters
    ----------
    server
        A running ``pytest_httpserver.HTTPServer``.
    token
        The access token the fake accepts.
    refresh_token, client_id, client_secret
        What the OAuth refresh endpoint accepts.
    search_limit
        The results one search query may page through (HubSpot: 10,000).
    """

    def __init__(
        self,
        server: HTTPServer,
        *,
        token: str = "pat-na1-fake-0000-token",
        refresh_token: str = "refresh-fake-0000",
        client_id: str = "client-id-fake",
        client_secret: str = "client-secret-fake",
        search_limit: int = 10_000,
    ) -> None:
        self.server, self.token, self.search_limit = server, token, search_limit
        self.refresh_token, self.client_id, self.client_secret = (
            refresh_token,
            client_id,
            client_secret,
        )
        self.objects = {name: _Objects(name, props) for name, props in PROPERTIES.items()}
        self.owners: list[Json] = []
        self.archived_owners: list[Json] = []
        self.links: dict[tuple[str, str], dict[str, list[str]]] = {}
        self.requests: list[Served] = []
        self.issued_tokens: list[str] = []
        self._ids = itertools.count(1001)
        self._faults: list[tuple[int, str | None]] = []
        self._expired = False
        self._no_scope: set[str] = set()
        server.expect_request(re.compile(r"^/.*$")).respond_with_handler(self._handle)

    @property
    def base_url(self) -> str:
        """The fake's base URL (``http://127.0.0.1:PORT``), for ``HUBSPOT_API_BASE``."""
        return self.server.url_for("/").rstrip("/")

    # -- the dataset ----------------------------------------------------------------------
    def add(
        self,
        object_type: str,
        properties: dict[str, str | None],
        *,
        modified: dt.datetime | str,
        history: dict[str, list[tuple[str, Any]]] | None = None,
        record_id: int | None = None,
    ) -> str:
        """Add a record (its id is returned as text); ``history``: prop -> [(value, when)]."""
        objects = self.objects[object_type]
        rid = record_id if record_id is not None else next(self._ids)
        props = dict(properties)
        props[objects.modified_prop] = iso(modified)
        props.setdefault(
            "hs_createdate" if object_type != "contacts" else "createdate", iso(modified)
        )
        record = _Record(rid, props, _ms(props[objects.modified_prop]))
        for prop, changes in (history or {}).items():
            record.history[prop] = [(str(v), iso(w)) for v, w in changes]
        objects.live[rid] = record
        objects.changed()
        return str(rid)

    def add_contact(self, properties: dict[str, str | None], **kw: Any) -> str:
        """Add a contact (see :meth:`add`)."""
        return self.add("contacts", properties, **kw)

    def add_deal(self, properties: dict[str, str | None], **kw: Any) -> str:
        """Add a deal (see :meth:`add`)."""
        return self.add("deals", properties, **kw)

    def add_call(self, properties: dict[str, str | None], **kw: Any) -> str:
        """Add a call (see :meth:`add`)."""
        return self.add("calls", properties, **kw)

    def add_email(self, properties: dict[str, str | None], **kw: Any) -> str:
        """Add an e-mail engagement (see :meth:`add`)."""
        return self.add("emails", properties, **kw)

    def add_meeting(self, properties: dict[str, str | None], **kw: Any) -> str:
        """Add a meeting (see :meth:`add`)."""
        return self.add("meetings", properties, **kw)

    def update(
        self,
        object_type: str,
        record_id: str,
        *,
        modified: dt.datetime | str,
        **properties: str | None,
    ) -> None:
        """Change a record's properties and its modification time."""
        objects = self.objects[object_type]
        record = objects.live[int(record_id)]
        record.props.update(properties)
        record.props[objects.modified_prop] = iso(modified)
        record.modified = _ms(iso(modified))
        objects.changed()

    def add_property(self, object_type: str, name: str) -> None:
        """Define a (custom) property on an object, e.g. ``mql_date__c``."""
        self.objects[object_type].properties.append(name)

    def add_owner(
        self,
        owner_id: str,
        first: str,
        last: str,
        *,
        teams: list[tuple[str, bool]] = (),
        archived: bool = False,
    ) -> None:  # type: ignore[assignment]
        """An owner (user) with teams ``[(name, primary)]``."""
        owner = {
            "id": owner_id,
            "email": f"owner{owner_id}@example.test",
            "firstName": first,
            "lastName": last,
            "userId": int(owner_id),
            "archived": archived,
            "teams": [
                {"id": str(100 + i), "name": n, "primary": p} for i, (n, p) in enumerate(teams)
            ],
        }
        (self.archived_owners if archived else self.owners).append(owner)

    def associate(self, from_type: str, from_id: str, to_type: str, to_id: str) -> None:
        """Associate two records (both directions, in the order added)."""
        self.links.setdefault((from_type, to_type), {}).setdefault(from_id, []).append(to_id)
        self.links.setdefault((to_type, from_type), {}).setdefault(to_id, []).append(from_id)

    def archive(self, object_type: str, record_id: str, *, at: dt.datetime | str) -> None:
        """Archive (delete) a record: gone from search, listed with ``archived=true``."""
        objects = self.objects[object_type]
        record = objects.live.pop(int(record_id))
        record.archived_at = iso(at)
        objects.archived[record.id] = record
        objects.changed()

    def merge(self, object_type: str, survivor: str, merged: str, *, at: dt.datetime | str) -> None:
        """Merge ``merged`` into ``survivor``: the survivor lists it in hs_merged_object_ids."""
        objects = self.objects[object_type]
        objects.live.pop(int(merged))
        record = objects.live[int(survivor)]
        old = [i for i in (record.props.get("hs_merged_object_ids") or "").split(";") if i]
        record.props["hs_merged_object_ids"] = ";".join([*old, merged])
        record.props[objects.modified_prop] = iso(at)
        record.modified = _ms(iso(at))
        objects.changed()

    # -- faults ---------------------------------------------------------------------------
    def fail_next(self, n: int, *, status: int = 429, retry_after: str | None = "0") -> None:
        """Answer the next ``n`` requests with ``status`` (and ``Retry-After``, if given)."""
        self._faults += [(status, retry_after)] * n

    def expire_token(self) -> None:
        """Answer 401 until the token is refreshed with the right refresh token."""
        self._expired = True

    def missing_scope(self, object_type: str) -> None:
        """Answer 403 MISSING_SCOPES to every call on ``object_type`` (or ``owners``)."""
        self._no_scope.add(object_type)

    def count(self, path_part: str, method: str | None = None) -> int:
        """How many requests were served whose path holds ``path_part``."""
        return sum(path_part in r.path and method in (None, r.method) for r in self.requests)

    # -- serving --------------------------------------------------------------------------
    def _handle(self, request: Request) -> Response:
        served = Served(
            request.method,
            request.path,
            request.query_string.decode(),
            dict(request.headers),
            request.get_data(as_text=True),
        )
        self.requests.append(served)
        response = self._answer(request, served)
        served.status = response.status_code
        return response

    def _answer(self, request: Request, served: Served) -> Response:
        if self._faults:
            status, retry_after = self._faults.pop(0)
            response = _error(
                status,
                "You have reached your secondly limit." if status == 429 else "internal error",
                "RATE_LIMITS" if status == 429 else "ERROR",
            )
            if retry_after is not None:
                response.headers["Retry-After"] = retry_after
            return response
        path = request.path
        if path == "/oauth/v1/token":
            return self._token(request)
        refused = self._auth(request)
        if refused is not None:
            return refused
        for pattern, method, handler in self._routes():
            found = re.fullmatch(pattern, path)
            if found and request.method == method:
                object_type = found.groupdict().get("object")
                if object_type is not None:
                    if object_type in self._no_scope:
                        return self._scope_error(object_type)
                    if object_type not in self.objects:
                        return _error(
                            404,
                            f"Unable to infer object type from: {object_type}",
                            "OBJECT_NOT_FOUND",
                        )
                body = json.loads(served.body) if served.body else {}
                return handler(request, body, **found.groupdict())  # type: ignore[no-any-return]
        return _error(404, f"no route {request.method} {path}", "NOT_FOUND")

    def _routes(self) -> list[tuple[str, str, Any]]:
        return [
            (r"/crm/v3/objects/(?P<object>\w+)/search", "POST", self._search),
            (r"/crm/v3/objects/(?P<object>\w+)/batch/read", "POST", self._batch_read),
            (r"/crm/v3/objects/(?P<object>\w+)", "GET", self._list),
            (
                r"/crm/v4/associations/(?P<object>\w+)/(?P<to>\w+)/batch/read",
                "POST",
                self._associations,
            ),
            (r"/crm/v3/properties/(?P<object>\w+)", "GET", self._properties),
            (r"/crm/v3/owners/?", "GET", self._owners),
        ]

    def _auth(self, request: Request) -> Response | None:
        header = request.headers.get("Authorization", "")
        if self._expired and header == f"Bearer {self.token}":
            return _error(
                401,
                "The OAuth token used to make this call expired 2 minute(s) ago.",
                "EXPIRED_AUTHENTICATION",
            )
        if header != f"Bearer {self.token}":
            return _error(401, "Authentication credentials not found.", "INVALID_AUTHENTICATION")
        if "owners" in self._no_scope and request.path.startswith("/crm/v3/owners"):
            return self._scope_error("owners")
        return None

    def _scope_error(self, object_type: str) -> Response:
        scope = f"crm.objects.{object_type}.read"
        return _error(
            403,
            "This app hasn't been granted all required scopes to make this call.",
            "MISSING_SCOPES",
            errors=[
                {
                    "message": "One or more of the following scopes are required.",
                    "context": {"requiredGranularScopes": [scope]},
                }
            ],
        )

    def _token(self, request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs(request.get_data(as_text=True)).items()}
        wanted = {
            "grant_type": "refresh_token",
            "refresh_token": self.refresh_token,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
        }
        if any(form.get(k) != v for k, v in wanted.items()):
            return _error(400, "missing or unknown refresh token", "BAD_REFRESH_TOKEN")
        self.token, self._expired = f"oauth-{secrets.token_hex(12)}", False
        self.issued_tokens.append(self.token)
        return _ok(
            {
                "token_type": "bearer",
                "refresh_token": self.refresh_token,
                "access_token": self.token,
                "expires_in": 1800,
            }
        )

    # -- endpoints ------------------------------------------------------------------------
    def _search(self, request: Request, body: Json, object: str) -> Response:
        objects = self.objects[object]
        limit, after = int(body.get("limit") or 10), int(body.get("after") or 0)
        if limit > 200:
            return _error(400, f"limit {limit} is above the maximum of 200", "VALIDATION_ERROR")
        if after >= self.search_limit:
            return _error(
                400,
                f"Paging beyond {self.search_limit} results is not supported for search.",
                "VALIDATION_ERROR",
            )
        groups = [g.get("filters") or [] for g in body.get("filterGroups") or []]
        sorts = body.get("sorts") or [{"propertyName": "hs_object_id"}]
        sort, desc = sorts[0]["propertyName"], sorts[0].get("direction") == "DESCENDING"
        used = [f["propertyName"] for g in groups for f in g] + [sort]
        unknown = [p for p in used if p not in objects.properties]
        if unknown:
            return _error(
                400,
                f'Property "{unknown[0]}" does not exist',
                "VALIDATION_ERROR",
                errors=[
                    {
                        "message": f'Property "{unknown[0]}" does not exist',
                        "code": "PROPERTY_DOESNT_EXIST",
                        "context": {"propertyName": [unknown[0]]},
                    }
                ],
            )
        ids, rest = self._candidates(objects, groups, sort)
        if desc:
            ids = ids[::-1]
        if rest is None:
            total, chosen = len(ids), ids[after : after + limit]
        else:
            matching = [
                i
                for i in ids
                if any(all(self._matches(objects, objects.live[i], f) for f in g) for g in rest)
            ]
            total, chosen = len(matching), matching[after : after + limit]
        names = [p for p in body.get("properties") or [] if p in objects.properties] or [
            p for p in objects.properties if p in _DATETIMES
        ]
        answer: Json = {
            "total": total,
            "results": [objects.live[i].shape(names, objects.modified_prop) for i in chosen],
        }
        if after + limit < total:
            answer["paging"] = {"next": {"after": str(after + limit)}}
        return _ok(answer)

    def _candidates(
        self, objects: _Objects, groups: list[list[Json]], sort: str
    ) -> tuple[list[int], list[list[Json]] | None]:
        """Ids in sort order narrowed by an index, and the filters still to check (or None)."""
        if sort not in (objects.modified_prop, "hs_object_id"):
            key = lambda i: str(objects.live[i].props.get(sort) or "")  # noqa: E731
            return sorted(objects.live, key=key), groups or None
        by_time = sort == objects.modified_prop
        index: list[Any] = objects.by_time() if by_time else objects.by_id()
        lo, hi = 0, len(index)
        left = []
        for f in groups[0] if len(groups) == 1 else []:
            if f["propertyName"] != sort or f["operator"] not in ("GTE", "GT", "LTE", "LT", "EQ"):
                left.append(f)
                continue
            v = _ms(f["value"]) if by_time else int(f["value"])
            start, stop = ((v,), (v + 1,)) if by_time else (v, v + 1)
            if f["operator"] in ("GTE", "EQ"):
                lo = max(lo, bisect.bisect_left(index, start))
            if f["operator"] == "GT":
                lo = max(lo, bisect.bisect_left(index, stop))
            if f["operator"] in ("LTE", "EQ"):
                hi = min(hi, bisect.bisect_left(index, stop))
            if f["operator"] == "LT":
                hi = min(hi, bisect.bisect_left(index, start))
        window = index[lo:hi] if lo < hi else []
        ids = [k[1] for k in window] if by_time else list(window)
        if len(groups) > 1:
            return ids, groups
        return ids, ([left] if left else None)

    @staticmethod
    def _matches(objects: _Objects, record: _Record, f: Json) -> bool:
        prop, op = f["propertyName"], f["operator"]
        value = str(record.id) if prop == "hs_object_id" else record.props.get(prop)
        if op in ("HAS_PROPERTY", "NOT_HAS_PROPERTY"):
            return (value not in (None, "")) == (op == "HAS_PROPERTY")
        if value is None:
            return op == "NEQ"
        if op == "IN":
            return str(value) in [str(v) for v in f.get("values") or []]
        target: Any = f.get("value")
        a: Any
        if prop in _DATETIMES or prop == objects.modified_prop:
            a, target = _ms(value), _ms(target)
        else:
            try:
                a, target = float(value), float(target)
            except (TypeError, ValueError):
                a, target = str(value), str(target)
        return {
            "EQ": a == target,
            "NEQ": a != target,
            "GT": a > target,
            "GTE": a >= target,
            "LT": a < target,
            "LTE": a <= target,
        }.get(op, False)

    def _batch_read(self, request: Request, body: Json, object: str) -> Response:
        objects = self.objects[object]
        inputs = [str(i.get("id")) for i in body.get("inputs") or []]
        if len(inputs) > 100:
            return _error(400, "Batch input is limited to 100 ids", "VALIDATION_ERROR")
        names = [p for p in body.get("properties") or [] if p in objects.properties]
        history = [p for p in body.get("propertiesWithHistory") or [] if p in objects.properties]
        results, errors = [], []
        for rid in inputs:
            record = objects.live.get(int(rid)) if rid.isdigit() else None
            if record is None:
                errors.append(
                    {
                        "status": "error",
                        "category": "OBJECT_NOT_FOUND",
                        "message": "Could not get some objects, they may be deleted or not exist.",
                        "context": {"ids": [rid]},
                    }
                )
                continue
            shaped = record.shape(names, objects.modified_prop)
            shaped["propertiesWithHistory"] = {
                p: self._history(objects, record, p) for p in history
            }
            results.append(shaped)
        answer = {"status": "COMPLETE", "results": results, "errors": errors}
        return _ok(answer, 207 if errors else 200)

    @staticmethod
    def _history(objects: _Objects, record: _Record, prop: str) -> list[Json]:
        changes = record.history.get(prop)
        if changes is None and record.props.get(prop):
            changes = [(str(record.props[prop]), str(record.props[objects.modified_prop]))]
        ordered = sorted(changes or [], key=lambda c: _ms(c[1]), reverse=True)  # newest first
        return [
            {"value": v, "timestamp": t, "sourceType": "CRM_UI", "sourceId": None}
            for v, t in ordered
        ]

    @staticmethod
    def _properties_asked(request: Request) -> list[str]:
        return [p for raw in request.args.getlist("properties") for p in raw.split(",") if p]

    def _list(self, request: Request, body: Json, object: str) -> Response:
        objects = self.objects[object]
        archived = request.args.get("archived", "false").lower() == "true"
        pool = objects.archived if archived else objects.live
        limit, after = int(request.args.get("limit", 10)), int(request.args.get("after", 0))
        if limit > 100:
            return _error(400, f"limit {limit} is above the maximum of 100", "VALIDATION_ERROR")
        ids = sorted(pool)
        names = [p for p in self._properties_asked(request) if p in objects.properties]
        answer: Json = {
            "results": [
                pool[i].shape(names, objects.modified_prop) for i in ids[after : after + limit]
            ]
        }
        if after + limit < len(ids):
            answer["paging"] = {"next": {"after": str(after + limit), "link": "?after="}}
        return _ok(answer)

    def _associations(self, request: Request, body: Json, object: str, to: str) -> Response:
        links = self.links.get((object, to), {})
        results, errors = [], []
        for entry in body.get("inputs") or []:
            rid = str(entry.get("id"))
            if links.get(rid):
                results.append(
                    {
                        "from": {"id": rid},
                        "to": [
                            {
                                "toObjectId": int(t),
                                "associationTypes": [
                                    {"category": "HUBSPOT_DEFINED", "typeId": 3, "label": None}
                                ],
                            }
                            for t in links[rid]
                        ],
                    }
                )
            else:
                errors.append(
                    {
                        "status": "error",
                        "category": "NO_ASSOCIATIONS_FOUND",
                        "message": f"No {to} is associated with {object} {rid}.",
                        "context": {"fromObjectId": [rid]},
                    }
                )
        answer = {"status": "COMPLETE", "results": results, "errors": errors}
        return _ok(answer, 207 if errors else 200)

    def _properties(self, request: Request, body: Json, object: str) -> Response:
        kinds = {
            p: "datetime" if p in _DATETIMES or p.endswith("_date") else "string"
            for p in self.objects[object].properties
        }
        return _ok(
            {
                "results": [
                    {
                        "name": p,
                        "label": p.replace("_", " ").title(),
                        "type": kind,
                        "fieldType": "text",
                        "groupName": f"{object}information",
                        "hidden": False,
                        "calculated": False,
                    }
                    for p, kind in kinds.items()
                ]
            }
        )

    def _owners(self, request: Request, body: Json) -> Response:
        archived = request.args.get("archived", "false").lower() == "true"
        pool = self.archived_owners if archived else self.owners
        limit, after = int(request.args.get("limit", 100)), int(request.args.get("after", 0))
        answer: Json = {"results": pool[after : after + limit]}
        if after + limit < len(pool):
            answer["paging"] = {"next": {"after": str(after + limit)}}
        return _ok(answer)
