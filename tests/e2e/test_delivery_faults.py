"""Delivery faults against real servers on 127.0.0.1: every failure reported once, no pack lost.

One workspace builds the company's monthly pack and Team A's, and its delivery meets, in
turn: an SMTP server that is down and a webhook answering 500 (exit 3, packs published, one
line per failure, retried by the next run), a refused login, a bounced recipient, a pack that
fails (never delivered; the operator gets the list), and a broken delivery file (nothing
built). The tests run in file order on one workspace.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import duckdb
import pytest
from builders import DEMO_DATE
from smtp_server import SmtpServer, closed_port
from webhook_server import WebhookServer

from reviewkit.cli.main import main

pytestmark = pytest.mark.integration

SCHEDULE = """\
packs:
  - name: company
    cadences: [monthly]
    langs: [ja]
  - name: teams
    cadences: [monthly]
    langs: [ja]
    segments:
      sales_team: [{teams}]
"""

DELIVERY = """\
smtp:
  host: 127.0.0.1
  port: {port}
  security: none
  sender: reviewkit@example.com
  timeout_seconds: 3
operator:
  email: [ops@example.com]
retry:
  attempts: 2
  budget_seconds: 0
audiences:
  - name: managers
    packs: company
    email: [ceo@example.com, {second}]
    slack: SLACK_WEBHOOK_FAULTS
  - name: team-a
    packs: teams
    segments: [Team A]
    email: [lead-a@example.com]
{extra}"""

HOOK = "/services/T0FAULT/B0FAULT/fault0token0planted"
COMPANY, TEAM_A = "monthly/company/ja", "monthly/sales_team-team-a/ja"


def write(ws: Path, *, port: int, second: str = "cmo@example.com", teams: str = "Team A",
          extra: str = "") -> None:  # fmt: skip
    (ws / "params" / "schedule.yml").write_text(SCHEDULE.format(teams=teams), "utf-8")
    text = DELIVERY.format(port=port, second=second, extra=extra)
    (ws / "params" / "delivery.yml").write_text(text, encoding="utf-8")


def batch(ws: Path, *args: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    argv = ["batch", "--jobs", "2", "--as-of", DEMO_DATE, "--workspace", str(ws), *args]
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(argv)
    return code, stdout.getvalue(), stderr.getvalue()


def last(ws: Path) -> dict:
    return json.loads((ws / "outputs" / "_logs" / "last-batch.json").read_text("utf-8"))


def log_rows(ws: Path) -> list[tuple]:
    con = duckdb.connect(str(ws / "data" / "reviewkit.duckdb"), read_only=True)
    try:
        return con.execute(
            "SELECT job, audience, channel, recipient, status FROM deliveries ORDER BY sent_at"
        ).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def hooks():
    with WebhookServer() as server:
        yield server


@pytest.fixture(scope="module")
def ws(sample_workspace, tmp_path_factory, hooks):
    from shutil import copy, copytree

    root = tmp_path_factory.mktemp("faults") / "ws"
    copytree(sample_workspace.root / "params", root / "params")
    (root / "data").mkdir()
    copy(sample_workspace.store_path, root / "data" / "reviewkit.duckdb")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SLACK_WEBHOOK_FAULTS", hooks.url(HOOK))
        patch.setenv("REVIEWKIT_CREDENTIALS", str(root.parent / "none.env"))
        yield root


def test_smtp_down_and_a_failing_webhook_keep_the_packs_and_exit_3(ws, hooks):
    write(ws, port=closed_port())
    hooks.respond(HOOK, [(500, "server_error", {})])  # retry budget 0: one try a run
    code, stdout, stderr = batch(ws)
    assert code == 3, stderr
    assert "2 built, 0 skipped, 0 failed" in stdout
    failures = [line for line in stderr.splitlines() if line.startswith("delivery failed")]
    # ceo, cmo, lead-a by e-mail and the Slack webhook: one line each
    assert len(failures) == 4, stderr
    assert any("SLACK_WEBHOOK_FAULTS" in line and "500" in line for line in failures)
    assert any("managers e-mail #2" in line for line in failures)
    record = last(ws)
    assert record["counts"]["built"] == 2 and len(record["delivery"]["failed"]) == 4
    index = (ws / "outputs" / "index.html").read_text(encoding="utf-8")
    assert 'data-delivery="failed"' in index and "SLACK_WEBHOOK_FAULTS" in index
    published = [*(ws / "outputs" / "_logs").iterdir(), ws / "outputs" / "index.html"]
    for path in published:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert "@example.com" not in text and "fault0token0planted" not in text, path
    assert {r[4] for r in log_rows(ws)} == {"failed"}
    assert len(list((ws / "outputs").rglob("pack.html"))) == 2  # published all the same


def test_the_next_run_delivers_what_did_not_go_once(ws, hooks):
    with SmtpServer() as smtp:
        write(ws, port=smtp.port)
        code, stdout, stderr = batch(ws)
        assert code == 0, stderr
        assert "0 built, 2 skipped, 0 failed" in stdout  # no pack rebuilt for the delivery
        got = sorted((r.message["X-Reviewkit-Job"], r.rcpt_tos) for r in smtp.received)
        assert got == [(COMPANY, ("ceo@example.com", "cmo@example.com")),
                       (TEAM_A, ("lead-a@example.com",))]  # fmt: skip
        assert len(hooks.posts(HOOK)) == 2  # the 500, then the one that went
        code, stdout, _ = batch(ws)
        assert code == 0 and len(smtp.received) == 2 and len(hooks.posts(HOOK)) == 2
    assert [r[4] for r in log_rows(ws)].count("sent") == 4


def test_a_bounced_recipient_fails_alone(ws, hooks):
    with SmtpServer(
        reject={"bounce@example.com": "550 5.1.1 <bounce@example.com> unknown"}
    ) as smtp:
        write(ws, port=smtp.port, second="bounce@example.com")
        code, _, stderr = batch(ws, "--redeliver", "--only", "company")
        assert code == 3
        failures = [line for line in stderr.splitlines() if line.startswith("delivery failed")]
        assert len(failures) == 1 and "managers e-mail #2" in failures[0] and "550" in failures[0]
        assert "bounce@" not in stderr
        delivered = [r.rcpt_tos for r in smtp.received if r.rcpt_tos != ("ops@example.com",)]
        assert delivered == [("ceo@example.com",)]  # the other recipient still got it
        operator = [r for r in smtp.received if r.rcpt_tos == ("ops@example.com",)]
        assert len(operator) == 1
        body = operator[0].message.get_body(preferencelist=("plain",)).get_content()
        assert "managers e-mail #2" in body and "bounce@" not in body


def test_a_refused_login_says_which_variable_and_never_the_password(ws, hooks, monkeypatch):
    with SmtpServer(tls=True, auth={"reviewkit": "the-right-one"}) as smtp:
        write(ws, port=smtp.port)
        text = (
            (ws / "params" / "delivery.yml")
            .read_text("utf-8")
            .replace(
                "  security: none\n",
                f"  security: starttls\n  user: reviewkit\n  cafile: {smtp.cafile}\n",
            )
        )
        (ws / "params" / "delivery.yml").write_text(text, "utf-8")
        monkeypatch.setenv("REVIEWKIT_SMTP_PASSWORD", "Wr0ng-planted-pass")
        code, _, stderr = batch(ws, "--redeliver", "--only", "company")
        assert code == 3
        assert "REVIEWKIT_SMTP_PASSWORD" in stderr and "Wr0ng-planted-pass" not in stderr
        assert smtp.received == []
        log = (ws / "outputs" / "_logs").glob("batch-*.log")
        assert all("Wr0ng-planted-pass" not in p.read_text("utf-8") for p in log)


def test_a_failed_pack_is_never_delivered_and_the_operator_gets_the_list(ws, hooks):
    with SmtpServer() as smtp:
        extra = ("  - name: team-z\n    packs: teams\n    segments: [Team Z]\n"
                 "    email: [lead-z@example.com]\n")  # fmt: skip
        write(ws, port=smtp.port, teams="Team A, Team Z", extra=extra)
        code, _, stderr = batch(ws)
        assert code == 1, stderr  # a failed pack outranks a delivery
        assert not any("lead-z@example.com" in r.rcpt_tos for r in smtp.received)
        (operator,) = [r for r in smtp.received if r.rcpt_tos == ("ops@example.com",)]
        body = operator.message.get_body(preferencelist=("plain",)).get_content()
        assert "monthly/sales_team-team-z/ja" in body and "not built" in body
        assert last(ws)["delivery"]["failed"] == []


def test_a_broken_delivery_file_builds_nothing(ws):
    (ws / "params" / "delivery.yml").write_text(
        "audiences:\n  - name: x\n    packs: teams\n    segments: [Team Q]\n"
        "    slack: SLACK_X\n", encoding="utf-8")  # fmt: skip
    before = last(ws)["started_at"]
    code, _, stderr = batch(ws)
    assert code == 2
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert "delivery.yml:4: audiences.0.segments.0: 'Team Q'" in stderr
    assert last(ws)["started_at"] == before  # no batch ran
