"""Which built pack goes to whom, and what is already there: the delivery plan of a batch.

A batch's packs (:class:`PackRef`: built, skipped as unchanged, or failed) meet the audiences of
``params/delivery.yml``; each (pack, audience, channel) becomes a :class:`Send` to the
recipients that have not had this pack's fingerprint yet. A failed pack is never planned.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from reviewkit.deliver.config import Audience, DeliveryConfig
from reviewkit.deliver.log import Key, PeriodKey
from reviewkit.deliver.message import KpiStatus, PackMessage

__all__ = ["PackRef", "Send", "mask", "pack_message", "plan_sends"]


@dataclass(frozen=True)
class PackRef:
    """One job of a batch: its name, what became of it, its published pack."""

    job: str
    status: str  # built, skipped or failed
    pack: str = ""  # pack.html relative to the output folder
    error: str = ""
    period: str = ""


@dataclass
class Send:
    """One message to send: a pack to one audience on one channel."""

    ref: PackRef
    audience: Audience
    channel: str  # email, slack or teams
    recipients: list[str]
    message: PackMessage
    already: list[str] = field(default_factory=list)  # recipients that have it: not re-sent


def mask(recipient: str) -> str:
    """An address as logs may show it (``t***@example.co.jp``); a variable name as it is."""
    local, at, domain = recipient.partition("@")
    return f"{local[:1]}***@{domain}" if at else recipient


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _link(config: DeliveryConfig, audience: Audience, rel: str) -> str:
    """The pack's address on the published site (per audience when the site is laid out)."""
    if not config.site_url:
        return ""
    parts = [config.site_url, audience.name, rel] if config.site_dir else [config.site_url, rel]
    return "/".join(p.strip("/") if i else p for i, p in enumerate(parts))


def pack_message(out: Path, ref: PackRef, *, link: str = "") -> PackMessage | None:
    """The message about ``ref``'s pack, from its manifest and ``summary.json``.

    ``None`` when the pack or its manifest is gone (nothing to deliver).
    """
    pack = out / ref.pack
    manifest = _read(pack.parent / "manifest.json")
    if not pack.is_file() or not manifest:
        return None
    summary = _read(pack.parent / "summary.json")
    segment = manifest.get("segment") if isinstance(manifest.get("segment"), dict) else None
    kpis = tuple(
        KpiStatus(str(k.get("label", "")), str(k.get("status", "")),
                  str(k.get("status_text", "")), str(k.get("actual", "")),
                  str(k.get("target", "")))
        for k in summary.get("kpis", []) if isinstance(k, dict)
    )  # fmt: skip
    return PackMessage(
        job=ref.job, cadence=str(manifest.get("cadence", "")),
        period=str(manifest.get("period", ref.period)), lang=str(manifest.get("lang", "")),
        title=str(manifest.get("title", ref.job)), company=str(manifest.get("company", "")),
        scope=str(segment.get("label", "")) if segment else "",
        sentences=tuple(str(s) for s in summary.get("sentences", [])), kpis=kpis,
        kpi_heading=str(summary.get("kpi_heading", "")), link=link, pack=pack,
        fingerprint=str(manifest.get("inputs_digest", "")),
    )  # fmt: skip


def _channels(audience: Audience) -> list[tuple[str, list[str]]]:
    channels = [("email", list(audience.email))] if audience.email else []
    channels += [(c, [name]) for c, name in (("slack", audience.slack), ("teams", audience.teams))
                 if name]  # fmt: skip
    return channels


def plan_sends(
    refs: Sequence[PackRef],
    config: DeliveryConfig,
    *,
    out: Path,
    sent: Iterable[Key] = (),
    periods: Iterable[PeriodKey] = (),
    redeliver: bool = False,
) -> list[Send]:
    """Every message a batch's packs call for, in the batch's order.

    Parameters
    ----------
    refs
        The batch's jobs; failed ones are left out.
    config
        The audiences.
    out
        The output folder the refs' ``pack`` paths are relative to.
    sent
        The (fingerprint, audience, channel, recipient) already delivered
        (:func:`reviewkit.deliver.log.sent_keys`).
    periods
        The (job, period, audience, channel, recipient) that had a build of the period
        (:func:`reviewkit.deliver.log.sent_periods`): not sent again to an audience with
        ``resend: period``.
    redeliver
        Send again what was already sent.

    Returns
    -------
    list of Send
        Sends with no recipient left (all had it) are kept, with ``recipients`` empty, so
        that a dry run can say so.
    """
    done, had_period = set(sent), set(periods)
    sends = []
    for ref in refs:
        audiences = config.audiences_of(ref.job)
        if ref.status == "failed" or not ref.pack or not audiences:
            continue
        rel = PurePosixPath(ref.pack).as_posix()
        for audience in audiences:
            message = pack_message(out, ref, link=_link(config, audience, rel))
            if message is None:
                continue
            for channel, recipients in _channels(audience):
                send = Send(ref, audience, channel, [], message)
                for r in recipients:
                    had = (message.fingerprint, audience.name, channel, r) in done or (
                        audience.resend == "period"
                        and (ref.job, message.period, audience.name, channel, r) in had_period
                    )
                    (send.already if had and not redeliver else send.recipients).append(r)
                sends.append(send)
    return sends
