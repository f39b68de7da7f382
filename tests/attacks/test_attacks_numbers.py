"""Attacks with bad numbers and dates: each one is a row problem, never a file crash.

Each attack writes a small export in the layout of the zoo company's own (``exports/`` of the
usa workspace: Salesforce leads and opportunities, US dates, dollar amounts) with one bad row
among three good ones, imports it with ``reviewkit import``, and checks: exit 0 and nothing
unexpected; the bad row in ``quarantine`` with its file column, its value and the reason; the
good rows loaded; and nothing else changed (every row the store had is still there, the tables
an import does not write are identical, and only the good rows were added).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml
from attack_harness import Attack, assert_clean_exit, attack_workspace, params, run_cli

#: The tables an import of leads or opportunities writes (everything else stays identical).
WRITTEN = {"leads", "opportunities", "stage_events", "lead_identity", "imports", "quarantine"}


@dataclass(frozen=True)
class Bad:
    """One bad value: the attack, the file (leads or opportunities), column, value, reason."""

    attack: Attack
    kind: str  # "leads" or "opportunities"
    column: str
    value: str
    reason: str  # the start of the quarantine reason
    profile_extra: dict[str, object] | None = None
    workspace_extra: str = ""  # appended to params/workspace.yml
    rates: bool = False  # write params/rates.yml (RATES)


def _bad(id_: str, cls: str, kind: str, column: str, value: str, reason: str, what: str,
         **extra: object) -> Bad:  # fmt: skip
    return Bad(Attack(id_, cls, "quarantined", what), kind, column, value, reason, **extra)


YMD = {"date_formats": ["%Y-%m-%d"]}
BADS = [
    # scores (a leads file whose profile maps a Score column)
    _bad("numbers-score-inf", "numbers", "leads", "Score", "inf", "score is not a whole number",
         "a score of inf"),
    _bad("numbers-score-minus-inf", "numbers", "leads", "Score", "-inf",
         "score is not a whole number", "a score of -inf"),
    _bad("numbers-score-nan", "numbers", "leads", "Score", "nan", "score is not a whole number",
         "a score of nan"),
    _bad("numbers-score-NaN", "numbers", "leads", "Score", "NaN", "score is not a whole number",
         "a score of NaN"),
    _bad("numbers-score-Infinity", "numbers", "leads", "Score", "Infinity",
         "score is not a whole number", "a score of Infinity"),
    _bad("numbers-score-1e30", "numbers", "leads", "Score", "1e30", "score is not a whole number",
         "a score of 1e30"),
    _bad("numbers-score-minus-1e30", "numbers", "leads", "Score", "-1e30",
         "score is not a whole number", "a score of -1e30"),
    _bad("numbers-score-beyond-integer", "numbers", "leads", "Score", "2147483648",
         "score out of range", "a score one past the store's INTEGER"),
    _bad("numbers-score-fraction", "numbers", "leads", "Score", "85.5",
         "score is not a whole number", "a fractional score (never silently rounded)"),
    # amounts (a Salesforce opportunities file in a dollar workspace)
    _bad("numbers-amount-1e30", "numbers", "opportunities", "Amount", "1e30",
         "amount out of range", "an amount of 1e30"),
    _bad("numbers-amount-17-digits", "numbers", "opportunities", "Amount", "99999999999999999",
         "amount out of range", "an amount beyond DECIMAL(18, 2)"),
    _bad("numbers-amount-negative", "numbers", "opportunities", "Amount", "-5",
         "negative amount", "a negative amount"),
    _bad("numbers-amount-too-precise", "numbers", "opportunities", "Amount",
         "1.23456789012345678", "amount has more than 2 decimals",
         "an amount with more decimals than the store keeps"),
    _bad("numbers-amount-indian-grouping", "numbers", "opportunities", "Amount", "12,34,5",
         "unparseable amount", "misgrouped thousands"),
    _bad("numbers-amount-decimal-comma", "numbers", "opportunities", "Amount", "1.234.567,89",
         "unparseable amount", "a decimal-comma amount in a dot-decimal profile"),
    _bad("numbers-amount-inf", "numbers", "opportunities", "Amount", "inf",
         "unparseable amount", "an amount of inf"),
    _bad("numbers-amount-NaN", "numbers", "opportunities", "Amount", "NaN",
         "unparseable amount", "an amount of NaN"),
    _bad("numbers-amount-euro-decimal-comma", "numbers", "opportunities", "Amount", "€1.234,50",
         "unparseable amount", "a euro amount with a decimal comma in a dot profile"),
    _bad("numbers-currency-without-rate", "numbers", "opportunities", "Amount", "EUR 1,234.50",
         "currency EUR is not the workspace's USD (add a EUR rate",
         "an amount in euros in a dollar workspace without params/rates.yml"),
    _bad("numbers-currency-yen-without-rate", "numbers", "opportunities", "Amount",
         "¥1,234,000", "currency JPY is not the workspace's USD",
         "an amount in yen in a dollar workspace without params/rates.yml"),
    _bad("numbers-currency-before-first-rate", "numbers", "opportunities", "Amount",
         "1,234.50 EUR", "currency EUR is not the workspace's USD",
         "a euro amount dated before the first EUR rate",
         rates=True),
    # dates
    _bad("dates-1900", "dates", "leads", "Create Date", "1900-01-01", "implausible date",
         "a lead created in 1900"),
    _bad("dates-year-1", "dates", "leads", "Create Date", "0001-01-01", "implausible date",
         "a lead created in year 1"),
    _bad("dates-year-1-with-offset", "dates", "leads", "Create Date",
         "0001-01-01T00:00:00+09:00", "unparseable date", "year 1 moved across time zones"),
    _bad("dates-9999", "dates", "leads", "Create Date", "9999-12-31", "future date",
         "a lead created on 9999-12-31"),
    _bad("dates-2099", "dates", "leads", "Create Date", "2099-01-01", "future date",
         "a lead created in 2099"),
    _bad("dates-feb-30", "dates", "leads", "Create Date", "2026-02-30", "unparseable date",
         "a day that does not exist"),
    _bad("dates-dmy-in-ymd-profile", "dates", "leads", "Create Date", "13/31/2025",
         "unparseable date", "a D/M/Y value that fits no layout in a Y-M-D profile",
         profile_extra=YMD),
    _bad("dates-empty", "dates", "leads", "Create Date", "", "missing creation date",
         "an empty creation date"),
    _bad("dates-whitespace", "dates", "leads", "Create Date", "   ",
         "missing creation date", "a creation date of spaces"),
    _bad("dates-epoch-seconds-2100", "dates", "leads", "Create Date", "4102444800",
         "future date", "epoch seconds of 2100"),
    _bad("dates-close-9999", "dates", "opportunities", "Close Date", "12/31/9999",
         "implausible date", "a won deal closed on 9999-12-31"),
    _bad("dates-before-configured-earliest", "dates", "leads", "Create Date", "6/1/2024",
         "implausible date (before 2025-01-01: dates.earliest",
         "a date before the workspace's dates.earliest",
         workspace_extra="dates: {earliest: 2025-01-01}\n"),
]  # fmt: skip

WORKS = [
    Attack("numbers-currency-with-rate", "numbers", "works",
           "a euro amount converted with the rate in force in params/rates.yml"),
    Attack("dates-epoch-seconds-plausible", "dates", "works",
           "epoch seconds of 2023-11-14 read as that instant"),
]  # fmt: skip

ATTACKS: list[Attack] = [b.attack for b in BADS] + WORKS

RATES = """\
rates:
  - {currency: EUR, from: 2024-01-01, rate: 1.1}
  - {currency: EUR, from: 2025-01-01, rate: 1.05}
