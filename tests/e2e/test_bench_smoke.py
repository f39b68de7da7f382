"""The benchmarks' own inputs: floors that match the real templates, a loop of the same packs."""

from __future__ import annotations

import shlex
import sys

import nbformat
import papermill
import pytest
from builders import REPO

sys.path.insert(0, str(REPO / "benchmarks"))

import bench_batch
import bench_floor

CADENCES = ("weekly", "monthly", "quarterly")


@pytest.mark.parametrize("cadence", CADENCES)
def test_floor_declares_the_real_templates_parameters(tmp_path, cadence):
    real = bench_floor.real_template(cadence)
    floor = tmp_path / real.name
    nbformat.write(bench_floor.floor_notebook(real, ["json"]), floor)

    declared = papermill.inspect_notebook(str(floor))
    expected = papermill.inspect_notebook(str(real))
    assert declared == expected  # names, defaults, types and help
    assert {"workspace", "as_of", "lang", "segment", "segment_name"} <= set(declared)
    # Nothing but the parameters and the imports: no review is opened.
    cells = nbformat.read(floor, as_version=4).cells
    assert len(cells) == 2
    assert cells[0].source == bench_floor.parameters_cell(nbformat.read(real, 4)).source
    assert "open_review" not in cells[1].source


def test_floor_imports_the_listed_modules_in_order_and_tolerates_missing_ones(
    tmp_path, monkeypatch
):
    for name in ("floor_probe_b", "floor_probe_a"):
        (tmp_path / f"{name}.py").write_text(
            f"import builtins\nbuiltins.FLOOR_ORDER.append({name!r})\n", encoding="utf-8"
        )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr("builtins.FLOOR_ORDER", [], raising=False)
    modules = ["floor_probe_b", "no_such_module_for_the_floor", "floor_probe_a"]
    code = bench_floor.floor_notebook(bench_floor.real_template("weekly"), modules).cells[1].source
    try:
        exec(compile(code, "floor", "exec"), {})
        import builtins

        assert builtins.FLOOR_ORDER == ["floor_probe_b", "floor_probe_a"]
    finally:
        for name in ("floor_probe_a", "floor_probe_b"):
            sys.modules.pop(name, None)


def test_probe_publishes_the_kernels_modules_through_the_pack_context():
    notebook = bench_floor.probe_notebook(bench_floor.real_template("monthly"))
    real = nbformat.read(bench_floor.real_template("monthly"), as_version=4)
    assert [c.source for c in notebook.cells[:-1]] == [c.source for c in real.cells]
    assert "PackContext" in notebook.cells[-1].source  # published through the pack context
    assert bench_floor.MODULES_FILE in notebook.cells[-1].source


def test_naive_loop_runs_every_scheduled_pack_with_its_parameters(tmp_path):
    jobs = bench_batch.schedule_jobs(REPO)
    assert len(jobs) == 24
    script = bench_batch.naive_script(jobs, tmp_path)
    runs = [shlex.split(line) for line in script.splitlines() if line.startswith("papermill ")]
    converts = [line for line in script.splitlines() if line.startswith("jupyter nbconvert ")]
    assert len(runs) == len(converts) == 24
    by_name = {}
    for job, argv in zip(jobs, runs, strict=True):
        assert argv[1] == str(REPO / "notebooks" / f"{job.cadence}_review.ipynb")
        assert argv[-2:] == ["-k", "reviewkit"]
        pairs = argv[3:-2]
        assert set(pairs[0::3]) == {"-p"}
        given = dict(zip(pairs[1::3], pairs[2::3], strict=True))
        by_name[job.name] = given
    assert by_name["weekly/company/ja"] == {"as_of": "2026-11-23", "lang": "ja"}
    assert by_name["monthly/sales_team-team-b/ja"] == {
        "as_of": "2026-11-23", "lang": "ja", "segment": "sales_team=Team B", "segment_name": "",
    }  # fmt: skip
    paid = next(v for k, v in by_name.items() if "paid" in k)
    assert paid["segment"] == "channel=paid_search,display"
    assert paid["segment_name"] == "paid"
    assert len({line.split()[-1] for line in converts}) == 24  # no two packs share a file


def test_quick_subset_is_one_pack_per_cadence_and_a_segment():
    jobs = bench_batch.quick_subset(bench_batch.schedule_jobs(REPO))
    assert [j.cadence for j in jobs[:3]] == list(CADENCES)
    assert [j.scope is None for j in jobs] == [True, True, True, False]
