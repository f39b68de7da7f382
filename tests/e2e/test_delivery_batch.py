"""Packs reach their people: a real batch, a real SMTP server and webhooks on 127.0.0.1.

One copy of the sample workspace builds six packs (the company's weekly and monthly packs in
Japanese and English, Teams A and B's monthly packs) and delivers them as its
``params/delivery.yml`` says. The received messages are parsed back and compared with the
packs themselves (the summary box of ``pack.html`` read with BeautifulSoup, the published
bytes, the PDF read with pypdf); a rerun sends nothing; nothing published names a recipient.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from builders import DEMO_DATE
from pypdf import PdfReader
from smtp_server import SmtpServer
from webhook_server import WebhookServer

from reviewkit.cli.main import main

pytestmark = pytest.mark.integration

SCHEDULE = """\
packs:
  - name: company
    cadences: [weekly, monthly]
    langs: [ja, en]
  - name: teams
    cadences: [monthly]
    langs: [ja]
    segments:
      sales_team: [Team A, Team B]
"""

DELIVERY = """\
site:
  url: https://reviews.example.com/packs
  dir: {site}
smtp:
  host: 127.0.0.1
  port: {port}
  security: starttls
  user: reviewkit
  sender: "reviewkit <reviewkit@example.com>"
  cafile: {cafile}
  timeout_seconds: 5
operator:
  email: [ops@example.com]
  lang: en
retry:
  attempts: 2
  budget_seconds: 0
audiences:
  - name: managers
    packs: company
    langs: [ja]
    email: [ceo@example.com, cmo@example.com]
    slack: SLACK_WEBHOOK_MANAGERS
    attach: link
  - name: intl
    packs: company
    langs: [en]
    cadences: [monthly]
    email: [intl@example.com]
    teams: TEAMS_WEBHOOK_INTL
  - name: team-a
    packs: teams
    segments: [Team A]
    email: [lead-a@example.com]
    pdf: true
  - name: team-b
    packs: teams
    segments: [Team B]
    email: [lead-b@example.com]
"""

PASSWORD = "planted-Smtp-Pa55word"
SLACK_TOKEN = "T0PLANTED/B0PLANTED/planted0slack0token"
# who receives which pack: the whole truth, nothing more
EXPECTED = {
    "ceo@example.com": {"weekly/company/ja", "monthly/company/ja"},
    "cmo@example.com": {"weekly/company/ja", "monthly/company/ja"},
    "intl@example.com": {"monthly/company/en"},
    "lead-a@example.com": {"monthly/sales_team-team-a/ja"},
    "lead-b@example.com": {"monthly/sales_team-team-b/ja"},
}


def batch(root: Path, *args: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    argv = ["batch", "--jobs", "2", "--as-of", DEMO_DATE, "--workspace", str(root), *args]
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(argv)
    return code, stdout.getvalue(), stderr.getvalue()


def cli(*argv: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(list(argv))
    return code, stdout.getvalue(), stderr.getvalue()


def manifests(root: Path) -> dict[str, dict]:
    """Every published pack's manifest by its job name, with ``_pack`` (pack.html) added."""
    from reviewkit.deliver.site import job_of

    found = {}
    for path in (root / "outputs").rglob("manifest.json"):
        if "_" in path.relative_to(root / "outputs").parts[0][:1]:
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        found[job_of(data)] = data | {"_pack": path.parent / "pack.html"}
    return found


def sentences(pack: Path) -> list[str]:
    """The summary box of a published pack, read independently of summary.json."""
    soup = BeautifulSoup(pack.read_text(encoding="utf-8"), "html.parser")
    items = soup.select("div.rk-summary li")
    return ["".join(li.get_text("").split()).removesuffix("→") for li in items]


@pytest.fixture(scope="module")
def servers():
    with SmtpServer(tls=True, auth={"reviewkit": PASSWORD}) as smtp, WebhookServer() as hooks:
        yield smtp, hooks