"""


def _rows(path: Path, n: int = 4) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        return header, [next(reader) for _ in range(n)]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def _leads(ws: Path, bad: Bad | None, value: str | None = None) -> list[str]:
    """``exports/attack_leads.csv``: four leads with a Score, the second one bad."""
    header, rows = _rows(ws / "exports" / "salesforce_leads.csv")
    header = [*header, "Score"]
    ids = [f"00QATTACK{i:06d}" for i in range(len(rows))]
    ymd = bad is not None and bad.profile_extra == YMD
    for i, row in enumerate(rows):
        row[header.index("Lead ID")] = ids[i]
        row[header.index("Email")] = f"attack{i}@example.com"
        created = f"2025-02-0{i + 1}" if ymd else f"2/{i + 1}/2025 10:00 AM"
        row[header.index("Create Date")] = created
        row.append(str(40 + i))
    if bad is not None:
        rows[1][header.index(bad.column)] = bad.value
    elif value is not None:
        rows[1][header.index("Create Date")] = value
    _write(ws / "exports" / "attack_leads.csv", header, rows)
    profile = yaml.safe_load((ws / "params/sources/sf-leads.yml").read_text(encoding="utf-8"))
    profile["columns"]["score"] = "Score"
    profile.update((bad.profile_extra if bad else None) or {})
    text = yaml.safe_dump(profile, allow_unicode=True, sort_keys=False)
    (ws / "params/sources/attack-leads.yml").write_text(text, encoding="utf-8")
    return ids


def _opportunities(ws: Path, column: str, value: str) -> list[str]:
    """``exports/attack_opportunities.csv``: four won deals, the second one bad."""
    header, rows = _rows(ws / "exports" / "salesforce_opportunities.csv", 20)
    rows = [r for r in rows if r[header.index("Stage")] == "Closed Won"][:4]
    ids = [f"006ATTACK{i:06d}" for i in range(len(rows))]
    for i, row in enumerate(rows):
        row[header.index("Opportunity ID")] = ids[i]
        row[header.index("Created Date")] = "2/15/2025 11:28 PM"
        row[header.index("Close Date")] = "4/8/2025"
    rows[1][header.index(column)] = value
    if value == "1,234.50 EUR":  # dated before the first EUR rate
        rows[1][header.index("Created Date")] = "2/15/2023 9:00 AM"
        rows[1][header.index("Close Date")] = "4/8/2023"
    _write(ws / "exports" / "attack_opportunities.csv", header, rows)
    return ids


def _table(ws: Path) -> dict[str, Counter[tuple[object, ...]]]:
    con = duckdb.connect(str(ws / "data" / "reviewkit.duckdb"), read_only=True)
    try:
        names = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                           "WHERE table_schema = 'main'").fetchall()]  # fmt: skip
        # as text: a TIMESTAMPTZ fetched as Python needs pytz
        return {
            n: Counter(con.execute(f'SELECT COLUMNS(*)::VARCHAR FROM "{n}"').fetchall())
            for n in names
        }
    finally:
        con.close()


def _import(ws: Path, kind: str) -> str:
    profile = "attack-leads" if kind == "leads" else "sf-opportunities"
    result = run_cli("import", f"exports/attack_{kind}.csv", "--profile", profile, cwd=ws)
    assert_clean_exit(result)
    assert "read 4" in result.stdout, result.stdout
    return result.stdout


def _only_added(before: dict[str, Counter], after: dict[str, Counter]) -> None:
    """Every row the store had is still there; tables an import does not write are equal."""
    assert set(before) == set(after)
    for name, rows in before.items():
        assert not rows - after[name], f"{name}: rows changed or removed"
        if name not in WRITTEN:
            assert rows == after[name], f"{name} changed"


def _ids(ws: Path, kind: str) -> set[str]:
    key = "lead_id" if kind == "leads" else "opportunity_id"
    con = duckdb.connect(str(ws / "data" / "reviewkit.duckdb"), read_only=True)
    try:
        return {r[0] for r in con.execute(f"SELECT {key} FROM {kind} WHERE {key} LIKE '%ATTACK%'")
                .fetchall()}  # fmt: skip
    finally:
        con.close()


@pytest.mark.parametrize("bad", [pytest.param(b, id=b.attack.id) for b in BADS])
def test_a_bad_value_quarantines_its_row_and_the_others_load(bad, tmp_path, tmp_path_factory):
    ws = attack_workspace(tmp_path, tmp_path_factory)
    if bad.workspace_extra:
        config = ws / "params" / "workspace.yml"
        config.write_text(config.read_text(encoding="utf-8") + bad.workspace_extra, "utf-8")
    if bad.rates:
        (ws / "params" / "rates.yml").write_text(RATES, encoding="utf-8")
    ids = _leads(ws, bad) if bad.kind == "leads" else _opportunities(ws, bad.column, bad.value)
    before = _table(ws)
    _import(ws, bad.kind)
    after = _table(ws)
    _only_added(before, after)
    added = after["quarantine"] - before["quarantine"]
    assert sum(added.values()) == 1, added
    ((_, file_name, _, column, value, reason, record_id),) = added
    assert record_id is None  # a file row has no CRM record id
    assert file_name == f"attack_{bad.kind}.csv"
    assert column == bad.column, (column, reason)
    assert (value or "") == bad.value.strip(), value  # the reader trims cells
    assert reason.startswith(bad.reason), reason
    assert _ids(ws, bad.kind) == {ids[0], ids[2], ids[3]}
    assert sum((after[bad.kind] - before[bad.kind]).values()) == 3


def _attack(attack_id: str) -> Attack:
    return next(a for a in ATTACKS if a.id == attack_id)


@pytest.mark.parametrize("attack", params([_attack("numbers-currency-with-rate")]))
def test_a_foreign_amount_with_a_rate_is_converted(attack, tmp_path, tmp_path_factory):
    ws = attack_workspace(tmp_path, tmp_path_factory)
    (ws / "params" / "rates.yml").write_text(RATES, encoding="utf-8")
    ids = _opportunities(ws, "Amount", "EUR 1,234.50")
    before = _table(ws)
    line = _import(ws, "opportunities")
    assert "loaded 4, updated 0, unchanged 0, rejected 0; converted from other currencies 1 " \
        "(EUR 1)" in line  # fmt: skip
    after = _table(ws)
    _only_added(before, after)
    assert after["quarantine"] == before["quarantine"]
    con = duckdb.connect(str(ws / "data" / "reviewkit.duckdb"), read_only=True)
    try:
        amount, currency = con.execute(
            "SELECT amount, currency FROM opportunities WHERE opportunity_id = ?", [ids[1]]
        ).fetchone()
    finally:
        con.close()
    # closed 2025-04-08: the rate from 2025-01-01, 1.05; 1,234.50 x 1.05 = 1,296.225 -> .22
    assert (amount, currency) == (Decimal("1296.22"), "USD")
    assert _ids(ws, "opportunities") == set(ids)


@pytest.mark.parametrize("attack", params([_attack("dates-epoch-seconds-plausible")]))
def test_plausible_epoch_seconds_are_read_as_that_instant(attack, tmp_path, tmp_path_factory):
    ws = attack_workspace(tmp_path, tmp_path_factory)
    ids = _leads(ws, None, value="1700000000")
    before = _table(ws)
    _import(ws, "leads")
    after = _table(ws)
    _only_added(before, after)
    assert after["quarantine"] == before["quarantine"]
    con = duckdb.connect(str(ws / "data" / "reviewkit.duckdb"), read_only=True)
    try:
        (epoch,) = con.execute(
            "SELECT epoch(created_at) FROM leads WHERE lead_id = ?", [ids[1]]
        ).fetchone()
    finally:
        con.close()
    assert epoch == 1700000000
    assert _ids(ws, "leads") == set(ids)


def test_every_attack_of_this_file_is_run():
    run = {b.attack.id for b in BADS} | {"numbers-currency-with-rate",
                                         "dates-epoch-seconds-plausible"}  # fmt: skip
    assert run == {a.id for a in ATTACKS}
    assert len(ATTACKS) >= 18
    assert {a.cls for a in ATTACKS} == {"numbers", "dates"}
