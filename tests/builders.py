"""Builders every test shares: definitions, funnels, tiny stores, workspaces and assertion helpers.

Test modules import what they need from here (``from builders import tiny_store``); no test
module imports another. Fixtures live in the ``conftest.py`` files and call these builders.

Sections, in order:

- paths and the command line: the repository, the demo date, ``run_cli`` and ``one_line``;
- definitions: ``event_definitions`` (event stages and a KGI, any keys), the tiny store's
  four-stage ``tiny_definitions``, the follow-up's ``mql_definitions``, the segment ``tiered``,
  the Maven CRM data set's ``MAVEN_DEFINITIONS``;
- stores and funnels: ``write_store`` (hand-written leads, events, deals and campaigns), the
  hand-made ``tiny_store`` of the monthly analyses and its ``tiny_funnel``, ``activities``,
  the Maven CRM frames, ``hand_weekly_data`` (a WeeklyData with known causes);
- the sample company recounted with pandas: ``person_of``, ``stage_hits``, ``expected_actuals``;
- workspaces and imports: ``make_ws``, ``add_profile``, ``do_import``, ``query``, ``write``;
- packs, templates and notebooks: ``run_template``, ``assert_clean_pack``, ``fake_pack``,
  ``Index``/``Block``/``Cells`` (HTML readers), ``assert_thin_template``, ``problems``, ``hook``;
- charts: ``mark_type``, ``rows_of``, ``assert_offline_svg``.

Times written ``"2026-10-05 10:00"`` are Tokyo time (``TZ``) unless a builder says otherwise.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import math
import os
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import duckdb
import nbformat
import pandas as pd
import pytest
import yaml

from reviewkit.analysis.anomalies import SERIES_COLUMNS, WeeklyData
from reviewkit.core.periods import FiscalCalendar, parse_period, previous_period
from reviewkit.core.workspace import init_workspace
from reviewkit.errors import RunFailedError
from reviewkit.ingest.identity import resolve_identities
from reviewkit.ingest.importer import import_file
from reviewkit.ingest.profile import load_profile
from reviewkit.model.definitions import Definitions, EventStage, load_definitions
from reviewkit.model.scope import Scope
from reviewkit.pack.plan import scope_record
from reviewkit.pack.runner import run_pack
from reviewkit.present.charts.house import PackChart
from reviewkit.semantic.funnel import SEGMENT_COLUMNS, Funnel, cutoff_of
from reviewkit.store.schema import connect, replace_tables

if TYPE_CHECKING:
    from reviewkit.core.periods import Period
    from reviewkit.core.workspace import Workspace
    from reviewkit.model.definitions import Stage
    from reviewkit.pack.runner import PackResult

# --- paths and the command line -----------------------------------------------------------------

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
VENV = REPO / ".venv"
DEMO_DATE = "2026-11-23"


def in_ci() -> bool:
    """Whether the suite runs in CI, where a missing tool is a failure, never a skip."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``reviewkit`` as a user would, in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "reviewkit.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


