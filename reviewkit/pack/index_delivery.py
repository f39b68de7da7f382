"""The index page's line on the last batch's delivery (``delivery`` in ``last-batch.json``)."""

from __future__ import annotations

from html import escape

from reviewkit.i18n.formatting import format_count
from reviewkit.i18n.texts import t

__all__ = ["delivery_block"]


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def delivery_block(record: object, *, lang: str) -> str:
    """Sent, already delivered and failed deliveries, each failure on its own line.

    ``""`` when the batch delivered nothing (no ``params/delivery.yml``, or ``--no-deliver``).
    """
    if not isinstance(record, dict) or record.get("dry_run"):
        return ""
    failed = [str(x) for x in record.get("failed", []) if isinstance(x, str)]
    counts = {
        "sent": _count(record.get("sent")), "already": _count(record.get("already")),
        "failed": len(failed),
    }  # fmt: skip
    tally = " · ".join(
        f'<span data-delivery="{k}">{escape(t(f"index.delivery.{k}", lang))} '
        f"<strong>{escape(format_count(v, lang=lang))}</strong></span>"
        for k, v in counts.items()
    )
    html = f'<p class="rk-delivery">{escape(t("index.delivery.title", lang))}: {tally}</p>'
    if failed:
        items = "".join(f"<li>{escape(line)}</li>" for line in failed)
        note = t("index.delivery.alert", lang, n=format_count(len(failed), lang=lang))
        html += f'<div class="rk-alert" role="alert"><p>{escape(note)}</p><ul>{items}</ul></div>'
    return html
