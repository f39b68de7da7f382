"""(f) Past one machine: the same packs on a Dask cluster and on local workers, 24 and 200 packs.

The demo's 24 packs, then 200 packs of the sample company (its company pack and one pack per
value of seven lead columns, three cadences, two languages: the first 200 names), are built
with ``reviewkit batch --jobs 2 --force`` and with ``reviewkit batch --cluster local:2 --force``
(a LocalCluster of two worker processes on this machine: the cluster's own costs, its start,
the workspace copy sent to each worker, the files sent back, with the same two cores), one after
the other, each into a fresh output folder. The cluster's overhead is the ratio of the two
times; the goal is ≤ 1.15x (issue 24).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from bench_common import AS_OF, QUICK, Figure, ratio, reviewkit, seconds

GOAL = 1.15  # the cluster within 1.15x of the local batch on the same packs
JOBS = 2
COLUMNS = ("sales_team", "channel", "region", "industry", "company_size", "persona",
           "content_asset")  # fmt: skip


def many_packs_schedule(ws: Path) -> str:
    """A schedule of the company and one pack per value of :data:`COLUMNS` (6 per segment)."""
    import duckdb

    con = duckdb.connect(str(ws / "data" / "reviewkit.duckdb"), read_only=True)
    try:
        lines = ["packs:", "  - name: company", "    cadences: [weekly, monthly, quarterly]",
                 "    langs: [ja, en]"]  # fmt: skip
        for column in COLUMNS:
            values = [v for (v,) in con.execute(
                f"SELECT DISTINCT {column} FROM leads WHERE {column} IS NOT NULL ORDER BY 1"
            ).fetchall()]  # fmt: skip
            lines += [f"  - name: by-{column.replace('_', '-')}",
                      "    cadences: [weekly, monthly, quarterly]", "    langs: [ja, en]",
                      "    segments:", f"      {column}:"]  # fmt: skip
            lines += [f"        - {v!r}" for v in values]
    finally:
        con.close()
    return "\n".join(lines) + "\n"


def _workspace(demo: Path, root: Path, schedule: str | None) -> Path:
    """A copy of the demo workspace (its own store), with ``schedule`` if given."""
    shutil.copytree(demo, root, ignore=shutil.ignore_patterns("outputs"))
    if schedule is not None:
        (root / "params" / "schedule.yml").write_text(schedule, encoding="utf-8")
    return root


def _names(ws: Path, n: int) -> list[str]:
    listed = reviewkit("batch", "--list", "--workspace", ws, cwd=ws).stdout.split()
    if len(listed) < n:
        raise RuntimeError(f"the schedule has {len(listed)} packs, {n} were asked for")
    return listed[:n]


def _build(ws: Path, out: Path, names: list[str], where: list[str]) -> float:
    only = [a for name in names for a in ("--only", name)]
    options = ["--force", "--no-deliver", "--as-of", AS_OF, "--output-dir", str(out)]
    run = reviewkit("batch", *where, *options, "--workspace", ws, *only, cwd=ws)
    built = len(list(out.rglob("pack.html")))
    if built != len(names):
        raise RuntimeError(f"reviewkit batch {' '.join(where)} published {built} packs, "
                           f"expected {len(names)}")  # fmt: skip
    return run.seconds


def measure(demo: Path, scratch: Path, *, quick: bool = QUICK) -> list[Figure]:
    """Each size through ``--jobs 2`` and ``--cluster local:2``: times and the overhead."""
    figures: list[Figure] = []
    sizes = [(24, None)] if quick else [(24, None), (200, "many")]
    for n, kind in sizes:
        ws = _workspace(demo, scratch / f"cluster-ws-{n}",
                        None if kind is None else many_packs_schedule(demo))  # fmt: skip
        names = _names(ws, n)
        local = _build(ws, scratch / f"local-{n}", names, ["--jobs", str(JOBS)])
        cluster = _build(ws, scratch / f"cluster-{n}", names, ["--cluster", f"local:{JOBS}"])
        overhead = cluster / local
        figures += [
            Figure("f", f"{n} packs: reviewkit batch --jobs {JOBS}", seconds(local)),
            Figure("f", f"{n} packs: reviewkit batch --cluster local:{JOBS}", seconds(cluster)),
            Figure(
                "f",
                f"{n} packs: packs per minute, --jobs {JOBS} / cluster",
                f"{60 * n / local:.1f} / {60 * n / cluster:.1f}",
            ),
            Figure(
                "f",
                f"{n} packs: cluster / local batch",
                ratio(overhead),
                f"≤ {GOAL:g}x",
                overhead <= GOAL,
            ),
        ]
    return figures
