"""Metrics on real public data nobody in this project wrote: the Maven CRM sales pipeline.

The CSV export is mapped to the store with plain pandas (one lead per engaged opportunity,
``opportunity`` at the engage date, ``won`` at the close date of won deals), loaded, and the
store's metrics are compared with a direct groupby on the CSV. Dates are whole days, so the
store is read in UTC and nothing shifts.
"""

import datetime as dt
import hashlib
from pathlib import Path

import pandas as pd
import pytest
from conftest import in_ci

from reviewkit.definitions import Definitions
from reviewkit.identity import resolve_identities
from reviewkit.metrics import revenue_won, stage_counts
from reviewkit.periods import FiscalCalendar, parse_period, previous_period
from reviewkit.scorecard import scorecard
from reviewkit.store import replace_tables

DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "maven_crm"
PIPELINE_SHA256 = "825ce8f6c32d4009548b468df3173d55a46fd73f2531f532c5459371dc52adf2"
STAGES = ["lead", "opportunity", "won"]
TZ = "UTC"
MONTHS_2017 = [dt.date(2017, m, 1) for m in range(1, 13)]


def next_month(day):
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def utc(dates):
    return pd.to_datetime(dates, format="%Y-%m-%d").dt.tz_localize("UTC")


def store_frames(pipeline, teams):
    """Map the export to store tables (prospecting deals, never engaged, have no date)."""
    engaged = pipeline[pipeline["engage_date"].notna()].reset_index(drop=True)
    office = dict(zip(teams["sales_agent"], teams["regional_office"], strict=True))
    team = engaged["sales_agent"].map(office)
    leads = pd.DataFrame(
        {
            "lead_id": engaged["opportunity_id"],
            "source_system": "maven",
            "created_at": utc(engaged["engage_date"]),
            "company_name": engaged["account"],
            "sales_team": team,
        }
    )
    won = engaged[engaged["deal_stage"] == "Won"]
    events = pd.concat(
        [
            pd.DataFrame({"lead_id": engaged["opportunity_id"], "stage": "lead",
                          "entered_at": utc(engaged["engage_date"])}),
            pd.DataFrame({"lead_id": engaged["opportunity_id"], "stage": "opportunity",
                          "entered_at": utc(engaged["engage_date"])}),
            pd.DataFrame({"lead_id": won["opportunity_id"], "stage": "won",
                          "entered_at": utc(won["close_date"])}),
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
            "created_at": utc(engaged["engage_date"]),
            "closed_at": utc(engaged["close_date"]),
            "is_won": pd.array(outcome.tolist(), dtype="boolean"),
            "stage": engaged["deal_stage"],
            "sales_team": team,
            "source_system": "maven",
        }
    )
    return {"leads": leads, "stage_events": events, "opportunities": opportunities}


def month_of(dates):
    return pd.to_datetime(dates, format="%Y-%m-%d").dt.to_period("M")


@pytest.fixture(scope="module")
def maven():
    if not (DATA / "sales_pipeline.csv").is_file():
        message = f"the Maven CRM data set is missing: expected it in {DATA}"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    pipeline = pd.read_csv(DATA / "sales_pipeline.csv")
    teams = pd.read_csv(DATA / "sales_teams.csv")
    return pipeline, teams


@pytest.fixture
def maven_con(con, maven):
    counts = replace_tables(con, store_frames(*maven), source="maven_crm")
    identity = resolve_identities(con)
    # no e-mails: every lead is its own person
    assert identity["persons"] == identity["leads"] == counts["leads"]
    return con


def test_the_data_set_is_the_documented_one(maven):
    pipeline, teams = maven
    digest = hashlib.sha256((DATA / "sales_pipeline.csv").read_bytes()).hexdigest()
    assert digest == PIPELINE_SHA256
    assert len(pipeline) == 8_800
    assert pipeline["opportunity_id"].is_unique
    assert (pipeline["engage_date"].min(), pipeline["engage_date"].max()) == (
        "2016-10-20",
        "2017-12-27",
    )
    assert set(pipeline["sales_agent"]) <= set(teams["sales_agent"])
    assert pipeline.loc[pipeline["engage_date"].isna(), "deal_stage"].eq("Prospecting").all()


