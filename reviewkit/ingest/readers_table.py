"""From rows of text cells to a :class:`RawTable`: find the header, strip the footer, build.

The readers of :mod:`reviewkit.ingest.readers` turn a file into rows of stripped cells (CSV/TSV
records, sheet rows, Parquet rows); this module finds the header among the top rows, takes the
report titles above it and the footer below the data away, checks the header (too wide, a
column named twice) and builds the frame with the profile's spelling of each wanted column.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import pandas as pd

from reviewkit.core.escapes import escape_controls as _esc
from reviewkit.core.escapes import quoted, shorten
from reviewkit.errors import DataError

#: How many rows from the top are searched for the header row.
HEADER_SEARCH_ROWS = 30
#: The most columns a file may have (Excel's own limit): a wider header is not an export.
MAX_COLUMNS = 16_384
_SHOWN_COLUMNS = 12
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
class Row:
    """One record of the file as stripped cells, with the lines it spans."""

    number: int  # 1-based line / sheet row where the record starts
    cells: list[str | None]  # stripped, empty -> None
    last: int = 0  # CSV: the 1-based line where the record ends (a quoted value may span lines)


# How a skipped row is quoted as written (only skipped rows are: a big file's rows are not
# kept twice, as cells and as text)
RawText = Callable[[Row], str]


def clean_cell(value: str | None) -> str | None:
    """A cell stripped, Excel's ``="00123"`` unwrapped; an empty cell is ``None``."""
    if value is None:
        return None
    text = value.strip()
    if text[:2] == '="':
        match = _EXCEL_TEXT.match(text)
        if match:
            text = match.group(1).strip()
    return text or None


def column_key(name: str | None) -> str:
    """A column name compared ignoring case, full/half width and repeated spaces."""
    if name is None:
        return ""
    return " ".join(unicodedata.normalize("NFKC", name).replace("\ufeff", "").casefold().split())


def find_header(
    rows: Sequence[Sequence[str | None]], required: Sequence[str], header_hint: Sequence[str]
) -> tuple[int | None, int]:
    """The index of the header among ``rows`` and how many wanted names it holds."""
    if required:
        wanted = {column_key(n) for n in required}
        hits = 0
        for index, cells in enumerate(rows):
            found = len(wanted & {column_key(c) for c in cells})
            if found == len(wanted):
                return index, found
            hits = max(hits, found)
        return None, hits
    if header_hint:
        wanted = {column_key(n) for n in header_hint}
        best, hits = None, 0
        for index, cells in enumerate(rows):
            found = len(wanted & {column_key(c) for c in cells})
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
    index, hits = find_header(rows, (), required)
    if index is None or hits == 0:
        index, _ = find_header(rows, (), ())
    return rows[index] if index is not None else []


def missing_columns(header: Sequence[str | None], required: Sequence[str]) -> list[str]:
    """The ``required`` names the header lacks (compared as :func:`column_key` does)."""
    present = {column_key(c) for c in header}
    return [name for name in required if column_key(name) not in present]


def missing_error(path: Path, missing: Sequence[str], found: Sequence[str | None]) -> DataError:
    """The one-line error naming the missing columns, the ones found and the fix."""
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


def table_from_rows(
    path: Path,
    rows: Iterable[Row],
    *,
    encoding: str | None,
    required: Sequence[str],
    header_hint: Sequence[str],
    raw: RawText,
    kind: str = "csv",
) -> RawTable:
    """Find the header among the top rows, strip the footer and build the RawTable."""
    iterator = iter(rows)
    top = list(islice(iterator, HEADER_SEARCH_ROWS))
    index, _ = find_header([r.cells for r in top], required, header_hint)
    if index is None:
        if required:
            found = _closest_header([r.cells for r in top], required)
            raise missing_error(path, missing_columns(found, required), found)
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
    return build_table(
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


def _strip_footer(rows: list[Row], *, width: int) -> tuple[list[Row], list[Row]]:
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


def build_table(
    path: Path,
    header: Sequence[str | None],
    rows: Sequence[Row],
    *,
    encoding: str | None,
    header_row: int,
    footer: list[str],
    names: Sequence[str],
    title: list[str] | None = None,
    blank: int = 0,
    kind: str = "csv",
) -> RawTable:
    """Check the header, refuse rows wider than it and build the :class:`RawTable`."""
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
        key = column_key(cell)
        if key in first and (not names or key in {column_key(n) for n in names}):
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
        spelling.setdefault(column_key(name), name)
    columns: list[str] = []
    seen: Counter[str] = Counter()
    renamed: set[str] = set()
    for index, cell in enumerate(header):
        if cell is None:
            name = f"Unnamed: {index}"
        else:
            name = _one_line(cell.replace("\ufeff", ""))
            key = column_key(name)
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
