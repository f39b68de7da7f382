"""HTTP for the HubSpot fetcher: the official client, token refresh, retries and error texts.

:class:`HubSpotApi` wraps ``hubspot-api-client`` (``from hubspot import HubSpot``): one client
per fetcher, pointed at ``$HUBSPOT_API_BASE`` (default ``https://api.hubapi.com``; tests point
it at a fake server on 127.0.0.1). Every call returns the response's JSON as plain dicts: the
client is called with ``_preload_content=False`` and the body is parsed with :mod:`json`, so no
model object is built per record (a 100,000-record sync) and the documented JSON shapes are
kept. Request bodies are plain dicts (the client serialises them as is).

Failures are sorted once, here: 429, 5xx, dropped connections and timeouts are retried
(:func:`~.retry.retrying`, honouring ``Retry-After``); a 401 refreshes an OAuth token once (when
``HUBSPOT_REFRESH_TOKEN``, ``HUBSPOT_CLIENT_ID`` and ``HUBSPOT_CLIENT_SECRET`` are set) or is a
:class:`~reviewkit.errors.SyncConfigError`; a 403 for missing scopes names the scopes; any other
status is an :class:`ApiStatusError` the fetcher words for its context. No message ever holds a
token: texts from the API pass through :func:`~.credentials.scrub`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from typing import Any

from reviewkit.errors import SyncConfigError
from reviewkit.ingest.sync.credentials import remember_secret, scrub, secret
from reviewkit.ingest.sync.retry import RetryPolicy, TransientError, retrying

__all__ = [
    "DEFAULT_BASE",
    "ApiStatusError",
    "HubSpotApi",
    "api_message",
    "missing_scopes",
    "property_in_error",
]

DEFAULT_BASE = "https://api.hubapi.com"
_TOKEN_FIX = "create a new private-app token (docs/sync.md) and set HUBSPOT_ACCESS_TOKEN"
_TIMEOUT = (10.0, 120.0)  # connect, read (seconds)

Json = dict[str, Any]


class ApiStatusError(Exception):
    """An HTTP status the fetcher must word for its context (400, 404, 403 without scopes...).

    Attributes
    ----------
    status
        The HTTP status.
    body
        The response's JSON (``{}`` when it was not JSON).
    message
        The API's message, scrubbed and on one line.
    """

    def __init__(self, status: int, body: Json, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status, self.body, self.message = status, body, message


def api_message(body: Json, *, fallback: str = "") -> str:
    """The API's message of an error body, scrubbed, on one line, at most 200 characters."""
    text = str(body.get("message") or fallback or "no message")
    text = " ".join(scrub(text).split())
    return text if len(text) <= 200 else text[:197] + "..."


def _body_of(error: Any) -> Json:
    raw = getattr(error, "body", None)
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    try:
        parsed = json.loads(raw) if raw else {}
    except ValueError:
        return {"message": str(raw)[:200]}
    return parsed if isinstance(parsed, dict) else {}


def _retry_after(error: Any) -> float | None:
    headers = getattr(error, "headers", None) or {}
    value = headers.get("Retry-After") if hasattr(headers, "get") else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def missing_scopes(body: Json) -> list[str]:
    """The scopes a 403 ``MISSING_SCOPES`` body asks for (``[]`` when it names none)."""
    scopes: list[str] = []
    for entry in body.get("errors") or []:
        context = entry.get("context") or {} if isinstance(entry, dict) else {}
        for key in ("requiredGranularScopes", "requiredScopes", "requiredScope"):
            value = context.get(key) or []
            scopes += [value] if isinstance(value, str) else [str(v) for v in value]
    return list(dict.fromkeys(scopes))


