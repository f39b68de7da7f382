"""Attacks on the reader: encodings, binary files and sizes, each through `reviewkit import`.

Every attack writes a file into a copy of the zoo company ``usa`` (its Salesforce exports are
under ``exports/``, its profiles under ``params/sources/``) and imports it as a user would. A
refused file gets exit 2 and one line naming the file, the problem and the fix, with the store
unchanged; a readable one is imported with every row accounted for in the report line (the
rows read, and the lines skipped), its bad rows quarantined.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from attack_harness import (
    Attack,
    assert_clean_exit,
    assert_refused,
    attack_workspace,
    params,
    quarantined,
    run_cli,
)

ATTACKS: list[Attack] = [
    # encodings
    Attack("files-utf16-with-bom", "encodings", "works", "UTF-16 with a byte-order mark"),
    Attack("files-utf16-without-bom", "encodings", "refused", "UTF-16LE without a BOM"),
    Attack("files-cp932-undeclared", "encodings", "works", "CP932 without encoding: in profile"),
    Attack("files-cp932-declared-utf8", "encodings", "refused", "CP932, profile says UTF-8"),
    Attack("files-damaged-utf8", "encodings", "refused", "UTF-8 with one broken byte"),
    Attack("files-nul-byte", "encodings", "refused", "a NUL byte inside a cell"),
    Attack("files-ansi-file-name", "encodings", "works", "ANSI escapes in the file's name"),
    Attack("files-ansi-name-refused", "encodings", "refused", "escapes in a refused file name"),
    Attack("files-ansi-in-header", "encodings", "refused", "escapes in header cells"),
    # binary
    Attack("files-png-as-csv", "binary", "refused", "a PNG image named .csv"),
    Attack("files-zip-as-csv", "binary", "refused", "a zip archive named .csv"),
    Attack("files-random-bytes", "binary", "refused", "random bytes named .csv"),
    Attack("files-png-as-xlsx", "binary", "refused", "a PNG image named .xlsx"),
    Attack("files-garbage-parquet", "binary", "refused", "text named .parquet"),
    Attack("files-xlsx-second-sheet", "binary", "refused", "data on an .xlsx's second sheet"),
    Attack("files-xlsx-merged-cells", "binary", "works", "merged cells in an .xlsx"),
    Attack("files-directory", "binary", "refused", "a folder named leads.csv"),
    Attack("files-missing", "binary", "refused", "a path that does not exist"),
    Attack("files-symlink-loop", "binary", "refused", "a symbolic link pointing at itself"),
    # sizes
    Attack("files-empty", "sizes", "refused", "an empty file"),
    Attack("files-header-only", "sizes", "refused", "a header and no rows"),
    Attack("files-10mb-cell", "sizes", "refused", "one cell of 10 MB"),
    Attack("files-100k-columns", "sizes", "refused", "a header of 100,000 columns"),
    Attack("files-wide-row", "sizes", "refused", "a row with more values than the header"),
    Attack("files-short-row", "sizes", "quarantined", "a row missing its last cells"),
    Attack("files-footer-lookalikes", "sizes", "works", "©, Copyright and one-value last rows"),
    Attack("files-title-and-blank-lines", "sizes", "works", "titles above, blanks inside"),
    Attack("files-duplicate-header", "sizes", "refused", "a column named twice"),
]

_BY_ID = {a.id: a for a in ATTACKS}


def store_digest(workspace: Path) -> dict[str, tuple[int, str]]:
    """The harness's ``store_digest`` with every value read as text.

    (The harness's own fetches TIMESTAMPTZ values, which needs ``pytz``; the environment has
    none, so it fails on any store with a timestamp.)
    """
    import hashlib

    import duckdb

    con = duckdb.connect(str(workspace / "data" / "reviewkit.duckdb"), read_only=True)
    try:
        tables = [t for (t,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_type = 'BASE TABLE' ORDER BY 1").fetchall()]  # fmt: skip
        digest = {}
        for table in tables:
            rows = con.execute(f'SELECT COLUMNS(*)::VARCHAR FROM "{table}" ORDER BY ALL').fetchall()
            digest[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        return digest
    finally:
        con.close()


# --- building files ----------------------------------------------------------------------


def _leads(ws: Path, n: int = 3, *, prefix: str = "00QATK") -> tuple[list[str], list[list[str]]]:
    """The leads export's header and its first ``n`` rows, with new lead ids."""
    with (ws / "exports" / "salesforce_leads.csv").open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [next(reader) for _ in range(n)]
    for i, row in enumerate(rows, start=1):
        row[0] = f"{prefix}{i:09d}"
    return header, rows


