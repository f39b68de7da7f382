"""Honest reading of files, in process: every row accounted for, names escaped, re-imports.

The same behaviours through the command line are in ``test_attacks_files.py``; these tests
check the pieces directly (the reader's accounting, the report line in both languages, the
quarantine keyed by the file's content) without a subprocess.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from reviewkit.core.escapes import escape_controls, quoted, shorten
from reviewkit.core.workspace import init_workspace
from reviewkit.errors import DataError
from reviewkit.ingest.importer import import_file
from reviewkit.ingest.profile import load_profile
from reviewkit.ingest.readers import check_file, read_table
from reviewkit.ingest.report import ImportReport
from reviewkit.model.definitions import load_definitions
from reviewkit.store.schema import connect

OPPS = """\
"Opportunity report"
"As of 2026/11/23"

"Opportunity Owner","Account Name","Opportunity Name","Stage","Amount","Close Date",\
"Created Date","Opportunity ID"
"Team A","Alpha","Alpha renewal","Closed Won","¥1,200,000","2026/10/15","2026/09/20","006A1"

"Team B","Beta","Beta new","Closed Lost","¥800,000","2026/10/20","2026/09/25","006B1"
"Team C","Delta","Delta bad","Closed Won","-¥100","2026/10/20","2026/10/01","006D1"
"Team C","Gamma","Gamma bad","Closed Won","¥100","2026/10/20","not a date","006E1"

