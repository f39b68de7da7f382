"""Read MA/SFA export files into a table of stripped text, ready for an import profile.

:func:`read_table` reads CSV/TSV (UTF-8, UTF-8 with BOM, CP932/Shift_JIS; detected or given),
Excel ``.xlsx`` and Parquet, and returns a :class:`RawTable`: every value a stripped string or
``None``, the file's own line (or sheet row) number of each data row for quarantine reports,
and the report title lines above the header and the footer rows below the data taken away.
Nothing is converted to numbers or dates here: that is :mod:`reviewkit.ingest.parsing`'s job, row by
row, so one bad value quarantines one row instead of failing the file.

Every file-level problem (unknown suffix, empty, binary or undecodable file, missing columns)
raises :class:`~reviewkit.errors.DataError` with a one-line message that names the file, what is
wrong and the fix.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import replace
from itertools import islice
from pathlib import Path

from reviewkit.core.escapes import escape_controls as _esc
from reviewkit.core.escapes import quoted
from reviewkit.errors import DataError
from reviewkit.ingest.readers_bytes import check_file, decode
from reviewkit.ingest.readers_table import (
    HEADER_SEARCH_ROWS,
    MAX_COLUMNS,
    RawTable,
    Row,
    build_table,
    clean_cell,
    find_header,
    missing_columns,
    missing_error,
    table_from_rows,
)
from reviewkit.ingest.readers_xlsx import merged_rows, sheet_list, xlsx_sheet

__all__ = [
    "HEADER_SEARCH_ROWS", "MAX_COLUMNS", "SUFFIXES", "RawTable", "check_file",
    "read_table",
]  # fmt: skip

#: File suffixes :func:`read_table` reads, by format.
SUFFIXES: dict[str, str] = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "tsv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".parquet": "parquet",
}
_DELIMITERS = (",", "\t", ";")
_SNIFF_ROWS = 50
_SHARED_VALUES = 200_000  # distinct short values shared between rows while reading
_SEP_LINE = re.compile(r"^sep=(.)\s*$")  # Excel's delimiter hint on line 1


def _sheet_raw(row: Row) -> str:
    return ",".join(c or "" for c in row.cells).rstrip(",")


def read_table(
    path: str | Path,
    *,
    encoding: str | None = None,
    sheet: str | int | None = None,
    required: Sequence[str] = (),
    header_hint: Sequence[str] = (),
) -> RawTable:
    """Read a CSV/TSV, Excel or Parquet export into a :class:`RawTable` of stripped text.

    Parameters
    ----------
    path : str or Path
        The file. Its suffix chooses the format: ``.csv``/``.txt`` (comma, or tab or semicolon
        when that fits the rows better; an Excel ``sep=;`` first line is honoured), ``.tsv``
        (tab), ``.xlsx``/``.xlsm`` (every cell as text; date cells as ISO text such as
        ``2026-11-23`` or ``2026-11-23 10:05:00``) and ``.parquet`` (read with DuckDB).
    encoding : str, optional
        The text encoding of a CSV/TSV. Default: detected: a byte-order mark gives
        ``utf-8-sig`` (or UTF-16), then valid UTF-8 gives ``utf-8``, then valid CP932 gives
        ``cp932``. ``shift_jis``/``sjis`` are read as ``cp932``, which Japanese Excel writes.
    sheet : str or int, optional
        The ``.xlsx`` sheet, by name or 0-based position; default the first sheet.
    required : sequence of str
        Columns the file must have. The header is the first of the top
        :data:`HEADER_SEARCH_ROWS` rows that holds all of them (compared ignoring case, width
        and repeated spaces); rows above it (report titles) are skipped.
    header_hint : sequence of str
        When ``required`` is empty, the header is the first top row holding the most of these
        names; with neither, the first row as wide as the widest top row.

    Returns
    -------
    RawTable
        The data rows, their line numbers, the encoding, the header row and the dropped footer.

    Raises
    ------
    DataError
        The file is missing, of an unknown type, empty or without data rows, binary, not in a
        readable encoding, malformed (an unterminated quote, a row wider than its header), or
        lacks a ``required`` column.
    ParameterError
        ``encoding`` is not a known encoding, or ``sheet`` does not exist.
    """
    path = check_file(path)
    kind = _file_kind(path)
    if kind == "parquet":
        return _read_parquet(path, required=required, header_hint=header_hint)
    if kind == "xlsx":
        return _read_xlsx(path, sheet=sheet, required=required, header_hint=header_hint)
    return _read_text(
        path, encoding=encoding, tsv=kind == "tsv", required=required, header_hint=header_hint
    )


def _file_kind(path: Path) -> str:
    """The format of ``path`` by its suffix (a :data:`SUFFIXES` value), or a one-line refusal."""
    shown = _esc(path)
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        if path.suffix.lower() == ".xls":
            raise DataError(
                f"{shown}: old Excel .xls files are not read; save it as .xlsx or CSV in Excel"
            )
        raise DataError(
            f"{shown}: unknown file type {quoted(path.suffix or '(no suffix)')}; "
            f"allowed: {', '.join(SUFFIXES)}; rename the file or export it as CSV"
        )
    return kind


def _read_text(
    path: Path,
    *,
    encoding: str | None,
    tsv: bool,
    required: Sequence[str],
    header_hint: Sequence[str],
) -> RawTable:
    """Read a CSV/TSV: decode, honour an Excel ``sep=`` line or sniff the delimiter, build."""
    lines, used = _text_lines(path, encoding)
    delimiter = "\t" if tsv else None
    skip = 0
    match = _SEP_LINE.match(lines[0]) if lines else None
    if match:
        delimiter, skip = match.group(1), 1
    if delimiter is None:
        delimiter = _sniff_delimiter(path, lines, required=required, header_hint=header_hint)
    rows = _csv_rows(path, lines, delimiter=delimiter, skip=skip)

    def raw(row: Row) -> str:
        return "".join(lines[row.number - 1 : row.last]).rstrip("\r\n")

    table = table_from_rows(
        path, rows, encoding=used, required=required, header_hint=header_hint, raw=raw
    )
    if skip:
        table = replace(table, title_rows=[lines[0].rstrip("\r\n"), *table.title_rows])
    return table


def _text_lines(path: Path, encoding: str | None) -> tuple[list[str], str]:
    """The file's lines (ends kept) and encoding; its bytes and text are let go on return."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(
            f"{_esc(path)}: cannot be read ({exc.strerror or type(exc).__name__}); check the file"
        ) from None
    text, used = decode(path, data, encoding)
    del data
    return io.StringIO(text, newline="").readlines(), used