class _UnauthorizedError(Exception):
    """A 401: the token is expired or wrong."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class HubSpotApi:
    """The HubSpot API of one sync source, through the official client.

    Parameters
    ----------
    source
        The sync source's name, for messages.
    policy
        Retries of 429, 5xx and connection failures.
    """

    def __init__(self, source: str, *, policy: RetryPolicy | None = None) -> None:
        self.source = source
        self.policy = policy or RetryPolicy()
        self.base = os.environ.get("HUBSPOT_API_BASE") or DEFAULT_BASE
        self._token: str | None = None
        self._apis: dict[str, Any] = {}

    # -- the client -------------------------------------------------------------------------
    def _client(self, token: str | None) -> Any:
        from hubspot import HubSpot  # type: ignore[import-untyped]
        from urllib3.util.retry import Retry

        # urllib3 does not retry: retrying() does, within the policy's budget
        return HubSpot(access_token=token, host=self.base, retry=Retry(total=0, redirect=0))

    def _api(self, name: str) -> Any:
        if name not in self._apis:
            if self._token is None:
                self._token = self._first_token()
            crm = self._client(self._token).crm
            self._apis[name] = {
                "search": lambda: crm.objects.search_api,
                "basic": lambda: crm.objects.basic_api,
                "batch": lambda: crm.objects.batch_api,
                "owners": lambda: crm.owners.owners_api,
                "properties": lambda: crm.properties.core_api,
                "associations": lambda: crm.associations.v4.batch_api,
            }[name]()
        return self._apis[name]

    # -- calls ------------------------------------------------------------------------------
    def call(self, api: str, method: str, *args: Any, what: str, **kwargs: Any) -> Json:
        """Call ``method`` of client API ``api`` and return the response's JSON.

        Parameters
        ----------
        api
            ``search``, ``basic``, ``batch``, ``owners``, ``properties`` or ``associations``.
        method
            The client method, e.g. ``do_search``.
        what
            What is read, for messages: ``"hubspot contacts"``.
        *args, **kwargs
            The method's arguments.

        Raises
        ------
        ApiStatusError
            For a status the caller words (400, 404, 409, ...).
        SyncConfigError
            On a refused token (after one refresh, when one is possible) or missing scopes.
        SyncFailedError
            When retries of 429, 5xx or connection failures are used up.
        """

        def once() -> Json:
            def send() -> Json:
                bound: Callable[..., Any] = getattr(self._api(api), method)
                return self._send(lambda **opts: bound(*args, **kwargs, **opts))

            try:
                return send()
            except _UnauthorizedError as first:
                if not self._refresh(first.message):
                    raise self._refused(first.message) from None
                try:
                    return send()
                except _UnauthorizedError as second:
                    raise self._refused(second.message) from None

        return retrying(once, what=what, policy=self.policy)

    def _send(self, request: Callable[..., Any]) -> Json:
        import urllib3

        try:
            response = request(_preload_content=False, _request_timeout=_TIMEOUT)
        except urllib3.exceptions.HTTPError as error:
            raise TransientError(f"connection failed ({type(error).__name__})") from None
        except Exception as error:  # every client package has its own ApiException
            status = getattr(error, "status", None)
            if not isinstance(status, int):
                raise
            self._raise_for(status, error)
        data = response.data
        if not data:
            return {}
        try:
            parsed = json.loads(data)
        except ValueError:  # e.g. a proxy's HTML page
            raise TransientError(f"HTTP {response.status} with a body that is not JSON") from None
        return parsed if isinstance(parsed, dict) else {"results": parsed}

    def _raise_for(self, status: int, error: Any) -> None:
        body = _body_of(error)
        message = api_message(body, fallback=str(getattr(error, "reason", "") or ""))
        if status == 0:
            raise TransientError(f"connection failed ({message})")
        if status == 429 or status >= 500:
            raise TransientError(f"HTTP {status} ({message})", retry_after=_retry_after(error))
        if status == 401:
            raise _UnauthorizedError(f"401 {message}")
        if status == 403 and (body.get("category") == "MISSING_SCOPES" or missing_scopes(body)):
            raise ApiStatusError(status, {**body, "category": "MISSING_SCOPES"}, message)
        raise ApiStatusError(status, body, message)

    # -- tokens -----------------------------------------------------------------------------
    def _first_token(self) -> str:
        """``HUBSPOT_ACCESS_TOKEN``; without one, a token from the OAuth refresh token."""
        token = secret("HUBSPOT_ACCESS_TOKEN", source=self.source, fix="", required=False)
        if token is None and self._refresh("HUBSPOT_ACCESS_TOKEN is not set") and self._token:
            return self._token
        return token or str(
            secret(
                "HUBSPOT_ACCESS_TOKEN",
                source=self.source,
                fix="create a private app in HubSpot with read scopes (docs/sync.md)",
            )
        )

    def _refused(self, message: str) -> SyncConfigError:
        return SyncConfigError(
            f"{self.source}: HUBSPOT_ACCESS_TOKEN was refused ({scrub(message)}); {_TOKEN_FIX}"
        )

    def _refresh(self, message: str) -> bool:
        """Refresh the OAuth access token; ``False`` when no refresh token is configured."""
        names = ("HUBSPOT_REFRESH_TOKEN", "HUBSPOT_CLIENT_ID", "HUBSPOT_CLIENT_SECRET")
        values = [secret(n, source=self.source, fix="", required=False) for n in names]
        refresh, client_id, client_secret = values
        if not (refresh and client_id and client_secret):
            return False
        tokens = self._client(None).oauth.tokens_api
        try:
            answer = self._send(
                lambda **kw: tokens.create(
                    grant_type="refresh_token",
                    client_id=client_id,
                    client_secret=client_secret,
                    refresh_token=refresh,
                    **kw,
                )
            )
        except (ApiStatusError, _UnauthorizedError) as error:
            raise SyncConfigError(
                f"{self.source}: the OAuth refresh of HUBSPOT_ACCESS_TOKEN was refused "
                f"({error}); check HUBSPOT_REFRESH_TOKEN, "
                "HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET, or set a new HUBSPOT_ACCESS_TOKEN"
            ) from None
        token = answer.get("access_token")
        if not isinstance(token, str) or not token:
            raise self._refused(f"{message}; the refresh answered no access_token")
        remember_secret(token)
        remember_secret(answer.get("refresh_token"))
        self._token, self._apis = token, {}
        return True


def property_in_error(body: Json) -> str | None:
    """The property a 400 names (``context.propertyName`` or a quoted name), else ``None``."""
    for entry in body.get("errors") or []:
        context = entry.get("context") or {} if isinstance(entry, dict) else {}
        names = context.get("propertyName") or context.get("properties") or []
        if names:
            return str(names[0] if isinstance(names, list) else names)
    text = str(body.get("message") or "")
    if "propert" not in text.lower():
        return None
    found = re.search(r"""["'`]([A-Za-z0-9_]+)["'`]""", text)
    return found.group(1) if found else None
