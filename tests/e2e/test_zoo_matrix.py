"""Every template x every zoo company x ja/en, from each company's CSV exports, as a user would.

For brazil, usa and germany: the exports (`reviewkit sample --company NAME --exports-only`),
`reviewkit init` for the company's country and currency, the funnel, targets and profiles a
user writes (the zoo's reference files stand in for the user's edits of the drafts, which
`reviewkit profile draft` makes first), `reviewkit import` file by file, `reviewkit validate`,
and `reviewkit batch` of the company's weekly, monthly and quarterly packs in both languages.
The sample company (the fourth shape) is built from its store (the session's ``demo_packs``).
Then, for every pack: no error, amounts only in the company's currency, counts without one,
no table made only of "(unknown)" rows, no visible table of more than 15 rows, and the
scorecard's figures equal to plain pandas on the generated tables
(:func:`reviewkit.ingest.sample.zoo.scorecard_truth`).
"""

from __future__ import annotations

import re
import shutil
from functools import cache
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from builders import run_cli

from reviewkit.i18n.formatting import format_count, format_money
from reviewkit.ingest.sample import zoo
from reviewkit.ingest.sample.zoo.workspace import export_profiles
from reviewkit.present.styling import FOLD_AFTER

CADENCES = ("weekly", "monthly", "quarterly")
LANGS = ("ja", "en")
ZOO = ("brazil", "usa", "germany")
# every currency sign a pack could print, and which belong to each company
SIGNS = {"JPY": ("¥", "円"), "USD": ("$", "ドル"), "EUR": ("€", "ユーロ"), "BRL": ("R$", "レアル")}
SCHEDULE = """packs:
  - name: company
    cadences: [weekly, monthly, quarterly]
    langs: [ja, en]
"""


def cli_ok(*args: str) -> str:
    done = run_cli(*args)
    assert done.returncode == 0, f"reviewkit {' '.join(args)}: {done.stderr}"
    return done.stdout


@cache
def company_of(name: str) -> zoo.ZooCompany:
    """The generated company (generated once: the tests and the build only read it)."""
    return zoo.generate(name)


def build_from_exports(name: str, root: Path) -> Path:
    """The company's workspace built from its CSV exports, and its packs."""
    company = company_of(name)
    spec = company.spec
    exports = root / "exports"
    cli_ok("sample", "--company", name, str(exports), "--exports-only")
    ws = root / "ws"
    cli_ok(
        "init", str(ws), "--company", spec["company"]["en"], "--country", spec["country"],
        "--currency", spec["currency"], "--timezone", spec["timezone"],
        "--fiscal-year-start", str(spec["fiscal_year_start_month"]), "--lang", spec["lang"],
    )  # fmt: skip
    # the zoo's reference configuration (with targets derived from its history)
    zoo.write_workspace(name, root / "reference", company=company)
    reference = root / "reference" / "params"
    # what the user writes: the calendar keys init does not ask for, the funnel, the targets
    shutil.copy(reference / "workspace.yml", ws / "params" / "workspace.yml")
    for file in ("definitions.yml", "targets.yml"):
        shutil.copy(reference / file, ws / "params" / file)
    (ws / "params" / "schedule.yml").write_text(SCHEDULE, encoding="utf-8")
    for file, profile in export_profiles(name).items():
        cli_ok("profile", "draft", str(exports / file), "--name", f"draft-{profile}",
               "--workspace", str(ws))  # fmt: skip
        assert (ws / "params" / "sources" / f"draft-{profile}.yml").is_file()
        # the draft as written already reads the file (the user still checks its guesses)
        dry = cli_ok("import", str(exports / file), "--profile", f"draft-{profile}",
                     "--dry-run", "--workspace", str(ws))  # fmt: skip
        read, loaded = map(int, re.search(r"read (\d+), would load (\d+)", dry).groups())
        assert loaded >= 0.99 * read, f"{name} {file}: the draft loads {loaded} of {read}"
        shutil.copy(reference / "sources" / f"{profile}.yml", ws / "params" / "sources")
        cli_ok("import", str(exports / file), "--profile", profile, "--workspace", str(ws))
    cli_ok("validate", "--workspace", str(ws))
    as_of = str(company.truth["review"]["as_of"])
    cli_ok("batch", "--workspace", str(ws), "--as-of", as_of, "--jobs", "2")
    return ws


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, demo_packs) -> dict[str, Path]:
    out = {name: build_from_exports(name, tmp_path_factory.mktemp(name)) for name in ZOO}
    # The sample's packs of SCHEDULE (every cadence in ja and en on DEMO_DATE) are the session's
    # demo packs: the same six packs, built once per run (tests/e2e/test_batch_demo.py checks
    # that `reviewkit batch` of the sample builds them and says what `reviewkit run` says).
    sample = tmp_path_factory.mktemp("sample") / "ws"
    assert set(demo_packs) == {(cadence, lang) for cadence in CADENCES for lang in LANGS}
    shutil.copytree(next(iter(demo_packs.values())).pack.parents[2], sample / "outputs")
    out["sample"] = sample
    return out


