"""Read one sheet of an Excel ``.xlsx`` workbook as rows of text, with its merged cells.

:func:`xlsx_sheet` opens the workbook read-only (rows are streamed, so a big sheet does not
build a whole workbook in memory), chooses the sheet (by name or position; default the first)
and returns its rows with the merged cell ranges found in the sheet's XML. A merged range keeps
its value in its top-left cell only: the reader warns about the ranges that reach the table
rather than let the other cells become empty without a word.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import iterparse

from reviewkit.core.escapes import escape_controls, quoted
from reviewkit.errors import DataError, ParameterError

__all__ = ["XlsxSheet", "cell_text", "merged_rows", "xlsx_sheet"]

_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@dataclass(frozen=True)
class XlsxSheet:
    """One sheet read as text.

    Attributes
    ----------
    name : str
        The sheet's name.
    names : list of str
        Every sheet of the workbook, in order.
    rows : list of list of (str or None)
        The sheet's rows, top to bottom, each cell stripped text or ``None``.
    merged : list of str
        The merged cell ranges (``A5:A7``), in the order the sheet lists them.
    """

    name: str
    names: list[str]
    rows: list[list[str | None]]
    merged: list[str]


def sheet_list(names: list[str]) -> str:
    """The workbook's sheets for a message: ``'Notes', 'Data'`` (escaped)."""
    return ", ".join(quoted(n) for n in names)


def xlsx_sheet(
    path: Path, *, sheet: str | int | None, clean: Callable[[str | None], str | None]
) -> XlsxSheet:
    """Read ``sheet`` of the workbook at ``path`` (default: the first).

    Parameters
    ----------
    path : Path
        The ``.xlsx`` / ``.xlsm`` file.
    sheet : str or int, optional
        The sheet's name or 0-based position.
    clean : callable
        How a text cell is cleaned (stripped, ``="0123"`` unwrapped).

    Returns
    -------
    XlsxSheet
        The rows, the sheet names and the merged ranges.

    Raises
    ------
    DataError
        The file is not a readable workbook.
    ParameterError
        ``sheet`` does not exist (the message lists the sheets).
    """
    from openpyxl import load_workbook

    shown = escape_controls(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, InvalidFileException, KeyError, ...
        raise DataError(
            f"{shown}: cannot be read as an Excel .xlsx workbook ({type(exc).__name__}); open it "
            f"in Excel and save it again as .xlsx (not password-protected), or export CSV"
        ) from None
    try:
        names = list(book.sheetnames)
        chosen = _choose(shown, names, sheet)
        worksheet = book[chosen]
        worksheet.reset_dimensions()  # some writers record a wrong used range
        try:
            rows = [
                [cell_text(v, clean) for v in values]
                for values in worksheet.iter_rows(values_only=True)
            ]
            merged = _merged_ranges(worksheet)
        except Exception as exc:  # a corrupt sheet inside a valid zip
            raise DataError(
                f"{shown}: sheet {quoted(chosen)} cannot be read "
                f"({type(exc).__name__}); open the file in Excel and save it again as .xlsx, or "
                f"export CSV"
            ) from None
        return XlsxSheet(name=chosen, names=names, rows=rows, merged=merged)
    finally:
        book.close()


def _choose(shown: str, names: list[str], sheet: str | int | None) -> str:
    if not names:
        raise DataError(f"{shown}: the workbook has no sheets; export the data again")
    if sheet is None:
        return names[0]
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if not 0 <= sheet < len(names):
            raise ParameterError(
                f"{shown}: sheet {sheet} does not exist; the workbook has {len(names)} "
                f"sheet(s) ({sheet_list(names)}); pass a 0-based position or a name"
            )
        return names[sheet]
    if sheet in names:
        return str(sheet)
    folded = [n for n in names if n.strip().casefold() == str(sheet).strip().casefold()]
    if len(folded) == 1:
        return folded[0]
    raise ParameterError(
        f"{shown}: sheet {quoted(sheet)} does not exist; the workbook has "
        f"{sheet_list(names)}; pass one of them with --sheet NAME (or sheet: in the profile)"
    )


def _merged_ranges(worksheet: Any) -> list[str]:
    """The ``<mergeCell ref="A1:B2"/>`` ranges of a read-only worksheet's XML (streamed)."""
    source = worksheet._get_source()  # the sheet's XML inside the zip
    ranges = []
    try:
        for _, element in iterparse(source, events=("end",)):
            if element.tag == f"{_MAIN_NS}mergeCell":
                ref = element.get("ref")
                if ref:
                    ranges.append(ref)
            elif element.tag == f"{_MAIN_NS}row":
                element.clear()  # keep memory flat on a big sheet
    finally:
        source.close()
    return ranges


def merged_rows(ref: str) -> tuple[int, int]:
    """The first and last sheet row of a range such as ``B3:D5`` (or one cell ``B3``)."""
    parts = ref.upper().split(":")
    numbers = [int("".join(ch for ch in p if ch.isdigit()) or 0) for p in parts]
    return min(numbers), max(numbers)


def cell_text(value: object, clean: Callable[[str | None], str | None]) -> str | None:
    """A spreadsheet or Parquet value as stripped text (dates as ISO), or None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.tzinfo is None and value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):  # NaN, inf
            return None
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    return clean(str(value))
