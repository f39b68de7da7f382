"""Templates of your own: `reviewkit new-template NAME`, then `reviewkit run NAME` like a pack."""

from __future__ import annotations

import ast
import contextlib
import io
import json
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from builders import (
    AGENDA_HEADINGS,
    DEMO_DATE,
    REPO,
    VENV,
    Cells,
    Index,
    assert_thin_template,
    fake_pack,
    hook,
    problems,
)

from reviewkit.cli.main import main
from reviewkit.core.workspace import Workspace, init_workspace
from reviewkit.errors import ConfigError, ParameterError
from reviewkit.i18n.texts import t
from reviewkit.pack.index_page import write_index
from reviewkit.pack.plan import plan_pack
from reviewkit.pack.runner import run_pack
from reviewkit.pack.schedule import load_schedule
from reviewkit.review.new_template import new_template
from reviewkit.review.templates import (
    STANDARD_PARAMETERS,
    read_template,
    resolve_template,
    template_problems,
)

NAME = "account_review"
TITLE = {"ja": "ABM レビュー", "en": "ABM review"}
SECTIONS = ["summary", "kpi_status", "deviations", "decisions", "actions", "glossary"]


def cli(root: Path, *args: str) -> SimpleNamespace:
    """``reviewkit ARGS --workspace ROOT`` in this process: exit code, stdout, stderr."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main([*args, "--workspace", str(root)])
    return SimpleNamespace(code=code, out=stdout.getvalue(), err=stderr.getvalue())


def one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


def tags(cell) -> list[str]:
    return list(cell.metadata.get("tags", []))


def shipped_cell(tag: str = "", *, cell_id: str = "") -> str:
    """A cell of the shipped monthly template, by tag or by id."""
    nb = nbformat.read(REPO / "notebooks" / "monthly_review.ipynb", as_version=4)
    return next(c.source for c in nb.cells if tag in tags(c) or c.get("id") == cell_id)


@pytest.fixture
def root(tmp_path) -> Path:
    """A fresh workspace (no store: scaffolding needs none)."""
    return init_workspace(tmp_path / "ws").root


def copy_workspace(sample: Workspace, root: Path) -> Path:
    """A workspace of its own sharing the sample company's settings and store."""
    shutil.copytree(sample.root / "params", root / "params")
    (root / "data").mkdir()
    shutil.copy(sample.store_path, root / "data" / "reviewkit.duckdb")
    return root


# --- scaffolding --------------------------------------------------------------------------


