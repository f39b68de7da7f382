"""Delivering a batch's packs: print PDFs, send e-mails and chat messages, log each, once.

:func:`deliver` takes the batch's packs (:class:`~reviewkit.deliver.plan.PackRef`), plans who
has not had them yet (:mod:`reviewkit.deliver.plan`), sends, and records every try in the
store's delivery log. A failed pack is never delivered; the operator gets one e-mail listing
the batch's failures (packs and deliveries) instead. Nothing here rebuilds or removes a pack: a
delivery that fails is tried again by the next run, and the pack stays published.

The lines it returns and logs never hold an address, a URL or a secret: a recipient is named by
its audience and position (``team-b e-mail #2``) or its webhook's variable.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewkit.core.redaction import redact_text
from reviewkit.deliver.config import DeliveryConfig
from reviewkit.deliver.log import LogRow, record, sent_keys, sent_periods
from reviewkit.deliver.message import SendResult
from reviewkit.deliver.plan import PackRef, Send, plan_sends
from reviewkit.errors import ReviewkitError

__all__ = ["DeliveryReport", "deliver"]

_CHANNEL = {"email": "e-mail", "slack": "Slack", "teams": "Teams"}


@dataclass
class DeliveryReport:
    """What a delivery did: messages sent, recipients that already had their pack, failures."""

    sent: int = 0
    already: int = 0
    failures: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    operator_notified: bool = False
    dry_run: bool = False

    def record(self) -> dict[str, Any]:
        """The ``delivery`` block of ``last-batch.json``."""
        return {"sent": self.sent, "already": self.already, "failed": list(self.failures),
                "operator_notified": self.operator_notified, "dry_run": self.dry_run}  # fmt: skip


def _who(send: Send, recipient: str) -> str:
    """A recipient as lines name it: the audience and position, or the webhook variable."""
    if send.channel == "email":
        return f"{send.audience.name} e-mail #{send.audience.email.index(recipient) + 1}"
    return f"{send.audience.name} {_CHANNEL[send.channel]} {recipient}"


class _Run:
    """One delivery under way: its connections, PDFs and log rows."""

    def __init__(self, config: DeliveryConfig, *, log: logging.Logger | None) -> None:
        self.config, self.log = config, log
        self.rows: list[LogRow] = []
        self.report = DeliveryReport()
        self.pdfs: dict[str, Path | str] = {}  # job -> the PDF, or why there is none
        self.stack = contextlib.ExitStack()
        self.smtp: Any = None
        self.smtp_down = ""
        self.printer: Any = None

    # -- senders, opened on first use ---------------------------------------------------------

    def _sender(self) -> Any:
        if self.smtp is None:
            from reviewkit.deliver.smtp import SmtpSender, SmtpSettings

            s = self.config.smtp
            assert s is not None  # checked by load_delivery for every e-mail audience
            settings = SmtpSettings(
                host=s.host, port=s.port, security=s.security, user=s.user,
                password_env=s.password_env, timeout=s.timeout_seconds, cafile=s.cafile,
            )  # fmt: skip
            self.smtp = self.stack.enter_context(SmtpSender(settings, policy=self.config.policy()))
        return self.smtp

    def _pdf(self, send: Send) -> Path | str:
        """The pack's PDF (printed once per pack), or the one line on why there is none."""
        job = send.ref.job
        if job not in self.pdfs:
            from reviewkit.deliver.pdf import PdfPrinter

            try:
                if self.printer is None:
                    self.printer = self.stack.enter_context(PdfPrinter())
                self.pdfs[job] = self.printer.print(send.message.pack)
            except ReviewkitError as exc:
                self.pdfs[job] = str(exc).splitlines()[0]
                self._failure(f"{job}: PDF not made, the pack went as HTML: {exc}")
        return self.pdfs[job]

    # -- sending ------------------------------------------------------------------------------

    def email(self, send: Send) -> list[SendResult]:
        """Send one pack's e-mail to its audience's recipients who lack it."""
        from reviewkit.deliver.email_message import compose

        if self.smtp_down:
            return [SendResult("email", r, False, 0, self.smtp_down, True) for r in send.recipients]
        attach, pdf = send.audience.attach, None
        if send.audience.pdf:
            made = self._pdf(send)
            pdf = made if isinstance(made, Path) else None
            if pdf is None and attach == "pdf":
                attach = "html"  # no Chromium: the pack still goes, as HTML
        smtp = self.config.smtp
        assert smtp is not None
        message = compose(send.message, sender=smtp.sender, recipients=send.recipients,
                          attach=attach, pdf=pdf)  # fmt: skip
        results = self._sender().send(message, recipients=send.recipients)
        if results and all(not r.ok and r.transient for r in results):
            self.smtp_down = results[0].error
        return results

    def chat(self, send: Send) -> list[SendResult]:
        """Post one pack's summary to the audience's Slack or Teams webhook."""
        from reviewkit.deliver.chat import (
            post_slack,
            post_teams,
            slack_payload,
            teams_payload,
            webhook_url,
        )

        name = send.recipients[0]
        try:
            url = webhook_url(name)
        except ReviewkitError as exc:
            return [SendResult(send.channel, name, False, 0, str(exc))]
        policy = self.config.policy()
        if send.channel == "slack":
            result = post_slack(url, slack_payload(send.message), name=name, policy=policy)
        else:
            result = post_teams(url, teams_payload(send.message), name=name, policy=policy)
        return [result]

    def run(self, send: Send, now: dt.datetime) -> None:
        """Send ``send``, log each recipient's outcome, count it."""
        results = self.email(send) if send.channel == "email" else self.chat(send)
        for result in results:
            status = "sent" if result.ok else "failed"
            self.rows.append(LogRow(
                send.message.fingerprint, send.ref.job, send.message.period, send.audience.name,
                send.channel, result.recipient, status, result.attempts, result.error, now,
            ))  # fmt: skip
            who = _who(send, result.recipient)
            if result.ok:
                self.report.sent += 1
            else:
                self._failure(f"{send.ref.job} → {who}: {result.error}")
        ok = sum(r.ok for r in results)
        self._line(f"{send.ref.job} → {send.audience.name}: {_CHANNEL[send.channel]} "
                   f"{ok}/{len(results)} sent")  # fmt: skip

    def _failure(self, line: str) -> None:
        line = redact_text(" ".join(line.split()))
        self.report.failures.append(line)
        if self.log is not None:
            self.log.error("delivery: %s", line)

    def _line(self, line: str) -> None:
        self.report.lines.append(line)
        if self.log is not None:
            self.log.info("delivery: %s", redact_text(line))


