"""Importing campaign costs and touches: counts and sums against pandas, quarantine, idempotence."""

from __future__ import annotations

import datetime as dt
import io
import re
import textwrap
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from builders import REPO, run_cli

from reviewkit.core.workspace import init_workspace
from reviewkit.errors import ConfigError
from reviewkit.ingest.importer import import_file
from reviewkit.ingest.profile import load_profile
from reviewkit.model.definitions import load_definitions
from reviewkit.store.schema import connect

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)

CAMPAIGNS = """\
Campaign,Campaign name,Channel,Asset,Start,End,Spend
GA-1,Search brand,Paid Search,,2026-09-01,2026-09-30,"1,200,000"
GA-2,Search generic,Paid Search,,2026-09,,"800,000"
GA-2,Search generic,Paid Search,,2026-10,,"900,000"
EX-1,Expo Tokyo,Events,expo-deck,2026-10-05,2026-10-07,"3,000,000"
EX-2,Expo Osaka,,,2026-10-10,2026-10-11,"500,000"
EX-3,Expo Nagoya,Events,,2026-10-12,2026-10-11,"500,000"
EX-4,Expo Sendai,Events,,2026-10-20,2026-10-20,"-1"
EX-5,Expo Fukuoka,Events,,not a date,2026-10-20,"100"
"""

CAMPAIGN_PROFILE = """\
source_system: finance
record: campaigns
id: [Campaign]
columns:
  name: Campaign name
  channel: Channel
  content_asset: Asset
  start_date: Start
  end_date: End
  cost: Spend
values:
  channel: {Paid Search: paid_search, Events: exhibition}
"""

LEADS = """\
Lead ID,Created,Channel
L1,2026-09-01 10:00,Paid Search
L2,2026-09-02 10:00,Paid Search
L3,2026-09-03 10:00,Events
"""

LEAD_PROFILE = """\
source_system: ma
record: leads
id: [Lead ID]
columns: {created_at: Created, channel: Channel}
stages: {lead: Created}
"""

TOUCHES = """\
Lead,Type,When,Owner
L1,Call,2026-09-01 11:00,Team A
L1,Email,2026-09-01 12:00,Team A
L1,Auto email,2026-09-01 10:05,
L2,Meeting,2026-09-03 09:00,Team B
L9,Call,2026-09-03 09:00,Team B
L2,,2026-09-04 09:00,Team B
L3,Call,2099-01-01 09:00,Team A
,Call,2026-09-04 09:00,Team A
"""

TOUCH_PROFILE = """\
source_system: crm
record: activities
lead_source_system: ma
columns:
  lead_id: Lead
  activity_type: Type
  occurred_at: When
  team: Owner
values:
  activity_type: {Call: call, Email: email, Meeting: meeting, Auto email: auto_email}
human_types: [call, email, meeting]
"""


@pytest.fixture
def ws(tmp_path):
    ws = init_workspace(tmp_path / "ws")
    (ws.params_dir / "sources").mkdir(exist_ok=True)
    for name, text in (("costs", CAMPAIGN_PROFILE), ("leads", LEAD_PROFILE),
                       ("touches", TOUCH_PROFILE)):  # fmt: skip
        (ws.params_dir / "sources" / f"{name}.yml").write_text(text, encoding="utf-8")
    return ws


def do_import(ws, path: Path, profile: str, **kwargs):
    con = connect(ws.store_path, timezone=ws.config.timezone)
    try:
        return import_file(
            con, path, load_profile(profile, workspace=ws), definitions=load_definitions(ws),
            timezone=ws.config.timezone, currency=ws.config.currency, now=NOW, **kwargs,
        )  # fmt: skip
    finally:
        con.close()


