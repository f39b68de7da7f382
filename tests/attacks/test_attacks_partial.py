"""Partial data (issue 20, point 6): every pack builds and says what it lacks, in one line.

Two groups of attacks, run as a user would through the command line:

- **each import profile alone** (the sample workspace's shipped and example profiles, and every
  zoo company's): ``reviewkit init``, the company's funnel and targets, one profile and its
  export, ``reviewkit import``, ``reviewkit validate`` (exit 0, warnings naming what is
  missing), then the weekly, monthly and quarterly packs (``reviewkit batch --jobs 2``, one
  language per profile, alternating);
- **a store cut down** after import: a stage's events deleted, the close dates all NULL, a
  source system's rows deleted, leads only, one month only, a review before the data starts, a
  stage's date column empty in the export, a source with no import next to one with.

Each asserts exit 0, no failed notebook, no NaT / nan / error text in any pack, and that the
sections concerned show the one-line message of what is missing (``missing.*`` texts, found
by :func:`partial_data.missing_keys`); the validate warnings are checked too. The data-quality
crash the issue reports (a source without an import next to one with) is also checked
in-process in both languages.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest
from attack_harness import Attack, assert_clean_exit, run_cli
from partial_data import (
    SAMPLE_AS_OF,
    alone_workspace,
    assert_readable,
    build_packs,
    missing_keys,
    sample_exports,
    schedule,
)

from reviewkit.analysis.quality import data_quality
from reviewkit.i18n.texts import t
from reviewkit.ingest.sample.zoo.workspace import export_profiles
from reviewkit.present.sections.meeting import quality_html

AS_OF = {"usa": "2026-11-17", "germany": "2026-10-14", "brazil": "2026-07-13"}
EXAMPLES = Path(__file__).resolve().parents[2] / "params" / "sources" / "examples"

Expect = dict[str, set[str]]  # cadence -> missing.* keys its pack must show
STAGES = "missing.stage_events"
AMOUNTS = "missing.kgi_amounts"
NOTHING = {c: {"missing.no_records"} for c in ("weekly", "monthly", "quarterly")}
LEADS_ONLY: Expect = {
    "weekly": {STAGES, AMOUNTS, "missing.touches"},
    "monthly": {STAGES, AMOUNTS, "missing.tree", "missing.opportunities"},
    "quarterly": {STAGES, AMOUNTS, "missing.plan_driver"},
}
DEALS_ONLY: Expect = {
    "weekly": {STAGES},
    "monthly": {STAGES, "missing.tree"},
    "quarterly": {STAGES, "missing.plan_driver"},
}


@dataclass(frozen=True)
class Alone:
    """One profile imported alone: where its export comes from and what the packs must say."""

    company: str  # sample (init --sample), brazil, usa, germany
    profile: str
    export: str  # file name (zoo exports, the generated sample exports, or examples/)
    lang: str
    expect: Expect
    warns: tuple[str, ...] = ()  # phrases `reviewkit validate` must print as warnings


ALONE: list[Alone] = [
    Alone("sample", "hubspot-contacts", "hubspot_contacts.csv", "ja",
          {"weekly": {AMOUNTS, "missing.touches"}, "monthly": {AMOUNTS, "missing.tree"},
           "quarterly": {AMOUNTS, "missing.plan_driver"}},
          ("no deal in the store has an amount",)),
    Alone("sample", "hubspot-deals", "hubspot_deals.csv", "en", DEALS_ONLY,
          ("holds no leads, only deals", "stage 'lead'")),
    Alone("sample", "salesforce-leads", "salesforce_leads.csv", "ja", LEADS_ONLY,
          ("stage 'won'", "no deal in the store has an amount")),
    Alone("sample", "salesforce-opportunities", "salesforce_opportunities.csv", "en",
          DEALS_ONLY, ("holds no leads, only deals", "stage 'sql'")),
    Alone("sample", "generic-activities", "generic-activities.csv", "ja", NOTHING,
          ("holds no leads yet",)),
    Alone("sample", "generic-campaign-costs", "generic-campaign-costs.csv", "en", NOTHING,
          ("holds no leads yet",)),
    Alone("brazil", "hubspot-contatos", "contatos.csv", "en",
          {"weekly": {"missing.touches"}, "monthly": {"missing.touches",
                                                      "missing.opportunities"}}),
    Alone("usa", "sf-leads", "salesforce_leads.csv", "ja", LEADS_ONLY, ("stage 'won'",)),
    Alone("usa", "sf-opportunities", "salesforce_opportunities.csv", "en", DEALS_ONLY,
          ("holds no leads, only deals", "stage 'lead'")),
    Alone("usa", "sf-activities", "salesforce_activities.csv", "ja", NOTHING,
          ("holds no leads yet",)),
    Alone("germany", "marketo-leads", "marketo_leads.csv", "en", LEADS_ONLY, ("stage 'won'",)),
    Alone("germany", "crm-leads", "crm_leads.csv", "ja", LEADS_ONLY, ("stage 'mql'",)),
    Alone("germany", "crm-verkaufschancen", "crm_verkaufschancen.csv", "en", DEALS_ONLY,
          ("holds no leads, only deals",)),
    Alone("germany", "crm-aktivitaeten", "crm_aktivitaeten.csv", "ja", NOTHING,
          ("holds no leads yet",)),
    Alone("germany", "kampagnenkosten", "kampagnenkosten.csv", "en", NOTHING,
          ("holds no leads yet",)),
]  # fmt: skip


def _alone_attack(case: Alone) -> Attack:
    return Attack(
        f"partial-alone-{case.company}-{case.profile}", "partial-data", "works",
        f"{case.company}'s profile {case.profile} imported alone into an empty store, then "
        "the weekly, monthly and quarterly packs",
    )  # fmt: skip


@dataclass(frozen=True)
class Cut:
    """A store cut down after import (or an odd review date) and what the packs must say."""

    id: str
    what: str
    company: str  # the zoo workspace copied (usa), or "sample" for an import-built store
    lang: str
    expect: Expect
    warns: tuple[str, ...] = ()
    sql: tuple[str, ...] = ()
    as_of: str = ""
    prepare: str = ""  # a name in PREPARE: builds the store by importing
    # cadence -> (cell, key): the section concerned must show that line itself
    cells: dict[str, tuple[str, str]] = field(default_factory=dict)


_BEFORE_OCT = "TIMESTAMPTZ '2026-10-01 00:00:00-04'"
CUTS: list[Cut] = [
    Cut("partial-stage-events-deleted", "every 'opportunity' stage event deleted", "usa", "en",
        {"weekly": {STAGES}, "monthly": {STAGES, "missing.tree"}, "quarterly": {STAGES}},
        ("stage 'opportunity'",), ("DELETE FROM stage_events WHERE stage = 'opportunity'",),
        cells={"monthly": ("scorecard", STAGES)}),
    Cut("partial-close-dates-null", "the close date column all NULL", "usa", "ja",
        {c: {"missing.close_dates"} for c in ("weekly", "monthly", "quarterly")},
        ("no won deal has a close date",), ("UPDATE opportunities SET closed_at = NULL",),
        cells={"weekly": ("pace", "missing.close_dates")}),
    Cut("partial-leads-only", "the store keeps leads and their lead events only", "usa", "en",
        LEADS_ONLY, ("stage 'won'", "no deal in the store has an amount"),
        ("DELETE FROM stage_events WHERE stage <> 'lead'", "DELETE FROM opportunities",
         "DELETE FROM activities")),
    Cut("partial-leads-without-events", "leads but not one stage event, deal or touch", "usa",
        "ja", {"weekly": {STAGES}, "monthly": {STAGES, "missing.tree"},
               "quarterly": {STAGES, "missing.plan_driver"}},
        ("stage 'lead'", "stage 'won'"),
        ("DELETE FROM stage_events", "DELETE FROM opportunities", "DELETE FROM activities"),
        cells={"quarterly": ("scorecard", STAGES)}),
    Cut("partial-one-month", "only October 2026 is left in the store", "usa", "ja",
        {"quarterly": {"relevance.sentence.short"}}, (),
        (f"DELETE FROM stage_events WHERE entered_at < {_BEFORE_OCT}",
         f"DELETE FROM activities WHERE occurred_at < {_BEFORE_OCT}",
         f"DELETE FROM opportunities WHERE created_at < {_BEFORE_OCT}",
         f"DELETE FROM leads WHERE created_at < {_BEFORE_OCT}"),
        cells={"quarterly": ("relevance", "relevance.sentence.short")}),
    Cut("partial-review-before-data", "a review dated before the store's first record", "usa",
        "en", {c: {"missing.before_data"} for c in ("weekly", "monthly", "quarterly")},
        as_of="2023-06-01", cells={"weekly": ("pace", "missing.before_data"),
                                   "monthly": ("scorecard", "missing.before_data"),
                                   "quarterly": ("trends", "missing.before_data")}),
    Cut("partial-source-deleted", "one source system's rows deleted after its import",
        "sample", "ja", {c: {"missing.emptied_source"} for c in ("weekly", "monthly")},
        ("source system 'sfa'",), prepare="two_sources_then_delete_sfa",
        cells={"weekly": ("data-quality", "missing.emptied_source"),
               "monthly": ("data-quality", "missing.emptied_source")}),
    Cut("partial-stage-column-empty", "an export whose SQL date column is empty", "sample",
        "en", {"weekly": {STAGES}, "monthly": {STAGES, "missing.tree"}}, ("stage 'sql'",),
        prepare="contacts_without_sql_dates"),
]  # fmt: skip

ATTACKS: list[Attack] = [_alone_attack(c) for c in ALONE] + [
    Attack(c.id, "partial-data", "works", c.what) for c in CUTS
] + [
    Attack("partial-source-without-import", "partial-data", "works",
           "a store whose other source system has no import (data quality, ja and en)"),
]  # fmt: skip


# -- workspaces ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def companies(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """A zoo company's complete workspace (params, store, exports), made once per module."""
    root = tmp_path_factory.mktemp("partial-companies")
    made: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in made:
            assert_clean_exit(run_cli("sample", "--company", name, str(root / name)))
            made[name] = root / name
        return made[name]

    return get


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated exports in the shipped profiles' layouts."""
    folder = tmp_path_factory.mktemp("partial-exports")
    sample_exports(folder)
    return folder