"Confidential Information - Do Not Distribute"
"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."
"""


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


# --- escapes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\x1b[31mb.csv", "a\\x1b[31mb.csv"),
        ("two\nlines\r.csv", "two\\nlines\\r.csv"),
        ("bell\x07\x7f\x9b", "bell\\x07\\x7f\\x9b"),
        ("invoice\u202etxt.exe", "invoice\\u202etxt.exe"),
        ("zero\u200bwidth", "zero\\u200bwidth"),
        ("リード一覧 (2026年).csv", "リード一覧 (2026年).csv"),
    ],
)
def test_control_characters_are_escaped_and_text_kept(raw: str, shown: str) -> None:
    assert escape_controls(raw) == shown
    assert escape_controls(escape_controls(raw)) == shown  # escaping twice changes nothing
    assert quoted(raw) == f"'{shown}'"
    assert escape_controls(Path("/tmp") / raw) == f"/tmp/{shown}"


def test_shorten_keeps_one_line_and_cuts_with_an_ellipsis() -> None:
    assert shorten("a\n  b\tc") == "a b c"
    assert shorten("x" * 100, limit=10) == "x" * 9 + "…"


# --- the reader accounts for every row -------------------------------------------------------


def test_every_row_of_a_csv_is_read_or_skipped(tmp_path: Path) -> None:
    table = read_table(write(tmp_path / "opps.csv", OPPS), required=["Opportunity ID"])
    assert table.title_rows == ['"Opportunity report"', '"As of 2026/11/23"', ""]
    assert table.blank_rows == 1
    assert len(table.dropped_footer) == 3  # a blank line, the notice, the copyright
    records = len(OPPS.splitlines())
    assert (
        len(table.title_rows) + 1 + len(table.frame) + table.blank_rows + len(table.dropped_footer)
        == records
    )


def test_every_row_of_a_sheet_is_read_or_skipped_and_merged_cells_found(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Deals"
    for row in (["Deals"], [], ["Id", "Owner", "Amount"], [1, "A", 5], [None, None, None],
                [2, None, 6], [3, "C", 7], ["Total", None, 18]):  # fmt: skip
        sheet.append(row)
    sheet.merge_cells("A1:C1")  # a title above the header: harmless, not reported
    sheet.merge_cells("B6:B7")  # reaches the data: reported
    path = tmp_path / "deals.xlsx"
    book.save(path)
    table = read_table(path, required=["Id"])
    assert table.frame["Owner"].tolist() == ["A", None, None]  # the merge emptied C7
    assert table.merged == ["B6:B7"]
    assert (table.sheet, table.sheets) == ("Deals", ["Deals"])
    rows = len(table.title_rows) + 1 + len(table.frame) + table.blank_rows
    assert rows + len(table.dropped_footer) == 8


def test_a_cover_sheet_is_refused_listing_the_sheets(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Cover"
    data = book.create_sheet("Data")
    data.append(["Id", "Owner"])
    data.append([1, "A"])
    path = tmp_path / "book.xlsx"
    book.save(path)
    with pytest.raises(DataError) as exc:
        read_table(path, required=["Id"])
    assert "the first sheet 'Cover' holds no table to import" in str(exc.value)
    assert "sheets 'Cover', 'Data'; choose the one with the data with --sheet NAME" in str(
        exc.value
    )
    assert read_table(path, sheet="data", required=["Id"]).frame["Owner"].tolist() == ["A"]


def test_a_duplicate_header_in_a_sheet_names_both_columns(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    for row in (["Id", "Email", "ＥＭＡＩＬ"], [1, "a", "b"]):
        book.active.append(row)
    path = tmp_path / "dup.xlsx"
    book.save(path)
    with pytest.raises(DataError, match=r"\(sheet row 1\) names the same column twice: "
                       r"column 2 'Email' and column 3 'ＥＭＡＩＬ'"):  # fmt: skip
        read_table(path, header_hint=["Email"])


# --- bytes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("Id,Name\n1,a\n2,b\n".encode("utf-16-le"), "pass --encoding utf-16-le"),
        ("Id,Name\n1,a\n2,b\n".encode("utf-16-be"), "pass --encoding utf-16-be"),
        (b"Id,Name\n1,a\n2,b\x00c\n", "line 3 holds a NUL byte (0x00, at byte 15)"),
        ("Id,会社\n1,株式会社アルファ\n2,ベータ\n".encode().replace(b"\x82\xa2", b"\x82\xff"),
         "the file is UTF-8 with an invalid byte"),
    ],
)  # fmt: skip
def test_text_that_is_not_what_it_seems_is_refused(
    tmp_path: Path, data: bytes, expected: str
) -> None:
    with pytest.raises(DataError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        read_table(write(tmp_path / "x.csv", data))


def test_cp932_text_is_still_detected(tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", "Id,会社\n1,髙橋商事①\n".encode("cp932"))
    table = read_table(path)
    assert (table.encoding, table.frame["会社"].tolist()) == ("cp932", ["髙橋商事①"])


def test_paths_that_are_not_files_are_named(tmp_path: Path) -> None:
    (tmp_path / "dir.csv").mkdir()
    (tmp_path / "loop.csv").symlink_to("loop.csv")
    (tmp_path / "dangling.csv").symlink_to("gone.csv")
    os.mkfifo(tmp_path / "pipe.csv")
    cases = {
        "dir.csv": "is a folder, not a file",
        "loop.csv": "cannot be opened (Too many levels of symbolic links)",
        "dangling.csv": "a symbolic link to a missing file",
        "pipe.csv": "is not a regular file (a pipe or a device)",
        "missing.csv": "no such file",
        "esc\x1b[0m.csv": "esc\\x1b[0m.csv: no such file",
    }
    for name, expected in cases.items():
        with pytest.raises(DataError) as exc:
            check_file(tmp_path / name)
        assert expected in str(exc.value), name
        assert "\x1b" not in str(exc.value)


# --- the report line -------------------------------------------------------------------------


def test_the_report_line_in_both_languages() -> None:
    report = ImportReport(
        file=Path("leads\x1b[2J.csv"), profile="p", rows_read=5, loaded=3, rejected=2,
        skipped_title=["Report"], skipped_blank=2,
        skipped_footer=["© 2026 HubSpot taro@example.com", "Total,,5", "x", "y"],
    )  # fmt: skip
    report.reasons.update({"missing id": 1, "future date": 1})
    en = report.line("en")
    assert en == (
        "leads\\x1b[2J.csv [p]: read 5, loaded 3, updated 0, unchanged 0, rejected 2 "
        "(missing id 1, future date 1); skipped 7 lines: 1 title line above the header: "
        "'Report', 2 blank lines, 4 footer lines: '© 2026 HubSpot [redacted]', 'Total, 5', "
        "'x', …"
    )
    ja = report.line("ja")
    assert ja.startswith("leads\\x1b[2J.csv [p]: 読み込み 5行、追加 3、更新 0、変更なし 0、除外 2")
    assert "読み飛ばした行 7: 表題 1行: 'Report'、空行 2行、フッター 4行" in ja
    assert "example.com" not in en + ja


def test_an_unchanged_reimport_and_merged_cells_in_both_languages() -> None:
    report = ImportReport(file=Path("a.xlsx"), profile="p", rows_read=3, unchanged=2,
                          rejected=1, previous="2026-12-07 00:12 UTC", same_quarantine=True,
                          merged=["B2:B3"], sheet="Data")  # fmt: skip
    assert report.line("en") == (
        "a.xlsx [p]: unchanged (the same content was imported on 2026-12-07 00:12 UTC): read 3, "
        "unchanged 2, rejected 1 (already in the quarantine, not added again)"
    )
    assert report.line("ja").startswith("a.xlsx [p]: 変更なし（同じ内容のファイルを")
    assert report.warnings("en")[0].startswith("a.xlsx: sheet 'Data' has merged cells B2:B3;")
    assert "結合セル B2:B3" in report.warnings("ja")[0]


# --- re-importing: keyed by content, nothing doubled, nothing "updated" ----------------------


@pytest.fixture
def ws(tmp_path: Path):
    return init_workspace(tmp_path / "ws")


def _import(ws, path: Path) -> ImportReport:
    con = connect(ws.store_path, timezone=ws.config.timezone)
    try:
        return import_file(
            con, path, load_profile("salesforce-opportunities", workspace=ws),
            definitions=load_definitions(ws), timezone=ws.config.timezone,
        )  # fmt: skip
    finally:
        con.close()


def _quarantine(ws) -> int:
    con = duckdb.connect(str(ws.store_path), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM quarantine").fetchall()[0][0]
    finally:
        con.close()


def test_the_same_content_again_is_unchanged_and_quarantines_nothing_more(ws, tmp_path):
    path = write(tmp_path / "opps.csv", OPPS)
    first = _import(ws, path)
    assert (first.rows_read, first.loaded, first.rejected, first.previous) == (4, 2, 2, None)
    assert (len(first.skipped_title), first.skipped_blank, len(first.skipped_footer)) == (2, 3, 2)
    assert _quarantine(ws) == 2
    for _ in range(2):
        again = _import(ws, path)
        assert (again.loaded, again.updated, again.unchanged, again.rejected) == (0, 0, 2, 2)
        assert again.is_unchanged and again.previous is not None
        assert _quarantine(ws) == 2
    # a fixed row leaves the quarantine: its earlier quarantine row is replaced, not kept
    fixed = write(tmp_path / "fixed.csv", OPPS.replace('"not a date"', '"2026/10/02"'))
    report = _import(ws, fixed)
    assert (report.loaded, report.rejected, report.is_unchanged) == (1, 1, False)
    assert _quarantine(ws) == 3  # the other file's 2, this file's 1


def test_an_old_store_with_doubled_quarantine_rows_is_cleaned_by_the_next_import(ws, tmp_path):
    path = write(tmp_path / "opps.csv", OPPS)
    _import(ws, path)
    con = duckdb.connect(str(ws.store_path))
    try:  # what earlier versions did: the same rows again under a second import
        con.execute("INSERT INTO imports SELECT 'old' AS import_id, * EXCLUDE (import_id) "
                    "FROM imports")  # fmt: skip
        con.execute("INSERT INTO quarantine SELECT 'old' AS import_id, * EXCLUDE (import_id) "
                    "FROM quarantine")  # fmt: skip
    finally:
        con.close()
    assert _quarantine(ws) == 4
    again = _import(ws, path)
    assert again.is_unchanged and again.replaced_quarantine == 4
    assert _quarantine(ws) == 2


def test_a_row_is_compared_as_the_store_keeps_it(con) -> None:
    import pandas as pd

    from reviewkit.ingest.upsert import upsert

    row = {"opportunity_id": "D1", "lead_id": "L1", "amount": 1_200_000.005, "currency": "JPY",
           "created_at": pd.Timestamp("2026-09-20 10:00:00.0000001", tz="UTC"),
           "closed_at": None, "is_won": True, "stage": "won", "sales_team": "A",
           "source_system": "sfa"}  # fmt: skip
    frame = pd.DataFrame([row])
    assert upsert(con, "opportunities", frame, key=("opportunity_id",))[0] == {"D1"}
    # stored as 1,200,000.01 and to the microsecond: the same row again is not "changed"
    new, changed, seen = upsert(con, "opportunities", frame, key=("opportunity_id",))
    assert (new, changed, seen) == (set(), set(), {"D1"})
    frame.loc[0, "amount"] = 1_200_001.0
    assert upsert(con, "opportunities", frame, key=("opportunity_id",))[1] == {"D1"}


def test_rows_mapped_in_chunks_give_the_same_import(ws, tmp_path, monkeypatch) -> None:
    import reviewkit.ingest.importer as importer

    monkeypatch.setattr(importer, "_CHUNK_ROWS", 1)  # every row a chunk of its own
    report = _import(ws, write(tmp_path / "opps.csv", OPPS))
    assert (report.rows_read, report.loaded, report.rejected) == (4, 2, 2)
    con = duckdb.connect(str(ws.store_path), read_only=True)
    try:
        held = con.execute("SELECT row_number, reason FROM quarantine ORDER BY 1").fetchall()
        ids = con.execute("SELECT opportunity_id FROM opportunities ORDER BY 1").fetchall()
    finally:
        con.close()
    assert [n for n, _ in held] == [8, 9]  # the file's own lines
    assert held[0][1].startswith("negative amount")
    assert ids == [("006A1",), ("006B1",)]
