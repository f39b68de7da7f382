"""Import rules across files: the workspace's currency, decimal commas, won-only deal files,
and profiles that would move records to another source system."""

from __future__ import annotations

import datetime as dt
import textwrap
from decimal import Decimal

import pytest
from builders import add_profile, do_import, make_ws, one_line, query, run_cli, write

from reviewkit.errors import ConfigError
from reviewkit.ingest.amounts import parse_amount

GERMAN = """\
Verkaufschance,Erstellt,Abschluss,Phase,Betrag
V1,01.09.2026,15.10.2026,Gewonnen,"1.234,56 €"
V2,02.09.2026,20.10.2026,Verloren,"12.000,00 €"
V3,03.09.2026,,Offen,"999,5"
V4,04.09.2026,21.10.2026,Gewonnen,"1.000,00 $"
V5,05.09.2026,22.10.2026,Gewonnen,"1,234.56"
"""
GERMAN_PROFILE = """\
source_system: crm
record: opportunities
id: [Verkaufschance]
columns: {created_at: Erstellt, closed_at: Abschluss, stage: Phase, amount: Betrag}
won: [Gewonnen]
lost: [Verloren]
open: [Offen]
dayfirst: true
decimal: ","
"""


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("1.234,56 €", ",", (Decimal("1234.56"), "EUR")),
        ("€ 1.234,56", ",", (Decimal("1234.56"), "EUR")),
        ("1.234,56€", ",", (Decimal("1234.56"), "EUR")),
        ("R$ 1.234,56", ",", (Decimal("1234.56"), "BRL")),
        ("R$1.234.567,8", ",", (Decimal("1234567.8"), "BRL")),
        ("1 234,56", ",", (Decimal("1234.56"), None)),
        ("999,5", ",", (Decimal("999.5"), None)),
        ("1.234", ",", (Decimal("1234"), None)),
        ("-1.234,56 €", ",", (Decimal("-1234.56"), "EUR")),
        ("EUR 1.234,56", ",", (Decimal("1234.56"), "EUR")),
        ("R$ 1,234.56", ".", (Decimal("1234.56"), "BRL")),
        ("1,234.56 €", ".", (Decimal("1234.56"), "EUR")),
        ("€1,234.56", ".", (Decimal("1234.56"), "EUR")),
        ("₩1,200,000", ".", (Decimal("1200000"), "KRW")),
        ("₹ 12,500", ".", (Decimal("12500"), "INR")),
        ("1,000 BRL", ".", (Decimal("1000"), "BRL")),
        ("£250", ".", (Decimal("250"), "GBP")),
    ],
)
def test_amounts_with_symbols_before_or_after_and_a_decimal_comma(text, decimal, expected):
    assert parse_amount(text, decimal=decimal) == expected


@pytest.mark.parametrize("text", ["1,234.56", "12.34", "1.23.456,7", "1.2345,6"])
def test_a_decimal_comma_profile_refuses_point_decimals_rather_than_misread_them(text):
    with pytest.raises(ValueError, match="not an amount"):
        parse_amount(text, decimal=",")


def test_a_german_export_in_a_euro_workspace(tmp_path):
    ws = make_ws(tmp_path, "EUR")
    add_profile(ws, "crm", GERMAN_PROFILE)
    report = do_import(ws, write(tmp_path / "deals.csv", GERMAN), "crm")
    # V4 names dollars: held back with the fix; V5 is written with a decimal point
    assert (report.loaded, report.rejected) == (3, 2)
    assert report.reasons == {
        "currency USD is not the workspace's EUR": 1, "unparseable amount": 1,
    }  # fmt: skip
    rows = query(ws, "SELECT opportunity_id, amount, currency, is_won, "
                     "CAST(timezone('Asia/Tokyo', closed_at) AS DATE) FROM opportunities "
                     "ORDER BY 1")  # fmt: skip
    assert rows == [
        ("V1", Decimal("1234.56"), "EUR", True, dt.date(2026, 10, 15)),
        ("V2", Decimal("12000.00"), "EUR", False, dt.date(2026, 10, 20)),
        ("V3", Decimal("999.50"), "EUR", None, None),
    ]
    (reason,) = query(ws, "SELECT reason FROM quarantine WHERE value = '1.000,00 $'")[0]
    assert "set currency: USD in params/workspace.yml" in reason
    assert "convert the amounts to EUR before importing" in reason


def test_a_profile_currency_other_than_the_workspace_s_holds_every_row_back(tmp_path):
    ws = make_ws(tmp_path, "USD")
    add_profile(ws, "crm", GERMAN_PROFILE + "currency: EUR\n")
    text = GERMAN.replace('"1.000,00 $"', '"1.000,00"').replace('"1,234.56"', '"2,00"')
    report = do_import(ws, write(tmp_path / "deals.csv", text), "crm")
    assert report.loaded == 0
    # the amounts that name € and those the profile declares EUR alike
    assert report.reasons == {"currency EUR is not the workspace's USD": 5}
    assert "currency EUR is not the workspace's USD 5" in report.line()


