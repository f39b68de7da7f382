"""The bytes of an export file: is it a readable file, its text encoding.

:func:`check_file` answers a missing path, a folder, a symbolic link loop or a pipe in one line;
:func:`decode` finds the text encoding of a CSV/TSV (UTF-8, UTF-8 with BOM, UTF-16 with BOM,
CP932/Shift_JIS) and refuses what is not text: a workbook or zip, Parquet, an image or random
bytes, text with a NUL byte, UTF-16 without a byte-order mark, and UTF-8 with a broken byte
(which CP932 would otherwise read as the wrong kanji, without a word).
"""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

from reviewkit.core.escapes import escape_controls as _esc
from reviewkit.errors import DataError, ParameterError

__all__ = ["check_file", "decode"]

# Names a user may give for the encoding Japanese Excel writes; CP932 is Microsoft's superset
# of Shift_JIS (NEC and IBM extensions such as ① and 髙), and what "Shift_JIS" means in practice.
_CP932_ALIASES = {"shift-jis", "sjis", "s-jis", "shiftjis", "ms932", "ms-kanji", "windows-31j"}


def check_file(path: str | Path) -> Path:
    """``path`` if it is a readable regular file, else a one-line :class:`DataError`.

    Parameters
    ----------
    path : str or Path
        The file named on the command line or in a profile.

    Returns
    -------
    Path
        The same path.

    Raises
    ------
    DataError
        It is missing, a directory, a symbolic link loop or a dangling link, not a regular file
        (a pipe, a device), or cannot be read; the message names it (escaped) and the fix.
    """
    path = Path(path)
    shown = _esc(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        dangling = path.is_symlink()
        what = "a symbolic link to a missing file" if dangling else "no such file"
        raise DataError(f"{shown}: {what}; check the path") from None
    except OSError as exc:  # ELOOP (a symbolic link loop), EACCES on a parent, ENAMETOOLONG
        raise DataError(
            f"{shown}: cannot be opened ({exc.strerror or type(exc).__name__}); check the path "
            f"and its links, or copy the export to a plain file"
        ) from None
    if stat.S_ISDIR(mode):
        raise DataError(f"{shown}: is a folder, not a file; name the export file inside it")
    if not stat.S_ISREG(mode):
        raise DataError(
            f"{shown}: is not a regular file (a pipe or a device); save the export as a file "
            f"first, then import that file"
        )
    if not os.access(path, os.R_OK):
        raise DataError(f"{shown}: cannot be read (permission denied); check its permissions")
    return path


def decode(path: Path, data: bytes, encoding: str | None) -> tuple[str, str]:
    """Decode a text export's bytes; refuse binary, damaged or undecodable ones.

    Parameters
    ----------
    path : Path
        The file (for messages).
    data : bytes
        Its bytes.
    encoding : str, optional
        The encoding to use; default: detected (BOM, UTF-8, then CP932).

    Returns
    -------
    tuple of (str, str)
        The text and the encoding used.

    Raises
    ------
    DataError
        The file is empty, binary, holds a NUL byte, is UTF-16 without a BOM, damaged UTF-8, or
        not in the given or any detected encoding.
    ParameterError
        ``encoding`` is not a known encoding.
    """
    if not data.strip():
        raise DataError(f"{_esc(path)}: the file is empty and has no data rows; export it again")
    if encoding is not None:
        name = _encoding_name(encoding)
        if name == "utf-8" and data.startswith(codecs.BOM_UTF8):
            name = "utf-8-sig"
        if not name.startswith(("utf-16", "utf-32")):
            _refuse_binary(path, data)
        return _decode_with(path, data, name), name
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_with(path, data, "utf-16"), "utf-16"
    _refuse_binary(path, data)
    if data.startswith(codecs.BOM_UTF8):
        return _decode_with(path, data, "utf-8-sig"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(data):  # UTF-8 with a broken byte: CP932 would read it as wrong kanji
        raise DataError(
            f"{_esc(path)}: the file is UTF-8 with an invalid byte "
            f"({_bad_byte(data, 'utf-8')}); it was damaged or pieced together from two "
            f"files: export it again, or fix that line in an editor and save as UTF-8"
        )
    try:
        return data.decode("cp932"), "cp932"
    except UnicodeDecodeError:
        pass
    raise DataError(
        f"{_esc(path)}: the file is not UTF-8 or CP932 (Shift_JIS); save it as UTF-8 or pass "
        f"--encoding (first bad UTF-8 {_bad_byte(data, 'utf-8')})"
    )


def _encoding_name(encoding: str) -> str:
    if encoding.strip().lower().replace("_", "-") in _CP932_ALIASES:
        return "cp932"
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise ParameterError(
            f"encoding {encoding!r} is not known; use utf-8, utf-8-sig or cp932 (Shift_JIS), "
            f"or leave it out to detect it"
        ) from None
    return "cp932" if name.replace("_", "-") in _CP932_ALIASES else name


def _decode_with(path: Path, data: bytes, name: str) -> str:
    try:
        return data.decode(name)
    except UnicodeDecodeError:
        raise DataError(
            f"{_esc(path)}: the file is not valid {name} ({_bad_byte(data, name)}); pass the right "
            f"--encoding (utf-8 or cp932) or leave it out to detect it"
        ) from None


def _bad_byte(data: bytes, name: str) -> str:
    try:
        data.decode(name)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return f"byte 0x{data[exc.start]:02x} on line {line}"
    return "no bad byte"  # pragma: no cover - only called after a failed decode


def _mostly_utf8(data: bytes) -> bool:
    """Whether bytes that are not valid UTF-8 are nonetheless mostly UTF-8 text.

    Japanese CP932 text almost never forms valid multi-byte UTF-8 sequences, so many of them
    beside a few invalid bytes mean a damaged UTF-8 file, not a CP932 one.
    """
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 0x7F and ch != "\ufffd")
    return good >= 4 * bad


def _refuse_utf16_without_bom(path: Path, data: bytes) -> None:
    """UTF-16 without a byte-order mark: every other byte of ASCII text is zero."""
    head = data[:4096]
    if len(head) < 8:
        return
    for name, zeros, chars in (
        ("utf-16-le", head[1::2], head[0::2]),
        ("utf-16-be", head[0::2], head[1::2]),
    ):
        text = sum(1 for b in chars if 32 <= b < 127 or b in b"\t\r\n")
        if zeros.count(0) >= 0.9 * len(zeros) and text >= 0.9 * len(chars):
            raise DataError(
                f"{_esc(path)}: the file looks like {name.upper()} text without a "
                f"byte-order mark; pass --encoding {name} (or encoding: {name} in the "
                f"profile), or save it as UTF-8"
            )


def _refuse_binary(path: Path, data: bytes) -> None:
    """Refuse a workbook, a Parquet or another binary file, and text holding a NUL byte."""
    shown = _esc(path)
    head = data[:8192]
    if head.startswith(b"PK\x03\x04"):
        raise DataError(
            f"{shown}: the file is an Excel workbook or a zip archive, not text; give an Excel "
            f"file the .xlsx suffix, or export the data as CSV"
        )
    if head.startswith(b"PAR1"):
        raise DataError(f"{shown}: the file is Parquet, not text; give it the .parquet suffix")
    _refuse_utf16_without_bom(path, data)
    controls = sum(1 for b in head if b < 32 and b not in b"\t\n\r\x0c\x1a")
    if controls > max(2, len(head) // 100) or head.count(b"\x00") > 2:
        raise DataError(
            f"{shown}: the file is binary, not CSV/TSV text; export the data as CSV, or pass an "
            f".xlsx or .parquet file with its own suffix"
        )
    nul = data.find(b"\x00")
    if nul >= 0:  # text with a stray NUL: a damaged file (csv cannot read it either)
        line = data.count(b"\n", 0, nul) + 1
        raise DataError(
            f"{shown}: line {line} holds a NUL byte (0x00, at byte {nul:,}), which no text "
            f"export has; the file is damaged: export it again, or remove the byte in an editor"
        )
