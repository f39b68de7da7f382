"""Verde Software's export: one HubSpot-like contacts file with Portuguese headers.

``contatos.csv``: UTF-8, comma-separated, one row per contact, dates ``dd/mm/aaaa hh:mm`` in
São Paulo time, the lifecycle-stage dates of the funnel's two stages, and columns the profile
ignores (names, phone, lifecycle stage). ``Setor`` is empty for every contact (a data flaw).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from reviewkit.ingest.sample.zoo.formats import local_text, person_names, phone_numbers, write_csv

if TYPE_CHECKING:
    from reviewkit.ingest.sample.zoo.companies import ZooCompany

FIRST = ("Ana", "Bruno", "Carla", "Diego", "Eduarda", "Felipe", "Gabriela", "Henrique",
         "Isabela", "João", "Larissa", "Marcos", "Natália", "Otávio", "Paula", "Rafael", "Sofia",
         "Thiago")  # fmt: skip
LAST = ("Silva", "Santos", "Oliveira", "Souza", "Lima", "Pereira", "Costa", "Rodrigues",
        "Almeida", "Nascimento", "Carvalho", "Ribeiro", "Martins", "Rocha")  # fmt: skip
DATE = "%d/%m/%Y %H:%M"
LIFECYCLE = {"won": "Cliente", "mql": "Lead qualificado para marketing"}

FILES = {"contatos.csv": "hubspot-contatos"}  # export file -> the profile that imports it


def contacts(tables: dict[str, pd.DataFrame], spec: dict[str, Any]) -> pd.DataFrame:
    """The contacts export as written (text columns, Portuguese headers)."""
    tz = spec["timezone"]
    leads = tables["leads"].reset_index(drop=True)
    events = tables["stage_events"]
    when = {
        stage: leads["lead_id"].map(
            events[events["stage"] == stage].set_index("lead_id")["entered_at"]
        )
        for stage in ("mql", "won")
    }
    rng = np.random.default_rng(spec["seed"] + 1)
    first, last = person_names(rng, len(leads), FIRST, LAST)
    phones = phone_numbers(rng, len(leads), "+55 (##) 9####-####")
    stage = np.where(when["won"].notna(), LIFECYCLE["won"],
                     np.where(when["mql"].notna(), LIFECYCLE["mql"], "Assinante"))  # fmt: skip
    return pd.DataFrame(
        {
            "ID do registro": leads["lead_id"],
            "Nome": first,
            "Sobrenome": last,
            "E-mail": leads["email"],
            "Número de telefone": phones,
            "Nome da empresa": leads["company_name"],
            "Nome de domínio da empresa": leads["company_domain"],
            "Data de criação": local_text(leads["created_at"], DATE, tz=tz),
            "Fase do ciclo de vida": stage,
            "Fonte original": leads["channel"],
            "Detalhamento da fonte original 1": leads["campaign_id"],
            "Detalhamento da fonte original 2": leads["content_asset"],
            "Setor": leads["industry"],
            "Porte da empresa": leads["company_size"],
            "Região": leads["region"],
            "Cargo": leads["persona"],
            "Data em que se tornou um lead qualificado para marketing": local_text(
                when["mql"], DATE, tz=tz
            ),
            "Data em que se tornou cliente": local_text(when["won"], DATE, tz=tz),
        }
    )


def write(company: ZooCompany, directory: Path) -> list[Path]:
    """Write the company's export file into ``directory``; return its path."""
    return [write_csv(contacts(company.tables, company.spec), directory / "contatos.csv")]
