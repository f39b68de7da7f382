"""Write the example exports of docs/own-data.md (run once; the CSV files are committed).

A small, fictitious B2B software company: leads from its MA (with fake people at example.com),
deals from its CRM, campaign costs per month from a marketing spreadsheet, and the touches of
its inside-sales team. Every person, company and address is made up. Two deals were created
in the CRM before their lead reached the MA, as happens: the import warns about them.

    python docs/examples/own-data/make_examples.py
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
START, END = dt.date(2025, 7, 1), dt.date(2026, 11, 20)
CAMPAIGNS = {  # campaign id: (source, channel of the cost file, monthly cost in yen)
    "PS-BRAND": ("Paid Search", "Paid Search", 180_000),
    "PS-GENERIC": ("Paid Search", "Paid Search", 420_000),
    "WEB-MONTHLY": ("Webinar", "Webinar", 150_000),
    "SEO-BLOG": ("Organic Search", "Content", 90_000),
    "REF-PARTNERS": ("Referral", "Partners", 60_000),
}
FIRST = ["Aoi", "Haruto", "Yui", "Sota", "Mei", "Ren", "Hina", "Kaito", "Rin", "Yuto"]
LAST = ["Sample", "Testing", "Demo", "Placeholder", "Fictional"]
INDUSTRIES = ["Manufacturing", "IT", "Retail", "Finance"]
SIZES = ["1-49", "50-249", "250-999", "1000+"]
REGIONS = ["Kanto", "Kansai", "Chubu"]


def _days() -> list[dt.date]:
    days, day = [], START
    while day <= END:
        days.append(day)
        day += dt.timedelta(days=1)
    return days


def _stamp(day: dt.date, rng: np.random.Generator) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9)) + dt.timedelta(minutes=int(rng.integers(0, 540)))


def _later(moment: dt.datetime, low: float, high: float, rng: np.random.Generator) -> dt.datetime:
    return moment + dt.timedelta(hours=float(rng.uniform(low, high)))


def main() -> None:
    """Write leads.csv, deals.csv, touches.csv and campaign-costs.csv next to this script."""
    rng = np.random.default_rng(7)
    cutoff = dt.datetime.combine(END, dt.time(23, 59))
    leads, deals, touches = [], [], []
    for day in _days():
        weekday = day.weekday() < 5
        for _ in range(rng.poisson(1.9 if weekday else 0.3)):
            n = len(leads) + 1
            created = _stamp(day, rng)
            campaign = str(rng.choice(list(CAMPAIGNS), p=[0.2, 0.3, 0.2, 0.2, 0.1]))
            score = int(np.clip(rng.normal(52, 18), 0, 100))
            mql = _later(created, 2, 240, rng) if score >= 55 and rng.random() < 0.8 else None
            sql = _later(mql, 24, 400, rng) if mql and rng.random() < 0.5 else None
            team = str(rng.choice(["Team A", "Team B"]))
            first, last = str(rng.choice(FIRST)), str(rng.choice(LAST))
            lead = {
                "Lead ID": f"L-{n:04d}",
                "First Name": first,
                "Last Name": last,
                "Email": f"{first.lower()}.{last.lower()}{n}@example.com",
                "Company": f"Example Client {n % 180 + 1}",
                "Created": created,
                "Source": CAMPAIGNS[campaign][0],
                "Campaign": campaign,
                "Industry": str(rng.choice(INDUSTRIES)),
                "Employees": str(rng.choice(SIZES)),
                "Region": str(rng.choice(REGIONS)),
                "Score": score,
                "MQL Date": mql,
                "SQL Date": sql,
                "Owner Team": team,
            }
            leads.append(lead)
            if mql is not None:
                touches.append((lead["Lead ID"], "Newsletter", _later(mql, 0.1, 1, rng), ""))
                if rng.random() < 0.85:
                    first_touch = _later(mql, 1, 60, rng)
                    touches.append((lead["Lead ID"], "Call", first_touch, team))
                    if rng.random() < 0.5:
                        touches.append(
                            (lead["Lead ID"], "Email", _later(first_touch, 2, 72, rng), team)
                        )
            if sql is not None and rng.random() < 0.6:
                opened = _later(sql, 48, 600, rng)
                closed = _later(opened, 400, 1600, rng)
                outcome = rng.random()
                stage = "Won" if outcome < 0.38 else "Lost" if outcome < 0.8 else "Proposal"
                if stage != "Proposal" and closed > cutoff:
                    stage = "Negotiation"
                amount = int(rng.lognormal(14.2, 0.5) // 10_000 * 10_000)
                deals.append(
                    {
                        "Deal ID": f"D-{len(deals) + 1:04d}",
                        "Lead ID": lead["Lead ID"],
                        "Created": opened,
                        "Close Date": closed if stage in ("Won", "Lost") else None,
                        "Stage": stage,
                        "Amount": f"¥{amount:,}",
                        "Sales Team": team,
                    }
                )
                touches.append((lead["Lead ID"], "Meeting", _later(opened, -24, -1, rng), team))
    leads = [r for r in leads if r["Created"] <= cutoff]
    for lead in leads:
        for key in ("MQL Date", "SQL Date"):
            if lead[key] is not None and lead[key] > cutoff:
                lead[key] = None
    deals = [d for d in deals if d["Created"] <= cutoff]
    # two deals the CRM had before the MA saw the person (the import warns about them)
    created = {lead["Lead ID"]: lead["Created"] for lead in leads}
    for deal in (deals[5], deals[20]):
        deal["Created"] = created[deal["Lead ID"]] - dt.timedelta(days=2)
    touches = sorted((t for t in touches if t[2] <= cutoff), key=lambda t: t[2])
    _write("leads.csv", leads)
    _write("deals.csv", deals)
    _write(
        "touches.csv",
        [{"Lead ID": t[0], "Type": t[1], "Date": t[2], "Team": t[3]} for t in touches],
    )
    costs = []
    month = START.replace(day=1)
    while month <= END:
        for campaign, (_, channel, cost) in CAMPAIGNS.items():
            spend = int(cost * rng.uniform(0.8, 1.2) // 1000 * 1000)
            costs.append(
                {"Campaign": campaign, "Channel": channel, "Month": f"{month:%Y-%m}",
                 "Cost": f"{spend:,}"}
            )  # fmt: skip
        month = (month + dt.timedelta(days=32)).replace(day=1)
    _write("campaign-costs.csv", costs)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    return str(value)


def _write(name: str, rows: list[dict[str, object]]) -> None:
    with (HERE / name).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _text(v) for k, v in row.items()})
    print(f"{name}: {len(rows)} rows")


if __name__ == "__main__":
    main()