def test_new_template_writes_a_thin_template_with_its_metadata(root):
    done = cli(root, "new-template", NAME, "--cadence", "monthly", "--title-ja", TITLE["ja"],
               "--title-en", TITLE["en"])  # fmt: skip
    assert done.code == 0, done.err
    path = root / "notebooks" / f"{NAME}.ipynb"
    assert path.is_file()
    assert str(path) in done.out and f"reviewkit run {NAME}" in done.out

    raw = json.loads(path.read_text(encoding="utf-8"))
    assert raw["metadata"]["reviewkit"] == {"cadence": "monthly", "title": TITLE}
    assert raw["metadata"]["kernelspec"]["name"] == "reviewkit"
    ids = [c["id"] for c in raw["cells"]]
    assert all(ids) and len(set(ids)) == len(ids)
    for cell in raw["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, cell["id"]
    assert_thin_template(path)  # the rules the shipped templates follow
    # committed clean: nothing for the commit hook (nbstripout) to strip
    assert problems(nbformat.read(path, as_version=4)) == []
    args = [str(VENV / "bin" / "nbstripout"), *hook()["args"], "--dry-run", str(path)]
    stripped = subprocess.run(args, capture_output=True, text=True, timeout=60, check=True)
    assert stripped.stdout.strip() == "", stripped.stdout

    nb = nbformat.read(path, as_version=4)
    cells = nb.cells
    # 1. the analysts' note: both titles, how to run it, never in a pack
    assert cells[0].cell_type == "markdown" and tags(cells[0]) == ["analyst-only"]
    assert cells[0].source.startswith(f"# {TITLE['ja']} / {TITLE['en']}\n")
    assert f"`reviewkit run {NAME} --as-of YYYY-MM-DD`" in cells[0].source
    assert t("template.note.sections", "ja") in cells[0].source
    assert t("template.note.sections", "en") in cells[0].source
    # 2. the shipped parameters cell, word for word
    assert tags(cells[1]) == ["parameters"]
    assert cells[1].source == shipped_cell("parameters").rstrip("\n")
    declared = [n.targets[0].id for n in ast.parse(cells[1].source).body]
    assert declared == list(STANDARD_PARAMETERS)
    # 3-4. as the shipped templates open, and the template named for the header's title
    assert cells[2].source == shipped_cell(cell_id="header")
    call = ast.parse(cells[3].source).body[0].value
    assert ast.unparse(call.func) == "rk.open_review"
    assert ast.literal_eval(call.args[0]) == "monthly"
    keywords = {k.arg: ast.unparse(k.value) for k in call.keywords}
    assert keywords == {"workspace": "workspace", "as_of": "as_of", "lang": "lang",
                        "template": repr(NAME), None: "scope"}  # fmt: skip
    assert cells[3].source.endswith("\nreview.header()")
    assert cells[4].source == "review.agenda()"
    # 5. each standard section: an analysts' hint, its heading, its starter cells
    headings = [i for i, c in enumerate(cells) if c.source.startswith("review.heading(")]
    keys = [ast.literal_eval(ast.parse(cells[i].source).body[0].value.args[0]) for i in headings]
    assert keys == SECTIONS
    for i, key in zip(headings, SECTIONS, strict=True):
        hint = cells[i - 1]
        assert hint.cell_type == "markdown" and tags(hint) == ["analyst-only"]
        words = [t(f"template.hint.{key}", lang) for lang in ("ja", "en")]
        assert hint.source == "\n\n".join(words)
    starters = {
        key: [c.source for c in cells[i + 1 : j - 1]]
        for key, i, j in zip(SECTIONS, headings, [*headings[1:], len(cells) - 1], strict=True)
    }
    assert starters["summary"] == ["review.summary()"]
    assert starters["kpi_status"] == ["card = review.scorecard()\nreview.scorecard_table(card)",
                                      "review.trend_chart()"]  # fmt: skip
    assert starters["deviations"] == ['review.split_chart("channel")']
    assert starters["decisions"] == ["review.decisions()"]
    assert starters["actions"] == ["review.actions()"]
    assert starters["glossary"] == ["review.glossary()", "review.data_quality()"]
    # 6. the drill-down, for analysts only
    assert tags(cells[-1]) == ["analyst-only"] and cells[-1].source.startswith("review.explore()")
    assert cells[-1].source == shipped_cell(cell_id="explore")  # as the shipped templates end
    # every markdown cell is an analysts' note: a pack shows only what the code cells render
    assert all(tags(c) == ["analyst-only"] for c in cells if c.cell_type == "markdown")
    assert read_template(path).title == TITLE


@pytest.mark.parametrize(
    ("cadence", "kpi"),
    [
        ("weekly", ["pace = review.pace()\nreview.pace_table(pace)", "review.trend_chart()"]),
        ("quarterly", ["card = review.scorecard()\nreview.scorecard_table(card)",
                       "review.trend_chart()"]),
    ],
)  # fmt: skip
def test_each_cadence_gets_its_own_starters_and_a_default_title(root, cadence, kpi):
    made = new_template("pipeline_health", workspace=root, cadence=cadence)
    nb = nbformat.read(made.path, as_version=4)
    assert nb.metadata["reviewkit"] == {
        "cadence": cadence, "title": {"ja": "Pipeline health", "en": "Pipeline health"},
    }  # fmt: skip
    sources = [c.source for c in nb.cells]
    start = sources.index('review.heading("kpi_status")')
    assert sources[start + 1 : start + 3] == kpi
    call = ast.parse(nb.cells[3].source).body[0].value
    assert [ast.literal_eval(a) for a in call.args] == [cadence]
    assert {k.arg: ast.unparse(k.value) for k in call.keywords}["template"] == "'pipeline_health'"
    assert_thin_template(made.path)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("AccountReview", "'AccountReview' is not a template name; use snake_case"),
        ("account-review", "'account-review' is not a template name; use snake_case"),
        ("2026_review", "'2026_review' is not a template name; use snake_case"),
        ("monthly", "'monthly' is the shipped monthly review; choose another snake_case name"),
        ("weekly_review", "'weekly_review' is the shipped weekly review; choose another"),
    ],
)
def test_bad_names_are_refused_in_one_line(root, name, expected):
    done = cli(root, "new-template", name)
    assert done.code == 2
    line = one_line(done.err)
    assert expected in line and "e.g. account_review" in line, line
    assert not (root / "notebooks").exists()


def test_an_existing_file_is_never_overwritten(root):
    path = root / "notebooks" / f"{NAME}.ipynb"
    path.parent.mkdir()
    path.write_text("my own work", encoding="utf-8")
    done = cli(root, "new-template", NAME, "--cadence", "weekly")
    assert done.code == 2 and done.out == ""
    line = one_line(done.err)
    assert f"'{NAME}': {path} already exists" in line
    assert "choose another snake_case name" in line and "delete the file" in line
    assert path.read_text(encoding="utf-8") == "my own work"


