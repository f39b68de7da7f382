"""Bounds of imported values: amounts and scores the store keeps exactly, plausible dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from builders import one_line, run_cli

from reviewkit.core.value_bounds import (
    DateBounds,
    DatesConfig,
    ValueBoundError,
    check_amount,
    parse_days,
    parse_score,
)
from reviewkit.core.workspace import Workspace, init_workspace
from reviewkit.errors import ConfigError
from reviewkit.ingest.amounts import parse_amount
from reviewkit.ingest.parsing import ParseError, parse_datetime

NOW = dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        (Decimal("1234.5"), Decimal("1234.50")),
        (Decimal("22700"), Decimal("22700.00")),
        (Decimal("1.230"), Decimal("1.23")),  # a trailing zero is no precision lost
        (Decimal("9999999999999999.99"), Decimal("9999999999999999.99")),
        (Decimal("0"), Decimal("0.00")),
    ],
)
def test_amounts_the_store_keeps_come_back_exactly_with_two_decimals(value, kept):
    result = check_amount(value)
    assert result == kept and str(result) == str(kept)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (Decimal("99999999999999999"), "amount out of range"),
        (Decimal("10000000000000000"), "amount out of range"),
        (Decimal("1E+30"), "amount out of range"),
        (Decimal("-1E+30"), "amount out of range"),
        (Decimal("1.23456789012345678"), "amount has more than 2 decimals"),
        (Decimal("0.001"), "amount has more than 2 decimals"),
        (Decimal("Infinity"), "amount is not a finite number"),
        (Decimal("NaN"), "amount is not a finite number"),
    ],
)
def test_amounts_the_store_would_round_or_overflow_are_refused(value, reason):
    with pytest.raises(ValueBoundError, match=reason):
        check_amount(value)


@pytest.mark.parametrize("text", ["1e30", "1E+30", "99999999999999999999999999999兆", "1e5000"])
def test_huge_amounts_parse_without_an_unhandled_error(text):
    try:
        amount, _ = parse_amount(text)
    except ParseError as exc:  # a reason for the quarantine, not a crash
        assert "not an amount" in str(exc)
        return
    with pytest.raises(ValueBoundError, match="out of range"):
        check_amount(amount)


def test_an_exponent_amount_is_read_exactly():
    assert parse_amount("1e30")[0] == Decimal(10) ** 30
    assert parse_amount("1.5e3")[0] == Decimal(1500)


@pytest.mark.parametrize("text", ["inf", "-inf", "nan", "NaN", "Infinity", "12,34,5"])
def test_non_finite_and_misgrouped_amounts_are_not_amounts(text):
    with pytest.raises(ParseError, match="not an amount"):
        parse_amount(text)


@pytest.mark.parametrize(
    ("text", "decimal", "score"),
    [("85", ".", 85), ("+85", ".", 85), ("-3", ".", -3), ("85.0", ".", 85), ("85,0", ",", 85),
     ("８５", ".", 85), (" 7 ", ".", 7), ("2147483647", ".", 2**31 - 1),
     ("-2147483648", ".", -(2**31))],
)  # fmt: skip
def test_whole_scores_are_read(text, decimal, score):
    assert parse_score(text, decimal=decimal) == score


@pytest.mark.parametrize(
    ("text", "reason"),
    [("inf", "not a whole number"), ("-inf", "not a whole number"), ("nan", "not a whole number"),
     ("NaN", "not a whole number"), ("Infinity", "not a whole number"),
     ("1e30", "not a whole number"), ("85.5", "not a whole number"),
     ("1,234", "not a whole number"), ("", "not a whole number"),
     ("2147483648", "out of range"), ("-2147483649", "out of range"),
     ("99999999999999999999999", "out of range")],
)  # fmt: skip
def test_scores_the_store_cannot_keep_are_refused(text, reason):
    with pytest.raises(ValueBoundError, match=reason):
        parse_score(text)


def test_a_comma_score_with_a_dot_profile_is_not_silently_a_fraction():
    with pytest.raises(ValueBoundError):
        parse_score("85,5", decimal=".")
    with pytest.raises(ValueBoundError):
        parse_score("85,5", decimal=",")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("moment", "plan", "reason"),
    [
        ("1989-12-31", False, "implausible date (before 1990-01-01"),
        ("1900-01-01", False, "implausible date"),
        ("2026-12-09", False, "future date (later than the import date plus dates.latest"),
        ("2099-01-01", False, "future date"),
        ("2099-01-01", True, "implausible date (later than the import date plus dates.plan"),
        ("1989-12-31", True, "implausible date (before"),
    ],
)
def test_default_bounds_hold_back_implausible_dates(moment, plan, reason):
    problem = DateBounds().problem(at(moment), now=NOW, plan=plan)
    assert problem is not None and problem.startswith(reason), problem


@pytest.mark.parametrize(
    ("moment", "plan"),
    [("1990-01-01", False), ("2026-12-08", False), ("2030-06-30", True), ("2024-02-29", False)],
)
def test_default_bounds_keep_plausible_dates(moment, plan):
    assert DateBounds().problem(at(moment), now=NOW, plan=plan) is None


def test_configured_bounds_are_used():
    bounds = DatesConfig.model_validate(
        {"earliest": dt.date(2005, 4, 1), "latest_margin": "30d", "plan_margin": 400}
    ).bounds()
    assert bounds == DateBounds(dt.date(2005, 4, 1), dt.timedelta(30), dt.timedelta(400))
    assert bounds.problem(at("2005-03-31"), now=NOW) is not None
    assert bounds.problem(at("2027-01-05"), now=NOW) is None
    assert "dates.latest_margin 30d" in bounds.problem(at("2027-01-07"), now=NOW)


@pytest.mark.parametrize(
    ("value", "message"),
    [("30 days", "not a number of days"), ("-1d", "not a number of days"),
     ("99999999d", "not a number of days"), (99999, "out of range"), ("1w", "not a number")],
)  # fmt: skip
def test_margins_are_days_within_a_century(value, message):
    with pytest.raises(ValueError, match=message):
        parse_days(value, key="latest_margin")


def _workspace_with(tmp_path, dates: str) -> Workspace:
    ws = init_workspace(tmp_path / "ws")
    path = ws.params_dir / "workspace.yml"
    path.write_text(path.read_text(encoding="utf-8") + dates, encoding="utf-8")
    return Workspace(ws.root)


def test_the_workspace_reads_dates(tmp_path):
    ws = _workspace_with(tmp_path, "dates: {earliest: 2010-01-01, latest_margin: 3d}\n")
    assert ws.config.dates.bounds() == DateBounds(
        dt.date(2010, 1, 1), dt.timedelta(3), dt.timedelta(3660)
    )


@pytest.mark.parametrize(
    ("dates", "words"),
    [
        ("dates: {earliest: 1800-01-01}\n", "dates.earliest"),
        ("dates: {earliest: 2999-01-01}\n", "in the future"),
        ("dates: {latest_margin: 30 days}\n", "dates.latest_margin"),
        ("dates: {latest_margin: 30d, plan_margin: 2d}\n", "plan_margin is shorter"),
        ("dates: {earliest: soon}\n", "dates.earliest"),
        ("dates: {earliest: 2026-02-30}\n", "does not exist"),
        ("dates: {latest: 2d}\n", "dates.latest"),
    ],
)
def test_a_bad_dates_key_is_one_line_naming_it(tmp_path, dates, words):
    with pytest.raises(ConfigError, match=r"workspace\.yml") as caught:
        _workspace_with(tmp_path, dates)
    assert words in str(caught.value), caught.value
    assert "\n" not in str(caught.value)


def test_validate_refuses_a_bad_dates_key_in_one_line(tmp_path):
    ws = _workspace_with(tmp_path, "")
    path = ws.params_dir / "workspace.yml"
    path.write_text(
        path.read_text(encoding="utf-8") + "dates: {latest_margin: soon}\n", encoding="utf-8"
    )
    result = run_cli("validate", "--workspace", str(ws.root))
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert "dates.latest_margin" in line and "30d" in line, line


@pytest.mark.parametrize(
    "text", ["0001-01-01T00:00:00+09:00", "9999-12-31T23:00:00-05:00", "9999-12-31 23:59 utc"]
)
def test_dates_at_the_ends_of_the_calendar_are_parse_errors_not_crashes(text):
    with pytest.raises(ParseError, match="not a valid date"):
        parse_datetime(text, tz="Asia/Tokyo")
