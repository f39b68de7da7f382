"""The Salesforce REST API through ``simple-salesforce``: credentials, OAuth refresh, errors.

:class:`SalesforceClient` holds one ``simple_salesforce.Salesforce`` built from an access token
and the org's instance URL (``SALESFORCE_INSTANCE_URL``, ``SALESFORCE_ACCESS_TOKEN``). When
there is no access token, or the API answers 401 ``INVALID_SESSION_ID``, it gets a new one
with the OAuth refresh-token grant of a connected app (``SALESFORCE_REFRESH_TOKEN``,
``SALESFORCE_CLIENT_ID``, ``SALESFORCE_CLIENT_SECRET``, ``SALESFORCE_LOGIN_URL``) and tries
again. Every call runs inside :func:`~.retry.retrying`: rate limits, server errors and dropped
connections are retried; a refused permission, an unknown object or field is a one-line
:class:`~reviewkit.errors.SyncConfigError`. API error texts pass through
:func:`~.credentials.scrub`, so no token reaches a message.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any, TypeVar

import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError

from reviewkit.errors import SyncConfigError, SyncFailedError
from reviewkit.ingest.sync.credentials import remember_secret, scrub, secret
from reviewkit.ingest.sync.retry import RetryPolicy, TransientError, retrying

__all__ = ["API_VERSION", "TIMEOUT", "SalesforceClient"]

T = TypeVar("T")

#: The REST API version the sync speaks.
API_VERSION = "59.0"
#: Seconds to wait for one HTTP answer.
TIMEOUT = 120.0
_LOGIN_URL = "https://login.salesforce.com"
_REFRESH_VARS = "SALESFORCE_REFRESH_TOKEN, SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET"
_TRANSIENT_403 = {"REQUEST_LIMIT_EXCEEDED"}


def _one_line(text: str, *, limit: int = 200) -> str:
    """``text`` scrubbed of secrets, on one line, at most ``limit`` characters."""
    flat = " ".join(scrub(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _error_of(error: SalesforceError) -> tuple[str, str]:
    """The ``errorCode`` and ``message`` of a Salesforce error answer (``""`` when absent)."""
    content: Any = error.content
    if isinstance(content, list) and content and isinstance(content[0], dict):
        content = content[0]
    if isinstance(content, dict):
        code = content.get("errorCode") or content.get("error") or ""
        message = content.get("message") or content.get("error_description") or ""
        return str(code), str(message)
    if isinstance(content, bytes):
        content = content.decode("utf-8", "replace")
    return "", str(content or "")


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


class SalesforceClient:
    """One org's REST API for a sync source.

    Parameters
    ----------
    source
        The sync source's name, for messages (``salesforce``).
    policy
        Retries of rate limits and server errors (default: :class:`~.retry.RetryPolicy`).
    session
        The ``requests`` session to use (tests pass one that a fake serves).
    """

    def __init__(
        self,
        source: str,
        *,
        policy: RetryPolicy | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.source = source
        self.policy = policy or RetryPolicy()
        self.session = session or requests.Session()
        self.session.hooks["response"].append(self._note_response)
        self._retry_after: float | None = None
        self._sf: Salesforce | None = None
        self._loaded = False
        self._instance_url: str | None = None
        self._token: str | None = None
        self._refresh: tuple[str, str, str, str] | None = None

    # -- credentials -------------------------------------------------------------------------

    def _note_response(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self._retry_after = _retry_after(response) if response.status_code >= 400 else None

    def _secret(self, name: str, fix: str, *, required: bool = False) -> str | None:
        return secret(name, source=self.source, fix=fix, required=required)

    def _load(self) -> None:
        app = "create a connected app with the api and refresh_token scopes (docs/sync.md)"
        self._instance_url = self._secret("SALESFORCE_INSTANCE_URL", "use the org's My Domain URL")
        self._token = self._secret("SALESFORCE_ACCESS_TOKEN", app)
        refresh = self._secret("SALESFORCE_REFRESH_TOKEN", app)
        client_id = self._secret("SALESFORCE_CLIENT_ID", app)
        client_secret = self._secret("SALESFORCE_CLIENT_SECRET", app)
        login = self._secret("SALESFORCE_LOGIN_URL", app) or _LOGIN_URL
        if refresh and client_id and client_secret:
            self._refresh = (refresh, client_id, client_secret, login.rstrip("/"))
        if not self._token and not self._refresh:
            raise SyncConfigError(
                f"{self.source}: SALESFORCE_ACCESS_TOKEN is not set; set it, or set "
                f"{_REFRESH_VARS} of a connected app (docs/sync.md) so the sync can get one"
            )
        if not self._instance_url and not self._refresh:
            raise SyncConfigError(
                f"{self.source}: SALESFORCE_INSTANCE_URL is not set; set it to the org's My "
                "Domain URL (https://yourcompany.my.salesforce.com; docs/sync.md)"
            )
        self._loaded = True
        if not self._token:
            self._refresh_token()

    def _refresh_token(self) -> None:
        """Get a new access token with the refresh-token grant (retried on 429/5xx)."""
        assert self._refresh is not None
        refresh, client_id, client_secret, login = self._refresh
        form = {
            "grant_type": "refresh_token",
            "refresh_token": refresh,
            "client_id": client_id,
            "client_secret": client_secret,
        }

        def post() -> dict[str, Any]:
            try:
                answer = self.session.post(
                    f"{login}/services/oauth2/token", data=form, timeout=TIMEOUT
                )
            except (requests.ConnectionError, requests.Timeout) as error:
                raise TransientError(f"OAuth refresh: {type(error).__name__}") from None
            if answer.status_code == 429 or answer.status_code >= 500:
                raise TransientError(
                    f"OAuth refresh: HTTP {answer.status_code}", retry_after=_retry_after(answer)
                )
            try:
                body = answer.json()
            except ValueError:
                body = {}
            if answer.status_code != 200 or not isinstance(body, dict):
                code = body.get("error", "") if isinstance(body, dict) else ""
                raise SyncConfigError(
                    f"{self.source}: the OAuth refresh was refused (HTTP {answer.status_code} "
                    f"{_one_line(str(code), limit=40)}); check {_REFRESH_VARS} and "
                    "SALESFORCE_LOGIN_URL (https://test.salesforce.com for a sandbox; "
                    "docs/sync.md)"
                )
            return body

        body = retrying(post, what=f"{self.source} OAuth refresh", policy=self.policy)
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise SyncFailedError(
                f"{self.source}: the OAuth refresh answered without an access_token; run the "
                "sync again, and check the connected app (docs/sync.md) if it repeats"
            )
        remember_secret(token)
        self._token = token
        url = body.get("instance_url")
        if isinstance(url, str) and url:
            remember_secret(url)
            self._instance_url = url
        self._sf = None

    def client(self) -> Salesforce:
        """The ``simple_salesforce.Salesforce`` of the current token (built when needed).

        Raises
        ------
        SyncConfigError
            When credentials are missing or the instance URL is not an https URL.
        """
        if not self._loaded:
            self._load()
        if self._sf is None:
            url = self._instance_url or ""
            if not url.startswith("https://"):
                raise SyncConfigError(
                    f"{self.source}: SALESFORCE_INSTANCE_URL is not an https URL; set it to "
                    "the org's My Domain URL (https://yourcompany.my.salesforce.com)"
                )
            self._sf = Salesforce(
                instance_url=url,
                session_id=self._token,
                session=self.session,
                version=API_VERSION,
                parse_float=str,
            )
        return self._sf

    # -- calls -------------------------------------------------------------------------------

    def call(self, fn: Callable[[Salesforce], T], *, obj: str) -> T:
        """Run ``fn(sf)`` with refresh-on-401, retries, and errors turned into one line.

        Parameters
        ----------
        fn
            The API call, given the current client.
        obj
            The Salesforce object it concerns, for messages (``Opportunity``).

        Raises
        ------
        SyncConfigError
            A credential, permission, object or field is wrong (exit 2).
        SyncFailedError
            The call kept failing past the retry policy, or failed unexpectedly (exit 1).
        """

        def attempt() -> T:
            refreshed = False
            while True:
                self._retry_after = None
                sf = self.client()
                try:
                    return fn(sf)
                except SalesforceError as error:
                    if error.status == 401 and self._refresh is not None and not refreshed:
                        self._refresh_token()
                        refreshed = True
                        continue
                    raise self._translate(error, obj=obj, refreshed=refreshed) from None
                except (requests.ConnectionError, requests.Timeout) as error:
                    raise TransientError(f"connection failed ({type(error).__name__})") from None
                except requests.JSONDecodeError:
                    raise TransientError("the answer was not valid JSON") from None

        return retrying(attempt, what=f"{self.source} {obj}", policy=self.policy)

    def _translate(self, error: SalesforceError, *, obj: str, refreshed: bool) -> Exception:
        """The exception a Salesforce error answer stands for."""
        status = error.status
        code, text = _error_of(error)
        code = _one_line(code, limit=60)
        where = f"{self.source}: object {obj}"
        if status == 429 or status >= 500 or (status == 403 and code in _TRANSIENT_403):
            reason = f"HTTP {status} {code}".rstrip()
            return TransientError(reason, retry_after=self._retry_after)
        if status == 401:
            if refreshed:
                return SyncConfigError(
                    f"{self.source}: even a freshly refreshed token was refused ({code}); check "
                    "the connected app's OAuth scopes (api, refresh_token) and IP relaxation "
                    "(docs/sync.md)"
                )
            return SyncConfigError(
                f"{self.source}: SALESFORCE_ACCESS_TOKEN was refused ({code or 'HTTP 401'}); "
                f"set {_REFRESH_VARS} (docs/sync.md) so the sync can refresh it"
            )
        if status == 403:
            if code == "API_DISABLED_FOR_ORG":
                return SyncConfigError(
                    f"{self.source}: the REST API is disabled for this org or user ({code}); "
                    'give the sync user the "API Enabled" permission (an edition with API '
                    "access; docs/sync.md)"
                )
            return SyncConfigError(
                f"{where}: access refused ({code or 'HTTP 403'}); give the sync user the "
                f'"API Enabled" permission and read access on {obj} (profile or permission '
                "set; docs/sync.md)"
            )
        if status == 404 and obj.endswith("History"):
            return SyncConfigError(
                f"{where} does not exist in this org ({code or 'NOT_FOUND'}); turn on field "
                "history tracking for the fields of `history:` (Setup, Object Manager) or "
                f"remove them from params/sources/sync/{self.source}.yml"
            )
        if status == 404:
            return SyncConfigError(
                f"{where} does not exist in this org ({code or 'NOT_FOUND'}); fix `object: "
                f"{obj}` in params/sources/sync/{self.source}.yml or remove the object"
            )
        return self._translate_400(status, code, text, where=where)

    def _translate_400(self, status: int, code: str, text: str, *, where: str) -> Exception:
        fix = f"params/sources/sync/{self.source}.yml"
        if code == "INVALID_FIELD":
            found = re.search(r"No such column '([^']+)'|relationship '([^']+)'", text)
            field = next((g for g in found.groups() if g), "?") if found else "?"
            return SyncConfigError(
                f"{where}: field {_one_line(field, limit=80)!r} does not exist or is not "
                f"visible to the sync user ({code}); add the field (or field-level read "
                f"access) in Salesforce or change {fix}"
            )
        if code == "INVALID_TYPE":
            found = re.search(r"sObject type '([^']+)'", text)
            name = found.group(1) if found else "?"
            return SyncConfigError(
                f"{where}: object {_one_line(name, limit=80)!r} is not supported or not "
                f"visible to the sync user ({code}); for a history object, turn on field "
                f"history tracking and read access; else fix `object:`/`history:` in {fix}"
            )
        if code == "INVALID_REPLICATION_DATE":
            return SyncFailedError(
                f"{where}: Salesforce no longer lists the deletes since the last sync ({code}); "
                "run the sync of this object with --full"
            )
        if status == 400:
            return SyncConfigError(
                f"{where}: Salesforce refused the query ({code}: {_one_line(text)}); check "
                f"`where:` and the field names in {fix}"
            )
        return SyncFailedError(
            f"{where}: unexpected HTTP {status} ({code}: {_one_line(text)}); run the sync "
            "again, and report it if it repeats"
        )

    # -- the API calls the fetcher makes -------------------------------------------------------

    def query(self, soql: str, *, obj: str, include_deleted: bool = False) -> dict[str, Any]:
        """The first page of a SOQL query (``queryAll`` when ``include_deleted``)."""
        return self.call(
            lambda sf: sf.query(soql, include_deleted=include_deleted, timeout=TIMEOUT),
            obj=obj,
        )

    def query_more(self, next_url: str, *, obj: str) -> dict[str, Any]:
        """The page at a ``nextRecordsUrl``."""
        return self.call(
            lambda sf: sf.query_more(next_url, identifier_is_url=True, timeout=TIMEOUT),
            obj=obj,
        )

    def describe(self, obj: str) -> dict[str, Any]:
        """``/sobjects/<obj>/describe``: the object's fields."""
        answer = self.call(
            lambda sf: sf.restful(f"sobjects/{obj}/describe", timeout=TIMEOUT), obj=obj
        )
        return answer if isinstance(answer, dict) else {}

    def deleted(self, obj: str, start: dt.datetime, end: dt.datetime) -> list[str]:
        """Ids of ``obj`` records deleted between ``start`` and ``end`` (at most 15 days back)."""
        params = {"start": _iso(start), "end": _iso(end)}
        answer = self.call(
            lambda sf: sf.restful(f"sobjects/{obj}/deleted/", params=params, timeout=TIMEOUT),
            obj=obj,
        )
        records = answer.get("deletedRecords", []) if isinstance(answer, dict) else []
        return [str(r["id"]) for r in records if isinstance(r, dict) and r.get("id")]


def _iso(moment: dt.datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
