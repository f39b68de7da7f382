"""A small HubSpot company for sync tests and the sync benchmark: the same records as API
records (for the fake HubSpot of ``fake_hubspot.py``) and as the CSV exports a user would
import instead (HubSpot's contacts and deals export layouts, and a calls file).

Times are whole minutes in UTC; the exports show them in the workspace's zone, as HubSpot's
exports show the portal's.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

SOURCES = {  # hs_analytics_source -> the export's "Original Source" label
    "PAID_SEARCH": "Paid Search", "ORGANIC_SEARCH": "Organic Search",
    "SOCIAL_MEDIA": "Social Media", "EMAIL_MARKETING": "Email Marketing",
    "REFERRALS": "Referrals", "OFFLINE": "Offline Sources",
}  # fmt: skip
STAGES = (  # lifecycle date property, export column
    ("hs_lifecyclestage_lead_date", "Became a Lead Date"),
    ("hs_lifecyclestage_marketingqualifiedlead_date", "Became a Marketing Qualified Lead Date"),
    ("hs_lifecyclestage_salesqualifiedlead_date", "Became a Sales Qualified Lead Date"),
    ("hs_lifecyclestage_opportunity_date", "Became an Opportunity Date"),
    ("hs_lifecyclestage_customer_date", "Became a Customer Date"),
)
OWNERS = {"11": ("Aiko", "Sato"), "12": ("Ben", "Carter"), "13": ("Chen", "Wei")}
START = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
CALLS_PROFILE = """\
source_system: ma
record: activities
id: [Call ID]
columns: {lead_id: Contact ID, occurred_at: Date, team: Team}
defaults: {activity_type: call}
"""


def iso(when: dt.datetime) -> str:
    """HubSpot's datetime text (UTC, milliseconds)."""
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass
class SyncCompany:
    """Contacts (with lifecycle dates), their deals and calls, as plain dicts."""

    contacts: list[dict[str, Any]] = field(default_factory=list)
    deals: list[dict[str, Any]] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)


def make_company(n: int, *, seed: int = 7, first_id: int = 1) -> SyncCompany:
    """``n`` contacts over June-November 2026; about 1 in 8 reaches a deal."""
    rng = random.Random(seed)
    company = SyncCompany()
    for i in range(first_id, first_id + n):
        created = START + dt.timedelta(minutes=rng.randrange(0, 170 * 24 * 60))
        dates, at = [created], created
        for _ in STAGES[1:]:
            if rng.random() < 0.5:
                break
            at += dt.timedelta(minutes=rng.randrange(60, 20 * 24 * 60))
            dates.append(at)
        dates = [d for d in dates if d < dt.datetime(2026, 11, 30, tzinfo=dt.UTC)]
        owner = rng.choice(list(OWNERS))
        contact = {
            "id": str(i), "created": created, "email": f"person{i}@example.com",
            "company": f"Company {i % 97}", "source": rng.choice(list(SOURCES)),
            "campaign": f"cmp-{i % 13}", "score": str(rng.randrange(0, 100)), "owner": owner,
            "dates": dates, "modified": dates[-1] + dt.timedelta(minutes=5),
        }  # fmt: skip
        company.contacts.append(contact)
        if len(dates) >= 4:  # an opportunity: a deal
            won = len(dates) == 5
            company.deals.append({
                "id": str(500_000 + i), "contact": str(i), "created": dates[3],
                "closed": dates[4] if won else None, "amount": str(rng.randrange(10, 500) * 10_000),
                "stage": "closedwon" if won else "appointmentscheduled", "owner": owner,
                "modified": dates[-1] + dt.timedelta(minutes=7),
            })  # fmt: skip
        if rng.random() < 0.3:
            at = created + dt.timedelta(minutes=rng.randrange(30, 3 * 24 * 60))
            if at < dt.datetime(2026, 11, 30, tzinfo=dt.UTC):
                company.calls.append({"id": str(900_000 + i), "contact": str(i), "at": at,
                                      "modified": at + dt.timedelta(minutes=1)})  # fmt: skip
    return company


