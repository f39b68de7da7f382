"""Posting chat messages: Slack and Teams senders against a local webhook server, and webhook_url.

The senders post to :class:`webhook_server.WebhookServer` on 127.0.0.1; retries wait through
a recorder, never a real sleep; a "hanging" webhook answers only when the server closes.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from webhook_server import WebhookServer, closed_port

from reviewkit.core.retry import RetryPolicy
from reviewkit.deliver.chat import (
    post_slack,
    post_teams,
    slack_payload,
    teams_payload,
    webhook_url,
)
from reviewkit.deliver.message import KpiStatus, PackMessage, SendResult
from reviewkit.errors import DeliveryConfigError

SECRET_PATH = "/services/T0PLANTED/B0PLANTED/pl4nt3dS3cr3tT0k3n"
MESSAGE = PackMessage(
    job="monthly/sales_team-team-a/ja",
    cadence="monthly",
    period="2026-10",
    lang="ja",
    title="月次レビュー 営業チーム: Team A 2026年10月",
    company="株式会社サンプル",
    scope="営業チーム: Team A",
    sentences=("受注金額は目標の 92% です。",),
    kpis=(KpiStatus("受注金額", "near", "△ あと少し", "1,234万円", "1,340万円"),),
    kpi_heading="今月の進捗",
    link="https://packs.example.com/sales/team-a/2026-10/pack.html",
)


@pytest.fixture
def server() -> Any:
    with WebhookServer() as running:
        yield running


def _send(channel: str, url: str, **options: Any) -> SendResult:
    """Post the message of ``channel`` to ``url`` with ``post_slack`` or ``post_teams``."""
    if channel == "slack":
        return post_slack(url, slack_payload(MESSAGE), **options)
    return post_teams(url, teams_payload(MESSAGE), **options)


def _never(seconds: float) -> None:
    raise AssertionError(f"no retry expected, asked to wait {seconds} s")


OK_ANSWER: dict[str, tuple[int, str, dict[str, str]]] = {
    "slack": (200, "ok", {}),
    "teams": (202, "", {}),
}
CHANNELS = ["slack", "teams"]


@pytest.mark.parametrize("channel", CHANNELS)
def test_post_delivers_the_payload(server: WebhookServer, channel: str) -> None:
    server.respond("/hook", [OK_ANSWER[channel]])
    result = _send(channel, server.url("/hook"), name="CHAT_WEBHOOK_A")
    assert result == SendResult(channel, "CHAT_WEBHOOK_A", ok=True, attempts=1)
    (post,) = server.posts("/hook")
    expected = slack_payload(MESSAGE) if channel == "slack" else teams_payload(MESSAGE)
    assert post.body == expected
    assert post.headers["Content-Type"].startswith("application/json")


def test_post_teams_accepts_the_connector_answer(server: WebhookServer) -> None:
    server.respond("/hook", [(200, "1", {})])
    assert _send("teams", server.url("/hook"), name="TEAMS_WEBHOOK").ok


@pytest.mark.parametrize("channel", CHANNELS)
def test_rate_limit_waits_retry_after_then_succeeds(server: WebhookServer, channel: str) -> None:
    server.respond("/hook", [(429, "rate_limited", {"Retry-After": "2"}), OK_ANSWER[channel]])
    waits: list[float] = []
    policy = RetryPolicy(attempts=4, sleep=waits.append)
    result = _send(channel, server.url("/hook"), name="CHAT_WEBHOOK_A", policy=policy)
    assert result.ok and result.attempts == 2
    assert waits == [2.0]
    assert len(server.posts("/hook")) == 2


def test_retry_after_past_the_budget_gives_up(server: WebhookServer) -> None:
    server.respond("/hook", [(429, "rate_limited", {"Retry-After": "30"})])
    policy = RetryPolicy(budget=10, sleep=_never)
    result = _send("slack", server.url("/hook"), name="W", policy=policy)
    assert not result.ok and result.transient and result.attempts == 1
    assert result.error.startswith("slack webhook W: HTTP 429 (rate limited) after 1 attempt(s)")


def test_teams_connector_rate_limit_in_a_200_is_retried(server: WebhookServer) -> None:
    failed = "Webhook message delivery failed with error: Microsoft Teams endpoint returned 429"
    server.respond("/hook", [(200, failed, {}), (200, "1", {})])
    waits: list[float] = []
    result = _send("teams", server.url("/hook"), name="T", policy=RetryPolicy(sleep=waits.append))
    assert result.ok and result.attempts == 2 and waits == [1.0]


@pytest.mark.parametrize("channel", CHANNELS)
def test_server_errors_give_up_after_the_attempts(server: WebhookServer, channel: str) -> None:
    server.respond("/hook", [(503, "service unavailable", {})] * 4)
    waits: list[float] = []
    policy = RetryPolicy(attempts=4, sleep=waits.append)
    result = _send(channel, server.url("/hook"), name="SLACK_WEBHOOK_TEAM_B", policy=policy)
    assert not result.ok and result.transient and result.attempts == 4
    assert waits == [1.0, 2.0, 4.0]
    assert result.error.startswith(
        f"{channel} webhook SLACK_WEBHOOK_TEAM_B: HTTP 503 service unavailable after 4 attempt(s)"
    )
    assert "\n" not in result.error and "the next run tries again" in result.error


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("status,body", [(404, "no_service"), (410, "channel_is_archived")])
def test_removed_webhook_fails_at_once_with_the_fix(
    server: WebhookServer, channel: str, status: int, body: str
) -> None:
    server.respond("/hook", [(status, body, {})])
    waits: list[float] = []
    policy = RetryPolicy(sleep=waits.append)
    result = _send(channel, server.url("/hook"), name="SLACK_WEBHOOK_TEAM_B", policy=policy)
    assert not result.ok and not result.transient and result.attempts == 1
    assert waits == [] and len(server.posts("/hook")) == 1
    assert result.error == (
        f"{channel} webhook SLACK_WEBHOOK_TEAM_B: HTTP {status} {body}; the webhook was removed "
        "or revoked; create a new one and update SLACK_WEBHOOK_TEAM_B"
    )


@pytest.mark.parametrize("channel", CHANNELS)
def test_invalid_payload_is_not_retried(server: WebhookServer, channel: str) -> None:
    server.respond("/hook", [(400, "invalid_payload " + "x" * 500, {})])
    result = _send(channel, server.url("/hook"), name="W", policy=RetryPolicy(sleep=_never))
    assert not result.ok and not result.transient and result.attempts == 1
    assert result.error.startswith(f"{channel} webhook W: HTTP 400 invalid_payload xxx")
    assert "refused the message" in result.error and len(result.error) < 450


@pytest.mark.parametrize("channel", CHANNELS)
def test_timeout_is_transient(server: WebhookServer, channel: str) -> None:
    server.hang("/slow")
    waits: list[float] = []
    policy = RetryPolicy(attempts=2, sleep=waits.append)
    result = _send(channel, server.url("/slow"), name="W", policy=policy, timeout=0.3)
    assert not result.ok and result.transient and result.attempts == 2
    assert "no answer within 0.3 s after 2 attempt(s)" in result.error
    assert waits == [1.0]


@pytest.mark.parametrize("channel", CHANNELS)
def test_connection_refused_is_transient(channel: str) -> None:
    url = f"http://127.0.0.1:{closed_port()}/hook"
    waits: list[float] = []
    policy = RetryPolicy(attempts=3, sleep=waits.append)
    result = _send(channel, url, name="W", policy=policy, timeout=2.0)
    assert not result.ok and result.transient and result.attempts == 3
    assert f"{channel} webhook W: connection refused after 3 attempt(s)" in result.error
    assert waits == [1.0, 2.0]


def test_slack_200_without_ok_is_a_failure(server: WebhookServer) -> None:
    server.respond("/hook", [(200, "invalid_token", {})])
    result = _send("slack", server.url("/hook"), name="W", policy=RetryPolicy(sleep=_never))
    assert not result.ok and not result.transient and result.attempts == 1
    assert "HTTP 200 with the answer 'invalid_token' instead of ok" in result.error


def test_teams_200_with_an_error_body_is_a_failure(server: WebhookServer) -> None:
    server.respond("/hook", [(200, "Bad payload received by generic incoming webhook.", {})])
    result = _send("teams", server.url("/hook"), name="W", policy=RetryPolicy(sleep=_never))
    assert not result.ok and not result.transient
    assert "Bad payload received" in result.error


@pytest.mark.parametrize("channel", CHANNELS)
def test_planted_webhook_url_never_appears(
    server: WebhookServer, channel: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    url = server.url(SECRET_PATH)
    echo = f"bad request to {url} ({SECRET_PATH})"
    server.respond(SECRET_PATH, [(400, echo, {}), (500, echo, {}), (200, echo, {})])
    texts = []
    for _ in range(3):
        result = _send(channel, url, name="W", policy=RetryPolicy(attempts=1, sleep=_never))
        assert not result.ok
        texts += [result.error, result.recipient, repr(result)]
    hanging = server.url("/slow" + SECRET_PATH)
    server.hang("/slow" + SECRET_PATH)
    result = _send(channel, hanging, name="W", policy=RetryPolicy(attempts=1), timeout=0.2)
    texts += [result.error, repr(result)]
    refused = f"http://127.0.0.1:{closed_port()}{SECRET_PATH}"
    texts.append(repr(_send(channel, refused, name="W", policy=RetryPolicy(attempts=1))))
    texts.append(caplog.text)
    assert texts and all("pl4nt3dS3cr3tT0k3n" not in text for text in texts)
    assert any("***" in text for text in texts)


# --- webhook_url -------------------------------------------------------------------------------


@pytest.fixture
def no_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty credentials file, and no webhook variable in the environment."""
    path = tmp_path / "credentials.env"
    path.write_text("# none yet\n", encoding="utf-8")
    monkeypatch.setenv("REVIEWKIT_CREDENTIALS", str(path))
    for name in ("SLACK_WEBHOOK_TEST", "TEAMS_WEBHOOK_TEST"):
        monkeypatch.delenv(name, raising=False)
    return path


