"""Drafts of the layouts other companies export: Portuguese HubSpot-like contacts, Salesforce
lead and task reports, a Marketo API export, a German CRM with its costs and touches."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from reviewkit.ingest.importer import import_file
from reviewkit.ingest.profile import load_profile
from reviewkit.ingest.profile_draft import write_draft
from reviewkit.model.definitions import load_definitions
from reviewkit.model.onboarding import company_settings, init_company_workspace
from reviewkit.store.schema import connect

LATER = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)

CONTATOS = """\
ID do registro,Nome,Sobrenome,E-mail,Telefone,Data de criação,Fonte original,\
Tornou-se um lead em,Tornou-se cliente em,Setor,Proprietário do contato
101,Ana,Souza,ana@example.com,+55 11 91234-5678,31/12/2025,Pesquisa paga,31/12/2025,\
20/02/2026,Varejo,Equipe A
102,Bruno,Lima,bruno@example.com,,02/01/2026,Busca orgânica,02/01/2026,,Indústria,Equipe B
"""
SF_LEADS = """\
"Lead Owner","First Name","Last Name","Title","Company / Account","Lead Source","Email",\
"Create Date","Converted Date","Lead ID"
"Jane Doe","Amy","Ng","CTO","Acme","Web","amy@example.com","10/01/2026","10/20/2026","00Q1"
"John Roe","Bob","Li","CFO","Globex","Trade Show","bob@example.com","10/05/2026","","00Q2"
"""
SF_TASKS = """\
"Tasks and Events"
"Assigned","Subject","Task Subtype","Date","Lead ID","Company / Account"
"Jane Doe","Call","Call","11/02/2026","00Q1","Acme"
"Jane Doe","Email: intro","Email","11/03/2026","00Q1","Acme"
"John Roe","Call","Call","11/04/2026","00Q2","Globex"

"Confidential Information - Do Not Distribute"
"""
MARKETO = """\
id,firstName,lastName,email,createdAt,leadSource,acquisitionProgramName,leadScore,company
5001,Max,Muster,max@example.com,2026-09-01T10:00:00Z,Webinar,2026-09 Webinar,75,Beispiel GmbH
5002,Eva,Test,eva@example.com,2026-09-02T11:00:00Z,Messe,2026 Messe,40,Muster AG
"""
CRM_DE = """\
Verkaufschance-ID;Lead-ID;Erstellt am;Abschlussdatum;Phase;Betrag;Vertriebsteam
V-1;5001;10.09.2026;20.10.2026;Gewonnen;1.234,56 €;Nord
V-2;5002;12.09.2026;;Angebot;12.000,00 €;Süd
"""
KOSTEN = """\
Kampagne;Kanal;Monat;Kosten
2026-09 Webinar;Webinar;2026-09;1.500,00 €
2026 Messe;Messe;2026-09;25.000,00 €
"""
KONTAKTE = """\
Lead-ID;Aktivität;Datum;Team
5001;Anruf;04.09.2026 10:00;Nord
5001;E-Mail;05.09.2026 11:00;Nord
5002;Newsletter;03.09.2026 09:00;
"""


def company(tmp_path: Path, country: str):
    return init_company_workspace(
        tmp_path / country, company_settings(company="X", country=country)
    )


def draft_and_try(ws, path: Path, text: str):
    path.write_text(text, encoding="utf-8")
    target, made = write_draft(
        path, sources_dir=ws.params_dir / "sources", definitions=load_definitions(ws),
        store=ws.store_path,
    )  # fmt: skip
    profile = load_profile(made.name, workspace=ws)
    con = connect(ws.store_path, timezone=ws.config.timezone)
    try:
        report = import_file(
            con, path, profile, definitions=load_definitions(ws), timezone=ws.config.timezone,
            currency=ws.config.currency, now=LATER,
        )  # fmt: skip
    finally:
        con.close()
    return made, profile, report, target.read_text(encoding="utf-8")


def test_portuguese_contacts_day_first_with_a_customer_date(tmp_path):
    made, profile, report, text = draft_and_try(
        company(tmp_path, "BR"), tmp_path / "contatos.csv", CONTATOS
    )
    assert made.record == "leads" and made.id_column == "ID do registro"
    assert made.columns["created_at"] == "Data de criação"
    assert made.columns["channel"] == "Fonte original"
    assert made.stages == {"lead": "Tornou-se um lead em", "won": "Tornou-se cliente em"}
    assert profile.dayfirst is True
    assert (report.loaded, report.rejected) == (2, 0)
    for personal in ("Ana", "Souza", "91234", "ana@"):
        assert personal not in text


def test_salesforce_leads_then_their_tasks(tmp_path):
    ws = company(tmp_path, "US")
    made, _, report, text = draft_and_try(ws, tmp_path / "sf-leads.csv", SF_LEADS)
    assert made.record == "leads" and made.id_column == "Lead ID"
    assert made.columns["channel"] == "Lead Source" and "Jane Doe" not in text
    assert report.loaded == 2
    made, profile, report, text = draft_and_try(ws, tmp_path / "sf-tasks.csv", SF_TASKS)
    assert made.record == "activities"
    assert made.columns["activity_type"] == "Task Subtype"  # before Subject
    assert made.columns["lead_id"] == "Lead ID" and made.columns["team"] == "Assigned"
    # the store holds the leads under the leads' draft's system: the touches name it
    assert profile.lead_source_system == "ma"
    assert (report.loaded, report.rejected) == (3, 0)
    assert "Jane Doe" not in text


@pytest.mark.parametrize(
    ("name", "text", "record", "expected"),
    [
        ("marketo.csv", MARKETO, "leads",
         {"created_at": "createdAt", "channel": "leadSource", "score": "leadScore",
          "campaign_id": "acquisitionProgramName"}),
        ("crm.csv", CRM_DE, "opportunities",
         {"lead_id": "Lead-ID", "amount": "Betrag", "created_at": "Erstellt am",
          "closed_at": "Abschlussdatum", "stage": "Phase"}),
        ("kosten.csv", KOSTEN, "campaigns",
         {"channel": "Kanal", "start_date": "Monat", "cost": "Kosten"}),
    ],
)  # fmt: skip
def test_a_german_company_s_exports(tmp_path, name, text, record, expected):
    made, profile, report, _ = draft_and_try(company(tmp_path, "DE"), tmp_path / name, text)
    assert made.record == record
    assert {k: made.columns[k] for k in expected} == expected
    assert report.rejected == 0 and report.loaded == 2
    if record != "leads":
        assert (profile.decimal, profile.currency) == (",", "EUR")


def test_german_touches_by_type(tmp_path):
    ws = company(tmp_path, "DE")
    draft_and_try(ws, tmp_path / "marketo.csv", MARKETO)
    made, profile, report, _ = draft_and_try(ws, tmp_path / "kontakte.csv", KONTAKTE)
    assert made.record == "activities" and made.id_column is None
    assert made.columns["activity_type"] == "Aktivität" and profile.dayfirst is True
    assert profile.human_types == ["Anruf", "E-Mail"]  # the newsletter is automated
    assert profile.lead_source_system == "ma"  # where the store holds the leads
    assert (report.loaded, report.rejected) == (3, 0)
