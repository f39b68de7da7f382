"""Test DAG reviewkit_packs for real: ``airflow dags test`` on SQLite, in a temporary folder.

Run with the Airflow virtualenv's python (``make test-airflow`` does)::

    .venv-airflow/bin/python deploy/airflow/check_dag.py --reviewkit .venv/bin/reviewkit

Airflow's home (SQLite, no examples, no webserver) and a copy of the demo workspace (the
repository's params/ and data/reviewkit.duckdb) live in a temporary folder. Checks:

1. the shard and escape helpers, at the scale of 1,024 mapped tasks;
2. the DAG loads with no import error;
3. weekly/*/ja (4 packs) in shards of 2: the run succeeds, build ran as 2 mapped tasks, each pack
   is published with manifest status ok, and publish built nothing (last-batch.json: all
   skipped) and wrote the index;
4. Team B's pack broken by a template of the workspace's: its shard fails, publish still runs
   (and fails rebuilding it), the run fails, Team A's pack is published.

Exit 0 when every check passes; otherwise the first failed check and the task logs' folder.
"""

from __future__ import annotations

import argparse
import fnmatch
import importlib.util
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DAG_ID = "reviewkit_packs"
WEEKLY = [  # weekly/*/ja: the company's and the three teams' packs, in Japanese
    "weekly/company/ja",
    "weekly/sales_team-team-a/ja",
    "weekly/sales_team-team-b/ja",
    "weekly/sales_team-team-c/ja",
]
TEAM_A, TEAM_B = "weekly/sales_team-team-a/ja", "weekly/sales_team-team-b/ja"
# 2026-11-23 00:00 UTC is 09:00 in Tokyo, the workspace's zone: review date 2026-11-23 (W47)
LOGICAL_DATES = ("2026-11-23T00:00:00+00:00", "2026-11-23T01:00:00+00:00")
AS_OF = "2026-11-23"
BREAK_TEAM_B = 'if segment == "sales_team=Team B":\n    raise KeyError("no pipeline for Team B")'


def expect(ok: object, what: str) -> None:
    """Print ``ok: what``, or stop with ``FAILED: what`` (not an assert: python -O keeps it)."""
    if not ok:
        raise SystemExit(f"check_dag: FAILED: {what}")
    print(f"check_dag: ok: {what}", flush=True)


