"""Bergmann Industriesoftware's exports: a Marketo lead export and four CRM files.

- ``marketo_leads.csv``: Marketo's bulk export, API-name headers (``createdAt``,
  ``leadSource``), comma-separated UTF-8, times in UTC ISO 8601 (``2026-09-14T06:12:33Z``).
- ``crm_leads.csv``, ``crm_verkaufschancen.csv``, ``crm_aktivitaeten.csv``: the CRM's German
  exports, semicolon-separated UTF-8 with a BOM (what German Excel opens), dates
  ``31.12.2026 14:05`` (Berlin time), amounts ``1.234,56 €``.
- ``kampagnenkosten.csv``: controlling's programme costs in the same German layout.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from reviewkit.ingest.sample.zoo.formats import (
    german_money,
    local_text,
    person_names,
    phone_numbers,
    write_csv,
)

if TYPE_CHECKING:
    from reviewkit.ingest.sample.zoo.companies import ZooCompany

FIRST = ("Anna", "Lukas", "Sophie", "Maximilian", "Marie", "Jonas", "Lena", "Felix", "Laura",
         "Paul", "Julia", "Tobias", "Katharina", "Stefan", "Sabine", "Thomas")  # fmt: skip
LAST = ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
        "Schulz", "Hoffmann", "Schäfer", "Bauer", "Zimmermann", "Krause")  # fmt: skip
DATETIME = "%d.%m.%Y %H:%M"
DATE = "%d.%m.%Y"
PROBABILITY = {"Qualifizierung": "10", "Bedarfsanalyse": "25", "Angebot": "50",
               "Verhandlung": "75", "Gewonnen": "100", "Verloren": "0"}  # fmt: skip

FILES = {  # export file -> the profile that imports it
    "marketo_leads.csv": "marketo-leads",
    "crm_leads.csv": "crm-leads",
    "crm_verkaufschancen.csv": "crm-verkaufschancen",
    "crm_aktivitaeten.csv": "crm-aktivitaeten",
    "kampagnenkosten.csv": "kampagnenkosten",
}


def _stage_times(company: ZooCompany, ids: pd.Series, stage: str) -> pd.Series:
    events = company.tables["stage_events"]
    of_stage = events[events["stage"] == stage].set_index("lead_id")["entered_at"]
    return ids.map(of_stage)


def marketo_leads(company: ZooCompany) -> pd.DataFrame:
    """Marketo's lead export (API names; UTC times)."""
    leads = company.tables["leads"]
    ma = leads[leads["source_system"] == company.spec["source_systems"]["ma"]].reset_index(
        drop=True
    )
    rng = np.random.default_rng(company.spec["seed"] + 1)
    first, last = person_names(rng, len(ma), FIRST, LAST)
    iso = "%Y-%m-%dT%H:%M:%SZ"
    return pd.DataFrame(
        {
            "id": ma["lead_id"], "firstName": first, "lastName": last, "email": ma["email"],
            "phone": phone_numbers(rng, len(ma), "+49 89 #######"),
            "company": ma["company_name"], "website": ma["company_domain"],
            "createdAt": local_text(ma["created_at"], iso, tz="UTC"),
            "leadSource": ma["channel"], "acquisitionProgramName": ma["campaign_id"],
            "firstTouchAsset": ma["content_asset"], "industry": ma["industry"],
            "companySizeBand": ma["company_size"], "state": ma["region"],
            "jobFunction": ma["persona"], "salesTeam": ma["sales_team"],
            "leadScore": ma["score"].astype(object).where(ma["score"].notna(), None),
            "mqlDate": local_text(_stage_times(company, ma["lead_id"], "mql"), iso, tz="UTC"),
        }
    )  # fmt: skip


