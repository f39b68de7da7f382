"""The sync engine with a scripted fetcher: windows, idempotence, deletes, merges, rollback."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import duckdb
import pytest

from reviewkit.core.workspace import init_workspace
from reviewkit.errors import SyncFailedError
from reviewkit.ingest.sync.engine import SyncSettings, sync_source
from reviewkit.ingest.sync.pages import ObjectSpec, Page
from reviewkit.ingest.sync.spec import load_sync_source
from reviewkit.model.definitions import load_definitions
from reviewkit.store.schema import connect

NOW = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)


def contact(i: int, modified: str, **props: str | None) -> dict[str, str | None]:
    row: dict[str, str | None] = {
        "hs_object_id": str(i), "createdate": "2026-10-01T09:00:00Z", "email": f"p{i}@x.example",
        "hs_analytics_source": "PAID_SEARCH", "hs_lifecyclestage_lead_date": "2026-10-01T09:00:00Z",
        "lastmodifieddate": modified,
    }  # fmt: skip
    row.update(props)
    return row


def stamp(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


class Scripted:
    """A fetcher serving records from a dict; records calls."""

    api = "hubspot"
    deleted_lookback: dt.timedelta | None = dt.timedelta(days=90)

    def __init__(self) -> None:
        self.records: dict[str, dict[str, dict[str, str | None]]] = {"contacts": {}, "calls": {}}
        self.deleted: dict[str, list[tuple[str, str]]] = {"contacts": [], "calls": []}
        self.merged: dict[str, str] = {}
        self.fail_after: int | None = None
        self.windows: list[dt.datetime | None] = []

    def check(self, specs: list[ObjectSpec]) -> None:
        return None

    def changes(self, spec: ObjectSpec, *, since: dt.datetime | None) -> Iterator[Page]:
        self.windows.append(since)
        rows = sorted(self.records.get(spec.api_object, {}).values(),
                      key=lambda r: str(r["lastmodifieddate"]))  # fmt: skip
        rows = [r for r in rows if since is None or stamp(str(r["lastmodifieddate"])) >= since]
        for n, start in enumerate(range(0, len(rows), 2)):
            if self.fail_after is not None and n >= self.fail_after:
                raise SyncFailedError("hubspot contacts: HTTP 503; gave up")
            chunk = rows[start : start + 2]
            yield Page(rows=[dict(r) for r in chunk],
                       cursor=max(stamp(str(r["lastmodifieddate"])) for r in chunk))  # fmt: skip
        if since is not None:
            gone = [i for i, at in self.deleted.get(spec.api_object, []) if stamp(at) >= since]
            yield Page(deleted=gone, merged=dict(self.merged) if spec.name == "contacts" else {})


@pytest.fixture
def env(tmp_path):
    ws = init_workspace(tmp_path / "ws")
    con = connect(ws.store_path, timezone=ws.config.timezone)
    settings = SyncSettings(definitions=load_definitions(ws), timezone=ws.config.timezone,
                            currency=ws.config.currency, now=NOW)  # fmt: skip
    # two records a page (see Scripted), landed page by page
    source = load_sync_source("hubspot", workspace=ws).model_copy(update={"batch_rows": 2})
    yield con, source, settings
    con.close()


def run(con, source, fetcher, settings, **kw):
    return sync_source(con, source, fetcher, settings=settings, only=["contacts", "calls"], **kw)


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    tables = ("leads", "stage_events", "activities", "lead_identity", "quarantine", "identity_map")
    return {t: sorted(map(str, con.execute(f"SELECT * FROM {t}").df().values.tolist()))
            for t in tables}  # fmt: skip


def test_first_sync_lands_then_a_rerun_changes_nothing(env):
    con, source, settings = env
    f = Scripted()
    for i in range(1, 6):
        f.records["contacts"][str(i)] = contact(i, f"2026-11-0{i}T00:00:00Z")
    f.records["calls"]["c1"] = {"hs_object_id": "c1", "associations.contacts": "1",
                                "hs_timestamp": "2026-10-02T00:00:00Z",
                                "lastmodifieddate": "2026-11-02T00:00:00Z"}  # fmt: skip
    first = run(con, source, f, settings)
    assert [(r.object, r.mode, r.reason, r.added) for r in first] == [
        ("contacts", "full", "first sync", 5),
        ("calls", "full", "first sync", 1),
    ]
    assert first[0].cursor == stamp("2026-11-05T00:00:00Z")
    assert con.execute("SELECT count(*) FROM leads").fetchone() == (5,)
    before = snapshot(con)
    second = run(con, source, f, settings)
    assert [(r.mode, r.added, r.updated, r.deleted) for r in second] == [
        ("incremental", 0, 0, 0),
        ("incremental", 0, 0, 0),
    ]
    # the window starts the overlap before the cursor
    assert f.windows[2] == stamp("2026-11-05T00:00:00Z") - dt.timedelta(minutes=10)
    assert snapshot(con) == before
    assert con.execute("SELECT count(*) FROM syncs").fetchone() == (4,)


def test_an_update_moves_exactly_the_changed_people(env):
    con, source, settings = env
    f = Scripted()
    for i in range(1, 5):
        f.records["contacts"][str(i)] = contact(i, f"2026-11-0{i}T00:00:00Z")
    run(con, source, f, settings)
    f.records["contacts"]["2"] = contact(2, "2026-11-20T00:00:00Z",
        hs_lifecyclestage_marketingqualifiedlead_date="2026-11-10T00:00:00Z")  # fmt: skip
    report = run(con, source, f, settings)[0]
    # contact 4 is read again (the overlap before the cursor) and is unchanged
    assert (report.rows_read, report.added, report.updated, report.unchanged) == (2, 0, 1, 1)
    rows = con.execute("SELECT lead_id FROM stage_events WHERE stage = 'mql'").fetchall()
    assert rows == [("2",)]


def test_deletes_and_merges_are_applied(env):
    con, source, settings = env
    f = Scripted()
    for i in range(1, 5):
        f.records["contacts"][str(i)] = contact(i, f"2026-11-0{i}T00:00:00Z")
    f.records["calls"]["c3"] = {"hs_object_id": "c3", "associations.contacts": "3",
                                "hs_timestamp": "2026-10-02T00:00:00Z",
                                "lastmodifieddate": "2026-11-02T00:00:00Z"}  # fmt: skip
    run(con, source, f, settings)
    del f.records["contacts"]["1"]
    f.deleted["contacts"].append(("1", "2026-11-10T00:00:00Z"))
    del f.records["contacts"]["3"]
    f.merged = {"3": "4"}
    report = run(con, source, f, settings)[0]
    assert (report.deleted, report.merged) == (1, 1)
    assert con.execute("SELECT lead_id FROM leads ORDER BY 1").fetchall() == [("2",), ("4",)]
    assert con.execute("SELECT lead_id FROM activities").fetchall() == [("4",)]
    keys = con.execute("SELECT lead_id, person_key FROM identity_map ORDER BY 1").fetchall()
    assert keys == [("3", "merged:ma:4"), ("4", "merged:ma:4")]


def test_a_full_resync_removes_what_the_api_no_longer_returns(env):
    con, source, settings = env
    f = Scripted()
    for i in range(1, 4):
        f.records["contacts"][str(i)] = contact(i, f"2026-11-0{i}T00:00:00Z")
    run(con, source, f, settings)
    del f.records["contacts"]["2"]  # gone, and its delete is no longer listed
    report = run(con, source, f, settings, full=True)[0]
    assert (report.mode, report.reason, report.deleted) == ("full", "--full", 1)
    assert con.execute("SELECT lead_id FROM leads ORDER BY 1").fetchall() == [("1",), ("3",)]


def test_past_the_deleted_window_the_object_is_resynced_fully(env):
    con, source, settings = env
    f = Scripted()
    f.deleted_lookback = dt.timedelta(days=15)
    f.records["contacts"]["1"] = contact(1, "2026-11-01T00:00:00Z")
    run(con, source, f, settings)
    later = SyncSettings(definitions=settings.definitions, timezone=settings.timezone,
                         now=NOW + dt.timedelta(days=20))  # fmt: skip
    report = run(con, source, f, later)[0]
    assert report.mode == "full"
    assert (report.reason, report.gap_days, report.lookback_days) == ("deleted window", 20, 15)


def test_a_failure_mid_object_leaves_the_store_and_cursor_as_they_were(env):
    con, source, settings = env
    f = Scripted()
    for i in range(1, 4):
        f.records["contacts"][str(i)] = contact(i, f"2026-11-0{i}T00:00:00Z")
    run(con, source, f, settings)
    before = snapshot(con)
    cursor_sql = "SELECT epoch_us(cursor) FROM sync_state WHERE object = 'contacts'"
    cursor = con.execute(cursor_sql).fetchone()
    for i in range(4, 9):
        f.records["contacts"][str(i)] = contact(i, f"2026-11-1{i}T00:00:00Z")
    f.fail_after = 1  # the first page lands, then the API fails
    with pytest.raises(SyncFailedError):
        run(con, source, f, settings)
    assert snapshot(con) == before
    assert con.execute(cursor_sql).fetchone() == cursor
    f.fail_after = None
    report = run(con, source, f, settings)[0]
    assert report.added == 5


def test_quarantined_records_are_kept_with_their_id_and_replaced_when_fixed(env):
    con, source, settings = env
    f = Scripted()
    f.records["contacts"]["1"] = contact(1, "2026-11-01T00:00:00Z", createdate="not a date")
    f.records["contacts"]["2"] = contact(2, "2026-11-02T00:00:00Z")
    report = run(con, source, f, settings)[0]
    assert report.quarantined == 1
    rows = con.execute("SELECT file_name, record_id, column_name FROM quarantine").fetchall()
    assert rows == [("hubspot/contacts", "1", "createdate")]
    f.records["contacts"]["1"] = contact(1, "2026-11-21T00:00:00Z")
    run(con, source, f, settings)
    assert con.execute("SELECT count(*) FROM quarantine").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM leads").fetchone() == (2,)


def test_a_dry_run_writes_nothing(env):
    con, source, settings = env
    f = Scripted()
    f.records["contacts"]["1"] = contact(1, "2026-11-01T00:00:00Z")
    report = run(con, source, f, settings, dry_run=True)[0]
    assert report.added == 1
    assert con.execute("SELECT count(*) FROM leads").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM sync_state").fetchone() == (0,)
