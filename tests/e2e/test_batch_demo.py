"""The demo schedule end to end: ``reviewkit batch --jobs 2`` builds it, a second run skips it.

Also checks that a pack a batch worker builds (on a kernel reused between packs) says exactly
what the same pack built alone by ``reviewkit run`` (on a fresh kernel) says.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from builders import stable_text

from reviewkit.cli.main import main
from reviewkit.pack.schedule import load_schedule

DEMO = "2026-11-23"


@pytest.fixture(scope="module")
def demo(sample_workspace, tmp_path_factory):
    """The sample workspace with the repository's schedule, and a first batch run into it."""
    shutil.copy(Path(__file__).parents[2] / "params" / "schedule.yml",
                sample_workspace.params_dir / "schedule.yml")  # fmt: skip
    out = tmp_path_factory.mktemp("demo-batch")
    args = ["batch", "--jobs", "2", "--as-of", DEMO, "--workspace", str(sample_workspace.root),
            "--output-dir", str(out)]  # fmt: skip
    code = main(args)
    return sample_workspace, out, args, code


def _summary(out: Path) -> dict:
    return json.loads((out / "_logs" / "last-batch.json").read_text(encoding="utf-8"))


def test_the_batch_builds_every_pack_of_the_demo_schedule(demo):
    ws, out, _, code = demo
    jobs = load_schedule(ws.params_dir / "schedule.yml", default_lang="ja")
    assert len(jobs) == 24
    assert code == 0
    summary = _summary(out)
    assert summary["counts"] == {"built": 24, "skipped": 0, "failed": 0}
    manifests = sorted(out.glob("*/*/**/manifest.json"))
    assert len(manifests) == 24
    segments = {json.loads(m.read_text())["segment"]["slug"] for m in manifests
                if json.loads(m.read_text())["segment"]}  # fmt: skip
    assert segments == {
        "sales_team-team-a", "sales_team-team-b", "sales_team-team-c", "channel-paid",
        "channel-events", "channel-inbound", "region-kanto", "region-kansai", "region-chubu",
    }  # fmt: skip
    assert (out / "monthly" / "2026-10" / "sales_team-team-c" / "en" / "pack.html").is_file()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count('class="rk-pack"') == 24
    assert 'id="last-batch"' in index


def test_a_second_run_skips_everything_unchanged(demo):
    _, out, args, _ = demo
    packs = sorted(out.glob("*/*/**/pack.html"))
    before = {p: p.stat().st_mtime_ns for p in packs}
    assert main(args) == 0
    assert _summary(out)["counts"] == {"built": 0, "skipped": 24, "failed": 0}
    assert {p: p.stat().st_mtime_ns for p in packs} == before


@pytest.mark.parametrize(
    ("cadence", "folder", "segment"),
    [
        ("monthly", "monthly/2026-10/sales_team-team-b", "sales_team=Team B"),
        ("quarterly", "quarterly/FY2026-Q2", ""),
    ],
)
def test_a_pack_built_on_a_reused_kernel_says_what_a_fresh_kernel_says(
    demo, tmp_path, cadence, folder, segment
):
    ws, out, _, _ = demo
    alone = tmp_path / "alone"
    args = [
        "run",
        cadence,
        "--as-of",
        DEMO,
        "--workspace",
        str(ws.root),
        "--output-dir",
        str(alone),
    ]
    assert main([*args, *(["--segment", segment] if segment else [])]) == 0
    batch_manifest = json.loads((out / folder / "manifest.json").read_text(encoding="utf-8"))
    alone_manifest = json.loads((alone / folder / "manifest.json").read_text(encoding="utf-8"))
    assert batch_manifest["inputs"] == alone_manifest["inputs"]
    batched = stable_text((out / folder / "pack.html").read_text(encoding="utf-8"))
    single = stable_text((alone / folder / "pack.html").read_text(encoding="utf-8"))
    assert batched == single
