"""Northwind Analytics' exports: three Salesforce report CSVs ("Details Only").

Every value is double-quoted, dates are US (``12/31/2026``, date-times ``11/3/2026 2:15 PM``,
New York time), amounts ``$22,700.00``, and each file ends with Salesforce's footer lines. A
lead's and an opportunity's owner is a rep (the profiles map reps to teams); the lead report's
``Converted Opportunity ID`` links each opportunity to its lead (the opportunity profile looks
it up).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from reviewkit.ingest.sample.zoo.formats import (
    SALESFORCE_FOOTER,
    person_names,
    phone_numbers,
    us_date,
    us_datetime,
    us_money,
    write_csv,
)

if TYPE_CHECKING:
    from reviewkit.ingest.sample.zoo.companies import ZooCompany

FIRST = ("James", "Mary", "Robert", "Patricia", "Michael", "Jennifer", "David", "Linda",
         "William", "Elizabeth", "Carlos", "Priya", "Wei", "Aisha", "Liam", "Olivia")  # fmt: skip
LAST = ("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
        "Martinez", "Chen", "Patel", "Nguyen", "Wilson", "Anderson")  # fmt: skip
TITLES = {
    "Executive": ("CEO", "COO", "VP Operations"),
    "Director": ("Director of IT", "Director of Finance", "Director of Operations"),
    "Manager": ("IT Manager", "Operations Manager", "Finance Manager"),
    "Individual Contributor": ("Analyst", "Engineer", "Specialist"),
}
PROBABILITY = {"Prospecting": 10, "Qualification": 10, "Needs Analysis": 20,
               "Proposal/Price Quote": 75, "Negotiation/Review": 90, "Closed Won": 100,
               "Closed Lost": 0}  # fmt: skip
FORECAST = {"Prospecting": "Pipeline", "Qualification": "Pipeline", "Needs Analysis": "Pipeline",
            "Proposal/Price Quote": "Best Case", "Negotiation/Review": "Commit",
            "Closed Won": "Closed", "Closed Lost": "Omitted"}  # fmt: skip

FILES = {  # export file -> the profile that imports it
    "salesforce_leads.csv": "sf-leads",
    "salesforce_opportunities.csv": "sf-opportunities",
    "salesforce_activities.csv": "sf-activities",
}


def owners(company: ZooCompany) -> pd.Series:
    """Each lead's owner (lead id -> rep): a rep of its team, in turn.

    From the follow-up problem's start, the team that lost two reps routes every new lead to
    the one rep left (the first of the team's list).
    """
    leads = company.tables["leads"]
    reps: dict[str, list[str]] = company.spec["reps"]
    follow = company.truth["planted_problems"]["follow_up"]
    start = pd.Timestamp(follow["starts"]).tz_localize(company.spec["timezone"])
    k = np.arange(len(leads))
    owner = [
        reps[team][0] if team == follow["sales_team"] and created >= start else reps[team][i % 3]
        for i, team, created in zip(k, leads["sales_team"], leads["created_at"], strict=True)
    ]
    return pd.Series(owner, index=leads["lead_id"].to_numpy(), dtype=object)


def lead_report(company: ZooCompany, owner: pd.Series) -> pd.DataFrame:
    """The leads report: one row per lead, with its conversion."""
    tz = company.spec["timezone"]
    leads = company.tables["leads"].reset_index(drop=True)
    opps = company.tables["opportunities"].set_index("lead_id")
    rng = np.random.default_rng(company.spec["seed"] + 1)
    first, last = person_names(rng, len(leads), FIRST, LAST)
    title = [TITLES[p][i % 3] for i, p in enumerate(leads["persona"])]
    converted = leads["lead_id"].isin(opps.index)
    opp_created = leads["lead_id"].map(opps["created_at"])
    status = np.where(converted, "Qualified", np.where(rng.random(len(leads)) < 0.5,
                      "Working - Contacted", "Unqualified"))  # fmt: skip
    return pd.DataFrame(
        {
            "Lead ID": leads["lead_id"],
            "Lead Owner": leads["lead_id"].map(owner),
            "First Name": first,
            "Last Name": last,
            "Title": title,
            "Company / Account": leads["company_name"],
            "Website": leads["company_domain"],
            "Lead Source": leads["channel"],
            "Industry": leads["industry"],
            "Company Size": leads["company_size"],
            "State/Province": leads["region"],
            "Rating": np.array(["Hot", "Warm", "Cold"], dtype=object)[
                rng.integers(0, 3, len(leads))
            ],
            "Email": leads["email"],
            "Phone": phone_numbers(rng, len(leads), "(###) 555-####"),
            "Lead Status": status,
            "Create Date": us_datetime(leads["created_at"], tz=tz),
            "Converted": np.where(converted, "1", "0"),
            "Converted Date": us_date(opp_created, tz=tz),
            "Converted Opportunity ID": leads["lead_id"].map(opps["opportunity_id"]),
        }
    )


def _fiscal_period(days: pd.Series, start_month: int) -> list[str]:
    """Salesforce's ``Q3-2027``: the quarter, and the fiscal year named by its ending year."""
    out = []
    for day in days:
        offset = (day.month - start_month) % 12
        ends = day.year + (1 if day.month >= start_month and start_month > 1 else 0)
        out.append(f"Q{offset // 3 + 1}-{ends}")
    return out


def opportunity_report(company: ZooCompany, owner: pd.Series) -> pd.DataFrame:
    """The opportunities report: one row per opportunity (open ones with a planned close)."""
    tz, spec = company.spec["timezone"], company.spec
    opps = company.tables["opportunities"].reset_index(drop=True)
    leads = company.tables["leads"].set_index("lead_id")
    rng = np.random.default_rng(spec["seed"] + 2)
    planned = opps["created_at"] + pd.to_timedelta(rng.integers(20, 90, len(opps)), unit="D")
    close = opps["closed_at"].where(opps["closed_at"].notna(), planned.dt.normalize())
    as_of = pd.Timestamp(spec["last_day"]).tz_localize(tz) + pd.Timedelta(days=1)
    age = (close.where(opps["closed_at"].notna(), as_of) - opps["created_at"]).dt.days
    account = opps["lead_id"].map(leads["company_name"])
    return pd.DataFrame(
        {
            "Opportunity Owner": opps["lead_id"].map(owner),
            "Account Name": account,
            "Opportunity Name": account + " - Platform",
            "Stage": opps["stage"],
            "Forecast Category": opps["stage"].map(FORECAST),
            "Fiscal Period": _fiscal_period(
                close.dt.tz_convert(tz), spec["fiscal_year_start_month"]
            ),
            "Amount": us_money(opps["amount"]),
            "Probability (%)": opps["stage"].map(PROBABILITY).astype(str),
            "Age": age.astype(str),
            "Close Date": us_date(close, tz=tz),
            "Created Date": us_datetime(opps["created_at"], tz=tz),
            "Next Step": "",
            "Lead Source": opps["lead_id"].map(leads["channel"]),
            "Type": "New Business",
            "Opportunity ID": opps["opportunity_id"],
        }
    )


def activity_report(company: ZooCompany, owner: pd.Series) -> pd.DataFrame:
    """The tasks-and-events report: every call, e-mail and meeting with a lead."""
    tz = company.spec["timezone"]
    acts = company.tables["activities"].reset_index(drop=True)
    leads = company.tables["leads"].set_index("lead_id")
    subject = acts["activity_type"].map(
        {
            "Call": "Call",
            "Email": "Email: Following up on your request",
            "Meeting": "Discovery meeting",
        }
    )
    return pd.DataFrame(
        {
            "Activity ID": acts["activity_id"],
            "Assigned": acts["lead_id"].map(owner),
            "Subject": subject,
            "Activity Type": acts["activity_type"],
            "Created Date": us_datetime(acts["occurred_at"], tz=tz),
            "Lead ID": acts["lead_id"],
            "Company / Account": acts["lead_id"].map(leads["company_name"]),
        }
    )


def write(company: ZooCompany, directory: Path) -> list[Path]:
    """Write the three report CSVs into ``directory``; return their paths."""
    owner = owners(company)
    frames: dict[str, Any] = {
        "salesforce_leads.csv": lead_report(company, owner),
        "salesforce_opportunities.csv": opportunity_report(company, owner),
        "salesforce_activities.csv": activity_report(company, owner),
    }
    return [
        write_csv(frame, directory / name, quote_all=True, footer=SALESFORCE_FOOTER)
        for name, frame in frames.items()
    ]
