"""A company synced from (a fake) HubSpot equals the same company imported from its exports;
re-syncing changes nothing; an update moves exactly the changed people; kill -9 mid-sync
leaves the store as it was and the next sync resumes; faults are one line; the token never
leaks. The fake HubSpot is a real HTTP server on 127.0.0.1 (``fake_hubspot.py``).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from builders import one_line
from fake_hubspot import FakeHubSpot
from sync_company import CALLS_PROFILE, iso, load_into, make_company, write_exports

import reviewkit as rk
from reviewkit.cli.main import main
from reviewkit.core.workspace import init_workspace

TOKEN = "pat-na1-planted-secret-7f3c"
AS_OF = "2026-12-01"
TABLES = {
    "leads": "lead_id", "stage_events": "lead_id, stage, entered_at",
    "opportunities": "opportunity_id", "activities": "activity_id",
    "lead_identity": "lead_id",
}  # fmt: skip


def rows(store: Path, table: str) -> pd.DataFrame:
    con = duckdb.connect(str(store), read_only=True)
    try:
        frame = con.execute(f"SELECT * FROM {table} ORDER BY {TABLES[table]}").df()
    finally:
        con.close()
    return frame.reset_index(drop=True)


def use_fake(monkeypatch: pytest.MonkeyPatch, fake: FakeHubSpot, tmp_path: Path) -> None:
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("HUBSPOT_API_BASE", fake.base_url)
    monkeypatch.setenv("REVIEWKIT_CREDENTIALS", str(tmp_path / "no-credentials.env"))
    for name in ("HUBSPOT_REFRESH_TOKEN", "HUBSPOT_CLIENT_ID", "HUBSPOT_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)


def cli(*args: str) -> tuple[int, str]:
    """Run the command in this process; its exit code and what it printed."""
    from reviewkit.cli.shared import err, out

    with out.capture() as o, err.capture() as e:
        code = main(list(args))
    return code, o.get() + e.get()


@pytest.fixture
def fake(httpserver, monkeypatch, tmp_path) -> FakeHubSpot:
    hub = FakeHubSpot(httpserver, token=TOKEN)
    use_fake(monkeypatch, hub, tmp_path)
    return hub


def test_a_synced_company_equals_the_same_company_imported(fake, tmp_path):
    company = make_company(240)
    load_into(fake, company)
    synced, imported = init_workspace(tmp_path / "synced"), init_workspace(tmp_path / "imported")
    code, printed = cli("sync", "hubspot", "--workspace", str(synced.root))
    assert code == 0, printed
    assert re.search(r"hubspot/contacts .*240", printed), printed
    files = write_exports(company, tmp_path / "exports", timezone=imported.config.timezone)
    (imported.params_dir / "sources" / "hubspot-calls.yml").write_text(CALLS_PROFILE)
    for kind, profile in (("contacts", "hubspot-contacts"), ("deals", "hubspot-deals"),
                          ("calls", "hubspot-calls")):  # fmt: skip
        code, printed = cli("import", str(files[kind]), "--profile", profile,
                            "--workspace", str(imported.root))  # fmt: skip
        assert code == 0, printed
    for table in TABLES:
        pd.testing.assert_frame_equal(rows(synced.store_path, table),
                                      rows(imported.store_path, table), obj=table)  # fmt: skip
    assert len(rows(synced.store_path, "opportunities")) == len(company.deals) > 0
    assert len(rows(synced.store_path, "activities")) == len(company.calls) > 0
    for cadence in ("monthly", "weekly"):
        a = rk.open_review(cadence, workspace=str(synced.root), as_of=AS_OF, lang="en")
        b = rk.open_review(cadence, workspace=str(imported.root), as_of=AS_OF, lang="en")
        pd.testing.assert_frame_equal(a.scorecard(), b.scorecard())
        assert a.scorecard()["actual"].notna().any()
    before = {t: rows(synced.store_path, t) for t in TABLES}
    code, printed = cli("sync", "all", "--workspace", str(synced.root))
    assert code != 0 and "params/sources/sync" in printed  # nothing configured yet
    (synced.params_dir / "sources" / "sync").mkdir()
    (synced.params_dir / "sources" / "sync" / "hubspot.yml").write_text(
        (Path(rk.__file__).parent / "ingest/sync/defaults/hubspot.yml").read_text()
    )
    code, printed = cli("sync", "all", "--workspace", str(synced.root))
    assert code == 0, printed
    synced_lines = [line for line in printed.splitlines() if "hubspot/" in line]
    assert len(synced_lines) == 5 and all("追加 0、更新 0" in line for line in synced_lines)
    for table in TABLES:
        pd.testing.assert_frame_equal(rows(synced.store_path, table), before[table])


def test_an_update_moves_exactly_the_changed_people_and_deletes_and_merges_apply(fake, tmp_path):
    company = make_company(60)
    load_into(fake, company)
    ws = init_workspace(tmp_path / "ws")
    assert cli("sync", "hubspot", "--workspace", str(ws.root))[0] == 0
    leads = rows(ws.store_path, "leads")
    later = dt.datetime(2026, 12, 2, tzinfo=dt.UTC)
    first, second, third, fourth = (c["id"] for c in company.contacts[:4])
    fake.update("contacts", first, modified=later, company="Renamed Co")
    fake.archive("contacts", second, at=later)
    fake.merge("contacts", survivor=fourth, merged=third, at=later)
    code, printed = cli("sync", "hubspot", "--object", "contacts", "--workspace", str(ws.root))
    assert code == 0, printed
    assert "更新 1" in printed and "削除 1、統合 1" in printed, printed  # the workspace is ja
    after = rows(ws.store_path, "leads")
    assert set(leads["lead_id"]) - set(after["lead_id"]) == {second, third}
    changed = after.merge(leads, on="lead_id", suffixes=("", "_before"))
    moved = changed[changed["company_name"] != changed["company_name_before"]]["lead_id"]
    assert list(moved) == [first]
    identity = rows(ws.store_path, "lead_identity").set_index("lead_id")["person_id"]
    assert third not in identity.index and identity[fourth] == fourth


def test_faults_are_one_line_and_the_token_never_leaks(fake, tmp_path, monkeypatch):
    load_into(fake, make_company(5))
    ws = init_workspace(tmp_path / "ws")
    fake.expire_token()  # no refresh credentials: say which variable to set
    code, printed = cli("sync", "hubspot", "--workspace", str(ws.root))
    assert code == 2 and "HUBSPOT_ACCESS_TOKEN" in one_line(printed), printed
    default = (Path(rk.__file__).parent / "ingest/sync/defaults/hubspot.yml").read_text()
    (ws.params_dir / "sources" / "sync").mkdir()
    (ws.params_dir / "sources" / "sync" / "hubspot.yml").write_text(
        default.replace("stale_after_hours: 36", "stale_after_hours: 36\nretry_attempts: 1")
    )
    monkeypatch.setenv("HUBSPOT_API_BASE", "http://127.0.0.1:9")  # nothing listens there
    code, printed = cli("sync", "hubspot", "--workspace", str(ws.root))
    assert code in (1, 2) and "hubspot" in one_line(printed), printed
    monkeypatch.delenv("HUBSPOT_ACCESS_TOKEN")
    code, printed = cli("sync", "hubspot", "--workspace", str(ws.root))
    assert code == 2 and "HUBSPOT_ACCESS_TOKEN is not set" in one_line(printed)
    assert TOKEN not in printed
    for path in ws.root.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path


def test_kill_9_mid_sync_leaves_the_store_as_it_was_and_the_next_sync_resumes(httpserver, tmp_path):
    reached, release = threading.Event(), threading.Event()
    hub = FakeHubSpot(httpserver, token=TOKEN)
    load_into(hub, make_company(120))
    served = {"searches": 0}
    handler = hub._handle  # the fake's catch-all handler; hold the 2nd contacts page

    def holding(request):
        if request.path.endswith("/contacts/search") and reached.is_set() is False:
            served["searches"] += 1
            if served["searches"] == 2 and armed.is_set():
                reached.set()
                release.wait(60)
        return handler(request)

    armed = threading.Event()
    httpserver.clear()
    httpserver.expect_request(re.compile(r"^/.*$")).respond_with_handler(holding)
    ws = init_workspace(tmp_path / "ws")
    default = (Path(rk.__file__).parent / "ingest/sync/defaults/hubspot.yml").read_text()
    (ws.params_dir / "sources" / "sync").mkdir()
    (ws.params_dir / "sources" / "sync" / "hubspot.yml").write_text(  # land page by page
        default.replace("stale_after_hours: 36", "stale_after_hours: 36\nbatch_rows: 50")
    )
    env = {**os.environ, "HUBSPOT_ACCESS_TOKEN": TOKEN, "HUBSPOT_API_BASE": hub.base_url,
           "REVIEWKIT_CREDENTIALS": str(tmp_path / "none.env")}  # fmt: skip
    command = [sys.executable, "-m", "reviewkit.cli.main", "sync", "hubspot",
               "--workspace", str(ws.root)]  # fmt: skip
    assert subprocess.run(command, env=env, capture_output=True, timeout=120).returncode == 0
    before = {t: rows(ws.store_path, t) for t in TABLES}
    later = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)
    for c in make_company(150, seed=8, first_id=10_000).contacts:  # 150 new: two pages
        hub.add_contact({"email": c["email"], "createdate": iso(c["created"]),
                         "hs_lifecyclestage_lead_date": iso(c["created"])},
                        modified=later, record_id=int(c["id"]))  # fmt: skip
    served["searches"] = 0
    armed.set()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert reached.wait(120), "the sync never asked for the second page"
        proc.kill()  # SIGKILL while the contacts' transaction holds the first page
        proc.wait(60)
    finally:
        release.set()
    assert proc.returncode == -9
    for table in TABLES:
        pd.testing.assert_frame_equal(rows(ws.store_path, table), before[table])
    armed.clear()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert len(rows(ws.store_path, "leads")) == len(before["leads"]) + 150


def test_batch_sync_syncs_first_and_a_failed_sync_builds_no_pack(fake, tmp_path, monkeypatch):
    load_into(fake, make_company(20))
    ws = init_workspace(tmp_path / "ws")
    (ws.params_dir / "sources" / "sync").mkdir()
    (ws.params_dir / "sources" / "sync" / "hubspot.yml").write_text(
        (Path(rk.__file__).parent / "ingest/sync/defaults/hubspot.yml").read_text()
    )
    monkeypatch.delenv("HUBSPOT_ACCESS_TOKEN")
    code, printed = cli("batch", "--sync", "--workspace", str(ws.root))
    assert code == 2 and "HUBSPOT_ACCESS_TOKEN is not set" in one_line(printed)
    assert not (ws.root / "outputs" / "index.html").exists()
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", TOKEN)
    # the sync runs before the schedule is read: --only naming no pack fails after it
    code, printed = cli("batch", "--sync", "--only", "none/*", "--workspace", str(ws.root))
    assert code == 2 and "matches no pack" in printed, printed
    assert len(rows(ws.store_path, "leads")) == 20