def query(ws, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(ws.store_path), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_campaign_costs_load_with_sums_and_days_as_pandas_reads_them(ws, tmp_path):
    report = do_import(ws, write(tmp_path / "costs.csv", CAMPAIGNS), "costs")
    assert (report.rows_read, report.loaded, report.rejected) == (8, 4, 4)
    assert report.reasons == {
        "missing channel": 1, "ends before it starts": 1, "negative amount": 1,
        "unparseable date": 1,
    }  # fmt: skip
    raw = pd.read_csv(io.StringIO(CAMPAIGNS), thousands=",")
    good = raw[raw["Start"].ne("not a date") & raw["Spend"].ge(0) & raw["Channel"].notna()]
    good = good[~good["Campaign"].eq("EX-3")]
    stored = query(ws, "SELECT * FROM campaigns ORDER BY campaign_id, start_date")
    assert float(stored["cost"].astype(float).sum()) == float(good["Spend"].sum())
    by_campaign = stored.groupby("campaign_id")["cost"].sum().astype(float).to_dict()
    assert by_campaign == good.groupby("Campaign")["Spend"].sum().astype(float).to_dict()
    # a month without an end date covers the month; two months of one campaign are two rows
    ga2 = stored[stored["campaign_id"] == "GA-2"]
    assert [(str(r.start_date)[:10], str(r.end_date)[:10]) for r in ga2.itertuples()] == [
        ("2026-09-01", "2026-09-30"),
        ("2026-10-01", "2026-10-31"),
    ]
    expo = stored[stored["campaign_id"] == "EX-1"].iloc[0]
    assert (expo["name"], expo["channel"], expo["content_asset"], expo["currency"]) == (
        "Expo Tokyo", "exhibition", "expo-deck", "JPY",
    )  # fmt: skip


def test_campaign_costs_reimported_change_nothing_and_feed_the_cost_metric(ws, tmp_path):
    path = write(tmp_path / "costs.csv", CAMPAIGNS)
    do_import(ws, path, "costs")
    before = query(ws, "SELECT * FROM campaigns ORDER BY ALL")
    again = do_import(ws, path, "costs")
    assert (again.loaded, again.updated, again.unchanged) == (0, 0, 4)
    pd.testing.assert_frame_equal(query(ws, "SELECT * FROM campaigns ORDER BY ALL"), before)
    # a newer export changes one month's spend: that row is updated, nothing else
    newer = CAMPAIGNS.replace('2026-10,,"900,000"', '2026-10,,"950,000"')
    changed = do_import(ws, write(tmp_path / "costs2.csv", newer), "costs")
    assert (changed.loaded, changed.updated, changed.unchanged) == (0, 1, 3)
    # cost in September (paid search): GA-1 whole, GA-2's September row
    from reviewkit.core.periods import period_containing
    from reviewkit.semantic.funnel import Funnel

    con = connect(ws.store_path, read_only=True, timezone=ws.config.timezone)
    try:
        funnel = Funnel(con, load_definitions(ws), timezone=ws.config.timezone, cutoff=NOW)
        period = period_containing("monthly", dt.date(2026, 9, 15), calendar=ws.calendar)
        frame = funnel.metric_frame(["cost_per_lead"], [period])
    finally:
        con.close()
    assert float(frame["numerator"].iloc[0]) == pytest.approx(1_200_000 + 800_000)


def test_touches_load_with_stable_ids_and_human_types(ws, tmp_path):
    do_import(ws, write(tmp_path / "leads.csv", LEADS), "leads")
    path = write(tmp_path / "touches.csv", TOUCHES)
    report = do_import(ws, path, "touches")
    assert (report.rows_read, report.loaded, report.rejected) == (8, 4, 4)
    assert report.reasons == {
        "unknown lead": 1, "missing activity type": 1, "future date": 1, "missing lead id": 1,
    }  # fmt: skip
    stored = query(ws, "SELECT * FROM activities ORDER BY occurred_at")
    raw = pd.read_csv(io.StringIO(TOUCHES))
    kept = raw[raw["Lead"].isin(["L1", "L2"]) & raw["Type"].notna()]
    assert len(stored) == len(kept)
    assert stored["is_human"].tolist() == [False, True, True, True]  # auto e-mail first
    assert stored["activity_type"].value_counts().to_dict() == {
        "call": 1, "email": 1, "meeting": 1, "auto_email": 1,
    }  # fmt: skip
    assert stored["activity_id"].str.match(r"^act-[0-9a-f]{20}$").all()
    again = do_import(ws, path, "touches")
    assert (again.loaded, again.updated, again.unchanged) == (0, 0, 4)
    assert query(ws, "SELECT count(*) AS n FROM activities")["n"][0] == 4
    # the quarantine names the row, column and value
    q = query(ws, "SELECT row_number, column_name, value, reason FROM quarantine "
                  "WHERE reason LIKE 'unknown lead%' ORDER BY 1 LIMIT 1")  # fmt: skip
    assert q.iloc[0][["row_number", "column_name", "value"]].tolist() == [6, "Lead", "L9"]


def test_a_touch_of_a_lead_of_another_system_is_held_back(ws, tmp_path):
    do_import(ws, write(tmp_path / "leads.csv", LEADS), "leads")
    profile = TOUCH_PROFILE.replace("lead_source_system: ma\n", "")  # the CRM's own ids
    (ws.params_dir / "sources" / "crm-touches.yml").write_text(profile, encoding="utf-8")
    report = do_import(ws, write(tmp_path / "t.csv", TOUCHES), "crm-touches")
    assert report.loaded == 0
    assert report.reasons["lead of another source system"] == 4


def test_an_is_human_column_and_an_id_column(ws, tmp_path):
    do_import(ws, write(tmp_path / "leads.csv", LEADS), "leads")
    profile = textwrap.dedent(
        """\
        source_system: ma
        record: activities
        id: [Activity ID]
        columns: {lead_id: Lead, activity_type: Type, occurred_at: When, is_human: Human}
        """
    )
    (ws.params_dir / "sources" / "ma-touches.yml").write_text(profile, encoding="utf-8")
    text = (
        "Activity ID,Lead,Type,When,Human\n"
        "A1,L1,Email open,2026-09-01 10:00,no\n"
        "A2,L1,Call,2026-09-01 11:00,yes\n"
        "A3,L2,Call,2026-09-02 11:00,\n"
        "A4,L2,Call,2026-09-02 12:00,maybe\n"
    )
    report = do_import(ws, write(tmp_path / "t.csv", text), "ma-touches")
    assert (report.loaded, report.reasons) == (3, {"not a yes/no value": 1})
    stored = query(ws, "SELECT activity_id, is_human FROM activities ORDER BY 1")
    assert stored.values.tolist() == [["A1", False], ["A2", True], ["A3", True]]


def test_profiles_refuse_keys_of_another_record_kind(ws):
    path = ws.params_dir / "sources" / "bad.yml"
    path.write_text(
        "source_system: x\nrecord: campaigns\nid: [Id]\nhuman_types: [call]\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"bad\.yml.*human_types is for activities profiles"):
        load_profile("bad", workspace=ws)
    path.write_text("source_system: x\nrecord: leads\ncolumns: {created_at: C}\n", "utf-8")
    with pytest.raises(ConfigError, match=r"id is missing"):
        load_profile("bad", workspace=ws)
    path.write_text("source_system: x\nrecord: campaigns\nid: [Id]\ncolumns: {stage: S}\n", "utf-8")
    with pytest.raises(ConfigError, match=r"\['stage'\] are not campaigns columns"):
        load_profile("bad", workspace=ws)


@pytest.mark.parametrize("name", ["generic-campaign-costs", "generic-activities"])
def test_the_shipped_example_profiles_import_their_example_files(ws, tmp_path, name):
    example = REPO / "params" / "sources" / "examples" / f"{name}.csv"
    if name == "generic-activities":  # its leads first
        ids = pd.read_csv(example)["Lead ID"].unique()
        rows = "".join(f"{i},2026-08-01,Paid Search\n" for i in ids)
        do_import(ws, write(tmp_path / "leads.csv", "Lead ID,Created,Channel\n" + rows), "leads")
    report = do_import(ws, example, name)
    assert report.rejected == 0 and report.loaded == report.rows_read > 0


def test_the_cli_dry_run_writes_no_campaign(ws, tmp_path):
    path = write(tmp_path / "costs.csv", CAMPAIGNS)
    result = run_cli(
        "import", str(path), "--profile", "costs", "--dry-run", "--workspace", str(ws.root)
    )
    assert result.returncode == 0, result.stderr
    assert "costs.csv [costs]: 読み込み 8行、追加予定 4" in result.stdout  # a ja workspace
    assert query(ws, "SELECT count(*) AS n FROM campaigns")["n"][0] == 0


def test_a_store_of_schema_4_is_rekeyed_with_the_same_campaigns(tmp_path):
    from reviewkit.store.schema import TABLES, upgrade_schema

    path = tmp_path / "old.duckdb"
    old = duckdb.connect(str(path))
    for name, columns in TABLES.items():
        if name == "campaigns":  # as schema 4 made it
            columns = re.sub(r",\s*PRIMARY KEY \(campaign_id, start_date\)", "", columns)
            columns = columns.replace("VARCHAR NOT NULL", "VARCHAR PRIMARY KEY", 1)
        old.execute(f"CREATE TABLE {name} ({columns})")
    old.execute("INSERT INTO store_meta VALUES ('schema_version', '4')")
    old.execute(
        "INSERT INTO campaigns VALUES ('C1', 'n', 'paid_search', NULL, '2026-09-01', "
        "'2026-09-30', 100, 'JPY')"
    )
    key = (
        "SELECT constraint_column_names FROM duckdb_constraints() WHERE table_name = "
        "'campaigns' AND constraint_type = 'PRIMARY KEY'"
    )
    assert old.execute(key).fetchone() == (["campaign_id"],)
    old.close()
    assert upgrade_schema(path)
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert con.execute(key).fetchone() == (["campaign_id", "start_date"],)
        assert con.execute("SELECT campaign_id, cost FROM campaigns").fetchall() == [("C1", 100)]
    finally:
        con.close()
