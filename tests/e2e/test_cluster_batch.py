"""``reviewkit batch --cluster`` on real Dask clusters of separate worker processes (127.0.0.1).

- A LocalCluster (``local:2``) builds the same packs as a local batch: same pack text, same
  manifest (fingerprint included), same summary.
- A ``dask scheduler`` and two ``dask worker`` processes, each with its own folder (two
  machines, as far as the workers know): the demo schedule is built while one worker is
  killed in the middle of a pack; that pack is built again elsewhere, a second run skips
  everything.
- A scheduler that does not answer: one line, exit 1, the last good run's record untouched.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from builders import REPO, stable_text
from smtp_server import free_port

from reviewkit.cli.main import main
from reviewkit.core.workspace import Workspace, init_workspace
from reviewkit.pack import cluster
from reviewkit.pack.batch import run_batch
from reviewkit.pack.batch_log import LOCK_FILE, batch_lock

DEMO = "2026-11-23"
# every cadence, both languages, the company and a segment
SUBSET = ("weekly/company/ja", "monthly/sales_team-team-b/ja", "quarterly/company/en")
VOLATILE_MANIFEST = ("built_at", "timings_seconds")


@pytest.fixture(scope="module")
def ws(sample_workspace: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A workspace of its own: the sample store and the repository's demo schedule."""
    root = tmp_path_factory.mktemp("cluster") / "ws"
    workspace = init_workspace(root)
    shutil.copy(sample_workspace.store_path, workspace.store_path)
    shutil.copy(REPO / "params" / "schedule.yml", workspace.params_dir / "schedule.yml")
    return workspace


