"""The company's dated exchange rates (params/rates.yml): amounts in other currencies."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from builders import add_profile, do_import, make_ws, one_line, query, run_cli, write

from reviewkit.core.value_bounds import ValueBoundError
from reviewkit.errors import ConfigError
from reviewkit.model.exchange_rates import Rates, load_rates, rates_summary

RATES = """\
rates:
  - {currency: USD, from: 2026-01-01, rate: 150}
  - {currency: USD, from: 2026-10-01, rate: 155.5}
  - {currency: EUR, from: 2026-01-01, rate: "161.05"}
"""
DEALS_PROFILE = """\
source_system: crm
record: opportunities
id: [Deal]
columns: {created_at: Created, closed_at: Closed, stage: Stage, amount: Amount}
won: [Won]
lost: [Lost]
open: [Open]
"""
DEALS = """\
Deal,Created,Closed,Stage,Amount
D1,2026-08-01,2026-09-15,Won,"$22,700"
D2,2026-08-01,2026-10-15,Won,"USD 22,700"
D3,2026-08-01,2026-10-15,Won,"22,700 USD"
D4,2026-08-02,2026-10-16,Won,"1,000,000"
D5,2026-08-02,2026-10-16,Won,"EUR 1,000.10"
D6,2026-08-02,,Open,"$100"
D7,2025-06-01,2025-07-01,Won,"$100"
D8,2026-08-02,2026-10-16,Won,"GBP 100"
"""


def rates_file(ws, text: str = RATES) -> Path:
    return write(ws.params_dir / "rates.yml", text)


def test_rates_in_force_on_a_day():
    rates = Rates(
        currency="JPY",
        by_currency={"USD": ((dt.date(2026, 1, 1), Decimal(150)), (dt.date(2026, 10, 1),
                                                                    Decimal("155.5")))},
    )  # fmt: skip
    assert rates.rate_on("USD", dt.date(2025, 12, 31)) is None
    assert rates.rate_on("USD", dt.date(2026, 1, 1)) == 150
    assert rates.rate_on("USD", dt.date(2026, 9, 30)) == 150
    assert rates.rate_on("USD", dt.date(2026, 10, 1)) == Decimal("155.5")
    assert rates.rate_on("EUR", dt.date(2026, 10, 1)) is None
    # 22,700 x 155.5 by hand; 0.333 x 155.5 = 51.7815 -> 51.78 (half to even at the cent)
    assert rates.convert(Decimal(22700), "USD", dt.date(2026, 10, 2)) == Decimal("3529850.00")
    assert rates.convert(Decimal("0.333"), "USD", dt.date(2026, 10, 2)) == Decimal("51.78")
    with pytest.raises(ValueBoundError, match="its USD rates start on 2026-01-01"):
        rates.convert(Decimal(1), "USD", dt.date(2025, 5, 1))
    with pytest.raises(ValueBoundError, match="out of range after conversion from USD"):
        rates.convert(Decimal("9999999999999999"), "USD", dt.date(2026, 10, 2))


def test_load_rates_reads_the_file_and_validate_reports_it(tmp_path):
    ws = make_ws(tmp_path, "JPY")
    assert load_rates(ws.root, currency="JPY").by_currency == {}
    rates_file(ws)
    rates = load_rates(ws.root, currency="JPY")
    assert rates.by_currency["EUR"] == ((dt.date(2026, 1, 1), Decimal("161.05")),)
    assert rates_summary(rates) == "rates: USD (2 from 2026-01-01), EUR (1 from 2026-01-01)"
    result = run_cli("validate", "--workspace", str(ws.root))
    assert result.returncode == 0, result.stderr
    assert "rates: USD (2 from 2026-01-01), EUR (1 from 2026-01-01)" in result.stdout


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("rates:\n  - {currency: usd, from: 2026-01-01, rate: 150}\n", "capitals: USD"),
        ("rates:\n  - {currency: XYZ, from: 2026-01-01, rate: 150}\n", "'XYZ'"),
        ("rates:\n  - {currency: JPY, from: 2026-01-01, rate: 1}\n", "workspace's own"),
        ("rates:\n  - {currency: USD, from: 2026-01-01, rate: 0}\n", "positive number"),
        ("rates:\n  - {currency: USD, from: 2026-01-01, rate: -150}\n", "positive number"),
        ("rates:\n  - {currency: USD, from: 2026-01-01, rate: .inf}\n", "positive number"),
        ("rates:\n  - {currency: USD, from: 2026-01-01, rate: .nan}\n", "positive number"),
        ("rates:\n  - {currency: USD, from: 2026-01-01, rate: lots}\n", "not a number"),
        ("rates:\n  - {currency: USD, from: 2026-02-30, rate: 150}\n", "does not exist"),
        ("rates:\n  - {currency: USD, from: 1066-10-14, rate: 150}\n", "before 1900"),
        ("rates:\n  - {currency: USD, rate: 150}\n", "from is missing"),
        ("rates:\n  - {currency: USD, from: 2026-01-01, rate: 150}\n"
         "  - {currency: USD, from: 2026-01-01, rate: 151}\n", "first is on line 2"),
        ("rate:\n  - {currency: USD, from: 2026-01-01, rate: 150}\n", "not a known key"),
    ],
)  # fmt: skip
def test_a_bad_rates_file_is_one_line_naming_the_line(tmp_path, text, words):
    ws = make_ws(tmp_path, "JPY")
    rates_file(ws, text)
    with pytest.raises(ConfigError) as caught:
        load_rates(ws.root, currency="JPY")
    message = str(caught.value)
    assert "rates.yml:" in message and words in message and "\n" not in message, message
    result = run_cli("validate", "--workspace", str(ws.root))
    assert result.returncode == 2
    assert words in one_line(result.stderr)


def _reasons(ws) -> dict[str, tuple[str, str, str]]:
    rows = query(ws, "SELECT value, column_name, reason, row_number FROM quarantine ORDER BY 4")
    return {value: (column, reason) for value, column, reason, _ in rows}


def test_foreign_amounts_are_converted_at_the_rate_of_the_row_s_date(tmp_path):
    ws = make_ws(tmp_path, "JPY")
    add_profile(ws, "crm", DEALS_PROFILE)
    rates_file(ws)
    report = do_import(
        ws, write(tmp_path / "deals.csv", DEALS), "crm",
        rates=load_rates(ws.root, currency="JPY"),
    )  # fmt: skip
    rows = dict(
        (i, (a, c)) for i, a, c in query(ws, "SELECT opportunity_id, amount, currency FROM "
                                             "opportunities ORDER BY 1")
    )  # fmt: skip
    assert rows == {
        "D1": (Decimal("3405000.00"), "JPY"),  # 22,700 x 150 (closed before October)
        "D2": (Decimal("3529850.00"), "JPY"),  # 22,700 x 155.5
        "D3": (Decimal("3529850.00"), "JPY"),
        "D4": (Decimal("1000000.00"), "JPY"),  # already yen
        "D5": (Decimal("161066.10"), "JPY"),  # 1,000.10 x 161.05 = 161,066.105: half to even
        "D6": (Decimal("15000.00"), "JPY"),  # open: the creation date's rate
    }
    assert report.loaded == 6 and report.rejected == 2
    assert report.converted == {"USD": 4, "EUR": 1}
    assert report.line().endswith("; converted from other currencies 5 (EUR 1, USD 4)")
    reasons = _reasons(ws)
    assert reasons["$100"][0] == "Amount"
    assert "add a USD rate in force on the row's date to params/rates.yml (its USD rates start " \
        "on 2026-01-01)" in reasons["$100"][1]  # fmt: skip
    assert reasons["GBP 100"][1].startswith("currency GBP is not the workspace's JPY (add a GBP")


def test_without_rates_a_foreign_amount_is_held_back_never_summed(tmp_path):
    ws = make_ws(tmp_path, "JPY")
    add_profile(ws, "crm", DEALS_PROFILE)
    report = do_import(ws, write(tmp_path / "deals.csv", DEALS), "crm")
    assert report.loaded == 1  # D4, in yen
    assert report.reasons == {"currency USD is not the workspace's JPY": 5,
                              "currency EUR is not the workspace's JPY": 1,
                              "currency GBP is not the workspace's JPY": 1}  # fmt: skip
    assert query(ws, "SELECT DISTINCT currency FROM opportunities") == [("JPY",)]


def test_an_amount_naming_one_currency_in_a_row_whose_currency_says_another_is_held_back(
    tmp_path,
):
    ws = make_ws(tmp_path, "JPY")
    add_profile(ws, "crm", DEALS_PROFILE.replace("amount: Amount}", "amount: Amount, "
                                                 "currency: Currency}"))  # fmt: skip
    text = "Deal,Created,Closed,Stage,Amount,Currency\n" \
        'D1,2026-08-01,2026-09-15,Won,"$22,700",JPY\n' \
        'D2,2026-08-01,2026-09-15,Won,"22,700",JPY\n' \
        'D3,2026-08-01,2026-09-15,Won,"22,700",USD\n'  # fmt: skip
    rates_file(ws)
    report = do_import(
        ws, write(tmp_path / "deals.csv", text), "crm", rates=load_rates(ws.root, currency="JPY")
    )
    assert report.reasons == {"two currencies": 1}
    column, reason = _reasons(ws)["$22,700"]
    assert column == "Amount" and "the amount names USD, Currency says JPY" in reason
    assert query(ws, "SELECT opportunity_id, amount FROM opportunities ORDER BY 1") == [
        ("D2", Decimal("22700.00")), ("D3", Decimal("3405000.00")),
    ]  # fmt: skip


def test_campaign_costs_are_converted_at_their_start_date(tmp_path):
    ws = make_ws(tmp_path, "JPY")
    add_profile(ws, "ads", "source_system: marketing\nrecord: campaigns\nid: [Id]\n"
                "columns: {channel: Channel, start_date: Month, cost: Spend}\n")  # fmt: skip
    rates_file(ws)
    text = "Id,Channel,Month,Spend\nC1,ads,2026-09,$1000\nC1,ads,2026-10,$1000\nC2,ads,2025-09,$1\n"
    report = do_import(
        ws, write(tmp_path / "ads.csv", text), "ads", rates=load_rates(ws.root, currency="JPY")
    )
    assert report.loaded == 2 and report.rejected == 1 and report.converted == {"USD": 2}
    assert query(ws, "SELECT start_date, cost, currency FROM campaigns ORDER BY 1") == [
        (dt.date(2026, 9, 1), Decimal("150000.00"), "JPY"),
        (dt.date(2026, 10, 1), Decimal("155500.00"), "JPY"),
    ]


def test_a_rates_file_that_is_not_utf8_is_one_line(tmp_path):
    ws = make_ws(tmp_path, "JPY")
    (ws.params_dir / "rates.yml").write_bytes(
        "# 為替\nrates:\n  - {currency: USD, from: 2026-01-01, rate: 150}\n".encode("cp932")
    )
    with pytest.raises(ConfigError, match="not UTF-8 text; save it as UTF-8"):
        load_rates(ws.root, currency="JPY")


def test_a_euro_amount_with_a_decimal_comma_is_converted(tmp_path):
    ws = make_ws(tmp_path, "JPY")
    add_profile(ws, "crm", DEALS_PROFILE + 'decimal: ","\n')
    rates_file(ws)
    text = 'Deal,Created,Closed,Stage,Amount\nE1,2026-08-01,2026-10-15,Won,"€1.234,50"\n'
    report = do_import(
        ws, write(tmp_path / "deals.csv", text), "crm", rates=load_rates(ws.root, currency="JPY")
    )
    assert report.converted == {"EUR": 1}
    # 1,234.50 x 161.05 = 198,816.2250 -> 198,816.22 (half to even)
    assert query(ws, "SELECT amount, currency FROM opportunities") == [
        (Decimal("198816.22"), "JPY")
    ]


def test_a_rates_file_that_is_a_folder_is_named_not_taken_as_no_rates(tmp_path):
    (tmp_path / "params" / "rates.yml").mkdir(parents=True)
    with pytest.raises(ConfigError, match=r"rates\.yml: is a folder"):
        load_rates(tmp_path, currency="JPY")