def test_a_bad_cadence_or_title_is_refused(root):
    done = cli(root, "new-template", NAME, "--cadence", "yearly")
    assert done.code == 2 and "'yearly' is not one of" in one_line(done.err)
    with pytest.raises(ParameterError, match=r"--title-en: .* holds a line break"):
        new_template(NAME, workspace=root, title_en="ABM\nreview")
    assert not (root / "notebooks" / f"{NAME}.ipynb").exists()


# --- finding a template ---------------------------------------------------------------------


def test_run_names_the_cadences_and_the_templates_found(root):
    new_template(NAME, workspace=root)
    done = cli(root, "run", "account_reviews")
    assert done.code == 2
    line = one_line(done.err)
    assert "cadence: 'account_reviews' is not a review cadence nor a template" in line
    assert "weekly, monthly, quarterly" in line and f"({NAME})" in line
    assert "reviewkit new-template NAME" in line
    ws = Workspace(root)
    assert resolve_template(ws, "monthly") is None
    assert resolve_template(ws, f"{NAME}.ipynb") == resolve_template(ws, NAME)
    assert resolve_template(ws, NAME).cadence == "monthly"


def test_a_template_without_metadata_names_the_file_and_the_fix(root):
    path = root / "notebooks" / "hand_made.ipynb"
    path.parent.mkdir()
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(shipped_cell("parameters"))
    cell.metadata["tags"] = ["parameters"]
    nb.cells.append(cell)
    nbformat.write(nb, path)
    done = cli(root, "run", "hand_made")
    assert done.code == 2
    line = one_line(done.err)
    assert f"{path}: no reviewkit.cadence in the notebook's metadata" in line
    assert '"reviewkit": {"cadence": "monthly"}' in line and "reviewkit new-template" in line


# --- reviewkit validate -----------------------------------------------------------------------


def test_validate_lists_the_templates_and_reports_each_problem(root):
    new_template(NAME, workspace=root, cadence="weekly")
    done = cli(root, "validate")
    assert done.code == 0, done.err
    assert one_line(done.out).endswith(f"; templates: {NAME} (weekly) — OK")

    folder = root / "notebooks"
    broken = nbformat.read(folder / f"{NAME}.ipynb", as_version=4)
    broken.metadata["reviewkit"]["cadence"] = "daily"
    broken.cells[1].source = 'workspace = ""\nas_of = "auto"\nlang = ""'
    nbformat.write(broken, folder / "Team Review.ipynb")
    (folder / "notes.ipynb").write_text("{not json", encoding="utf-8")
    done = cli(root, "validate")
    assert done.code == 2 and done.out == ""
    lines = [line for line in done.err.splitlines() if line.strip()]
    team, notes = folder / "Team Review.ipynb", folder / "notes.ipynb"
    assert len(lines) == 4, lines
    assert all(line.startswith("reviewkit: error: ") for line in lines)
    assert f"{team}: 'Team Review' is not a template name" in lines[0]
    assert "e.g. to team_review.ipynb" in lines[0]
    assert f"{team}: metadata reviewkit.cadence 'daily' is not a cadence" in lines[1]
    assert f"{team}: the parameters cell lacks segment, segment_name" in lines[2]
    assert lines[3].startswith(f"reviewkit: error: {notes}: not a readable notebook")
    assert template_problems(folder / f"{NAME}.ipynb") == []


def test_the_shipped_templates_pass_the_parameters_check():
    # they are not analysts' templates (no reviewkit metadata), but every template declares
    # the standard parameters as they do
    for path in sorted((REPO / "notebooks").glob("*.ipynb")):
        problems = template_problems(path)
        assert len(problems) == 1, problems
        assert problems[0].startswith(f"{path}: no reviewkit.cadence in the notebook's metadata")


# --- params/schedule.yml ----------------------------------------------------------------------


SCHEDULE = f"""packs:
  - name: company
    cadences: [monthly, {NAME}]
  - name: teams
    cadences: [{NAME}]
    langs: [ja, en]
    segments:
      sales_team: [Team B]
"""


