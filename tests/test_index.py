"""outputs/index.html: every pack and failed run, newest first, with status and previous links."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import nbformat
import pytest
from conftest import run_cli

from reviewkit.formatting import format_datetime
from reviewkit.index_page import EARLIER_FAILED_SHOWN, is_stale, write_index
from reviewkit.workspace import init_workspace

TZ = "Asia/Tokyo"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
PERIOD_END = {"2026-08": "2026-08-31", "2026-09": "2026-09-30", "2026-10": "2026-10-31"}


class Index(HTMLParser):
    """The rows of an index page: their ``data-*`` attributes, cell texts and links."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[dict] = []
        self.sections: list[str] = []
        self.tags: set[str] = set()
        self._cell: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        self.tags.add(tag)
        if tag == "section":
            self.sections.append(a["id"])
        elif tag == "tr" and "data-cadence" in a:
            self.rows.append({**a, "cells": [], "links": []})
        elif tag == "td" and self.rows:
            self.rows[-1]["cells"].append("")
            self._cell = ""
        elif tag == "a" and self.rows:
            self.rows[-1]["links"].append((a.get("class"), a["href"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self.rows[-1]["cells"][-1] += data

    def row(self, cadence: str, period: str, lang: str, *, current: bool = True) -> dict:
        found = [
            r
            for r in self.rows
            if (r["data-cadence"], r["data-period"], r["data-lang"]) == (cadence, period, lang)
            and r["data-current"] == str(current).lower()
        ]
        assert len(found) == 1, found
        return found[0]


def pack(
    out: Path,
    cadence: str,
    period: str,
    lang: str = "ja",
    *,
    built_at: str = "2026-11-23T01:00:00+00:00",
    freshness: str | None = "2026-11-22T09:00:00+00:00",
    period_end: str | None = None,
    title: str | None = None,
    company: str = "サンプル産業株式会社",
) -> Path:
    """Publish a fake pack the way the runner lays it out (``ja`` is the default language)."""
    folder = out / cadence / period / ("" if lang == "ja" else lang)
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {
        "status": "ok", "cadence": cadence, "period": period, "lang": lang,
        "period_end": period_end or PERIOD_END.get(period, "2026-11-22"),
        "title": title or f"{cadence} {period}", "company": company,
        "data_freshness": freshness, "built_at": built_at,
    }  # fmt: skip
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (folder / "pack.html").write_text("<!DOCTYPE html><title>pack</title>", encoding="utf-8")
    return folder / "pack.html"


def failed(out: Path, cadence: str, period: str, lang: str = "ja", *, stamp: str) -> Path:
    """Keep a fake failed run the way the runner does (the stamp is local time)."""
    notebook = out / "_failed" / cadence / period / f"{stamp}-{lang}" / "notebook.ipynb"
    notebook.parent.mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(), notebook)
    return notebook


def index(out: Path, lang: str = "ja") -> Index:
    path = write_index(out, lang=lang, timezone=TZ)
    return Index(path.read_text(encoding="utf-8"))


def rel(path: Path, out: Path) -> str:
    return path.relative_to(out).as_posix()


def test_statuses_ok_stale_and_failed(tmp_path):
    ok = pack(tmp_path, "monthly", "2026-10", freshness="2026-11-22T09:00:00+00:00")
    stale = pack(tmp_path, "monthly", "2026-09", freshness="2026-09-29T10:00:00+00:00")
    notebook = failed(tmp_path, "weekly", "2026-W47", stamp="20261123T070000")
    page = index(tmp_path)

    row = page.row("monthly", "2026-10", "ja")
    assert row["data-status"] == "ok" and row["cells"][2] == "✓ 正常"
    assert ("rk-pack", rel(ok, tmp_path)) in row["links"]

    row = page.row("monthly", "2026-09", "ja")
    assert row["data-status"] == "stale" and row["cells"][2] == "△ データ未確定"
    assert ("rk-pack", rel(stale, tmp_path)) in row["links"]

    row = page.row("weekly", "2026-W47", "ja")
    assert row["data-status"] == "failed" and row["cells"][2] == "✕ 失敗"
    assert ("rk-notebook", rel(notebook, tmp_path)) == row["links"][0]
    # When it failed: the runner stamps the folder in the host's local time.
    when = dt.datetime(2026, 11, 23, 7).astimezone(ZoneInfo(TZ))
    assert row["cells"][5] == format_datetime(when, lang="ja")


def test_files_written_next_to_a_pack_are_linked(tmp_path):
    html = pack(tmp_path, "quarterly", "FY2026-Q2", period_end="2026-09-30")
    manifest_path = html.parent / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    # Only plain names next to the pack are linked; a path is never followed.
    manifest["files"] = ["targets-draft-FY2026-Q3.yml", "../../escape.yml", ".."]
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    row = index(tmp_path).row("quarterly", "FY2026-Q2", "ja")
    draft = ("rk-file", "quarterly/FY2026-Q2/targets-draft-FY2026-Q3.yml")
    assert draft in row["links"]
    assert [link for link in row["links"] if link[0] == "rk-file"] == [draft]


def test_stale_means_data_before_the_periods_last_day():
    month = {"period_end": "2026-10-31"}
    # 2026-10-31 00:30 in Tokyo is still 30 Oct in UTC: compared in the workspace zone.
    assert not is_stale({**month, "data_freshness": "2026-10-30T15:30:00+00:00"}, timezone=TZ)
    assert is_stale({**month, "data_freshness": "2026-10-30T14:30:00+00:00"}, timezone=TZ)
    assert is_stale({**month, "data_freshness": None}, timezone=TZ)  # an empty store
    assert not is_stale({"data_freshness": None}, timezone=TZ)  # nothing to compare with


def test_newest_period_first_in_cadence_order(tmp_path):
    for period in ("2026-08", "2026-10", "2026-09"):
        pack(tmp_path, "monthly", period)
    pack(tmp_path, "quarterly", "FY2026-Q1", period_end="2026-06-30")
    pack(tmp_path, "quarterly", "FY2026-Q2", period_end="2026-09-30")
    pack(tmp_path, "weekly", "2026-W46", period_end="2026-11-15")
    pack(tmp_path, "weekly", "2026-W47", period_end="2026-11-22")
    pack(tmp_path, "weekly", "2025-W52", period_end="2025-12-28")
    page = index(tmp_path)
    assert page.sections == ["weekly", "monthly", "quarterly"]
    order = [(r["data-cadence"], r["data-period"]) for r in page.rows]
    assert order == [
        ("weekly", "2026-W47"), ("weekly", "2026-W46"), ("weekly", "2025-W52"),
        ("monthly", "2026-10"), ("monthly", "2026-09"), ("monthly", "2026-08"),
        ("quarterly", "FY2026-Q2"), ("quarterly", "FY2026-Q1"),
    ]  # fmt: skip


def test_previous_links_stay_within_cadence_and_language(tmp_path):
    aug = pack(tmp_path, "monthly", "2026-08")
    sep = pack(tmp_path, "monthly", "2026-09")
    pack(tmp_path, "monthly", "2026-10")
    aug_en = pack(tmp_path, "monthly", "2026-08", "en")
    pack(tmp_path, "monthly", "2026-10", "en")  # no English pack for September
    pack(tmp_path, "weekly", "2026-W47", period_end="2026-11-22")
    failed(tmp_path, "monthly", "2026-11", stamp="20261201T090000")
    page = index(tmp_path)

    def previous(period: str, lang: str) -> list[str]:
        return [h for c, h in page.row("monthly", period, lang)["links"] if c == "rk-previous"]

    assert previous("2026-10", "ja") == [rel(sep, tmp_path)]
    assert previous("2026-09", "ja") == [rel(aug, tmp_path)]
    assert previous("2026-08", "ja") == []
    assert previous("2026-10", "en") == [rel(aug_en, tmp_path)]  # the one before, not September
    assert previous("2026-11", "ja") == [rel(pack(tmp_path, "monthly", "2026-10"), tmp_path)]
    assert page.row("monthly", "2026-10", "ja")["cells"][6] == "2026年9月"
    weekly = page.row("weekly", "2026-W47", "ja")
    assert [c for c, _ in weekly["links"]] == ["rk-pack"] and weekly["cells"][6] == "—"


@pytest.mark.parametrize(
    ("lang", "names", "period", "built"),
    [
        ("ja", ["日本語", "英語"], "2026年10月2026-10", "2026年11月23日 10:00"),
        ("en", ["Japanese", "English"], "October 20262026-10", "23 Nov 2026 10:00"),
    ],
)
def test_language_column_and_localized_dates(tmp_path, lang, names, period, built):
    pack(tmp_path, "monthly", "2026-10", "ja")
    pack(tmp_path, "monthly", "2026-10", "en", title="Monthly review October 2026")
    path = write_index(tmp_path, lang=lang, timezone=TZ)
    html = path.read_text(encoding="utf-8")
    page = Index(html)
    assert f'<html lang="{lang}">' in html
    rows = [page.row("monthly", "2026-10", code) for code in ("ja", "en")]
    assert [r["cells"][1] for r in rows] == names
    assert page.rows[0]["data-lang"] == lang  # the page (workspace) language first
    assert rows[0]["cells"][0] == period
    assert rows[0]["cells"][4] == ("2026年11月22日" if lang == "ja" else "22 Nov 2026")
    assert rows[0]["cells"][5] == built  # 01:00 UTC in Asia/Tokyo


def test_a_later_good_pack_supersedes_an_earlier_failure(tmp_path):
    notebook = failed(tmp_path, "monthly", "2026-10", stamp="20261101T080000")
    pack(tmp_path, "monthly", "2026-10", built_at="2026-11-02T00:00:00+00:00")
    page = index(tmp_path)
    assert [r["data-current"] for r in page.rows] == ["true", "false"]
    assert page.row("monthly", "2026-10", "ja")["data-status"] == "ok"
    old = page.row("monthly", "2026-10", "ja", current=False)
    assert old["data-status"] == "failed" and "rk-earlier" in old["class"]
    assert old["cells"][2] == "✕ 失敗以前の実行"
    assert ("rk-notebook", rel(notebook, tmp_path)) in old["links"]


def test_a_later_failure_is_the_current_state(tmp_path):
    pack(tmp_path, "monthly", "2026-10", built_at="2026-11-01T00:00:00+00:00")
    for stamp in ("20261102T080000", "20261103T080000", "20261104T080000", "20261105T080000",
                  "20261106T080000", "20261107T080000"):  # fmt: skip
        failed(tmp_path, "monthly", "2026-10", stamp=stamp)
    page = index(tmp_path, lang="en")
    now = page.row("monthly", "2026-10", "ja")
    assert now["data-status"] == "failed" and "20261107T080000-ja" in now["links"][0][1]
    assert now["cells"][2] == "✕ Failedthe published pack is from an earlier run"
    statuses = [(r["data-status"], r["data-current"]) for r in page.rows]
    assert statuses == [("failed", "true")] + [("failed", "false")] * EARLIER_FAILED_SHOWN + [
        ("ok", "false")
    ]
    assert page.rows[-1]["cells"][2] == "✓ OKearlier run2 more failed runs (kept in _failed/)"


def test_hostile_title_and_company_are_escaped(tmp_path):
    pack(tmp_path, "monthly", "2026-10", title=SCRIPT, company=IMG)
    html = write_index(tmp_path, lang="ja", timezone=TZ).read_text(encoding="utf-8")
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    page = Index(html)
    assert {"script", "img"}.isdisjoint(page.tags)
    assert page.rows[0]["cells"][3] == SCRIPT  # shown as text
    assert '<p class="rk-company">&lt;img src=x onerror=alert(1)&gt;</p>' in html


def test_unreadable_entries_are_skipped(tmp_path):
    pack(tmp_path, "monthly", "2026-10")
    (tmp_path / "monthly" / "x").mkdir()
    (tmp_path / "monthly" / "x" / "manifest.json").write_text("{not json", encoding="utf-8")
    failed(tmp_path, "monthly", "<b>", stamp="20261101T000000")
    failed(tmp_path, "monthly", "2026-09", "fr", stamp="20261101T000000")
    page = index(tmp_path)
    assert [r["data-period"] for r in page.rows] == ["2026-10"]


def test_empty_and_offline(tmp_path):
    html = write_index(tmp_path, lang="en", timezone=TZ).read_text(encoding="utf-8")
    assert "No packs yet" in html
    pack(tmp_path, "monthly", "2026-10")
    failed(tmp_path, "weekly", "2026-W47", stamp="20261123T070000")
    html = write_index(tmp_path, lang="en", timezone=TZ).read_text(encoding="utf-8")
    for remote in ("http:", "https:", "//", "<script", "<link", "src=", "@import"):
        assert remote not in html


def test_reviewkit_index_rebuilds_the_page(tmp_path):
    ws = init_workspace(tmp_path / "ws")
    out = ws.outputs_dir
    pack(out, "monthly", "2026-10")
    failed(out, "monthly", "2026-10", stamp="20261124T090000")
    result = run_cli("index", "--workspace", str(ws.root))
    assert result.returncode == 0, result.stderr
    assert str(out / "index.html") in result.stdout
    page = Index((out / "index.html").read_text(encoding="utf-8"))
    assert [(r["data-status"], r["data-current"]) for r in page.rows] == [
        ("failed", "true"),
        ("ok", "false"),
    ]


@pytest.mark.integration
def test_index_of_the_demo_packs(demo_packs, sample_workspace, tmp_path):
    built = next(iter(demo_packs.values())).pack.parents[2]
    out = tmp_path / "out"
    shutil.copytree(built, out)
    assert Index((out / "index.html").read_text(encoding="utf-8")).rows  # written by the runs
    (out / "index.html").unlink()
    result = run_cli("index", "--workspace", str(sample_workspace.root), "--output-dir", str(out))
    assert result.returncode == 0, result.stderr
    page = Index((out / "index.html").read_text(encoding="utf-8"))
    assert {(r["data-cadence"], r["data-lang"]) for r in page.rows} == set(demo_packs)
    assert {r["data-status"] for r in page.rows} == {"ok"}  # data through 2026-11-22
    for (cadence, lang), result in demo_packs.items():
        row = page.row(cadence, result.period, lang)
        assert ("rk-pack", result.pack.relative_to(built).as_posix()) in row["links"]