def _validate(ws: Path, warns: tuple[str, ...]) -> None:
    done = run_cli("validate", "--workspace", str(ws))
    assert_clean_exit(done)
    for phrase in warns:
        assert any(
            line.startswith("reviewkit: warning:") and phrase in line
            for line in done.stderr.splitlines()
        ), (phrase, done.stderr)


def _check(packs: dict, expect: Expect, *, lang: str,
           cells: dict[str, tuple[str, str]]) -> None:  # fmt: skip
    for cadence, pack in packs.items():
        assert_readable(pack)
        keys = expect.get(cadence, set())
        shown = missing_keys(pack, lang=lang)
        assert keys <= shown, (cadence, sorted(keys - shown), sorted(shown))
        if keys & {STAGES, AMOUNTS, "missing.close_dates"}:  # the row reads "no data"
            assert t("status.no_data", lang) in pack.get_text(" ", strip=True), cadence
        if cadence in cells:
            cell, key = cells[cadence]
            assert key in missing_keys(pack, lang=lang, cell=cell), (cadence, cell, key)


@pytest.mark.integration
@pytest.mark.parametrize("case", [pytest.param(c, id=_alone_attack(c).id) for c in ALONE])
def test_each_profile_alone_builds_every_pack_and_says_what_is_missing(
    case: Alone, companies, exports: Path, tmp_path: Path
) -> None:
    if case.company == "sample":
        folder = EXAMPLES if case.profile.startswith("generic-") else exports
        ws = alone_workspace(tmp_path, company=None, export=folder / case.export,
                             profile=case.profile, lang=case.lang)  # fmt: skip
        as_of = SAMPLE_AS_OF
    else:
        source = companies(case.company)
        assert export_profiles(case.company)[case.export] == case.profile
        ws = alone_workspace(tmp_path, company=source, export=source / "exports" / case.export,
                             profile=case.profile, lang=case.lang)  # fmt: skip
        as_of = AS_OF[case.company]
    _validate(ws, case.warns)
    _check(build_packs(ws, as_of), case.expect, lang=case.lang, cells={})


