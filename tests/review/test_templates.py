"""The three templates: thin, output-free, and executed end to end through papermill."""

import json
import re
from functools import partial

import nbformat
import pytest
from builders import AGENDA_HEADINGS, REPO, Cells, assert_thin_template

from reviewkit.i18n.formatting import format_pct, format_value
from reviewkit.model.definitions import load_definitions
from reviewkit.review.open import open_review

# The shipped templates; analysts' own (``reviewkit new-template``) may sit beside them.
TEMPLATES = [REPO / "notebooks" / f"{c}_review.ipynb" for c in ("monthly", "quarterly", "weekly")]
CADENCES = ("weekly", "monthly", "quarterly")


def test_the_three_templates_exist():
    assert all(p.is_file() for p in TEMPLATES)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_templates_are_committed_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, cell["id"]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_templates_are_thin(path):
    assert_thin_template(path)


def check_pace_table(review, cells: list[str], *, lang: str) -> None:
    """The weekly scorecard (month table): the week, month to date and pace, as computed."""
    card = review.scorecard().set_index("metric")
    pace = review.pace()
    month = pace[(pace["scope"] == "month") & ~pace["closed"]]
    width = 6  # KPI, week, to date / expected · pace, projection / target, needed, status
    for i, rec in enumerate(month.to_dict("records")):
        row = cells[i * width : (i + 1) * width]
        fmt = partial(format_value, kind=rec["kind"], currency="JPY")
        week = card.loc[rec["metric"]]
        assert row[1] == f"{fmt(week['actual'], lang=lang)} / {fmt(week['target'], lang=lang)}"
        assert row[2] == (
            f"{fmt(rec['actual'], lang=lang)} / {fmt(rec['expected'], lang=lang)}"
            f" · {format_pct(rec['pace'], lang=lang)}"
        )
        assert row[3].endswith(f" / {fmt(rec['target'], lang=lang)}")
        assert row[5].split()[0] in "✓△✕―…"


@pytest.mark.integration
@pytest.mark.parametrize("cadence", CADENCES)
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_executed_template_has_no_errors_and_shows_the_scorecard(
    demo_packs, sample_workspace, cadence, lang
):
    result = demo_packs[(cadence, lang)]
    nb = nbformat.read(result.notebook, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert outputs and not [o for o in outputs if o.output_type == "error"]
    assert not [o for o in outputs if o.get("name") == "stderr"]

    html = result.pack.read_text(encoding="utf-8")
    parsed = Cells()
    parsed.feed(html)
    assert parsed.headings[1:] == AGENDA_HEADINGS[(cadence, lang)]

    # Every number in the pack's scorecard is the one reviewkit computed, as formatted.
    review = open_review(cadence, workspace=str(sample_workspace.root), as_of="2026-11-23",
                         lang=lang)  # fmt: skip
    card = review.scorecard()
    definitions = load_definitions(sample_workspace)
    if cadence == "weekly":
        check_pace_table(review, parsed.cells, lang=lang)
        return
    shown = [parsed.cells[i : i + 7] for i in range(0, 7 * len(card), 7)]
    for row, cells in zip(card.itertuples(), shown, strict=True):
        fmt = partial(format_value, kind=row.kind, currency="JPY")
        label = (
            definitions.kgi.label(lang)
            if row.metric == "revenue"
            else definitions.stage(row.metric).label(lang)
        )
        assert cells[0] == label
        assert cells[1] == fmt(row.actual, lang=lang)
        assert cells[2] == fmt(row.target, lang=lang)
        assert cells[3] == format_pct(row.achievement, lang=lang)
        assert cells[5] == fmt(row.previous, lang=lang)
        assert cells[6] == format_pct(row.change, lang=lang, signed=True)


@pytest.mark.integration
def test_packs_hide_code_and_parameters(demo_packs):
    for result in demo_packs.values():
        html = result.pack.read_text(encoding="utf-8")
        for leak in ("import reviewkit", "open_review", "injected-parameters", "as_of =",
                     "jp-InputArea", "In&nbsp;["):  # fmt: skip
            assert leak not in html, (result.pack, leak)
        # Nothing that would load from another host (the vega bundle mentions URLs in strings;
        # the browser tests check that no request is ever made).
        loads = re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//"""
                           r"""|@import|<link[^>]+stylesheet""", html)  # fmt: skip
        assert loads == [], (result.pack, loads)
        for name in ("require.js", "MathJax", "mermaid"):
            assert name not in html, (result.pack, name)
        assert html.count("window.vegaEmbed=") == 1, "the chart runtime is inlined once"
        # the drill-down is for JupyterLab only: no widget, no widget state, no trace of it
        for leak in ("vnd.jupyter.widget", "rk-explore", "ipywidgets", "widget-state"):
            assert leak not in html, (result.pack, leak)
        executed = nbformat.read(result.pack.with_name("notebook.ipynb"), as_version=4)
        assert "widgets" not in executed.metadata
        explore = [c for c in executed.cells if c.source.startswith("review.explore(")]
        assert len(explore) == 1 and explore[0].outputs == []


@pytest.mark.integration
def test_index_lists_every_pack(demo_packs):
    out = next(iter(demo_packs.values())).pack.parents[2]
    index = (out / "index.html").read_text(encoding="utf-8")
    for result in demo_packs.values():
        assert result.pack.relative_to(out).as_posix() in index


@pytest.mark.integration
def test_packs_stay_small(demo_packs):
    # aggregated data only, and the chart runtime (~0.9 MB) once per page
    for result in demo_packs.values():
        size = result.pack.stat().st_size
        assert size < 2_000_000, (result.pack, size)


@pytest.mark.integration
@pytest.mark.parametrize(
    ("as_of", "week", "closed"),
    [
        ("2026-11-02", "2026-W44", "2026-10"),  # the week spans October's end: October closed
        ("2026-09-28", "2026-W39", None),  # a quiet week before the planted problems
        ("2026-04-02", "2026-W13", "2026-03"),  # a day into a fiscal year: March closed
    ],
)
def test_weekly_template_runs_for_other_review_dates(
    sample_workspace, tmp_path, as_of: str, week: str, closed: str | None
) -> None:
    from reviewkit.pack.runner import run_pack

    result = run_pack("weekly", as_of=as_of, lang="en", workspace=sample_workspace,
                      output_dir=tmp_path)  # fmt: skip
    assert result.period == week
    html = result.pack.read_text(encoding="utf-8")
    review = open_review("weekly", workspace=str(sample_workspace.root), as_of=as_of, lang="en")
    pace = review.pace()
    assert (
        (closed in set(pace.loc[pace["closed"], "period"])) if closed else not pace["closed"].any()
    )
    if closed:
        assert "closed at" in html  # the summary says how the closed month ended
    alerts, _ = review.weekly_alerts
    if as_of == "2026-09-28":
        assert len(alerts) <= 1
        assert "Nothing moved outside its normal range" in html or len(alerts) == 1
