"""The sample company: reproducible, realistic in shape, and carrying its three planted problems.

Everything here is measured on the raw tables with plain pandas (persons merged by trimmed,
lower-cased e-mail), never through reviewkit's metrics. The planted problems are read from
the ground truth in ``sample_company.yml``.
"""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from reviewkit.ingest.sample.company import generate, load_spec

TZ = "Asia/Tokyo"
SIX_CHANNELS = {"paid_search", "display", "content_seo", "referral", "webinar", "exhibition"}
ALWAYS_ON = ["paid_search", "display", "content_seo", "referral"]
FUNNEL = ["lead", "mql", "sql", "opportunity", "won", "revenue"]
MATURITY = dt.timedelta(days=14)


# --- helpers -------------------------------------------------------------------------------


def tokyo_dates(column):
    return column.dt.tz_convert(TZ).dt.date


def normalised(emails):
    return emails.astype(object).map(lambda e: e.strip().lower() if isinstance(e, str) else "")


def person_keys(leads):
    """Person key per lead: its normalised e-mail, or the lead itself without one."""
    email = normalised(leads["email"])
    return pd.Series(
        np.where(email != "", "email:" + email, "lead:" + leads["lead_id"].astype(object)),
        index=leads.index,
    )


def daily_leads(leads):
    """MA leads of the always-on channels per Tokyo day, every day of the range."""
    ma = leads[(leads["source_system"] == "ma") & leads["channel"].isin(ALWAYS_ON)]
    days = pd.to_datetime(pd.Series(tokyo_dates(ma["created_at"])))
    per_day = days.value_counts()
    full = pd.date_range(per_day.index.min(), per_day.index.max(), freq="D")
    return per_day.reindex(full, fill_value=0)


def weekday_median(series, first, last):
    part = series[(series.index >= pd.Timestamp(first)) & (series.index <= pd.Timestamp(last))]
    return float(part[part.index.day_of_week < 5].median())


def in_window(frame, start, end):
    day = tokyo_dates(frame["mql"])
    return frame[(day >= start) & (day < end)]


def rate(frame):
    assert len(frame) > 0
    return float(frame["converted"].mean())


def split_rates(frame, problem):
    """MQL -> SQL rate of a problem's segment, and of everybody else in ``frame``."""
    mask = problem_mask(frame, problem)
    return rate(frame[mask]), rate(frame[~mask])


def median_hours(frame):
    assert len(frame) > 0
    return float(np.median(frame["hours_to_touch"]))


def problem_mask(frame, problem):
    """Which MQLs a planted problem is about (its segment)."""
    if problem["family"] == "target":
        mask = frame["channel"] == problem["channel"]
        for key, value in problem["segment"].items():
            mask &= frame[key] == value
        return mask
    if problem["family"] == "content":
        return frame["content_asset"] == problem["content_asset"]
    if problem["family"] == "follow_up":
        return frame["sales_team"] == problem["sales_team"]
    raise AssertionError(f"unknown family {problem['family']}")


def windows(spec, problem):
    """Six months before the problem starts, and from the start to 14 days before the end."""
    starts = problem["starts"]
    before = (dt.date(starts.year - (starts.month <= 6), (starts.month - 7) % 12 + 1, 1), starts)
    after = (starts, spec["last_day"] + dt.timedelta(days=1) - MATURITY)
    return before, after


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spec():
    return load_spec()


@pytest.fixture(scope="module")
def persons(sample_tables):
    """One row per person: canonical attributes (earliest lead record) and first entries."""
    leads = sample_tables["leads"].copy()
    leads["person"] = person_keys(leads)
    person_of = dict(zip(leads["lead_id"], leads["person"], strict=True))
    canonical = leads.sort_values(["created_at", "lead_id"]).drop_duplicates("person")
    frame = canonical.set_index("person")[
        ["channel", "company_size", "content_asset", "sales_team", "created_at"]
    ]
    events = sample_tables["stage_events"]
    events = events.assign(person=events["lead_id"].map(person_of))
    assert events["person"].notna().all()
    first = events.groupby(["person", "stage"])["entered_at"].min().unstack()
    return frame.join(first), person_of