def test_every_attack_is_run() -> None:
    run = {_alone_attack(c).id for c in ALONE} | {c.id for c in CUTS}
    run.add("partial-source-without-import")
    assert run == {a.id for a in ATTACKS}
    assert len(ATTACKS) >= 8 and all(a.cls == "partial-data" for a in ATTACKS)


# -- stores cut down ------------------------------------------------------------------------------


def two_sources_then_delete_sfa(ws: Path, exports: Path) -> None:
    """MA contacts and SFA opportunities imported, then every SFA row deleted."""
    for file, profile in (
        ("hubspot_contacts.csv", "hubspot-contacts"),
        ("salesforce_opportunities.csv", "salesforce-opportunities"),
    ):
        assert_clean_exit(run_cli("import", str(exports / file), "--profile", profile,
                                  "--workspace", str(ws)))  # fmt: skip
    _sql(ws, [f"DELETE FROM {t} WHERE source_system = 'sfa'"
              for t in ("stage_events", "opportunities", "leads")])  # fmt: skip


def contacts_without_sql_dates(ws: Path, exports: Path) -> None:
    """A HubSpot contacts export whose "Became a Sales Qualified Lead Date" is all empty."""
    lines = (exports / "hubspot_contacts.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    at = header.index("Became a Sales Qualified Lead Date")
    rows = [line.split(",") for line in lines[1:]]
    for row in rows:
        row[at] = ""
    path = ws / "contacts.csv"
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    assert_clean_exit(run_cli("import", str(path), "--profile", "hubspot-contacts",
                              "--workspace", str(ws)))  # fmt: skip


PREPARE = {f.__name__: f for f in (two_sources_then_delete_sfa, contacts_without_sql_dates)}


def _sql(ws: Path, statements: list[str] | tuple[str, ...]) -> None:
    con = duckdb.connect(str(ws / "data" / "reviewkit.duckdb"))
    try:
        for statement in statements:
            con.execute(statement)
        con.execute("DELETE FROM lead_identity WHERE lead_id NOT IN (SELECT lead_id FROM leads)")
    finally:
        con.close()


@pytest.mark.integration
@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CUTS])
def test_a_cut_down_store_builds_and_says_what_is_missing(
    case: Cut, companies, exports: Path, tmp_path: Path
) -> None:
    ws = tmp_path / "ws"
    if case.company == "sample":
        assert_clean_exit(run_cli("init", "--sample", str(ws)))
        PREPARE[case.prepare](ws, exports)
        as_of = case.as_of or SAMPLE_AS_OF
    else:
        shutil.copytree(companies(case.company), ws)
        _sql(ws, case.sql)
        as_of = case.as_of or AS_OF[case.company]
    schedule(ws, case.lang)
    _validate(ws, case.warns)
    _check(build_packs(ws, as_of), case.expect, lang=case.lang, cells=case.cells)


