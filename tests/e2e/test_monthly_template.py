"""The monthly template executed through papermill for every month of the sample's FY2025.

The sample company's last complete fiscal year runs from April 2025 to March 2026; each month
is reviewed on the 8th of the month after it, as a team would. Every run must finish, and its
pack must carry the gap, the three cause families and the checklist.
"""

import re

import nbformat
import pytest

from reviewkit.errors import RunFailedError
from reviewkit.pack.runner import run_pack

pytestmark = pytest.mark.integration

# (as_of, the month it reviews): April 2025 on 2025-05-08 ... March 2026 on 2026-04-08
MONTHS = [
    ("2025-05-08", "2025-04"),
    ("2025-06-08", "2025-05"),
    ("2025-07-08", "2025-06"),
    ("2025-08-08", "2025-07"),
    ("2025-09-08", "2025-08"),
    ("2025-10-08", "2025-09"),
    ("2025-11-08", "2025-10"),
    ("2025-12-08", "2025-11"),
    ("2026-01-08", "2025-12"),
    ("2026-02-08", "2026-01"),
    ("2026-03-08", "2026-02"),
    ("2026-04-08", "2026-03"),
]
SECTIONS = ("gap", "cause_target", "cause_content", "cause_follow_up", "checklist")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_the_months_are_the_fiscal_year():
    assert MONTHS[0] == ("2025-05-08", "2025-04")
    assert MONTHS[-1] == ("2026-04-08", "2026-03")
    assert len({month for _, month in MONTHS}) == 12


def failing_cells(notebook) -> str:
    """The error outputs of an executed notebook: the cell's source and its traceback."""
    nb = nbformat.read(notebook, as_version=4)
    found = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                trace = ANSI.sub("", "\n".join(output.get("traceback", [])))
                found.append(f"--- cell {cell.get('id')}:\n{cell.source}\n{trace}")
    return "\n".join(found)


def run_template(cadence: str, workspace, output_dir, as_of: str, **parameters):
    """Run a pack in English; on failure, fail with the failing cell's error."""
    try:
        return run_pack(
            cadence, as_of=as_of, lang="en", workspace=workspace, output_dir=output_dir,
            parameters=parameters,
        )  # fmt: skip
    except RunFailedError as exc:
        failure = str(exc)
    kept = sorted((output_dir / "_failed").rglob("notebook.ipynb"))
    details = "\n".join(failing_cells(path) for path in kept)
    pytest.fail(f"{cadence} pack for as_of={as_of} failed: {failure}\n{details}", pytrace=False)


def assert_clean_pack(result, sections: tuple[str, ...]) -> str:
    """The executed notebook has no error and no stderr; the pack has every section. Its HTML."""
    nb = nbformat.read(result.notebook, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    errors = [o for o in outputs if o.output_type == "error"]
    assert not errors, failing_cells(result.notebook)
    stderr = [o.get("text", "") for o in outputs if o.get("name") == "stderr"]
    assert not stderr, stderr
    html = result.pack.read_text(encoding="utf-8")
    missing = [s for s in sections if f'id="{s}"' not in html]
    assert not missing, f"{result.period}: the pack lacks the sections {missing}"
    return html


@pytest.mark.parametrize(("as_of", "month"), MONTHS, ids=[m for _, m in MONTHS])
def test_monthly_template_runs_for_every_month_of_fy2025(
    sample_workspace, tmp_path, as_of: str, month: str
) -> None:
    result = run_template("monthly", sample_workspace, tmp_path, as_of)
    assert result.period == month
    assert_clean_pack(result, SECTIONS)
