"""(g) A night of 1,000 packs: planning and skipping them when nothing changed.

The schedule is the zoo company ``germany``'s (``reviewkit sample --company germany``), grown
to 1,000 packs from its real segment columns: the company's three reviews and one pack per
value of each lead column a segment can use (sales teams, regions, industries, channels,
company sizes, personas, content assets, then campaigns), weekly, monthly and quarterly, in
English and Japanese, until there are :data:`PACKS`.

Every pack is first marked built from its current inputs (its plan's ``manifest.json`` and a
page, as a build leaves them: building 1,000 packs would take hours here), then
``reviewkit batch`` runs: it loads the schedule, plans every pack (fingerprints its inputs),
finds it built and skips it. That run is timed, whole, as the command a scheduler starts.
"""

from __future__ import annotations

import json
import re
import resource
from pathlib import Path
from typing import Any

import yaml
from bench_common import Figure, reviewkit, seconds

PACKS = 1_000
GOAL_SECONDS = 10.0  # plan and skip 1,000 unchanged packs in under 10 s (issue 24)
COMPANY = "germany"
AS_OF = "2026-10-14"  # the zoo company's review date (its `reviewkit sample` says so)
COLUMNS = (
    "sales_team",
    "region",
    "industry",
    "channel",
    "company_size",
    "persona",
    "content_asset",
)
ACCOUNTS = "campaign_id"  # many values: fills the schedule up to PACKS
CADENCES = ("weekly", "monthly", "quarterly")
LANGS = ("en", "ja")


def _values(ws: Path, column: str) -> list[str]:
    import duckdb

    with duckdb.connect(str(ws / "data" / "reviewkit.duckdb"), read_only=True) as con:
        rows = con.execute(
            f'SELECT DISTINCT "{column}" FROM leads WHERE "{column}" IS NOT NULL ORDER BY 1'
        ).fetchall()
    return [str(r[0]) for r in rows]


def write_schedule(ws: Path, *, packs: int = PACKS) -> int:
    """Write a schedule of ``packs`` packs from the workspace's segment columns; its size."""
    per_value = len(CADENCES) * len(LANGS)
    entries: list[dict[str, Any]] = [
        {"name": "company", "cadences": list(CADENCES), "langs": list(LANGS)}
    ]
    count = per_value
    for column in (*COLUMNS, ACCOUNTS):
        values = _values(ws, column)[: max(0, (packs - count) // per_value)]
        if values:
            entries.append(
                {"name": column, "cadences": list(CADENCES), "langs": list(LANGS),
                 "segments": {column: values}}
            )  # fmt: skip
            count += len(values) * per_value
    rest = packs - count  # fewer than one value's packs: one more account, fewer cadences
    if rest:
        value = _values(ws, ACCOUNTS)[len(entries[-1]["segments"].get(ACCOUNTS, []))]
        cadences = list(CADENCES)[: -(-rest // len(LANGS))]
        langs = list(LANGS)[:rest] if rest < len(LANGS) else list(LANGS)
        entries.append(
            {"name": "accounts-rest", "cadences": cadences, "langs": langs,
             "segments": {ACCOUNTS: [value]}}
        )  # fmt: skip
        count += len(cadences) * len(langs)
    text = yaml.safe_dump({"packs": entries}, allow_unicode=True, sort_keys=False)
    (ws / "params" / "schedule.yml").write_text(text, encoding="utf-8")
    return count


def mark_built(ws: Path) -> int:
    """Leave every scheduled pack as a build does (manifest and page); how many."""
    from reviewkit.core.workspace import Workspace
    from reviewkit.pack.plan import SharedInputs, plan_pack
    from reviewkit.pack.schedule import load_schedule

    workspace = Workspace(ws)
    jobs = load_schedule(ws / "params" / "schedule.yml", default_lang=workspace.config.lang)
    shared = SharedInputs.load(workspace)
    try:
        for job in jobs:
            plan = plan_pack(
                job.cadence, as_of=AS_OF, lang=job.lang, workspace=workspace,
                parameters=job.parameters, segment=job.segment,
                segment_name=job.segment_name, shared=shared,
            )  # fmt: skip
            plan.target.mkdir(parents=True, exist_ok=True)
            (plan.target / "pack.html").write_text("<html></html>", encoding="utf-8")
            (plan.target / "manifest.json").write_text(json.dumps(plan.manifest, default=str))
    finally:
        shared.close()
    return len(jobs)


def measure(scratch: Path) -> list[Figure]:
    """Plan and skip :data:`PACKS` unchanged packs with ``reviewkit batch``."""
    ws = scratch / f"zoo-{COMPANY}"
    reviewkit("sample", "--company", COMPANY, ws, cwd=scratch)
    packs = write_schedule(ws)
    built = mark_built(ws)
    assert built == packs, (built, packs)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    batch = reviewkit("batch", "--as-of", AS_OF, "--no-deliver", "--workspace", ws, cwd=ws)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    found = re.search(r"(\d+) built, (\d+) skipped", batch.stdout)
    skipped = int(found.group(2)) if found else 0
    return [
        Figure("g", f"{packs:,} unchanged packs: reviewkit batch (plan + skip)",
               seconds(batch.seconds), f"< {GOAL_SECONDS:g} s", batch.seconds < GOAL_SECONDS),
        Figure("g", "its CPU time (user + system)", seconds(cpu)),
        Figure("g", "per pack", f"{batch.seconds / packs * 1000:.1f} ms"),
        Figure("g", "packs skipped (all unchanged)", f"{skipped:,} of {packs:,}",
               f"{packs:,}", skipped == packs),
    ]  # fmt: skip