def test_webhook_url_from_the_environment(
    no_credentials: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "https://hooks.slack.com" + SECRET_PATH
    monkeypatch.setenv("SLACK_WEBHOOK_TEST", url)
    assert webhook_url("SLACK_WEBHOOK_TEST") == url


def test_webhook_url_from_the_credentials_file(no_credentials: Path) -> None:
    url = "https://example.webhook.office.com/webhookb2/abc@def/IncomingWebhook/123/456"
    no_credentials.write_text(f"# teams\nTEAMS_WEBHOOK_TEST={url}\n", encoding="utf-8")
    assert webhook_url("TEAMS_WEBHOOK_TEST") == url


def test_webhook_url_allows_http_only_locally(
    no_credentials: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_WEBHOOK_TEST", "http://127.0.0.1:8080/hook")
    assert webhook_url("SLACK_WEBHOOK_TEST") == "http://127.0.0.1:8080/hook"
    for bad in ("http://hooks.slack.com" + SECRET_PATH, "ftp://x.example" + SECRET_PATH):
        monkeypatch.setenv("SLACK_WEBHOOK_TEST", bad)
        with pytest.raises(DeliveryConfigError) as raised:
            webhook_url("SLACK_WEBHOOK_TEST")
        message = str(raised.value)
        assert "SLACK_WEBHOOK_TEST" in message and "\n" not in message
        assert "pl4nt3dS3cr3tT0k3n" not in message and "hooks.slack.com" not in message


def test_webhook_url_missing_names_the_variable(no_credentials: Path) -> None:
    with pytest.raises(DeliveryConfigError) as raised:
        webhook_url("SLACK_WEBHOOK_TEST")
    assert raised.value.exit_code == 2
    message = str(raised.value)
    assert message.startswith("delivery: SLACK_WEBHOOK_TEST is not set")
    assert "incoming webhook" in message and str(no_credentials) in message