def packs_of(ws: Path) -> dict[tuple[str, str], Path]:
    found = {}
    for path in (ws / "outputs").glob("*/*/**/pack.html"):
        parts = path.relative_to(ws / "outputs").parts
        cadence, lang = parts[0], parts[2] if len(parts) == 4 else None
        found[(cadence, lang or "default")] = path
    return found


def soup_of(path: Path) -> BeautifulSoup:
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    for tag in soup(["script", "style"]):
        tag.decompose()
    return soup


@pytest.mark.integration
@pytest.mark.parametrize("name", [*ZOO, "sample"])
def test_every_template_in_both_languages_builds(built, name):
    ws = built[name]
    assert (ws / "outputs" / "index.html").is_file()
    packs = list((ws / "outputs").glob("*/*/**/pack.html"))
    assert len(packs) == len(CADENCES) * len(LANGS), packs
    assert not list((ws / "outputs").glob("_failed/**/notebook.ipynb"))


@pytest.mark.integration
@pytest.mark.parametrize("name", [*ZOO, "sample"])
def test_amounts_only_in_the_company_currency(built, name):
    currency = "JPY" if name == "sample" else company_of(name).spec["currency"]
    others = [s for code, signs in SIGNS.items() if code != currency for s in signs]
    for path in (built[name] / "outputs").glob("*/*/**/pack.html"):
        text = soup_of(path).get_text(" ", strip=True)
        own = [s for s in SIGNS[currency] if s != "R$"] if currency != "BRL" else ["R$"]
        for sign in others:
            if sign == "$" and currency == "BRL":
                text = text.replace("R$", "")
            assert sign not in text, f"{path}: {sign!r} in a {currency} company's pack"
        if name == "brazil":  # counts only: no amount at all
            assert "R$" not in text and "レアル" not in text, path
        elif "monthly" in path.parts:
            assert any(s in text for s in own), f"{path}: no amount in {currency}"


@pytest.mark.integration
@pytest.mark.parametrize("name", [*ZOO, "sample"])
def test_no_table_of_unknowns_and_no_long_visible_table(built, name):
    for path in (built[name] / "outputs").glob("*/*/**/pack.html"):
        soup = soup_of(path)
        # the glossary lists every metric of the definitions: the agreement is shown whole
        for table in soup.select("table.rk-table:not(.rk-glossary)"):
            rows = [
                r for r in table.select("tbody tr") if "rk-folded" not in (r.get("class") or [])
            ]
            firsts = [r.find("td").get_text(strip=True) for r in rows if r.find("td")]
            labels = [f for f in firsts if f not in ("Total", "合計")]
            assert labels == [] or set(labels) - {"(unknown)", "（不明）"}, (
                f"{path}: a table of unknowns: {table.get('class')}"
            )
            assert len(rows) <= FOLD_AFTER + 1, f"{path}: {len(rows)} visible rows"


