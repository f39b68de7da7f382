"""Metrics on real public data nobody in this project wrote: the Maven CRM sales pipeline.

The CSV export is mapped to the store with plain pandas (one lead per engaged opportunity,
``opportunity`` at the engage date, ``won`` at the close date of won deals), loaded, and the
semantic layer's metrics are compared with a direct groupby on the CSV. Dates are whole days,
so the store is read in UTC and nothing shifts; the cut-off is after the last close date.
"""

import datetime as dt
import hashlib

import pandas as pd
import pytest
from builders import MAVEN_CUTOFF, MAVEN_DATA, maven_frames

from reviewkit.analysis.scorecard import scorecard
from reviewkit.core.periods import FiscalCalendar, Period, parse_period, previous_period

PIPELINE_SHA256 = "825ce8f6c32d4009548b468df3173d55a46fd73f2531f532c5459371dc52adf2"
STAGES = ["lead", "opportunity", "won"]
TZ = "UTC"
MONTHS_2017 = [dt.date(2017, m, 1) for m in range(1, 13)]
CUTOFF = MAVEN_CUTOFF  # the export's last close date is 2017-12-31
TEXT = {"ja": "x", "en": "x"}


def next_month(day):
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def span(start, end):
    """Any range of days as a period (the layer only needs its label, start and end)."""
    return Period("monthly", start, end, f"{start}..{end}", start.year, 0)


def stage_counts(funnel, start, end):
    frame = funnel.metric_frame(STAGES, [span(start, end)])
    return dict(zip(frame["metric"], frame["value"], strict=True))


def revenue_won(funnel, start, end):
    return funnel.value("revenue", span(start, end))


def month_of(dates):
    return pd.to_datetime(dates, format="%Y-%m-%d").dt.to_period("M")


def test_the_data_set_is_the_documented_one(maven):
    pipeline, teams = maven
    digest = hashlib.sha256((MAVEN_DATA / "sales_pipeline.csv").read_bytes()).hexdigest()
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
    frames = maven_frames(pipeline, teams)
    engaged = pipeline["engage_date"].notna().sum()
    assert len(frames["leads"]) == len(frames["opportunities"]) == engaged == 8_300
    assert frames["leads"]["sales_team"].notna().all()
    assert frames["opportunities"]["is_won"].sum() == (pipeline["deal_stage"] == "Won").sum()


@pytest.mark.parametrize("month", MONTHS_2017, ids=[f"{m:%Y-%m}" for m in MONTHS_2017])
def test_monthly_counts_and_revenue_match_the_csv(maven_funnel, maven, month):
    pipeline, _ = maven
    period = pd.Period(month, freq="M")
    engaged = (month_of(pipeline["engage_date"]) == period).sum()
    won_rows = pipeline[
        (pipeline["deal_stage"] == "Won") & (month_of(pipeline["close_date"]) == period)
    ]

    got = stage_counts(maven_funnel, month, next_month(month))
    assert got == {"lead": engaged, "opportunity": engaged, "won": len(won_rows)}
    revenue = revenue_won(maven_funnel, month, next_month(month))
    assert revenue == pytest.approx(won_rows["close_value"].sum(), abs=0.005)


def test_grand_totals_match_the_csv(maven_funnel, maven):
    pipeline, _ = maven
    won = pipeline[pipeline["deal_stage"] == "Won"]
    everything = (dt.date(2016, 1, 1), dt.date(2018, 1, 1))
    got = stage_counts(maven_funnel, *everything)
    assert got == {"lead": 8_300, "opportunity": 8_300, "won": len(won)}
    assert len(won) == 4_238
    total = revenue_won(maven_funnel, *everything)
    assert total == pytest.approx(won["close_value"].sum(), abs=0.005)
    assert total == pytest.approx(10_005_534, abs=0.005)
    # every won deal closed in 2017, so the months add up to the total
    by_month = sum(revenue_won(maven_funnel, m, next_month(m)) for m in MONTHS_2017)
    assert by_month == pytest.approx(total, abs=0.01)
    # lost deals carry 0 and open deals no value: neither adds revenue
    assert pipeline.loc[pipeline["deal_stage"] == "Lost", "close_value"].eq(0).all()


def test_scorecard_on_real_data(maven_funnel, maven):
    pipeline, _ = maven
    calendar = FiscalCalendar(1)
    quarter = parse_period("FY2017-Q3", calendar=calendar)  # July .. September 2017
    previous = previous_period(quarter, calendar=calendar)
    frame = scorecard(maven_funnel, quarter, previous=previous, targets=None, calendar=calendar)

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


@pytest.mark.parametrize("month", MONTHS_2017, ids=[f"{m:%Y-%m}" for m in MONTHS_2017])
def test_monthly_rates_match_the_csv(maven_funnel, maven, month):
    pipeline, _ = maven
    period = pd.Period(month, freq="M")
    engage = pd.to_datetime(pipeline["engage_date"], format="%Y-%m-%d")
    close = pd.to_datetime(pipeline["close_date"], format="%Y-%m-%d")
    closed = pipeline[
        (close.dt.to_period("M") == period) & pipeline["deal_stage"].isin(["Won", "Lost"])
    ]
    won = closed["deal_stage"] == "Won"
    days = (close - engage)[closed.index][won]
    # the cohort engaged this month, won within 90 days (whole days: fewer than 90)
    cohort = pipeline[engage.dt.to_period("M") == period]
    in_time = (cohort["deal_stage"] == "Won") & ((close - engage)[cohort.index].dt.days < 90)

    got = maven_funnel.metric_frame(
        ["win_rate", "average_deal_size", "sales_cycle", "opportunity_to_won"],
        [span(month, next_month(month))],
    ).set_index("metric")
    cohort_rate = got.loc["opportunity_to_won"]
    assert (cohort_rate["numerator"], cohort_rate["denominator"]) == (in_time.sum(), len(cohort))
    if closed.empty:  # the export's first deals closed in March 2017
        assert month < dt.date(2017, 3, 1)
        assert got.loc[["win_rate", "average_deal_size", "sales_cycle"], "value"].isna().all()
        return
    assert got.loc["win_rate", "value"] == pytest.approx(won.sum() / len(closed))
    assert got.loc["average_deal_size", "value"] == pytest.approx(
        closed.loc[won, "close_value"].sum() / won.sum()
    )
    assert got.loc["sales_cycle", "value"] == pytest.approx(days.dt.days.median())
