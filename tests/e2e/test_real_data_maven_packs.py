"""Real data nobody here wrote, as a new user would bring it: the Maven CRM pipeline (US dollars).

`reviewkit init` for a US company, the shipped example profile, `reviewkit import`, then the
weekly, monthly and quarterly packs of a review on 2 January 2018: every amount in dollars,
no yen, the scorecard's figures equal to plain pandas on the CSV, and the header's "data as
of" no later than the review. A second review on 5 June 2017 (the store already holds the
rest of 2017) is "as of" early June, and says the store holds later data.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from builders import SHARED, in_ci, run_cli

from reviewkit.i18n.formatting import format_count, format_money

MAVEN = SHARED / "datasets" / "maven_crm"
REVIEW = "2018-01-02"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not MAVEN.is_dir():
        if in_ci():
            pytest.fail(f"the Maven CRM data set is missing: expected it in {MAVEN}")
        pytest.skip("the Maven CRM data set is not here")
    root = tmp_path_factory.mktemp("maven") / "ws"
    made = run_cli("init", str(root), "--company", "Maven Tech", "--country", "US")
    assert made.returncode == 0, made.stderr
    exports = root / "exports"
    exports.mkdir()
    for name in ("sales_pipeline.csv", "accounts.csv", "sales_teams.csv"):
        shutil.copy(MAVEN / name, exports / name)
    imported = run_cli(
        "import", str(exports / "sales_pipeline.csv"), "--profile", "maven-crm-pipeline",
        "--workspace", str(root),
    )  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    checked = run_cli("validate", "--workspace", str(root))
    assert checked.returncode == 0, checked.stderr
    built = run_cli("batch", "--workspace", str(root), "--as-of", REVIEW, "--jobs", "2")
    assert built.returncode == 0, built.stderr
    for cadence, day in (("monthly", REVIEW), ("monthly", "2017-06-05")):
        ja = run_cli("run", cadence, "--workspace", str(root), "--as-of", day, "--lang", "ja")
        assert ja.returncode == 0, ja.stderr
    return root


def text_of(path: Path) -> str:
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    for tag in soup(["script", "style"]):
        tag.decompose()
    return soup.get_text(" ", strip=True)


def scorecard_cells(path: Path) -> dict[str, list[str]]:
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    table = soup.select_one("table.rk-scorecard")
    assert table is not None
    rows = [[c.get_text(" ", strip=True) for c in tr.find_all("td")] for tr in table.select("tr")]
    return {r[0]: r[1:] for r in rows if r}


def pipeline() -> pd.DataFrame:
    frame = pd.read_csv(MAVEN / "sales_pipeline.csv")
    for column in ("engage_date", "close_date"):
        frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d")
    return frame


@pytest.mark.integration
def test_three_packs_in_dollars(workspace):
    packs = {
        cadence: next((workspace / "outputs" / cadence).glob("*/pack.html"))
        for cadence in ("weekly", "monthly", "quarterly")
    }
    for cadence, path in packs.items():
        text = text_of(path)
        assert re.search(r"\$\d", text), f"{cadence}: no dollar amount"
        assert "¥" not in text and "円" not in text, f"{cadence}: yen in a dollar company"
        assert "Maven Tech" in text
    ja = text_of(workspace / "outputs" / "monthly" / "2017-12" / "ja" / "pack.html")
    assert "ドル" in ja and "円" not in ja.replace("円グラフ", "")


@pytest.mark.integration
def test_the_monthly_scorecard_equals_pandas(workspace):
    raw = pipeline()
    engaged = raw[raw["engage_date"].notna()]
    december = (raw["close_date"] >= "2017-12-01") & (raw["close_date"] < "2018-01-01")
    won = raw[december & (raw["deal_stage"] == "Won")]
    deals = engaged[(engaged["engage_date"] >= "2017-12-01")]
    cells = scorecard_cells(workspace / "outputs" / "monthly" / "2017-12" / "pack.html")
    assert cells["Revenue won"][0] == format_money(
        float(won["close_value"].sum()), currency="USD", lang="en"
    )
    assert cells["Won"][0] == format_count(len(won), lang="en")
    assert cells["Opportunity"][0] == format_count(len(deals), lang="en")
    assert cells["Lead"][0] == format_count(len(deals), lang="en")  # each deal is its lead


@pytest.mark.integration
def test_data_as_of_is_the_review_not_the_store(workspace):
    early = workspace / "outputs" / "monthly" / "2017-05" / "ja" / "pack.html"
    soup = BeautifulSoup(early.read_text(encoding="utf-8"), "html.parser")
    facts = {
        div.dt.get_text(strip=True): div.dd.get_text(strip=True)
        for div in soup.select("dl.rk-facts div")
    }
    assert facts["データ更新"].startswith("2017年6月"), facts  # not December, the store's newest
    assert int(re.search(r"6月(\d+)日", facts["データ更新"]).group(1)) <= 4
    assert "ストアには 2017年12月" in text_of(early)
    december = text_of(workspace / "outputs" / "monthly" / "2017-12" / "pack.html")
    assert "the store holds data up to" not in december  # nothing after the cut-off
