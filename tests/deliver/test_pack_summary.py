"""summary.json: the sentences and KPI statuses a message quotes are the pack's own.

Read back from the rendered pack.html with BeautifulSoup (not the code that wrote them): the
summary box's items, and the status column of the scorecard (monthly, quarterly) or the pace
table's month rows (weekly).
"""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup


def _pack(result):
    html = result.pack.read_text(encoding="utf-8")
    summary = json.loads((result.pack.parent / "summary.json").read_text(encoding="utf-8"))
    return BeautifulSoup(html, "html.parser"), summary


def _sentences(soup) -> list[str]:
    box = soup.select_one("div.rk-summary")
    assert box is not None
    return [" ".join(li.get_text(" ").split()).removesuffix("→").strip() for li in box.select("li")]


@pytest.mark.parametrize("cadence", ["weekly", "monthly", "quarterly"])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_summary_json_quotes_the_first_screen(demo_packs, cadence, lang):
    soup, summary = _pack(demo_packs[(cadence, lang)])
    assert summary["lang"] == lang
    expected = _sentences(soup)
    assert len(expected) >= 2
    # the pack joins inline markup with no space; compare without white space
    assert [s.replace(" ", "") for s in summary["sentences"]] == [
        s.replace(" ", "") for s in expected
    ]
    assert summary["sentences"][0] and "<" not in "".join(summary["sentences"])
    assert (
        "summary.json"
        in json.loads(
            (demo_packs[(cadence, lang)].pack.parent / "manifest.json").read_text("utf-8")
        )["files"]
    )


@pytest.mark.parametrize("cadence", ["monthly", "quarterly"])
def test_kpi_statuses_are_the_scorecards(demo_packs, cadence):
    soup, summary = _pack(demo_packs[(cadence, "en")])
    table = soup.select_one("table.rk-scorecard")
    head = [th.get_text(strip=True) for th in table.select("thead th")]
    rows = [
        [td.get_text(strip=True) for td in tr.select("td, th")] for tr in table.select("tbody tr")
    ]
    col = {name: head.index(name) for name in ("Metric", "Actual", "Target", "Status")}
    shown = [(r[col["Metric"]], r[col["Actual"]], r[col["Target"]], r[col["Status"]]) for r in rows]
    got = [(k["label"], k["actual"], k["target"] or "—", k["status_text"]) for k in summary["kpis"]]
    assert got == shown
    assert {k["status"] for k in summary["kpis"]} <= {
        "met",
        "near",
        "missed",
        "no_target",
        "no_data",
    }
    assert summary["kpi_heading"].startswith("KPI status for")


def test_weekly_kpi_statuses_are_the_pace_tables_month_rows(demo_packs):
    soup, summary = _pack(demo_packs[("weekly", "en")])
    statuses = [k["status_text"] for k in summary["kpis"]]
    table = soup.select_one("table.rk-pace")
    shown = [tr.select("td")[-1].get_text(strip=True) for tr in table.select("tbody tr")]
    assert statuses == shown[: len(statuses)]
    assert all(s[0] in "✓△✕―…" for s in statuses)
    assert summary["kpi_heading"] == "Month to date against the pace"