def scorecard_cells(path: Path) -> dict[str, str]:
    table = soup_of(path).select_one("table.rk-scorecard")
    assert table is not None, path
    rows = [[c.get_text(" ", strip=True) for c in tr.find_all("td")] for tr in table.select("tr")]
    return {r[0]: r[1] for r in rows if len(r) > 1}


@pytest.mark.integration
@pytest.mark.parametrize("name", ZOO)
@pytest.mark.parametrize("cadence", ("monthly", "quarterly"))
def test_scorecard_equals_pandas_on_the_generated_tables(built, name, cadence):
    company = company_of(name)
    truth = zoo.scorecard_truth(company)
    rows = truth[truth["cadence"] == cadence]
    labels = {s["key"]: s["label"]["en"] for s in _definitions(built[name])["stages"]}
    kgi = _definitions(built[name]).get("kgi", {})
    path = next(p for p in (built[name] / "outputs" / cadence).glob("*/pack.html"))
    cells = scorecard_cells(path)
    for row in rows.itertuples():
        if row.metric == "revenue":
            shown = format_money(row.value, currency=company.spec["currency"], lang="en")
            assert cells[kgi["label"]["en"]] == shown, (name, cadence, row.metric)
        else:
            assert cells[labels[row.metric]] == format_count(row.value, lang="en"), (
                name, cadence, row.metric
            )  # fmt: skip


def _definitions(ws: Path) -> dict:
    import yaml

    return yaml.safe_load((ws / "params" / "definitions.yml").read_text(encoding="utf-8"))


@pytest.mark.integration
def test_the_weekly_packs_follow_each_company_calendar(built):
    usa = packs_of(built["usa"])
    assert any(re.search(r"\d{4}-S\d{2}", str(p)) for p in usa.values())  # Sunday weeks
    brazil = soup_of(next((built["brazil"] / "outputs" / "weekly").glob("*/pack.html")))
    assert "Obon" not in brazil.get_text() and "お盆" not in brazil.get_text()


@pytest.mark.browser
def test_no_pack_scrolls_sideways_at_laptop_width(built):
    """Long names and tables of any company fit a 1280 px screen (no sideways scrolling)."""
    import os
    import shutil as which

    from builders import in_ci
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("REVIEWKIT_CHROMIUM") or which.which("chromium")
    if not executable:
        if in_ci():
            pytest.fail("chromium is missing: .ci/run installs it")
        pytest.skip("no chromium here")
    wide = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.route(
            "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
        )
        for name, ws in built.items():
            for path in sorted((ws / "outputs").glob("*/*/**/pack.html")):
                page.goto(path.as_uri())
                over = page.evaluate(
                    "[...document.querySelectorAll('.jp-OutputArea-output')]"
                    ".filter(e => e.scrollWidth > e.clientWidth + 1).length"
                )
                if over or page.evaluate("document.documentElement.scrollWidth") > 1280:
                    wide.append(f"{name}: {path.relative_to(ws)}")
        browser.close()
    assert not wide, wide


@pytest.mark.integration
@pytest.mark.parametrize("name", [*ZOO, "sample"])
def test_packs_equal_the_golden_references(built, name):
    """Every pack shows the same text and chart data as its committed reference."""
    from golden_packs import read_reference, reference_path, snapshot, write_mode, write_reference

    packs = packs_of(built[name])
    assert len(packs) == len(CADENCES) * len(LANGS), packs
    for (cadence, lang), path in sorted(packs.items()):
        ref = reference_path(name, cadence, lang)
        snap = snapshot(path)
        if write_mode():
            write_reference(ref, snap)
            continue
        assert ref.is_file(), f"{ref} is missing: REVIEWKIT_GOLDEN_WRITE=1 writes it"
        expected = read_reference(ref)
        assert snap["text"] == expected["text"], f"{name} {cadence} {lang}: visible text differs"
        assert snap["charts"] == expected["charts"], f"{name} {cadence} {lang}: chart data differ"