def _read_xlsx(
    path: Path, *, sheet: str | int | None, required: Sequence[str], header_hint: Sequence[str]
) -> RawTable:
    """Read one sheet; when it holds no table, list the workbook's sheets and the fix."""
    book = xlsx_sheet(path, sheet=sheet, clean=clean_cell)
    rows = [Row(number, cells) for number, cells in enumerate(book.rows, start=1)]
    try:
        table = table_from_rows(
            path, rows, encoding=None, required=required, header_hint=header_hint, kind="xlsx",
            raw=_sheet_raw,
        )  # fmt: skip
    except DataError as exc:
        if len(book.names) < 2:
            raise
        reason = str(exc).removeprefix(f"{_esc(path)}: ").split(";")[0]
        which = "the first sheet" if sheet is None else "sheet"
        raise DataError(
            f"{_esc(path)}: {which} {quoted(book.name)} holds no table to "
            f"import ({reason}); the workbook has sheets {sheet_list(book.names)}; choose the "
            f"one with the data with --sheet NAME (or sheet: NAME in the profile)"
        ) from None
    merged = [r for r in book.merged if merged_rows(r)[1] >= table.header_row]
    return replace(table, merged=merged, sheet=book.name, sheets=book.names)


# --- CSV / TSV -------------------------------------------------------------------------------