def _csv(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _leads_text(ws: Path, n: int = 3) -> str:
    return _csv(*_leads(ws, n))


def _japanese_leads(ws: Path) -> str:
    header, rows = _leads(ws)
    for row, name in zip(rows, ("髙橋商事", "株式会社①テック", "日本システム"), strict=True):
        row[header.index("Company / Account")] = name
    return _csv(header, rows)


def _profile(ws: Path, name: str, extra: str) -> None:
    text = (ws / "params" / "sources" / "sf-leads.yml").read_text(encoding="utf-8")
    (ws / "params" / "sources" / f"{name}.yml").write_text(text + extra, encoding="utf-8")


def _xlsx(path: Path, sheets: dict[str, list[list[object]]], merge: str = "") -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if merge and name == list(sheets)[-1]:
            sheet.merge_cells(merge)
    book.save(path)


def _import(ws: Path, path: Path | str, *args: str, profile: str = "sf-leads"):
    return run_cli("import", str(path), "--profile", profile, *args, cwd=ws)


# --- refusals: exit 2, one line, the store unchanged --------------------------------------


def _write(ws: Path, name: str, data: bytes | str) -> Path:
    path = ws / "exports" / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + bytes(range(256)) * 4


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("leads.csv", "a,b\n1,2\n")
    return buffer.getvalue()


def _symlink_loop(ws: Path) -> Path:
    path = ws / "exports" / "loop.csv"
    path.symlink_to(path.name)
    return path


def _directory(ws: Path) -> Path:
    path = ws / "exports" / "leads.csv"
    path.mkdir()
    return path


def _xlsx_second_sheet(ws: Path) -> Path:
    header, rows = _leads(ws)
    path = ws / "exports" / "leads.xlsx"
    notes = [["Northwind leads export"], ["Generated by Salesforce; the data is on 'Data'"]]
    _xlsx(path, {"Notes": notes, "Data": [header, *rows]})
    return path


def _cp932_declared_utf8(ws: Path) -> Path:
    _profile(ws, "sf-leads-utf8", "encoding: utf-8\n")
    return _write(ws, "jp.csv", _japanese_leads(ws).encode("cp932"))


def _damaged_utf8(ws: Path) -> Path:
    data = _japanese_leads(ws).encode("utf-8")
    cut = data.index("株式会社".encode()) + 1  # inside a character: one byte broken
    return _write(ws, "damaged.csv", data[:cut] + b"\xff" + data[cut + 1 :])


def _nul_byte(ws: Path) -> Path:
    return _write(ws, "nul.csv", _leads_text(ws).replace("Trinity", "Tri\x00nity"))


def _ansi_header(ws: Path) -> Path:
    header, rows = _leads(ws)
    header[0] = "\x1b[2J\x1b]8;;http://evil\x07Lead ID"  # clears the screen, opens a link
    return _write(ws, "ansi.csv", _csv(header, rows))


def _wide_row(ws: Path) -> Path:
    header, rows = _leads(ws)
    rows[1].append("an extra value")
    return _write(ws, "wide.csv", _csv(header, rows))


def _duplicate_header(ws: Path) -> Path:
    header, rows = _leads(ws)
    header[header.index("Website")] = "Lead ID"
    return _write(ws, "dup.csv", _csv(header, rows))


# id -> (how to make the file, extra CLI args, profile, what the one line must say)
REFUSALS: dict[str, tuple[Callable[[Path], Path | str], tuple[str, ...], str, str]] = {
    "files-utf16-without-bom": (
        lambda ws: _write(ws, "u16.csv", _leads_text(ws).encode("utf-16-le")),
        (), "sf-leads", "pass --encoding utf-16-le",
    ),
    "files-cp932-declared-utf8": (
        _cp932_declared_utf8, (), "sf-leads-utf8", "not valid utf-8 (byte 0x",
    ),
    "files-damaged-utf8": (_damaged_utf8, (), "sf-leads", "UTF-8 with an invalid byte (byte 0x"),
    "files-nul-byte": (_nul_byte, (), "sf-leads", "line 2 holds a NUL byte"),
    "files-ansi-name-refused": (
        lambda ws: _write(ws, "evil\x1b[31m\nname.csv", PNG), (), "sf-leads",
        "evil\\x1b[31m\\nname.csv: the file is binary",
    ),
    "files-ansi-in-header": (
        _ansi_header, (), "sf-leads", "the file has \\x1b[2J\\x1b]8;;http://evil\\x07Lead ID, ",
    ),
    "files-png-as-csv": (lambda ws: _write(ws, "img.csv", PNG), (), "sf-leads", "is binary"),
    "files-zip-as-csv": (
        lambda ws: _write(ws, "z.csv", _zip_bytes()), (), "sf-leads", "or a zip archive, not text",
    ),
    "files-random-bytes": (
        lambda ws: _write(ws, "r.csv", bytes((i * 7919 + 13) % 256 for i in range(65536))),
        (), "sf-leads", "is binary",
    ),
    "files-png-as-xlsx": (
        lambda ws: _write(ws, "img.xlsx", PNG), (), "sf-leads",
        "cannot be read as an Excel .xlsx workbook",
    ),
    "files-garbage-parquet": (
        lambda ws: _write(ws, "t.parquet", "a,b\n1,2\n"), (), "sf-leads",
        "cannot be read as Parquet",
    ),
    "files-xlsx-second-sheet": (
        _xlsx_second_sheet, (), "sf-leads", "the workbook also has 'Data': choose one with --sheet",
    ),
    "files-directory": (_directory, (), "sf-leads", "is a folder, not a file"),
    "files-missing": (lambda ws: ws / "exports" / "nope.csv", (), "sf-leads", "no such file"),
    "files-symlink-loop": (_symlink_loop, (), "sf-leads", "symbolic links"),
    "files-empty": (lambda ws: _write(ws, "e.csv", b""), (), "sf-leads", "the file is empty"),
    "files-header-only": (
        lambda ws: _write(ws, "h.csv", _leads_text(ws, 0)), (), "sf-leads",
        "no data rows below its header (line 1)",
    ),
    "files-10mb-cell": (
        lambda ws: _write(ws, "big.csv", _leads_text(ws).replace("Trinity", "x" * 10_000_000)),
        (), "sf-leads", "line 2 has a value longer than 131,072 characters",
    ),
    "files-100k-columns": (
        lambda ws: _write(ws, "wide.csv", ",".join(f"c{i}" for i in range(100_000)) + "\n1\n"),
        (), "sf-leads", "has 100,000 columns, more than 16,384",
    ),
    "files-wide-row": (
        _wide_row, (), "sf-leads", "1 row(s) have more values than the 19 header columns (line 3)",
    ),
    "files-duplicate-header": (
        _duplicate_header, (), "sf-leads", "column 1 'Lead ID' and column 7 'Lead ID'",
    ),
}  # fmt: skip


@pytest.mark.parametrize("attack", params([_BY_ID[i] for i in REFUSALS]))
def test_a_bad_file_is_refused_in_one_line_and_changes_nothing(
    attack: Attack, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    ws = attack_workspace(tmp_path, tmp_path_factory)
    make, args, profile, expected = REFUSALS[attack.id]
    path = make(ws)
    before = store_digest(ws)
    line = assert_refused(_import(ws, path, *args, profile=profile))
    assert expected in line, line
    assert "\x1b" not in line and "\x07" not in line  # control characters are escaped
    assert store_digest(ws) == before


# --- readable files: every row accounted for -----------------------------------------------


def test_utf16_with_a_bom_is_read(tmp_path, tmp_path_factory) -> None:
    ws = attack_workspace(tmp_path, tmp_path_factory)
    path = _write(ws, "u16.csv", _leads_text(ws).encode("utf-16"))
    result = _import(ws, path)
    assert_clean_exit(result)
    assert "u16.csv [sf-leads]: read 3, loaded 3, updated 0, unchanged 0, rejected 0" in (
        result.stdout
    )


def test_cp932_without_an_encoding_in_the_profile_is_detected(tmp_path, tmp_path_factory) -> None:
    ws = attack_workspace(tmp_path, tmp_path_factory)
    path = _write(ws, "jp.csv", _japanese_leads(ws).encode("cp932"))
    result = _import(ws, path)
    assert_clean_exit(result)
    assert "read 3, loaded 3" in result.stdout
    import duckdb

    con = duckdb.connect(str(ws / "data" / "reviewkit.duckdb"), read_only=True)
    try:
        names = con.execute(
            "SELECT company_name FROM leads WHERE lead_id LIKE '00QATK%' ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    assert [n for (n,) in names] == sorted(["髙橋商事", "株式会社①テック", "日本システム"])


def test_a_file_name_with_escape_codes_is_shown_escaped(tmp_path, tmp_path_factory) -> None:
    ws = attack_workspace(tmp_path, tmp_path_factory)
    path = _write(ws, "leads\x1b[2J\x1b[31m.csv", _leads_text(ws))
    result = _import(ws, path)
    assert_clean_exit(result)
    assert "\x1b" not in result.stdout + result.stderr
    assert "leads\\x1b[2J\\x1b[31m.csv [sf-leads]: read 3, loaded 3" in result.stdout


def test_merged_xlsx_cells_are_warned_with_their_range(tmp_path, tmp_path_factory) -> None:
    ws = attack_workspace(tmp_path, tmp_path_factory)
    header, rows = _leads(ws)
    path = ws / "exports" / "merged.xlsx"
    _xlsx(path, {"Leads": [["Northwind leads"], header, *rows]}, merge="B3:B4")
    result = _import(ws, path)
    assert_clean_exit(result)
    lines = result.stdout.splitlines()
    assert "read 3, loaded 3" in lines[0]
    assert "skipped 1 line: 1 title line above the header: 'Northwind leads'" in lines[0]
    assert lines[1].startswith("warning: merged.xlsx: sheet 'Leads' has merged cells B3:B4;")
    assert "unmerge them in Excel" in lines[1]


def test_the_second_sheet_is_read_with_the_sheet_option(tmp_path, tmp_path_factory) -> None:
    ws = attack_workspace(tmp_path, tmp_path_factory)
    path = _xlsx_second_sheet(ws)
    result = _import(ws, path, "--sheet", "Data")
    assert_clean_exit(result)
    assert "leads.xlsx [sf-leads]: read 3, loaded 3" in result.stdout
    missing = assert_refused(_import(ws, path, "--sheet", "Dat\x1ba"))
    assert "sheet 'Dat\\x1ba' does not exist; the workbook has 'Notes', 'Data'" in missing


def test_a_short_row_is_quarantined_not_dropped(tmp_path, tmp_path_factory) -> None:
    ws = attack_workspace(tmp_path, tmp_path_factory)
    header, rows = _leads(ws)
    rows[1] = rows[1][:3]  # no company, no source, no create date
    path = _write(ws, "short.csv", _csv(header, rows))
    before = len(quarantined(ws))
    result = _import(ws, path)
    assert_clean_exit(result)
    assert "read 3, loaded 2, updated 0, unchanged 0, rejected 1" in result.stdout
    after = quarantined(ws)
    assert len(after) == before + 1
    assert {row[2] for row in after[before:]} == {3}  # the file's line 3


def test_footer_lookalikes_are_counted_and_quoted(tmp_path, tmp_path_factory) -> None:
    ws = attack_workspace(tmp_path, tmp_path_factory)
    header, rows = _leads(ws, 2)
    text = _csv(header, rows) + (
        '"© 2026 HubSpot, Inc. contact: ops@example.com"\n'
        '"Copyright 2026 Northwind Analytics, Inc. All rights reserved worldwide."\n'
        '"00QATK000000099"\n'
    )
    path = _write(ws, "foot.csv", text)
    result = _import(ws, path)
    assert_clean_exit(result)
    first = result.stdout.splitlines()[0]
    assert "read 2, loaded 2" in first
    assert "skipped 3 lines: 3 footer lines: '© 2026 HubSpot, Inc. contact: [redacted]'" in first
    assert "'Copyright 2026 Northwind Analytics, Inc…'" in first
    assert "'00QATK000000099'" in first
    assert "ops@example.com" not in result.stdout
    # every line of the file is accounted for: the header, 2 read, 3 skipped
    assert len(text.splitlines()) == 1 + 2 + 3


def test_title_and_blank_lines_are_counted(tmp_path, tmp_path_factory) -> None:
    ws = attack_workspace(tmp_path, tmp_path_factory)
    header, rows = _leads(ws, 3)
    body = _csv(header, rows).splitlines()
    text = "\n".join(["Leads report", "As of 11/17/2026", "", *body[:2], "", *body[2:], ""]) + "\n"
    path = _write(ws, "titled.csv", text)
    result = _import(ws, path)
    assert_clean_exit(result)
    first = result.stdout.splitlines()[0]
    assert "read 3, loaded 3" in first
    assert (
        "skipped 5 lines: 2 title lines above the header: 'Leads report', 'As of 11/17/2026', "
        "3 blank lines" in first
    )
    assert len(text.splitlines()) == 2 + 1 + 1 + 3 + 1 + 1  # titles, blank, header, rows, blanks


WORKS = {
    "files-utf16-with-bom": test_utf16_with_a_bom_is_read,
    "files-cp932-undeclared": test_cp932_without_an_encoding_in_the_profile_is_detected,
    "files-ansi-file-name": test_a_file_name_with_escape_codes_is_shown_escaped,
    "files-xlsx-merged-cells": test_merged_xlsx_cells_are_warned_with_their_range,
    "files-short-row": test_a_short_row_is_quarantined_not_dropped,
    "files-footer-lookalikes": test_footer_lookalikes_are_counted_and_quoted,
    "files-title-and-blank-lines": test_title_and_blank_lines_are_counted,
}


def test_every_attack_is_run_by_a_test() -> None:
    assert set(REFUSALS) | set(WORKS) == set(_BY_ID)
    assert not set(REFUSALS) & set(WORKS)
    assert all(_BY_ID[i].outcome == "refused" for i in REFUSALS)


# --- re-importing the same file --------------------------------------------------------------


def test_reimporting_the_same_file_adds_nothing_to_the_quarantine(tmp_path, tmp_path_factory):
    ws = attack_workspace(tmp_path, tmp_path_factory)
    header, rows = _leads(ws, 4)
    rows[0][header.index("Create Date")] = "not a date"
    rows[2][0] = ""  # no id
    path = _write(ws, "again.csv", _csv(header, rows))
    first = _import(ws, path)
    assert_clean_exit(first)
    assert "read 4, loaded 2, updated 0, unchanged 0, rejected 2" in first.stdout
    held = len(quarantined(ws))
    for _ in range(2):
        again = _import(ws, path)
        assert_clean_exit(again)
        line = again.stdout.splitlines()[0]
        assert line.startswith("again.csv [sf-leads]: unchanged (the same content was imported on")
        assert line.endswith(
            "read 4, unchanged 2, rejected 2 (already in the quarantine, not added again)"
        )
        assert len(quarantined(ws)) == held
    # the same rows under another name are the same content
    renamed = _write(ws, "renamed.csv", path.read_bytes())
    assert "renamed.csv [sf-leads]: unchanged" in _import(ws, renamed).stdout
    assert len(quarantined(ws)) == held
