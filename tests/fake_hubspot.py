"""A fake HubSpot API on a real HTTP server (pytest-httpserver, 127.0.0.1) for sync tests.

:class:`FakeHubSpot` serves the documented JSON shapes of the endpoints the HubSpot fetcher
calls, from an in-memory dataset: CRM v3 search (filters, sorts, ``limit``, ``after`` and the
search limit: 400 once ``after`` reaches it), the basic list (``archived=true``), batch read
with ``propertiesWithHistory``, v4 associations batch read, owners, properties and the OAuth
token endpoint. Faults: :meth:`FakeHubSpot.fail_next` (429/5xx with ``Retry-After``),
:meth:`FakeHubSpot.expire_token`, :meth:`FakeHubSpot.missing_scope`. Every request served is
kept in :attr:`FakeHubSpot.requests`.

Searches are indexed (:mod:`fake_hubspot_api`): a page costs O(log n + limit) whatever the
dataset's size (the benchmark serves 100,000 contacts).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import logging
import re
import secrets
from typing import Any
from urllib.parse import parse_qs

from fake_hubspot_api import (
    PROPERTIES,
    STAGES,
    HubSpotEndpoints,
    Json,
    Objects,
    Record,
    Served,
    error,
    iso,
    ms,
    ok,
)
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

__all__ = ["FakeHubSpot", "Served", "contact_properties", "deal_properties", "iso"]


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
    reached = STAGES[: STAGES.index(stage) + 1] if stage in STAGES else ()
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


class FakeHubSpot(HubSpotEndpoints):
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
        self.objects = {name: Objects(name, props) for name, props in PROPERTIES.items()}
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
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request

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
        record = Record(rid, props, ms(props[objects.modified_prop]))
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
        record.modified = ms(iso(modified))
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
        teams: tuple[tuple[str, bool], ...] | list[tuple[str, bool]] = (),
        archived: bool = False,
    ) -> None:
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
        record.modified = ms(iso(at))
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
            response = error(
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
                        return self._scopeerror(object_type)
                    if object_type not in self.objects:
                        return error(
                            404,
                            f"Unable to infer object type from: {object_type}",
                            "OBJECT_NOT_FOUND",
                        )
                body = json.loads(served.body) if served.body else {}
                return handler(request, body, **found.groupdict())
        return error(404, f"no route {request.method} {path}", "NOT_FOUND")

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
            return error(
                401,
                "The OAuth token used to make this call expired 2 minute(s) ago.",
                "EXPIRED_AUTHENTICATION",
            )
        if header != f"Bearer {self.token}":
            return error(401, "Authentication credentials not found.", "INVALID_AUTHENTICATION")
        if "owners" in self._no_scope and request.path.startswith("/crm/v3/owners"):
            return self._scopeerror("owners")
        return None

    def _scopeerror(self, object_type: str) -> Response:
        scope = f"crm.objects.{object_type}.read"
        return error(
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
            return error(400, "missing or unknown refresh token", "BAD_REFRESH_TOKEN")
        self.token, self._expired = f"oauth-{secrets.token_hex(12)}", False
        self.issued_tokens.append(self.token)
        return ok(
            {
                "token_type": "bearer",
                "refresh_token": self.refresh_token,
                "access_token": self.token,
                "expires_in": 1800,
            }
        )
