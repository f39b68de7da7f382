"""(c) Scale: the sample company at 10k, 100k and 1M leads.

For each size: generating and writing the store (``reviewkit sample --leads N``), the store's
size, the scorecard's computation (``open_review("monthly", ...).scorecard()`` in a fresh
process, after the review is opened), one weekly pack (``reviewkit run weekly``) with the peak
memory of its process tree (runner + kernel: the largest sum of their RSS, sampled every
0.1 s with psutil), and the weekly floor (see :mod:`bench_floor`) on the same store.

With ``BENCH_10M=1``, :func:`measure_10m` also measures 10,000,000 leads: the sample written
in chunks (:mod:`reviewkit.ingest.sample.stream`) and the weekly and monthly packs against
their floors. It takes far more than the ~5 minutes a default ``make bench`` section may (the
sample alone takes several minutes on 2 cores), so it runs only when asked.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from bench_common import AS_OF, GB, Figure, ratio, reviewkit, run, seconds, size
from bench_floor import floor_workspace, time_run

SIZES = (10_000, 100_000, 1_000_000)
QUICK_SIZES = (10_000, 100_000)
FLOOR_GOAL = 3.0  # the weekly pack at 1M leads within 3x the floor (issue 10)
MEMORY_GOAL = 2 * GB  # and under 2 GB peak memory
TEN_M = os.environ.get("BENCH_10M", "") not in ("", "0")  # measure_10m runs only when asked
LEADS_10M = 10_000_000
SAMPLE_MEMORY_GOAL_10M = 6 * GB  # the sample of 10M leads streams (issue 24)
MEMORY_GOAL_10M = 4 * GB  # its weekly and monthly packs (runner + kernel)
SCORECARD = """\
import json, sys, time
t0 = time.perf_counter()
import reviewkit as rk
t1 = time.perf_counter()
review = rk.open_review("monthly", workspace=sys.argv[1], as_of=sys.argv[2], lang="en")
t2 = time.perf_counter()
card = review.scorecard()
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "open": t2 - t1, "scorecard": t3 - t2, "rows": len(card)}))
"""


def label(leads: int) -> str:
    """``10k``, ``1M``."""
    return f"{leads // 1_000_000}M" if leads >= 1_000_000 else f"{leads // 1000}k"


def store_bytes(ws: Path) -> int:
    """The store file and its write-ahead log, if any."""
    return sum(p.stat().st_size for p in (ws / "data").glob("reviewkit.duckdb*"))


def measure_size(leads: int, scratch: Path, modules: list[str]) -> list[Figure]:
    """The figures of one size (its workspace is removed afterwards)."""
    root = scratch / f"scale-{label(leads)}"
    root.mkdir()
    ws = root / "ws"
    name = label(leads)
    try:
        reviewkit("init", ws, cwd=root)  # the workspace first: the sample alone is timed
        generated = reviewkit(
            "sample", "--leads", str(leads), "--workspace", ws, cwd=ws, memory=True
        )
        stored = store_bytes(ws)
        printed = run([sys.executable, "-c", SCORECARD, ws, AS_OF], cwd=ws).stdout
        card = json.loads(printed.strip().splitlines()[-1])
        pack = time_run(ws, "weekly", root / "packs", memory=True)
        floor_ws = floor_workspace(ws, root / "floor-ws", {"weekly": modules})
        floor = time_run(floor_ws, "weekly", root / "floors")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    over = pack.seconds / floor.seconds
    return [
        Figure("c", f"{name}: generate + write the store", seconds(generated.seconds)),
        Figure("c", f"{name}: generate peak memory", size(generated.peak_tree)),
        Figure("c", f"{name}: store size", size(stored)),
        Figure("c", f'{name}: open_review("monthly")', seconds(card["open"])),
        Figure("c", f"{name}: then .scorecard()", seconds(card["scorecard"])),
        Figure("c", f"{name}: weekly pack (reviewkit run weekly)", seconds(pack.seconds)),
        Figure("c", f"{name}: weekly floor", seconds(floor.seconds)),
        Figure(
            "c",
            f"{name}: weekly pack / floor",
            ratio(over),
            f"≤ {FLOOR_GOAL:g}x",
            over <= FLOOR_GOAL,
        ),
        Figure(
            "c",
            f"{name}: weekly run peak memory (runner + kernel)",
            size(pack.peak_tree),
            f"< {size(MEMORY_GOAL)}",
            pack.peak_tree < MEMORY_GOAL,
        ),
    ]


def measure(scratch: Path, modules: list[str], *, quick: bool) -> list[Figure]:
    """Every size's figures (10k and 100k only when ``quick``)."""
    figures = []
    for leads in QUICK_SIZES if quick else SIZES:
        figures += measure_size(leads, scratch, modules)
    return figures


def measure_10m(scratch: Path, modules: dict[str, list[str]]) -> list[Figure]:
    """10M leads: the streamed sample, then the weekly and monthly packs against their floors.

    ``modules``: each cadence's modules, for its floor (see :func:`bench_floor.measure`).
    """
    name = label(LEADS_10M)
    root = scratch / f"scale-{name}"
    root.mkdir()
    ws = root / "ws"
    figures = []
    try:
        reviewkit("init", ws, cwd=root)
        generated = reviewkit(
            "sample", "--leads", str(LEADS_10M), "--workspace", ws, cwd=ws, memory=True
        )
        figures += [
            Figure("c", f"{name}: generate + write the store", seconds(generated.seconds)),
            Figure(
                "c",
                f"{name}: generate peak memory",
                size(generated.peak_tree),
                f"< {size(SAMPLE_MEMORY_GOAL_10M)}",
                generated.peak_tree < SAMPLE_MEMORY_GOAL_10M,
            ),
            Figure("c", f"{name}: store size", size(store_bytes(ws))),
        ]
        cadences = ("weekly", "monthly")
        floor_ws = floor_workspace(ws, root / "floor-ws", {c: modules[c] for c in cadences})
        for cadence in cadences:
            pack = time_run(ws, cadence, root / "packs", memory=True)
            floor = time_run(floor_ws, cadence, root / "floors")
            over = pack.seconds / floor.seconds
            figures += [
                Figure("c", f"{name}: {cadence} pack", seconds(pack.seconds)),
                Figure("c", f"{name}: {cadence} floor", seconds(floor.seconds)),
                Figure(
                    "c",
                    f"{name}: {cadence} pack / floor",
                    ratio(over),
                    f"≤ {FLOOR_GOAL:g}x",
                    over <= FLOOR_GOAL,
                ),
                Figure(
                    "c",
                    f"{name}: {cadence} run peak memory (runner + kernel)",
                    size(pack.peak_tree),
                    f"< {size(MEMORY_GOAL_10M)}",
                    pack.peak_tree < MEMORY_GOAL_10M,
                ),
            ]
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return figures
