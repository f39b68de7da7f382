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
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path

import pandas as pd

from reviewkit.core.escapes import escape_controls as _esc
from reviewkit.core.escapes import quoted, shorten
from reviewkit.errors import DataError
from reviewkit.ingest.readers_bytes import check_file, decode
from reviewkit.ingest.readers_xlsx import merged_rows, sheet_list, xlsx_sheet

__all__ = [
    "HEADER_SEARCH_ROWS", "MAX_COLUMNS", "SUFFIXES", "RawTable", "check_file",
    "read_table",
]  # fmt: skip

#: How many rows from the top are searched for the header row.
HEADER_SEARCH_ROWS = 30
#: The most columns a file may have (Excel's own limit): a wider header is not an export.
MAX_COLUMNS = 16_384
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
_SHOWN_COLUMNS = 12
_SHARED_VALUES = 200_000  # distinct short values shared between rows while reading
_FOOTER = re.compile(
    r"""^(?:
        confidential\ information\b      # Salesforce: Confidential Information - Do Not Distribute
      | 機密情報                          # the same in a Japanese Salesforce org
      | copyright\b | \(c\)\ ?\d{4} | ©  # Copyright (c) 2000-2026 salesforce.com, inc. ...
      | (?:grand\s+)?totals?(?:\s*\(.*\))?\s*:?$   # Total, Grand Totals (12 records)
      | (?:合計|総計|小計)(?:\s*\(.*\))?\s*:?$      # 合計, 総計(12件)
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_EXCEL_TEXT = re.compile(r'^="(.*)"$', re.DOTALL)  # ="00123": Excel's keep-as-text trick
_SEP_LINE = re.compile(r"^sep=(.)\s*$")  # Excel's delimiter hint on line 1


@dataclass(frozen=True)
class RawTable:
    """One export file read as text.

    Attributes
    ----------
    file : Path
        The file read.
    frame : pandas.DataFrame
        One row per data row, one column per header cell (named as in the file, stripped; a
        header cell that matched a ``required`` or ``header_hint`` name case- and
        width-insensitively carries that name's spelling). Every column has dtype ``object``;
        each value is a stripped ``str`` or ``None`` (an empty cell).
    row_numbers : list of int
        For each row of ``frame``, the 1-based line of the file where its record starts (the
        sheet row for ``.xlsx``; the row position for Parquet).
    encoding : str or None
        The text encoding used (``utf-8``, ``utf-8-sig``, ``cp932``, ...); ``None`` for ``.xlsx``
        and Parquet.
    header_row : int
        The 1-based line (or sheet row) of the header; 0 for Parquet, whose column names come
        from its schema.
    dropped_footer : list of str
        The footer rows removed below the data (blank lines, "Confidential Information - Do Not
        Distribute", copyright, totals), as they were in the file, top to bottom.
    title_rows : list of str
        The rows skipped above the header (report titles, blank lines, an Excel ``sep=``
        line), as they were in the file.
    blank_rows : int
        Blank rows skipped between the header and the footer.
    merged : list of str
        ``.xlsx``: the merged cell ranges that reach the header or the data rows (``A5:A7``);
        only a range's top-left cell holds its value.
    sheet : str or None
        ``.xlsx``: the sheet read.
    sheets : list of str
        ``.xlsx``: every sheet of the workbook.

    Every row of the file is accounted for: ``len(title_rows) + 1 (the header) + len(frame) +
    blank_rows + len(dropped_footer)`` is the number of records (rows) the file has.
    """

    file: Path
    frame: pd.DataFrame
    row_numbers: list[int]
    encoding: str | None
    header_row: int
    dropped_footer: list[str] = field(default_factory=list)
    title_rows: list[str] = field(default_factory=list)
    blank_rows: int = 0
    merged: list[str] = field(default_factory=list)
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Row:
    number: int  # 1-based line / sheet row where the record starts
    cells: list[str | None]  # stripped, empty -> None
    last: int = 0  # CSV: the 1-based line where the record ends (a quoted value may span lines)


# How a skipped row is quoted as written (only skipped rows are: a big file's rows are not
# kept twice, as cells and as text)
_Raw = Callable[[_Row], str]


def _sheet_raw(row: _Row) -> str:
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
    if kind == "parquet":
        return _read_parquet(path, required=required, header_hint=header_hint)
    if kind == "xlsx":
        return _read_xlsx(path, sheet=sheet, required=required, header_hint=header_hint)
    lines, used = _text_lines(path, encoding)
    delimiter = "\t" if kind == "tsv" else None
    skip = 0
    match = _SEP_LINE.match(lines[0]) if lines else None
    if match:
        delimiter, skip = match.group(1), 1
    if delimiter is None:
        delimiter = _sniff_delimiter(path, lines, required=required, header_hint=header_hint)
    rows = _csv_rows(path, lines, delimiter=delimiter, skip=skip)

    def raw(row: _Row) -> str:
        return "".join(lines[row.number - 1 : row.last]).rstrip("\r\n")

    table = _table(path, rows, encoding=used, required=required, header_hint=header_hint, raw=raw)
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
    book = xlsx_sheet(path, sheet=sheet, clean=_clean)
    rows = [_Row(number, cells) for number, cells in enumerate(book.rows, start=1)]
    try:
        table = _table(
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


def _csv_rows(path: Path, lines: list[str], *, delimiter: str, skip: int) -> Iterator[_Row]:
    # One object per distinct short value (an owner, a stage, a state): a big export repeats
    # them on every row, and keeping each copy would cost most of the memory of the read.
    shared: dict[str, str] = {}
    for first, last, fields in _records(path, lines, delimiter=delimiter, skip=skip):
        cells = [_clean(f) for f in fields]
        if len(shared) < _SHARED_VALUES:
            cells = [shared.setdefault(c, c) if c is not None and len(c) <= 40 else c
                     for c in cells]  # fmt: skip
        yield _Row(first, cells, last)


def _sniff_delimiter(
    path: Path, lines: list[str], *, required: Sequence[str], header_hint: Sequence[str]
) -> str:
    """Comma, unless tab or semicolon gives the rows a more consistent width."""
    samples: dict[str, list[list[str | None]]] = {}
    for delimiter in _DELIMITERS:
        try:
            records = islice(_records(path, lines, delimiter=delimiter), _SNIFF_ROWS)
            samples[delimiter] = [[_clean(f) for f in fields] for _, _, fields in records]
        except DataError:
            samples[delimiter] = []
    if required:
        for delimiter, rows in samples.items():
            if _find_header(rows[:HEADER_SEARCH_ROWS], required, ())[0] is not None:
                return delimiter
    if header_hint:
        hits = {
            d: _find_header(r[:HEADER_SEARCH_ROWS], (), header_hint)[1] for d, r in samples.items()
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
    header = [_clean(n) for n in names]
    rows = [_Row(i, [_clean(v) for v in values]) for i, values in enumerate(fetched, 1)]
    missing = _missing(header, required)
    if missing:
        raise _missing_error(path, missing, header)
    if not rows:
        raise DataError(
            f"{_esc(path)}: the Parquet file has no data rows; export it again with rows"
        )
    names = [*required, *header_hint]
    return _build(
        path, header, rows, encoding=None, header_row=0, footer=[], names=names, kind="parquet"
    )


def _ident(name: str) -> str:
    return name.replace('"', '""')


# --- shared: header, footer, frame -----------------------------------------------------------


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip()
    if text[:2] == '="':
        match = _EXCEL_TEXT.match(text)
        if match:
            text = match.group(1).strip()
    return text or None


def _key(name: str | None) -> str:
    """A column name compared ignoring case, full/half width and repeated spaces."""
    if name is None:
        return ""
    return " ".join(unicodedata.normalize("NFKC", name).replace("\ufeff", "").casefold().split())


def _find_header(
    rows: Sequence[Sequence[str | None]], required: Sequence[str], header_hint: Sequence[str]
) -> tuple[int | None, int]:
    """The index of the header among ``rows`` and how many wanted names it holds."""
    if required:
        wanted = {_key(n) for n in required}
        hits = 0
        for index, cells in enumerate(rows):
            found = len(wanted & {_key(c) for c in cells})
            if found == len(wanted):
                return index, found
            hits = max(hits, found)
        return None, hits
    if header_hint:
        wanted = {_key(n) for n in header_hint}
        best, hits = None, 0
        for index, cells in enumerate(rows):
            found = len(wanted & {_key(c) for c in cells})
            if found > hits:
                best, hits = index, found
        if best is not None:
            return best, hits
    widths = [sum(c is not None for c in cells) for cells in rows]
    widest = max(widths, default=0)
    if widest == 0:
        return None, 0
    enough = max(1, min(2, widest), -(-widest // 2))
    return next(i for i, w in enumerate(widths) if w >= enough), 0


def _closest_header(
    rows: Sequence[Sequence[str | None]], required: Sequence[str]
) -> Sequence[str | None]:
    """The top row most like the header: the most required names, else the widest."""
    index, hits = _find_header(rows, (), required)
    if index is None or hits == 0:
        index, _ = _find_header(rows, (), ())
    return rows[index] if index is not None else []


def _missing(header: Sequence[str | None], required: Sequence[str]) -> list[str]:
    present = {_key(c) for c in header}
    return [name for name in required if _key(name) not in present]


def _missing_error(path: Path, missing: Sequence[str], found: Sequence[str | None]) -> DataError:
    names = [_one_line(c) for c in found if c is not None]
    shown = ", ".join(quoted(n) for n in names[:_SHOWN_COLUMNS])
    if len(names) > _SHOWN_COLUMNS:
        shown += f" and {len(names) - _SHOWN_COLUMNS} more"
    return DataError(
        f"{_esc(path)}: missing column(s) {', '.join(repr(m) for m in missing)} "
        f"(found: {shown or 'no column names'}); is this the right export? choose another "
        f"profile with --profile, or export the report with these columns"
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _table(
    path: Path,
    rows: Iterable[_Row],
    *,
    encoding: str | None,
    required: Sequence[str],
    header_hint: Sequence[str],
    raw: _Raw,
    kind: str = "csv",
) -> RawTable:
    """Find the header among the top rows, strip the footer and build the RawTable."""
    iterator = iter(rows)
    top = list(islice(iterator, HEADER_SEARCH_ROWS))
    index, _ = _find_header([r.cells for r in top], required, header_hint)
    if index is None:
        if required:
            found = _closest_header([r.cells for r in top], required)
            raise _missing_error(path, _missing(found, required), found)
        raise DataError(
            f"{_esc(path)}: the file has no header row and no data rows; export it again"
        )
    header_line = top[index]
    _check_header(
        path, header_line.cells, header_row=header_line.number, kind=kind,
        names=[*required, *header_hint],
    )  # fmt: skip
    body = [*top[index + 1 :], *iterator]
    body, footer = _strip_footer(body, width=sum(c is not None for c in header_line.cells))
    everything = len(body)
    body = [r for r in body if any(c is not None for c in r.cells)]
    if not body:
        raise DataError(
            f"{_esc(path)}: the file has no data rows below its header (line "
            f"{header_line.number}); export the report with its rows"
        )
    return _build(
        path,
        header_line.cells,
        body,
        encoding=encoding,
        header_row=header_line.number,
        footer=[raw(r) for r in footer],
        names=[*required, *header_hint],
        title=[raw(r) for r in top[:index]],
        blank=everything - len(body),
        kind=kind,
    )


def _strip_footer(rows: list[_Row], *, width: int) -> tuple[list[_Row], list[_Row]]:
    """Split trailing blank, total and notice rows off the data."""
    end = len(rows)
    while end > 0:
        cells = [c for c in rows[end - 1].cells if c is not None]
        footer = (
            not cells
            or _FOOTER.match(unicodedata.normalize("NFKC", cells[0])) is not None
            or (width >= 2 and len(cells) == 1)
        )
        if not footer:
            break
        end -= 1
    return rows[:end], rows[end:]


def _build(
    path: Path,
    header: Sequence[str | None],
    rows: Sequence[_Row],
    *,
    encoding: str | None,
    header_row: int,
    footer: list[str],
    names: Sequence[str],
    title: list[str] | None = None,
    blank: int = 0,
    kind: str = "csv",
) -> RawTable:
    _check_header(path, header, header_row=header_row, kind=kind, names=names)
    wide = [r for r in rows if any(c is not None for c in r.cells[len(header) :])]
    if wide:
        where = "row" if kind == "xlsx" else "line"
        lines = ", ".join(str(r.number) for r in wide[:5]) + (" ..." if len(wide) > 5 else "")
        fix = (
            "cells right of the header's last column hold values: give their column a header "
            "in the header row, or delete them in Excel"
            if kind == "xlsx"
            else "a value holds the delimiter without quotes: quote it, or export the file again"
        )
        raise DataError(
            f"{_esc(path)}: {len(wide)} row(s) have more values than the "
            f"{len(header)} header columns ({where} {lines}); {fix}"
        )
    width = len(header)
    cells = [
        r.cells if len(r.cells) == width else [*r.cells[:width], *[None] * (width - len(r.cells))]
        for r in rows
    ]
    columns = _column_names(header, names)
    keep = [
        i
        for i, name in enumerate(header)
        if name is not None or any(row[i] is not None for row in cells)
    ]
    if len(keep) < width:  # blank header cells over empty columns (trailing delimiters)
        cells = [[row[i] for i in keep] for row in cells]
    frame = pd.DataFrame(cells, columns=[columns[i] for i in keep], dtype=object)
    return RawTable(
        file=path,
        frame=frame,
        row_numbers=[r.number for r in rows],
        encoding=encoding,
        header_row=header_row,
        dropped_footer=footer,
        title_rows=list(title or []),
        blank_rows=blank,
    )


def _check_header(
    path: Path,
    header: Sequence[str | None],
    *,
    header_row: int,
    kind: str,
    names: Sequence[str],
) -> None:
    """Refuse a header wider than any export, or one naming a column twice.

    A column named twice is refused when the reader was asked for it (``names``: the profile's
    columns) or asked for no column at all; a repeated column nobody reads is kept as
    ``Name.1``.
    """
    shown = _esc(path)
    where = {"xlsx": f"sheet row {header_row}", "parquet": "the Parquet schema"}.get(
        kind, f"line {header_row}"
    )
    if len(header) > MAX_COLUMNS:
        raise DataError(
            f"{shown}: the header ({where}) has {len(header):,} columns, more than "
            f"{MAX_COLUMNS:,} (Excel's limit); this is not an export of records: check the "
            f"file, or export the report again"
        )
    first: dict[str, int] = {}
    for position, cell in enumerate(header, start=1):
        if cell is None:
            continue
        key = _key(cell)
        if key in first and (not names or key in {_key(n) for n in names}):
            earlier = first[key]
            one, other = quoted(shorten(str(header[earlier - 1]))), quoted(shorten(cell))
            raise DataError(
                f"{shown}: the header ({where}) names the same column twice: column {earlier} "
                f"{one} and column {position} {other}; which one holds the data is unclear: "
                f"rename or delete one of them in the file, then import again"
            )
        first[key] = position


def _column_names(header: Sequence[str | None], names: Sequence[str]) -> list[str]:
    """Column names: the wanted spelling where one matches, unique, ``Unnamed: i`` for blanks."""
    spelling: dict[str, str] = {}
    for name in names:
        spelling.setdefault(_key(name), name)
    columns: list[str] = []
    seen: Counter[str] = Counter()
    renamed: set[str] = set()
    for index, cell in enumerate(header):
        if cell is None:
            name = f"Unnamed: {index}"
        else:
            name = _one_line(cell.replace("\ufeff", ""))
            key = _key(name)
            if key in spelling and key not in renamed:
                name = spelling[key]
                renamed.add(key)
        if seen[name]:
            base, suffix = name, seen[name]
            while f"{base}.{suffix}" in seen:
                suffix += 1
            name = f"{base}.{suffix}"
        seen[name] += 1
        columns.append(name)
    return columns
