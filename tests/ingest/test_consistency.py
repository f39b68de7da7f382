"""Stage dates that contradict each other across files and systems: found, counted, shown."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from builders import run_cli

from reviewkit.analysis.quality import data_quality
from reviewkit.core.workspace import init_workspace
from reviewkit.ingest.consistency import consistency_problems
from reviewkit.ingest.importer import import_file
from reviewkit.ingest.profile import load_profile
from reviewkit.model.definitions import load_definitions
from reviewkit.present.sections.consistency import consistency_lines
from reviewkit.present.sections.meeting import quality_html
from reviewkit.store.schema import connect

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)

# the MA's leads: creation (= the lead stage) and the SQL date
MA = """\
Id,Created,SQL
P1,2026-09-10 10:00,2026-09-20
P2,2026-09-10 10:00,
P3,2026-09-10 10:00,
P4,2026-09-10 10:00,
P5,2026-09-10 10:00,
"""
# the SFA's deals on those leads
DEALS = """\
Deal,Lead,Created,Closed,Stage
O1,P1,2026-09-15,2026-09-18,Won
O2,P2,2026-09-01,2026-09-05,Won
O4,P4,2026-09-12,2026-09-20,Won
O5,P5,2026-09-10,,Open
"""
# a won-deals file that records only the won stage
WON = "Deal,Lead,Created,Closed\nO3,P3,2026-08-20,2026-08-25\n"

PROFILES = {
    "ma": "source_system: ma\nrecord: leads\nid: [Id]\ncolumns: {created_at: Created}\n"
    "stages: {lead: Created, sql: SQL}\n",
    "deals": "source_system: sfa\nrecord: opportunities\nid: [Deal]\n"
    "columns: {lead_id: Lead, created_at: Created, closed_at: Closed, stage: Stage}\n"
    "won: [Won]\nopen: [Open]\n",
    "won-only": "source_system: sfa\nrecord: opportunities\nid: [Deal]\n"
    "columns: {lead_id: Lead, created_at: Created, closed_at: Closed}\n"
    "defaults: {stage: Won}\nwon: [Won]\nopportunity_stage: null\n",
}


@pytest.fixture
def ws(tmp_path):
    ws = init_workspace(tmp_path / "ws")
    (ws.params_dir / "sources").mkdir(exist_ok=True)
    for name, text in PROFILES.items():
        (ws.params_dir / "sources" / f"{name}.yml").write_text(text, encoding="utf-8")
    for name, text in (("ma.csv", MA), ("deals.csv", DEALS), ("won.csv", WON)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    return ws


def do_import(ws, path: Path, profile: str):
    con = connect(ws.store_path, timezone=ws.config.timezone)
    try:
        return import_file(
            con, path, load_profile(profile, workspace=ws), definitions=load_definitions(ws),
            timezone=ws.config.timezone, now=NOW,
        )  # fmt: skip
    finally:
        con.close()


def load_all(ws, tmp_path):
    for file, profile in (("ma.csv", "ma"), ("deals.csv", "deals"), ("won.csv", "won-only")):
        report = do_import(ws, tmp_path / file, profile)
        assert report.rejected == 0, report.line()
    return report


def test_the_contradictions_are_counted_with_example_ids(ws, tmp_path):
    report = load_all(ws, tmp_path)
    found = report.consistency.set_index("problem")
    # P3 won on 25 Aug, before its first record (10 Sep) and before any earlier stage
    assert found.loc["last_stage_before_first_contact", "stage"] == "won"
    assert found.loc["last_stage_before_first_contact", "count"] == 1
    assert found.loc["last_stage_before_first_contact", "examples"] == ["P3"]
    # O2 (1 Sep) and O3 (20 Aug) were created before their leads (10 Sep); O5 the same day
    assert found.loc["opportunity_before_lead", "count"] == 2
    assert found.loc["opportunity_before_lead", "examples"] == ["O2", "O3"]
    # P1's opportunity (15 Sep) before its SQL (20 Sep); P2's (1 Sep) before its lead (10 Sep)
    row = found.loc["stage_out_of_order"]
    assert (row["stage"], row["earlier"], row["count"], row["examples"]) == (
        "opportunity", ["lead", "sql"], 2, ["P1", "P2"],
    )  # fmt: skip
    # the rows stay loaded: they are real data
    con = connect(ws.store_path, read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM opportunities").fetchone() == (4 + 1,)
    finally:
        con.close()


def test_consistent_data_has_no_problem(ws, tmp_path):
    report = do_import(ws, tmp_path / "ma.csv", "ma")
    assert report.consistency.empty
    deals = DEALS.replace("2026-09-01,2026-09-05", "2026-09-11,2026-09-15").replace(
        "O1,P1,2026-09-15", "O1,P1,2026-09-16"
    )
    (tmp_path / "ok.csv").write_text(
        deals.replace("2026-09-16,2026-09-18", "2026-09-21,2026-09-25")
    )
    assert do_import(ws, tmp_path / "ok.csv", "deals").consistency.empty


def test_the_sample_company_is_consistent(sample_con, sample_workspace):
    problems = consistency_problems(
        sample_con, definitions=load_definitions(sample_workspace), timezone="Asia/Tokyo"
    )
    assert problems.empty


def test_ids_that_are_e_mail_addresses_are_never_shown(con):
    from reviewkit.model.definitions import load_definitions as load

    definitions = load(Path(__file__).parents[2] / "params" / "definitions.yml")
    con.execute(
        "INSERT INTO leads (lead_id, source_system, created_at) VALUES "
        "('taro@example.com', 'ma', '2026-09-10'), ('L2', 'ma', '2026-09-10')"
    )
    con.execute(
        "INSERT INTO stage_events VALUES ('taro@example.com', 'won', '2026-09-01', 'sfa'), "
        "('L2', 'won', '2026-09-02', 'sfa')"
    )
    problems = consistency_problems(con, definitions=definitions, timezone="Asia/Tokyo")
    assert problems["count"].tolist() == [2]
    assert problems["examples"].tolist() == [["L2"]]


def test_each_problem_is_one_line_in_both_languages(ws, tmp_path):
    report = load_all(ws, tmp_path)
    definitions = load_definitions(ws)
    en = consistency_lines(report.consistency, definitions=definitions, lang="en")
    assert en == [
        "Won before the person's first contact (their first record or an earlier stage): "
        "1 person (e.g. P3)",
        "Opportunities created before their lead: 2 (e.g. O2, O3)",
        "Opportunity entered before Lead or SQL: 2 people (e.g. P1, P2)",
    ]
    ja = consistency_lines(report.consistency, definitions=definitions, lang="ja")
    assert ja[2] == "リード・SQLより前に商談: 2人（例: P1, P2）"


def test_the_data_quality_block_lists_them_and_says_nothing_without_them(ws, tmp_path):
    definitions = load_definitions(ws)
    do_import(ws, tmp_path / "ma.csv", "ma")
    con = connect(ws.store_path, read_only=True, timezone=ws.config.timezone)
    try:
        clean = data_quality(con, timezone=ws.config.timezone, definitions=definitions)
    finally:
        con.close()
    assert "rk-consistency" not in quality_html(clean, lang="en", definitions=definitions).html
    load_all(ws, tmp_path)
    con = connect(ws.store_path, read_only=True, timezone=ws.config.timezone)
    try:
        quality = data_quality(con, timezone=ws.config.timezone, definitions=definitions)
    finally:
        con.close()
    for lang in ("en", "ja"):
        html = quality_html(quality, lang=lang, definitions=definitions).html
        assert html.count("<li>") == 3
        assert "O2, O3" in html
    assert isinstance(quality.consistency, pd.DataFrame) and len(quality.consistency) == 3


def test_the_import_command_warns_with_counts_and_examples(ws, tmp_path):
    args = ["--workspace", str(ws.root)]
    run_cli("import", str(tmp_path / "ma.csv"), "--profile", "ma", *args)
    result = run_cli("import", str(tmp_path / "deals.csv"), "--profile", "deals", *args)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stdout.splitlines() if line.startswith("warning: ")]
    # the sample workspace's language is Japanese
    assert warnings == [
        "warning: リードの作成より前に作成された商談: 1件（例: O2）",
        "warning: リード・SQLより前に商談: 2人（例: P1, P2）",
    ]
