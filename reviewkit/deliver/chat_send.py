"""Posting chat messages to Slack and Microsoft Teams incoming webhooks, with retries.

A webhook URL is a secret (whoever holds it can post to the channel): it is read from the
environment or the credentials file by :func:`webhook_url`, given to
:func:`~reviewkit.ingest.sync.credentials.remember_secret`, and every text a server or a library
hands back goes through :func:`~reviewkit.ingest.sync.credentials.scrub`. A result or an error
names the *variable* that holds the URL, never the URL.

What is retried (with :class:`~reviewkit.core.retry.RetryPolicy`): HTTP 429 (after the
server's ``Retry-After``), 5xx, a refused or dropped connection, a timeout. What is not: any
other 4xx (the webhook was removed, the message was refused), a certificate that is not
trusted, and a Slack answer other than ``ok``.
"""

from __future__ import annotations

import json
import logging
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, cast
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

from slack_sdk.errors import SlackRequestError
from slack_sdk.webhook import WebhookClient

from reviewkit.core.retry import RetryPolicy, TransientError
from reviewkit.deliver.message import SendResult
from reviewkit.errors import DeliveryConfigError, SyncConfigError
from reviewkit.ingest.sync.credentials import remember_secret, scrub, secret

__all__ = ["post_slack", "post_teams", "webhook_url"]

_LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
_BODY_MAX = 200
_REVOKED = "the webhook was removed or revoked; create a new one and update {name}"
_REFUSED = (
    "{platform} refused the message; check that {name} holds an incoming-webhook address "
    "(docs/delivery.md) and report the line above if it does"
)
_RETRY_LATER = "the next run tries again; check {platform}'s status and the network"


_QUIET = logging.getLogger("reviewkit.deliver.chat_send.slack_sdk")
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False
_QUIET.setLevel(logging.CRITICAL)  # slack_sdk logs the webhook URL at DEBUG level


class _RefusedError(Exception):
    """A failure that retrying cannot fix (a 4xx other than 429, a wrong answer)."""


@dataclass(frozen=True)
class _Answer:
    """A webhook's HTTP answer."""

    status: int
    body: str
    headers: Mapping[str, str]


def webhook_url(name: str) -> str:
    """The webhook URL held by variable ``name`` (environment, then the credentials file).

    Parameters
    ----------
    name
        The variable, e.g. ``SLACK_WEBHOOK_TEAM_B``.

    Returns
    -------
    str
        The URL (remembered as a secret: :func:`scrub` hides it from then on).

    Raises
    ------
    DeliveryConfigError
        When ``name`` is set nowhere, or its value is not an ``https://`` address (``http://``
        is allowed for ``127.0.0.1``/``localhost`` only). The message names the variable,
        never its value.
    """
    try:
        value = secret(name, source="delivery", fix="create an incoming webhook (docs/delivery.md)")
    except SyncConfigError as error:
        raise DeliveryConfigError(str(error)) from None
    url = (value or "").strip()
    remember_secret(url)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DeliveryConfigError(
            f"delivery: {name} does not hold a web address (its value is hidden); paste the "
            "webhook's https:// URL exactly as Slack or Teams shows it"
        )
    if parts.scheme == "http" and parts.hostname not in _LOCAL_HOSTS:
        raise DeliveryConfigError(
            f"delivery: {name} holds an http:// address; a webhook address carries a secret and "
            "must use https:// (http:// only for 127.0.0.1 or localhost); use the https:// URL"
        )
    return url


def _remember(url: str) -> None:
    """Hide ``url``, its path and its query (the secret parts) from every text from now on."""
    remember_secret(url)
    parts = urlsplit(url)
    for part in (parts.path, parts.query):
        if len(part.strip("/")) >= 12:
            remember_secret(part)


def _short(text: str) -> str:
    """A server's body as one short, scrubbed line."""
    line = " ".join(scrub(text).split())
    return line if len(line) <= _BODY_MAX else line[: _BODY_MAX - 1] + "…"


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds from a ``Retry-After`` header (seconds or an HTTP date), else ``None``."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _network(error: Exception, timeout: float) -> Exception:
    """A connection failure as :class:`TransientError`, or :class:`_RefusedError` for TLS trust."""
    if isinstance(error, ValueError | SlackRequestError):
        return _RefusedError("the address is not a web address; check it (docs/delivery.md)")
    reason = error.reason if isinstance(error, URLError) else error
    if isinstance(reason, ssl.SSLCertVerificationError):
        return _RefusedError(
            f"the server's certificate is not trusted ({_short(str(reason.verify_message))}); "
            "check the address and the system's CA certificates"
        )
    if isinstance(reason, TimeoutError):
        return TransientError(f"no answer within {timeout:g} s")
    if isinstance(reason, ConnectionRefusedError):
        return TransientError("connection refused")
    text = _short(str(reason)) or type(reason).__name__
    return TransientError(f"connection failed ({text})")


def _check(answer: _Answer, *, platform: str, name: str, ok: Callable[[_Answer], bool]) -> None:
    """Raise :class:`TransientError` or :class:`_RefusedError` unless ``ok(answer)``."""
    if ok(answer):
        return
    head = f"HTTP {answer.status}"
    body = _short(answer.body)
    if answer.status == 429:
        raise TransientError(f"{head} (rate limited)", retry_after=_retry_after(answer.headers))
    if answer.status >= 500:
        raise TransientError(f"{head} {body}".strip(), retry_after=_retry_after(answer.headers))
    if 200 <= answer.status < 300:
        raise _RefusedError(
            f"{head} with the answer {body!r} instead of "
            f"{'ok' if platform == 'Slack' else 'an empty one'}; "
            + _REFUSED.format(platform=platform, name=name)
        )
    fix = _REVOKED if answer.status in (401, 403, 404, 410) else _REFUSED
    raise _RefusedError(f"{head} {body}".strip() + "; " + fix.format(platform=platform, name=name))


