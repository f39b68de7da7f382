"""Slack and Teams messages about a pack: payload shape, escaping and limits (no network).

The senders are tested in ``test_chat_send.py`` against a local webhook server.
"""

from __future__ import annotations

from typing import Any

from reviewkit.deliver.chat import (
    MAX_KPIS,
    SLACK_BLOCKS_MAX,
    SLACK_HEADER_MAX,
    SLACK_SECTION_MAX,
    TEAMS_TEXT_MAX,
    slack_payload,
    teams_payload,
    teams_text,
)
from reviewkit.deliver.message import KpiStatus, PackMessage
from reviewkit.i18n.texts import t

LINK = "https://packs.example.com/sales/team-a/2026-10/pack.html"


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
