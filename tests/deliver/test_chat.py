"""Slack and Teams messages about a pack: payload shape, escaping, limits, and the senders.

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
    MAX_KPIS,
    SLACK_BLOCKS_MAX,
    SLACK_HEADER_MAX,
    SLACK_SECTION_MAX,
    TEAMS_TEXT_MAX,
    post_slack,
    post_teams,
    slack_payload,
    teams_payload,
    teams_text,
    webhook_url,
)
from reviewkit.deliver.message import KpiStatus, PackMessage, SendResult
from reviewkit.errors import DeliveryConfigError
from reviewkit.i18n.texts import t

LINK = "https://packs.example.com/sales/team-a/2026-10/pack.html"
SECRET_PATH = "/services/T0PLANTED/B0PLANTED/pl4nt3dS3cr3tT0k3n"


def _message(lang: str = "en", **changes: Any) -> PackMessage:
    """A hand-made message (the pack's texts as its first screen shows them)."""
    if lang == "ja":
        values: dict[str, Any] = {
            "job": "monthly/sales_team-team-a/ja",
            "title": "月次レビュー 営業チーム: Team A 2026年10月",
            "company": "株式会社サンプル",
            "scope": "営業チーム: Team A",
            "sentences": ("受注金額は目標の 92% です。", "MQL は前月より 12% 増えました。"),
            "kpis": (
                KpiStatus("受注金額", "near", "△ あと少し", "1,234万円", "1,340万円"),
                KpiStatus("MQL", "met", "✓ 達成", "310", "300"),
            ),
            "kpi_heading": "今月の進捗",
        }
    else:
        values = {
            "job": "monthly/sales_team-team-a/en",
            "title": "Monthly review Sales team: Team A October 2026",
            "company": "Sample Inc.",
            "scope": "Sales team: Team A",
            "sentences": ("Won revenue is at 92% of target.", "MQLs rose 12% on September."),
            "kpis": (
                KpiStatus("Won revenue", "near", "△ Close", "¥12.3M", "¥13.4M"),
                KpiStatus("MQL", "met", "✓ Met", "310", "300"),
                KpiStatus("Pipeline", "no_target", "– No target", "¥40M"),
            ),
            "kpi_heading": "KPI status",
        }
    base = {"cadence": "monthly", "period": "2026-10", "lang": lang, "link": LINK, **values}
    return PackMessage(**{**base, **changes})


def _texts(payload: Any) -> list[str]:
    """Every string in a payload, at any depth."""
    if isinstance(payload, str):
        return [payload]
    if isinstance(payload, dict):
        return [text for value in payload.values() for text in _texts(value)]
    if isinstance(payload, list | tuple):
        return [text for value in payload for text in _texts(value)]
    return []


def _card(payload: dict[str, Any]) -> dict[str, Any]:
    (attachment,) = payload["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card: dict[str, Any] = attachment["content"]
    return card


# --- Slack payload -----------------------------------------------------------------------------


def test_slack_payload_has_title_summary_kpis_and_link() -> None:
    payload = slack_payload(_message())
    header, summary, kpis, link = payload["blocks"]
    assert payload["text"] == "Monthly review Sales team: Team A October 2026"
    assert header == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Monthly review Sales team: Team A October 2026"},
    }
    assert summary["text"] == {
        "type": "mrkdwn",
        "text": "• Won revenue is at 92% of target.\n• MQLs rose 12% on September.",
    }
    assert kpis["text"]["text"].splitlines() == [
        "*KPI status*",
        "△ Close *Won revenue* ¥12.3M / ¥13.4M",
        "✓ Met *MQL* 310 / 300",
        "– No target *Pipeline* ¥40M",
    ]
    assert link["text"]["text"] == f"<{LINK}|Open the review pack>"


def test_slack_japanese_text_is_intact() -> None:
    message = _message("ja")
    payload = slack_payload(message)
    header, summary, kpis, link = payload["blocks"]
    assert header["text"]["text"] == message.title
    assert summary["text"]["text"] == "\n".join(f"• {s}" for s in message.sentences)
    assert "△ あと少し *受注金額* 1,234万円 / 1,340万円" in kpis["text"]["text"]
    assert kpis["text"]["text"].startswith("*今月の進捗*\n")
    assert link["text"]["text"] == f"<{LINK}|{t('chat.open_pack', 'ja')}>"


def test_slack_escapes_control_characters_of_pack_text() -> None:
    message = _message(
        title="<script>&alert</script>",
        sentences=("Team <!channel> & <https://evil.example|click> grew",),
        kpis=(KpiStatus("*VIP*", "met", "✓ Met", "_1_", "~2~ `3`"),),
    )
    payload = slack_payload(message)
    header, summary, kpis, _ = payload["blocks"]
    assert header["text"]["text"] == "&lt;script&gt;&amp;alert&lt;/script&gt;"
    assert payload["text"] == "&lt;script&gt;&amp;alert&lt;/script&gt;"
    assert summary["text"]["text"] == (
        "• Team &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt; grew"
    )
    # The label is bold by the message's own marks; its asterisks are look-alikes Slack
    # does not parse, so "*VIP*" shows literally instead of turning bold.
    assert kpis["text"]["text"].splitlines()[1] == "✓ Met *∗VIP∗* ˍ1ˍ / ∼2∼ ˋ3ˋ"
    pack_texts = [s for s in _texts(payload) if "VIP" in s]
    assert pack_texts and all("*VIP*" not in s for s in pack_texts)


def test_slack_line_breaks_in_pack_text_cannot_start_a_quote() -> None:
    payload = slack_payload(_message(sentences=("first\n> quoted\n*bold*",)))
    assert payload["blocks"][1]["text"]["text"] == "• first &gt; quoted ∗bold∗"


def test_slack_without_link_says_where_the_pack_is() -> None:
    for lang in ("ja", "en"):
        blocks = slack_payload(_message(lang, link=""))["blocks"]
        assert blocks[-1] == {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": t("chat.no_link", lang)}],
        }
        assert not any("<http" in text for text in _texts(blocks))


def test_slack_link_is_escaped_and_only_http() -> None:
    link = "https://packs.example.com/a|b/pack.html?x=1&y=<2>"
    payload = slack_payload(_message(link=link))
    assert payload["blocks"][-1]["text"]["text"] == (
        "<https://packs.example.com/a%7Cb/pack.html?x=1&amp;y=%3C2%3E|Open the review pack>"
    )
    for bad in ("javascript:alert(1)", "file:///srv/packs/pack.html"):
        assert slack_payload(_message(link=bad))["blocks"][-1]["type"] == "context"


def test_slack_limits_are_respected() -> None:
    many = tuple(KpiStatus(f"KPI {i} &", "met", "✓ Met", "1,000", "900") for i in range(400))
    message = _message(
        title="&" * 400,
        sentences=tuple(f"Sentence {i} " + "x" * 90 for i in range(100)),
        kpis=many,
    )
    payload = slack_payload(message)
    blocks = payload["blocks"]
    assert len(blocks) <= SLACK_BLOCKS_MAX
    header = blocks[0]["text"]["text"]
    assert len(header) <= SLACK_HEADER_MAX and header.endswith("&amp;…")
    assert header.replace("&amp;", "") == "…"  # no half entity before the cut
    for block in blocks[1:3]:
        text = block["text"]["text"]
        assert len(text) <= SLACK_SECTION_MAX
        assert text.endswith("\n…")
    spaced = slack_payload(_message(title="Team A & B " * 40))
    assert spaced["blocks"][0]["text"]["text"].startswith("Team A &amp; B Team A &amp; B")
    assert spaced["text"] == _message(title="Team A & B " * 40).title.strip().replace("&", "&amp;")
    one_long = slack_payload(_message(sentences=("y" * 5000,)))["blocks"][1]["text"]["text"]
    assert len(one_long) <= SLACK_SECTION_MAX and one_long.endswith("y…")


# --- Teams payload -----------------------------------------------------------------------------


def test_teams_payload_is_an_adaptive_card_with_an_open_button() -> None:
    payload = teams_payload(_message())
    assert payload["type"] == "message"
    card = _card(payload)
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    texts = [block["text"] for block in card["body"]]
    assert texts == [
        "Monthly review Sales team: Team A October 2026",
        "• Won revenue is at 92% of target.",
        "• MQLs rose 12% on September.",
        "KPI status",
        "△ Close **Won revenue** ¥12.3M / ¥13.4M",
        "✓ Met **MQL** 310 / 300",
        "– No target **Pipeline** ¥40M",
    ]
    assert all(block["type"] == "TextBlock" and block["wrap"] for block in card["body"])
    assert card["body"][0]["weight"] == "Bolder"
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Open the review pack", "url": LINK}
    ]


