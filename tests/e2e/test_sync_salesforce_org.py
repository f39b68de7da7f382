"""A Salesforce org synced (through the command, the engine and the fake REST API of
``fake_salesforce.py``) against plain-pandas counts of the same records and against the same
leads imported from a lead report export; tombstones, merges, a full resync past the 15-day
deleted-records window, and a second sync that changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import responses
from fake_salesforce import INSTANCE_URL, FakeSalesforce, sf_time

from reviewkit.cli.main import main
from reviewkit.core.workspace import init_workspace

TOKEN = "planted-sf-org-token-81c2"
STANDARD = ("IsDeleted", "SystemModstamp", "CreatedDate", "Id")
LEAD_SOURCES = ("Web", "Advertisement", "Trade Show", "Partner Referral")


def query(ws, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(ws.store_path), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def cli(*args: str) -> tuple[int, str]:
    from reviewkit.cli.shared import err, out

    with out.capture() as o, err.capture() as e:
        code = main(list(args))
    return code, o.get() + e.get()


def build_org(fake: FakeSalesforce) -> dict[str, list[dict]]:
    rng = random.Random(3)
    start = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
    org: dict[str, list[dict]] = {"Lead": [], "Contact": [], "Opportunity": [], "Task": []}
    for i in range(30):
        created = start + dt.timedelta(hours=rng.randrange(0, 2400))
        lead = {"Id": f"00Q{i:015d}", "CreatedDate": sf_time(created), "Email": f"l{i}@x.example",
                "Company": f"Co {i % 7}", "LeadSource": rng.choice(LEAD_SOURCES),
                "Owner.Name": rng.choice(["Rep A", "Rep B"]), "ConvertedDate": None}  # fmt: skip
        if i % 4 == 0:
            lead["ConvertedDate"] = (created + dt.timedelta(days=9)).date().isoformat()
        org["Lead"].append(lead)
    for i in range(6):
        created = start + dt.timedelta(days=40 + i)
        org["Contact"].append({"Id": f"003{i:015d}", "CreatedDate": sf_time(created),
                               "Email": f"c{i}@x.example", "Account.Name": f"Acct {i}",
                               "LeadSource": "Web", "Owner.Name": "Rep A"})  # fmt: skip
    for i in range(4):
        created = start + dt.timedelta(days=50 + i)
        won = i % 2 == 0
        org["Opportunity"].append({
            "Id": f"006{i:015d}", "ContactId": f"003{i:015d}", "Amount": 1_000_000 * (i + 1),
            "CreatedDate": sf_time(created), "CloseDate": (created + dt.timedelta(days=20)).date()
            .isoformat() if won else None, "StageName": "Closed Won" if won else "Prospecting",
            "Owner.Name": "Rep B",
        })  # fmt: skip
    for i in range(10):
        done = sf_time(start + dt.timedelta(days=60, hours=i))
        org["Task"].append({"Id": f"00T{i:015d}", "WhoId": f"00Q{i:015d}", "TaskSubtype": "Call",
                            "CompletedDateTime": None, "Owner.Name": "Rep A",
                            "CreatedDate": done})  # fmt: skip
    for obj, records in org.items():
        fake.add(obj, *records)
    fake.set_fields("Event", [*STANDARD, "WhoId", "StartDateTime", "Owner.Name"])
    fake.set_fields("Campaign", [*STANDARD, "Name", "Type", "StartDate", "EndDate", "ActualCost"])
    fake.set_fields("CampaignMember", [*STANDARD, "LeadId", "ContactId", "FirstRespondedDate"])
    for opp in org["Opportunity"]:
        fake.add_stage_history(opp["Id"], "Prospecting", opp["CreatedDate"])
    return org


@pytest.fixture
def fake(monkeypatch, tmp_path):
    monkeypatch.setenv("REVIEWKIT_CREDENTIALS", str(tmp_path / "none.env"))
    for name in ("REFRESH_TOKEN", "CLIENT_ID", "CLIENT_SECRET", "LOGIN_URL"):
        monkeypatch.delenv(f"SALESFORCE_{name}", raising=False)
    monkeypatch.setenv("SALESFORCE_INSTANCE_URL", INSTANCE_URL)
    monkeypatch.setenv("SALESFORCE_ACCESS_TOKEN", TOKEN)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield FakeSalesforce(rsps, token=TOKEN, page_size=7)


def test_a_synced_org_matches_its_records_and_the_lead_report(fake, tmp_path):
    org = build_org(fake)
    ws = init_workspace(tmp_path / "ws")
    code, printed = cli("sync", "salesforce", "--workspace", str(ws.root))
    assert code == 0, printed
    leads = pd.DataFrame(org["Lead"] + org["Contact"])
    store = query(ws, "SELECT lead_id, channel, sales_team FROM leads ORDER BY 1")
    assert list(store["lead_id"]) == sorted(leads["Id"])
    channels = {"Web": "content_seo", "Advertisement": "paid_search", "Trade Show": "exhibition",
                "Partner Referral": "referral"}  # fmt: skip
    expected = leads.set_index("Id")["LeadSource"].map(channels).sort_index()
    assert list(store["channel"]) == list(expected)
    converted = sum(1 for lead in org["Lead"] if lead["ConvertedDate"])
    events = query(ws, "SELECT stage, count(*) AS n FROM stage_events GROUP BY 1")
    counts = dict(zip(events["stage"], events["n"], strict=True))
    # each converted lead, and each opportunity's contact, entered the opportunity stage
    assert counts["opportunity"] == converted + len(org["Opportunity"])
    assert counts["lead"] == len(leads)
    opps = query(ws, "SELECT sum(amount) AS total, count(*) FILTER (WHERE is_won) AS won "
                     "FROM opportunities")  # fmt: skip
    assert float(opps["total"][0]) == sum(o["Amount"] for o in org["Opportunity"])
    assert int(opps["won"][0]) == sum(o["StageName"] == "Closed Won" for o in org["Opportunity"])
    assert query(ws, "SELECT count(*) AS n FROM activities")["n"][0] == len(org["Task"])
    # the same leads from a lead report export: the same store rows
    report = tmp_path / "leads.csv"
    with report.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Lead ID", "Create Date", "Email", "Company / Account", "Lead Source",
                         "Lead Owner", "Converted Date"])  # fmt: skip
        for lead in org["Lead"]:
            created = dt.datetime.strptime(lead["CreatedDate"], "%Y-%m-%dT%H:%M:%S.000%z")
            local = created.astimezone(dt.timezone(dt.timedelta(hours=9)))
            writer.writerow([lead["Id"], local.strftime("%Y-%m-%d %H:%M"), lead["Email"],
                             lead["Company"], lead["LeadSource"], lead["Owner.Name"],
                             lead["ConvertedDate"] or ""])  # fmt: skip
    other = init_workspace(tmp_path / "imported")
    assert cli("import", str(report), "--profile", "salesforce-leads",
               "--workspace", str(other.root))[0] == 0  # fmt: skip
    lead_ids = "SELECT lead_id FROM leads WHERE lead_id LIKE '00Q%'"
    for sql in (f"SELECT * FROM leads WHERE lead_id IN ({lead_ids}) ORDER BY lead_id",
                f"SELECT * FROM stage_events WHERE lead_id IN ({lead_ids}) "
                "ORDER BY lead_id, stage"):  # fmt: skip
        pd.testing.assert_frame_equal(query(ws, sql), query(other, sql))
    # a second sync changes nothing
    before = query(ws, "SELECT * FROM leads ORDER BY lead_id")
    code, printed = cli("sync", "salesforce", "--workspace", str(ws.root))
    assert code == 0 and printed.count("追加 0、更新 0") == 7, printed  # the workspace is ja
    pd.testing.assert_frame_equal(query(ws, "SELECT * FROM leads ORDER BY lead_id"), before)


def test_tombstones_merges_and_a_resync_past_the_deleted_window(fake, tmp_path):
    org = build_org(fake)
    ws = init_workspace(tmp_path / "ws")
    assert cli("sync", "salesforce", "--workspace", str(ws.root))[0] == 0
    now = dt.datetime.now(dt.UTC)
    gone, loser, master = org["Lead"][1]["Id"], org["Lead"][2]["Id"], org["Lead"][3]["Id"]
    fake.delete("Lead", gone, at=now)
    fake.merge("Lead", loser, master, at=now)
    code, printed = cli("sync", "salesforce", "--object", "Lead", "--workspace", str(ws.root))
    assert code == 0 and "削除 1、統合 1" in printed, printed
    ids = set(query(ws, "SELECT lead_id FROM leads")["lead_id"])
    assert gone not in ids and loser not in ids and master in ids
    mapped = query(ws, "SELECT lead_id, person_key FROM identity_map ORDER BY 1")
    assert list(mapped["lead_id"]) == sorted([loser, master])
    assert mapped["person_key"].nunique() == 1
    # 20 days without a sync: the deleted-records window no longer covers the gap
    purged = org["Lead"][5]["Id"]
    fake.delete("Lead", purged, at=now, purge=True)
    con = duckdb.connect(str(ws.store_path))
    con.execute("UPDATE sync_state SET last_success = last_success - INTERVAL 20 DAY")
    con.close()
    code, printed = cli("sync", "salesforce", "--object", "Lead", "--workspace", str(ws.root))
    assert code == 0 and "15 日分" in printed and "削除 1" in printed, printed
    assert purged not in set(query(ws, "SELECT lead_id FROM leads")["lead_id"])
    code, printed = cli("sources", "--workspace", str(ws.root))
    assert code == 0 and "Lead" in printed and "Opportunity" in printed
    assert TOKEN not in printed
    for path in Path(ws.root).rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path
