"""The endpoints of the fake HubSpot (:mod:`fake_hubspot`): search, lists, batch reads, owners.

Records of one object type live in :class:`Objects` with two sort indexes (by modification
time and id, and by id) rebuilt lazily after a change, so a search page costs O(log n + limit)
(the benchmark serves 100,000 contacts). Filters other than on the sort property are checked
record by record.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from werkzeug import Request, Response

__all__ = [
    "PROPERTIES",
    "STAGES",
    "HubSpotEndpoints",
    "Objects",
    "Record",
    "Served",
    "error",
    "iso",
    "ms",
    "ok",
]

Json = dict[str, Any]
STAGES = ("lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer")
_COMMON = ("hs_object_id", "hs_createdate", "hs_lastmodifieddate", "hubspot_owner_id")
_ENGAGEMENT = (*_COMMON, "hs_timestamp", "hs_body_preview")
_CONTACTS = """hs_object_id createdate lastmodifieddate email firstname lastname company
hs_analytics_source hs_analytics_source_data_1 hubspotscore hubspot_owner_id lifecyclestage
hs_merged_object_ids""".split()  # noqa: SIM905
_DEALS = "createdate dealname amount deal_currency_code closedate dealstage pipeline".split()  # noqa: SIM905
#: The properties each object of a new fake portal has (``add_property`` adds custom ones).
PROPERTIES: dict[str, tuple[str, ...]] = {
    "contacts": (*_CONTACTS, *(f"hs_lifecyclestage_{s}_date" for s in STAGES)),
    "companies": (*_COMMON, "name", "domain", "hs_merged_object_ids"),
    "deals": (*_COMMON, *_DEALS, "hs_merged_object_ids"),
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


def ms(value: Any) -> int:
    text = str(value).strip()
    if text.lstrip("-").isdigit():
        return int(text)
    stamp = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)
    return round(stamp.timestamp() * 1000)


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
class Record:
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


class Objects:
    """The records of one object type, with lazily rebuilt sort indexes."""

    def __init__(self, name: str, properties: tuple[str, ...]) -> None:
        self.name = name
        self.modified_prop = "lastmodifieddate" if name == "contacts" else "hs_lastmodifieddate"
        self.properties = list(dict.fromkeys([*properties, self.modified_prop, "hs_object_id"]))
        self.live: dict[int, Record] = {}
        self.archived: dict[int, Record] = {}
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


def error(status: int, message: str, category: str, **extra: Any) -> Response:
    body = {
        "status": "error",
        "message": message,
        "correlationId": secrets.token_hex(8),
        "category": category,
        **extra,
    }
    return Response(json.dumps(body), status=status, content_type="application/json")


def ok(body: Json, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


class HubSpotEndpoints:
    """The JSON endpoints; :class:`fake_hubspot.FakeHubSpot` holds the data they serve."""

    objects: dict[str, Objects]
    owners: list[Json]
    archived_owners: list[Json]
    links: dict[tuple[str, str], dict[str, list[str]]]
    search_limit: int

    # -- endpoints ------------------------------------------------------------------------
    def _search(self, request: Request, body: Json, object: str) -> Response:
        objects = self.objects[object]
        limit, after = int(body.get("limit") or 10), int(body.get("after") or 0)
        if limit > 200:
            return error(400, f"limit {limit} is above the maximum of 200", "VALIDATION_ERROR")
        if after >= self.search_limit:
            return error(
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
            return error(
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
        return ok(answer)

    def _candidates(
        self, objects: Objects, groups: list[list[Json]], sort: str
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
            v = ms(f["value"]) if by_time else int(f["value"])
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
    def _matches(objects: Objects, record: Record, f: Json) -> bool:
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
            a, target = ms(value), ms(target)
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
            return error(400, "Batch input is limited to 100 ids", "VALIDATION_ERROR")
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
        return ok(answer, 207 if errors else 200)

    @staticmethod
    def _history(objects: Objects, record: Record, prop: str) -> list[Json]:
        changes = record.history.get(prop)
        if changes is None and record.props.get(prop):
            changes = [(str(record.props[prop]), str(record.props[objects.modified_prop]))]
        ordered = sorted(changes or [], key=lambda c: ms(c[1]), reverse=True)  # newest first
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
            return error(400, f"limit {limit} is above the maximum of 100", "VALIDATION_ERROR")
        ids = sorted(pool)
        names = [p for p in self._properties_asked(request) if p in objects.properties]
        answer: Json = {
            "results": [
                pool[i].shape(names, objects.modified_prop) for i in ids[after : after + limit]
            ]
        }
        if after + limit < len(ids):
            answer["paging"] = {"next": {"after": str(after + limit), "link": "?after="}}
        return ok(answer)

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
        return ok(answer, 207 if errors else 200)

    def _properties(self, request: Request, body: Json, object: str) -> Response:
        kinds = {
            p: "datetime" if p in _DATETIMES or p.endswith("_date") else "string"
            for p in self.objects[object].properties
        }
        return ok(
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
        return ok(answer)
