"""`reviewkit import`: profiles, quarantine, idempotence, one transaction, real data."""

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from builders import REPO, SHARED, in_ci, one_line, run_cli

from reviewkit.core.workspace import init_workspace
from reviewkit.errors import DataError
from reviewkit.ingest.importer import import_file
from reviewkit.ingest.profile import load_profile
from reviewkit.model.definitions import load_definitions
from reviewkit.store.schema import connect

MAVEN = SHARED / "datasets" / "maven_crm"

HUBSPOT = """\
Record ID,First Name,Last Name,Email,Create Date,Lifecycle Stage,Original Source,\
Became a Lead Date,Became a Marketing Qualified Lead Date,Became a Sales Qualified Lead Date,\
Became an Opportunity Date,Became a Customer Date,Contact owner
101,Aiko,Sato,aiko@alpha.co.jp,2026-09-01 10:00,lead,Paid Search,2026-09-01 10:00,,,,,Team A
102,Ben,Ito,ben@beta.co.jp,2026-09-02 11:00,opportunity,Organic Search,2026-09-02 11:00,\
2026-09-03 09:00,2026-09-05 09:00,2026-09-20 09:00,,Team B
103,Chie,Kato,chie@gamma.co.jp,2026/09/03,lead,Referrals,2026/09/03,,,,,Team A
104,Dai,Mori,dai@delta.co.jp,not a date,lead,Paid Search,,,,,,Team C
,Eri,Abe,eri@eps.co.jp,2026-09-04,lead,Paid Search,2026-09-04,,,,,Team C
106,Fumi,Oda,fumi@zeta.co.jp,2026-09-05,sql,Paid Search,2026-09-05,2026-09-08,2026-09-06,,,Team A
107,Gen,Ueda,gen@eta.co.jp,2099-01-01,lead,Paid Search,2099-01-01,,,,,Team A
"""

SALESFORCE = """\
"Opportunity report"
"As of 2026/11/23"
"Opportunity Owner","Account Name","Opportunity Name","Stage","Amount","Close Date",\
"Created Date","Opportunity ID"
"Team A","Alpha","Alpha renewal","Closed Won","¥1,200,000","2026/10/15","2026/09/20","006A1"
"Team B","Beta","Beta new","Closed Lost","¥800,000","2026/10/20","2026/09/25","006B1"
"Team B","Gamma","Gamma new","Proposal","¥500,000","2026/12/20","2026/10/01","006C1"
"Team C","Delta","Delta bad","Closed Won","-¥100","2026/10/20","2026/10/01","006D1"

"Confidential Information - Do Not Distribute"
"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."
"""


@pytest.fixture
def ws(tmp_path):
    return init_workspace(tmp_path / "ws")


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def do_import(ws, path, profile, **kwargs):
    con = connect(ws.store_path, timezone=ws.config.timezone)
    try:
        return import_file(
            con, path, load_profile(profile, workspace=ws), definitions=load_definitions(ws),
            timezone=ws.config.timezone, **kwargs,
        )  # fmt: skip
    finally:
        con.close()