def test_mapping_keeps_every_engaged_deal(maven):
    pipeline, teams = maven
    frames = store_frames(pipeline, teams)
    engaged = pipeline["engage_date"].notna().sum()
    assert len(frames["leads"]) == len(frames["opportunities"]) == engaged == 8_300
    assert frames["leads"]["sales_team"].notna().all()
    assert frames["opportunities"]["is_won"].sum() == (pipeline["deal_stage"] == "Won").sum()


@pytest.mark.parametrize("month", MONTHS_2017, ids=[f"{m:%Y-%m}" for m in MONTHS_2017])
def test_monthly_counts_and_revenue_match_the_csv(maven_con, maven, month):
    pipeline, _ = maven
    period = pd.Period(month, freq="M")
    engaged = (month_of(pipeline["engage_date"]) == period).sum()
    won_rows = pipeline[
        (pipeline["deal_stage"] == "Won") & (month_of(pipeline["close_date"]) == period)
    ]

    got = stage_counts(maven_con, start=month, end=next_month(month), timezone=TZ, stages=STAGES)
    assert got.to_dict() == {"lead": engaged, "opportunity": engaged, "won": len(won_rows)}
    revenue = revenue_won(maven_con, start=month, end=next_month(month), timezone=TZ)
    assert revenue == pytest.approx(won_rows["close_value"].sum(), abs=0.005)


def test_grand_totals_match_the_csv(maven_con, maven):
    pipeline, _ = maven
    won = pipeline[pipeline["deal_stage"] == "Won"]
    everything = dict(start=dt.date(2016, 1, 1), end=dt.date(2018, 1, 1), timezone=TZ)
    got = stage_counts(maven_con, stages=STAGES, **everything)
    assert got.to_dict() == {"lead": 8_300, "opportunity": 8_300, "won": len(won)}
    assert len(won) == 4_238
    total = revenue_won(maven_con, **everything)
    assert total == pytest.approx(won["close_value"].sum(), abs=0.005)
    assert total == pytest.approx(10_005_534, abs=0.005)
    # every won deal closed in 2017, so the months add up to the total
    by_month = sum(
        revenue_won(maven_con, start=m, end=next_month(m), timezone=TZ) for m in MONTHS_2017
    )
    assert by_month == pytest.approx(total, abs=0.01)
    # lost deals carry 0 and open deals no value: neither adds revenue
    assert pipeline.loc[pipeline["deal_stage"] == "Lost", "close_value"].eq(0).all()


def test_scorecard_on_real_data(maven_con, maven):
    pipeline, _ = maven
    text = {"ja": "x", "en": "x"}
    definitions = Definitions.model_validate(
        {
            "version": "maven",
            "agreed_by": ["sales"],
            "agreed_on": "2017-01-01",
            "currency": "USD",
            "stages": [
                {"key": k, "label": text, "owner": "sales", "description": text} for k in STAGES
            ],
            "kgi": {"label": text, "owner": "sales", "description": text},
        }
    )
    calendar = FiscalCalendar(1)
    quarter = parse_period("FY2017-Q3", calendar=calendar)  # July .. September 2017
    previous = previous_period(quarter, calendar=calendar)
    frame = scorecard(maven_con, quarter, previous=previous, definitions=definitions, timezone=TZ)

    def actuals(start, end):
        engage = pd.to_datetime(pipeline["engage_date"]).dt.date
        close = pd.to_datetime(pipeline["close_date"]).dt.date
        won = (pipeline["deal_stage"] == "Won") & (close >= start) & (close < end)
        engaged = int(((engage >= start) & (engage < end)).sum())
        return [engaged, engaged, int(won.sum()), float(pipeline.loc[won, "close_value"].sum())]

    now = actuals(dt.date(2017, 7, 1), dt.date(2017, 10, 1))
    before = actuals(dt.date(2017, 4, 1), dt.date(2017, 7, 1))
    assert list(frame["metric"]) == [*STAGES, "revenue"]
    assert frame["actual"].tolist() == pytest.approx(now, abs=0.005)
    assert frame["previous"].tolist() == pytest.approx(before, abs=0.005)
    change = [a / b - 1 for a, b in zip(now, before, strict=True)]
    assert frame["change"].tolist() == pytest.approx(change, rel=1e-9)
    assert frame["target"].isna().all()  # the export has no targets
    assert frame["achievement"].isna().all()
