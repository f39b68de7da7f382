"""Parse the dates of MA/SFA exports; :class:`ParseError` for a value that cannot be used.

Pure functions of one value. A value that cannot be used raises :class:`ParseError` with a
short reason ("empty", "not a date", "not an amount", ...) that the importer writes into the
quarantine table next to the row number, column and value; a bad *parameter* (an unknown time
zone) raises :class:`~reviewkit.errors.ParameterError` instead.

Accepted layouts are the ones real exports use (see ``shared/reference/export-formats.md``):
ISO and ``2026/11/23`` dates, ``2026年11月23日 10時05分``, ``15 Apr, 2021 00:03:00``,
``Apr 15, 2021``, US ``12/31/2026`` (or day-first when asked), Excel serial numbers.
Full-width digits and signs are read as their ASCII forms. Amounts are parsed by
:mod:`reviewkit.ingest.amounts`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reviewkit.errors import DataError, ParameterError

__all__ = [
    "ParseError",
    "parse_datetime",
]


class ParseError(DataError):
    """One value cannot be parsed; ``str(error)`` is a short reason for the quarantine table.

    It is a :class:`~reviewkit.errors.DataError` and so a :class:`ValueError`.

    Parameters
    ----------
    reason : str
        A short reason, such as ``"empty"``, ``"not a date"`` or ``"not an amount"``.
    value : object, optional
        The value that could not be parsed.
    """

    def __init__(self, reason: str, value: object = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.value = value


# --- dates -----------------------------------------------------------------------------------

_EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # Excel serials are naive wall time
# A bare number is read as an Excel serial only within 1970-01-01 .. 2099-12-31.
_EXCEL_PLAUSIBLE = (25569.0, 73051.0)
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_YMD = re.compile(
    r"(?P<y>\d{4})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*(?P<d>\d{1,2})日?"
)
_NUMERIC = re.compile(r"(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{4}|\d{2})(?![\d])")
_DAY_MONTH = re.compile(
    r"(?:[a-z]{3,9}\.?,?\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)?[\s-]+(?P<mon>[a-z]{3,9})\.?,?"
    r"[\s-]+(?P<y>\d{4})"
)
_MONTH_DAY = re.compile(
    r"(?:[a-z]{3,9}\.?,?\s+)?(?P<mon>[a-z]{3,9})\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+"
    r"(?P<y>\d{4})"
)
_TIME = re.compile(
    r"""(?:t|\s)*
    (?P<ampm1>午前|午後|am|pm)?\s*
    (?:
        (?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<f>\d{1,9}))?)?
      | (?P<jh>\d{1,2})時(?:\s*(?P<jmi>\d{1,2})分(?:\s*(?P<js>\d{1,2})秒)?)?
    )
    \s*(?P<ampm2>a\.?m\.?|p\.?m\.?)?""",
    re.VERBOSE,
)
_ZONE = re.compile(
    r"\s*(?P<z>z|utc|gmt|jst|[+-]\d{2}(?::?\d{2})?|(?:utc|gmt)[+-]\d{1,2}(?::?\d{2})?)"
)
_WEEKDAY = re.compile(r"^\((?:月|火|水|木|金|土|日)(?:曜日?)?\)")  # 2026/11/23(月)
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def parse_datetime(
    text: str | dt.date | None,
    *,
    formats: Sequence[str] | None = None,
    tz: str,
    dayfirst: bool = False,
) -> dt.datetime:
    """Parse a date or date-time as written in an export; return an aware datetime.

    Parameters
    ----------
    text : str, datetime.date or None
        The value (a ``date``/``datetime`` passes through), e.g. ``2026-11-23``,
        ``2026-11-23T10:00:00Z``, ``2026/11/23 10:00``, ``2026年11月23日 10時05分``,
        ``2026/11/23(月)``, ``15 Apr, 2021 00:03:00``, ``Apr 15, 2021``, ``12/31/2026``,
        ``20261123``, Unix seconds or milliseconds, or an Excel serial between 1970 and 2099
        such as ``46349``. Full-width digits are accepted.
    formats : sequence of str, optional
        :func:`datetime.datetime.strptime` patterns tried first, in order; ``"excel"`` reads a
        number as an Excel serial (any positive number, not only the plausible range).
    tz : str
        The IANA time zone of values without an offset (``Asia/Tokyo``). Values with an offset
        (``Z``, ``+09:00``) keep their instant; every result is expressed in ``tz``.
    dayfirst : bool
        Read ``03/04/2026`` as 3 April (day first) instead of March 4 (US month first). A first
        number above 12 is always the day, a second one above 12 always the day.

    Returns
    -------
    datetime.datetime
        Time-zone aware, in ``tz``. A date without a time is midnight in ``tz``.

    Raises
    ------
    ParseError
        ``"empty"``; ``"not a date"`` (no layout fits); ``"not a valid date"`` (a layout fits
        but the day, month or time does not exist, e.g. 2026-02-30).
    ParameterError
        ``tz`` is not a known time zone.
    """
    zone = _zone(tz)
    if text is None:
        raise ParseError("empty", text)
    if isinstance(text, dt.datetime):
        return _aware(text, zone)
    if isinstance(text, dt.date):
        return dt.datetime.combine(text, dt.time(0), zone)
    value = unicodedata.normalize("NFKC", str(text)).strip()
    if not value:
        raise ParseError("empty", text)
    for pattern in formats or ():
        if pattern.lower() == "excel":
            if _PLAIN_NUMBER.fullmatch(value):
                return _excel(value, text, plausible=False).replace(tzinfo=zone)
            continue
        try:
            return _aware(dt.datetime.strptime(value, pattern), zone)
        except ValueError:
            continue
        except OverflowError:  # year 1 or 9999 moved into another zone
            raise ParseError("not a valid date (out of range)", text) from None
    try:
        return _aware(_parse_auto(value, dayfirst, text), zone)
    except OverflowError:
        raise ParseError("not a valid date (out of range)", text) from None


@functools.cache
def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ParameterError(
            f"time zone {tz!r} is not known; use an IANA name such as 'Asia/Tokyo' or 'UTC'"
        ) from None


def _aware(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


def _excel(value: str, text: object, *, plausible: bool) -> dt.datetime:
    """An Excel serial day number (days since 1899-12-30, fraction = time) as naive time."""
    serial = float(value)
    low, high = _EXCEL_PLAUSIBLE if plausible else (1.0, 2958466.0)
    if not low <= serial < high:
        raise ParseError("not a date (number out of the Excel date range)", text)
    moment = _EXCEL_EPOCH + dt.timedelta(days=serial)
    # Excel stores times as fractions of a day: round away float noise to the millisecond.
    micro = round(moment.microsecond / 1000) * 1000
    return moment.replace(microsecond=0) + dt.timedelta(microseconds=micro)


@functools.lru_cache(maxsize=65536)
def _parse_auto(value: str, dayfirst: bool, text: object) -> dt.datetime:
    """Parse one NFKC-normalised, stripped value (naive, or aware when it has an offset)."""
    lower = value.lower()
    if _PLAIN_NUMBER.fullmatch(lower):
        return _number_date(lower, text)
    match = _YMD.match(lower)
    if match:
        y, m, d = int(match["y"]), int(match["m"]), int(match["d"])
        return _with_time(y, m, d, lower[match.end() :], text)
    match = _NUMERIC.match(lower)
    if match:
        a, b, y = int(match["a"]), int(match["b"]), _year(match["y"])
        if a > 12 or (dayfirst and b <= 12):
            d, m = a, b
        else:
            m, d = a, b
        return _with_time(y, m, d, lower[match.end() :], text)
    for regex in (_DAY_MONTH, _MONTH_DAY):
        match = regex.match(lower)
        if match and match["mon"] in _MONTHS:
            y, m, d = int(match["y"]), _MONTHS[match["mon"]], int(match["d"])
            return _with_time(y, m, d, lower[match.end() :], text)
    raise ParseError("not a date", text)


def _number_date(value: str, text: object) -> dt.datetime:
    """A bare number: YYYYMMDD, Unix seconds or milliseconds, or a plausible Excel serial."""
    if re.fullmatch(r"\d{8}", value):
        return _checked(int(value[:4]), int(value[4:6]), int(value[6:]), text)
    if re.fullmatch(r"\d{10}|\d{13}", value):
        seconds = int(value) / (1000 if len(value) == 13 else 1)
        return dt.datetime.fromtimestamp(seconds, dt.UTC)
    return _excel(value, text, plausible=True)


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:  # strptime's %y convention
        year += 2000 if year < 69 else 1900
    return year


def _checked(
    y: int,
    m: int,
    d: int,
    text: object,
    hour: int = 0,
    minute: int = 0,
    second: int = 0,
    micro: int = 0,
) -> dt.datetime:
    try:
        return dt.datetime(y, m, d, hour, minute, second, micro)  # made aware by the caller
    except ValueError:
        raise ParseError("not a valid date", text) from None


def _with_time(y: int, m: int, d: int, rest: str, text: object) -> dt.datetime:
    """The date with the time and offset written in ``rest`` (the text after the date)."""
    rest = _WEEKDAY.sub("", rest.strip().lstrip(",").strip(), count=1).strip()
    if not rest:
        return _checked(y, m, d, text)
    hour = minute = second = micro = 0
    match = _TIME.match(rest)
    if match and (match["h"] or match["jh"]):
        hour = int(match["h"] or match["jh"])
        minute = int(match["mi"] or match["jmi"] or 0)
        second = int(match["s"] or match["js"] or 0)
        micro = int((match["f"] or "0")[:6].ljust(6, "0"))
        ampm = (match["ampm1"] or match["ampm2"] or "").replace(".", "")
        if ampm:
            if not 1 <= hour <= 12:
                raise ParseError("not a valid date (hour with AM/PM)", text)
            hour = hour % 12 + (12 if ampm in ("pm", "午後") else 0)
        rest = rest[match.end() :]
    zone = None
    if rest.strip():
        zmatch = _ZONE.fullmatch(rest)
        if not zmatch:
            raise ParseError("not a date", text)
        zone = _offset(zmatch["z"])
    moment = _checked(y, m, d, text, hour, minute, second, micro)
    return moment.replace(tzinfo=zone) if zone is not None else moment


def _offset(text: str) -> dt.tzinfo:
    if text in ("z", "utc", "gmt"):
        return dt.UTC
    if text == "jst":
        return dt.timezone(dt.timedelta(hours=9))
    body = re.sub(r"^(utc|gmt)", "", text)
    sign = -1 if body[0] == "-" else 1
    digits = body[1:].replace(":", "")
    hours = int(digits[:-2] if len(digits) > 2 else digits)
    minutes = int(digits[-2:]) if len(digits) > 2 else 0
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
