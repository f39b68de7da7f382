"""Sync sources, credentials, retries and freshness: the parts every API shares."""

from __future__ import annotations

import datetime as dt

import pytest

from reviewkit.core.workspace import init_workspace
from reviewkit.errors import ConfigError, SyncConfigError, SyncFailedError
from reviewkit.ingest.profile import profile_paths
from reviewkit.ingest.sync import credentials
from reviewkit.ingest.sync.retry import RetryPolicy, TransientError, retrying
from reviewkit.ingest.sync.spec import configured_sources, load_sync_source, sync_dir
from reviewkit.ingest.sync.status import sync_status
from reviewkit.store.schema import connect

NOW = dt.datetime(2026, 12, 7, 6, tzinfo=dt.UTC)


@pytest.fixture
def ws(tmp_path):
    return init_workspace(tmp_path / "ws")


def own_source(ws, name: str, text: str) -> None:
    sync_dir(ws).mkdir(parents=True, exist_ok=True)
    (sync_dir(ws) / f"{name}.yml").write_text(text, encoding="utf-8")


def test_the_shipped_defaults_load_and_name_what_they_read():
    for name, objects in (("hubspot", 5), ("salesforce", 7)):
        source = load_sync_source(name, workspace=None)
        assert source.api == name and len(source.specs()) == objects
        assert all(spec.properties for spec in source.specs())


def test_a_workspace_source_wins_and_is_not_an_import_profile(ws):
    own_source(ws, "hubspot", """\
api: hubspot
stale_after_hours: 12
objects:
  - name: contacts
    object: contacts
    profile:
      source_system: ma
      record: leads
      id: [hs_object_id]
      columns: {created_at: createdate}
      stages: {mql: mql_date__c}
""")  # fmt: skip
    source = load_sync_source("hubspot", workspace=ws)
    assert source.stale_after_hours == 12
    assert source.specs()[0].properties == ["hs_object_id", "mql_date__c", "createdate"]
    assert configured_sources(ws) == ["hubspot"]
    assert "hubspot" not in profile_paths(ws)  # params/sources/sync/ holds no import profile


def test_a_bad_source_file_is_one_line_naming_file_line_and_key(ws):
    bad = "    profile: {source_system: ma, record: people, id: [hs_object_id]}\n"
    own_source(
        ws, "crm", "api: hubspot\nobjects:\n  - name: contacts\n    object: contacts\n" + bad
    )
    with pytest.raises(ConfigError) as caught:
        load_sync_source("crm", workspace=ws)
    message = str(caught.value)
    assert "crm.yml:5" in message and "record" in message and "\n" not in message
    own_source(ws, "twice", "api: salesforce\nobjects:\n"
               + "  - {name: Lead, object: Lead, profile: {source_system: sfa, record: leads, "
               "id: [Id]}}\n" * 2)  # fmt: skip
    with pytest.raises(ConfigError, match="appear more than once"):
        load_sync_source("twice", workspace=ws)
    with pytest.raises(ConfigError, match=r"no params/sources/sync/pipedrive.yml"):
        load_sync_source("pipedrive", workspace=ws)
    with pytest.raises(ConfigError, match=r"--object \['Leads'\].*use \['Lead'"):
        load_sync_source("salesforce", workspace=ws).specs(["Leads"])


def test_credentials_come_from_the_environment_then_the_file_and_never_show(tmp_path, monkeypatch):
    file = tmp_path / "credentials.env"
    file.write_text("# mine\nHUBSPOT_ACCESS_TOKEN = 'from-the-file-123'\n", encoding="utf-8")
    monkeypatch.setenv("REVIEWKIT_CREDENTIALS", str(file))
    monkeypatch.delenv("HUBSPOT_ACCESS_TOKEN", raising=False)
    assert credentials.secret("HUBSPOT_ACCESS_TOKEN", source="hubspot", fix="x") == (
        "from-the-file-123"
    )
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", "from-the-env-456")
    assert credentials.secret("HUBSPOT_ACCESS_TOKEN", source="hubspot", fix="x") == (
        "from-the-env-456"
    )
    assert credentials.scrub("got from-the-env-456 back") == "got *** back"
    with pytest.raises(SyncConfigError) as caught:
        credentials.secret("SALESFORCE_REFRESH_TOKEN", source="salesforce", fix="see docs")
    assert "SALESFORCE_REFRESH_TOKEN is not set" in str(caught.value)
    assert str(file) in str(caught.value)


