"""Run All in JupyterLab computes what a scheduled run publishes.

Each template is copied into a copy of the sample workspace (its ``notebooks/`` folder) and
executed top to bottom as JupyterLab's Run All does: nbclient, the ``reviewkit`` kernel, the
notebook's folder as working directory, the parameters cell's defaults (no papermill, no
injected parameters: the workspace is found as the parent folder, ``as_of="auto"``) and no
``REVIEWKIT_*`` variables. ``run_pack`` builds the scheduled pack of the same day from the same
workspace. Every output of a cell with the same source must say the same thing, once the
random table and chart ids are taken out (the helper of tests/e2e/test_batch_demo.py); a chart is
an SVG in JupyterLab and a spec in a pack, so the SVG must be what the pack's spec draws.
Cells tagged ``analyst-only`` (the drill-down widgets) show nothing in a pack and are left out.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from html import escape
from pathlib import Path

import nbformat
import pytest
import vl_convert
from builders import REPO, stable_text
from nbclient import NotebookClient

from reviewkit.i18n.texts import t
from reviewkit.pack.runner import run_pack

CADENCES = ("weekly", "monthly", "quarterly")
# Set by a shell or a scheduler, never by JupyterLab for an analyst.
UNSET = ("REVIEWKIT_WORKSPACE", "REVIEWKIT_PACK_CONTEXT")
HEADER = {"weekly": "週次レビュー", "monthly": "月次レビュー", "quarterly": "四半期レビュー"}
FIGURE = re.compile(
    r'<figure class="rk-figure">.*?<figcaption[^>]*>(.*?)</figcaption></figure>', re.S
)
SVG = re.compile(r'<figure class="rk-figure">(<svg.*?</svg>)<figcaption', re.S)
SPEC = re.compile(r'<script type="application/json" id="rk-spec-\d+">(.*?)</script>', re.S)
# Vega numbers gradients and clip paths per process: the kernel's count is not the test's.
VEGA_IDS = re.compile(r"\b(gradient_|clip)\d+\b")
# The one intended difference: a pack saves the quarterly draft targets file next to itself and
# says so; JupyterLab only offers the download and says where `reviewkit run` would save it.
DRAFT_NOTES = ("quarterly.plan.written", "quarterly.plan.not_written")


@pytest.fixture(scope="module")
def workspace(sample_workspace, tmp_path_factory) -> Path:
    """A copy of the sample workspace, with the three templates in its ``notebooks/``."""
    root = tmp_path_factory.mktemp("run-all") / "ws"
    shutil.copytree(sample_workspace.root, root, ignore=shutil.ignore_patterns("outputs"))
    (root / "notebooks").mkdir()
    for cadence in CADENCES:
        shutil.copy(REPO / "notebooks" / f"{cadence}_review.ipynb", root / "notebooks")
    return root


def run_all(path: Path) -> nbformat.NotebookNode:
    """Execute ``path`` as JupyterLab's Run All does (the notebook is not saved)."""
    nb = nbformat.read(path, as_version=4)
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    client = NotebookClient(
        nb,
        kernel_name="reviewkit",
        timeout=120,
        allow_errors=True,  # every error is reported below, not only the first
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute(env=env)
    return nb


def html(cell: nbformat.NotebookNode) -> list[str]:
    """Each output of ``cell`` as its HTML (else its plain text)."""
    shown = []
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        shown.append(data.get("text/html") or data.get("text/plain") or output.get("text", ""))
    return shown


def draft_note(key: str, lang: str) -> re.Pattern[str]:
    """The note ``key`` as a cell shows it, for any draft file name."""
    before, after = escape(t(key, lang, file="\0")).split("\0")
    name = r"targets-draft-[\w.-]+\.yml"
    return re.compile(f'<p class="rk-note">{re.escape(before)}{name}{re.escape(after)}</p>')


def comparable(text: str, *, lang: str = "ja") -> str:
    """``text`` without random ids, each chart as its caption (SVG or spec, see above) and the
    note on where the draft targets file goes as a marker."""
    for key in DRAFT_NOTES:
        text = draft_note(key, lang).sub("<p>(draft note)</p>", text)
    return FIGURE.sub(r"<figure>\1</figure>", stable_text(text))


def errors(nb: nbformat.NotebookNode) -> list[str]:
    """Every error output, and every traceback written to stderr."""
    found = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                found.append(f"{cell.source[:40]!r}: {output.ename}: {output.evalue}")
            elif output.get("name") == "stderr" and "Traceback" in output.text:
                found.append(f"{cell.source[:40]!r}: {output.text[-300:]}")
    return found


def analyst_only(cell: nbformat.NotebookNode) -> bool:
    return "analyst-only" in cell.metadata.get("tags", [])


def test_comparison_takes_out_ids_and_draws_charts_alike():
    a = '<table id="T_1a2b3"><td>1,234</td></table><div id="rk-chart-3"></div>'
    b = '<table id="T_9f8e7"><td>1,234</td></table><div id="rk-chart-12"></div>'
    assert comparable(a) == comparable(b)
    assert comparable(a) != comparable(a.replace("1,234", "1,235"))
    svg = '<figure class="rk-figure"><svg><path/></svg><figcaption>リード数</figcaption></figure>'
    spec = ('<figure class="rk-figure"><div class="rk-chart" id="rk-chart-1"></div>'
            '<script type="application/json" id="rk-spec-1">{}</script>'
            '<figcaption class="rk-note">リード数</figcaption></figure>')  # fmt: skip
    assert comparable(svg) == comparable(spec) == "<figure>リード数</figure>"
    assert comparable(svg) != comparable(svg.replace("リード数", "MQL 数"))
    for lang in ("ja", "en"):
        written, not_written = (
            f'<p class="rk-note">{escape(t(key, lang, file="targets-draft-FY2026-Q3.yml"))}</p>'
            for key in DRAFT_NOTES
        )
        assert comparable(written, lang=lang) == comparable(not_written, lang=lang)
        assert comparable(written, lang=lang) != written


@pytest.mark.parametrize("cadence", CADENCES)
def test_run_all_in_the_lab_shows_what_the_scheduled_pack_shows(workspace, tmp_path, cadence):
    # The scheduled run builds its pack while the notebook runs as in JupyterLab (two kernels).
    with ThreadPoolExecutor(max_workers=1) as pool:
        scheduling = pool.submit(
            run_pack, cadence, as_of="auto", workspace=workspace, output_dir=tmp_path / "packs"
        )
        lab = run_all(workspace / "notebooks" / f"{cadence}_review.ipynb")
        pack = scheduling.result()
    assert errors(lab) == []

    scheduled = nbformat.read(pack.notebook, as_version=4)
    by_source = {c.source: c for c in scheduled.cells if c.cell_type == "code"}
    compared = 0
    for cell in lab.cells:
        if cell.cell_type != "code" or analyst_only(cell):
            continue
        assert cell.execution_count is not None, cell.source
        twin = by_source.get(cell.source)
        assert twin is not None, f"not in the pack's notebook: {cell.source!r}"
        shown, published = html(cell), html(twin)
        assert [comparable(s, lang=pack.lang) for s in shown] == [
            comparable(s, lang=pack.lang) for s in published
        ], cell.source
        # The same charts: JupyterLab's SVGs are what the pack's specs draw.
        svgs = [m for s in shown for m in SVG.findall(s)]
        specs = [json.loads(m) for s in published for m in SPEC.findall(s)]
        assert len(svgs) == len(specs), cell.source
        for svg, spec in zip(svgs, specs, strict=True):
            drawn = vl_convert.vegalite_to_svg(spec)
            assert VEGA_IDS.sub(r"\1", svg) == VEGA_IDS.sub(r"\1", drawn), cell.source
        compared += len(shown)

    header = next(c for c in lab.cells if "rk-header" in "".join(html(c)))
    assert HEADER[cadence] in "".join(html(header))
    assert pack.period in "".join(html(header))  # the same period: as_of="auto" on both sides
    assert compared >= 15, compared
