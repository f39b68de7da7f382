"""Bergmann Industriesoftware's records: Marketo and CRM leads, events, deals and touches."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from reviewkit.ingest.sample.zoo import engine

WORDS = (
    ["Huber", "Schneider", "Becker", "Wagner", "Hoffmann", "Schäfer", "Koch", "Richter",
     "Klein", "Wolf", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hartmann"],
    ["Maschinenbau GmbH", "Logistik GmbH", "Handels AG", "Automotive GmbH", "Medizintechnik GmbH",
     "Anlagenbau KG", "Systemhaus GmbH", "Präzisionstechnik GmbH", "Holding AG", "Werke GmbH"],
)  # fmt: skip


def people(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Marketo ids, companies, domains and e-mails of ``n`` leads."""
    company_no = rng.integers(0, 5_000, n)
    first, second = WORDS
    return {
        "lead_id": np.array([str(1_000_001 + k) for k in range(n)], dtype=object),
        "company_name": np.array(
            [f"{first[c % 16]} {second[(c // 16) % 10]}" for c in company_no], dtype=object
        ),
        "company_domain": np.array([f"firma{c:04d}.de" for c in company_no], dtype=object),
        "email": np.array(
            [f"kontakt{k + 1:06d}@firma{c:04d}.de" for k, c in enumerate(company_no)], dtype=object
        ),
    }


def crm_email(emails: np.ndarray, share: float) -> np.ndarray:
    """The CRM's copy of each e-mail: every other one (``share``) in capitals or with spaces."""
    out = np.array(emails, dtype=object)
    step = max(1, round(1 / share)) if share > 0 else 0
    for k in range(0, len(out), step) if step else ():
        out[k] = f"  {out[k].upper()} " if (k // step) % 2 else out[k].title()
    return out


def leads(
    spec: dict[str, Any], truth: dict[str, Any], who: dict[str, np.ndarray], created: np.ndarray,
    channel: np.ndarray, attrs: dict[str, Any], early: dict[str, np.ndarray],
    score: np.ndarray,
) -> tuple[pd.DataFrame, np.ndarray]:  # fmt: skip
    """Marketo and CRM lead records; returns the frame and each lead's CRM id (or None)."""
    systems = spec["source_systems"]
    marketo = pd.DataFrame(
        {
            "lead_id": who["lead_id"], "source_system": systems["ma"], "created_at": created,
            "email": who["email"], "company_name": who["company_name"],
            "company_domain": who["company_domain"], "channel": channel,
            "campaign_id": attrs["campaign_id"], "content_asset": attrs["content_asset"],
            "industry": attrs["industry"], "company_size": attrs["company_size"],
            "region": attrs["region"], "persona": attrs["persona"],
            "sales_team": attrs["sales_team"], "score": pd.array(score, dtype="Int64"),
        }
    )  # fmt: skip
    rows = np.flatnonzero(early["crm"])
    crm_id = np.full(len(created), None, dtype=object)
    crm_id[rows] = [f"L-{k:06d}" for k in range(1, len(rows) + 1)]
    share = float(truth["flaws"]["crm_email_variants"]["share"])
    crm = pd.DataFrame(
        {
            "lead_id": crm_id[rows], "source_system": systems["crm"],
            "created_at": early["crm_at"][rows], "email": crm_email(who["email"][rows], share),
            "company_name": who["company_name"][rows],
            "company_domain": who["company_domain"][rows], "channel": None,
            "campaign_id": None, "content_asset": None, "industry": attrs["industry"][rows],
            "company_size": attrs["company_size"][rows], "region": attrs["region"][rows],
            "persona": None, "sales_team": attrs["sales_team"][rows],
            "score": pd.array([None] * len(rows), dtype="Int64"),
        }
    )  # fmt: skip
    return pd.concat([marketo, crm], ignore_index=True), crm_id


def stage_events(
    spec: dict[str, Any], who: dict[str, np.ndarray], crm_id: np.ndarray, created: np.ndarray,
    early: dict[str, np.ndarray], late: dict[str, np.ndarray],
) -> pd.DataFrame:  # fmt: skip
    """Lead and MQL on the Marketo record; SAL to won on the CRM record."""
    ma, crm = spec["source_systems"]["ma"], spec["source_systems"]["crm"]
    everyone = np.ones(len(created), dtype=bool)
    parts = [
        engine.events(who["lead_id"], everyone, "lead", created, ma),
        engine.events(who["lead_id"], early["mql"], "mql", early["mql_at"], ma),
        engine.events(crm_id, early["sal"], "sal", early["sal_at"], crm),
        engine.events(crm_id, late["sql"], "sql", late["sql_at"], crm),
        engine.events(crm_id, late["opp"], "opportunity", late["opp_at"], crm),
        engine.events(crm_id, late["prop"], "proposal", late["prop_at"], crm),
        engine.events(crm_id, late["won"], "won", late["close_at"], crm),
    ]
    return pd.concat(parts, ignore_index=True)


def opportunities(
    spec: dict[str, Any], crm_id: np.ndarray, team: np.ndarray, late: dict[str, np.ndarray]
) -> pd.DataFrame:
    """The CRM's opportunities (Verkaufschancen), linked to the CRM lead."""
    rows = np.flatnonzero(late["opp"])
    closed = late["closed"][rows]
    return pd.DataFrame(
        {
            "opportunity_id": [f"VC-{k:06d}" for k in range(1, len(rows) + 1)],
            "lead_id": crm_id[rows], "amount": late["amount"][rows],
            "currency": spec["currency"], "created_at": late["opp_at"][rows],
            "closed_at": np.where(closed, late["close_at"][rows], engine.NAT),
            # numpy's stubs leave None (an object scalar) out of np.where's choices
            "is_won": pd.array(np.where(closed, late["won"][rows], None), dtype="boolean"),  # type: ignore[call-overload]
            "stage": late["stage"][rows], "sales_team": team[rows],
            "source_system": spec["source_systems"]["crm"],
        }
    )  # fmt: skip


def activities(crm_id: np.ndarray, team: np.ndarray, late: dict[str, np.ndarray]) -> pd.DataFrame:
    """The CRM's touches: the first call or e-mail after SAL, and the meeting at SQL."""
    touched, sql = late["touched"], late["sql"]
    frame = pd.concat(
        [
            pd.DataFrame({"lead_id": crm_id[touched], "activity_type": late["kind"][touched],
                          "occurred_at": late["touch_at"][touched], "team": team[touched]}),
            pd.DataFrame({"lead_id": crm_id[sql], "activity_type": "Termin",
                          "occurred_at": late["sql_at"][sql], "team": team[sql]}),
        ],
        ignore_index=True,
    )  # fmt: skip
    frame = frame.sort_values(["occurred_at", "lead_id"], kind="stable", ignore_index=True)
    frame.insert(0, "activity_id", [f"AKT-{k:07d}" for k in range(1, len(frame) + 1)])
    frame["is_human"] = True
    return frame
