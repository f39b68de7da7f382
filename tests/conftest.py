"""Shared fixtures: tiny in-memory stores, and one sample-company workspace per test session.

The builders these fixtures use, and every helper a test module shares, live in
``tests/builders.py``; test modules import from there, never from each other or from here.
"""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest
from builders import DEMO_DATE

from reviewkit.core.workspace import Workspace, init_workspace
from reviewkit.store.schema import connect


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    """An empty in-memory store with the full schema (session time zone Asia/Tokyo)."""
    connection = connect(":memory:", timezone="Asia/Tokyo")
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def sample_workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A workspace created by ``init_workspace`` and filled with the sample company."""
    from reviewkit.ingest.sample.company import write_sample

    root = tmp_path_factory.mktemp("sample") / "ws"
    ws = init_workspace(root)
    write_sample(str(ws.store_path))
    return ws


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


@pytest.fixture(scope="session")
def demo_packs(sample_workspace: Workspace, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The weekly, monthly and quarterly packs of the demo date, in Japanese and English.

    Returns ``{(cadence, lang): PackResult}``; all packs share one output folder.
    """
    from reviewkit.pack.runner import run_pack

    out = tmp_path_factory.mktemp("packs")
    results = {}
    for cadence in ("weekly", "monthly", "quarterly"):
        for lang in ("ja", "en"):
            results[(cadence, lang)] = run_pack(
                cadence, as_of=DEMO_DATE, lang=lang, output_dir=out, workspace=sample_workspace
            )
    return results
