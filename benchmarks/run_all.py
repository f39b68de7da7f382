"""``make bench``: every benchmark side by side, each figure against its goal.

(a) ``reviewkit batch`` of the schedule's packs against a papermill + nbconvert shell loop,
(b) each pack against its floor, (c) the sample company at 10k, 100k and 1M leads, (d) each
pack's HTML size and the time until its charts are drawn in headless Chromium. Prints one
table and writes it, with the machine and how to reproduce it, to ``docs/benchmarks.md``.

``BENCH_QUICK=1`` is a quick check (a few minutes): the batch and the loop build four packs,
(b) runs once per pack, (c) stops at 100k leads; it prints the table but leaves
``docs/benchmarks.md`` alone (as does a run in which a benchmark fails).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

import bench_batch
import bench_browser
import bench_cluster
import bench_floor
import bench_plan
import bench_scale
import bench_sync
from bench_common import QUICK, REPO, Figure, machine, new_workspace

DOC = REPO / "docs" / "benchmarks.md"
SECTIONS = {
    "a": "Batch of the schedule's packs vs a papermill + nbconvert loop",
    "b": "One pack vs its floor (kernel start + imports + parameters, same runner)",
    "c": "Scale: the sample company at 10k, 100k and 1M leads",
    "d": "Packs in headless Chromium, offline",
    "e": "Sync from a local fake HubSpot API: 10k and 100k contacts with deals",
    "f": "Past one machine: --cluster local:2 against --jobs 2 on the same 24 and 200 packs",
    "g": "A night of 1,000 packs: planning and skipping them when nothing changed",
}
METHOD = """\
## How each figure is measured

All runs use reviewkit's command line in a copy of the demo workspace in a temporary folder
(`reviewkit init --sample`, then the repository's `params/` and `data/reviewkit.duckdb`), demo date
2026-11-23, so the repository's `outputs/` and store are untouched. Times are wall-clock.

- **(a)** `reviewkit batch --jobs 2 --force` into a fresh output folder builds every pack of
  `params/schedule.yml`. The loop runs, for the same jobs and parameters
  (`reviewkit.pack.schedule.load_schedule`), `papermill notebooks/X.ipynb out.ipynb -p as_of …
  -p lang … [-p segment … -p segment_name …] -k reviewkit` and then
  `jupyter nbconvert --to html --no-input out.ipynb`, one pack after the other, from a shell
  script in the workspace folder. It gets the charts templates draw outside a pack (static SVG,
  which a plain nbconvert page can show). Batch memory is the peak sum of RSS of the runner,
  its workers and their kernels.
- **(b)** `reviewkit run CADENCE` (a fresh kernel each time; rendering, publishing and the
  index included) against the same command on the cadence's *floor template*, median of 3
  each, interleaved. The floor is generated from the real template at run time: its
  `parameters` cell verbatim, then one cell that imports, in the same order, every module the
  real template's kernel ended up with (measured by a probe run of the real template with one
  extra cell that records `sys.modules`; the probe runs also warm the disk cache). An explicit
  list rather than `reviewkit.pack.kernel.import_pack_modules()`: that imports every module a pack
  *may* use (what a batch worker's warm kernel pays once), about half again as many as one
  template needs, which would make the floor heavier and the ratio look better than it is.
  The floor runs in a workspace with the same `params/` and store whose own `notebooks/`
  folder holds the floors (`Workspace.template_path` prefers it to the shipped templates).
- **(c)** For each size, a new workspace: `reviewkit sample --leads N` (generate and write;
  its peak memory), the store file's size, `open_review("monthly", …).scorecard()` in a fresh
  process (after the review is opened), `reviewkit run weekly` and its peak memory (the
  largest sum of RSS over the runner and its kernel, sampled every 0.1 s with psutil; shared
  pages count twice, so this errs high), and the weekly floor on the same store (once).
- **(d)** The company pack (ja) of each cadence built in (b), opened from disk in headless
  Chromium with every request beyond `file:`/`data:`/`about:` aborted; from navigation until
  the page holds as many `.rk-chart` elements as the HTML embeds specs and none is unfinished
  (embed.js marks each `data-rendered="true"`; a `data-error` fails the run). Median of 3 loads,
  each in a fresh browser context. The issue sets no goals here; < 2 MB and ≤ 2 s are this
  benchmark's own.

- **(e)** A fake HubSpot API on 127.0.0.1 (`tests/fake_hubspot.py`, real HTTP, paged as
  HubSpot pages) serves the company of `tests/sync_company.py`: 10,000 and 100,000 contacts
  with their lifecycle-stage dates, 2,000 and 20,000 deals, and calls. A new workspace runs
  `reviewkit sync hubspot` twice: the first sync reads, maps and lands every page; the second
  finds nothing changed. Peak memory is the sync process's RSS (sampled as in (c)). Pages are
  landed as they arrive, 5,000 records at a time, so Python's memory stays flat (tracemalloc:
  under 40 MB at 100k); the goal is the peak at 100k within 1.5x the peak at 10k (issue 22).
  What grows is DuckDB's open transaction, about 1.2 KB per record: each object is synced in
  one transaction (a killed sync leaves the store as it was), and DuckDB keeps a transaction's
  appends in memory until it commits (committing every batch instead stays near 250 MB at
  100k contacts, but a killed sync would leave half an object). The fake server runs in the
  benchmark's process and shares its 2 cores.

