"""The HubSpot fetcher against a fake HubSpot on 127.0.0.1 (real HTTP, the official client)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fake_hubspot import FakeHubSpot, contact_properties, deal_properties, iso
from pytest_httpserver import HTTPServer

from reviewkit.errors import SyncConfigError, SyncFailedError
from reviewkit.ingest.sync.credentials import scrub
from reviewkit.ingest.sync.hubspot import HubSpotFetcher
from reviewkit.ingest.sync.pages import ObjectSpec, Page
from reviewkit.ingest.sync.retry import RetryPolicy
from reviewkit.ingest.sync.spec import SyncSource, load_sync_source

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
REPO = Path(__file__).resolve().parents[2]
TOKEN = "pat-na1-planted-secret-7f3a9c"


class Waits:
    """A RetryPolicy sleep that records the waits instead of sleeping."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


@pytest.fixture
def fake(
    httpserver_ipv4: HTTPServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> FakeHubSpot:
    portal = FakeHubSpot(httpserver_ipv4, token=TOKEN)
    monkeypatch.setenv("HUBSPOT_API_BASE", portal.base_url)
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("REVIEWKIT_CREDENTIALS", str(tmp_path / "absent.env"))
    for name in ("HUBSPOT_REFRESH_TOKEN", "HUBSPOT_CLIENT_ID", "HUBSPOT_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    return portal


@pytest.fixture
def waits() -> Waits:
    return Waits()


def fetcher(waits: Waits, *, source: SyncSource | None = None, **kw: Any) -> HubSpotFetcher:
    policy = RetryPolicy(attempts=4, budget=60, sleep=waits)
    return HubSpotFetcher(
        source or load_sync_source("hubspot", workspace=None), policy=policy, **kw
    )


def spec_of(name: str, source: SyncSource | None = None) -> ObjectSpec:
    src = source or load_sync_source("hubspot", workspace=None)
    return src.specs([name])[0]


def source_with(objects: list[dict[str, Any]]) -> SyncSource:
    return SyncSource.model_validate({"name": "hubspot", "api": "hubspot", "objects": objects})


def add_contacts(
    fake: FakeHubSpot, n: int, *, start: dt.datetime = T0, step: int = 60, owner: str | None = None
) -> list[str]:
    return [
        fake.add_contact(
            contact_properties(i, created=start, owner_id=owner),
            modified=start + dt.timedelta(seconds=i * step),
        )
        for i in range(n)
    ]


def ids_of(pages: list[Page]) -> list[str]:
    return [str(r["hs_object_id"]) for p in pages for r in p.rows]


# -- reading -------------------------------------------------------------------------------
def test_pages_come_in_modification_order_with_a_rising_cursor(
    fake: FakeHubSpot, waits: Waits
) -> None:
    ids = add_contacts(fake, 25)
    pages = list(fetcher(waits, page_size=10).changes(spec_of("contacts"), since=None))
    assert [len(p.rows) for p in pages] == [10, 10, 5]
    assert ids_of(pages) == ids
    assert [p.cursor for p in pages] == [T0 + dt.timedelta(minutes=m) for m in (9, 19, 24)]
    assert fake.count("/contacts/search") == 3
    assert not any(p.deleted for p in pages)  # a full read lists no archived records
    assert fake.count("/crm/v3/objects/contacts", "GET") == 0
    row = pages[0].rows[0]
    assert row["email"] == "person0@example0.test"
    assert row["hs_lifecyclestage_lead_date"] == iso(T0)
    assert row["hubspotscore"] == "0" and row["hs_analytics_source"] == "PAID_SEARCH"
    assert set(row) == set(pages[-1].rows[-1])  # every row has the same fields


def test_an_incremental_read_starts_at_since_and_ends_with_the_deleted(
    fake: FakeHubSpot, waits: Waits
) -> None:
    ids = add_contacts(fake, 10)
    since = T0 + dt.timedelta(minutes=6)
    pages = list(fetcher(waits).changes(spec_of("contacts"), since=since))
    assert ids_of(pages) == ids[6:]
    assert pages[-1] == Page(deleted=[], cursor=T0 + dt.timedelta(minutes=9))
    search = next(r for r in fake.requests if r.path.endswith("/search"))
    assert '"operator": "GTE"' in search.body and str(int(since.timestamp() * 1000)) in search.body


def test_a_window_past_the_search_limit_is_read_in_several_queries(
    fake: FakeHubSpot, waits: Waits
) -> None:
    fake.search_limit = 50
    ids = add_contacts(fake, 95, step=1)
    ids += add_contacts(fake, 20, start=T0 + dt.timedelta(seconds=94))  # 21 share 94 s
    pages = list(
        fetcher(waits, page_size=20, search_limit=50).changes(spec_of("contacts"), since=None)
    )
    assert sorted(ids_of(pages)) == sorted(ids)
    assert len(ids_of(pages)) == len(ids)  # nothing twice
    assert all(r.status == 200 for r in fake.requests)  # never paged past the limit
    assert fake.count("/search") > 115 // 40
    cursors = [p.cursor for p in pages if p.cursor]
    assert cursors == sorted(cursors)


def test_an_instant_holding_more_than_the_limit_is_read_by_id(
    fake: FakeHubSpot, waits: Waits
) -> None:
    fake.search_limit = 30
    same = add_contacts(fake, 70, step=0)
    later = add_contacts(fake, 5, start=T0 + dt.timedelta(hours=1))
    pages = list(
        fetcher(waits, page_size=10, search_limit=30).changes(spec_of("contacts"), since=None)
    )
    assert sorted(ids_of(pages)) == sorted(same + later)
    assert len(ids_of(pages)) == 75
    assert ids_of(pages)[-5:] == later


# -- derived fields ------------------------------------------------------------------------
def test_deals_carry_their_contact_owner_and_team(fake: FakeHubSpot, waits: Waits) -> None:
    fake.add_owner("41", "Aiko", "Sato", teams=[("Inside", False), ("Enterprise", True)])
    fake.add_owner("42", "Ken", "Ito", teams=[("SMB", False)], archived=True)
    contact = fake.add_contact(contact_properties(1, created=T0), modified=T0)
    other = fake.add_contact(contact_properties(2, created=T0), modified=T0)
    deals = [
        fake.add_deal(
            deal_properties(i, created=T0, owner_id=o, amount=5e5),
            modified=T0 + dt.timedelta(minutes=i),
        )
        for i, o in enumerate(["41", "42", None])
    ]
    fake.associate("deals", deals[0], "contacts", contact)
    fake.associate("deals", deals[0], "contacts", other)
    fake.associate("deals", deals[1], "contacts", other)
    rows = [r for p in fetcher(waits).changes(spec_of("deals"), since=None) for r in p.rows]
    assert [r["associations.contacts"] for r in rows] == [contact, other, None]
    assert [r["owner.name"] for r in rows] == ["Aiko Sato", "Ken Ito", None]
    assert [r["owner.team"] for r in rows] == ["Enterprise", "SMB", None]
    assert rows[0]["amount"] == "500000.00" and rows[0]["dealstage"] == "appointmentscheduled"
    assert fake.count("/owners") == 2  # active owners once, archived once (for Ken)
    assert fake.count("/crm/v4/associations/deals/contacts/batch/read") == 1


def test_calls_are_touches_with_a_contact_and_a_team(fake: FakeHubSpot, waits: Waits) -> None:
    fake.add_owner("7", "Mei", "Kato", teams=[("Field", False)])
    contact = fake.add_contact(contact_properties(1, created=T0), modified=T0)
    call = fake.add_call({"hs_timestamp": iso(T0), "hubspot_owner_id": "7"}, modified=T0)
    fake.associate("calls", call, "contacts", contact)
    (page,) = list(fetcher(waits).changes(spec_of("calls"), since=None))
    assert page.rows == [
        {
            "hs_timestamp": iso(T0),
            "hubspot_owner_id": "7",
            "hs_lastmodifieddate": iso(T0),
            "hs_object_id": call,
            "associations.contacts": contact,
            "owner.name": "Mei Kato",
            "owner.team": "Field",
        }
    ]


def entered_source() -> SyncSource:
    return source_with(
        [
            {
                "name": "contacts",
                "object": "contacts",
                "history": ["lifecyclestage"],
                "profile": {
                    "source_system": "ma",
                    "record": "leads",
                    "id": ["hs_object_id"],
                    "columns": {
                        "created_at": "createdate",
                        "email": "email",
                        "score": "hubspotscore",
                    },
                    "stages": {
                        "lead": "lifecyclestage.entered.lead",
                        "sql": "lifecyclestage.entered.salesqualifiedlead",
                        "opportunity": "mql_date__c",
                    },
                },
            }
        ]
    )


def test_entered_dates_come_from_property_history(fake: FakeHubSpot, waits: Waits) -> None:
    fake.add_property("contacts", "mql_date__c")
    history = [
        ("lead", T0),
        ("salesqualifiedlead", T0 + dt.timedelta(days=3)),
        ("lead", T0 + dt.timedelta(days=5)),
        ("salesqualifiedlead", T0 + dt.timedelta(days=9)),
    ]
    ids = [
        fake.add_contact(
            contact_properties(i, created=T0, mql_date__c="2026-03-04"),
            modified=T0,
            history={"lifecyclestage": history},
        )
        for i in range(60)
    ]
    source = entered_source()
    pages = list(fetcher(waits, source=source).changes(source.specs()[0], since=None))
    rows = [r for p in pages for r in p.rows]
    assert [r["hs_object_id"] for r in rows] == ids
    assert rows[0]["lifecyclestage.entered.lead"] == iso(T0)
    assert rows[0]["lifecyclestage.entered.salesqualifiedlead"] == iso(T0 + dt.timedelta(days=3))
    assert rows[59]["mql_date__c"] == "2026-03-04"
    assert fake.count("/batch/read") == 2  # 60 ids in batches of at most 50


def test_a_page_maps_through_the_import_profile(fake: FakeHubSpot, waits: Waits) -> None:
    from reviewkit.ingest.readers_table import RawTable
    from reviewkit.ingest.records import map_rows
    from reviewkit.ingest.rows import RowReader
    from reviewkit.model.definitions import load_definitions

    fake.add_property("contacts", "mql_date__c")
    rid = fake.add_contact(
        contact_properties(3, created=T0, mql_date__c=iso(T0)),
        modified=T0,
        history={"lifecyclestage": [("lead", T0)]},
    )
    source = entered_source()
    (page, *_) = list(fetcher(waits, source=source).changes(source.specs()[0], since=None))
    table = RawTable(
        file=Path("hubspot-contacts"),
        frame=pd.DataFrame(page.rows, dtype=object),
        row_numbers=[1],
        encoding=None,
        header_row=0,
    )
    reader = RowReader(
        profile=source.specs()[0].profile, timezone="Asia/Tokyo", now=T0 + dt.timedelta(days=30)
    )
    mapped = map_rows(
        table, reader, definitions=load_definitions(REPO / "params" / "definitions.yml")
    )
    assert not mapped.quarantine
    (record,) = mapped.records
    assert str(record["lead_id"]) == rid and record["score"] == 3
    entered = {e["stage"]: e["entered_at"] for e in mapped.events}
    assert set(entered) == {"lead", "opportunity"}  # from history, and the custom property
    assert entered["lead"] == entered["opportunity"]


# -- deletes and merges --------------------------------------------------------------------
def test_archived_records_since_the_cursor_are_deleted(fake: FakeHubSpot, waits: Waits) -> None:
    ids = add_contacts(fake, 6)
    fake.archive("contacts", ids[0], at=T0 - dt.timedelta(days=1))  # before since: known
    fake.archive("contacts", ids[1], at=T0 + dt.timedelta(hours=2))
    fake.archive("contacts", ids[2], at=T0 + dt.timedelta(hours=3))
    pages = list(fetcher(waits).changes(spec_of("contacts"), since=T0 + dt.timedelta(hours=1)))
    assert pages[-1].deleted == [ids[1], ids[2]]
    assert ids_of(pages) == []


def test_a_merge_names_the_surviving_record(fake: FakeHubSpot, waits: Waits) -> None:
    ids = add_contacts(fake, 4)
    fake.merge("contacts", ids[3], ids[1], at=T0 + dt.timedelta(hours=1))
    fake.merge("contacts", ids[3], ids[2], at=T0 + dt.timedelta(hours=2))
    pages = list(fetcher(waits).changes(spec_of("contacts"), since=T0 + dt.timedelta(hours=1)))
    assert ids_of(pages) == [ids[3]]
    assert pages[0].merged == {ids[1]: ids[3], ids[2]: ids[3]}
    assert pages[0].rows[0]["hs_merged_object_ids"] == f"{ids[1]};{ids[2]}"
    assert pages[-1].deleted == []  # a merged-away record is not a delete


# -- failures ------------------------------------------------------------------------------
def test_a_rate_limit_waits_retry_after_then_succeeds(fake: FakeHubSpot, waits: Waits) -> None:
    ids = add_contacts(fake, 3)
    fake.fail_next(2, status=429, retry_after="3")
    pages = list(fetcher(waits).changes(spec_of("contacts"), since=None))
    assert ids_of(pages) == ids
    assert waits.seconds == [3.0, 3.0]
    assert [r.status for r in fake.requests] == [429, 429, 200]


def test_server_errors_past_the_budget_fail_in_one_line(fake: FakeHubSpot, waits: Waits) -> None:
    add_contacts(fake, 3)
    fake.fail_next(10, status=503, retry_after=None)
    with pytest.raises(SyncFailedError) as caught:
        list(fetcher(waits).changes(spec_of("contacts"), since=None))
    message = str(caught.value)
    assert "\n" not in message and "hubspot contacts" in message and "503" in message
    assert waits.seconds == [1.0, 2.0, 4.0]  # back-off without Retry-After, 4 attempts
    assert fake.count("/search") == 4


def test_a_dropped_connection_is_retried_then_reported(
    fake: FakeHubSpot, waits: Waits, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("HUBSPOT_API_BASE", f"http://127.0.0.1:{port}")
    with pytest.raises(SyncFailedError, match="connection failed") as caught:
        fetcher(waits).check([spec_of("contacts")])
    assert len(waits.seconds) == 3 and TOKEN not in str(caught.value)


def test_another_status_fails_naming_source_object_and_status(
    fake: FakeHubSpot, waits: Waits
) -> None:
    fake.fail_next(1, status=418)
    with pytest.raises(SyncFailedError, match=r"hubspot: object deals \(deals\).*HTTP 418"):
        list(fetcher(waits).changes(spec_of("deals"), since=None))
    assert waits.seconds == []


def test_an_expired_token_is_refreshed_once_and_the_new_one_hidden(
    fake: FakeHubSpot, waits: Waits, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUBSPOT_REFRESH_TOKEN", fake.refresh_token)
    monkeypatch.setenv("HUBSPOT_CLIENT_ID", fake.client_id)
    monkeypatch.setenv("HUBSPOT_CLIENT_SECRET", fake.client_secret)
    ids = add_contacts(fake, 15)
    reader = fetcher(waits, page_size=10)
    pages = reader.changes(spec_of("contacts"), since=None)
    first = next(pages)
    fake.expire_token()
    rest = list(pages)
    assert ids_of([first, *rest]) == ids
    (new,) = fake.issued_tokens
    assert scrub(f"token {new} and {TOKEN}") == "token *** and ***"
    assert fake.count("/oauth/v1/token") == 1
    assert [r.status for r in fake.requests if "search" in r.path] == [200, 401, 200]


def test_a_refused_token_without_refresh_names_the_variable(
    fake: FakeHubSpot, waits: Waits
) -> None:
    fake.expire_token()
    with pytest.raises(SyncConfigError) as caught:
        fetcher(waits).check([spec_of("contacts")])
    message = str(caught.value)
    assert message.startswith("hubspot: HUBSPOT_ACCESS_TOKEN was refused (401")
    assert "private-app token" in message and TOKEN not in message and "\n" not in message
    assert fake.count("/oauth") == 0


def test_a_refused_refresh_names_the_variables(
    fake: FakeHubSpot, waits: Waits, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUBSPOT_REFRESH_TOKEN", "refresh-revoked-123")
    monkeypatch.setenv("HUBSPOT_CLIENT_ID", fake.client_id)
    monkeypatch.setenv("HUBSPOT_CLIENT_SECRET", fake.client_secret)
    fake.expire_token()
    with pytest.raises(SyncConfigError, match="HUBSPOT_REFRESH_TOKEN") as caught:
        fetcher(waits).check([spec_of("contacts")])
    assert "refresh-revoked-123" not in str(caught.value)


def test_a_missing_token_names_the_variable(
    fake: FakeHubSpot, waits: Waits, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HUBSPOT_ACCESS_TOKEN")
    with pytest.raises(SyncConfigError, match="HUBSPOT_ACCESS_TOKEN is not set"):
        fetcher(waits).check([spec_of("contacts")])
    assert fake.requests == []


def test_a_missing_scope_names_the_scope(fake: FakeHubSpot, waits: Waits) -> None:
    fake.missing_scope("deals")
    source = load_sync_source("hubspot", workspace=None)
    with pytest.raises(SyncConfigError) as caught:
        fetcher(waits).check(source.specs())
    assert "crm.objects.deals.read" in str(caught.value) and "object deals" in str(caught.value)


def test_a_missing_owners_scope_is_found_by_check(fake: FakeHubSpot, waits: Waits) -> None:
    fake.missing_scope("owners")
    with pytest.raises(SyncConfigError, match=r"crm\.objects\.owners\.read"):
        fetcher(waits).check([spec_of("contacts")])


def test_a_profile_property_the_portal_lacks_is_named(fake: FakeHubSpot, waits: Waits) -> None:
    source = entered_source()  # maps mql_date__c, which this portal does not have
    with pytest.raises(SyncConfigError) as caught:
        fetcher(waits, source=source).check(source.specs())
    message = str(caught.value)
    assert "object contacts (contacts) has no property 'mql_date__c'" in message
    assert "add the property in HubSpot or change params/sources/sync/hubspot.yml" in message
    fake.add_property("contacts", "mql_date__c")
    fetcher(waits, source=source).check(source.specs())
    assert fake.count("/crm/v3/properties/contacts") == 2


def test_derived_fields_need_their_base_property(fake: FakeHubSpot, waits: Waits) -> None:
    fake.objects["calls"].properties.remove("hubspot_owner_id")
    with pytest.raises(SyncConfigError, match="no property 'hubspot_owner_id'"):
        fetcher(waits).check([spec_of("calls")])


def test_an_unknown_object_is_named(fake: FakeHubSpot, waits: Waits) -> None:
    source = source_with(
        [
            {
                "name": "leads",
                "object": "leadz",
                "profile": {
                    "source_system": "ma",
                    "record": "leads",
                    "id": ["hs_object_id"],
                    "columns": {"email": "email"},
                },
            }
        ]
    )
    with pytest.raises(SyncConfigError, match=r"object leads: 'leadz' is not a HubSpot object"):
        fetcher(waits, source=source).check(source.specs())


def test_a_search_refusing_a_property_is_a_config_error(fake: FakeHubSpot, waits: Waits) -> None:
    fake.objects["meetings"].properties.remove("hs_lastmodifieddate")
    with pytest.raises(SyncConfigError, match="has no property 'hs_lastmodifieddate'"):
        list(fetcher(waits).changes(spec_of("meetings"), since=None))


def test_the_token_never_leaves_the_authorization_header(
    fake: FakeHubSpot, waits: Waits, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_contacts(fake, 12, owner=None)
    fake.add_owner("1", "A", "B")
    texts = []
    for fault in (
        lambda: fake.fail_next(9, status=500, retry_after=None),
        lambda: fake.fail_next(1, status=400),
        fake.expire_token,
        lambda: fake.missing_scope("contacts"),
    ):
        fault()
        with pytest.raises((SyncConfigError, SyncFailedError)) as caught:
            list(fetcher(waits).changes(spec_of("contacts"), since=T0))
        texts.append(f"{caught.value!s} {caught.value!r}")
    assert all(TOKEN not in text for text in texts)
    assert fake.requests
    for served in fake.requests:
        others = {k: v for k, v in served.headers.items() if k.lower() != "authorization"}
        assert TOKEN not in f"{served.path}?{served.query} {served.body} {others}"
        assert served.headers.get("Authorization") in (f"Bearer {TOKEN}", None)


def test_an_update_is_read_again_and_nothing_else(fake: FakeHubSpot, waits: Waits) -> None:
    ids = add_contacts(fake, 8)
    first = list(fetcher(waits).changes(spec_of("contacts"), since=None))
    cursor = first[-1].cursor
    assert cursor is not None
    fake.update("contacts", ids[2], modified=cursor + dt.timedelta(hours=1), company="Renamed")
    naive = cursor.replace(tzinfo=None) + dt.timedelta(minutes=1)  # a naive time is UTC
    pages = list(fetcher(waits).changes(spec_of("contacts"), since=naive))
    assert ids_of(pages) == [ids[2]] and pages[0].rows[0]["company"] == "Renamed"
    assert pages[-1].cursor == cursor + dt.timedelta(hours=1)


def test_a_refresh_token_alone_gets_an_access_token(
    fake: FakeHubSpot, waits: Waits, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HUBSPOT_ACCESS_TOKEN")
    monkeypatch.setenv("HUBSPOT_REFRESH_TOKEN", fake.refresh_token)
    monkeypatch.setenv("HUBSPOT_CLIENT_ID", fake.client_id)
    monkeypatch.setenv("HUBSPOT_CLIENT_SECRET", fake.client_secret)
    fetcher(waits).check([spec_of("deals")])
    assert [r.path for r in fake.requests][:2] == ["/oauth/v1/token", "/crm/v3/properties/deals"]
    assert all(r.status == 200 for r in fake.requests) and fake.issued_tokens
