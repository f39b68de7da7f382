"""The Salesforce fetcher against a fake REST API (``responses``, no network, no sleeps)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from fake_salesforce import INSTANCE_URL, FakeSalesforce, sf_time

from reviewkit.errors import SyncConfigError, SyncFailedError
from reviewkit.ingest.sync import salesforce as sf_module
from reviewkit.ingest.sync.credentials import scrub
from reviewkit.ingest.sync.pages import ObjectSpec, Page
from reviewkit.ingest.sync.retry import RetryPolicy
from reviewkit.ingest.sync.salesforce import SalesforceFetcher
from reviewkit.ingest.sync.spec import SyncSource, load_sync_source

TOKEN = "planted-sf-token-5f3a9c1e7b"
REFRESH = "planted-refresh-token-77e1d0"
CLIENT_SECRET = "planted-client-secret-a91c"
PLANTED = (TOKEN, REFRESH, CLIENT_SECRET)
NOW = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)
_VARS = ("REFRESH_TOKEN", "CLIENT_ID", "CLIENT_SECRET", "LOGIN_URL", "ACCESS_TOKEN")


def at(days_ago: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days_ago)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    monkeypatch.setenv("REVIEWKIT_CREDENTIALS", str(tmp_path / "none.env"))
    for name in _VARS:
        monkeypatch.delenv(f"SALESFORCE_{name}", raising=False)
    monkeypatch.setenv("SALESFORCE_INSTANCE_URL", INSTANCE_URL)
    monkeypatch.setenv("SALESFORCE_ACCESS_TOKEN", TOKEN)
    return monkeypatch


def with_refresh(env: pytest.MonkeyPatch) -> None:
    env.setenv("SALESFORCE_REFRESH_TOKEN", REFRESH)
    env.setenv("SALESFORCE_CLIENT_ID", "client-id-1")
    env.setenv("SALESFORCE_CLIENT_SECRET", CLIENT_SECRET)


@pytest.fixture
def fake(env: pytest.MonkeyPatch) -> Iterator[FakeSalesforce]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield FakeSalesforce(
            rsps,
            token=TOKEN,
            refresh_token=REFRESH,
            client_id="client-id-1",
            client_secret=CLIENT_SECRET,
            page_size=2,
        )


def source(objects: list[dict[str, Any]]) -> SyncSource:
    return SyncSource.model_validate(
        {"name": "salesforce", "api": "salesforce", "objects": objects}
    )


LEAD: dict[str, Any] = {
    "name": "Lead",
    "object": "Lead",
    "profile": {
        "source_system": "sfa",
        "record": "leads",
        "id": ["Id"],
        "columns": {"created_at": "CreatedDate", "email": "Email", "sales_team": "Owner.Name"},
        "stages": {"lead": "CreatedDate", "mql": "MQL_Date__c"},
    },
}
OPPORTUNITY: dict[str, Any] = {
    "name": "Opportunity",
    "object": "Opportunity",
    "history": ["StageName"],
    "profile": {
        "source_system": "sfa",
        "record": "opportunities",
        "id": ["Id"],
        "columns": {"amount": "Amount", "stage": "StageName", "created_at": "CreatedDate"},
        "stages": {"won": "StageName.entered.Closed Won"},
    },
}


def spec_of(entry: dict[str, Any]) -> tuple[SalesforceFetcher, ObjectSpec, list[float]]:
    waits: list[float] = []
    src = source([entry])
    policy = RetryPolicy(attempts=5, budget=30, sleep=waits.append)
    fetcher = SalesforceFetcher(src, policy=policy, session=requests.Session(), clock=lambda: NOW)
    return fetcher, src.specs()[0], waits


def lead(n: int, days_ago: float, **extra: Any) -> dict[str, Any]:
    base = {
        "Id": f"00Q{n:012d}",
        "Email": f"p{n}@example.test",
        "CreatedDate": sf_time(at(days_ago + 30)),
        "SystemModstamp": at(days_ago),
        "Owner.Name": "Team A",
        "MQL_Date__c": "2026-11-01",
    }
    return {**base, **extra}


def read(fetcher: SalesforceFetcher, spec: ObjectSpec, since: dt.datetime | None) -> list[Page]:
    return list(fetcher.changes(spec, since=since))


def clean(error: BaseException) -> str:
    text = str(error)
    assert "\n" not in text
    assert not [p for p in PLANTED if p in text], text
    return text


def test_full_read_pages_and_flattens(fake: FakeSalesforce) -> None:
    fake.add("Lead", *(lead(n, 10 - n) for n in range(5)))
    fake.add("Lead", lead(9, 1, **{"Owner.Name": None, "Email": None}))
    fetcher, spec, _ = spec_of(LEAD)
    pages = read(fetcher, spec, None)
    assert len(pages) == 3  # 6 records, 2 per page: one Page per API page
    rows = [r for p in pages for r in p.rows]
    assert [r["Id"] for r in rows] == [f"00Q{n:012d}" for n in (0, 1, 2, 3, 4, 9)]
    assert rows[0] == {
        "Id": "00Q000000000000",
        "CreatedDate": sf_time(at(40)),
        "Email": "p0@example.test",
        "Owner.Name": "Team A",
        "MQL_Date__c": "2026-11-01",
        "SystemModstamp": sf_time(at(10)),
    }
    assert rows[5]["Owner.Name"] is None and rows[5]["Email"] is None
    assert [p.cursor for p in pages] == [at(9), at(7), at(1)]
    assert all(not p.deleted and not p.merged for p in pages)
    assert fake.queries == [
        "SELECT Id, CreatedDate, MQL_Date__c, Email, Owner.Name, SystemModstamp FROM Lead "
        "ORDER BY SystemModstamp ASC"
    ]
    assert any(path.endswith("/query/01gFAKE1-2") for _, path in fake.served)


def test_values_become_text(fake: FakeSalesforce) -> None:
    fake.add(
        "Opportunity",
        {"Id": "006A", "Amount": 1234.5, "StageName": "Prospecting", "CreatedDate": sf_time(at(3))},
        {"Id": "006B", "Amount": 70000, "StageName": None, "CreatedDate": sf_time(at(2))},
    )
    entry = {**OPPORTUNITY, "history": [], "profile": {**OPPORTUNITY["profile"], "stages": {}}}
    fetcher, spec, _ = spec_of(entry)
    rows = {r["Id"]: r for p in read(fetcher, spec, None) for r in p.rows}
    assert rows["006A"]["Amount"] == "1234.5" and rows["006B"]["Amount"] == "70000"
    assert rows["006B"]["StageName"] is None
    assert rows["006A"]["CreatedDate"] == sf_time(at(3))
    record = {"attributes": {"type": "Lead"}, "IsWon": True, "IsClosed": False, "N": 3}
    nested = {"Account": {"attributes": {}, "Owner": {"attributes": {}, "Name": "Ann"}}}
    assert sf_module.flatten({**record, **nested, "Owner": None}) == {
        "IsWon": "true",
        "IsClosed": "false",
        "N": "3",
        "Account.Owner.Name": "Ann",
        "Owner": None,
    }


def test_incremental_reads_from_the_cursor_with_queryall(fake: FakeSalesforce) -> None:
    fake.add("Lead", *(lead(n, 10 - n) for n in range(6)))
    fetcher, spec, _ = spec_of(LEAD)
    pages = read(fetcher, spec, at(7))
    assert [r["Id"] for p in pages for r in p.rows] == [f"00Q{n:012d}" for n in (3, 4, 5)]
    assert pages[-1].cursor == at(5)
    soql = fake.queries[0]
    assert (
        "IsDeleted, MasterRecordId FROM Lead WHERE SystemModstamp >= 2026-11-30T08:00:00Z" in soql
    )
    assert soql.endswith("ORDER BY SystemModstamp ASC")
    assert any("/queryAll/" in path for _, path in fake.served)
    assert all("IsDeleted" not in r for p in pages for r in p.rows)


def test_where_of_the_profile_is_anded(fake: FakeSalesforce) -> None:
    fake.add("Lead", lead(1, 3, Status="Open"), lead(2, 2, Status="Junk"))
    fetcher, spec, _ = spec_of({**LEAD, "where": "Status != 'Junk'"})
    fetcher.check([spec])
    rows = [r for p in read(fetcher, spec, at(5)) for r in p.rows]
    assert [r["Id"] for r in rows] == ["00Q000000000001"]
    assert fake.queries[0] == "SELECT Id FROM Lead WHERE (Status != 'Junk') LIMIT 1"
    assert "AND (Status != 'Junk') ORDER BY" in fake.queries[1]


def test_tombstones_merges_and_deleted_inside_the_window(fake: FakeSalesforce) -> None:
    fake.add("Lead", *(lead(n, 9) for n in range(5)))
    fake.delete("Lead", "00Q000000000001", at=at(2))
    fake.merge("Lead", "00Q000000000002", "00Q000000000003", at=at(1))
    fake.delete("Lead", "00Q000000000004", at=at(1), purge=True)  # gone from the recycle bin
    fetcher, spec, _ = spec_of(LEAD)
    pages = read(fetcher, spec, at(3))
    rows = [r["Id"] for p in pages for r in p.rows]
    assert rows == ["00Q000000000003"]
    assert [i for p in pages for i in p.deleted] == ["00Q000000000001", "00Q000000000004"]
    assert {k: v for p in pages for k, v in p.merged.items()} == {
        "00Q000000000002": "00Q000000000003"
    }
    assert pages[-1].rows == [] and pages[-1].deleted == ["00Q000000000004"]
    assert pages[-1].cursor == at(1)
    assert sum("/sobjects/Lead/deleted" in path for _, path in fake.served) == 1


def test_deleted_window_allows_the_overlap(fake: FakeSalesforce) -> None:
    fake.add("Lead", lead(1, 20), lead(2, 1))
    fake.delete("Lead", "00Q000000000002", at=at(1), purge=True)
    fetcher, spec, _ = spec_of(LEAD)
    since = at(15) - dt.timedelta(minutes=8)  # the cursor minus the 10-minute overlap
    pages = read(fetcher, spec, since)
    assert pages[-1].deleted == ["00Q000000000002"]
    asked = [path for _, path in fake.served if "/deleted" in path]
    assert len(asked) == 1 and "start=2026-11-22T08%3A05%3A00%2B00%3A00" in asked[0]


def test_deletes_past_the_replication_window_ask_for_a_full_sync(fake: FakeSalesforce) -> None:
    fake.add("Lead", lead(1, 2))
    fetcher, spec, _ = spec_of(LEAD)
    pages = fetcher.changes(spec, since=at(3))
    next(pages)
    fake.fail_next(1, status=400, code="INVALID_REPLICATION_DATE")
    with pytest.raises(SyncFailedError, match=r"INVALID_REPLICATION_DATE\); run .* --full"):
        next(pages)


def test_no_deleted_call_beyond_the_window_or_in_a_full_read(fake: FakeSalesforce) -> None:
    fake.add("Lead", lead(1, 20), lead(2, 1))
    fake.delete("Lead", "00Q000000000002", at=at(1), purge=True)
    fetcher, spec, _ = spec_of(LEAD)
    assert fetcher.deleted_lookback == dt.timedelta(days=15)
    read(fetcher, spec, at(16))
    read(fetcher, spec, None)
    assert not [path for _, path in fake.served if "/deleted" in path]
    assert "/query/" in fake.served[-1][1] and "IsDeleted" not in fake.queries[-1]


def test_opportunity_history_gives_entered_dates(
    fake: FakeSalesforce, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sf_module, "ID_CHUNK", 2)
    for n in range(3):
        fake.add("Opportunity", {"Id": f"006{n}", "Amount": 10.0, "StageName": "Closed Won"})
        fake.add_stage_history(f"006{n}", "Prospecting", at(30))
        fake.add_stage_history(f"006{n}", "Closed Won", at(10 - n))
    fake.add_stage_history("0061", "Closed Won", at(20))  # entered twice: the first counts
    fetcher, spec, _ = spec_of(OPPORTUNITY)
    rows = {r["Id"]: r for p in read(fetcher, spec, None) for r in p.rows}
    assert rows["0060"]["StageName.entered.Closed Won"] == sf_time(at(10))
    assert rows["0061"]["StageName.entered.Closed Won"] == sf_time(at(20))
    assert rows["0062"]["StageName.entered.Prospecting"] == sf_time(at(30))
    history = [q for q in fake.queries if "OpportunityHistory" in q]
    assert history == [
        "SELECT OpportunityId, StageName, CreatedDate FROM OpportunityHistory "
        "WHERE OpportunityId IN ('0060', '0061')",
        "SELECT OpportunityId, StageName, CreatedDate FROM OpportunityHistory "
        "WHERE OpportunityId IN ('0062')",
    ]


def test_field_history_of_other_objects(fake: FakeSalesforce) -> None:
    fake.add("Lead", lead(1, 3, Status="Working"), lead(2, 2, Status="Open"))
    fake.add_field_history("Lead", "00Q000000000001", "Status", "Working", at(4))
    fake.add_field_history("Lead", "00Q000000000001", "Rating", "Hot", at(4))
    entry = {**LEAD, "history": ["Status"]}
    entry["profile"] = {**LEAD["profile"], "stages": {"sql": "Status.entered.Working"}}
    fetcher, spec, _ = spec_of(entry)
    fetcher.check([spec])
    rows = {r["Id"]: r for p in read(fetcher, spec, None) for r in p.rows}
    assert rows["00Q000000000001"]["Status.entered.Working"] == sf_time(at(4))
    assert rows["00Q000000000002"]["Status.entered.Working"] is None
    assert "Rating.entered.Hot" not in rows["00Q000000000001"]
    assert (
        "FROM LeadHistory WHERE LeadId IN ('00Q000000000001', '00Q000000000002') "
        "AND Field IN ('Status')" in fake.queries[-1]
    )


def test_server_errors_are_retried_with_retry_after(fake: FakeSalesforce) -> None:
    fake.add("Lead", lead(1, 3))
    fake.fail_next(2, status=503, retry_after=3)
    fake.fail_next(1, status=429)
    fake.fail_next(1, status=0)
    fetcher, spec, waits = spec_of(LEAD)
    rows = [r for p in read(fetcher, spec, None) for r in p.rows]
    assert len(rows) == 1 and waits == [3, 3, 4, 8]


def test_request_limit_past_the_budget_is_one_line(fake: FakeSalesforce) -> None:
    fake.add("Lead", lead(1, 3))
    fake.fail_next(10, status=403, code="REQUEST_LIMIT_EXCEEDED", retry_after=20)
    fetcher, spec, waits = spec_of(LEAD)
    with pytest.raises(SyncFailedError) as caught:
        read(fetcher, spec, None)
    text = clean(caught.value)
    assert text.startswith("salesforce Lead: HTTP 403 REQUEST_LIMIT_EXCEEDED; gave up after 2")
    assert waits == [20]


def test_expired_session_is_refreshed(fake: FakeSalesforce, env: pytest.MonkeyPatch) -> None:
    with_refresh(env)
    fake.add("Lead", lead(1, 3), lead(2, 2), lead(3, 1))
    fetcher, spec, _ = spec_of(LEAD)
    pages = fetcher.changes(spec, since=None)
    first = next(pages)
    fake.expire_session()
    rest = list(pages)
    assert [r["Id"] for p in [first, *rest] for r in p.rows][-1] == "00Q000000000003"
    assert len(fake.issued) == 1 and fake.token == fake.issued[0]
    assert scrub(f"token {fake.issued[0]}") == "token ***"
    assert ("POST", "/services/oauth2/token") in fake.served


def test_a_refreshed_token_refused_too_is_a_config_error(
    fake: FakeSalesforce, env: pytest.MonkeyPatch
) -> None:
    with_refresh(env)
    fake.add("Lead", lead(1, 3))
    fake.revoke()
    fetcher, spec, _ = spec_of(LEAD)
    with pytest.raises(SyncConfigError, match="even a freshly refreshed token was refused"):
        fetcher.check([spec])
    assert len(fake.issued) == 1  # one refresh per call, not a loop


def test_no_access_token_refreshes_first(fake: FakeSalesforce, env: pytest.MonkeyPatch) -> None:
    with_refresh(env)
    env.delenv("SALESFORCE_ACCESS_TOKEN")
    fake.add("Lead", lead(1, 3))
    fetcher, spec, _ = spec_of(LEAD)
    assert len([r for p in read(fetcher, spec, None) for r in p.rows]) == 1
    assert fake.served[0] == ("POST", "/services/oauth2/token")


def test_refused_token_without_refresh_names_the_variables(fake: FakeSalesforce) -> None:
    fake.add("Lead", lead(1, 3))
    fake.expire_session()
    fetcher, spec, _ = spec_of(LEAD)
    with pytest.raises(SyncConfigError) as caught:
        read(fetcher, spec, None)
    assert clean(caught.value) == (
        "salesforce: SALESFORCE_ACCESS_TOKEN was refused (INVALID_SESSION_ID); set "
        "SALESFORCE_REFRESH_TOKEN, SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET "
        "(docs/sync.md) so the sync can refresh it"
    )


def test_wrong_refresh_token_and_missing_credentials(
    fake: FakeSalesforce, env: pytest.MonkeyPatch
) -> None:
    with_refresh(env)
    env.setenv("SALESFORCE_REFRESH_TOKEN", "planted-wrong-refresh-9d2")
    fake.expire_session()
    fetcher, spec, _ = spec_of(LEAD)
    with pytest.raises(SyncConfigError, match="invalid_grant") as caught:
        fetcher.check([spec])
    assert "planted-wrong-refresh" not in clean(caught.value)
    for name in _VARS:
        env.delenv(f"SALESFORCE_{name}", raising=False)
    with pytest.raises(SyncConfigError, match="SALESFORCE_ACCESS_TOKEN is not set"):
        spec_of(LEAD)[0].check([spec])


def test_check_accepts_the_profile_and_a_custom_field(fake: FakeSalesforce) -> None:
    fake.add("Lead", lead(1, 3))
    fake.add("Opportunity", {"Id": "006A", "Amount": 1.0, "StageName": "Closed Won"})
    fetcher = SalesforceFetcher(source([LEAD, OPPORTUNITY]), session=requests.Session())
    fetcher.check(fetcher.source.specs())
    described = [path.split("/")[-2] for _, path in fake.served if "/describe" in path]
    assert described == ["Lead", "Opportunity", "OpportunityHistory"]


def test_check_fails_on_unknown_object_field_and_relationship(fake: FakeSalesforce) -> None:
    fake.add("Lead", lead(1, 3))
    cases = {
        "Leed": "object Leed does not exist in this org (NOT_FOUND); fix `object: Leed`",
        "Custom": "field 'Score__c' is not in the object's describe",
        "Owner": "relationship 'Manager' (of 'Manager.Name') is not in the object's describe",
        "Entered": "field 'Phase__c' is not in the object's describe",
    }
    columns = LEAD["profile"]["columns"]
    entries = {
        "Leed": {**LEAD, "object": "Leed"},
        "Custom": {
            **LEAD,
            "profile": {**LEAD["profile"], "columns": {**columns, "score": "Score__c"}},
        },
        "Owner": {
            **LEAD,
            "profile": {**LEAD["profile"], "columns": {**columns, "sales_team": "Manager.Name"}},
        },
        "Entered": {
            **LEAD,
            "profile": {**LEAD["profile"], "stages": {"sql": "Phase__c.entered.SQL"}},
        },
    }
    for name, expected in cases.items():
        fetcher, spec, _ = spec_of(entries[name])
        with pytest.raises(SyncConfigError) as caught:
            fetcher.check([spec])
        text = clean(caught.value)
        assert text.startswith("salesforce: object ") and expected in text, text
        assert "params/sources/sync/salesforce.yml" in text


def test_denied_object_names_the_permission(fake: FakeSalesforce) -> None:
    fake.add("Lead", lead(1, 3))
    fake.deny("Lead")
    fetcher, spec, _ = spec_of(LEAD)
    with pytest.raises(SyncConfigError) as caught:
        fetcher.check([spec])
    assert '"API Enabled" permission and read access on Lead' in clean(caught.value)


def test_query_time_invalid_field_and_type(fake: FakeSalesforce) -> None:
    fake.add("Lead", lead(1, 3))
    columns = {**LEAD["profile"]["columns"], "score": "Score__c"}
    fetcher, spec, _ = spec_of({**LEAD, "profile": {**LEAD["profile"], "columns": columns}})
    with pytest.raises(SyncConfigError, match=r"field 'Score__c' does not exist .*INVALID_FIELD"):
        read(fetcher, spec, None)
    fetcher, spec, _ = spec_of({**LEAD, "object": "Widget__c"})
    with pytest.raises(SyncConfigError, match="object 'Widget__c' is not supported"):
        read(fetcher, spec, None)


def test_shipped_default_profile_checks_against_a_standard_org(fake: FakeSalesforce) -> None:
    shipped = load_sync_source("salesforce", workspace=None)
    for spec in shipped.specs():
        fields = {p: "x" for p in spec.properties if ".entered." not in p}
        stamp = {"CreatedDate": sf_time(at(1)), "Id": f"{spec.api_object}-1"}
        fake.add(spec.api_object, {**fields, **stamp})
    fetcher = SalesforceFetcher(shipped, session=requests.Session())
    fetcher.check(shipped.specs())
    assert len(fake.queries) == 0


def test_missing_field_history_is_named_in_check(fake: FakeSalesforce) -> None:
    fake.add("Lead", lead(1, 3, Status="Open"))
    fetcher, spec, _ = spec_of({**LEAD, "history": ["Status"]})
    with pytest.raises(SyncConfigError) as caught:
        fetcher.check([spec])
    text = clean(caught.value)
    assert text.startswith("salesforce: object LeadHistory does not exist in this org")
    assert "turn on field history tracking" in text


def test_api_error_texts_are_scrubbed(fake: FakeSalesforce) -> None:
    fake.add("Lead", lead(1, 3))
    fetcher, spec, _ = spec_of({**LEAD, "where": f"Email = {TOKEN}"})
    with pytest.raises(SyncConfigError, match="MALFORMED_QUERY") as caught:
        fetcher.check([spec])
    assert fake.queries == [f"SELECT Id FROM Lead WHERE (Email = {TOKEN}) LIMIT 1"]
    assert "***" in clean(caught.value)
