"""The runner and the CLI as users meet them: exit codes, one-line errors, atomic publishing."""

import json
import shutil

import nbformat
import pytest
from builders import DEMO_DATE, REPO, one_line
from builders import run_cli as cli

from reviewkit.core.workspace import init_workspace
from reviewkit.errors import ParameterError
from reviewkit.pack.parameters import validate_parameters
from reviewkit.pack.runner import run_pack

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", "monthly", "--as-of", "2026-13-01"], "as_of: '2026-13-01' is not a date"),
        (["run", "monthly", "--lang", "fr"], "lang: 'fr' is not a pack language; use ja or en"),
        (["run", "yearly"], "cadence: 'yearly' is not a review cadence"),
        (["run", "monthly", "--colour", "red"], "No such option '--colour'"),
        (["run"], "Missing argument 'CADENCE'"),
    ],
)
def test_bad_parameters_get_one_line_and_exit_2(sample_workspace, tmp_path, args, expected):
    out = tmp_path / "out"
    result = cli(*args, "--workspace", str(sample_workspace.root), "--output-dir", str(out))
    assert result.returncode == 2
    assert expected in one_line(result.stderr)
    assert not out.exists()  # nothing executed, nothing written


def test_missing_store_says_how_to_create_one(tmp_path):
    ws = init_workspace(tmp_path / "empty")
    result = cli("run", "weekly", "--workspace", str(ws.root))
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert "does not exist" in line and "reviewkit sample" in line


def test_debug_shows_the_traceback(tmp_path):
    ws = init_workspace(tmp_path / "empty")
    result = cli("run", "weekly", "--workspace", str(ws.root), "--debug")
    assert result.returncode == 2
    assert "Traceback" in result.stderr


def test_unknown_parameter_from_python(sample_workspace, tmp_path):
    with pytest.raises(ParameterError, match=r"'threshold' is not declared .* \['as_of'"):
        run_pack(
            "monthly",
            as_of=DEMO_DATE,
            workspace=sample_workspace,
            output_dir=tmp_path,
            parameters={"threshold": 60},
        )
    assert not (tmp_path / "monthly").exists()


def test_ill_typed_parameter(tmp_path):
    template = tmp_path / "t.ipynb"
    shipped = nbformat.read(REPO / "notebooks" / "monthly_review.ipynb", as_version=4)
    nb = nbformat.v4.new_notebook(metadata=shipped.metadata)
    cell = nbformat.v4.new_code_cell('workspace = ""\nas_of = "auto"\nlang = ""\nthreshold = 60')
    cell.metadata["tags"] = ["parameters"]
    nb.cells.append(cell)
    nbformat.write(nb, template)
    assert validate_parameters(template, {"threshold": 70}) == {"threshold": 70}
    with pytest.raises(ParameterError, match=r"'threshold': '70' is a str, but t\.ipynb expects"):
        validate_parameters(template, {"threshold": "70"})


def test_cli_run_writes_the_documented_layout(sample_workspace, tmp_path):
    out = tmp_path / "out"
    result = cli(
        "run", "monthly", "--as-of", DEMO_DATE, "--workspace", str(sample_workspace.root),
        "--output-dir", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    folder = out / "monthly" / "2026-10"
    # the monthly pack also leaves its proposals (`reviewkit action add --from-proposal` reads
    # them) and its first screen as data (the messages delivering it quote it)
    assert {p.name for p in folder.iterdir()} == {
        "pack.html", "notebook.ipynb", "manifest.json", "proposals.json", "summary.json",
    }  # fmt: skip
    assert str(folder / "pack.html") in result.stdout
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["period"] == "2026-10" and manifest["as_of"] == DEMO_DATE
    assert manifest["parameters"]["lang"] == "ja"
    assert manifest["files"] == ["proposals.json", "summary.json"]
    assert manifest["data_freshness"].startswith("2026-11-22")
    assert {"duckdb", "pandas", "papermill", "nbconvert", "python"} <= set(manifest["packages"])
    assert set(manifest["timings_seconds"]) == {"execute", "redact", "render", "total"}
    assert (out / "index.html").is_file()
    assert not (out / "_staging").exists()


def test_failed_run_keeps_the_notebook_and_the_good_pack(sample_workspace, tmp_path):
    # A workspace of its own, sharing the sample store, whose monthly template breaks.
    root = tmp_path / "ws"
    shutil.copytree(sample_workspace.root / "params", root / "params")
    (root / "data").mkdir()
    shutil.copy(sample_workspace.store_path, root / "data" / "reviewkit.duckdb")
    out = root / "outputs"
    good = run_pack("monthly", as_of=DEMO_DATE, workspace=root, output_dir=out)
    before = good.pack.read_bytes()

    nb = nbformat.read(REPO / "notebooks" / "monthly_review.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell('raise KeyError("no such segment")'))
    (root / "notebooks").mkdir()
    nbformat.write(nb, root / "notebooks" / "monthly_review.ipynb")

    result = cli("run", "monthly", "--as-of", DEMO_DATE, "--workspace", str(root))
    assert result.returncode == 1
    line = one_line(result.stderr)
    assert "monthly_review.ipynb failed for 2026-10 in the cell `raise KeyError(" in line
    assert "KeyError" in line and "no such segment" in line
    kept = list((out / "_failed" / "monthly" / "2026-10").glob("*/notebook.ipynb"))
    assert len(kept) == 1 and str(kept[0].parent) in line
    assert good.pack.read_bytes() == before
    # the index shows the failure at once, linking to the kept notebook
    index = (out / "index.html").read_text(encoding="utf-8")
    assert kept[0].relative_to(out).as_posix() in index
    assert not (out / "_staging").exists()


def test_english_pack_goes_beside_the_default_one(demo_packs):
    ja, en = demo_packs[("monthly", "ja")], demo_packs[("monthly", "en")]
    assert ja.pack.parent.name == "2026-10"
    assert en.pack.parent == ja.pack.parent / "en"
