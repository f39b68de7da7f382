"""Notebooks are committed clean, and the git hooks of ``make hooks`` keep them so.

Every notebook under ``notebooks/`` (the templates and any an analyst adds, in any folder) has
no outputs, no execution counts, no widget state and the project kernel, and is one the commit
hook would leave as it is. The hook itself (``.pre-commit-config.yaml``: nbstripout from .venv)
and nbdime's cell-level ``git diff`` are exercised in a throwaway git repository set up by the
real ``make hooks``, with git's global and system configuration shut out.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from builders import REPO, VENV, hook, problems

NOTEBOOKS_DIR = REPO / "notebooks"
TEMPLATE = NOTEBOOKS_DIR / "monthly_review.ipynb"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
# The analyst's notebook in the throwaway repository: their own folder, their own name.
OWN = "notebooks/team/my_analysis.ipynb"


def notebooks() -> list[Path]:
    """Every notebook under notebooks/, but none in hidden folders (.ipynb_checkpoints)."""
    found = sorted(NOTEBOOKS_DIR.rglob("*.ipynb"))
    return [
        p for p in found if not any(part.startswith(".") for part in p.parts[len(REPO.parts) :])
    ]


def dirty(source: Path = TEMPLATE) -> nbformat.NotebookNode:
    """``source`` as JupyterLab saves it after Run All, with widgets and a papermill record."""
    nb = nbformat.read(source, as_version=4)
    nb.metadata["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {"state": {"4f1c": {"model_name": "x"}}}
    }
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.2", "mimetype": "text/x"}
    nb.metadata["papermill"] = {"duration": 5.4}
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        count += 1
        cell.execution_count = count
        cell.metadata["execution"] = {"iopub.status.busy": "2026-11-24T10:53:29Z"}
        cell.outputs = [
            nbformat.v4.new_output(
                "execute_result",
                data={"text/html": "<p>売上 1億4,589万円</p>", "text/plain": "x"},
                execution_count=count,
            ),
            nbformat.v4.new_output("stream", name="stderr", text="warning\n"),
        ]
    return nb


def test_every_template_is_found_and_the_checker_can_fail():
    names = {p.name for p in notebooks()}
    assert {"weekly_review.ipynb", "monthly_review.ipynb", "quarterly_review.ipynb"} <= names
    found = problems(dirty())
    assert any("outputs" in p for p in found)
    assert any("execution count" in p for p in found)
    assert "metadata.widgets (widget state)" in found
    other = nbformat.read(TEMPLATE, as_version=4)
    other.metadata.kernelspec.name = "python3"
    assert problems(other) == ["kernelspec 'python3', not 'reviewkit'"]


@pytest.fixture(scope="module")
def would_strip() -> str:
    """What the commit hook would change in the notebooks: nbstripout's dry run, all at once."""
    args = [str(VENV / "bin" / "nbstripout"), *hook()["args"], "--dry-run"]
    result = subprocess.run(
        [*args, *map(str, notebooks())], capture_output=True, text=True, check=True, cwd=REPO
    )
    return result.stdout


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: str(p.relative_to(NOTEBOOKS_DIR)))
def test_notebook_is_committed_clean(path, would_strip):
    nb = nbformat.read(path, as_version=4)
    assert problems(nb) == []
    # ... and clean as the commit hook sees it: nothing for it to strip (volatile metadata).
    assert str(path) not in would_strip, f"the commit hook would change {path.name}"


def test_the_dry_run_names_a_notebook_the_hook_would_change(tmp_path):
    path = tmp_path / "dirty.ipynb"
    nbformat.write(dirty(), path)
    args = [str(VENV / "bin" / "nbstripout"), *hook()["args"], "--dry-run", str(path)]
    result = subprocess.run(args, capture_output=True, text=True, check=True)
    assert str(path) in result.stdout
    assert problems(nbformat.read(path, as_version=4))  # a dry run: untouched


def test_the_hook_config_runs_nbstripout_from_the_venv_on_every_notebook():
    found = hook()
    assert found["entry"] == ".venv/bin/nbstripout"
    assert found["language"] == "unsupported"  # the .venv's executable: no environment, no network
    assert "--keep-id" in found["args"]  # the templates name their cells
    files = re.compile(found["files"])
    for name in ("notebooks/weekly_review.ipynb", "notebooks/team/b/mine.ipynb"):
        assert files.search(name), name
    for name in ("docs/example.ipynb", "notebooks/notes.md", "params/notebooks/x.ipynb"):
        assert not files.search(name), name