@pytest.fixture(scope="module")
def local_out(ws: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The subset built by a local batch (``--jobs 2``)."""
    out = tmp_path_factory.mktemp("local-out")
    report = run_batch(workspace=ws, jobs=2, as_of=DEMO, only=SUBSET, output_dir=out)
    assert report.counts["built"] == len(SUBSET)
    return out


def _manifest(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if k not in VOLATILE_MANIFEST}


def _packs(out: Path) -> dict[str, Path]:
    return {p.parent.relative_to(out).as_posix(): p.parent for p in out.rglob("pack.html")
            if not p.relative_to(out).parts[0].startswith("_")}  # fmt: skip


def test_a_local_cluster_builds_the_same_packs_as_a_local_batch(ws, local_out, tmp_path):
    out = tmp_path / "out"
    events: list[dict] = []
    delivered: list[dict] = []

    def deliver(report, _log):  # delivery's hook: once, after the whole batch, on the head
        delivered.append(dict(report.counts))
        return {"sent": len(delivered)}

    report = run_batch(workspace=ws, as_of=DEMO, only=SUBSET, output_dir=out,
                       cluster="local:2", listener=events.append, after=deliver)  # fmt: skip
    assert report.counts == {"built": 3, "skipped": 0, "failed": 0}
    assert delivered == [{"built": 3, "skipped": 0, "failed": 0}]
    local, remote = _packs(local_out), _packs(out)
    assert sorted(remote) == sorted(local) and len(remote) == 3
    for name, folder in remote.items():
        theirs = local[name]
        assert sorted(p.name for p in folder.iterdir() if p.is_file()) == sorted(
            p.name for p in theirs.iterdir() if p.is_file()
        )
        mine = _manifest(folder / "manifest.json")
        assert mine == _manifest(theirs / "manifest.json")
        assert mine["inputs_digest"] and mine["workspace"] == str(ws.root)  # the head's
        assert stable_text((folder / "pack.html").read_text(encoding="utf-8")) == stable_text(
            (theirs / "pack.html").read_text(encoding="utf-8")
        )
        assert (folder / "summary.json").read_bytes() == (theirs / "summary.json").read_bytes()
    started = [e for e in events if e["event"] == "start"]
    assert {e["name"] for e in started} == set(SUBSET)
    assert all(e["worker"].startswith("tcp://127.0.0.1:") for e in started)
    summary = json.loads((out / "_logs" / "last-batch.json").read_text(encoding="utf-8"))
    assert summary["cluster"] == {"address": "local:2", "workers": 2}
    assert summary["counts"]["built"] == 3 and summary["status"] == "finished"
    assert summary["delivery"] == {"sent": 1}
    assert (out / "index.html").read_text(encoding="utf-8").count('class="rk-pack"') == 3
    assert not (out / "_staging").exists()


def test_workers_may_copy_the_store_from_a_shared_folder(ws, local_out, tmp_path):
    out = tmp_path / "out"
    report = run_batch(workspace=ws, as_of=DEMO, only=SUBSET[:1], output_dir=out,
                       cluster="local:1", shared_store=True)  # fmt: skip
    assert report.counts == {"built": 1, "skipped": 0, "failed": 0}
    name = "weekly/2026-W47"
    assert _manifest(out / name / "manifest.json") == _manifest(local_out / name / "manifest.json")
    assert "the store from the shared folder" in report.log.read_text(encoding="utf-8")


def test_shared_store_without_a_cluster_exits_2(ws, tmp_path, capsys):
    code = main(["batch", "--shared-store", "--workspace", str(ws.root), "--output-dir",
                 str(tmp_path / "out")])  # fmt: skip
    assert code == 2
    assert "--shared-store: only with --cluster" in capsys.readouterr().err


@pytest.fixture(scope="module")
def two_machines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[Path]]]:
    """``dask scheduler`` and two ``dask worker`` processes, each with a folder of its own."""
    from distributed import Client

    root = tmp_path_factory.mktemp("dask")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = str(Path(sys.executable).parent / "dask")
    log = (root / "cluster.log").open("w")
    common = ["--no-dashboard", "--host", "127.0.0.1"]
    processes = [subprocess.Popen([dask, "scheduler", "--port", str(port), *common],
                                  stdout=log, stderr=log)]  # fmt: skip
    folders = [root / f"machine-{i}" for i in (1, 2)]
    for number, folder in enumerate(folders, 1):
        folder.mkdir()
        processes.append(subprocess.Popen(
            [dask, "worker", address, "--nthreads", "1", "--name", f"machine-{number}",
             "--local-directory", str(folder), *common],
            stdout=log, stderr=log,
        ))  # fmt: skip
    try:
        with Client(address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=120)
        yield address, folders
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=30)
            if process.poll() is None:
                process.kill()
        log.close()


def test_the_demo_schedule_on_two_worker_machines_survives_a_killed_worker(
    ws, two_machines, tmp_path
):
    address, folders = two_machines
    out = tmp_path / "out"
    killed: list[dict] = []

    def kill_the_first_worker_to_start(event: dict) -> None:
        if event["event"] == "start" and not killed:
            os.kill(int(event["pid"]), signal.SIGKILL)  # mid-pack: its kernel dies with it
            killed.append(event)

    report = run_batch(workspace=ws, as_of=DEMO, output_dir=out, cluster=address,
                       listener=kill_the_first_worker_to_start)  # fmt: skip
    assert report.counts == {"built": 24, "skipped": 0, "failed": 0}, report.failed
    victim = next(o for o in report.outcomes if o.name == killed[0]["name"])
    assert victim.status == "built" and victim.attempts >= 2
    log = report.log.read_text(encoding="utf-8")
    assert f"{victim.name}: attempt 1 failed: worker {killed[0]['worker']} was lost" in log
    assert len(_packs(out)) == 24
    manifests = [json.loads(p.read_text()) for p in out.rglob("manifest.json")]
    assert all(m["status"] == "ok" and m["store"] == str(ws.store_path) for m in manifests)
    # each machine built from its own copy of the store, in its own folder
    copies = [list(f.rglob("reviewkit/workspace/*/data/reviewkit.duckdb")) for f in folders]
    assert all(copies), copies
    assert {c.read_bytes() == ws.store_path.read_bytes() for found in copies for c in found} == {
        True
    }
    assert not (out / "_staging").exists() and not (out / "_failed").exists()

    before = {p: p.stat().st_mtime_ns for p in out.rglob("pack.html")}
    again = run_batch(workspace=ws, as_of=DEMO, output_dir=out, cluster=address)
    assert again.counts == {"built": 0, "skipped": 24, "failed": 0}
    assert {p: p.stat().st_mtime_ns for p in out.rglob("pack.html")} == before


def test_an_unreachable_scheduler_stops_the_batch_in_one_line(ws, local_out, monkeypatch, capsys):
    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 1.0)
    record = (local_out / "_logs" / "last-batch.json").read_bytes()
    index = (local_out / "index.html").read_bytes()
    packs = {p: p.stat().st_mtime_ns for p in local_out.rglob("pack.html")}
    nowhere = f"tcp://127.0.0.1:{free_port()}"
    code = main(["batch", "--cluster", nowhere, "--force", "--as-of", DEMO, "--workspace",
                 str(ws.root), "--output-dir", str(local_out)])  # fmt: skip
    assert code == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert f"--cluster {nowhere}: the Dask scheduler did not answer" in err
    assert "nothing was built" in err
    assert (local_out / "_logs" / "last-batch.json").read_bytes() == record
    assert (local_out / "index.html").read_bytes() == index
    assert {p: p.stat().st_mtime_ns for p in local_out.rglob("pack.html")} == packs
    with batch_lock(local_out / "_logs"):  # released
        assert (local_out / "_logs" / LOCK_FILE).is_file()


@pytest.mark.parametrize("address", ["cluster1", "http://10.0.0.5:8786", "local:0", "local:x"])
def test_a_malformed_cluster_address_exits_2_naming_the_forms(ws, tmp_path, capsys, address):
    code = main(["batch", "--cluster", address, "--workspace", str(ws.root),
                 "--output-dir", str(tmp_path / "out")])  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert f"--cluster: {address!r} is not a Dask scheduler address" in err
    assert "tcp://HOST:PORT" in err and "local:N" in err
    assert not (tmp_path / "out").exists()
