"""A fake Salesforce REST API at the ``requests`` layer (``responses``), for sync tests.

simple-salesforce insists on https, so the fake answers ``https://fake.my.salesforce.com``
(``/services/data/vXX.X/query``, ``queryAll``, ``nextRecordsUrl`` pages,
``sobjects/<Object>/describe`` and ``sobjects/<Object>/deleted/``) and
``https://login.salesforce.com/services/oauth2/token`` from an in-memory dataset, in the JSON
shapes Salesforce documents. It understands exactly the SOQL the fetcher sends: a field list,
one object, ``AND``-ed conditions (``>=``, ``=``, ``IN (...)``, parenthesised groups) and
``ORDER BY``. Faults: :meth:`FakeSalesforce.fail_next`, :meth:`~FakeSalesforce.expire_session`,
:meth:`~FakeSalesforce.deny`. Every request served is recorded in ``served`` (and each SOQL in
``queries``).

Usage::

    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        fake = FakeSalesforce(rsps)
        fake.add("Lead", {"Id": "00Q1", "Email": "a@x.test", "SystemModstamp": "..."})
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections import defaultdict
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
import responses

INSTANCE_URL = "https://fake.my.salesforce.com"
LOGIN_URL = "https://login.salesforce.com"
_DATA = re.compile(r"https://fake\.my\.salesforce\.com/services/data/v(\d+\.\d+)/(.*)")
_SOQL = re.compile(
    r"^SELECT (?P<fields>.+?) FROM (?P<obj>\w+)(?: WHERE (?P<where>.+?))?"
    r"(?: ORDER BY (?P<order>\w+)(?: (?P<dir>ASC|DESC))?)?(?: LIMIT (?P<limit>\d+))?$",
    re.S | re.I,
)
_COND = re.compile(r"^([\w.]+)\s*(>=|<=|!=|=|>|<|\s+IN\s+)\s*(.+)$", re.S | re.I)
_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)$")
_STANDARD = {"Id", "IsDeleted", "SystemModstamp", "CreatedDate"}
_MERGEABLE = {"Lead", "Contact", "Account"}
_KNOWN = {"OpportunityHistory": ["Id", "OpportunityId", "StageName", "CreatedDate"]}
_CODES = {503: "SERVER_UNAVAILABLE", 429: "REQUEST_LIMIT_EXCEEDED", 403: "REQUEST_LIMIT_EXCEEDED"}


def sf_time(moment: dt.datetime | str) -> str:
    """A time as Salesforce writes it: ``2026-01-05T10:00:00.000+0000``."""
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def _as_time(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _split(text: str, sep: str) -> list[str]:
    """``text`` split on ``sep`` outside quotes and parentheses (``sep`` case-insensitive)."""
    parts, depth, quoted, start, i = [], 0, False, 0, 0
    while i < len(text):
        char = text[i]
        if char == "\\" and quoted:
            i += 2
            continue
        if char == "'":
            quoted = not quoted
        elif not quoted and char in "()":
            depth += 1 if char == "(" else -1
        elif not quoted and depth == 0 and text[i : i + len(sep)].upper() == sep.upper():
            parts.append(text[start:i])
            start = i = i + len(sep)
            continue
        i += 1
    return [p.strip() for p in [*parts, text[start:]]]


def _literal(text: str) -> Any:
    text = text.strip()
    if text.startswith("(") and text.endswith(")"):
        return [_literal(p) for p in _split(text[1:-1], ",")]
    if text.startswith("'") and text.endswith("'"):
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    if text.lower() in ("true", "false", "null"):
        return {"true": True, "false": False, "null": None}[text.lower()]
    if _TIME.match(text):
        return _as_time(text)
    return float(text)


def _comparable(value: Any, like: Any) -> Any:
    if isinstance(like, dt.datetime) and isinstance(value, str):
        return _as_time(value)
    if isinstance(like, float) and isinstance(value, int | float | str):
        return float(value)
    return value


class FakeSalesforce:
    """An in-memory Salesforce org served through ``responses`` (see the module text)."""

    def __init__(
        self,
        rsps: responses.RequestsMock,
        *,
        token: str = "fake-access-token-0001",
        refresh_token: str = "fake-refresh-token-0001",
        client_id: str = "fake-client-id-0001",
        client_secret: str = "fake-client-secret-0001",
        page_size: int = 2000,
    ) -> None:
        self.token: str | None = token
        self.refresh_token, self.client_id, self.client_secret = (
            refresh_token,
            client_id,
            client_secret,
        )
        self.page_size = page_size
        self.records: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        self.deleted_log: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.fields: dict[str, list[str]] = {}
        self.denied: set[str] = set()
        self.served: list[tuple[str, str]] = []
        self.queries: list[str] = []
        self.issued: list[str] = []
        self._faults: list[tuple[int, float | None, str]] = []
        self._cursors: dict[str, tuple[str, list[str], list[str]]] = {}
        self._indexes: dict[tuple[str, str], dict[Any, list[str]]] = {}
        self._described: dict[str, list[dict[str, Any]]] = {}
        self.accept_tokens = True
        self._ids = itertools.count(1)
        rsps.add_callback(responses.GET, _DATA, callback=self._serve)
        rsps.add_callback(responses.POST, f"{LOGIN_URL}/services/oauth2/token", self._token)

    # -- the dataset -------------------------------------------------------------------------

    def add(self, obj: str, *records: dict[str, Any]) -> list[str]:
        """Add (or replace) records of ``obj``: field -> value; ``Owner.Name`` for lookups.

        ``Id`` defaults to a generated id, ``SystemModstamp`` to ``CreatedDate``,
        ``IsDeleted`` to false. Returns the ids.
        """
        ids = []
        for given in records:
            record = dict(given)
            record.setdefault("Id", f"{obj[:3]}{next(self._ids):015d}")
            record.setdefault("IsDeleted", False)
            stamp = record.get("SystemModstamp") or record.get("CreatedDate")
            record["SystemModstamp"] = sf_time(stamp or "2026-01-01T00:00:00+00:00")
            self.records[obj][record["Id"]] = record
            ids.append(record["Id"])
        self._forget(obj)
        return ids

    def update(self, obj: str, record_id: str, *, at: dt.datetime | str, **fields: Any) -> None:
        """Change fields of a record; its ``SystemModstamp`` becomes ``at``."""
        self.add(obj, {**self.records[obj][record_id], **fields, "SystemModstamp": at})

    def delete(
        self, obj: str, record_id: str, *, at: dt.datetime | str, purge: bool = False
    ) -> None:
        """Delete a record at ``at``: a tombstone (``IsDeleted``) in queryAll, listed by
        ``deleted()``; ``purge``: emptied from the recycle bin (only ``deleted()`` lists it)."""
        self.deleted_log[obj].append((record_id, sf_time(at)))
        if purge:
            del self.records[obj][record_id]
            self._forget(obj)
        else:
            self.update(obj, record_id, at=at, IsDeleted=True)

    def merge(self, obj: str, loser: str, master: str, *, at: dt.datetime | str) -> None:
        """Merge ``loser`` into ``master``: the loser is deleted with ``MasterRecordId``."""
        self.update(obj, loser, at=at, IsDeleted=True, MasterRecordId=master)
        self.update(obj, master, at=at)
        self.deleted_log[obj].append((loser, sf_time(at)))

    def add_stage_history(
        self, opportunity_id: str, stage: str, created: dt.datetime | str
    ) -> None:
        """An ``OpportunityHistory`` row: the opportunity entered ``stage`` at ``created``."""
        row = {"OpportunityId": opportunity_id, "StageName": stage, "CreatedDate": sf_time(created)}
        self.add("OpportunityHistory", row)

    def add_field_history(
        self, obj: str, parent_id: str, field: str, value: Any, created: dt.datetime | str
    ) -> None:
        """A field-history row (``LeadHistory``, ``OpportunityFieldHistory``, ...)."""
        history = "OpportunityFieldHistory" if obj == "Opportunity" else f"{obj}History"
        row = {f"{obj}Id": parent_id, "Field": field, "NewValue": value}
        self.add(history, {**row, "CreatedDate": sf_time(created)})

    def set_fields(self, obj: str, names: list[str]) -> None:
        """The fields ``describe`` lists for ``obj`` (``Owner.Name``: the lookup ``OwnerId``
        with relationship ``Owner``); default: the standard fields and those of its records."""
        self.fields[obj] = list(names)
        self._forget(obj)

    # -- faults ------------------------------------------------------------------------------

    def fail_next(
        self, n: int, *, status: int = 503, retry_after: float | None = None, code: str = ""
    ) -> None:
        """Answer the next ``n`` API requests (not the token endpoint) with ``status``
        (``0``: drop the connection), ``Retry-After`` and error ``code``."""
        self._faults += [(status, retry_after, code or _CODES.get(status, "UNKNOWN"))] * n

    def expire_session(self) -> None:
        """Refuse the current token (401 INVALID_SESSION_ID) until a refresh issues a new one."""
        self.token = None

    def revoke(self) -> None:
        """Refuse every token, refreshed ones too (a connected app without the api scope)."""
        self.accept_tokens = False

    def deny(self, obj: str) -> None:
        """Refuse every request about ``obj`` with 403 INSUFFICIENT_ACCESS."""
        self.denied.add(obj)

    # -- serving -----------------------------------------------------------------------------

    def _forget(self, obj: str) -> None:
        """Drop the cached indexes and describe of ``obj`` (its data changed)."""
        self._indexes = {k: v for k, v in self._indexes.items() if k[0] != obj}
        self._described.pop(obj, None)

    def _describe_fields(self, obj: str) -> list[dict[str, Any]]:
        if obj not in self._described:
            self._described[obj] = self._describe_uncached(obj)
        return self._described[obj]

    def _describe_uncached(self, obj: str) -> list[dict[str, Any]]:
        names = self.fields.get(obj) or _KNOWN.get(obj)
        if names is None:
            seen = dict.fromkeys(k for r in self.records[obj].values() for k in r)
            names = [*_STANDARD, *(["MasterRecordId"] if obj in _MERGEABLE else []), *seen]
        out: dict[str, dict[str, Any]] = {}
        for name in names:
            head, dot, _ = name.partition(".")
            if dot:
                ref = f"{head[:-3]}__c" if head.endswith("__r") else f"{head}Id"
                out[ref.lower()] = {"name": ref, "type": "reference", "relationshipName": head}
            else:
                out.setdefault(
                    name.lower(), {"name": name, "type": "string", "relationshipName": None}
                )
        return list(out.values())

    def _known(self, obj: str) -> bool:
        return obj in self.records or obj in self.fields or obj in _KNOWN

    def _serve(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        parts = urlsplit(str(request.url))
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        path = _DATA.match(f"{INSTANCE_URL}{parts.path}")
        rest = path.group(2).rstrip("/") if path else ""
        self.served.append(("GET", f"{parts.path}?{parts.query}" if parts.query else parts.path))
        if self._faults:
            status, wait, code = self._faults.pop(0)
            if status == 0:
                raise requests.ConnectionError("fake: connection reset by peer")
            headers = {"Retry-After": f"{wait:g}"} if wait is not None else {}
            return self._error(status, code, "fake fault", headers)
        authorization = request.headers.get("Authorization")
        if not self.accept_tokens or self.token is None or authorization != f"Bearer {self.token}":
            return self._error(401, "INVALID_SESSION_ID", "Session expired or invalid")
        if rest in ("query", "queryAll") and "q" in query:
            self.queries.append(query["q"])
            return self._query(query["q"], deleted=rest == "queryAll")
        if rest.startswith(("query/", "queryAll/")):
            return self._more(rest.split("/", 1)[1])
        sobject = re.fullmatch(r"sobjects/(\w+)/(describe|deleted)", rest)
        if sobject:
            obj, what = sobject.groups()
            if obj in self.denied:
                return self._error(403, "INSUFFICIENT_ACCESS", f"no access to {obj}")
            if not self._known(obj):
                return self._error(404, "NOT_FOUND", "The requested resource does not exist")
            if what == "describe":
                return self._ok({"name": obj, "fields": self._describe_fields(obj)})
            return self._deleted(obj, query)
        return self._error(404, "NOT_FOUND", "The requested resource does not exist")

    @staticmethod
    def _ok(body: Any) -> tuple[int, dict[str, str], str]:
        return 200, {"Content-Type": "application/json"}, json.dumps(body)

    @staticmethod
    def _error(
        status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        body = json.dumps([{"message": message, "errorCode": code}])
        return status, {"Content-Type": "application/json", **(headers or {})}, body

    def _token(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        self.served.append(("POST", "/services/oauth2/token"))
        body = request.body.decode() if isinstance(request.body, bytes) else str(request.body)
        form = {k: v[0] for k, v in parse_qs(body).items()}
        wanted = {
            "grant_type": "refresh_token",
            "refresh_token": self.refresh_token,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
        }
        if any(form.get(k) != v for k, v in wanted.items()):
            error = {"error": "invalid_grant", "error_description": "expired access/refresh token"}
            return 400, {"Content-Type": "application/json"}, json.dumps(error)
        self.token = f"fake-access-token-{len(self.issued) + 2:04d}-refreshed"
        self.issued.append(self.token)
        answer = {"access_token": self.token, "instance_url": INSTANCE_URL, "token_type": "Bearer"}
        return self._ok(answer)

    def _deleted(self, obj: str, query: dict[str, str]) -> tuple[int, dict[str, str], str]:
        start, end = _as_time(query["start"]), _as_time(query["end"])
        listed = [
            {"id": i, "deletedDate": when}
            for i, when in self.deleted_log[obj]
            if start <= _as_time(when) <= end
        ]
        return self._ok({"deletedRecords": listed, "latestDateCovered": sf_time(end)})

    def _query(self, soql: str, *, deleted: bool) -> tuple[int, dict[str, str], str]:
        parsed = _SOQL.match(soql.strip())
        if parsed is None:
            return self._error(400, "MALFORMED_QUERY", f"fake cannot parse: {soql[:80]}")
        obj = parsed["obj"]
        if obj in self.denied:
            return self._error(403, "INSUFFICIENT_ACCESS", f"no access to {obj}")
        if not self._known(obj):
            return self._error(400, "INVALID_TYPE", f"sObject type '{obj}' is not supported.")
        fields = [f.strip() for f in parsed["fields"].split(",")]
        try:
            conditions = self._conditions(parsed["where"] or "")
        except ValueError as error:
            return self._error(400, "MALFORMED_QUERY", str(error))
        for name in [*fields, *(c[0] for c in conditions if isinstance(c, tuple))]:
            missing = self._missing(obj, name)
            if missing:
                return self._error(400, "INVALID_FIELD", missing)
        ids = self._select(obj, conditions, deleted=deleted)
        if parsed["order"]:
            key = parsed["order"]
            ids.sort(key=lambda i: (str(self.records[obj][i].get(key) or ""), i))
            if (parsed["dir"] or "ASC").upper() == "DESC":
                ids.reverse()
        if parsed["limit"]:
            ids = ids[: int(parsed["limit"])]
        locator = f"01gFAKE{len(self._cursors) + 1}"
        self._cursors[locator] = (obj, fields, ids)
        return self._page(locator, 0)

    def _missing(self, obj: str, name: str) -> str | None:
        described = self._describe_fields(obj)
        head, dot, _ = name.partition(".")
        if dot and head.lower() not in {str(f["relationshipName"]).lower() for f in described}:
            return f"Didn't understand relationship '{head}' in field path."
        if not dot and name.lower() not in {f["name"].lower() for f in described}:
            return f"No such column '{name}' on entity '{obj}'."
        return None

    def _conditions(self, where: str) -> list[Any]:
        """``where`` as a flat list of ``(field, op, value)`` (nested groups flattened)."""
        out: list[Any] = []
        for part in _split(where, " AND ") if where.strip() else []:
            if part.startswith("(") and part.endswith(")"):
                out += self._conditions(part[1:-1])
                continue
            match = _COND.match(part)
            if match is None:
                raise ValueError(f"fake cannot parse the condition {part!r}")
            field, op, value = match.groups()
            out.append((field, op.strip().upper(), _literal(value)))
        return out

    def _select(self, obj: str, conditions: list[Any], *, deleted: bool) -> list[str]:
        table = self.records[obj]
        indexed = next((c for c in conditions if c[1] == "IN"), None)
        if indexed is not None:
            index = self._index(obj, indexed[0])
            candidates = [i for v in dict.fromkeys(indexed[2]) for i in index.get(v, [])]
        else:
            candidates = list(table)
        return [
            i
            for i in candidates
            if (deleted or not table[i].get("IsDeleted")) and self._matches(table[i], conditions)
        ]

    def _index(self, obj: str, field: str) -> dict[Any, list[str]]:
        if (obj, field) not in self._indexes:
            index: dict[Any, list[str]] = defaultdict(list)
            for record_id, record in self.records[obj].items():
                index[record.get(field)].append(record_id)
            self._indexes[(obj, field)] = index
        return self._indexes[(obj, field)]

    @staticmethod
    def _matches(record: dict[str, Any], conditions: list[Any]) -> bool:
        for field, op, want in conditions:
            value = record.get(field)
            if op == "IN":
                if value not in want:
                    return False
                continue
            if value is None or want is None:
                if (op == "=") != (value is want):
                    return False
                continue
            have = _comparable(value, want)
            checks = {"=": have == want, "!=": have != want, ">=": have >= want}
            checks.update({"<=": have <= want, ">": have > want, "<": have < want})
            if not checks[op]:
                return False
        return True

    def _more(self, locator: str) -> tuple[int, dict[str, str], str]:
        name, _, offset = locator.partition("-")
        if name not in self._cursors:
            return self._error(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        return self._page(name, int(offset or 0))

    def _page(self, locator: str, offset: int) -> tuple[int, dict[str, str], str]:
        obj, fields, ids = self._cursors[locator]
        chunk = ids[offset : offset + self.page_size]
        table = self.records[obj]
        records = [self._shape(obj, table[i], fields) for i in chunk if i in table]
        body: dict[str, Any] = {"totalSize": len(ids), "records": records}
        body["done"] = offset + self.page_size >= len(ids)
        if not body["done"]:
            body["nextRecordsUrl"] = (
                f"/services/data/v59.0/query/{locator}-{offset + self.page_size}"
            )
        return self._ok(body)

    @staticmethod
    def _shape(obj: str, record: dict[str, Any], fields: list[str]) -> dict[str, Any]:
        url = f"/services/data/v59.0/sobjects/{obj}/{record['Id']}"
        out: dict[str, Any] = {"attributes": {"type": obj, "url": url}}
        lookups: dict[str, dict[str, Any]] = {}
        for name in fields:
            head, dot, tail = name.partition(".")
            if dot:
                lookups.setdefault(head, {"attributes": {"type": "User"}})[tail] = record.get(name)
            else:
                canonical = next((k for k in record if k.lower() == name.lower()), name)
                out[canonical] = record.get(canonical)
        for head, values in lookups.items():
            present = any(v is not None for k, v in values.items() if k != "attributes")
            out[head] = values if present else None
        return out