@pytest.fixture(scope="module")
def mqls(persons, sample_tables):
    """Every person who became an MQL, with first human touch and 14-day conversion."""
    frame, person_of = persons
    frame = frame[frame["mql"].notna()].copy()
    acts = sample_tables["activities"]
    human = acts[acts["is_human"].astype(bool)]
    human = human.assign(person=human["lead_id"].map(person_of))
    human = human.merge(frame[["mql"]], left_on="person", right_index=True)
    first_touch = human[human["occurred_at"] >= human["mql"]].groupby("person")["occurred_at"].min()
    frame["touch"] = first_touch
    hours = (frame["touch"] - frame["mql"]).dt.total_seconds() / 3600
    frame["hours_to_touch"] = hours.fillna(np.inf)  # never touched: worst possible
    frame["converted"] = frame["sql"].notna() & (frame["sql"] - frame["mql"] <= MATURITY)
    return frame


# --- determinism ---------------------------------------------------------------------------


def test_same_seed_same_tables_other_seed_other_data(spec, sample_tables):
    first = generate(seed=spec["seed"])
    again = generate(seed=spec["seed"])
    assert set(first.tables) == {
        "leads", "stage_events", "score_changes", "opportunities", "activities", "campaigns",
        "targets",
    }  # fmt: skip
    for name, frame in first.tables.items():
        pd.testing.assert_frame_equal(frame, again.tables[name], obj=name)

    other = generate(seed=spec["seed"] + 1)
    a, b = first.tables["leads"], other.tables["leads"]
    assert len(a) != len(b) or not a["created_at"].equals(b["created_at"])
    assert not first.tables["opportunities"]["amount"].equals(
        other.tables["opportunities"]["amount"]
    )

    # the store holds exactly what the default seed generates
    for name in ("leads", "stage_events", "opportunities", "activities", "targets"):
        assert len(sample_tables[name]) == len(first.tables[name]), name
    stored = sample_tables["leads"].sort_values("lead_id")
    made = first.tables["leads"].sort_values("lead_id")
    assert stored["lead_id"].tolist() == made["lead_id"].tolist()
    assert (
        stored["created_at"].dt.as_unit("us").tolist()
        == made["created_at"].dt.as_unit("us").tolist()
    )
    assert sample_tables["opportunities"]["amount"].astype(float).sum() == pytest.approx(
        first.tables["opportunities"]["amount"].sum(), abs=1
    )


# --- size and shape ------------------------------------------------------------------------


def test_about_fifty_thousand_leads(sample_tables, spec):
    leads = sample_tables["leads"]
    ma = leads[leads["source_system"] == "ma"]
    assert 45_000 <= len(ma) <= 56_000
    assert 45_000 <= person_keys(leads).nunique() <= 56_000
    assert spec["target_leads"] == 50_000


@pytest.fixture(scope="module")
def small_sample():
    """The sample company at about 10,000 leads (a fifth of the default)."""
    return generate(leads=10_000)


def test_leads_scales_the_volume(small_sample, sample_tables, spec):
    leads = small_sample.tables["leads"]
    ma = leads[leads["source_system"] == "ma"]
    assert 9_000 <= len(ma) <= 11_000
    assert small_sample.spec["target_leads"] == 10_000
    scaled = small_sample.spec["planted_problems"]["content"]["extra_leads_per_business_day"]
    default = spec["planted_problems"]["content"]["extra_leads_per_business_day"]
    assert scaled == pytest.approx(default / 5)
    # rates and shares stay: the MQL share of MA leads and the share of each channel
    default_leads = sample_tables["leads"]
    default_ma = default_leads[default_leads["source_system"] == "ma"]

    def mql_share(tables, ma_leads):
        events = tables["stage_events"]
        mql = events.loc[events["stage"] == "mql", "lead_id"]
        return ma_leads["lead_id"].isin(set(mql)).mean()

    default_events = {"stage_events": sample_tables["stage_events"]}
    assert mql_share(small_sample.tables, ma) == pytest.approx(
        mql_share(default_events, default_ma), abs=0.02
    )
    small_channels = ma["channel"].value_counts(normalize=True)
    default_channels = default_ma["channel"].value_counts(normalize=True)
    for channel in SIX_CHANNELS:
        assert small_channels[channel] == pytest.approx(default_channels[channel], abs=0.02)
    # campaign costs follow the volume; the same campaigns run
    small_cost = small_sample.tables["campaigns"].set_index("campaign_id")["cost"]
    default_cost = sample_tables["campaigns"].set_index("campaign_id")["cost"].astype(float)
    assert set(small_cost.index) == set(default_cost.index)
    assert small_cost.sum() == pytest.approx(default_cost.sum() / 5, rel=1e-6)