def _deliver(
    attempt: Callable[[], None],
    *,
    channel: str,
    name: str,
    policy: RetryPolicy | None,
) -> SendResult:
    """Run ``attempt`` with retries as ``policy`` allows and say what became of it."""
    policy = policy or RetryPolicy()
    platform = "Slack" if channel == "slack" else "Teams"
    head = f"{channel} webhook {name}"
    waited = 0.0
    for tries in range(1, policy.attempts + 1):
        try:
            attempt()
            return SendResult(channel=channel, recipient=name, ok=True, attempts=tries)
        except _RefusedError as error:
            line = f"{head}: {scrub(str(error))}"
            return SendResult(channel, name, ok=False, attempts=tries, error=line)
        except TransientError as error:
            pause = policy.wait(tries, error.retry_after)
            if tries == policy.attempts or waited + pause > policy.budget:
                line = (
                    f"{head}: {scrub(error.reason)} after {tries} attempt(s) and {waited:g} s "
                    f"of waiting; " + _RETRY_LATER.format(platform=platform)
                )
                return SendResult(
                    channel, name, ok=False, attempts=tries, error=line, transient=True
                )
            policy.sleep(pause)
            waited += pause
    raise AssertionError("unreachable")  # pragma: no cover


def _slack_ok(answer: _Answer) -> bool:
    return answer.status == 200 and answer.body.strip() == "ok"


def post_slack(
    url: str,
    payload: dict[str, Any],
    *,
    name: str,
    policy: RetryPolicy | None = None,
    timeout: float = 15.0,
) -> SendResult:
    """Post ``payload`` to the Slack incoming webhook ``url`` with ``slack_sdk``.

    Parameters
    ----------
    url
        The webhook URL (a secret: it appears in no result or message).
    payload
        The message, e.g. from :func:`reviewkit.deliver.chat.slack_payload`.
    name
        The variable that holds ``url``: the result's recipient and what messages name.
    policy
        Attempts, time budget and how to wait (default: :class:`RetryPolicy`).
    timeout
        Seconds to wait for each answer.

    Returns
    -------
    SendResult
        ``ok`` when Slack answered 200 ``ok``; otherwise ``error`` is one line with the status,
        Slack's short answer and the fix, and ``transient`` says whether a later run may
        succeed (429, 5xx, no connection, a timeout).
    """
    _remember(url)
    # slack_sdk annotates timeout as int; urllib takes any number of seconds.
    client = WebhookClient(url, timeout=cast(int, timeout), retry_handlers=[], logger=_QUIET)

    def attempt() -> None:
        try:
            response = client.send_dict(payload)
        except (OSError, ValueError, SlackRequestError) as error:
            raise _network(error, timeout) from None
        headers = {str(k): str(v) for k, v in dict(response.headers or {}).items()}
        answer = _Answer(response.status_code, str(response.body or ""), headers)
        _check(answer, platform="Slack", name=name, ok=_slack_ok)

    return _deliver(attempt, channel="slack", name=name, policy=policy)


def _teams_ok(answer: _Answer) -> bool:
    """2xx with an empty body (Workflows: 202) or ``1`` (Office 365 connector: 200)."""
    return 200 <= answer.status < 300 and answer.body.strip() in ("", "1")


def _post_json(url: str, payload: dict[str, Any], timeout: float) -> _Answer:
    """POST ``payload`` as JSON; the answer, error statuses included."""
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8"}
    request = Request(url, data=data, headers=headers, method="POST")
    try:
        with urlopen(request, timeout=timeout) as response:
            body = response.read().decode("utf-8", errors="replace")
            return _Answer(response.status, body, dict(response.headers.items()))
    except HTTPError as error:
        body = error.read().decode("utf-8", errors="replace")
        return _Answer(error.code, body, dict(error.headers.items()))


def post_teams(
    url: str,
    payload: dict[str, Any],
    *,
    name: str,
    policy: RetryPolicy | None = None,
    timeout: float = 15.0,
) -> SendResult:
    """Post ``payload`` to the Microsoft Teams webhook ``url`` (connector or Workflows).

    Parameters
    ----------
    url
        The webhook URL (a secret: it appears in no result or message).
    payload
        The message, e.g. from :func:`reviewkit.deliver.chat.teams_payload`.
    name
        The variable that holds ``url``: the result's recipient and what messages name.
    policy
        Attempts, time budget and how to wait (default: :class:`RetryPolicy`).
    timeout
        Seconds to wait for each answer.

    Returns
    -------
    SendResult
        ``ok`` on a 2xx answer with an empty body or ``1``. An Office 365 connector that
        answers 200 with "delivery failed ... 429" is rate limiting (retried); other failures
        as for :func:`post_slack`.
    """
    _remember(url)

    def attempt() -> None:
        try:
            answer = _post_json(url, payload, timeout)
        except (OSError, ValueError) as error:
            raise _network(error, timeout) from None
        if 200 <= answer.status < 300 and "429" in answer.body and "fail" in answer.body:
            raise TransientError("HTTP 429 (rate limited, reported in a 200 answer)")
        _check(answer, platform="Teams", name=name, ok=_teams_ok)

    return _deliver(attempt, channel="teams", name=name, policy=policy)