def one_line(stderr: str) -> str:
    """The only non-empty line of ``stderr`` (fails if there are more)."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    return lines[0]


# --- the tiny store's calendar: October 2026 reviewed against September, in Tokyo ---------------

TZ = "Asia/Tokyo"


JST = ZoneInfo(TZ)


CAL = FiscalCalendar(4)


OCT = parse_period("2026-10", calendar=CAL)


SEP = parse_period("2026-09", calendar=CAL)


CUTOFF = dt.datetime(2026, 11, 11, tzinfo=JST)  # ten days after October ended


TEXT = {"ja": "x", "en": "x"}


STAGES = ("lead", "mql", "sql", "won")
# the sample company reviewed on the demo date (Monday 2026-11-23)
SAMPLE_CUTOFF = cutoff_of(dt.date(2026, 11, 23), timezone=TZ)
SAMPLE_STAGES = ["lead", "mql", "sql", "opportunity", "won"]
FAR = dt.datetime(2030, 1, 1, tzinfo=JST)  # a cut-off after everything a test writes


def at(text: str) -> pd.Timestamp:
    return pd.Timestamp(text).tz_localize(TZ)


# --- definitions -------------------------------------------------------------------------------


def event_definitions(
    keys: Sequence[str],
    *,
    labels: dict[str, dict[str, str]] | None = None,
    owner: str = "marketing",
    owners: dict[str, str] | None = None,
    kgi: dict[str, object] | None = None,
    with_kgi: bool = True,
    metrics: list[dict] | None = None,
    version: str = "test",
    agreed_by: Sequence[str] = ("marketing",),
    agreed_on: str = "2026-04-01",
    **more: object,
) -> Definitions:
    """Definitions whose stages ``keys`` are each entered on the event of the same name.

    Parameters
    ----------
    keys
        The stage keys, first to last.
    labels
        Stage labels by key; a stage not named is labelled ``x`` in both languages.
    owner, owners
        The owner of every stage, unless ``owners`` names the stage's.
    kgi
        Fields of the KGI over the default (revenue, labelled ``x``, owned by sales): ``key``,
        ``label``, ``tree``.
    with_kgi
        False: no ``kgi:`` at all (the KGI is then the last stage's count).
    metrics
        The ``metrics:`` entries; None leaves the key out.
    version, agreed_by, agreed_on
        The agreement's header.
    **more
        Other top-level entries (``conversion``, ``currency``, ...).
    """
    labels, owners = labels or {}, owners or {}
    stages = [
        {"key": k, "label": labels.get(k, TEXT), "owner": owners.get(k, owner),
         "description": TEXT, "event": k}
        for k in keys
    ]  # fmt: skip
    data: dict[str, object] = {
        "version": version, "agreed_by": list(agreed_by), "agreed_on": agreed_on, "stages": stages,
    }  # fmt: skip
    if with_kgi:
        data["kgi"] = {"label": TEXT, "owner": "sales", "description": TEXT, **(kgi or {})}
    if metrics is not None:
        data["metrics"] = metrics
    return Definitions.model_validate({**data, **more})


def tiny_definitions() -> Definitions:
    """lead -> mql -> sql -> won (event stages); revenue; cohort rates with a 90-day window."""
    return event_definitions(
        STAGES,
        metrics=[
            {"key": "average_deal_size", "type": "average_deal_size"},
            {"key": "cost_per_lead", "type": "cost_per", "stage": "lead"},
        ],
    )


# --- stores and funnels ------------------------------------------------------------------------


def write_store(
    con: duckdb.DuckDBPyConnection,
    leads: Sequence[Mapping[str, object]],
    events: Sequence[tuple[str, str, pd.Timestamp]],
    *,
    opportunities: Sequence[tuple] = (),
    campaigns: Sequence[tuple] = (),
) -> duckdb.DuckDBPyConnection:
    """Write leads (dicts of segment columns), stage events, deals and campaigns."""
    frame = pd.DataFrame(
        [
            {
                "lead_id": row["lead_id"],
                "source_system": "ma",
                "created_at": at("2026-01-01 09:00"),
                "email": None,
                "company_name": f"{row['lead_id']} KK",
                **{c: row.get(c) for c in SEGMENT_COLUMNS},
            }
            for row in leads
        ]
    )
    for column in ["email", "company_name", *SEGMENT_COLUMNS]:
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    opps = pd.DataFrame(
        [
            (o, p, float(amount), at(made), at(closed), won, "Closed", None, "JPY", "test")
            for o, p, amount, made, closed, won in opportunities
        ],
        columns=[
            "opportunity_id", "lead_id", "amount", "created_at", "closed_at", "is_won", "stage",
            "sales_team", "currency", "source_system",
        ],
    )  # fmt: skip
    opps["sales_team"] = opps["sales_team"].astype(object)
    camps = pd.DataFrame(
        [
            (c, c, channel, asset, dt.date.fromisoformat(a), dt.date.fromisoformat(b), cost, "JPY")
            for c, channel, asset, a, b, cost in campaigns
        ],
        columns=[
            "campaign_id", "name", "channel", "content_asset", "start_date", "end_date", "cost",
            "currency",
        ],
    )  # fmt: skip
    frames = {
        "leads": frame,
        "stage_events": pd.DataFrame(
            [(k, stage, when, "test") for k, stage, when in events],
            columns=["lead_id", "stage", "entered_at", "source_system"],
        ),
        "opportunities": opps,
        "campaigns": camps,
    }
    replace_tables(con, frames, source="hand-made test store")
    resolve_identities(con)
    return con


# person, channel, content asset, MQL at (the lead entered an hour earlier), SQL at, won at
TINY = [
    # September: paid search. P2 qualified 17 days after its MQL (later than the horizon);
    # P5 was an MQL in August and qualified in September.
    ("P1", "paid_search", "wp-a", "2026-09-02 10:00", "2026-09-04 10:00", None),
    ("P2", "paid_search", "wp-a", "2026-09-03 10:00", "2026-09-20 10:00", None),
    ("P3", "paid_search", "wp-a", "2026-09-04 10:00", None, None),
    ("P4", "paid_search", "wp-a", "2026-09-05 10:00", None, None),
    ("P5", "paid_search", "wp-a", "2026-08-20 10:00", "2026-09-03 10:00", None),
    # September: webinar. W2 qualified in October, 5 days after its MQL.
    ("W1", "webinar", "wb-1", "2026-09-10 10:00", "2026-09-12 10:00", None),
    ("W2", "webinar", "wb-1", "2026-09-28 10:00", "2026-10-03 10:00", None),
    # September: referral, both qualified the next day; R1 won in September.
    ("R1", "referral", "wp-b", "2026-09-15 10:00", "2026-09-16 10:00", "2026-09-25 10:00"),
    ("R2", "referral", "wp-b", "2026-09-20 10:00", "2026-09-21 10:00", None),
    # October: paid search. Q1 after 7 days; Q2 after 20 days (later than the horizon).
    ("Q1", "paid_search", "wp-a", "2026-10-01 10:00", "2026-10-08 10:00", None),
    ("Q2", "paid_search", "wp-a", "2026-10-05 10:00", "2026-10-25 10:00", None),
    ("Q3", "paid_search", "wp-a", "2026-10-10 10:00", None, None),
    # October: webinar. V1 qualified in November (8 days: within the horizon, before the
    # cut-off); V2 qualified after the cut-off (not known at the review).
    ("V1", "webinar", "wb-1", "2026-10-28 10:00", "2026-11-05 10:00", None),
    ("V2", "webinar", "wb-1", "2026-10-30 10:00", "2026-11-12 10:00", None),
    # October: referral, each the next day; S1 and S2 won in October, X1 won in November.
    ("S1", "referral", "wp-b", "2026-10-02 10:00", "2026-10-03 10:00", "2026-10-20 10:00"),
    ("S2", "referral", "wp-b", "2026-10-03 10:00", "2026-10-04 10:00", "2026-10-25 10:00"),
    ("X1", "referral", "wp-b", "2026-10-04 10:00", "2026-10-05 10:00", "2026-11-05 10:00"),
    # October: no channel, no asset.
    ("N1", None, None, "2026-10-15 10:00", None, None),
    # October 2025 (same month last year): three MQLs, two SQLs, one win.
    ("L1", "referral", "wp-b", "2025-10-06 10:00", "2025-10-08 10:00", "2025-10-20 10:00"),
    ("L2", "paid_search", "wp-a", "2025-10-07 10:00", "2025-10-09 10:00", None),
    ("L3", "paid_search", "wp-a", "2025-10-08 10:00", None, None),
]


AMOUNT = {"R1": 2_000_000, "S1": 3_000_000, "S2": 1_000_000, "X1": 7_000_000, "L1": 5_000_000}


CAMPAIGNS = [
    # id, channel, content asset, first day, last day, cost (spread evenly over its days)
    ("C1", "content_seo", "wp-a", "2026-10-01", "2026-10-31", 310_000),  # all in October
    ("C4", "paid_search", "wp-a", "2026-10-20", "2026-11-18", 600_000),  # 12 of 30 days
    ("C2", "referral", "wp-b", "2026-09-16", "2026-10-15", 300_000),  # 15 of 30 days
    ("C3", "webinar", "wb-1", "2026-09-01", "2026-09-30", 90_000),  # none in October
]


def tiny_store(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Write ``TINY`` (leads, stage entries, deals won of ``AMOUNT``) and ``CAMPAIGNS``."""
    leads = [{"lead_id": k, "channel": ch, "content_asset": asset} for k, ch, asset, *_ in TINY]
    events = []
    for k, _, _, mql, sql, won in TINY:
        events.append((k, "lead", at(mql) - pd.Timedelta(hours=1)))
        events.append((k, "mql", at(mql)))
        if sql:
            events.append((k, "sql", at(sql)))
        if won:
            events.append((k, "won", at(won)))
    opportunities = [
        (f"OP-{k}", k, AMOUNT[k], "2026-01-01 10:00", won, True) for k, *_, won in TINY if won
    ]
    return write_store(con, leads, events, opportunities=opportunities, campaigns=CAMPAIGNS)


def tiny_funnel(con, cutoff: dt.datetime = CUTOFF) -> Funnel:
    """The funnel of ``tiny_definitions`` over ``con``, read at ``cutoff``."""
    return Funnel(con, tiny_definitions(), timezone=TZ, cutoff=cutoff)


SLA = {"key": "sla", "type": "sla", "from": "mql", "within": "24h"}


def activities(touches) -> pd.DataFrame:
    """Activity rows from ``(lead_id, "YYYY-MM-DD HH:MM", is_human)`` touches (calls or mails)."""
    return pd.DataFrame(
        [
            (f"ACT-{n}", k, "call" if human else "auto_email", at(when), human)
            for n, (k, when, human) in enumerate(touches)
        ],
        columns=["activity_id", "lead_id", "activity_type", "occurred_at", "is_human"],
    )


def mql_definitions(metrics: list[dict]) -> Definitions:
    """Two event stages, lead and mql (labelled MQL), and the given metrics."""
    return event_definitions(
        ("lead", "mql"), labels={"mql": {"ja": "MQL", "en": "MQL"}}, metrics=metrics
    )


TIER = {
    "key": "account_tier",
    "label": {"ja": "顧客ティア", "en": "Account tier"},
    "description": {"ja": "企業規模で分ける", "en": "By company size"},
    "values": [
        {"value": "enterprise", "rule": "company_size == 'large'"},
        {"value": "mid_market", "rule": "company_size == 'mid' or score >= 90"},
    ],
    "otherwise": "smb",
}


def tiered(**changes: object) -> Definitions:
    data = tiny_definitions().model_dump(mode="json", by_alias=True)
    data["segments"] = [{**TIER, **changes}]
    return Definitions.model_validate(data)


def person_of(leads: pd.DataFrame) -> dict[str, str]:
    """lead_id -> person key: the normalised e-mail, or the lead itself without one."""
    email = (
        leads["email"].astype(object).map(lambda e: e.strip().lower() if isinstance(e, str) else "")
    )
    key = ["email:" + e if e else "lead:" + i for e, i in zip(email, leads["lead_id"], strict=True)]
    return dict(zip(leads["lead_id"], key, strict=True))


def stage_hits(
    stage: Stage, tables: dict[str, pd.DataFrame], score_changes: pd.DataFrame
) -> pd.DataFrame:
    """(lead_id, entered_at) of every instant at which a lead enters ``stage``."""
    if isinstance(stage, EventStage):
        events = tables["stage_events"]
        return events.loc[events["stage"] == stage.event, ["lead_id", "entered_at"]]
    # the shipped MQL rule: the first score change reaching the threshold
    match = re.fullmatch(r"score >= (\d+)", stage.rule)
    assert match and stage.at == "first_held", f"no pandas version of {stage.rule!r} at {stage.at}"
    leads = tables["leads"]
    without = leads[~leads["lead_id"].isin(score_changes["lead_id"])]
    history = pd.concat(
        [
            score_changes.rename(columns={"changed_at": "entered_at"}),
            without.rename(columns={"created_at": "entered_at"})[
                ["lead_id", "entered_at", "score"]
            ],
        ],
        ignore_index=True,
    )
    held = history["score"].astype("float64") >= int(match[1])  # a missing score: NaN, False
    return history.loc[held, ["lead_id", "entered_at"]]


def expected_actuals(inputs: tuple, p: Period, stages: Sequence[str]) -> dict[str, float]:
    """The sample company's stage counts and revenue in ``p``, from ``expected_inputs``."""
    first, won, _ = inputs
    inside = first[(first["day"] >= p.start) & (first["day"] < p.end)]
    per_stage = inside["stage"].value_counts()
    out = {s: float(per_stage.get(s, 0)) for s in stages}
    out["revenue"] = float(won.loc[(won["day"] >= p.start) & (won["day"] < p.end), "amount"].sum())
    return out


def ratio(a: float, b: float) -> float:
    """``a / b``, NaN when ``b`` is zero or NaN."""
    return math.nan if (b == 0 or math.isnan(b)) else a / b


MAVEN_DEFINITIONS = event_definitions(
    ("lead", "opportunity", "won"),
    owner="sales",
    metrics=[
        {"key": "win_rate", "type": "win_rate", "by": "count"},
        {"key": "average_deal_size", "type": "average_deal_size"},
        {"key": "sales_cycle", "type": "sales_cycle"},
    ],
    version="maven",
    agreed_by=("sales",),
    agreed_on="2017-01-01",
    currency="USD",
)
# the Maven CRM sales pipeline (a public data set): whole days, read in UTC
MAVEN_DATA = SHARED / "datasets" / "maven_crm"
MAVEN_CUTOFF = dt.datetime(2018, 1, 1, tzinfo=dt.UTC)  # the last close date is 2017-12-31


def maven_utc(dates: pd.Series) -> pd.Series:
    """Whole days of the export as UTC instants."""
    return pd.to_datetime(dates, format="%Y-%m-%d").dt.tz_localize("UTC")


def maven_frames(pipeline: pd.DataFrame, teams: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Map the export to store tables (prospecting deals, never engaged, have no date)."""
    engaged = pipeline[pipeline["engage_date"].notna()].reset_index(drop=True)
    office = dict(zip(teams["sales_agent"], teams["regional_office"], strict=True))
    team = engaged["sales_agent"].map(office)
    leads = pd.DataFrame(
        {
            "lead_id": engaged["opportunity_id"],
            "source_system": "maven",
            "created_at": maven_utc(engaged["engage_date"]),
            "company_name": engaged["account"],
            "sales_team": team,
        }
    )
    won = engaged[engaged["deal_stage"] == "Won"]
    events = pd.concat(
        [
            pd.DataFrame({"lead_id": engaged["opportunity_id"], "stage": "lead",
                          "entered_at": maven_utc(engaged["engage_date"])}),
            pd.DataFrame({"lead_id": engaged["opportunity_id"], "stage": "opportunity",
                          "entered_at": maven_utc(engaged["engage_date"])}),
            pd.DataFrame({"lead_id": won["opportunity_id"], "stage": "won",
                          "entered_at": maven_utc(won["close_date"])}),
        ],
        ignore_index=True,
    )  # fmt: skip
    events["source_system"] = "maven"
    outcome = engaged["deal_stage"].map({"Won": True, "Lost": False})
    opportunities = pd.DataFrame(
        {
            "opportunity_id": engaged["opportunity_id"],
            "lead_id": engaged["opportunity_id"],
            "amount": engaged["close_value"],
            "currency": "USD",
            "created_at": maven_utc(engaged["engage_date"]),
            "closed_at": maven_utc(engaged["close_date"]),
            "is_won": pd.array(outcome.tolist(), dtype="boolean"),
            "stage": engaged["deal_stage"],
            "sales_team": team,
            "source_system": "maven",
        }
    )
    return {"leads": leads, "stage_events": events, "opportunities": opportunities}


WEEKS = 30


def hand_weekly_data() -> WeeklyData:
    """30 weeks of MQLs and SQLs (2026-W18 .. 2026-W47) with known causes.

    Every week: Team A and Team B 100 MQLs each (manufacturing, 30 % to SQL); Team C 60 retail
    MQLs (30 %, from 18 SQLs) and 40 manufacturing ones (12 SQLs). In the last 4 weeks:

    - the new whitepaper ``wp`` brings 150 manufacturing MQLs a week (110 to Team A with 1 SQL,
      40 to Team B with none): it drags the funnel, Team A, Team B and manufacturing down;
    - retail (Team C only) falls to 3 SQLs of 60 (5 %), independently of ``wp``; Team C's
      manufacturing MQLs rise slightly (14 SQLs of 40), so Team C's drop is retail's.
    """
    week = parse_period("2026-W47", calendar=CAL)
    weeks = [week]
    for _ in range(WEEKS - 1):
        weeks.insert(0, previous_period(weeks[0], calendar=CAL))
    rows = []
    serial = 0

    def people(period, count, sqls, team, asset, industry):
        nonlocal serial
        for k in range(count):
            serial += 1
            base = {
                "person_id": f"p{serial:06d}", "day": period.start + dt.timedelta(days=k % 5),
                "week": period.label, "sales_team": team, "content_asset": asset,
                "industry": industry,
            }  # fmt: skip
            rows.append({**base, "stage": "mql"})
            if k < sqls:
                rows.append({**base, "stage": "sql"})

    for i, period in enumerate(weeks):
        recent = i >= WEEKS - 4
        people(period, 100, 30, "Team A", "base", "manufacturing")
        people(period, 100, 30, "Team B", "base", "manufacturing")
        people(period, 60, 3 if recent else 18, "Team C", "base", "retail")
        people(period, 40, 14 if recent else 12, "Team C", "base", "manufacturing")
        if recent:
            people(period, 110, 1, "Team A", "wp", "manufacturing")
            people(period, 40, 0, "Team B", "wp", "manufacturing")
    return WeeklyData(
        weeks=weeks,
        entries=pd.DataFrame(rows),
        weights={(stage, p.label): 1.0 for stage in ("mql", "sql") for p in weeks},
        stages=["mql", "sql"],
        conversions=[("mql_to_sql", "mql", "sql")],
        sla=pd.DataFrame(columns=SERIES_COLUMNS),
        dimensions=("content_asset", "sales_team", "industry"),
    )


IMPORT_NOW = dt.datetime(2027, 1, 15, tzinfo=dt.UTC)


def make_ws(tmp_path: Path, currency: str) -> Workspace:
    """A new workspace whose currency is ``currency``, with an empty ``params/sources/``."""
    ws = init_workspace(tmp_path / f"ws-{currency}")
    for name in ("workspace.yml", "definitions.yml"):  # the definitions name it too
        config = ws.params_dir / name
        config.write_text(
            config.read_text(encoding="utf-8").replace("currency: JPY", f"currency: {currency}"),
            encoding="utf-8",
        )
    (ws.params_dir / "sources").mkdir(exist_ok=True)
    return type(ws)(ws.root)


def add_profile(ws, name: str, text: str) -> None:
    (ws.params_dir / "sources" / f"{name}.yml").write_text(text, encoding="utf-8")


def do_import(ws: Workspace, path: Path, profile: str, **kwargs: Any) -> object:
    """Import ``path`` into ``ws``'s store with the profile ``profile``, at ``IMPORT_NOW``."""
    con = connect(ws.store_path, timezone=ws.config.timezone)
    try:
        return import_file(
            con, path, load_profile(profile, workspace=ws), definitions=load_definitions(ws),
            timezone=ws.config.timezone, currency=ws.config.currency, now=IMPORT_NOW, **kwargs,
        )  # fmt: skip
    finally:
        con.close()


def query(ws, sql: str) -> list[tuple]:
    con = duckdb.connect(str(ws.store_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def failing_cells(notebook) -> str:
    """The error outputs of an executed notebook: the cell's source and its traceback."""
    nb = nbformat.read(notebook, as_version=4)
    found = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                trace = ANSI.sub("", "\n".join(output.get("traceback", [])))
                found.append(f"--- cell {cell.get('id')}:\n{cell.source}\n{trace}")
    return "\n".join(found)


def run_template(
    cadence: str, workspace: Workspace, output_dir: Path, as_of: str, **parameters: object
) -> PackResult:
    """Run a pack in English; on failure, fail with the failing cell's error."""
    try:
        return run_pack(
            cadence, as_of=as_of, lang="en", workspace=workspace, output_dir=output_dir,
            parameters=parameters,
        )  # fmt: skip
    except RunFailedError as exc:
        failure = str(exc)
    kept = sorted((output_dir / "_failed").rglob("notebook.ipynb"))
    details = "\n".join(failing_cells(path) for path in kept)
    pytest.fail(f"{cadence} pack for as_of={as_of} failed: {failure}\n{details}", pytrace=False)


def assert_clean_pack(result, sections: tuple[str, ...]) -> str:
    """The executed notebook has no error and no stderr; the pack has every section. Its HTML."""
    nb = nbformat.read(result.notebook, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    errors = [o for o in outputs if o.output_type == "error"]
    assert not errors, failing_cells(result.notebook)
    stderr = [o.get("text", "") for o in outputs if o.get("name") == "stderr"]
    assert not stderr, stderr
    html = result.pack.read_text(encoding="utf-8")
    missing = [s for s in sections if f'id="{s}"' not in html]
    assert not missing, f"{result.period}: the pack lacks the sections {missing}"
    return html


# Each pack reads in its meeting's agenda order, with time boxes (weekly 15, monthly 60,
# quarterly 90 minutes): summary, KPI status, deviations, decisions, actions; then the glossary.
AGENDA_HEADINGS = {
    ("weekly", "ja"): ["1. 要約 2分", "2. KPI の状況 5分", "3. 異常と乖離 5分", "4. 対応の判断 2分",
                       "5. アクションと担当 1分", "付録: 指標の定義"],
    ("weekly", "en"): ["1. Summary 2 min", "2. KPI status 5 min",
                       "3. Anomalies and deviations 5 min", "4. Decisions 2 min",
                       "5. Actions and owners 1 min", "Appendix: metric definitions"],
    ("monthly", "ja"): ["1. 要約 5分", "2. KPI の状況 10分", "3. 乖離と原因 25分",
                        "4. 改善の意思決定 15分", "5. アクションと担当 5分", "付録: 指標の定義"],
    ("monthly", "en"): ["1. Summary 5 min", "2. KPI status 10 min",
                        "3. Deviations and causes 25 min", "4. Improvement decisions 15 min",
                        "5. Actions and owners 5 min", "Appendix: metric definitions"],
    ("quarterly", "ja"): ["1. 要約 5分", "2. KPI の状況 15分", "3. KPI の見直し 30分",
                          "4. 目標の再設定 30分", "5. アクションと担当 10分", "付録: 指標の定義"],
    ("quarterly", "en"): ["1. Summary 5 min", "2. KPI status 15 min",
                          "3. Re-evaluating the KPIs 30 min", "4. Re-setting targets 30 min",
                          "5. Actions and owners 10 min", "Appendix: metric definitions"],
}  # fmt: skip


def assert_thin_template(path: Path) -> None:
    """A template holds one literal parameters cell and short calls: no loops, no SQL."""
    nb = nbformat.read(path, as_version=4)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    for node in ast.parse(params[0].source).body:  # only literal assignments
        assert isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
    assert {n.targets[0].id for n in ast.parse(params[0].source).body} >= {
        "workspace",
        "as_of",
        "lang",
    }
    forbidden = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.For, ast.While,
                 ast.Lambda, ast.ListComp, ast.DictComp, ast.SetComp, ast.GeneratorExp)  # fmt: skip
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        assert not [n for n in ast.walk(tree) if isinstance(n, forbidden)], cell.source
        if cell is not params[0]:  # the parameters cell holds only literals, one per line
            assert len(cell.source.splitlines()) <= 4, cell.source
        assert "select " not in cell.source.lower(), "SQL belongs in reviewkit"
    assert nb.metadata.kernelspec.name == "reviewkit"


class Cells(HTMLParser):
    """Collect the text of every <td> and <h2>/<h1> in a pack."""

    def __init__(self):
        super().__init__()
        self.cells, self.headings, self._in = [], [], None

    def handle_starttag(self, tag, attrs):
        if tag in ("td", "h1", "h2"):
            self._in, self._text = tag, ""

    def handle_data(self, data):
        if self._in:
            self._text += data

    def handle_endtag(self, tag):
        if tag == self._in:
            (self.cells if tag == "td" else self.headings).append(self._text.strip())
            self._in = None


class Index(HTMLParser):
    """The rows of an index page: their ``data-*`` attributes, cell texts and links."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[dict] = []
        self.sections: list[str] = []
        self.tags: set[str] = set()
        self._cell: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        self.tags.add(tag)
        if tag == "section":
            self.sections.append(a["id"])
        elif tag == "tr" and "data-cadence" in a:
            self.rows.append({**a, "cells": [], "td_classes": [], "links": []})
        elif tag == "td" and self.rows:
            self.rows[-1]["cells"].append("")
            self.rows[-1]["td_classes"].append(a.get("class") or "")
            self._cell = ""
        elif tag == "a" and self.rows:
            self.rows[-1]["links"].append((a.get("class"), a["href"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self.rows[-1]["cells"][-1] += data

    def row(
        self, cadence: str, period: str, lang: str, *, current: bool = True, segment: str = ""
    ) -> dict:
        key = (cadence, period, segment, lang)
        found = [
            r
            for r in self.rows
            if (r["data-cadence"], r["data-period"], r["data-segment"], r["data-lang"]) == key
            and r["data-current"] == str(current).lower()
        ]
        assert len(found) == 1, found
        return found[0]


PERIOD_END = {"2026-08": "2026-08-31", "2026-09": "2026-09-30", "2026-10": "2026-10-31"}


def fake_pack(
    out: Path,
    cadence: str,
    period: str,
    lang: str = "ja",
    *,
    built_at: str = "2026-11-23T01:00:00+00:00",
    freshness: str | None = "2026-11-22T09:00:00+00:00",
    period_end: str | None = None,
    title: str | None = None,
    company: str = "サンプル産業株式会社",
    segment: Scope | dict | None = None,
) -> Path:
    """Publish a fake pack the way the runner lays it out (``ja`` is the default language)."""
    record = scope_record(segment, lang=lang) if isinstance(segment, Scope) else segment
    folder = out / cadence / period
    folder = folder / record["slug"] if record else folder
    folder = folder / ("" if lang == "ja" else lang)
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {
        "status": "ok", "cadence": cadence, "period": period, "lang": lang,
        "period_end": period_end or PERIOD_END.get(period, "2026-11-22"),
        "title": title or f"{cadence} {period}", "company": company,
        "data_freshness": freshness, "built_at": built_at, "segment": record,
    }  # fmt: skip
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (folder / "pack.html").write_text("<!DOCTYPE html><title>pack</title>", encoding="utf-8")
    return folder / "pack.html"


class Block(HTMLParser):
    """The last-batch block: its text, the alert's text and the links in each."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text = self.alert = ""
        self.links: list[tuple[str | None, str]] = []
        self.alert_links: list[tuple[str | None, str]] = []
        self.found = False
        self.state = ""
        self._depth = {"section": 0, "alert": 0}
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "section" and a.get("id") == "last-batch":
            self.found, self.state = True, a["data-state"]
            self._depth["section"] = 1
        elif self._depth["section"]:
            if a.get("role") == "alert":
                assert "rk-alert" in a["class"]
                self._depth["alert"] = 1
            elif tag in ("div",) and self._depth["alert"]:
                self._depth["alert"] += 1
            if tag == "a":
                link = (a.get("class"), a["href"])
                (self.alert_links if self._depth["alert"] else self.links).append(link)

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._depth["section"] = 0
        elif tag == "div" and self._depth["alert"]:
            self._depth["alert"] -= 1

    def handle_data(self, data: str) -> None:
        if self._depth["alert"]:
            self.alert += data
        if self._depth["section"]:
            self.text += data


def problems(nb: nbformat.NotebookNode) -> list[str]:
    """What stops ``nb`` from being committed: outputs, counts, widget state, another kernel."""
    found = []
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as error:
        found.append(f"invalid nbformat: {error.message}")
    if "widgets" in nb.metadata:
        found.append("metadata.widgets (widget state)")
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    if kernel != "reviewkit":
        found.append(f"kernelspec {kernel!r}, not 'reviewkit'")
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if cell.outputs:
            found.append(f"cell {cell.get('id')}: {len(cell.outputs)} outputs")
        if cell.execution_count is not None:
            found.append(f"cell {cell.get('id')}: execution count {cell.execution_count}")
    return found


def hook() -> dict:
    """The nbstripout hook of .pre-commit-config.yaml."""
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = [h for repo in config["repos"] for h in repo["hooks"] if h["id"] == "nbstripout"]
    assert len(hooks) == 1, config
    return hooks[0]


VOLATILE = [
    re.compile(r"rk-(chart|spec)-\d+"),  # chart ids: numbered per kernel
    re.compile(r"T_[0-9a-f]{5}"),  # the pandas Styler's random table ids
    re.compile(r"\d{4}年\d{1,2}月\d{1,2}日 \d{1,2}:\d{2}"),  # build times (none in packs today)
]


def stable_text(html: str) -> str:
    """``html`` without what changes from one build to the next (ids, build times)."""
    for pattern in VOLATILE:
        html = pattern.sub("", html)
    return html


ARTIFACTS = REPO / "test-artifacts"  # gitignored; kept by CI as the run's artifacts


# Charts in every pack: the trend (with its metric dropdown); the weekly pack adds the pace
# bullets, the funnel and one small chart per main alert (as many as the week has); the monthly
# pack the funnel, the waterfall and the heat map; the quarterly pack the rates over eight
# quarters, the relevance heat map and the MQL threshold sweep.
MIN_CHARTS = {"weekly": 3, "monthly": 4, "quarterly": 4}


def mark_type(layer: dict) -> str:
    mark = layer["mark"]
    return mark if isinstance(mark, str) else mark["type"]


def rows_of(spec: dict, layer: dict) -> list[dict]:
    """The inline rows a layer draws (altair names datasets and may lift shared data up)."""
    data = layer.get("data", spec.get("data"))
    return spec["datasets"][data["name"]]


def assert_offline_svg(chart: PackChart, *texts: str) -> str:
    assert "http" not in json.dumps(chart.spec, ensure_ascii=False)
    html = chart.svg_html()
    assert "<svg" in html
    for text in texts:
        assert text in html
    return html
