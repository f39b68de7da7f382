"""`reviewkit validate` against the store: what a run would otherwise hit late.

A schedule segment no lead has fails validate (a run would refuse it); a stage whose event no
import recorded, a store not created yet and an empty store are one warning line each.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from builders import run_cli

from reviewkit.core.workspace import Workspace, init_workspace


@pytest.fixture
def ws(sample_workspace: Workspace, tmp_path: Path) -> Workspace:
    """A copy of the sample workspace (its store filled)."""
    workspace = init_workspace(tmp_path / "ws")
    shutil.copy(sample_workspace.store_path, workspace.store_path)
    return workspace


def validate(ws: Workspace):
    return run_cli("validate", "--workspace", str(ws.root))


def test_the_sample_validates_with_nothing_to_say(ws):
    done = validate(ws)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_a_schedule_segment_no_lead_has_fails_validate_in_one_line(ws):
    path = ws.params_dir / "schedule.yml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("[kanto, kansai, chubu]", "[kanto, kyoto]"),
        encoding="utf-8",
    )
    done = validate(ws)
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "schedule.yml" in lines[0] and "region='kyoto'" in lines[0]
    assert "kanto" in lines[0]  # the values the store has


def test_a_stage_no_import_recorded_is_a_warning(ws):
    path = ws.params_dir / "definitions.yml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("event: sql", "event: sales_qualified"),
        encoding="utf-8",
    )
    done = validate(ws)
    assert done.returncode == 0, done.stderr
    assert "warning:" in done.stderr and "'sql' (event 'sales_qualified')" in done.stderr
    assert "counts 0" in done.stderr


def test_no_store_yet_is_a_warning_naming_the_next_step(tmp_path):
    made = run_cli("init", str(tmp_path / "own"), "--country", "DE")
    assert made.returncode == 0, made.stderr
    done = run_cli("validate", "--workspace", str(tmp_path / "own"))
    assert done.returncode == 0, done.stderr
    assert "does not exist yet" in done.stderr and "reviewkit import" in done.stderr


def test_a_schedule_parameter_the_funnel_cannot_take_fails_validate(tmp_path):
    made = run_cli("init", str(tmp_path / "own"), "--country", "US")
    assert made.returncode == 0, made.stderr
    path = tmp_path / "own" / "params" / "schedule.yml"
    path.write_text(
        "packs:\n  - name: company\n    cadences: [quarterly]\n"
        "    parameters: {what_if_rule: 'score >= 70'}\n",
        encoding="utf-8",
    )
    done = run_cli("validate", "--workspace", str(tmp_path / "own"))
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and "schedule.yml" in errors[0] and "what_if_rule" in errors[0]