def test_teams_japanese_and_no_link() -> None:
    message = _message("ja", link="")
    card = _card(teams_payload(message))
    texts = [block["text"] for block in card["body"]]
    assert texts[0] == message.title
    assert texts[1:3] == [f"• {s}" for s in message.sentences]
    assert "△ あと少し **受注金額** 1,234万円 / 1,340万円" in texts
    assert texts[-1] == t("chat.no_link", "ja") and card["body"][-1]["isSubtle"] is True
    assert "actions" not in card


def test_teams_escapes_markdown_of_pack_text() -> None:
    message = _message(
        title="# *VIP* [segment](https://evil.example) back\\slash <b>x</b>",
        sentences=("- not a list", "1. not numbered", "under_score & more"),
        kpis=(KpiStatus("*VIP*", "met", "✓ Met", "1", "2"),),
    )
    texts = [block["text"] for block in _card(teams_payload(message))["body"]]
    assert texts[0] == r"\# \*VIP\* \[segment\](https://evil.example) back\\slash <b>x</b>"
    assert texts[1:4] == [r"• - not a list", r"• 1. not numbered", r"• under\_score & more"]
    assert r"✓ Met **\*VIP\*** 1 / 2" in texts


def test_teams_text_escapes_line_starts_and_is_cut() -> None:
    assert teams_text("1. First") == r"1\. First"
    assert teams_text("2) Second") == r"2\) Second"
    assert teams_text("+ plus") == r"\+ plus" and teams_text("> quote") == r"\> quote"
    assert teams_text("- a\n- b") == r"\- a - b"
    assert teams_text("a - b 1. c # d") == "a - b 1. c # d"
    assert teams_text("-5%", starts_line=False) == "-5%"
    assert teams_text("a b " * 1000).startswith("a b a b")
    long = teams_text("*" * 3000)
    assert len(long) <= TEAMS_TEXT_MAX and long.endswith("\\*…")
    card = _card(teams_payload(_message(kpis=tuple(_message().kpis * 30))))
    assert len(card["body"]) == 4 + MAX_KPIS + 1 and card["body"][-1]["text"] == "…"


# --- Senders -----------------------------------------------------------------------------------


@pytest.fixture
def server() -> Any:
    with WebhookServer() as running:
        yield running


def _send(channel: str, url: str, **options: Any) -> SendResult:
    """Post the message of ``channel`` to ``url`` with ``post_slack`` or ``post_teams``."""
    if channel == "slack":
        return post_slack(url, slack_payload(_message()), **options)
    return post_teams(url, teams_payload(_message()), **options)


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
    expected = slack_payload(_message()) if channel == "slack" else teams_payload(_message())
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