def contact_props(c: dict[str, Any]) -> dict[str, str | None]:
    """A contact's HubSpot properties."""
    props: dict[str, str | None] = {
        "email": c["email"], "company": c["company"], "createdate": iso(c["created"]),
        "hs_analytics_source": c["source"], "hs_analytics_source_data_1": c["campaign"],
        "hubspotscore": c["score"], "hubspot_owner_id": c["owner"],
    }  # fmt: skip
    for (prop, _), when in zip(STAGES, c["dates"], strict=False):
        props[prop] = iso(when)
    return props


def load_into(fake: Any, company: SyncCompany) -> None:
    """Put the company into a ``fake_hubspot.FakeHubSpot``."""
    for owner_id, (first, last) in OWNERS.items():
        if not any(o["id"] == owner_id for o in fake.owners):
            fake.add_owner(owner_id, first, last)
    for c in company.contacts:
        fake.add_contact(contact_props(c), modified=c["modified"], record_id=int(c["id"]))
    for d in company.deals:
        props = {
            "dealname": f"Deal {d['id']}", "amount": d["amount"], "deal_currency_code": "JPY",
            "createdate": iso(d["created"]), "closedate": iso(d["closed"]) if d["closed"] else None,
            "dealstage": d["stage"], "pipeline": "default", "hubspot_owner_id": d["owner"],
        }  # fmt: skip
        fake.add_deal(props, modified=d["modified"], record_id=int(d["id"]))
        fake.associate("deals", d["id"], "contacts", d["contact"])
    for call in company.calls:
        props = {"hs_timestamp": iso(call["at"]), "hubspot_owner_id": None}
        fake.add_call(props, modified=call["modified"], record_id=int(call["id"]))
        fake.associate("calls", call["id"], "contacts", call["contact"])


def write_exports(company: SyncCompany, folder: Path, *, timezone: str) -> dict[str, Path]:
    """The same records as HubSpot's contacts and deals exports and a calls file."""
    tz = ZoneInfo(timezone)

    def local(when: dt.datetime | None) -> str:
        return when.astimezone(tz).strftime("%Y-%m-%d %H:%M") if when else ""

    def owner(owner_id: str) -> str:
        return " ".join(OWNERS[owner_id])

    folder.mkdir(parents=True, exist_ok=True)
    files = {"contacts": folder / "contacts.csv", "deals": folder / "deals.csv",
             "calls": folder / "calls.csv"}  # fmt: skip
    head = ["Record ID", "Create Date", "Email", "Company Name", "Original Source",
            "Original Source Drill-Down 1", "Contact owner", "HubSpot Score",
            *(column for _, column in STAGES)]  # fmt: skip
    rows = [[c["id"], local(c["created"]), c["email"], c["company"], SOURCES[c["source"]],
             c["campaign"], owner(c["owner"]), c["score"],
             *(local(d) for d in c["dates"]), *([""] * (len(STAGES) - len(c["dates"])))]
            for c in company.contacts]  # fmt: skip
    _write(files["contacts"], head, rows)
    head = ["Deal ID", "Associated Contact IDs", "Amount", "Create Date", "Close Date",
            "Deal Stage", "Deal owner"]  # fmt: skip
    rows = [[d["id"], d["contact"], d["amount"], local(d["created"]), local(d["closed"]),
             d["stage"], owner(d["owner"])] for d in company.deals]  # fmt: skip
    _write(files["deals"], head, rows)
    rows = [[k["id"], k["contact"], local(k["at"]), ""] for k in company.calls]
    _write(files["calls"], ["Call ID", "Contact ID", "Date", "Team"], rows)
    return files


def _write(path: Path, head: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(head)
        writer.writerows(rows)
