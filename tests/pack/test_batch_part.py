"""``reviewkit batch --list`` and ``--part``: what a scheduler sharding the night calls."""

from __future__ import annotations

import json
import shutil

import pytest
from builders import REPO

from reviewkit.cli.main import main
from reviewkit.core.workspace import Workspace, init_workspace
from reviewkit.pack.batch import LAST_BATCH, run_batch
from reviewkit.pack.batch_log import BatchLockedError, batch_lock

DEMO = "2026-11-23"


@pytest.fixture(scope="module")
def ws(sample_workspace: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    workspace = init_workspace(tmp_path_factory.mktemp("part") / "ws")
    shutil.copy(sample_workspace.store_path, workspace.store_path)
    shutil.copy(REPO / "params" / "schedule.yml", workspace.params_dir / "schedule.yml")
    return workspace


def test_list_prints_the_names_of_the_schedule_and_builds_nothing(ws, capsys):
    assert main(["batch", "--list", "--workspace", str(ws.root)]) == 0
    names = capsys.readouterr().out.split()
    assert len(names) == 24 and names[0] == "weekly/company/ja"
    assert "monthly/sales_team-team-c/en" in names
    assert main(["batch", "--list", "--only", "monthly/region-*", "--workspace",
                 str(ws.root)]) == 0  # fmt: skip
    assert capsys.readouterr().out.split() == [
        "monthly/region-kanto/ja", "monthly/region-kansai/ja", "monthly/region-chubu/ja"
    ]  # fmt: skip
    assert not (ws.outputs_dir / "_logs").exists() and not list(ws.outputs_dir.rglob("*.html"))


def test_parts_share_the_lock_and_never_overlap_a_whole_batch(tmp_path):
    locked = pytest.raises(BatchLockedError, match="another batch is running")
    with (
        batch_lock(tmp_path, part=True),
        batch_lock(tmp_path, part=True),
        locked,
        batch_lock(tmp_path),
    ):
        pass
    locked = pytest.raises(BatchLockedError, match="another batch is running")
    with batch_lock(tmp_path), locked, batch_lock(tmp_path, part=True):
        pass


def test_a_part_builds_its_packs_and_the_whole_batch_records_them_as_built(ws, tmp_path):
    out = tmp_path / "out"
    part = run_batch(workspace=ws, as_of=DEMO, only=("weekly/company/ja",), output_dir=out,
                     part=True)  # fmt: skip
    assert part.counts == {"built": 1, "skipped": 0, "failed": 0}
    assert (out / "weekly" / "2026-W47" / "pack.html").is_file()
    assert "batch part of 1 packs" in part.log.read_text(encoding="utf-8")
    # the night is recorded by the whole batch, not by its parts
    assert not (out / "_logs" / LAST_BATCH).exists() and not (out / "index.html").exists()
    whole = run_batch(workspace=ws, as_of=DEMO, only=("weekly/company/*",), output_dir=out,
                      jobs=1)  # fmt: skip
    assert whole.counts == {"built": 1, "skipped": 1, "failed": 0}
    summary = json.loads((out / "_logs" / LAST_BATCH).read_text(encoding="utf-8"))
    assert {p["name"]: p["status"] for p in summary["packs"]} == {
        "weekly/company/ja": "skipped", "weekly/company/en": "built"
    }  # fmt: skip
    assert (out / "index.html").read_text(encoding="utf-8").count('class="rk-pack"') == 2
