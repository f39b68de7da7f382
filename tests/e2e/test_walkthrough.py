"""The analyst guide's walkthrough, followed literally: a segment dimension and a chart.

``docs/guide-analyst.md`` tells a new analyst to paste a ``segments:`` block into
``params/definitions.yml``, add one cell to the monthly template and run
``reviewkit run monthly``. This test takes those snippets from the guide (the fenced block after
each ``<!-- walkthrough:... -->`` marker, English and Japanese), applies them to a copy of the
sample workspace exactly where the guide says, runs the command and reads the pack: the chart is
there, split by the new dimension, and the glossary shows the dimension's rules.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import nbformat
import pytest
from builders import run_cli

from reviewkit.i18n.texts import t
from reviewkit.model.definitions import load_definitions
from reviewkit.model.labels import metric_label

GUIDE = Path(__file__).parents[2] / "docs" / "guide-analyst.md"
MARKERS = ("definitions", "cell", "run")


def snippets(suffix: str) -> dict[str, str]:
    """The guide's walkthrough snippets, by marker (``-ja`` for the Japanese part)."""
    text = GUIDE.read_text(encoding="utf-8")
    found = {}
    for marker in MARKERS:
        match = re.search(
            rf"<!-- walkthrough:{marker}{suffix} -->\s*```[a-z]*\n(.*?)```", text, re.DOTALL
        )
        assert match, f"{GUIDE.name}: no fenced block after <!-- walkthrough:{marker}{suffix} -->"
        found[marker] = match.group(1)
    return found


@pytest.fixture
def analyst_workspace(tmp_path, sample_workspace):
    """A copy of the sample workspace with the shipped templates, as a checkout has them."""
    root = tmp_path / "ws"
    shutil.copytree(sample_workspace.root / "params", root / "params")
    (root / "data").mkdir()
    shutil.copy(sample_workspace.store_path, root / "data" / sample_workspace.store_path.name)
    shutil.copytree(Path(__file__).parents[2] / "notebooks", root / "notebooks")
    return root


@pytest.mark.integration
@pytest.mark.parametrize(("suffix", "lang", "words"), [("", "en", "Account tier"),
                                                      ("-ja", "ja", "顧客ティア")])  # fmt: skip
def test_the_walkthrough_adds_a_dimension_and_a_chart_to_the_next_monthly_pack(
    analyst_workspace, suffix, lang, words
):
    steps = snippets(suffix)
    root = analyst_workspace
    definitions = root / "params" / "definitions.yml"
    with definitions.open("a", encoding="utf-8") as out:
        out.write("\n" + steps["definitions"])
    validated = run_cli("validate", "--workspace", str(root))
    assert validated.returncode == 0, validated.stderr

    template = root / "notebooks" / "monthly_review.ipynb"
    nb = nbformat.read(template, as_version=4)
    where = next(i for i, c in enumerate(nb.cells) if c.source.strip() == "review.where()")
    nb.cells.insert(where + 1, nbformat.v4.new_code_cell(steps["cell"].strip()))
    nbformat.write(nb, template)

    command = shlex.split(steps["run"].strip())
    assert command[:3] == ["reviewkit", "run", "monthly"], steps["run"]
    ran = run_cli(*command[1:], "--workspace", str(root), "--lang", lang)
    assert ran.returncode == 0, ran.stderr
    pack_dir = root / "outputs" / "monthly" / "2026-10"
    pack_dir = pack_dir if lang == "ja" else pack_dir / lang
    html = (pack_dir / "pack.html").read_text(encoding="utf-8")
    # the new chart, titled by the metric and the new dimension, right after "where"
    defs = load_definitions(root / "params" / "definitions.yml")
    title = t(
        "explore.title.split", lang, metric=metric_label(defs, "mql_to_sql", lang=lang),
        dimension=words,
    )  # fmt: skip
    figure = html.index(f'<figcaption class="rk-note">{title}')
    assert html.index('id="where"') < figure < html.index('id="cause_target"')
    chart = html[html.rindex("<figure", 0, figure) : figure]
    for value in ("enterprise", "mid_market", "smb"):
        assert value in chart
    assert 'id="segment_dimensions"' in html  # the glossary lists the rules and SQL