def _records(
    path: Path, lines: list[str], *, delimiter: str, skip: int = 0
) -> Iterator[tuple[int, int, list[str]]]:
    """Yield (first line, last line, fields) of each CSV record, 1-based lines."""
    reader = csv.reader(iter(lines[skip:]), delimiter=delimiter, strict=True)
    start = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field limit" in str(exc):
                raise DataError(
                    f"{_esc(path)}: line {skip + start} has a value longer than "
                    f"{csv.field_size_limit():,} characters (a quote left open makes the rest of "
                    f"the file one value); check the quotes from line {skip + start} on, or "
                    f"shorten the cell"
                ) from None
            raise DataError(
                f"{_esc(path)}: line {skip + start} cannot be read as "
                f"{'TSV' if delimiter == chr(9) else 'CSV'} ({exc}); check its quotes "
                f'(a value with a quote must double it: ""), or export the file again'
            ) from None
        end = reader.line_num
        yield skip + start, skip + end, fields
        start = end + 1


def _csv_rows(path: Path, lines: list[str], *, delimiter: str, skip: int) -> Iterator[Row]:
    # One object per distinct short value (an owner, a stage, a state): a big export repeats
    # them on every row, and keeping each copy would cost most of the memory of the read.
    shared: dict[str, str] = {}
    for first, last, fields in _records(path, lines, delimiter=delimiter, skip=skip):
        cells = [clean_cell(f) for f in fields]
        if len(shared) < _SHARED_VALUES:
            cells = [shared.setdefault(c, c) if c is not None and len(c) <= 40 else c
                     for c in cells]  # fmt: skip
        yield Row(first, cells, last)


def _sniff_delimiter(
    path: Path, lines: list[str], *, required: Sequence[str], header_hint: Sequence[str]
) -> str:
    """Comma, unless tab or semicolon gives the rows a more consistent width."""
    samples: dict[str, list[list[str | None]]] = {}
    for delimiter in _DELIMITERS:
        try:
            records = islice(_records(path, lines, delimiter=delimiter), _SNIFF_ROWS)
            samples[delimiter] = [[clean_cell(f) for f in fields] for _, _, fields in records]
        except DataError:
            samples[delimiter] = []
    if required:
        for delimiter, rows in samples.items():
            if find_header(rows[:HEADER_SEARCH_ROWS], required, ())[0] is not None:
                return delimiter
    if header_hint:
        hits = {
            d: find_header(r[:HEADER_SEARCH_ROWS], (), header_hint)[1] for d, r in samples.items()
        }
        best = max(hits.values())
        if best > 0:
            return next(d for d in _DELIMITERS if hits[d] == best)
    best_delimiter, best_score = ",", 0
    for delimiter in _DELIMITERS:
        widths = Counter(len(r) for r in samples[delimiter] if any(c is not None for c in r))
        width, count = widths.most_common(1)[0] if widths else (0, 0)
        score = count if width >= 2 else 0
        if score > best_score:
            best_delimiter, best_score = delimiter, score
    return best_delimiter


# --- Parquet ---------------------------------------------------------------------------------


def _read_parquet(path: Path, *, required: Sequence[str], header_hint: Sequence[str]) -> RawTable:
    import duckdb

    con = duckdb.connect(":memory:")
    try:
        con.execute("SET TimeZone = 'UTC'")
        try:
            described = con.execute(
                "DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]
            ).fetchall()
            names = [str(row[0]) for row in described]
            select = ", ".join(f'CAST("{_ident(n)}" AS VARCHAR)' for n in names)
            fetched = con.execute(f"SELECT {select} FROM read_parquet(?)", [str(path)]).fetchall()
        except duckdb.Error as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise DataError(
                f"{_esc(path)}: cannot be read as Parquet ({_esc(first)}); export the file "
                f"again, or as CSV"
            ) from None
    finally:
        con.close()
    header = [clean_cell(n) for n in names]
    rows = [Row(i, [clean_cell(v) for v in values]) for i, values in enumerate(fetched, 1)]
    missing = missing_columns(header, required)
    if missing:
        raise missing_error(path, missing, header)
    if not rows:
        raise DataError(
            f"{_esc(path)}: the Parquet file has no data rows; export it again with rows"
        )
    names = [*required, *header_hint]
    return build_table(
        path, header, rows, encoding=None, header_row=0, footer=[], names=names, kind="parquet"
    )


def _ident(name: str) -> str:
    return name.replace('"', '""')
