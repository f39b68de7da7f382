"""Shared fixtures: tiny in-memory stores, and one sample-company workspace per test session.

The builders these fixtures use, and every helper a test module shares, live in
``tests/builders.py``; test modules import from there, never from each other or from here.
"""

from __future__ import annotations

import fcntl
import os
import pickle
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from builders import DEMO_DATE

from reviewkit.core.workspace import Workspace, find_workspace, init_workspace
from reviewkit.store.schema import connect


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    """An empty in-memory store with the full schema (session time zone Asia/Tokyo)."""
    connection = connect(":memory:", timezone="Asia/Tokyo")
    yield connection
    connection.close()


@contextmanager
def _once_per_run(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[Path | None]:
    """A folder of the whole run that the first process to get here fills; ``None``: fill it.

    Under ``pytest -n`` every worker has its own session fixtures; what the ``with`` body
    writes into the folder (``yield`` gives ``None`` once, to the first worker, then the folder
    to everyone) is made once per run instead of once per worker. A worker that comes while
    another fills it waits on the lock (no polling). Without xdist, the folder is this run's.
    """
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        yield None
        return
    shared = tmp_path_factory.getbasetemp().parent / name
    with Path(f"{shared}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # blocks while another worker fills it; freed on close
        done = shared / ".done"
        if not done.is_file():
            yield None
            done.touch()
        else:
            yield shared


def _shared_folder(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """Where the first worker fills what ``_once_per_run`` shares (this worker's own folder
    without xdist)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return tmp_path_factory.mktemp(name)
    shared = tmp_path_factory.getbasetemp().parent / name
    shared.mkdir(exist_ok=True)  # a worker's failed attempt may have left it
    return shared


@pytest.fixture(scope="session")
def sample_workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A workspace created by ``init_workspace`` and filled with the sample company.

    Each worker has its own copy (tests may change it); the sample company is generated once
    per run and copied.
    """
    from reviewkit.ingest.sample.write import write_sample

    root = tmp_path_factory.mktemp("sample") / "ws"
    with _once_per_run(tmp_path_factory, "sample-workspace") as ready:
        if ready is None:
            ws = init_workspace(root)
            write_sample(str(ws.store_path))
            if os.environ.get("PYTEST_XDIST_WORKER"):
                shutil.copytree(root, _shared_folder(tmp_path_factory, "sample-workspace") / "ws")
            return ws
        shutil.copytree(ready / "ws", root)
    return find_workspace(root)


@pytest.fixture(scope="session")
def sample_con(sample_workspace: Workspace) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the sample company's store."""
    connection = connect(sample_workspace.store_path, read_only=True, timezone="Asia/Tokyo")
    yield connection
    connection.close()


@pytest.fixture(autouse=True)
def _settled_sample_con(request: pytest.FixtureRequest) -> None:
    """Each test that uses the shared sample connection finds it with no result left open.

    A ``fetchone()`` leaves a result unfinished, and DuckDB then refuses ``register`` on the
    connection; which test ran before depends on the order (``pytest -n`` changes it).
    """
    if "sample_con" in request.fixturenames:
        request.getfixturevalue("sample_con").execute("SELECT 1").fetchall()


@pytest.fixture(scope="session")
def sample_tables(sample_con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """The sample company's raw tables as pandas frames (times in Asia/Tokyo)."""
    names = ["leads", "stage_events", "opportunities", "activities", "campaigns", "targets"]
    return {name: sample_con.execute(f"SELECT * FROM {name}").df() for name in names}


def _build_demo_packs(workspace: Workspace, out: Path) -> dict:
    from reviewkit.pack.runner import run_pack

    results = {}
    for cadence in ("weekly", "monthly", "quarterly"):
        for lang in ("ja", "en"):
            results[(cadence, lang)] = run_pack(
                cadence, as_of=DEMO_DATE, lang=lang, output_dir=out, workspace=workspace
            )
    return results


@pytest.fixture(scope="session")
def demo_packs(sample_workspace: Workspace, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The weekly, monthly and quarterly packs of the demo date, in Japanese and English.

    Returns ``{(cadence, lang): PackResult}``; all packs share one output folder. Tests only read
    them. Under ``pytest -n`` the first worker to ask builds them (six kernel runs) and the
    other workers read the same files: built once per run, not once per worker. The workspace
    they were built from is ``demo_packs_workspace``.
    """
    with _once_per_run(tmp_path_factory, "demo-packs") as ready:
        if ready is None:
            folder = _shared_folder(tmp_path_factory, "demo-packs")
            results = _build_demo_packs(sample_workspace, folder / "packs")
            (folder / "workspace.txt").write_text(str(sample_workspace.root), encoding="utf-8")
            (folder / "results.pickle").write_bytes(pickle.dumps(results))
            return results
        return pickle.loads((ready / "results.pickle").read_bytes())


@pytest.fixture(scope="session")
def demo_packs_workspace(demo_packs: dict) -> Path:
    """The root of the sample workspace ``demo_packs`` were built from (another worker's too)."""
    out = next(iter(demo_packs.values())).pack.parents[2]
    return Path((out.parent / "workspace.txt").read_text(encoding="utf-8"))