def _git_env(tmp: Path) -> dict[str, str]:
    """Git and pre-commit shut out of the user's configuration; no make of an outer make."""
    (tmp / "gitconfig").touch()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "MAKE", "MFLAGS"))}
    env |= {
        "GIT_CONFIG_GLOBAL": str(tmp / "gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "PRE_COMMIT_HOME": str(tmp / "pre-commit-home"),
        "GIT_AUTHOR_NAME": "Analyst",
        "GIT_AUTHOR_EMAIL": "analyst@example.com",
        "GIT_COMMITTER_NAME": "Analyst",
        "GIT_COMMITTER_EMAIL": "analyst@example.com",
    }
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def _checkout(root: Path) -> None:
    """The files ``make hooks`` reads, and .venv (linked: its executables, not a copy)."""
    root.mkdir()
    for name in ("Makefile", ".pre-commit-config.yaml", ".gitattributes"):
        shutil.copy(REPO / name, root / name)
    (root / ".venv").symlink_to(VENV, target_is_directory=True)


def _make_hooks(root: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    make = shutil.which("make")
    assert make, "make is missing (apt-get install make)"
    # -o: never rebuild .venv from here, whatever the copied files' times
    return _run([make, "-o", ".venv/.installed", "hooks"], root, env)


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> tuple[Path, dict[str, str], list[dict[str, str]]]:
    """A git repository with ``make hooks`` run twice; and what each run left."""
    tmp = tmp_path_factory.mktemp("hooks")
    env = _git_env(tmp)
    root = tmp / "repo"
    _checkout(root)
    assert _run(["git", "init", "-q", "-b", "main"], root, env).returncode == 0
    runs = []
    for _ in range(2):
        made = _make_hooks(root, env)
        assert made.returncode == 0, made.stdout + made.stderr
        runs.append(
            {
                "config": (root / ".git" / "config").read_text(),
                "attributes": (root / ".gitattributes").read_text(),
                "hook": (root / ".git" / "hooks" / "pre-commit").read_text(),
            }
        )
    return root, env, runs


def test_make_hooks_is_repo_local_and_idempotent(repo):
    root, env, (first, second) = repo
    assert first == second
    assert first["attributes"] == (REPO / ".gitattributes").read_text()  # nothing appended
    assert "pre-commit" in first["hook"]
    assert Path(env["GIT_CONFIG_GLOBAL"]).read_text() == ""  # nothing --global
    driver = _run(["git", "config", "diff.jupyternotebook.command"], root, env).stdout.strip()
    executable = driver.split('"')[1]  # quoted: the checkout's path may hold spaces
    assert Path(executable).is_file() and executable.endswith(".venv/bin/git-nbdiffdriver")
    merge = _run(["git", "config", "merge.jupyternotebook.driver"], root, env).stdout
    assert ".venv/bin/git-nbmergedriver" in merge
    attributes = _run(["git", "check-attr", "diff", "merge", "--", OWN], root, env).stdout
    assert "diff: jupyternotebook" in attributes and "merge: jupyternotebook" in attributes


def test_make_hooks_without_git_says_so_and_succeeds(tmp_path):
    env = _git_env(tmp_path)
    root = tmp_path / "tarball"
    _checkout(root)
    made = _make_hooks(root, env)
    assert made.returncode == 0, made.stdout + made.stderr
    assert "no .git" in made.stdout
    assert not (root / ".git").exists()


def test_a_commit_of_a_notebook_with_outputs_commits_it_stripped(repo):
    root, env, _ = repo
    path = root / OWN
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(dirty(), path)
    before = nbformat.read(path, as_version=4)
    assert problems(before)

    assert _run(["git", "add", "-A", "notebooks"], root, env).returncode == 0
    refused = _run(["git", "commit", "-q", "-m", "analysis"], root, env)
    assert refused.returncode != 0
    assert "files were modified by this hook" in refused.stdout + refused.stderr

    stripped = nbformat.read(path, as_version=4)
    assert problems(stripped) == []
    assert "papermill" not in stripped.metadata
    assert stripped.metadata.language_info == {"name": "python"}
    assert all("execution" not in c.metadata for c in stripped.cells)
    # What the analyst wrote stays: the cells, their ids, sources, tags and the kernel.
    assert [(c.id, c.source, c.metadata.get("tags")) for c in stripped.cells] == [
        (c.id, c.source, c.metadata.get("tags")) for c in before.cells
    ]
    assert stripped.metadata.kernelspec == before.metadata.kernelspec

    assert _run(["git", "add", "-A", "notebooks"], root, env).returncode == 0
    done = _run(["git", "commit", "-q", "-m", "analysis"], root, env)
    assert done.returncode == 0, done.stdout + done.stderr
    committed = _run(["git", "show", f"HEAD:{OWN}"], root, env).stdout
    assert problems(nbformat.reads(committed, as_version=4)) == []


def test_git_diff_of_a_notebook_is_cell_level(repo):
    root, env, _ = repo
    rel = "notebooks/diffed.ipynb"
    path = root / rel
    nb = nbformat.read(TEMPLATE, as_version=4)
    nbformat.write(nb, path)
    _run(["git", "add", rel], root, env)
    # the hook is tested above; here it would only cost time
    assert _run(["git", "commit", "-q", "--no-verify", "-m", "clean"], root, env).returncode == 0

    changed = copy.deepcopy(nb)
    index = next(i for i, c in enumerate(changed.cells) if c.source == "review.summary()")
    changed.cells[index].source = "review.summary()  # 前月と比べる"
    nbformat.write(changed, path)
    diff = _run(["git", "diff", "--", rel], root, env)
    assert diff.returncode == 0, diff.stderr
    text = ANSI.sub("", diff.stdout)
    assert f"/cells/{index}/source" in text  # nbdime names the cell ...
    assert "# 前月と比べる" in text  # ... and shows the changed line
    assert '"source":' not in text and '"cell_type":' not in text  # not the JSON text diff

    # The same change through nbdime's API, as `nbdiff` computes it.
    import nbdime

    entries = nbdime.diff_notebooks(nb, changed)
    (cells,) = [e for e in entries if e.key == "cells"]
    assert [e.key for e in cells.diff] == [index]