def test_retries_wait_as_told_and_give_up_within_the_budget():
    waits: list[float] = []
    calls = iter([TransientError("HTTP 429", retry_after=3), TransientError("HTTP 503"), "ok"])

    def call() -> str:
        value = next(calls)
        if isinstance(value, Exception):
            raise value
        return value

    policy = RetryPolicy(sleep=waits.append, first_wait=2)
    assert retrying(call, what="hubspot contacts", policy=policy) == "ok"
    assert waits == [3, 4]  # Retry-After, then the back-off of the second attempt

    def always() -> str:
        raise TransientError("HTTP 503")

    waits.clear()
    with pytest.raises(SyncFailedError) as caught:
        retrying(always, what="salesforce Lead", policy=RetryPolicy(sleep=waits.append,
                                                                    budget=10))  # fmt: skip
    assert sum(waits) <= 10 and "salesforce Lead: HTTP 503; gave up after" in str(caught.value)


def test_a_source_not_synced_for_longer_than_its_age_is_stale(ws):
    own_source(ws, "hubspot", "api: hubspot\nstale_after_hours: 24\nobjects:\n"
               "  - {name: contacts, object: contacts, profile: {source_system: ma, "
               "record: leads, id: [hs_object_id]}}\n")  # fmt: skip
    con = connect(ws.store_path, timezone=ws.config.timezone)
    try:
        (never,) = sync_status(con, workspace=ws, now=NOW)
        assert never.never and never.stale
        con.execute("INSERT INTO sync_state VALUES ('hubspot', 'contacts', NULL, ?, 'full', "
                    "1, 1, 0, 0, 0, 0)", [NOW - dt.timedelta(hours=23)])  # fmt: skip
        (fresh,) = sync_status(con, workspace=ws, now=NOW)
        assert not fresh.stale and fresh.objects == ("contacts",)
        (late,) = sync_status(con, workspace=ws, now=NOW + dt.timedelta(hours=2))
        assert late.stale and late.last_success == NOW - dt.timedelta(hours=23)
    finally:
        con.close()


def test_the_data_quality_section_shows_each_sync_and_watches_a_stopped_one(ws):
    from reviewkit.analysis.quality import data_quality
    from reviewkit.present.sections.meeting import quality_html

    own_source(ws, "salesforce", "api: salesforce\nstale_after_hours: 24\nobjects:\n"
               "  - {name: Lead, object: Lead, profile: {source_system: sfa, record: leads, "
               "id: [Id]}}\n")  # fmt: skip
    con = connect(ws.store_path, timezone=ws.config.timezone)
    try:
        html = quality_html(data_quality(con, timezone="Asia/Tokyo", workspace=ws, now=NOW),
                            lang="en").html  # fmt: skip
        assert "salesforce is configured as a sync source but has never been synced" in html
        con.execute("INSERT INTO sync_state VALUES ('hubspot', 'contacts', NULL, ?, 'full', "
                    "1, 1, 0, 0, 0, 0)", [NOW - dt.timedelta(hours=2)])  # fmt: skip
        con.execute("INSERT INTO sync_state VALUES ('salesforce', 'Lead', NULL, ?, 'full', "
                    "1, 1, 0, 0, 0, 0)", [NOW - dt.timedelta(hours=30)])  # fmt: skip
        quality = data_quality(con, timezone="Asia/Tokyo", workspace=ws, now=NOW)
        ja = quality_html(quality, lang="ja").html
        en = quality_html(quality, lang="en").html
    finally:
        con.close()
    # times in the workspace's zone, as the freshness table's
    assert "hubspot API sync: last 7 Dec 2026" in en and "13:00" in en
    assert "salesforce has not synced from its API for more than 24 hours" in en
    assert "salesforce の API 同期が 24 時間以上止まっています" in ja
    assert [s.stale for s in quality.sync] == [False, True]