@pytest.mark.parametrize("bad", [0, 999, -5, 2.5, "10000", True])
def test_leads_must_be_a_count_of_at_least_a_thousand(bad):
    from reviewkit.errors import ParameterError

    with pytest.raises(ParameterError, match=r"leads: .* at least 1,000"):
        generate(leads=bad)


def test_dates_span_the_range_and_nothing_after_it(sample_tables, spec):
    first_day, last_day = spec["first_day"], spec["last_day"]
    assert (first_day, last_day) == (dt.date(2024, 4, 1), dt.date(2026, 11, 22))
    created = tokyo_dates(sample_tables["leads"]["created_at"])
    assert created.min() == first_day
    assert created.max() == last_day
    columns = {
        "leads": ["created_at"],
        "stage_events": ["entered_at"],
        "opportunities": ["created_at", "closed_at"],
        "activities": ["occurred_at"],
    }
    for table, cols in columns.items():
        for col in cols:
            days = tokyo_dates(sample_tables[table][col].dropna())
            assert days.min() >= first_day, (table, col)
            assert days.max() <= last_day, (table, col)


def test_channels_teams_and_targets(sample_tables):
    leads = sample_tables["leads"]
    assert set(leads["channel"].dropna()) >= SIX_CHANNELS
    assert leads["sales_team"].nunique() >= 3
    assert sample_tables["opportunities"]["sales_team"].nunique() >= 3

    targets = sample_tables["targets"]
    company = targets[targets["segment_key"] == ""]
    have = {
        (pd.Timestamp(m).strftime("%Y-%m"), k)
        for m, k in zip(company["month"], company["metric"], strict=True)
    }
    months = pd.period_range("2024-04", "2027-03", freq="M").strftime("%Y-%m")
    missing = [(m, k) for m in months for k in FUNNEL if (m, k) not in have]
    assert missing == []
    assert (company["value"] > 0).all()


def test_sfa_duplicates_and_missing_channels(sample_tables, sample_con, spec):
    leads = sample_tables["leads"]
    ma, sfa = leads[leads["source_system"] == "ma"], leads[leads["source_system"] == "sfa"]
    ma_emails = set(normalised(ma["email"]))
    duplicated = sfa[normalised(sfa["email"]).isin(ma_emails)]
    assert len(duplicated) > 100
    # they only match after trimming and lower-casing
    assert not set(duplicated["email"]) & set(ma["email"])

    # about the documented share of SQL persons have a duplicate SFA record
    events = sample_tables["stage_events"]
    sql_leads = events.loc[events["stage"] == "sql", "lead_id"]
    keys = dict(zip(leads["lead_id"], person_keys(leads), strict=True))
    sql_persons = sql_leads.map(keys).nunique()
    share = len(duplicated) / sql_persons
    assert share == pytest.approx(spec["flaws"]["sfa_duplicate_share_of_sqls"], abs=0.04)

    # the store's identity table agrees with merging by hand
    persons = sample_con.execute("SELECT count(DISTINCT person_id) FROM lead_identity").fetchone()
    assert persons[0] == person_keys(leads).nunique() == len(leads) - len(duplicated)

    missing = ma["channel"].isna().mean()
    assert missing == pytest.approx(spec["flaws"]["missing_channel_share"], abs=0.01)
    assert missing > 0


def test_weekdays_busier_than_weekends(sample_tables):
    per_day = daily_leads(sample_tables["leads"])
    weekday = per_day[per_day.index.day_of_week < 5].mean()
    weekend = per_day[per_day.index.day_of_week >= 5].mean()
    assert weekday > 3 * weekend


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_golden_week_dip(sample_tables, year):
    per_day = daily_leads(sample_tables["leads"])
    golden = weekday_median(per_day, f"{year}-04-29", f"{year}-05-06")
    around = weekday_median(
        pd.concat(
            [per_day[f"{year}-04-08" : f"{year}-04-26"], per_day[f"{year}-05-11" : f"{year}-05-29"]]
        ),
        f"{year}-04-01",
        f"{year}-05-31",
    )
    assert golden < 0.5 * around, (golden, around)


@pytest.mark.parametrize("year", [2024, 2025])
def test_year_end_dip(sample_tables, year):
    per_day = daily_leads(sample_tables["leads"])
    holidays = weekday_median(per_day, f"{year}-12-28", f"{year + 1}-01-04")
    december = weekday_median(per_day, f"{year}-12-01", f"{year}-12-20")
    assert holidays < 0.5 * december, (holidays, december)


