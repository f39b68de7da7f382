"""(a) The schedule's packs: ``reviewkit batch`` against the loop a user would script.

The naive way runs, for each pack of ``params/schedule.yml`` (the same jobs and parameters,
from :func:`reviewkit.pack.schedule.load_schedule`), the ``papermill`` CLI on the template and
``jupyter nbconvert --to html --no-input`` on the result, from a shell loop in the workspace
folder, as a user with the virtualenv activated would. It gets the charts the templates draw
outside a pack (static SVG, which a plain nbconvert page can show); ``reviewkit batch`` builds
the real packs (fingerprinted, rendered with the chart runtime, published with an index).
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

from bench_common import (
    AS_OF,
    CADENCES,
    REPO,
    Figure,
    ratio,
    reviewkit,
    run,
    seconds,
    size,
    user_env,
)

GOAL = 8.0  # batch at least 8x faster than the naive loop (issue 24; issue 10 asked 4x)
JOBS = 2


def schedule_jobs(ws: Path) -> list[Any]:
    """The jobs of the workspace's ``params/schedule.yml``, in file order."""
    from reviewkit.core.workspace import Workspace
    from reviewkit.pack.schedule import load_schedule

    return load_schedule(ws / "params" / "schedule.yml", default_lang=Workspace(ws).config.lang)


def quick_subset(jobs: list[Any]) -> list[Any]:
    """Four packs: the company's weekly, monthly and quarterly, and the first segment pack."""
    company = [j for j in jobs if j.scope is None and j.lang == jobs[0].lang]
    chosen = [next(j for j in company if j.cadence == c) for c in CADENCES]
    return [*chosen, next(j for j in jobs if j.scope is not None)]


def naive_script(jobs: list[Any], out: Path) -> str:
    """The shell loop: papermill then nbconvert, one pack after the other."""
    lines = ["set -e"]
    for n, job in enumerate(jobs, start=1):
        params = {"as_of": AS_OF, "lang": job.lang, **job.parameters}
        if job.scope is not None:
            params |= {"segment": job.segment, "segment_name": job.segment_name}
        given = " ".join(f"-p {k} {shlex.quote(str(v))}" for k, v in params.items())
        template = REPO / "notebooks" / f"{job.cadence}_review.ipynb"
        notebook = out / f"{n:02d}-{job.name.replace('/', '_')}.ipynb"
        lines += [
            f"papermill {shlex.quote(str(template))} {shlex.quote(str(notebook))} {given} "
            "-k reviewkit",
            f"jupyter nbconvert --to html --no-input {shlex.quote(str(notebook))}",
        ]
    return "\n".join(lines) + "\n"


def measure(ws: Path, scratch: Path, *, quick: bool) -> list[Figure]:
    """Time the batch (``--force``, a fresh output folder) and the naive loop of the same jobs."""
    jobs = schedule_jobs(ws)
    if quick:
        jobs = quick_subset(jobs)
    n = len(jobs)
    only = [a for j in jobs for a in ("--only", j.name)] if quick else []
    out = scratch / "batch-out"
    options = ["--jobs", str(JOBS), "--force", "--as-of", AS_OF, "--output-dir", str(out)]
    batch = reviewkit("batch", *options, "--workspace", ws, *only, cwd=ws, memory=True)
    built = len(list(out.rglob("pack.html")))
    if built != n:
        raise RuntimeError(f"reviewkit batch published {built} packs, expected {n}")

    naive_out = scratch / "naive-out"
    naive_out.mkdir()
    script = scratch / "naive.sh"
    script.write_text(naive_script(jobs, naive_out), encoding="utf-8")
    naive = run(["bash", script], cwd=ws, env=user_env())
    made = len(list(naive_out.glob("*.html")))
    if made != n:
        raise RuntimeError(f"the naive loop wrote {made} HTML files, expected {n}")

    speedup = naive.seconds / batch.seconds
    return [
        Figure("a", f"{n} packs: reviewkit batch --jobs {JOBS} --force", seconds(batch.seconds)),
        Figure("a", f"{n} packs: batch peak memory (all processes)", size(batch.peak_tree)),
        Figure("a", f"{n} packs: papermill + nbconvert shell loop", seconds(naive.seconds)),
        Figure(
            "a", "batch speed-up over the loop", ratio(speedup), f"≥ {GOAL:g}x", speedup >= GOAL
        ),
    ]