def test_a_schedule_lists_templates_beside_cadences(root):
    path = root / "params" / "schedule.yml"
    path.write_text(SCHEDULE, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_schedule(path, default_lang="ja")  # no such template yet
    assert str(caught.value).startswith(
        f"{path}:3: packs.0.cadences: '{NAME}' is not a cadence; use weekly, monthly, "
        "quarterly, or a template of notebooks/ (none yet"
    )
    new_template(NAME, workspace=root)
    jobs = load_schedule(path, default_lang="ja")
    assert [j.name for j in jobs] == [
        "monthly/company/ja", f"{NAME}/company/ja",
        f"{NAME}/sales_team-team-b/ja", f"{NAME}/sales_team-team-b/en",
    ]  # fmt: skip
    assert [j.segment for j in jobs] == ["", "", "sales_team=Team B", "sales_team=Team B"]
    assert [j.name for j in load_schedule(path, default_lang="en", templates=[NAME])][:2] == [
        "monthly/company/en", f"{NAME}/company/en",
    ]  # fmt: skip


def test_a_scheduled_template_job_plans_its_own_folder(sample_workspace, tmp_path):
    root = copy_workspace(sample_workspace, tmp_path / "ws")
    new_template(NAME, workspace=root, cadence="weekly", title_en="ABM review")
    (root / "params" / "schedule.yml").write_text(SCHEDULE, encoding="utf-8")
    job = load_schedule(root / "params" / "schedule.yml", default_lang="ja")[-1]
    out = tmp_path / "out"
    plan = plan_pack(
        job.cadence, as_of=DEMO_DATE, lang=job.lang, output_dir=out, workspace=root,
        segment=job.segment, segment_name=job.segment_name,
    )  # fmt: skip
    assert (plan.cadence, plan.period.label, plan.name) == ("weekly", "2026-W47", NAME)
    assert plan.target == out / NAME / "2026-W47" / "sales_team-team-b" / "en"
    assert plan.label == f"{NAME} 2026-W47 sales_team=Team B (en)"
    assert plan.title.startswith("ABM review ") and "Team B" in plan.title
    assert plan.manifest["template_name"] == NAME
    assert plan.manifest["template_title"] == {"ja": "Account review", "en": "ABM review"}
    assert not plan.is_built()


# --- the pack ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rendered(sample_workspace, tmp_path_factory) -> SimpleNamespace:
    """The scaffolded template rendered once on the sample company (the default language)."""
    base = tmp_path_factory.mktemp("own")
    root = copy_workspace(sample_workspace, base / "ws")
    new_template(NAME, workspace=root, cadence="monthly", title_ja=TITLE["ja"],
                 title_en=TITLE["en"])  # fmt: skip
    out = base / "out"
    result = run_pack(NAME, as_of=DEMO_DATE, workspace=root, output_dir=out)
    return SimpleNamespace(root=root, out=out, result=result)


@pytest.mark.integration
def test_the_template_renders_into_its_own_folder(rendered):
    result, out = rendered.result, rendered.out
    folder = out / NAME / "2026-10"
    assert result.pack == folder / "pack.html" and result.pack.is_file()
    assert (result.name, result.cadence, result.period, result.lang) == (
        NAME, "monthly", "2026-10", "ja",
    )  # fmt: skip
    assert not (out / "monthly").exists()  # never the shipped cadence's folder

    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert manifest["cadence"] == "monthly" and manifest["template_name"] == NAME
    assert manifest["template_title"] == TITLE
    assert manifest["title"] == f"{TITLE['ja']} 2026年10月"
    own = rendered.root / "notebooks" / f"{NAME}.ipynb"
    assert Path(manifest["template"]).resolve() == own.resolve()

    nb = nbformat.read(result.notebook, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = result.pack.read_text(encoding="utf-8")
    parsed = Cells()
    parsed.feed(html)
    assert parsed.headings[0] == f"{TITLE['ja']} — 2026年10月"  # the header, titled
    assert parsed.headings[1:] == AGENDA_HEADINGS[("monthly", "ja")]
    assert f"<title>{manifest['title']}</title>" in html
    for note in ("reviewkit new-template", t("template.hint.summary", "ja"), "review.explore"):
        assert note not in html  # the analysts' notes stay in the notebook


@pytest.mark.integration
def test_the_index_lists_the_template_after_the_cadences(rendered):
    index = Index((rendered.out / "index.html").read_text(encoding="utf-8"))
    assert [s for s in index.sections if s != "last-batch"] == [f"template-{NAME}"]
    html = (rendered.out / "index.html").read_text(encoding="utf-8")
    assert f"<h2>{TITLE['ja']}（月次）</h2>" in html
    (row,) = index.rows
    assert (row["data-template"], row["data-cadence"], row["data-period"]) == (
        NAME, "monthly", "2026-10",
    )  # fmt: skip
    assert ("rk-pack", f"{NAME}/2026-10/pack.html") in row["links"]
    assert f"{TITLE['ja']} 2026年10月" in row["cells"][4]


@pytest.mark.integration
def test_an_unchanged_template_pack_is_skipped(rendered):
    root, out = rendered.root, rendered.out
    plan = plan_pack(NAME, as_of=DEMO_DATE, workspace=root, output_dir=out)
    assert plan.target == rendered.result.directory and plan.is_built()
    before = rendered.result.pack.stat().st_mtime_ns
    (root / "params" / "schedule.yml").write_text(SCHEDULE, encoding="utf-8")
    done = cli(root, "batch", "--as-of", DEMO_DATE, "--only", f"{NAME}/company/*",
               "--output-dir", str(out))  # fmt: skip
    assert done.code == 0, done.err
    record = json.loads((out / "_logs" / "last-batch.json").read_text(encoding="utf-8"))
    assert record["counts"] == {"built": 0, "skipped": 1, "failed": 0}
    assert rendered.result.pack.stat().st_mtime_ns == before
    # an edited template is a new input: built again
    path = root / "notebooks" / f"{NAME}.ipynb"
    original = path.read_bytes()
    nb = nbformat.read(path, as_version=4)
    nb.metadata["reviewkit"]["title"]["ja"] = "ABM 月次レビュー"
    nbformat.write(nb, path)
    try:
        again = plan_pack(NAME, as_of=DEMO_DATE, workspace=root, output_dir=out)
        assert not again.is_built() and again.title.startswith("ABM 月次レビュー ")
    finally:
        path.write_bytes(original)


# --- the index page, from made-up runs (fast) ---------------------------------------------------


def template_pack(out: Path, period: str, lang: str = "ja", **kwargs) -> Path:
    """A published pack of the template (the runner's layout and manifest fields)."""
    scratch = out.parent / f"{out.name}-scratch"
    path = fake_pack(scratch, "monthly", period, lang, **kwargs)
    target = out / NAME / path.parent.relative_to(scratch / "monthly")
    target.parent.mkdir(parents=True, exist_ok=True)
    path.parent.rename(target)
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    manifest |= {"template_name": NAME, "template_title": TITLE}
    (target / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return target / "pack.html"


def test_index_sections_previous_links_and_failures_of_a_template(tmp_path):
    out = tmp_path / "out"
    shipped = fake_pack(out, "monthly", "2026-10")
    fake_pack(out, "weekly", "2026-W47")
    september = template_pack(out, "2026-09", built_at="2026-10-05T01:00:00+00:00")
    october = template_pack(out, "2026-10", title="ABM 10月")
    english = template_pack(out, "2026-10", "en")
    kept = out / "_failed" / NAME / "2026-11" / "20261201T010000Z-ab12-ja"
    kept.mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(), kept / "notebook.ipynb")
    (kept / "failure.json").write_text(json.dumps({
        "status": "failed", "cadence": "monthly", "period": "2026-11", "lang": "ja",
        "segment": None, "error": "boom", "failed_at": "2026-12-01T01:00:00+00:00",
        "template_name": NAME, "template_title": TITLE,
    }), encoding="utf-8")  # fmt: skip
    # a folder without its template's manifest fields is not a template's
    stray = fake_pack(out, "monthly", "2026-08")
    shutil.move(stray.parent, out / "stray_folder")

    index = Index((write_index(out, lang="en", timezone="Asia/Tokyo")).read_text("utf-8"))
    assert index.sections == ["weekly", "monthly", f"template-{NAME}"]
    own = [r for r in index.rows if r.get("data-template") == NAME]
    assert [(r["data-period"], r["data-lang"], r["data-status"]) for r in own] == [
        ("2026-11", "ja", "failed"), ("2026-10", "en", "ok"), ("2026-10", "ja", "ok"),
        ("2026-09", "ja", "ok"),
    ]  # fmt: skip
    assert "boom" in own[0]["cells"][3]
    assert ("rk-previous", f"{NAME}/2026-09/pack.html") in own[2]["links"]
    assert ("rk-pack", october.relative_to(out).as_posix()) in own[2]["links"]
    assert ("rk-pack", english.relative_to(out).as_posix()) in own[1]["links"]
    assert not [link for r in own for link in r["links"] if "monthly/" in link[1]]
    (shipped_row,) = [
        r for r in index.rows
        if "data-template" not in r and r["data-cadence"] == "monthly"
    ]  # fmt: skip
    assert ("rk-pack", shipped.relative_to(out).as_posix()) in shipped_row["links"]
    assert "rk-previous" not in dict(shipped_row["links"])  # a template's pack is not one
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "<h2>ABM review (monthly)</h2>" in html and "stray_folder" not in html
    assert september.is_file()