def query(ws, sql):
    con = duckdb.connect(str(ws.store_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


LEADS_AS_TEXT = (
    "SELECT * REPLACE (CAST(created_at AS VARCHAR) AS created_at) FROM leads ORDER BY lead_id"
)


def snapshot(ws) -> dict[str, int]:
    tables = ["leads", "stage_events", "opportunities", "lead_identity", "quarantine", "imports"]
    return {t: query(ws, f"SELECT count(*) FROM {t}")[0][0] for t in tables}


def test_hubspot_contacts_load_and_quarantine_with_reasons(ws, tmp_path):
    report = do_import(ws, write(tmp_path / "contacts.csv", HUBSPOT), "hubspot-contacts")
    assert (report.rows_read, report.loaded, report.updated, report.rejected) == (7, 3, 0, 4)
    assert report.reasons == {"unparseable date": 1, "missing id": 1, "future date": 1,
                              "stage dates out of order": 1}  # fmt: skip
    rows = query(ws, "SELECT row_number, column_name, value, reason FROM quarantine ORDER BY 1")
    assert rows[0][:3] == (5, "Create Date", "not a date")
    assert rows[1][2:] == (None, "missing id")
    # mapped values and stage events
    leads = dict(query(ws, "SELECT lead_id, channel FROM leads"))
    assert leads == {"101": "paid_search", "102": "content_seo", "103": "referral"}
    stages = query(ws, "SELECT stage FROM stage_events WHERE lead_id = '102' ORDER BY entered_at")
    assert [s for (s,) in stages] == ["lead", "mql", "sql", "opportunity"]


def test_the_same_file_twice_changes_nothing(ws, tmp_path):
    path = write(tmp_path / "contacts.csv", HUBSPOT)
    do_import(ws, path, "hubspot-contacts")
    before = snapshot(ws)
    data = query(ws, LEADS_AS_TEXT)
    again = do_import(ws, path, "hubspot-contacts")
    assert (again.loaded, again.updated, again.unchanged) == (0, 0, 3)
    after = snapshot(ws)
    assert {k: v for k, v in after.items() if k not in ("imports", "quarantine")} == {
        k: v for k, v in before.items() if k not in ("imports", "quarantine")
    }
    assert query(ws, LEADS_AS_TEXT) == data
    assert after["imports"] == before["imports"] + 1  # every import is logged


def test_a_newer_export_updates_advanced_records(ws, tmp_path):
    do_import(ws, write(tmp_path / "v1.csv", HUBSPOT), "hubspot-contacts")
    newer = HUBSPOT.replace(
        "101,Aiko,Sato,aiko@alpha.co.jp,2026-09-01 10:00,lead,Paid Search,2026-09-01 10:00,,,,,",
        "101,Aiko,Sato,aiko@alpha.co.jp,2026-09-01 10:00,sql,Paid Search,2026-09-01 10:00,,"
        "2026-10-02 09:00,,,",
    )
    assert newer != HUBSPOT
    report = do_import(ws, write(tmp_path / "v2.csv", newer), "hubspot-contacts")
    assert (report.loaded, report.updated, report.unchanged) == (0, 1, 2)
    assert query(ws, "SELECT count(*) FROM leads")[0][0] == 3
    assert query(ws, "SELECT stage FROM stage_events WHERE lead_id = '101' ORDER BY 1") == [
        ("lead",),
        ("sql",),
    ]


def test_salesforce_report_with_titles_and_footer(ws, tmp_path):
    report = do_import(ws, write(tmp_path / "opps.csv", SALESFORCE), "salesforce-opportunities")
    assert (report.rows_read, report.loaded, report.rejected) == (4, 3, 1)
    assert report.reasons == {"negative amount": 1}
    won = query(ws, "SELECT opportunity_id, amount, is_won FROM opportunities ORDER BY 1")
    assert won == [("006A1", 1_200_000, True), ("006B1", 800_000, False), ("006C1", 500_000, None)]
    # an open deal's planned close date is not a close
    assert query(ws, "SELECT closed_at IS NULL FROM opportunities WHERE opportunity_id='006C1'")[
        0
    ] == (True,)


def test_cp932_file_with_japanese_headers_through_a_workspace_profile(ws, tmp_path):
    profile = textwrap.dedent(
        """\
        source_system: ma
        record: leads
        id: [リードID]
        columns:
          created_at: 作成日
          channel: 流入元
        values:
          channel: {リスティング広告: paid_search, 展示会: exhibition}
        stages:
          lead: 作成日
          opportunity: 商談化日
        """
    )
    (ws.params_dir / "sources").mkdir(exist_ok=True)
    (ws.params_dir / "sources" / "ma-jp.yml").write_text(profile, encoding="utf-8")
    text = (
        "リードID,作成日,流入元,商談化日\n"
        "L1,2026年9月1日,リスティング広告,2026年10月1日\n"
        "L2,2026/09/02,展示会,\n"
    )
    report = do_import(ws, write(tmp_path / "leads.csv", text, "cp932"), "ma-jp")
    assert (report.loaded, report.rejected) == (2, 0)
    assert dict(query(ws, "SELECT lead_id, channel FROM leads")) == {
        "L1": "paid_search",
        "L2": "exhibition",
    }


def test_a_file_level_problem_loads_nothing(ws, tmp_path):
    do_import(ws, write(tmp_path / "contacts.csv", HUBSPOT), "hubspot-contacts")
    before = snapshot(ws)
    with pytest.raises(DataError, match=r"missing column.*choose another --profile"):
        do_import(ws, write(tmp_path / "opps.csv", SALESFORCE), "hubspot-contacts")
    assert snapshot(ws) == before


def test_dry_run_writes_nothing(ws, tmp_path):
    report = do_import(
        ws, write(tmp_path / "contacts.csv", HUBSPOT), "hubspot-contacts", dry_run=True
    )
    assert report.loaded == 3 and "would load 3" in report.line()
    assert snapshot(ws) == dict.fromkeys(snapshot(ws), 0)


def test_killed_during_the_import_leaves_the_store_as_it_was(ws, tmp_path):
    do_import(ws, write(tmp_path / "contacts.csv", HUBSPOT), "hubspot-contacts")
    before = snapshot(ws)
    opps = write(tmp_path / "opps.csv", SALESFORCE)
    script = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        import reviewkit.ingest.importer as importer
        from reviewkit.model.definitions import load_definitions
        from reviewkit.ingest.profile import load_profile
        from reviewkit.store.schema import connect
        from reviewkit.core.workspace import find_workspace

        def die(con):  # inside the transaction, after the rows are written
            os.kill(os.getpid(), signal.SIGKILL)

        importer.rebuild_identity_table = die
        ws = find_workspace({str(ws.root)!r})
        con = connect(ws.store_path, timezone=ws.config.timezone)
        importer.import_file(con, Path({str(opps)!r}),
                             load_profile("salesforce-opportunities", workspace=ws),
                             definitions=load_definitions(ws), timezone=ws.config.timezone)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert result.returncode == -9, result.stderr
    assert snapshot(ws) == before


def test_cli_reports_one_line_per_file_and_refuses_bad_input_in_one_line(ws, tmp_path):
    path = write(tmp_path / "contacts.csv", HUBSPOT)
    ok = run_cli("import", str(path), "--profile", "hubspot-contacts", "--workspace", str(ws.root))
    assert ok.returncode == 0, ok.stderr
    # the line is in the workspace's language (ja here)
    assert "contacts.csv [hubspot-contacts]: 読み込み 7行、追加 3、更新 0、変更なし 0、除外 4" in (
        ok.stdout
    )
    bad = run_cli("import", str(path), "--profile", "nope", "--workspace", str(ws.root))
    assert bad.returncode == 2 and "no such profile" in one_line(bad.stderr)
    empty = write(tmp_path / "empty.csv", "")
    refused = run_cli(
        "import", str(empty), "--profile", "hubspot-contacts", "--workspace", str(ws.root)
    )
    assert refused.returncode == 2 and "empty.csv" in one_line(refused.stderr)


def test_maven_crm_through_the_example_mapping(ws, tmp_path):
    if not MAVEN.is_dir():
        if in_ci():
            pytest.fail(f"the Maven CRM data set is missing: expected it in {MAVEN}")
        pytest.skip("the Maven CRM data set is not here")
    report = do_import(ws, MAVEN / "sales_pipeline.csv", "maven-crm-pipeline")
    raw = pd.read_csv(MAVEN / "sales_pipeline.csv")
    engaged = raw[raw["engage_date"].notna()]
    assert report.rows_read == len(raw)
    assert report.loaded == len(engaged)
    assert report.reasons == {"missing creation date": len(raw) - len(engaged)}
    stages = dict(query(ws, "SELECT stage, count(*) FROM stage_events GROUP BY 1"))
    # each deal makes its lead (lead_columns), which enters the funnel's first stage with it
    assert stages == {
        "lead": len(engaged),
        "opportunity": len(engaged),
        "won": int((raw["deal_stage"] == "Won").sum()),
    }
    won = raw[raw["deal_stage"] == "Won"]
    closed = raw[raw["deal_stage"].isin(["Won", "Lost"])]
    revenue, rate = query(
        ws,
        "SELECT sum(amount) FILTER (WHERE is_won), "
        "count(*) FILTER (WHERE is_won) / count(*) FILTER (WHERE is_won IS NOT NULL) "
        "FROM opportunities",
    )[0]
    assert revenue == won["close_value"].sum()
    assert rate == pytest.approx(len(won) / len(closed))
    # joined attributes: sector from accounts, manager from sales_teams
    teams = pd.read_csv(MAVEN / "sales_teams.csv")
    expected = engaged.merge(teams, on="sales_agent")["manager"].value_counts().to_dict()
    got = dict(query(ws, "SELECT sales_team, count(*) FROM leads GROUP BY 1"))
    assert got == expected
    assert REPO.joinpath("params/sources/examples/maven-crm-pipeline.yml").is_file()


@pytest.mark.integration
def test_packs_render_from_imports_without_personal_data(ws, tmp_path):
    from reviewkit.pack.runner import run_pack

    contacts = HUBSPOT.replace(",Contact owner\n", ",Contact owner,Phone Number\n", 1)
    contacts = contacts.replace(",Team A\n", ",Team A,03-1234-5678\n")
    write(tmp_path / "contacts.csv", contacts)
    write(tmp_path / "opps.csv", SALESFORCE)
    for file, profile in (
        ("contacts.csv", "hubspot-contacts"),
        ("opps.csv", "salesforce-opportunities"),
    ):
        result = run_cli(
            "import", str(tmp_path / file), "--profile", profile, "--workspace", str(ws.root)
        )
        assert result.returncode == 0, result.stderr
    pack = run_pack("monthly", as_of="2026-11-01", workspace=ws.root, output_dir=tmp_path / "out")
    html = pack.pack.read_text(encoding="utf-8")
    assert 'data-period="2026-10"' in html
    visible = html[: html.index("window.vegaEmbed=")] if "window.vegaEmbed=" in html else html
    assert not re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", visible), "an e-mail address reached the pack"
    assert not re.findall(r"\b0\d{1,4}-\d{1,4}-\d{4}\b", visible), "a phone number reached the pack"
    # the data quality block reports what was held back
    assert "future date" in html and "unparseable date" in html


def test_emails_are_stored_only_as_matching_keys(ws, tmp_path):
    from reviewkit.ingest.contacts import email_hash

    do_import(ws, write(tmp_path / "contacts.csv", HUBSPOT), "hubspot-contacts")
    rows = dict(query(ws, "SELECT lead_id, email_hash FROM leads WHERE email IS NULL"))
    assert rows == {
        "101": email_hash("aiko@alpha.co.jp"),
        "102": email_hash("ben@beta.co.jp"),
        "103": email_hash("chie@gamma.co.jp"),
    }
    # the same person from the SFA side (another case and padding) is merged by the hash
    sfa = write(
        tmp_path / "sf.csv", "Lead ID,Email,Create Date\nS1, AIKO@Alpha.co.jp ,2026-09-10\n"
    )
    do_import(ws, sfa, "salesforce-leads")
    assert query(ws, "SELECT person_id FROM lead_identity WHERE lead_id = 'S1'") == [("101",)]


def test_hubspot_deals_with_bom_and_dollar_amounts(ws):
    import datetime as dt

    path = REPO / "tests" / "fixtures" / "imports" / "hubspot_deals_bom.csv"
    report = do_import(ws, path, "hubspot-deals", now=dt.datetime(2027, 1, 15, tzinfo=dt.UTC))
    assert report.rejected == 0 and report.loaded == report.rows_read
    deals = dict(query(ws, "SELECT opportunity_id, lead_id FROM opportunities"))
    assert deals["9001"] == "1001"  # the first associated contact is the deal's lead
    won = query(
        ws, "SELECT amount, currency, is_won FROM opportunities WHERE opportunity_id='9001'"
    )
    assert won == [(22_700.00, "USD", True)]
    events = query(ws, "SELECT stage FROM stage_events WHERE lead_id = '1001' ORDER BY entered_at")
    assert events == [("opportunity",), ("won",)]


def test_an_unknown_stage_value_is_quarantined_when_the_open_stages_are_listed(ws, tmp_path):
    (ws.params_dir / "sources").mkdir(exist_ok=True)
    (ws.params_dir / "sources" / "deals.yml").write_text(
        "source_system: sfa\nrecord: opportunities\nid: [ID]\n"
        "columns: {created_at: Created, closed_at: Closed, stage: Stage, amount: Amount}\n"
        "won: [Won]\nlost: [Lost]\nopen: [Open]\n",
        encoding="utf-8",
    )
    text = (
        "ID,Created,Closed,Stage,Amount\n"
        "D1,2026-09-01,2026-10-01,Won,100\n"
        "D2,2026-09-01,,Open,100\n"
        "D3,2026-09-01,,Pending legal,100\n"
    )
    report = do_import(ws, write(tmp_path / "deals.csv", text), "deals")
    assert (report.loaded, report.reasons) == (2, {"unknown stage value": 1})
    assert query(ws, "SELECT row_number, column_name, value FROM quarantine") == [
        (4, "Stage", "Pending legal")
    ]


def test_the_cli_says_what_was_merged(ws, tmp_path):
    write(tmp_path / "contacts.csv", HUBSPOT)
    write(tmp_path / "sf.csv", "Lead ID,Email,Create Date\nS1, AIKO@Alpha.co.jp ,2026-09-10\n")
    run_cli("import", str(tmp_path / "contacts.csv"), "--profile", "hubspot-contacts",
            "--workspace", str(ws.root))  # fmt: skip
    result = run_cli(
        "import", str(tmp_path / "sf.csv"), "--profile", "salesforce-leads",
        "--workspace", str(ws.root),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "identity: records 4, persons 3, merged records 1" in result.stdout


def test_the_identity_command_lists_merges(ws, tmp_path):
    write(tmp_path / "contacts.csv", HUBSPOT)
    write(tmp_path / "sf.csv", "Lead ID,Email,Create Date\nS1, AIKO@Alpha.co.jp ,2026-09-10\n")
    for file, profile in (("contacts.csv", "hubspot-contacts"), ("sf.csv", "salesforce-leads")):
        run_cli("import", str(tmp_path / file), "--profile", profile, "--workspace", str(ws.root))
    result = run_cli("identity", "--workspace", str(ws.root))
    assert result.returncode == 0, result.stderr
    assert "merges (1)" in result.stdout and "S1" in result.stdout and "101" in result.stdout
    assert "@" not in result.stdout  # matching keys, never addresses
