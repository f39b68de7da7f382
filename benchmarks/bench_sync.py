"""(e) Sync: HubSpot contacts (with their lifecycle-stage dates) and deals from a local fake.

For 10,000 and 100,000 contacts (and 2,000 / 20,000 deals): a fake HubSpot API on 127.0.0.1
(``tests/fake_hubspot.py``, real HTTP) serves the company of ``tests/sync_company.py``; a new
workspace runs ``reviewkit sync hubspot`` (a first, full sync: every page read, mapped and
landed) and then again (incremental: nothing changed). Figures: wall time, records per second
and the peak memory of the sync process. Pages are landed as they arrive (in batches of
``batch_rows``), so Python's memory stays flat; the goal is a peak at 100k within 1.5x the peak
at 10k. What still grows is DuckDB's open transaction (each object is one transaction, so that
a killed sync leaves the store as it was): about 1.2 KB per record landed.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

from bench_common import BIN, REPO, Figure, Run, run, seconds, size

sys.path.insert(0, str(REPO / "tests"))

SIZES = ((10_000, 2_000), (100_000, 20_000))
QUICK_SIZES = ((10_000, 2_000),)
FLAT_GOAL = 1.5
TOKEN = "pat-bench-token"


def _company(contacts: int, deals: int) -> Any:
    """The company of ``sync_company.py``, its deals topped up to ``deals``."""
    from sync_company import make_company

    company = make_company(contacts, seed=11)
    have = {d["contact"] for d in company.deals}
    for c in company.contacts:
        if len(company.deals) >= deals:
            break
        if c["id"] not in have:
            created = c["created"] + dt.timedelta(days=1)
            company.deals.append({
                "id": str(500_000 + int(c["id"])), "contact": c["id"], "created": created,
                "closed": None, "amount": "1000000", "stage": "appointmentscheduled",
                "owner": c["owner"], "modified": created + dt.timedelta(minutes=1),
            })  # fmt: skip
    return company


def _sync(ws: Path, base_url: str) -> Run:
    env = {**os.environ, "HUBSPOT_ACCESS_TOKEN": TOKEN, "HUBSPOT_API_BASE": base_url,
           "REVIEWKIT_CREDENTIALS": str(ws / "none.env")}  # fmt: skip
    return run([BIN / "reviewkit", "sync", "hubspot", "--workspace", ws], cwd=ws, env=env,
               memory=True)  # fmt: skip


def measure_size(contacts: int, deals: int, scratch: Path) -> tuple[list[Figure], int]:
    """Figures of one size, and the first sync's peak memory (bytes)."""
    from fake_hubspot import FakeHubSpot
    from pytest_httpserver import HTTPServer
    from sync_company import load_into

    from reviewkit.core.workspace import init_workspace

    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    try:
        fake = FakeHubSpot(server, token=TOKEN)
        company = _company(contacts, deals)
        load_into(fake, company)
        ws = init_workspace(scratch / f"sync-{contacts}").root
        first = _sync(ws, fake.base_url)
        again = _sync(ws, fake.base_url)
    finally:
        server.stop()
    records = len(company.contacts) + len(company.deals) + len(company.calls)
    label = f"{contacts:,} contacts + {len(company.deals):,} deals + {len(company.calls):,} calls"
    rate = f"{records / first.seconds:,.0f} records/s"
    figures = [
        Figure("e", f"first sync, {label}", f"{seconds(first.seconds)} ({rate})"),
        Figure("e", f"first sync peak memory, {contacts:,} contacts", size(first.peak_tree)),
        Figure("e", f"second sync (nothing changed), {contacts:,} contacts",
               seconds(again.seconds)),
    ]  # fmt: skip
    return figures, first.peak_tree


def measure(scratch: Path, *, quick: bool) -> list[Figure]:
    """Every size, then the flat-memory goal."""
    figures: list[Figure] = []
    peaks = []
    for contacts, deals in QUICK_SIZES if quick else SIZES:
        found, peak = measure_size(contacts, deals, scratch)
        figures += found
        peaks.append(peak)
    if len(peaks) == 2:
        growth = peaks[1] / peaks[0]
        name = "peak memory 100k / 10k contacts (streamed pages)"
        goal = f"≤ {FLAT_GOAL}x"
        figures.append(Figure("e", name, f"{growth:.2f}x", goal, growth <= FLAT_GOAL))
    return figures