def test_the_cli_counts_rows_in_another_currency_in_the_file_line(tmp_path):
    ws = make_ws(tmp_path, "EUR")
    add_profile(ws, "crm", GERMAN_PROFILE)
    path = write(tmp_path / "deals.csv", GERMAN)
    result = run_cli("import", str(path), "--profile", "crm", "--workspace", str(ws.root))
    assert result.returncode == 0, result.stderr
    assert "除外 2（currency USD is not the workspace's EUR 1、unparseable amount 1）" in (
        result.stdout
    )  # the line is in the workspace's language (ja)


def test_a_won_deals_file_without_a_stage_column(tmp_path):
    ws = make_ws(tmp_path, "USD")
    add_profile(
        ws,
        "won-deals",
        textwrap.dedent(
            """\
            source_system: crm
            record: opportunities
            id: [Deal]
            columns: {created_at: Created, closed_at: Won on, amount: Amount}
            defaults: {stage: Won}   # every row of this file is a won deal
            won: [Won]
            """
        ),
    )
    text = (
        "Deal,Created,Won on,Amount\nD1,2026-09-01,2026-10-01,100\nD2,2026-09-05,2026-10-03,250\n"
    )
    report = do_import(ws, write(tmp_path / "won.csv", text), "won-deals")
    assert (report.loaded, report.rejected) == (2, 0)
    assert query(ws, "SELECT count(*), sum(amount), bool_and(is_won), min(stage) "
                     "FROM opportunities") == [(2, Decimal("350.00"), True, "Won")]  # fmt: skip
    assert query(ws, "SELECT stage, count(*) FROM stage_events GROUP BY 1 ORDER BY 1") == [
        ("opportunity", 2),
        ("won", 2),
    ]


LEADS = "Id,Created\n1,2026-09-01\n2,2026-09-02\n3,2026-09-03\n"


def test_a_second_profile_with_other_source_system_is_refused_and_writes_nothing(tmp_path):
    ws = make_ws(tmp_path, "JPY")
    add_profile(
        ws, "ma", "source_system: ma\nrecord: leads\nid: [Id]\ncolumns: {created_at: Created}\n"
    )
    add_profile(
        ws, "crm", "source_system: crm\nrecord: leads\nid: [Id]\ncolumns: {created_at: Created}\n"
    )
    do_import(ws, write(tmp_path / "a.csv", LEADS), "ma")
    before = query(ws, "SELECT (SELECT count(*) FROM imports), (SELECT count(*) FROM leads)")
    other = write(tmp_path / "b.csv", LEADS + "4,2026-09-04\n")
    with pytest.raises(ConfigError) as info:
        do_import(ws, other, "crm")
    message = str(info.value)
    assert "\n" not in message
    assert "profile 'crm' (source_system: crm): 3 of its leads" in message
    assert "(ma: 3)" in message and "source_system: ma" in message and "--move-source" in message
    assert query(ws, "SELECT (SELECT count(*) FROM imports), (SELECT count(*) FROM leads)") == (
        before
    )
    assert query(ws, "SELECT DISTINCT source_system FROM leads") == [("ma",)]
    # on purpose: moved, and the new lead added
    report = do_import(ws, other, "crm", move_source=True)
    assert (report.loaded, report.updated) == (1, 3)
    assert query(ws, "SELECT source_system, count(*) FROM leads GROUP BY 1") == [("crm", 4)]


def test_the_cli_refuses_in_one_line_and_moves_with_the_flag(tmp_path):
    ws = make_ws(tmp_path, "JPY")
    add_profile(
        ws, "ma", "source_system: ma\nrecord: leads\nid: [Id]\ncolumns: {created_at: Created}\n"
    )
    add_profile(
        ws, "crm", "source_system: crm\nrecord: leads\nid: [Id]\ncolumns: {created_at: Created}\n"
    )
    path = write(tmp_path / "a.csv", LEADS)
    args = ["--workspace", str(ws.root)]
    assert run_cli("import", str(path), "--profile", "ma", *args).returncode == 0
    refused = run_cli("import", str(path), "--profile", "crm", *args)
    assert refused.returncode == 2
    assert "3 of its leads already belong to another source system" in one_line(refused.stderr)
    dry = run_cli("import", str(path), "--profile", "crm", "--dry-run", *args)
    assert dry.returncode == 2  # a dry run says so too
    moved = run_cli("import", str(path), "--profile", "crm", "--move-source", *args)
    assert moved.returncode == 0, moved.stderr
    assert "更新 3" in moved.stdout


def test_leads_made_from_opportunities_are_checked_too(tmp_path):
    ws = make_ws(tmp_path, "JPY")
    add_profile(
        ws, "ma", "source_system: ma\nrecord: leads\nid: [Id]\ncolumns: {created_at: Created}\n"
    )
    add_profile(
        ws, "deals",
        "source_system: sfa\nrecord: opportunities\nid: [Deal]\n"
        "columns: {created_at: Created, lead_id: Lead}\nlead_columns: {company_name: Company}\n",
    )  # fmt: skip
    do_import(ws, write(tmp_path / "a.csv", LEADS), "ma")
    deals = "Deal,Lead,Created,Company\nD1,1,2026-09-10,Acme\nD2,9,2026-09-11,Beta\n"
    with pytest.raises(ConfigError, match=r"1 of its leads already belong .*\(ma: 1\)"):
        do_import(ws, write(tmp_path / "d.csv", deals), "deals")
    assert query(ws, "SELECT count(*) FROM opportunities") == [(0,)]