def _fingerprints(out: Path, refs: Sequence[PackRef]) -> list[str]:
    from reviewkit.deliver.plan import pack_message

    found = (pack_message(out, r) for r in refs if r.status != "failed" and r.pack)
    return [m.fingerprint for m in found if m is not None]


@contextlib.contextmanager
def _store(path: Path, *, read_only: bool, timezone: str) -> Iterator[Any]:
    from reviewkit.store.schema import connect

    con = connect(path, read_only=read_only, timezone=timezone)
    try:
        yield con
    finally:
        con.close()


def dry_run_lines(sends: Sequence[Send]) -> list[str]:
    """Who would get what: one line per pack, audience and channel (addresses shown)."""
    lines = []
    for s in sends:
        what = s.audience.attach + ("+pdf" if s.audience.pdf and s.audience.attach != "pdf" else "")
        who = ", ".join(s.recipients) or "-"
        had = f" (already sent: {', '.join(s.already)})" if s.already else ""
        extra = f" [{what}]" if s.channel == "email" else ""
        lines.append(f"{s.ref.job} → {s.audience.name} {_CHANNEL[s.channel]}{extra}: {who}{had}")
    return lines


def deliver(
    refs: Sequence[PackRef],
    config: DeliveryConfig,
    *,
    out: Path,
    store: Path,
    timezone: str = "UTC",
    redeliver: bool = False,
    dry_run: bool = False,
    as_of: str = "",
    log: logging.Logger | None = None,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> DeliveryReport:
    """Deliver the packs of a batch to their audiences, each once per build.

    Parameters
    ----------
    refs
        The batch's jobs; failed ones are reported to the operator, never delivered.
    config
        ``params/delivery.yml`` (:func:`reviewkit.deliver.config.load_delivery`).
    out
        The output folder.
    store
        The store file: its ``deliveries`` table says what was already sent.
    redeliver
        Send again what was already sent.
    dry_run
        Send nothing, record nothing: the report's ``lines`` say who would get what.
    as_of
        The batch's review date (the operator's message names it).
    log
        The batch log (one line per send and per failure, no address).

    Returns
    -------
    DeliveryReport
    """
    with _store(store, read_only=dry_run, timezone=timezone) as con:
        sent = sent_keys(con, _fingerprints(out, refs))
        periods = sent_periods(con, [r.job for r in refs])
        sends = plan_sends(refs, config, out=out, sent=sent, periods=periods,
                           redeliver=redeliver)  # fmt: skip
        run = _Run(config, log=log)
        run.report.already = sum(len(s.already) for s in sends)
        if dry_run:
            run.report.dry_run, run.report.lines = True, dry_run_lines(sends)
            return run.report
        with run.stack:
            for send in (s for s in sends if s.recipients):
                start = len(run.rows)
                try:
                    run.run(send, now())
                except Exception as exc:  # one send's bug or fault never stops the others
                    where = f"{send.audience.name} {_CHANNEL[send.channel]}"
                    run._failure(f"{send.ref.job} → {where}: not sent: {exc}")
                record(con, run.rows[start:])  # at once: a crash later never sends it twice
            pack_failures = [f"{r.job}: not built, not delivered: {r.error}"
                             for r in refs if r.status == "failed"]  # fmt: skip
            _notify_operator(run, pack_failures, as_of=as_of)
        return run.report


def _notify_operator(run: _Run, pack_failures: list[str], *, as_of: str) -> None:
    """One e-mail to the operator listing the batch's failures; nothing when there are none."""
    from reviewkit.deliver.email_message import compose_failures

    config = run.config
    lines = [redact_text(" ".join(x.split())) for x in pack_failures] + run.report.failures
    if not lines or not config.operator.email or config.smtp is None or run.smtp_down:
        return
    message = compose_failures(lines, sender=config.smtp.sender,
                               operator=", ".join(config.operator.email), lang=config.lang,
                               title=as_of or dt.date.today().isoformat())  # fmt: skip
    results = run._sender().send(message, recipients=list(config.operator.email))
    run.report.operator_notified = any(r.ok for r in results)
    for r in results:
        if not r.ok:
            run._failure(f"operator e-mail: {r.error}")