- **(f)** A copy of the demo workspace builds the same packs twice, one run after the other,
  each into a fresh output folder with `--force`: `reviewkit batch --jobs 2` (two local worker
  processes) and `reviewkit batch --cluster local:2` (a Dask LocalCluster of two worker
  processes on 127.0.0.1, started by the batch: its start, the workspace copy sent to each
  worker and every built pack sent back to the head are in the time). First the demo's 24
  packs, then 200: the company and one pack per value of seven lead columns (sales team,
  channel, region, industry, company size, persona, content asset), three cadences and two
  languages, the first 200 names of that schedule. Goal (issue 24): the cluster within 1.15x
  of the local batch on the same packs.

- **(g)** The zoo company `germany` (`reviewkit sample --company germany`), its schedule
  grown to 1,000 packs from its real segment columns (the company's reviews and one pack per
  value of each segment column, three cadences, two languages); every pack is first marked
  built from its current inputs (its plan's manifest and a page), then `reviewkit batch` runs
  and is timed whole: it loads the schedule, plans and fingerprints every pack, finds each
  built and skips it. Goal (issue 24): under 10 s.
- **10M leads** (`BENCH_10M=1 make bench`, not in the default run: it takes about half an
  hour here): `reviewkit sample --leads 10000000` (streamed in chunks of 500,000 leads), then
  the weekly and monthly packs against their floors on that store. Goals (issue 24): the
  sample's peak under 6 GB, each pack within 3x its floor and under 4 GB.

Goals (a)-(c) are issue 10's, raised by issue 24: batch ≥ 8x faster than the loop (was 4x),
a pack within 1.5x its floor, the weekly pack at 1M leads within 3x its floor and under 2 GB
(the same goals are checked at every size).
"""
REPRODUCE = """\
## Reproduce

```sh
make demo          # once: .venv, the kernel, the sample company
make bench         # every figure (about 8 minutes on 2 cores); rewrites this file
BENCH_QUICK=1 make bench   # a quick check: 4 packs, no 1M leads; prints only
```

The benchmarks live in `benchmarks/` (`run_all.py` runs `bench_floor.py`, `bench_browser.py`,
`bench_batch.py`, `bench_scale.py`, `bench_sync.py`, `bench_cluster.py` and `bench_plan.py`).
`BENCH_10M=1 make bench` adds the 10M-lead section.
"""


def table(figures: list[Figure]) -> str:
    """The figures as a Markdown table, one section after the other."""
    lines = ["| | Figure | Measured | Goal | Result |", "|---|---|---:|---|---|"]
    for figure in sorted(figures, key=lambda f: f.section):  # stable: keeps their order
        goal = figure.goal or "—"
        lines.append(
            f"| {figure.section} | {figure.name} | {figure.shown} | {goal} | {figure.result} |"
        )
    return "\n".join(lines)


def load() -> str:
    """The load averages over 1, 5 and 15 minutes: ``0.12 / 0.40 / 0.35``."""
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def document(figures: list[Figure], *, minutes: float, when: dt.datetime, loads: str) -> str:
    """``docs/benchmarks.md``; ``loads``: the load averages before and after the run."""
    misses = [f for f in figures if f.passed is False]
    verdict = (
        "every goal is met"
        if not misses
        else f"{len(misses)} goal(s) missed: " + "; ".join(f.name for f in misses)
    )
    sections = "\n".join(f"- **({k})** {v}" for k, v in SECTIONS.items())
    found = {**machine(), "Load average (1 / 5 / 15 min)": loads}
    rows = "\n".join(f"| {k} | {v} |" for k, v in found.items())
    return (
        "# Benchmarks\n\n"
        "Written by `make bench` (`benchmarks/run_all.py`); do not edit by hand.\n\n"
        f"Measured {when:%Y-%m-%d %H:%M} UTC in {minutes:.1f} minutes: {verdict}.\n\n"
        f"{sections}\n\n"
        f"## Results\n\n{table(figures)}\n\n"
        f"## Machine\n\n| | |\n|---|---|\n{rows}\n\n"
        f"{METHOD}\n{REPRODUCE}"
    )


def _step(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def main() -> int:
    """Run every benchmark, print the table and (unless quick) write docs/benchmarks.md."""
    started = time.perf_counter()
    when = dt.datetime.now(dt.UTC)
    before = load()
    figures: list[Figure] = []
    failed = False
    with tempfile.TemporaryDirectory(prefix="reviewkit-bench-") as tmp:
        scratch = Path(tmp)
        _step("demo workspace")
        demo = new_workspace(scratch / "demo")
        _step("(b) packs and their floors")
        found, modules, packs = bench_floor.measure(demo, scratch, rounds=1 if QUICK else 3)
        figures += found
        sections = [
            ("d", "packs in headless Chromium", lambda: bench_browser.measure(packs)),
            ("a", "batch and the papermill + nbconvert loop",
             lambda: bench_batch.measure(demo, scratch, quick=QUICK)),
            ("c", "scale", lambda: bench_scale.measure(scratch, modules["weekly"], quick=QUICK)),
            ("e", "sync", lambda: bench_sync.measure(scratch, quick=QUICK)),
            ("f", "cluster against local workers",
             lambda: bench_cluster.measure(demo, scratch, quick=QUICK)),
            ("g", "plan and skip 1,000 packs", lambda: bench_plan.measure(scratch)),
        ]  # fmt: skip
        if bench_scale.TEN_M:  # BENCH_10M=1: 10M leads (about half an hour on 2 cores)
            sections.append(("c", "10M leads", lambda: bench_scale.measure_10m(scratch, modules)))
        for key, what, measure in sections:
            _step(f"({key}) {what}")
            try:
                figures += measure()
            except Exception as exc:  # report it, and still measure the rest
                first = (str(exc).strip().splitlines() or [type(exc).__name__])[0].replace("|", "/")
                _step(f"({key}) failed: {exc}")
                figures.append(Figure(key, f"{what}: failed ({first})", "—", "runs", False))
                failed = True
    minutes = (time.perf_counter() - started) / 60
    loads = f"{before} before the run, {load()} after (other work slows every figure)"
    print(table(figures))
    print(f"\nload average: {loads}")
    print(f"\n{'quick check, ' if QUICK else ''}{minutes:.1f} minutes")
    if QUICK or failed:
        why = "BENCH_QUICK" if QUICK else "a benchmark failed"
        print(f"{why}: {DOC.relative_to(REPO)} left as it was")
    else:
        DOC.write_text(document(figures, minutes=minutes, when=when, loads=loads), encoding="utf-8")
        print(f"written: {DOC.relative_to(REPO)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
