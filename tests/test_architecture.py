"""The package keeps its one-way flow: layers contract, no import cycles, no HTML in analysis."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import grimp

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "reviewkit"


def _lint_imports() -> Path:
    """The ``lint-imports`` script of the running interpreter's environment."""
    return Path(sys.executable).with_name("lint-imports")


def test_layers_contract_is_kept() -> None:
    """Import-linter's ``layers`` contract of pyproject.toml holds, with no ignored imports."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [str(_lint_imports()), "--no-cache"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ignore_imports" not in (REPO / "pyproject.toml").read_text(encoding="utf-8")


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycles() -> None:
    """No two reviewkit modules import each other, even through TYPE_CHECKING or a function."""
    graph = grimp.build_graph("reviewkit", cache_dir=None)
    edges = {
        module: {
            imported
            for imported in graph.find_modules_directly_imported_by(module)
            if imported.split(".")[0] == "reviewkit"
        }
        for module in graph.modules
    }
    assert _cycles(edges) == []


def test_cycle_finder_sees_a_loop() -> None:
    """The cycle check itself finds a three-module loop and ignores a chain."""
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(edges) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


# What analysis never does: build markup, write files, or reach into presentation.
_FORBIDDEN_IN_ANALYSIS = re.compile(
    r"<(div|table|span|p|h[1-6]|ul|li|tr|td|th|section|strong|em)[\s>]"
    r"|write_text|write_bytes|\bopen\("
    r"|^\s*(from|import)\s+reviewkit\.(present|core\.atomic)\b"
)


def test_analysis_returns_data_only() -> None:
    """No module under reviewkit/analysis writes HTML or files, or imports reviewkit.present."""
    offences = [
        f"{path.relative_to(REPO)}:{number}: {line.strip()}"
        for path in sorted((PACKAGE / "analysis").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if _FORBIDDEN_IN_ANALYSIS.search(line)
    ]
    assert offences == [], "\n".join(offences)