def load_dag_module() -> ModuleType:
    """The DAG file as a module (Airflow's settings must point at the temporary home first)."""
    spec = importlib.util.spec_from_file_location("reviewkit_dag", HERE / "reviewkit_dag.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check_helpers(dag: ModuleType) -> None:
    """Shards: sizes, order, the 1,024 limit, the argument budget; escaping; the review date."""
    import datetime as dt

    names = [f"monthly/region-r{i:05d}/ja" for i in range(5000)]
    shards = dag.split_shards(names, min_size=2, max_shards=1024)
    expect([n for s in shards for n in s] == names, "shards keep every name once, in order")
    expect(
        len(shards) <= 1024 and max(map(len, shards)) == 5,
        f"5,000 names: {len(shards)} shards of up to 5 (ceil(5000/1024))",
    )
    small = dag.split_shards([*WEEKLY, "weekly/company/en"], min_size=2)
    expect([len(s) for s in small] == [2, 2, 1], "5 names, min size 2: shards of 2, 2, 1")
    base = dag.argv_bytes(["reviewkit", "batch", "--part"])
    budget = base + 3 * dag.argv_bytes(dag.only_args([names[0]]))
    tight = dag.split_shards(names[:10], min_size=8, base_bytes=base, budget=budget)
    expect(
        [len(s) for s in tight] == [3, 3, 3, 1]
        and all(base + dag.argv_bytes(dag.only_args(s)) <= budget for s in tight),
        "a shard whose command line would be too long gets fewer names",
    )
    try:
        dag.split_shards(names, min_size=1, max_shards=4, base_bytes=base, budget=budget)
    except ValueError as error:
        expect("max_map_length" in str(error), "too many shards: an error naming the setting")
    else:
        expect(False, "too many shards: an error")
    odd = ["weekly/a[1]/ja", "weekly/a*/ja", "weekly/a?/ja", "weekly/a1/ja", "weekly/ab/ja"]
    expect(
        all([m for m in odd if fnmatch.fnmatchcase(m, dag.escape(n))] == [n] for n in odd),
        "an escaped name matches itself alone",
    )
    moment = dt.datetime(2026, 11, 22, 16, 0, tzinfo=dt.UTC)
    expect(
        dag.review_date(moment, "Asia/Tokyo") == "2026-11-23"
        and dag.review_date(moment, "UTC") == "2026-11-22",
        "the review date is the data interval end's date in the workspace time zone",
    )


def make_workspace(root: Path, reviewkit: str) -> Path:
    """The demo workspace at ``root``: ``reviewkit init --sample``, the repository's params."""
    subprocess.run([reviewkit, "init", "--sample", str(root)], check=True, capture_output=True)
    shutil.rmtree(root / "params")
    shutil.copytree(REPO / "params", root / "params")
    store = REPO / "data" / "reviewkit.duckdb"
    if store.is_file():
        shutil.copy2(store, root / "data" / "reviewkit.duckdb")
    else:
        subprocess.run([reviewkit, "sample", "--workspace", str(root)], check=True)
    return root


def airflow(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``airflow ARGS`` of this virtualenv, output captured."""
    command = [str(Path(sys.executable).parent / "airflow"), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False)


def run_states(db: Path, logical_date: str) -> tuple[str, dict[str, list[str]]]:
    """The state of the run at ``logical_date`` and of its task instances, by task."""
    con = sqlite3.connect(db)
    try:
        rows = con.execute(
            "SELECT run_id, state FROM dag_run WHERE dag_id = ? ORDER BY id", (DAG_ID,)
        ).fetchall()
        run_id, state = rows[-1]
        tasks: dict[str, list[str]] = {}
        for task_id, _, ti_state in con.execute(
            "SELECT task_id, map_index, state FROM task_instance WHERE dag_id = ? AND run_id = ?"
            " ORDER BY task_id, map_index",
            (DAG_ID, run_id),
        ):
            tasks.setdefault(task_id, []).append(str(ti_state))
    finally:
        con.close()
    print(f"check_dag: run {run_id} ({logical_date}): {state}; {tasks}", flush=True)
    return str(state), tasks


def dag_test(env: dict[str, str], logical_date: str, conf: dict[str, Any]) -> None:
    """``airflow dags test`` once, its output kept in the temporary home's logs."""
    started = time.monotonic()
    done = airflow(env, "dags", "test", DAG_ID, logical_date, "--conf", json.dumps(conf))
    home = Path(env["AIRFLOW_HOME"])
    (home / f"dags-test-{len(list(home.glob('dags-test-*')))}.log").write_text(
        done.stdout + done.stderr, encoding="utf-8"
    )
    print(f"check_dag: dags test {logical_date}: {time.monotonic() - started:.0f} s", flush=True)


def published(outputs: Path, record: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Each pack of ``record`` (last-batch.json): its status there and its manifest's status."""
    found = {}
    for pack in record["packs"]:
        path = outputs / pack["pack"]
        manifest = path.parent / "manifest.json"
        status = json.loads(manifest.read_text("utf-8"))["status"] if manifest.is_file() else "-"
        found[pack["name"]] = (pack["status"], status if path.is_file() else "no pack.html")
    return found


def check_runs(env: dict[str, str], workspace: Path) -> None:
    """Both runs of the DAG: all good, then one shard failing (module docstring)."""
    db = Path(env["AIRFLOW_HOME"]) / "airflow.db"
    outputs, last = workspace / "outputs", workspace / "outputs" / "_logs" / "last-batch.json"

    dag_test(env, LOGICAL_DATES[0], {})  # the params' defaults: the REVIEWKIT_* variables
    state, tasks = run_states(db, LOGICAL_DATES[0])
    expect(state == "success", "weekly/*/ja: the run succeeded")
    expect(tasks.get("build") == ["success"] * 2, "weekly/*/ja: build ran as 2 mapped tasks")
    expect(tasks.get("publish") == ["success"], "weekly/*/ja: publish succeeded")
    record = json.loads(last.read_text(encoding="utf-8"))
    expect(
        published(outputs, record) == dict.fromkeys(WEEKLY, ("skipped", "ok")),
        f"each of the 4 packs published, manifest status ok ({published(outputs, record)})",
    )
    expect(
        record["counts"] == {"built": 0, "skipped": 4, "failed": 0} and record["as_of"] == AS_OF,
        f"publish built nothing (the shards had), as of {AS_OF}: {record['counts']}",
    )
    expect((outputs / "index.html").is_file(), "publish wrote the index")

    notebook = json.loads((REPO / "notebooks" / "weekly_review.ipynb").read_text("utf-8"))
    notebook["cells"].insert(2, {  # right after the parameters: Team B fails in seconds
        "cell_type": "code", "metadata": {}, "source": BREAK_TEAM_B, "outputs": [],
        "execution_count": None,
    })  # fmt: skip
    (workspace / "notebooks").mkdir(exist_ok=True)
    (workspace / "notebooks" / "weekly_review.ipynb").write_text(json.dumps(notebook), "utf-8")
    dag_test(env, LOGICAL_DATES[1], {"only": [TEAM_A, TEAM_B], "shard_min_size": 1})
    state, tasks = run_states(db, LOGICAL_DATES[1])
    expect(
        sorted(tasks.get("build", [])) == ["failed", "success"],
        "Team B broken: one shard failed, the other built Team A",
    )
    expect(tasks.get("publish") == ["failed"], "publish ran anyway (and failed on Team B)")
    expect(state == "failed", "the run failed")
    record = json.loads(last.read_text(encoding="utf-8"))
    expect(
        record["counts"] == {"built": 0, "skipped": 1, "failed": 1}
        and [item["name"] for item in record["failed"]] == [TEAM_B],
        f"publish skipped Team A (its shard built it) and retried Team B: {record['counts']}",
    )


def main() -> None:
    """Set up Airflow and the workspace in a temporary folder, run the checks."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--reviewkit", required=True, help="the project's reviewkit executable")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    reviewkit = str(Path(args.reviewkit).resolve())
    tmp = Path(tempfile.mkdtemp(prefix="reviewkit-airflow-"))
    home, dags = tmp / "airflow", tmp / "dags"
    dags.mkdir()
    shutil.copy(HERE / "reviewkit_dag.py", dags)
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "REVIEWKIT_BIN": reviewkit,
        "REVIEWKIT_WORKSPACE": str(tmp / "workspace"),
        "REVIEWKIT_ONLY": "weekly/*/ja",
        "REVIEWKIT_SHARD_MIN_SIZE": "2",
        "REVIEWKIT_JOBS": "2",
        "REVIEWKIT_PREPARE": "auto",
    }
    os.environ.update(env)
    started = time.monotonic()
    ok = False
    try:
        check_helpers(load_dag_module())
        make_workspace(tmp / "workspace", reviewkit)
        migrated = airflow(env, "db", "migrate")
        expect(migrated.returncode == 0, f"airflow db migrate ({migrated.stderr[-2000:]})")
        for command, wanted in (("list-import-errors", []), ("list", [DAG_ID])):
            listed = airflow(env, "dags", command, "--local", "--output", "json")
            found = json.loads(listed.stdout.splitlines()[-1]) if listed.returncode == 0 else None
            if found is not None and command == "list":
                found = [dag["dag_id"] for dag in found]
            expect(found == wanted, f"airflow dags {command} --local: {found or listed.stderr}")
        check_runs(env, tmp / "workspace")
        ok = True
    finally:
        print(f"check_dag: {time.monotonic() - started:.0f} s; logs: {home}", flush=True)
        if ok and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    print("check_dag: all checks passed")


if __name__ == "__main__":
    main()
