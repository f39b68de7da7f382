"""parsing: dates as exports write them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from reviewkit.errors import DataError, ParameterError
from reviewkit.ingest.parsing import (
    ParseError,
    parse_datetime,
)

TOKYO = ZoneInfo("Asia/Tokyo")
UTC = dt.UTC


def tokyo(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TOKYO)


# --- parse_datetime --------------------------------------------------------------------------

DATES = [
    ("2026-11-23", tokyo(2026, 11, 23)),
    ("2026-11-23 10:00", tokyo(2026, 11, 23, 10, 0)),
    ("2026-11-23 10:05:30", tokyo(2026, 11, 23, 10, 5, 30)),
    ("2026-11-23T10:00:00", tokyo(2026, 11, 23, 10, 0)),
    ("2026-11-23T01:00:00Z", tokyo(2026, 11, 23, 10, 0)),
    ("2026-11-23T10:00:00+09:00", tokyo(2026, 11, 23, 10, 0)),
    ("2026-11-23T10:00:00+0900", tokyo(2026, 11, 23, 10, 0)),
    ("2026-11-23 10:00:00+09", tokyo(2026, 11, 23, 10, 0)),  # DuckDB's TIMESTAMPTZ text
    ("2026-11-22T20:00:00-05:00", tokyo(2026, 11, 23, 10, 0)),
    ("2026-11-23T10:00:00.250+09:00", tokyo(2026, 11, 23, 10, 0, 0, 250000)),
    ("2026-11-23 01:00 UTC", tokyo(2026, 11, 23, 10, 0)),
    ("2026-1-5", tokyo(2026, 1, 5)),
    ("2026/11/23", tokyo(2026, 11, 23)),
    ("2026/11/23 10:05", tokyo(2026, 11, 23, 10, 5)),
    ("2026/11/23 10:05:30", tokyo(2026, 11, 23, 10, 5, 30)),
    ("2026/11/23(月)", tokyo(2026, 11, 23)),
    ("2026/11/23 午後3:05", tokyo(2026, 11, 23, 15, 5)),
    ("2026.11.23", tokyo(2026, 11, 23)),
    ("2026年11月23日", tokyo(2026, 11, 23)),
    ("2026年1月5日", tokyo(2026, 1, 5)),
    ("2026年11月23日 10時05分", tokyo(2026, 11, 23, 10, 5)),
    ("2026年11月23日10時05分30秒", tokyo(2026, 11, 23, 10, 5, 30)),
    ("2026年11月23日 10時", tokyo(2026, 11, 23, 10, 0)),
    ("2026年11月23日 10:05", tokyo(2026, 11, 23, 10, 5)),
    ("２０２６／１１／２３", tokyo(2026, 11, 23)),  # full-width
    ("15 Apr, 2021 00:03:00", tokyo(2021, 4, 15, 0, 3)),  # Zoho
    ("15 Apr 2021", tokyo(2021, 4, 15)),
    ("15-Apr-2021", tokyo(2021, 4, 15)),
    ("Apr 15, 2021", tokyo(2021, 4, 15)),
    ("April 15, 2021 3:05 PM", tokyo(2021, 4, 15, 15, 5)),
    ("Sept 1, 2026 12:00 AM", tokyo(2026, 9, 1, 0, 0)),
    ("Wed, 15 Apr 2021 01:00:00 +0000", tokyo(2021, 4, 15, 10, 0)),
    ("12/31/2026", tokyo(2026, 12, 31)),
    ("1/2/2026", tokyo(2026, 1, 2)),  # US: January 2
    ("03/04/2026", tokyo(2026, 3, 4)),  # ambiguous: month first
    ("31/12/2026", tokyo(2026, 12, 31)),  # first number > 12: day first
    ("12/31/2026 11:59 PM", tokyo(2026, 12, 31, 23, 59)),
    ("12/31/26", tokyo(2026, 12, 31)),
    ("20261123", tokyo(2026, 11, 23)),
    ("46349", tokyo(2026, 11, 23)),  # Excel serial
    ("46349.4375", tokyo(2026, 11, 23, 10, 30)),
    ("1795392000", tokyo(2026, 11, 23, 9, 0)),  # Unix seconds
    ("1795392000000", tokyo(2026, 11, 23, 9, 0)),  # Unix milliseconds
    ("  2026-11-23\u3000", tokyo(2026, 11, 23)),
]


@pytest.mark.parametrize(("text", "expected"), DATES)
def test_parse_datetime(text, expected):
    result = parse_datetime(text, tz="Asia/Tokyo")
    assert result == expected
    assert result.utcoffset() == expected.utcoffset()
    assert result.tzinfo is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("03/04/2026", tokyo(2026, 4, 3)),
        ("31/12/2026", tokyo(2026, 12, 31)),
        ("12/31/2026", tokyo(2026, 12, 31)),  # second number > 12: month first anyway
        ("23.11.2026 10:00", tokyo(2026, 11, 23, 10, 0)),
    ],
)
def test_parse_datetime_dayfirst(text, expected):
    assert parse_datetime(text, tz="Asia/Tokyo", dayfirst=True) == expected


def test_parse_datetime_naive_values_get_tz():
    result = parse_datetime("2026-11-23 10:00", tz="America/New_York")
    assert result == dt.datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    assert result.tzinfo == ZoneInfo("America/New_York")


def test_parse_datetime_offsets_are_kept_as_instants_in_tz():
    result = parse_datetime("2026-11-23T10:00:00Z", tz="America/New_York")
    assert result == dt.datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    assert result.tzinfo == ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("text", "formats", "expected"),
    [
        ("23.11.2026", ["%d.%m.%Y"], tokyo(2026, 11, 23)),
        ("11-23-2026 10h05", ["%Y", "%m-%d-%Y %Hh%M"], tokyo(2026, 11, 23, 10, 5)),
        ("2026-11-23T01:00:00+0000", ["%Y-%m-%dT%H:%M:%S%z"], tokyo(2026, 11, 23, 10, 0)),
        ("45000", ["excel"], tokyo(2023, 3, 15)),
        ("100", ["excel"], tokyo(1900, 4, 9)),  # explicit: any positive serial
        ("2026/11/23", ["%d.%m.%Y"], tokyo(2026, 11, 23)),  # falls back to the automatic ones
        ("2026/11/23", ["excel"], tokyo(2026, 11, 23)),
    ],
)
def test_parse_datetime_explicit_formats_first(text, formats, expected):
    assert parse_datetime(text, formats=formats, tz="Asia/Tokyo") == expected


def test_parse_datetime_passes_dates_through():
    assert parse_datetime(dt.date(2026, 11, 23), tz="Asia/Tokyo") == tokyo(2026, 11, 23)
    aware = dt.datetime(2026, 11, 23, 1, tzinfo=UTC)
    assert parse_datetime(aware, tz="Asia/Tokyo") == tokyo(2026, 11, 23, 10)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (None, "empty"),
        ("", "empty"),
        ("  \u3000", "empty"),
        ("hello", "not a date"),
        ("2026-11-23 xx", "not a date"),
        ("Foo 15, 2021", "not a date"),
        ("2026-02-30", "not a valid date"),
        ("2026-13-01", "not a valid date"),
        ("13/13/2026", "not a valid date"),
        ("2026-11-23 25:00", "not a valid date"),
        ("2026-11-23 13:00 PM", "not a valid date (hour with AM/PM)"),
        ("12345", "not a date (number out of the Excel date range)"),
        ("-5", "not a date (number out of the Excel date range)"),
    ],
)
def test_parse_datetime_errors(text, reason):
    with pytest.raises(ParseError) as exc:
        parse_datetime(text, tz="Asia/Tokyo")
    assert str(exc.value) == reason
    assert exc.value.value == text


def test_parse_error_is_a_value_error_and_a_data_error():
    assert issubclass(ParseError, ValueError)
    assert issubclass(ParseError, DataError)


def test_parse_datetime_unknown_tz():
    with pytest.raises(ParameterError, match="time zone 'Mars/Base' is not known"):
        parse_datetime("2026-11-23", tz="Mars/Base")