# -- the crash the issue reports, in-process ------------------------------------------------------


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_source_without_an_import_shows_a_dash_not_a_crash(con, lang: str) -> None:
    """partial-source-without-import: NaT once failed to format ("NaTType does not support
    strftime" in ja, "tuple indices must be integers or slices, not float" in en)."""
    con.execute(
        "INSERT INTO leads (lead_id, source_system, created_at) VALUES "
        "('m1', 'ma', '2026-10-01 09:00+09'), ('s1', 'sfa', '2026-10-02 09:00+09')"
    )
    con.execute(
        "INSERT INTO imports VALUES ('i1', 'contacts.csv', 'f00d', 'hubspot-contacts', 'ma', "
        "1, 1, 0, 0, 0, '2026-10-03 10:00+09', '2026-10-03 10:00+09')"
    )
    quality = data_quality(con, timezone="Asia/Tokyo")
    rows = {r.source_system: r for r in quality.freshness.itertuples()}
    assert rows["sfa"].last_import is None
    assert isinstance(rows["ma"].last_import, dt.datetime)
    html = quality_html(quality, lang=lang).html
    assert "NaT" not in html and "—" in html
    assert quality.stale_sources(dt.date(2026, 10, 2)) == [("ma", dt.date(2026, 10, 1))]
    assert quality.emptied == ()
