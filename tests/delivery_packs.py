"""Hand-made published packs for delivery tests: manifest.json, summary.json and pack.html.

``write_pack(out, "monthly/sales_team-team-b/ja", fingerprint="f1")`` lays a pack out as the
runner publishes it (``<cadence>/<period>/[<segment slug>/][<lang>/]``), so that the delivery
plan, the per-audience site and the index page read it like a real one, without a kernel.
"""

from __future__ import annotations

import json
from pathlib import Path

from reviewkit.deliver.plan import PackRef

TEAMS = {
    "sales_team-team-a": "Team A",
    "sales_team-team-b": "Team B",
    "sales_team-team-c": "Team C",
}


def write_pack(
    out: Path,
    job: str,
    *,
    fingerprint: str = "f0",
    period: str = "2026-10",
    sentences: tuple[str, ...] = ("Revenue reached 80% of target.", "MQL→SQL fell 5 pts."),
) -> PackRef:
    """Publish a hand-made pack of ``job`` under ``out``; return its :class:`PackRef`."""
    cadence, slug, lang = job.split("/")
    folder = out / cadence / period
    segment = None
    if slug != "company":
        folder /= slug
        value = TEAMS.get(slug, slug)
        segment = {
            "column": "sales_team",
            "values": [value],
            "name": "",
            "slug": slug,
            "text": f"sales_team={value}",
            "label": f"Sales team: {value}",
        }
    if lang != "ja":
        folder /= lang
    folder.mkdir(parents=True, exist_ok=True)
    title = f"{cadence.title()} review {segment['label'] + ' ' if segment else ''}{period}"
    (folder / "pack.html").write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><h1>{title}</h1><div class='rk-summary'><ul>"
        + "".join(f"<li>{s}</li>" for s in sentences)
        + "</ul></div></body></html>",
        encoding="utf-8",
    )
    manifest = {
        "status": "ok",
        "cadence": cadence,
        "period": period,
        "period_start": f"{period}-01",
        "period_end": f"{period}-28",
        "as_of": "2026-11-23",
        "lang": lang,
        "title": title,
        "segment": segment,
        "company": "Example Co.",
        "inputs_digest": fingerprint,
        "built_at": "2026-11-23T01:00:00+00:00",
        "data_freshness": "2026-11-22T13:00:00+00:00",
        "template": f"/ws/notebooks/{cadence}_review.ipynb",
        "files": ["summary.json"],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    summary = {
        "sentences": list(sentences),
        "kpi_heading": f"KPI status for {period}",
        "lang": lang,
        "period": period,
        "kpis": [
            {
                "label": "MQL",
                "status": "met",
                "status_text": "✓ Met",
                "actual": "120",
                "target": "100",
            },
            {
                "label": "Revenue",
                "status": "missed",
                "status_text": "✕ Missed",
                "actual": "$80K",
                "target": "$100K",
            },
        ],
    }
    (folder / "summary.json").write_text(json.dumps(summary, ensure_ascii=False), "utf-8")
    return PackRef(job, "built", (folder / "pack.html").relative_to(out).as_posix(), "", period)