@pytest.fixture(scope="module")
def ws(sample_workspace, tmp_path_factory, servers):
    from shutil import copy, copytree

    smtp, hooks = servers
    root = tmp_path_factory.mktemp("deliver") / "ws"
    copytree(sample_workspace.root / "params", root / "params")
    (root / "data").mkdir()
    copy(sample_workspace.store_path, root / "data" / "reviewkit.duckdb")
    (root / "params" / "schedule.yml").write_text(SCHEDULE, encoding="utf-8")
    (root / "params" / "delivery.yml").write_text(
        DELIVERY.format(site=root.parent / "site", port=smtp.port, cafile=smtp.cafile), "utf-8"
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REVIEWKIT_SMTP_PASSWORD", PASSWORD)
        patch.setenv("SLACK_WEBHOOK_MANAGERS", hooks.url(f"/services/{SLACK_TOKEN}"))
        patch.setenv("TEAMS_WEBHOOK_INTL", hooks.url("/teams/intl-planted-key"))
        patch.setenv("REVIEWKIT_CREDENTIALS", str(root.parent / "no-credentials.env"))
        yield root


@pytest.fixture(scope="module")
def first(ws, servers):
    smtp, hooks = servers
    hooks.respond("/teams/intl-planted-key", [(202, "", {})] * 3)  # as Teams Workflows answer
    code, stdout, stderr = batch(ws)
    return code, stdout, stderr, list(smtp.received), list(hooks.posts())


def by_recipient(received) -> dict[str, set[str]]:
    """recipient -> the jobs of the packs it received (from the attachment or the link)."""
    got: dict[str, set[str]] = {}
    for r in received:
        job = r.message["X-Reviewkit-Job"]
        for rcpt in r.rcpt_tos:
            got.setdefault(rcpt, set()).add(str(job))
    return got


def test_each_audience_receives_exactly_its_packs(first):
    code, stdout, stderr, received, posts = first
    assert code == 0, stderr
    assert by_recipient(received) == EXPECTED
    assert len(received) == 5  # one message per pack and audience, recipients together
    assert not any("ops@example.com" in r.rcpt_tos for r in received)  # nothing failed
    assert "delivered: 10 sent, 0 already had it, 0 failed" in stdout
    assert sorted(p.path.split("/")[1] for p in posts) == ["services", "services", "teams"]


def test_each_message_says_what_its_pack_says(ws, first):
    _, _, _, received, _ = first
    packs = manifests(ws)
    for r in received:
        job = str(r.message["X-Reviewkit-Job"])
        manifest = packs[job]
        assert r.message["Subject"] == f"[{manifest['company']}] {manifest['title']}"
        if manifest["lang"] == "ja":  # a Japanese subject travels RFC 2047-encoded
            header = re.search(rb"^Subject: (.*(?:\r?\n[ \t].*)*)", r.raw, re.M).group(1)
            assert b"=?utf-8?" in header.lower() and not re.search(rb"[\x80-\xff]", header)
        plain = r.message.get_body(preferencelist=("plain",)).get_content()
        flat = "".join(plain.split())
        expected = sentences(manifest["_pack"])
        assert len(expected) >= 2
        for sentence in expected:
            assert sentence in flat, (job, sentence)
        html = r.message.get_body(preferencelist=("html",)).get_content()
        assert "<script" not in html.lower()


def test_attachments_and_links_are_the_published_packs(ws, first):
    _, _, _, received, _ = first
    packs = manifests(ws)
    site = ws.parent / "site"
    for r in received:
        job = str(r.message["X-Reviewkit-Job"])
        pack = packs[job]["_pack"]
        files = {a.get_filename(): a for a in r.message.iter_attachments()}
        rel = pack.relative_to(ws / "outputs").as_posix()
        if "ceo@example.com" in r.rcpt_tos:  # attach: link
            assert files == {}
            link = f"https://reviews.example.com/packs/managers/{rel}"
            assert link in r.message.get_body(preferencelist=("plain",)).get_content()
            assert (site / "managers" / rel).read_bytes() == pack.read_bytes()
            continue
        html = [a for name, a in files.items() if name.endswith(".html")]
        assert len(html) == 1 and html[0].get_content_type() == "text/html"
        assert html[0].get_payload(decode=True) == pack.read_bytes()
        pdfs = [a for name, a in files.items() if name.endswith(".pdf")]
        assert len(pdfs) == (1 if "lead-a@example.com" in r.rcpt_tos else 0)
        if pdfs:
            reader = PdfReader(io.BytesIO(pdfs[0].get_payload(decode=True)))
            assert len(reader.pages) >= 2
            box = reader.pages[0].mediabox
            assert (round(float(box.width)), round(float(box.height))) == (842, 595)


def test_chat_messages_carry_the_summary_and_the_link(ws, first):
    _, _, _, _, posts = first
    packs = manifests(ws)
    slack = [p for p in posts if p.path.startswith("/services/")]
    assert {p.path for p in slack} == {f"/services/{SLACK_TOKEN}"}
    for post, job in zip(slack, ("weekly/company/ja", "monthly/company/ja"), strict=False):
        text = json.dumps(post.body, ensure_ascii=False)
        assert packs[job]["title"] in text or packs[job]["title"].replace("&", "&amp;") in text
    texts = {json.dumps(p.body, ensure_ascii=False) for p in slack}
    for job in ("weekly/company/ja", "monthly/company/ja"):
        rel = packs[job]["_pack"].relative_to(ws / "outputs").as_posix()
        assert any(f"https://reviews.example.com/packs/managers/{rel}" in t for t in texts)
    (teams,) = [p for p in posts if p.path.startswith("/teams/")]
    card = json.dumps(teams.body, ensure_ascii=False)
    assert "AdaptiveCard" in card
    first_sentence = sentences(packs["monthly/company/en"]["_pack"])[0]
    assert first_sentence[:20] in "".join(card.split()).replace("\\", "")


def test_a_rerun_sends_nothing_new(ws, first, servers):
    smtp, hooks = servers
    before = (len(smtp.received), len(hooks.posts()))
    code, stdout, stderr = batch(ws)
    assert code == 0, stderr
    assert (len(smtp.received), len(hooks.posts())) == before
    assert "delivered: 0 sent, 10 already had it, 0 failed" in stdout
    record = json.loads((ws / "outputs" / "_logs" / "last-batch.json").read_text("utf-8"))
    assert record["counts"]["skipped"] == 6
    assert record["delivery"]["sent"] == 0 and record["delivery"]["already"] == 10


def test_the_next_days_rebuild_of_a_delivered_period_is_not_sent_again(ws, first, servers):
    smtp, hooks = servers
    before = (len(smtp.received), len(hooks.posts()))
    code, stdout, stderr = batch(ws, "--as-of", "2026-11-24", "--only", "monthly/*")
    assert code == 0, stderr
    assert "4 built, 0 skipped" in stdout  # a new review date rebuilds every pack
    assert (len(smtp.received), len(hooks.posts())) == before  # resend: period
    assert "delivered: 0 sent, 7 already had it, 0 failed" in stdout


def test_dry_run_shows_who_would_get_what_and_redeliver_forces(ws, first, servers):
    smtp, hooks = servers
    before = len(smtp.received)
    code, stdout, _ = cli("deliver", "--dry-run", "--workspace", str(ws))
    assert code == 0
    assert (
        "monthly/sales_team-team-a/ja → team-a e-mail [html+pdf]: - (already sent: "
        "lead-a@example.com)" in stdout
    )
    assert len(smtp.received) == before
    code, stdout, stderr = cli("deliver", "--redeliver", "--only", "monthly/sales_team-team-b/*",
                               "--workspace", str(ws))  # fmt: skip
    assert code == 0, stderr
    new = smtp.received[before:]
    assert [r.rcpt_tos for r in new] == [("lead-b@example.com",)]
    assert len(hooks.posts()) == 3


def test_nothing_published_names_a_recipient_or_holds_a_secret(ws, first):
    published = [
        *(ws / "outputs" / "_logs").iterdir(), ws / "outputs" / "index.html",
        *(ws.parent / "site").rglob("index.html"), *(ws / "outputs").rglob("manifest.json"),
        *(ws / "outputs").rglob("summary.json"),
    ]  # fmt: skip
    assert len(published) > 10
    for path in published:
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            for secret in ("@example.com", PASSWORD, SLACK_TOKEN, "intl-planted-key"):
                assert secret not in text, (path, secret)
    index = (ws / "outputs" / "index.html").read_text(encoding="utf-8")
    assert 'data-delivery="sent"' in index


def test_each_teams_site_folder_lists_only_its_packs(ws, first):
    site = ws.parent / "site"
    assert sorted(p.name for p in site.iterdir() if not p.name.startswith(".")) == [
        "intl",
        "managers",
        "team-a",
        "team-b",
    ]
    a = (site / "team-a" / "index.html").read_text(encoding="utf-8")
    assert "sales_team-team-a" in a and "sales_team-team-b" not in a
    assert sorted(p.parent.name for p in (site / "team-b").rglob("pack.html")) == [
        "sales_team-team-b"
    ]
    managers = {p.relative_to(site / "managers").as_posix()
                for p in (site / "managers").rglob("pack.html")}  # fmt: skip
    assert all("sales_team" not in p and "/en/" not in p for p in managers)
