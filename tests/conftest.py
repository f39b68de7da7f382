"""Shared fixtures: tiny in-memory stores, and one sample-company workspace per test session."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from reviewkit.core.workspace import Workspace, init_workspace
from reviewkit.store.schema import connect

# Test modules import each other's builders by module name (``from test_monthly_analysis import
# tiny_store``); the test folders mirror the packages, so each is on the path.
for _folder in sorted(Path(__file__).resolve().parent.iterdir()):
    if _folder.is_dir() and _folder.name not in ("fixtures", "golden", "__pycache__"):
        sys.path.insert(1, str(_folder))

DEMO_DATE = "2026-11-23"
REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


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


def in_ci() -> bool:
    """Whether the suite runs in CI, where a missing tool is a failure, never a skip."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``reviewkit`` as a user would, in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "reviewkit.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


def one_line(stderr: str) -> str:
    """The only non-empty line of ``stderr`` (fails if there are more)."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    return lines[0]