# --- the planted problems ------------------------------------------------------------------


def test_the_ground_truth_lists_three_problems(spec):
    problems = spec["planted_problems"]
    assert {p["family"] for p in problems.values()} == {"target", "content", "follow_up"}
    for problem in problems.values():
        assert problem["starts"] == dt.date(2026, 10, 1)
        assert windows(spec, problem) == (
            (dt.date(2026, 4, 1), dt.date(2026, 10, 1)),
            (dt.date(2026, 10, 1), dt.date(2026, 11, 9)),
        )


def problem_of(spec, family):
    found = [p for p in spec["planted_problems"].values() if p["family"] == family]
    assert len(found) == 1
    return found[0]


def test_targeting_problem(spec, mqls, sample_tables):
    problem = problem_of(spec, "target")
    (b0, b1), (a0, a1) = windows(spec, problem)
    channel = mqls[mqls["channel"] == problem["channel"]]
    before, after = in_window(channel, b0, b1), in_window(channel, a0, a1)
    seg_before, rest_before = split_rates(before, problem)
    seg_after, rest_after = split_rates(after, problem)
    assert problem_mask(after, problem).sum() >= 50

    # before October the segment converts like the rest of the channel
    assert 0.7 <= seg_before / rest_before <= 1.3, (seg_before, rest_before)
    # afterwards its rate falls by at least half, clearly more than the rest of the channel
    assert seg_after <= 0.5 * seg_before, (seg_before, seg_after)
    assert rest_after >= 0.75 * rest_before, (rest_before, rest_after)
    assert seg_after / seg_before <= rest_after / rest_before - 0.3

    # and the broadened keywords bring many more leads of the segment
    leads = sample_tables["leads"]
    paid = leads[(leads["channel"] == problem["channel"]) & (leads["source_system"] == "ma")]
    created = tokyo_dates(paid["created_at"])
    share = problem_mask(paid, problem)
    share_before = share[(created >= b0) & (created < b1)].mean()
    share_after = share[(created >= a0) & (created < a1)].mean()
    assert share_before < 0.4
    assert share_after == pytest.approx(problem["share_of_channel"], abs=0.08)


def test_content_problem(spec, mqls, sample_tables):
    problem = problem_of(spec, "content")
    (b0, b1), (a0, a1) = windows(spec, problem)
    with_asset = mqls[mqls["content_asset"].notna()]
    before, after = in_window(with_asset, b0, b1), in_window(with_asset, a0, a1)
    asset_after, others_after = split_rates(after, problem)

    assert problem_mask(after, problem).sum() > 300
    assert asset_after < 0.05
    assert others_after > 0.20
    # before October the asset did not exist, and the other assets converted as well
    leads = sample_tables["leads"]
    early = tokyo_dates(leads["created_at"]) < problem["starts"]
    assert not (leads.loc[early, "content_asset"] == problem["content_asset"]).any()
    assert problem_mask(before, problem).sum() == 0
    assert rate(before) > 0.20


def test_follow_up_problem(spec, mqls):
    problem = problem_of(spec, "follow_up")
    (b0, b1), (a0, a1) = windows(spec, problem)
    others = [p for p in spec["planted_problems"].values() if p is not problem]
    clean = mqls[~np.logical_or.reduce([problem_mask(mqls, p) for p in others])]
    before, after = in_window(mqls, b0, b1), in_window(mqls, a0, a1)
    team_before_mask, team_after_mask = problem_mask(before, problem), problem_mask(after, problem)

    # speed to lead: hours from MQL to the first human touch
    assert median_hours(before[team_before_mask]) < 12
    assert median_hours(after[team_after_mask]) > 36
    for name, group in after[~team_after_mask].groupby("sales_team"):
        assert median_hours(group) < 12, name
    for name, group in before[~team_before_mask].groupby("sales_team"):
        assert median_hours(group) < 12, name

    # MQL -> SQL without the other problems' segments
    team_before, peers_before = split_rates(in_window(clean, b0, b1), problem)
    team_after, peers_after = split_rates(in_window(clean, a0, a1), problem)
    assert 0.75 <= team_before / peers_before <= 1.25, (team_before, peers_before)
    assert team_after <= (2 / 3) * team_before, (team_before, team_after)
    assert peers_after >= 0.8 * peers_before, (peers_before, peers_after)
