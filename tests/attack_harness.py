"""The attack suite's shared harness: bad inputs and faults, run as a user (or attacker) would.

Each ``tests/attacks/test_attacks_*.py`` module lists its attacks as :class:`Attack` values in a
module constant ``ATTACKS`` and runs each one through the command line in a workspace of its own
(:func:`attack_workspace`, a copy of a zoo company's workspace, built once per session). The
helpers here assert what every answer must be:

- :func:`assert_refused`: the expected exit code, exactly one line on stderr, no traceback and
  no "unexpected" error;
- :func:`store_digest`: compare before and after to show a refused input changed nothing;
- :func:`published_files` / :func:`assert_no_leak`: no planted personal data in any published
  or logged file (outputs, logs, manifests, index, last-batch.json, notebooks, drafts).

``tests/attacks/test_attacks_summary.py`` gathers every module's ``ATTACKS``, checks there are at
least 80 covering every class, and prints the table the closing note reports.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

#: The classes of attack the suite must cover (issue 20, point 8).
CLASSES = (
    "encodings",
    "binary",
    "sizes",
    "numbers",
    "dates",
    "yaml",
    "paths",
    "cli",
    "signals",
    "concurrency",
    "corrupt-store",
    "personal-data",
    "partial-data",
)

#: What a user must see: a refusal (exit 2, one line), quarantined rows (exit 0, the bad rows
#: kept with a reason), a failed run (exit 1, one line), an interrupted run (130/143), or a
#: run that works (exit 0) with nothing leaked.
OUTCOMES = ("refused", "quarantined", "failed", "interrupted", "works")


@dataclass(frozen=True)
class Attack:
    """One bad input or fault and the answer it must get.

    Attributes
    ----------
    id
        Short, unique id (the pytest id).
    cls
        One of :data:`CLASSES`.
    outcome
        One of :data:`OUTCOMES`.
    what
        One line saying what the attack is, for the report.
    """

    id: str
    cls: str
    outcome: str
    what: str = ""

    def __post_init__(self) -> None:
        assert self.cls in CLASSES, self.cls
        assert self.outcome in OUTCOMES, self.outcome


def params(attacks: list[Attack]) -> list[object]:
    """``attacks`` as pytest params with their ids."""
    return [pytest.param(a, id=a.id) for a in attacks]


_TEMPLATES: dict[str, Path] = {}


def _template(company: str, root: Path) -> Path:
    if company not in _TEMPLATES:
        target = root / f"template-{company}"
        if not target.exists():
            run_cli("sample", "--company", company, str(target), check=True)
        _TEMPLATES[company] = target
    return _TEMPLATES[company]


def attack_workspace(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory,
                     company: str = "usa") -> Path:  # fmt: skip
    """A fresh copy of a zoo company's workspace (store filled, exports under ``exports/``).

    The workspace is generated once per session and copied for each attack (a few MB), so an
    attack may change or break it freely.
    """
    base = tmp_path_factory.getbasetemp() / "attack-templates"
    base.mkdir(exist_ok=True)
    source = _template(company, base)
    target = tmp_path / "ws"
    shutil.copytree(source, target)
    return target


def run_cli(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 300,
    check: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run ``reviewkit ARGS`` in a subprocess, in ``cwd`` (the workspace)."""
    full_env = {**os.environ, **(env or {})}
    result = subprocess.run(
        [sys.executable, "-m", "reviewkit.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env=full_env,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"reviewkit {' '.join(args)} failed:\n{result.stderr}")
    return result


def assert_refused(result: subprocess.CompletedProcess[str], code: int = 2) -> str:
    """Assert exit ``code`` with one line on stderr, no traceback, nothing "unexpected".

    Returns the line.
    """
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == code, (result.returncode, result.stderr[-2000:])
    assert len(lines) == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert "unexpected" not in lines[0].lower(), lines[0]
    return lines[0]


def assert_clean_exit(result: subprocess.CompletedProcess[str]) -> None:
    """Assert exit 0 and nothing "unexpected" or a traceback on stderr."""
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert "unexpected" not in result.stderr.lower()


def store_digest(workspace: Path) -> dict[str, tuple[int, str]]:
    """``{table: (rows, content hash)}`` of the workspace's store, to compare before and after."""
    path = workspace / "data" / "reviewkit.duckdb"
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [
            row[0]
            for row in con.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY 1"
            ).fetchall()
        ]
        digest = {}
        for table in tables:
            # as text: fetching time-zone timestamps as Python objects would need pytz
            sql = f'SELECT COLUMNS(*)::VARCHAR FROM "{table}" ORDER BY ALL'
            rows = con.execute(sql).fetchall()
            digest[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        return digest
    finally:
        con.close()


def quarantined(workspace: Path) -> list[tuple[object, ...]]:
    """Every row of the store's quarantine table (empty if it has none)."""
    path = workspace / "data" / "reviewkit.duckdb"
    con = duckdb.connect(str(path), read_only=True)
    try:
        try:
            return con.execute("SELECT * FROM quarantine").fetchall()
        except duckdb.CatalogException:
            return []
    finally:
        con.close()


_PUBLISHED_SUFFIXES = {".html", ".json", ".ipynb", ".log", ".yml", ".yaml", ".txt", ".csv", ".md"}


def published_files(workspace: Path) -> list[Path]:
    """Every file reviewkit publishes or logs in ``workspace``: outputs (packs, notebooks,
    manifests, index, logs, last-batch.json, _failed) and drafts under ``params/``."""
    files = []
    for folder in (workspace / "outputs", workspace / "params" / "drafts"):
        if folder.exists():
            files += [p for p in folder.rglob("*") if p.is_file()
                      and p.suffix in _PUBLISHED_SUFFIXES]  # fmt: skip
    return files


def assert_no_leak(workspace: Path, planted: list[str]) -> None:
    """No ``planted`` string (an address, a phone number) in any published file or file name."""
    for path in published_files(workspace):
        text = path.read_text(encoding="utf-8", errors="replace")
        for secret in planted:
            assert secret not in text, f"{secret!r} in {path}"
            assert secret not in str(path.relative_to(workspace)), f"{secret!r} in {path} name"
