"""The workspace copy a cluster worker builds from, and ``--cluster``'s address (no cluster)."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pytest

from reviewkit.core.workspace import Workspace, init_workspace
from reviewkit.errors import ParameterError, RunFailedError
from reviewkit.pack import cluster_bundle
from reviewkit.pack.cluster import check_address
from reviewkit.pack.cluster_bundle import (
    chunks,
    collect_files,
    describe_bundle,
    materialize,
    rebase_plan,
    template_key,
)
from reviewkit.pack.cluster_worker import version_mismatch


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = init_workspace(tmp_path / "ws")
    workspace.store_path.parent.mkdir(parents=True, exist_ok=True)
    workspace.store_path.write_bytes(b"store" * 1000)
    (workspace.params_dir / "sources").mkdir(exist_ok=True)
    (workspace.params_dir / "sources" / "big.csv").write_text("a,b\n1,2\n")
    workspace.notebooks_dir.mkdir(exist_ok=True)
    (workspace.notebooks_dir / "mine.ipynb").write_text("{}")
    return workspace


def test_the_bundle_holds_settings_templates_and_store_but_not_import_sources(ws):
    bundle = describe_bundle(ws)
    paths = {f.path for f in bundle.files}
    assert "params/workspace.yml" in paths and "notebooks/mine.ipynb" in paths
    assert {"_templates/weekly_review.ipynb", "_templates/monthly_review.ipynb",
            "_templates/quarterly_review.ipynb"} <= paths  # fmt: skip
    assert bundle.store in paths and bundle.store == "data/reviewkit.duckdb"
    assert not any(p.startswith("params/sources") for p in paths)
    store = next(f for f in bundle.files if f.path == bundle.store)
    assert store.sha256 == hashlib.sha256(b"store" * 1000).hexdigest()
    assert bundle.size == sum(f.size for f in bundle.files)
    assert describe_bundle(ws).digest == bundle.digest  # the same files: the same name
    ws.store_path.write_bytes(b"other")
    assert describe_bundle(ws).digest != bundle.digest  # a new store: a new copy


def test_a_copy_is_written_once_whole_and_replaces_the_previous_one(ws, tmp_path, monkeypatch):
    monkeypatch.setattr(cluster_bundle, "CHUNK_BYTES", 1024)  # the store in 5 pieces
    bundle = describe_bundle(ws)
    pieces = list(chunks(bundle))
    assert sum(1 for index, _, _ in pieces if bundle.files[index].path == bundle.store) == 5
    folder = tmp_path / "copies"
    folder.mkdir()
    (folder / "0123old").mkdir()
    copy = materialize(bundle, pieces, folder)
    assert copy == folder / bundle.digest
    assert (copy / bundle.store).read_bytes() == ws.store_path.read_bytes()
    assert (copy / "params" / "workspace.yml").read_bytes() == (
        ws.params_dir / "workspace.yml"
    ).read_bytes()
    assert sorted(p.name for p in folder.iterdir()) == [bundle.digest]  # the old copy went
    assert materialize(bundle, [], folder) == copy  # written already: nothing needed
    assert Workspace(copy).store_path == copy / bundle.store


def test_a_damaged_piece_is_refused_and_leaves_no_copy(ws, tmp_path):
    bundle = describe_bundle(ws)
    pieces = [(i, offset, data.replace(b"store", b"stole")) for i, offset, data in chunks(bundle)]
    folder = tmp_path / "copies"
    folder.mkdir()
    with pytest.raises(RunFailedError, match=r"damaged \(data/reviewkit.duckdb\)"):
        materialize(bundle, pieces, folder)
    assert list(folder.iterdir()) == []


def test_a_store_outside_the_workspace_is_found_inside_the_copy(ws, tmp_path):
    elsewhere = tmp_path / "shared" / "company.duckdb"
    elsewhere.parent.mkdir()
    elsewhere.write_bytes(b"db")
    config = ws.params_dir / "workspace.yml"
    text = config.read_text()
    assert "\nstore: data/reviewkit.duckdb" in text
    config.write_text(text.replace("\nstore: data/reviewkit.duckdb", f"\nstore: {elsewhere}"))
    ws = Workspace(ws.root)
    bundle = describe_bundle(ws)
    assert bundle.store == "data/company.duckdb" and bundle.store_moved
    copy = materialize(bundle, list(chunks(bundle)), tmp_path / "copies")
    assert Workspace(copy).store_path.read_bytes() == b"db"


def test_a_plan_is_rebased_onto_the_copy_and_a_scratch_folder(ws, tmp_path):
    from reviewkit.pack.plan import PackPlan

    out = ws.root / "outputs"
    plan = PackPlan(
        cadence="weekly", period=None, lang="ja", scope=None,  # type: ignore[arg-type]
        template=Path("/opt/site/reviewkit/notebooks/weekly_review.ipynb"),
        values={"workspace": str(ws.root), "lang": "ja"}, out=out,
        target=out / "weekly" / "2026-W47", title="t", workspace=ws.root, kernel="k",
        timeout=60, inputs={}, digest="d", manifest={"workspace": str(ws.root)},
    )  # fmt: skip
    key = template_key(ws, plan.template)
    assert key == "_templates/weekly_review.ipynb"
    assert template_key(ws, ws.notebooks_dir / "mine.ipynb") == "notebooks/mine.ipynb"
    copy, scratch = tmp_path / "copy", tmp_path / "scratch"
    moved = rebase_plan(plan, copy=copy, out=scratch, template=key)
    assert moved.target == scratch / "weekly" / "2026-W47" and moved.out == scratch
    assert moved.template == copy / key and moved.workspace == copy
    assert moved.values == {"workspace": str(copy), "lang": "ja"}
    assert moved.manifest == plan.manifest  # the head's record: the same fingerprint
    assert replace(moved, out=out, target=plan.target, values=plan.values,
                   workspace=plan.workspace, template=plan.template) == plan  # fmt: skip


def test_collect_files_returns_what_a_build_published_not_its_scratch(tmp_path):
    (tmp_path / "weekly" / "2026-W47").mkdir(parents=True)
    (tmp_path / "weekly" / "2026-W47" / "pack.html").write_text("<p>")
    (tmp_path / "_staging" / "x").mkdir(parents=True)
    (tmp_path / "_staging" / "x" / "half.html").write_text("half")
    (tmp_path / "_failed" / "weekly").mkdir(parents=True)
    (tmp_path / "_failed" / "weekly" / "failure.json").write_text("{}")
    assert collect_files(tmp_path) == {
        "_failed/weekly/failure.json": b"{}", "weekly/2026-W47/pack.html": b"<p>",
    }  # fmt: skip


def test_a_worker_with_other_package_versions_says_which(monkeypatch):
    import platform

    assert version_mismatch({"python": platform.python_version()}) == ""
    differ = version_mismatch({"python": "3.0.0", "duckdb": "0.0.1", "unrelated": "9"})
    assert f"python {platform.python_version()} (the batch has 3.0.0)" in differ
    assert "(the batch has 0.0.1)" in differ and "unrelated" not in differ


@pytest.mark.parametrize(
    ("given", "checked"),
    [("local:2", "local:2"), ("tcp://10.0.0.5:8786", "tcp://10.0.0.5:8786"),
     ("10.0.0.5:8786", "tcp://10.0.0.5:8786"), (" sched.example:8786 ", "tcp://sched.example:8786"),
     ("tls://sched:8786", "tls://sched:8786")],
)  # fmt: skip
def test_cluster_addresses_that_are_accepted(given, checked):
    assert check_address(given) == checked


@pytest.mark.parametrize("given", ["", "local", "local:0", "local:65", "http://a:1", "a b:1"])
def test_cluster_addresses_that_are_refused(given):
    with pytest.raises(ParameterError, match="is not a Dask scheduler address"):
        check_address(given)


class _FakeClient:
    def __init__(self, status: str, workers: dict) -> None:
        self.status, self.workers = status, workers

    def scheduler_info(self, n_workers: int = -1) -> dict:
        return {"workers": self.workers}


@pytest.mark.parametrize(
    ("status", "workers", "why"),
    [("connecting", {"w": {}}, "the connection to the Dask scheduler was lost"),
     ("running", {}, "the cluster has no worker")],
)  # fmt: skip
def test_packs_still_out_fail_once_the_cluster_is_gone_long_enough(
    monkeypatch, tmp_path, status, workers, why
):
    import logging

    from reviewkit.pack import cluster

    pool = cluster.ClusterPool.__new__(cluster.ClusterPool)
    pool.client, pool.address = _FakeClient(status, workers), "tcp://10.0.0.5:8786"
    pool.log, pool.futures, pool.waiting = logging.getLogger("test"), {}, {"b", "a"}
    pool.trouble_since, pool.watched = None, 0.0
    monkeypatch.setattr(cluster, "WATCH_SECONDS", 0.0)
    assert pool._watch() == []  # gone just now: a worker may be restarting
    assert pool.trouble_since is not None
    pool.trouble_since -= cluster.LOST_SECONDS  # a minute later
    failed = pool._watch()
    assert [e["name"] for e in failed] == ["a", "b"] and not pool.waiting
    assert all(e["event"] == "failed" and why in e["error"] for e in failed)
    assert "run the batch again once it is back" in failed[0]["error"]
    healthy = cluster.ClusterPool.__new__(cluster.ClusterPool)
    healthy.client, healthy.trouble_since, healthy.watched = (
        _FakeClient("running", {"w": {}}),
        1.0,
        0.0,
    )
    assert healthy._watch() == [] and healthy.trouble_since is None


def test_a_shared_store_is_copied_from_its_path_not_sent(ws, tmp_path):
    bundle = describe_bundle(ws, shared_store=True)
    pieces = list(chunks(bundle))
    assert not any(bundle.files[i].path == bundle.store for i, _, _ in pieces)
    copy = materialize(bundle, pieces, tmp_path / "copies")
    assert (copy / bundle.store).read_bytes() == ws.store_path.read_bytes()


def test_a_shared_store_that_differs_or_is_missing_is_refused(ws, tmp_path):
    bundle = describe_bundle(ws, shared_store=True)
    pieces = list(chunks(bundle))
    ws.store_path.write_bytes(b"imported meanwhile")
    with pytest.raises(RunFailedError, match="differs from the one the batch planned with"):
        materialize(bundle, pieces, tmp_path / "a")
    ws.store_path.unlink()
    with pytest.raises(RunFailedError, match=r"--shared-store: this worker cannot read the store"):
        materialize(bundle, pieces, tmp_path / "b")