def crm_leads(company: ZooCompany) -> pd.DataFrame:
    """The CRM's leads (synced MQLs) with their SAL, SQL and proposal dates."""
    tz = company.spec["timezone"]
    leads = company.tables["leads"]
    crm = leads[leads["source_system"] == company.spec["source_systems"]["crm"]].reset_index(
        drop=True
    )
    rng = np.random.default_rng(company.spec["seed"] + 2)
    first, last = person_names(rng, len(crm), FIRST, LAST)
    when = {s: _stage_times(company, crm["lead_id"], s) for s in ("sal", "sql", "proposal")}
    status = np.where(when["proposal"].notna(), "Angebot",
                      np.where(when["sql"].notna(), "Qualifiziert",
                               np.where(when["sal"].notna(), "Akzeptiert", "Neu")))  # fmt: skip
    return pd.DataFrame(
        {
            "Lead-Nr.": crm["lead_id"],
            "Anrede": np.array(["Frau", "Herr"], dtype=object)[rng.integers(0, 2, len(crm))],
            "Vorname": first, "Nachname": last, "E-Mail": crm["email"],
            "Telefon": phone_numbers(rng, len(crm), "089 #######"),
            "Firma": crm["company_name"], "Website": crm["company_domain"],
            "Branche": crm["industry"], "Unternehmensgröße": crm["company_size"],
            "Bundesland": crm["region"], "Vertriebsteam": crm["sales_team"], "Status": status,
            "Erstellt am": local_text(crm["created_at"], DATETIME, tz=tz),
            "SAL am": local_text(when["sal"], DATETIME, tz=tz),
            "SQL am": local_text(when["sql"], DATETIME, tz=tz),
            "Angebot am": local_text(when["proposal"], DATETIME, tz=tz),
        }
    )  # fmt: skip


def crm_opportunities(company: ZooCompany) -> pd.DataFrame:
    """The CRM's opportunities (Verkaufschancen); open ones carry a planned close date."""
    tz = company.spec["timezone"]
    opps = company.tables["opportunities"].reset_index(drop=True)
    rng = np.random.default_rng(company.spec["seed"] + 3)
    planned = opps["created_at"] + pd.to_timedelta(rng.integers(30, 120, len(opps)), unit="D")
    close = opps["closed_at"].where(opps["closed_at"].notna(), planned)
    firm = opps["lead_id"].map(company.tables["leads"].set_index("lead_id")["company_name"])
    return pd.DataFrame(
        {
            "Chancen-Nr.": opps["opportunity_id"], "Lead-Nr.": opps["lead_id"], "Firma": firm,
            "Bezeichnung": firm + " – Produktionsplanung", "Phase": opps["stage"],
            "Betrag": german_money(opps["amount"]),
            "Wahrscheinlichkeit (%)": opps["stage"].map(PROBABILITY),
            "Erstellt am": local_text(opps["created_at"], DATETIME, tz=tz),
            "Abschlussdatum": local_text(close, DATE, tz=tz),
            "Vertriebsteam": opps["sales_team"],
        }
    )  # fmt: skip


def crm_activities(company: ZooCompany) -> pd.DataFrame:
    """The CRM's activities: calls, e-mails and meetings with leads."""
    acts = company.tables["activities"].reset_index(drop=True)
    subject = acts["activity_type"].map(
        {
            "Anruf": "Erstkontakt telefonisch",
            "E-Mail": "Erstkontakt per E-Mail",
            "Termin": "Qualifizierungstermin",
        }
    )
    return pd.DataFrame(
        {
            "Aktivitäts-Nr.": acts["activity_id"], "Lead-Nr.": acts["lead_id"],
            "Typ": acts["activity_type"], "Betreff": subject,
            "Datum": local_text(acts["occurred_at"], DATETIME, tz=company.spec["timezone"]),
            "Vertriebsteam": acts["team"],
        }
    )  # fmt: skip


def programme_costs(company: ZooCompany) -> pd.DataFrame:
    """Controlling's list of programmes and what each cost."""
    camp = company.tables["campaigns"].reset_index(drop=True)

    def day(values: pd.Series) -> list[str]:
        return [f"{d:%d.%m.%Y}" for d in values]

    return pd.DataFrame(
        {
            "Programm": camp["campaign_id"], "Bezeichnung": camp["name"],
            "Kanal": camp["channel"], "Inhalt": camp["content_asset"],
            "Beginn": day(camp["start_date"]), "Ende": day(camp["end_date"]),
            "Kosten": german_money(camp["cost"]),
        }
    )  # fmt: skip


def write(company: ZooCompany, directory: Path) -> list[Path]:
    """Write the five export files into ``directory``; return their paths."""
    paths = [write_csv(marketo_leads(company), directory / "marketo_leads.csv")]
    german = {
        "crm_leads.csv": crm_leads(company),
        "crm_verkaufschancen.csv": crm_opportunities(company),
        "crm_aktivitaeten.csv": crm_activities(company),
        "kampagnenkosten.csv": programme_costs(company),
    }
    paths += [write_csv(f, directory / name, sep=";", bom=True) for name, f in german.items()]
    return paths
