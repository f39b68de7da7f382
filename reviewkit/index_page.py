"""``<output-dir>/index.html``: every published pack, newest period first, and failed runs."""

from __future__ import annotations

import datetime as dt
import json
from html import escape
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from reviewkit.atomic import write_text_atomic
from reviewkit.formatting import format_datetime
from reviewkit.periods import CADENCES
from reviewkit.texts import t

_CSS = """
body { font-family: "Hiragino Sans", "Hiragino Kaku Gothic ProN", "Yu Gothic UI", "Yu Gothic",
  Meiryo, "Noto Sans CJK JP", "Noto Sans JP", system-ui, sans-serif; color: #1f2933;
  margin: 0; line-height: 1.6; }
main { max-width: 960px; margin: 0 auto; padding: 24px; }
h1 { border-bottom: 3px solid #1d4e89; padding-bottom: 8px; }
h2 { color: #1d4e89; margin-top: 28px; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th:nth-child(1) { width: 46%; } th:nth-child(2) { width: 16%; } th:nth-child(3) { width: 10%; }
th { text-align: left; color: #5f6b7a; border-bottom: 2px solid #d9dee5; padding: 6px 10px; }
td { border-bottom: 1px solid #d9dee5; padding: 6px 10px; }
a { color: #1d4e89; }
.failed td { color: #b3261e; }
"""


def collect_packs(output_dir: Path, *, lang: str) -> list[dict[str, Any]]:
    """Read the manifest of every published pack under ``output_dir``.

    Sorted by cadence, newest period first, the ``lang`` (default language) pack first.
    """
    found: list[dict[str, Any]] = []
    for cadence in CADENCES:
        for manifest in sorted((output_dir / cadence).glob("**/manifest.json")):
            try:
                data = json.loads(manifest.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                continue
            data["href"] = (manifest.parent / "pack.html").relative_to(output_dir).as_posix()
            found.append(data)
    order = {c: i for i, c in enumerate(CADENCES)}
    found.sort(key=lambda d: (d.get("lang") != lang, d.get("lang", "")))
    found.sort(key=lambda d: d.get("period_start", ""), reverse=True)
    found.sort(key=lambda d: order.get(d.get("cadence", ""), 9))
    return found


def _failed_runs(output_dir: Path) -> list[Path]:
    root = output_dir / "_failed"
    return sorted(root.glob("*/*/*/notebook.ipynb"), reverse=True) if root.is_dir() else []


def _built(manifest: dict[str, Any], *, lang: str, timezone: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(manifest["built_at"]).astimezone(ZoneInfo(timezone))
    except (KeyError, TypeError, ValueError):
        return ""
    return format_datetime(moment, lang=lang)


def write_index(output_dir: Path, *, lang: str, timezone: str) -> Path:
    """Write ``index.html`` listing every pack under ``output_dir``; return its path.

    Parameters
    ----------
    output_dir
        The packs' output folder.
    lang
        Language of the page (the workspace default).
    timezone
        Build times are shown in this time zone.
    """
    packs = collect_packs(output_dir, lang=lang)
    sections = []
    for cadence in CADENCES:
        rows = [p for p in packs if p.get("cadence") == cadence]
        if not rows:
            continue
        body = "".join(
            f'<tr><td><a href="{escape(p["href"])}">{escape(p.get("title", p["period"]))}</a>'
            f"</td><td>{escape(p['period'])}</td><td>{escape(p.get('lang', ''))}</td>"
            f"<td>{escape(_built(p, lang=lang, timezone=timezone))}</td></tr>"
            for p in rows
        )
        sections.append(
            f"<h2>{escape(t(f'title.{cadence}', lang))}</h2><table><thead><tr>"
            f"<th>{escape(t('index.cadence', lang))}</th><th>{escape(t('index.period', lang))}</th>"
            f"<th>{escape(t('index.lang', lang))}</th><th>{escape(t('index.built', lang))}</th>"
            f"</tr></thead><tbody>{body}</tbody></table>"
        )
    if not sections:
        sections.append(f"<p>{escape(t('index.empty', lang))}</p>")
    failed = _failed_runs(output_dir)
    if failed:
        items = "".join(
            f'<tr><td><a href="{escape(f.relative_to(output_dir).as_posix())}">'
            f"{escape(f.parent.relative_to(output_dir / '_failed').as_posix())}</a></td></tr>"
            for f in failed[:50]
        )
        sections.append(
            f"<h2>{escape(t('index.failed', lang))}</h2>"
            f'<table class="failed"><tbody>{items}</tbody></table>'
        )
    title = escape(t("index.title", lang))
    html = (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{_CSS}</style></head><body><main>"
        f"<h1>{title}</h1>{''.join(sections)}</main></body></html>"
    )
    path = output_dir / "index.html"
    write_text_atomic(path, html)
    return path
