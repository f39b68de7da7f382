"""outputs/index.html: every pack and failed run, newest first, with status and previous links."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

import nbformat
import pytest
from builders import Block, Index, fake_pack, run_cli

from reviewkit.core.workspace import init_workspace
from reviewkit.i18n.formatting import format_datetime
from reviewkit.model.scope import Scope
from reviewkit.pack.index_page import write_index
from reviewkit.pack.index_runs import EARLIER_FAILED_SHOWN, is_stale
from reviewkit.pack.plan import scope_record

TZ = "Asia/Tokyo"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


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
    ok = fake_pack(tmp_path, "monthly", "2026-10", freshness="2026-11-22T09:00:00+00:00")
    stale = fake_pack(tmp_path, "monthly", "2026-09", freshness="2026-09-29T10:00:00+00:00")
    notebook = failed(tmp_path, "weekly", "2026-W47", stamp="20261123T070000")
    page = index(tmp_path)

    row = page.row("monthly", "2026-10", "ja")
    assert row["data-status"] == "ok" and row["cells"][3] == "✓ 正常"
    assert ("rk-pack", rel(ok, tmp_path)) in row["links"]

    row = page.row("monthly", "2026-09", "ja")
    assert row["data-status"] == "stale" and row["cells"][3] == "△ データ未確定"
    assert ("rk-pack", rel(stale, tmp_path)) in row["links"]

    row = page.row("weekly", "2026-W47", "ja")
    assert row["data-status"] == "failed" and row["cells"][3] == "✕ 失敗"
    assert ("rk-notebook", rel(notebook, tmp_path)) == row["links"][0]
    # When it failed: the runner stamps the folder in the host's local time.
    when = dt.datetime(2026, 11, 23, 7).astimezone(ZoneInfo(TZ))
    assert row["cells"][6] == format_datetime(when, lang="ja")


def test_files_written_next_to_a_pack_are_linked(tmp_path):
    html = fake_pack(tmp_path, "quarterly", "FY2026-Q2", period_end="2026-09-30")
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
        fake_pack(tmp_path, "monthly", period)
    fake_pack(tmp_path, "quarterly", "FY2026-Q1", period_end="2026-06-30")
    fake_pack(tmp_path, "quarterly", "FY2026-Q2", period_end="2026-09-30")
    fake_pack(tmp_path, "weekly", "2026-W46", period_end="2026-11-15")
    fake_pack(tmp_path, "weekly", "2026-W47", period_end="2026-11-22")
    fake_pack(tmp_path, "weekly", "2025-W52", period_end="2025-12-28")
    page = index(tmp_path)
    assert page.sections == ["weekly", "monthly", "quarterly"]
    order = [(r["data-cadence"], r["data-period"]) for r in page.rows]
    assert order == [
        ("weekly", "2026-W47"), ("weekly", "2026-W46"), ("weekly", "2025-W52"),
        ("monthly", "2026-10"), ("monthly", "2026-09"), ("monthly", "2026-08"),
        ("quarterly", "FY2026-Q2"), ("quarterly", "FY2026-Q1"),
    ]  # fmt: skip


def test_previous_links_stay_within_cadence_and_language(tmp_path):
    aug = fake_pack(tmp_path, "monthly", "2026-08")
    sep = fake_pack(tmp_path, "monthly", "2026-09")
    fake_pack(tmp_path, "monthly", "2026-10")
    aug_en = fake_pack(tmp_path, "monthly", "2026-08", "en")
    fake_pack(tmp_path, "monthly", "2026-10", "en")  # no English pack for September
    fake_pack(tmp_path, "weekly", "2026-W47", period_end="2026-11-22")
    failed(tmp_path, "monthly", "2026-11", stamp="20261201T090000")
    page = index(tmp_path)

    def previous(period: str, lang: str) -> list[str]:
        return [h for c, h in page.row("monthly", period, lang)["links"] if c == "rk-previous"]

    assert previous("2026-10", "ja") == [rel(sep, tmp_path)]
    assert previous("2026-09", "ja") == [rel(aug, tmp_path)]
    assert previous("2026-08", "ja") == []
    assert previous("2026-10", "en") == [rel(aug_en, tmp_path)]  # the one before, not September
    assert previous("2026-11", "ja") == [rel(fake_pack(tmp_path, "monthly", "2026-10"), tmp_path)]
    assert page.row("monthly", "2026-10", "ja")["cells"][7] == "2026年9月"
    weekly = page.row("weekly", "2026-W47", "ja")
    assert [c for c, _ in weekly["links"]] == ["rk-pack"] and weekly["cells"][7] == "—"


@pytest.mark.parametrize(
    ("lang", "names", "period", "built"),
    [
        ("ja", ["日本語", "英語"], "2026年10月2026-10", "2026年11月23日 10:00"),
        ("en", ["Japanese", "English"], "October 20262026-10", "23 Nov 2026 10:00"),
    ],
)
def test_language_column_and_localized_dates(tmp_path, lang, names, period, built):
    fake_pack(tmp_path, "monthly", "2026-10", "ja")
    fake_pack(tmp_path, "monthly", "2026-10", "en", title="Monthly review October 2026")
    path = write_index(tmp_path, lang=lang, timezone=TZ)
    html = path.read_text(encoding="utf-8")
    page = Index(html)
    assert f'<html lang="{lang}">' in html
    rows = [page.row("monthly", "2026-10", code) for code in ("ja", "en")]
    assert [r["cells"][2] for r in rows] == names
    assert page.rows[0]["data-lang"] == lang  # the page (workspace) language first
    assert rows[0]["cells"][0] == period
    assert rows[0]["cells"][5] == ("2026年11月22日" if lang == "ja" else "22 Nov 2026")
    assert rows[0]["cells"][6] == built  # 01:00 UTC in Asia/Tokyo


def test_a_later_good_pack_supersedes_an_earlier_failure(tmp_path):
    notebook = failed(tmp_path, "monthly", "2026-10", stamp="20261101T080000")
    fake_pack(tmp_path, "monthly", "2026-10", built_at="2026-11-02T00:00:00+00:00")
    page = index(tmp_path)
    assert [r["data-current"] for r in page.rows] == ["true", "false"]
    assert page.row("monthly", "2026-10", "ja")["data-status"] == "ok"
    old = page.row("monthly", "2026-10", "ja", current=False)
    assert old["data-status"] == "failed" and "rk-earlier" in old["class"]
    assert old["cells"][3] == "✕ 失敗以前の実行"
    assert ("rk-notebook", rel(notebook, tmp_path)) in old["links"]


def test_a_later_failure_is_the_current_state(tmp_path):
    fake_pack(tmp_path, "monthly", "2026-10", built_at="2026-11-01T00:00:00+00:00")
    for stamp in ("20261102T080000", "20261103T080000", "20261104T080000", "20261105T080000",
                  "20261106T080000", "20261107T080000"):  # fmt: skip
        failed(tmp_path, "monthly", "2026-10", stamp=stamp)
    page = index(tmp_path, lang="en")
    now = page.row("monthly", "2026-10", "ja")
    assert now["data-status"] == "failed" and "20261107T080000-ja" in now["links"][0][1]
    assert now["cells"][3] == "✕ Failedthe published pack is from an earlier run"
    statuses = [(r["data-status"], r["data-current"]) for r in page.rows]
    assert statuses == [("failed", "true")] + [("failed", "false")] * EARLIER_FAILED_SHOWN + [
        ("ok", "false")
    ]
    assert page.rows[-1]["cells"][3] == "✓ OKearlier run2 more failed runs (kept in _failed/)"


def test_hostile_title_and_company_are_escaped(tmp_path):
    fake_pack(tmp_path, "monthly", "2026-10", title=SCRIPT, company=IMG)
    html = write_index(tmp_path, lang="ja", timezone=TZ).read_text(encoding="utf-8")
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    page = Index(html)
    assert {"script", "img"}.isdisjoint(page.tags)
    assert page.rows[0]["cells"][4] == SCRIPT  # shown as text
    assert '<p class="rk-company">&lt;img src=x onerror=alert(1)&gt;</p>' in html


def test_unreadable_entries_are_skipped(tmp_path):
    fake_pack(tmp_path, "monthly", "2026-10")
    (tmp_path / "monthly" / "x").mkdir()
    (tmp_path / "monthly" / "x" / "manifest.json").write_text("{not json", encoding="utf-8")
    failed(tmp_path, "monthly", "<b>", stamp="20261101T000000")
    failed(tmp_path, "monthly", "2026-09", "fr", stamp="20261101T000000")
    page = index(tmp_path)
    assert [r["data-period"] for r in page.rows] == ["2026-10"]


def test_empty_and_offline(tmp_path):
    html = write_index(tmp_path, lang="en", timezone=TZ).read_text(encoding="utf-8")
    assert "No packs yet" in html
    fake_pack(tmp_path, "monthly", "2026-10")
    failed(tmp_path, "weekly", "2026-W47", stamp="20261123T070000")
    html = write_index(tmp_path, lang="en", timezone=TZ).read_text(encoding="utf-8")
    for remote in ("http:", "https:", "//", "<script", "<link", "src=", "@import"):
        assert remote not in html


def test_reviewkit_index_rebuilds_the_page(tmp_path):
    ws = init_workspace(tmp_path / "ws")
    out = ws.outputs_dir
    fake_pack(out, "monthly", "2026-10")
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


# --- segment packs, failure.json and the last batch run (issue 10) ---------------------------

TEAM_B = Scope("sales_team", ("Team B",))
ALPHA = Scope("sales_team", ("Team C", "Team D"), name="alpha")  # slug before team-b, label after
PAID = Scope("channel", ("paid_search", "display"), name="paid")


def failure(
    out: Path,
    cadence: str,
    period: str,
    lang: str = "ja",
    *,
    failed_at: str,
    error: str,
    segment: Scope | dict | None = None,
    stamp: str | None = None,
) -> Path:
    """Keep a fake failed run as the runner does now: UTC stamp, segment folder, failure.json."""
    record = scope_record(segment, lang=lang) if isinstance(segment, Scope) else segment
    moment = dt.datetime.fromisoformat(failed_at)
    folder = out / "_failed" / cadence / period
    folder = folder / record["slug"] if record else folder
    folder = folder / f"{stamp or f'{moment:%Y%m%dT%H%M%SZ}'}-ab12-{lang}"
    folder.mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(), folder / "notebook.ipynb")
    info = {
        "status": "failed", "cadence": cadence, "period": period, "lang": lang,
        "segment": record, "error": error, "failed_at": failed_at,
    }  # fmt: skip
    (folder / "failure.json").write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
    return folder / "notebook.ipynb"


def keys(page: Index) -> list[tuple[str, str, str, str]]:
    return [
        (r["data-period"], r["data-segment"], r["data-lang"], r["data-current"]) for r in page.rows
    ]


@pytest.mark.parametrize(
    ("lang", "scopes"),
    [
        ("ja", ["全社", "チャネル: paid (paid_search, display)", "営業チーム: Team B",
                "営業チーム: alpha (Team C, Team D)"]),
        ("en", ["Whole company", "channel: paid (paid_search, display)", "sales team: Team B",
                "sales team: alpha (Team C, Team D)"]),
    ],
)  # fmt: skip
def test_segment_packs_have_their_own_rows_in_order(tmp_path, lang, scopes):
    for period in ("2026-09", "2026-10"):
        for code in ("en", "ja"):
            for segment in (ALPHA, None, TEAM_B, PAID):
                fake_pack(tmp_path, "monthly", period, code, segment=segment)
    page = index(tmp_path, lang=lang)
    other = "en" if lang == "ja" else "ja"
    slugs = ["", "channel-paid", "sales_team-team-b", "sales_team-alpha"]  # by label, not slug
    assert keys(page) == [
        (period, slug, code, "true")
        for period in ("2026-10", "2026-09")
        for slug in slugs
        for code in (lang, other)
    ]
    for row in page.rows:  # the label in the page's language, even on the other language's pack
        assert row["cells"][1] == scopes[slugs.index(row["data-segment"])]
    row = page.row("monthly", "2026-10", "en", segment="sales_team-team-b")
    assert ("rk-pack", "monthly/2026-10/sales_team-team-b/en/pack.html") in row["links"]
    assert [h for c, h in row["links"] if c == "rk-previous"] == [
        "monthly/2026-09/sales_team-team-b/en/pack.html"
    ]
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert ("対象" if lang == "ja" else "Scope") in html


def test_period_and_scope_are_shown_once_per_group(tmp_path):
    for period in ("2026-09", "2026-10"):
        for segment in (None, TEAM_B):
            for code in ("ja", "en"):
                fake_pack(tmp_path, "monthly", period, code, segment=segment)
    html = write_index(tmp_path, lang="ja", timezone=TZ).read_text(encoding="utf-8")
    page = Index(html)
    shown = [
        ("rk-repeat" not in r["td_classes"][0], "rk-repeat" not in r["td_classes"][1])
        for r in page.rows
    ]
    # per period: the first row shows period and scope; the next language repeats both; the
    # segment's first row shows its scope only
    assert shown == [(True, True), (False, False), (False, True), (False, False)] * 2
    assert html.count('<tbody class="rk-period"') == 2
    # the hidden repeats are still in the cells (screen readers, copying)
    assert page.rows[1]["cells"][:2] == ["2026年10月2026-10", "全社"]


def test_previous_link_stays_within_the_segment(tmp_path):
    fake_pack(tmp_path, "monthly", "2026-08", segment=TEAM_B)
    fake_pack(tmp_path, "monthly", "2026-09")  # the company only
    fake_pack(tmp_path, "monthly", "2026-09", segment=PAID)
    fake_pack(tmp_path, "monthly", "2026-10", segment=TEAM_B)
    fake_pack(tmp_path, "monthly", "2026-10")
    failure(tmp_path, "monthly", "2026-11", failed_at="2026-12-01T00:00:00+00:00", error="x",
            segment=TEAM_B)  # fmt: skip
    page = index(tmp_path)

    def previous(period: str, segment: str) -> list[str]:
        row = page.row("monthly", period, "ja", segment=segment)
        return [h for c, h in row["links"] if c == "rk-previous"]

    assert previous("2026-10", "sales_team-team-b") == [
        "monthly/2026-08/sales_team-team-b/pack.html"
    ]
    assert previous("2026-11", "sales_team-team-b") == [
        "monthly/2026-10/sales_team-team-b/pack.html"
    ]
    assert previous("2026-10", "") == ["monthly/2026-09/pack.html"]
    assert previous("2026-09", "channel-paid") == []
    assert previous("2026-08", "sales_team-team-b") == []


def test_a_segment_failure_is_that_segments_state_with_its_error(tmp_path):
    fake_pack(tmp_path, "monthly", "2026-10", built_at="2026-11-01T00:00:00+00:00")
    fake_pack(tmp_path, "monthly", "2026-10", built_at="2026-11-01T00:00:00+00:00", segment=TEAM_B)
    error = f"monthly_review.ipynb failed for 2026-10 sales_team=Team B in cell 7: {SCRIPT}"
    notebook = failure(tmp_path, "monthly", "2026-10", failed_at="2026-11-24T06:15:00+00:00",
                       error=error + "\nsecond line", segment=TEAM_B)  # fmt: skip
    html = write_index(tmp_path, lang="ja", timezone=TZ).read_text(encoding="utf-8")
    page = Index(html)
    assert keys(page) == [
        ("2026-10", "", "ja", "true"),
        ("2026-10", "sales_team-team-b", "ja", "true"),
        ("2026-10", "sales_team-team-b", "ja", "false"),
    ]
    assert page.row("monthly", "2026-10", "ja")["data-status"] == "ok"  # the company is fine
    now = page.row("monthly", "2026-10", "ja", segment="sales_team-team-b")
    assert now["data-status"] == "failed" and now["cells"][1] == "営業チーム: Team B"
    # the status, the note and the error's first line; the error escaped, never markup
    assert now["cells"][3] == "✕ 失敗公開中の資料は以前の実行のもの" + error
    assert "<script" not in html and escape(SCRIPT) in html
    assert now["links"][0] == ("rk-notebook", rel(notebook, tmp_path))
    when = dt.datetime(2026, 11, 24, 6, 15, tzinfo=dt.UTC).astimezone(ZoneInfo(TZ))
    assert now["cells"][6] == format_datetime(when, lang="ja") == "2026年11月24日 15:15"


def test_failed_folders_with_and_without_failure_json(tmp_path):
    old = failed(tmp_path, "monthly", "2026-10", stamp="20261101T080000")  # an earlier version
    # a segment folder whose failure.json is unreadable: the folder names still place it
    broken = (
        tmp_path / "_failed" / "monthly" / "2026-10" / "channel-paid" / "20261102T080000Z-ab12-ja"
    )
    broken.mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(), broken / "notebook.ipynb")
    (broken / "failure.json").write_text("{not json", encoding="utf-8")
    failure(tmp_path, "weekly", "2026-W47", "en", failed_at="2026-11-23T01:00:00+00:00",
            error="weekly_review.ipynb could not run: KeyError: 'x'",
            stamp="20261122T000000Z")  # fmt: skip
    page = index(tmp_path, lang="en")
    company = page.row("monthly", "2026-10", "ja")
    assert company["cells"][1] == "Whole company" and company["cells"][3] == "✕ Failed"
    assert company["links"][0][1] == rel(old, tmp_path)
    segment = page.row("monthly", "2026-10", "ja", segment="channel-paid")
    assert segment["cells"][1] == "channel-paid" and segment["cells"][3] == "✕ Failed"
    weekly = page.row("weekly", "2026-W47", "en")
    assert weekly["cells"][1] == "Whole company"
    assert weekly["cells"][6] == "23 Nov 2026 10:00"  # failed_at (UTC), not the folder's stamp
    assert weekly["cells"][3] == "✕ Failedweekly_review.ipynb could not run: KeyError: 'x'"


def test_hostile_segment_values_are_escaped(tmp_path):
    hostile = {"column": IMG, "values": [SCRIPT], "name": "", "text": SCRIPT,
               "slug": '"><script>x', "label": SCRIPT}  # fmt: skip
    fake_pack(tmp_path, "monthly", "2026-10", segment=hostile)
    fake_pack(tmp_path, "monthly", "2026-10", segment=Scope("sales_team", (SCRIPT,)))
    html = write_index(tmp_path, lang="ja", timezone=TZ).read_text(encoding="utf-8")
    page = Index(html)
    assert {"script", "img"}.isdisjoint(page.tags) and "<script" not in html
    row = page.row("monthly", "2026-10", "ja", segment='"><script>x')
    assert row["cells"][1] == SCRIPT  # an unknown column: the recorded label, as text
    assert page.rows[-1]["cells"][1] == f"営業チーム: {SCRIPT}"


def test_a_malformed_segment_record_is_skipped(tmp_path):
    fake_pack(tmp_path, "monthly", "2026-10")
    fake_pack(tmp_path, "monthly", "2026-10", segment={"slug": "x", "label": "ok"}, lang="en")
    manifest = tmp_path / "monthly" / "2026-10" / "x" / "en" / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    manifest.write_text(json.dumps({**data, "segment": "sales_team=Team B"}), encoding="utf-8")
    assert keys(index(tmp_path)) == [("2026-10", "", "ja", "true")]


def batch(out: Path, **record: object) -> None:
    base = {
        "started_at": "2026-11-24T06:15:00+00:00", "finished_at": "2026-11-24T06:15:41+00:00",
        "as_of": "2026-11-23", "jobs": 2, "seconds": 41.2,
        "counts": {"built": 1234, "skipped": 3, "failed": 1},
        "log": "_logs/batch-20261124T061500Z.log", "failed": [],
    }  # fmt: skip
    (out / "_logs").mkdir(exist_ok=True)
    text = json.dumps({**base, **record}, ensure_ascii=False)
    (out / "_logs" / "last-batch.json").write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("ja", ["前回の一括作成", "2026年11月24日 15:15 開始、2026年11月24日 15:15 終了"
                "（所要時間 41秒）", "基準日 2026年11月23日", "作成 1,234", "スキップ 3",
                "失敗 1", "実行ログ (batch-20261124T061500Z.log)"]),
        ("en", ["Last batch run", "Started 24 Nov 2026 15:15, finished 24 Nov 2026 15:15 "
                "(took 41 s)", "As of 23 Nov 2026", "Built 1,234", "Skipped 3", "Failed 1",
                "Run log (batch-20261124T061500Z.log)"]),
    ],
)  # fmt: skip
def test_last_batch_block_with_a_failure(tmp_path, lang, words):
    fake_pack(tmp_path, "monthly", "2026-10")
    notebook = failure(tmp_path, "monthly", "2026-10", failed_at="2026-11-24T06:15:30+00:00",
                       error="boom", segment=TEAM_B)  # fmt: skip
    item = {
        "name": "monthly/sales_team-team-b/ja", "cadence": "monthly", "period": "2026-10",
        "lang": "ja", "segment": scope_record(TEAM_B, lang="ja"),
        "error": f"monthly_review.ipynb failed in cell 7: {SCRIPT}",
        "notebook": rel(notebook, tmp_path),
    }  # fmt: skip
    batch(tmp_path, failed=[item])
    html = write_index(tmp_path, lang=lang, timezone=TZ).read_text(encoding="utf-8")
    block = Block(html)
    assert block.found and block.state == "finished"
    assert html.index('id="last-batch"') < html.index('id="monthly"')  # at the top
    for word in words:
        assert word in block.text
    assert block.links == [("rk-log", "_logs/batch-20261124T061500Z.log")]
    if lang == "ja":
        assert block.alert.startswith("1 件の資料の作成に失敗しました。それ以外の資料は通常どおり")
        assert "月次レビュー · 2026年10月 · 営業チーム: Team B · 日本語" in block.alert
    else:
        assert block.alert.startswith("1 pack failed. The other packs were still published.")
        assert "sales team: Team B · Japanese" in block.alert
    assert f"monthly_review.ipynb failed in cell 7: {SCRIPT}" in block.alert  # as text
    assert "<script" not in html
    assert block.alert_links == [("rk-notebook", rel(notebook, tmp_path))]


def test_a_running_batch_and_durations(tmp_path):
    batch(tmp_path, finished_at=None, seconds=None, counts={"built": 2}, failed=[])
    block = Block(write_index(tmp_path, lang="en", timezone=TZ).read_text(encoding="utf-8"))
    assert block.state == "running" and "Running since 24 Nov 2026 15:15" in block.text
    assert "Built 2" in block.text and "Skipped —" in block.text and block.alert == ""
    batch(tmp_path, finished_at="2026-11-24T07:17:05+00:00", seconds=3725, failed=[],
          counts={"built": 30, "skipped": 0, "failed": 0})  # fmt: skip
    block = Block(write_index(tmp_path, lang="ja", timezone=TZ).read_text(encoding="utf-8"))
    assert "16:17 終了（所要時間 1時間2分）" in block.text and block.alert == ""
    batch(tmp_path, seconds=None, finished_at="2026-11-24T06:17:05+00:00")  # from the times
    block = Block(write_index(tmp_path, lang="en", timezone=TZ).read_text(encoding="utf-8"))
    assert "(took 2 min 5 s)" in block.text
    assert block.alert == "1 pack failed. The other packs were still published."  # count only


def test_batch_links_never_leave_the_output_folder(tmp_path):
    items = [
        {"name": "a", "cadence": "monthly", "period": "2026-10", "lang": "en", "segment": None,
         "error": "one", "notebook": "../../secret/notebook.ipynb"},
        {"name": "b", "cadence": "weekly", "period": "2026-W47", "lang": "ja", "segment": None,
         "error": "two", "notebook": "javascript:alert(1)"},
        {"name": SCRIPT, "cadence": "?", "error": None, "notebook": None},
        "not a record",
    ]  # fmt: skip
    batch(tmp_path, log="/etc/passwd", failed=items, counts={"failed": 3})
    html = write_index(tmp_path, lang="en", timezone=TZ).read_text(encoding="utf-8")
    block = Block(html)
    assert block.links == [] and block.alert_links == []
    assert block.alert.startswith("3 packs failed. The other packs were still published.")
    assert "Monthly review · October 2026 · Whole company · English" in block.alert
    assert SCRIPT in block.alert and "<script" not in html and "javascript" not in html


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", '"text"', ""])
def test_an_unreadable_batch_record_is_ignored(tmp_path, text):
    fake_pack(tmp_path, "monthly", "2026-10")
    (tmp_path / "_logs").mkdir()
    (tmp_path / "_logs" / "last-batch.json").write_text(text, encoding="utf-8")
    html = write_index(tmp_path, lang="ja", timezone=TZ).read_text(encoding="utf-8")
    assert not Block(html).found and len(Index(html).rows) == 1


def test_odd_batch_values_do_not_break_the_page(tmp_path):
    counts = {"built": "many", "failed": float("inf")}
    batch(tmp_path, failed=5, seconds=float("nan"), counts=counts, started_at=None, as_of=7)
    block = Block(write_index(tmp_path, lang="en", timezone=TZ).read_text(encoding="utf-8"))
    # no start, so no time taken; counts that are not numbers are shown as unknown
    assert "Started —, finished 24 Nov 2026 15:15 (took —)" in block.text
    assert "Built —" in block.text and "Failed —" in block.text and block.alert == ""
