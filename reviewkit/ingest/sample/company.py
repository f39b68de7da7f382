"""Generate the sample company: a seeded, realistic B2B funnel of about 50,000 leads.

What it models (all rates are per lead, drawn with one ``numpy`` generator, so a seed gives
the same data every time):

- daily lead volume with weekday seasonality, Japanese public holidays (from the company
  calendar's :class:`~reviewkit.core.holidays.DayCalendar` for Japan), and the sample's own
  breaks: Golden Week, Obon and the year end; month-end pushes, fiscal half-year ends and a
  growth trend;
- channels (paid search, display, content/SEO, referral, webinars on alternate Thursdays,
  exhibitions a few times a year) with campaigns and content assets that have a cost;
- industries, company sizes, regions, personas and three sales teams;
- a score with its history (it rises to 60 or more when a lead becomes an MQL), a first human
  touch after MQL whose delay drives the
  MQL->SQL rate (speed to lead), opportunities with amounts by company size, and wins or
  losses after a sales cycle; deals still open at the end of the data stay open;
- real-export flaws: an SQL's SFA lead record duplicates its MA record (merged by identity
  matching), and some MA leads have no channel;
- monthly targets for every stage and revenue (1.1 x the same months of the previous year),
  company-wide and per sales team;
- three problems planted from October 2026, described in ``sample_company.yml`` (the ground
  truth that tests read).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import yaml

from reviewkit.core.holidays import DayCalendar
from reviewkit.core.resources import package_file
from reviewkit.errors import ParameterError
from reviewkit.ingest.sample.company_plans import campaigns_frame, monthly_targets
from reviewkit.ingest.sample.company_shape import (
    BASE_SHARE,
    COMPANY_PARTS,
    CONTENT_ASSETS,
    EXHIBITIONS,
    INDUSTRIES,
    PERSONA_SQL,
    PERSONAS,
    REGIONS,
    SCORE_SHIFT,
    SIZE_AMOUNT,
    SIZE_CYCLE_DAYS,
    SIZE_OPP,
    SIZE_SQL,
    SIZE_WIN,
    SIZES,
    SQL_RATE,
)


@dataclass(frozen=True)
class SampleData:
    """The generated tables, ready for the store, and the spec they came from."""

    tables: dict[str, pd.DataFrame]
    spec: dict[str, Any]


def load_spec() -> dict[str, Any]:
    """Return the sample company's spec and ground truth (``sample_company.yml``)."""
    with package_file("ingest", "sample", "company.yml").open(encoding="utf-8") as handle:
        spec: dict[str, Any] = yaml.safe_load(handle)
    return spec


MIN_LEADS = 1_000  # fewer leads leave most weekly segments empty


def _volume(spec: dict[str, Any], leads: int | None) -> float:
    """How many times the default volume ``leads`` asks for; scales the spec's volumes too."""
    if leads is None:
        return 1.0
    if isinstance(leads, bool) or not isinstance(leads, int | np.integer) or leads < MIN_LEADS:
        raise ParameterError(
            f"leads: {leads!r} is not a lead count the sample can have; give a whole number of "
            f"at least {MIN_LEADS:,} (the default sample has {spec['target_leads']:,})"
        )
    volume = int(leads) / spec["target_leads"]
    spec["target_leads"] = int(leads)
    content = spec["planted_problems"]["content"]
    content["extra_leads_per_business_day"] = content["extra_leads_per_business_day"] * volume
    return volume


def _pick(rng: np.random.Generator, table: dict[str, float], n: int) -> np.ndarray:
    keys = list(table)
    p = np.array([table[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=n, p=p / p.sum())]


JAPAN = DayCalendar(country="JP")  # the sample company is in Japan (sample_company.yml)


def _holidays(days: pd.DatetimeIndex) -> np.ndarray:
    """Whether each day is a Japanese public holiday."""
    return np.array([JAPAN.is_public_holiday(d.date()) for d in days], dtype=bool)


def _day_weights(days: pd.DatetimeIndex) -> np.ndarray:
    """Relative lead volume per day: weekdays, holidays, breaks, month ends, trend."""
    weekday = np.array([1.05, 1.10, 1.10, 1.05, 0.95, 0.16, 0.10])[days.day_of_week]
    holiday = _holidays(days)
    md = days.month * 100 + days.day
    breaks = (
        ((md >= 429) & (md <= 506))  # Golden Week
        | ((md >= 813) & (md <= 816))  # Obon
        | (md >= 1228)
        | (md <= 104)  # year end
    )
    w = weekday * np.where(holiday, 0.2, 1.0) * np.where(breaks, 0.3, 1.0)
    month_end = days.days_in_month - days.day < 3
    w = w * np.where(month_end & (days.day_of_week < 5), 1.15, 1.0)
    half_end = np.isin(days.month, [3, 9])
    w = w * np.where(half_end, 1.08, 1.0) * np.where(days.month == 8, 0.9, 1.0)
    years = (days - days[0]).days / 365.25
    return np.asarray(w * (1.0 + 0.10 * years))


def _draw_assets(
    rng: np.random.Generator, created: np.ndarray, published: np.ndarray
) -> np.ndarray:
    """A content asset for each lead, recent assets likelier (weight exp(-age in days / 240)).

    Only assets published by the lead's creation count, never the newest (the planted content
    problem's). The same draws as ``rng.choice(k, p=w / w.sum())`` lead by lead (one uniform
    each, in order, against the same cumulative weights), without a Python loop.
    """
    choosable = published[:-1].astype(created.dtype)
    known = np.searchsorted(choosable, created, side="right")  # published on or before
    uniform = rng.random(len(created))
    out = np.empty(len(created), dtype=object)
    ids = np.array([a[0] for a in CONTENT_ASSETS[:-1]], dtype=object)
    for k in np.unique(known):
        rows = np.flatnonzero(known == k)
        age_days = (created[rows, None] - choosable[None, :k]) / np.timedelta64(1, "D")
        w = np.exp(-age_days / 240.0)
        cdf = (w / w.sum(axis=1, keepdims=True)).cumsum(axis=1)
        cdf /= cdf[:, -1:]
        out[rows] = ids[(cdf <= uniform[rows, None]).sum(axis=1)]
    return out


def _business_days(days: pd.DatetimeIndex) -> np.ndarray:
    return np.asarray((days.day_of_week < 5) & ~_holidays(days))


def generate(*, seed: int | None = None, leads: int | None = None) -> SampleData:
    """Generate the sample company's tables.

    Parameters
    ----------
    seed
        Random seed; defaults to the spec's seed. The same seed gives identical tables.
    leads
        About how many leads to generate (the spec's ``target_leads``, 50,000, by default):
        every volume (daily leads, webinar and exhibition bursts, the planted content
        problem's extra leads, campaign costs) scales with it; rates, shares and the planted
        problems stay as they are. ``None`` gives exactly the default sample.

    Returns
    -------
    SampleData
        ``leads``, ``stage_events``, ``opportunities``, ``activities``, ``campaigns`` and
        ``targets``, and the spec (ground truth; its ``target_leads`` and the content
        problem's ``extra_leads_per_business_day`` scaled with ``leads``).

    Raises
    ------
    ParameterError
        If ``leads`` is not a whole number of at least 1,000.
    """
    spec = load_spec()
    volume = _volume(spec, leads)
    rng = np.random.default_rng(spec["seed"] if seed is None else seed)
    tables = funnel_tables(spec, volume, rng, ids=IdStart())
    return SampleData(tables={**tables, **plan_tables(spec, tables, leads=leads)}, spec=spec)


@dataclass(frozen=True)
class IdStart:
    """Numbers already taken by earlier chunks: ids of a chunk continue after them."""

    lead: int = 0
    sfa: int = 0
    opportunity: int = 0
    activity: int = 0


def calendar(spec: dict[str, Any]) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex]:
    """The sample's days and its webinar days (alternate Thursdays)."""
    days = pd.date_range(pd.Timestamp(spec["first_day"]), pd.Timestamp(spec["last_day"]), freq="D")
    return days, days[(days.day_of_week == 3)][::2]


def plan_tables(
    spec: dict[str, Any],
    tables: dict[str, pd.DataFrame],
    *,
    leads: int | None,
    targets: bool = True,
) -> dict[str, pd.DataFrame]:
    """``campaigns`` and ``targets`` of the funnel ``tables`` (see :func:`generate`).

    ``targets=False``: ``campaigns`` only (``tables`` is not read).
    """
    days, webinar_days = calendar(spec)
    campaigns = campaigns_frame(days, webinar_days)
    if leads is not None:  # a bigger company spends more on the same campaigns
        volume = leads / load_spec()["target_leads"]
        campaigns["cost"] = (campaigns["cost"] * volume).round().astype("int64")
    if not targets:
        return {"campaigns": campaigns}
    planned = monthly_targets(
        tables["stage_events"],
        tables["leads"],
        tables["opportunities"],
        tz=spec["timezone"],
        last=pd.Timestamp(spec["last_day"]),
    )
    return {"campaigns": campaigns, "targets": planned}


def funnel_tables(
    spec: dict[str, Any], volume: float, rng: np.random.Generator, *, ids: IdStart
) -> dict[str, pd.DataFrame]:
    """The funnel's tables (all but ``campaigns`` and ``targets``), ids counted from ``ids``.

    ``spec`` is already scaled to ``volume`` (see :func:`_volume`); ``rng`` draws them.
    """
    last = pd.Timestamp(spec["last_day"])
    end_of_data = (last + pd.Timedelta(days=1)).to_datetime64()
    days, webinar_days = calendar(spec)
    problems = spec["planted_problems"]

    # --- volume per day and channel ---------------------------------------------------------
    weights = _day_weights(days)
    burst = {"webinar": 80.0 * volume}
    base_expected = spec["target_leads"] - (
        len(webinar_days) * burst["webinar"] + sum(e[3] * e[4] * volume for e in EXHIBITIONS)
    )
    scale = base_expected / weights.sum()
    rows_day: list[np.ndarray] = []
    rows_channel: list[np.ndarray] = []
    rows_campaign: list[np.ndarray] = []
    for channel_name, share in BASE_SHARE.items():
        counts = rng.poisson(weights * scale * share)
        rows_day.append(np.repeat(np.arange(len(days)), counts))
        rows_channel.append(np.full(counts.sum(), channel_name, dtype=object))
        rows_campaign.append(np.full(counts.sum(), None, dtype=object))
    day_index = {d: i for i, d in enumerate(days)}
    for d in webinar_days:
        n = rng.poisson(burst["webinar"] * (0.7 if JAPAN.is_public_holiday(d.date()) else 1.0))
        rows_day.append(np.full(n, day_index[d]))
        rows_channel.append(np.full(n, "webinar", dtype=object))
        rows_campaign.append(np.full(n, f"WEB-{d:%Y%m%d}", dtype=object))
    for ex_id, _name, start, length, per_day, _cost in EXHIBITIONS:
        for k in range(length):
            d = pd.Timestamp(start) + pd.Timedelta(days=k)
            if d in day_index:
                n = rng.poisson(per_day * volume)
                rows_day.append(np.full(n, day_index[d]))
                rows_channel.append(np.full(n, "exhibition", dtype=object))
                rows_campaign.append(np.full(n, ex_id, dtype=object))
    # planted content problem: the new asset's extra downloads
    content = problems["content"]
    asset_start = pd.Timestamp(content["starts"])
    bdays = _business_days(days)
    extra = rng.poisson(
        np.where(bdays & (days >= asset_start), content["extra_leads_per_business_day"], 0)
    )
    rows_day.append(np.repeat(np.arange(len(days)), extra))
    rows_channel.append(
        np.where(rng.random(extra.sum()) < 0.7, "content_seo", "display").astype(object)
    )
    rows_campaign.append(np.full(extra.sum(), None, dtype=object))
    is_genai_extra = np.concatenate(
        [np.zeros(sum(len(r) for r in rows_day[:-1]), dtype=bool), np.ones(extra.sum(), bool)]
    )

    day = np.concatenate(rows_day)
    channel = np.concatenate(rows_channel)
    campaign = np.concatenate(rows_campaign)
    order = np.lexsort((rng.random(len(day)), day))
    day, channel, campaign, is_genai_extra = (
        day[order], channel[order], campaign[order], is_genai_extra[order]
    )  # fmt: skip
    n = len(day)
    day_ts = days[day]
    hours = np.clip(rng.normal(13.5, 2.8, n), 0, 23.99)
    created = day_ts.to_numpy() + (hours * 3600e9).astype("timedelta64[ns]")

    # --- attributes ------------------------------------------------------------------------
    industry = _pick(rng, INDUSTRIES, n)
    size = _pick(rng, SIZES, n)
    targeting = problems["targeting"]
    broadened = (channel == targeting["channel"]) & (day_ts >= pd.Timestamp(targeting["starts"]))
    size_key, size_value = next(iter(targeting["segment"].items()))
    assert size_key == "company_size"
    push = broadened & (rng.random(n) < (targeting["share_of_channel"] - 0.30) / 0.70)
    size[push] = size_value
    region = _pick(rng, REGIONS, n)
    persona = _pick(rng, PERSONAS, n)
    team = np.where(
        size == "large",
        "Team C",
        np.where(np.isin(region, ["kanto", "tohoku_hokkaido"]), "Team A", "Team B"),
    ).astype(object)

    # campaigns of the always-on channels
    fy = np.where(day_ts.month >= 4, day_ts.year, day_ts.year - 1)
    half = np.where(np.isin(day_ts.month, [4, 5, 6, 7, 8, 9]), 1, 2)
    quarter = ((day_ts.month - 4) % 12) // 3 + 1
    generic = rng.random(n) < 0.7
    ps = channel == "paid_search"
    campaign[ps] = [
        f"PS-FY{y}H{h}-{'generic' if g else 'brand'}"
        for y, h, g in zip(fy[ps], half[ps], generic[ps], strict=True)
    ]
    dsp = channel == "display"
    campaign[dsp] = [f"DSP-FY{y}Q{q}" for y, q in zip(fy[dsp], quarter[dsp], strict=True)]
    campaign[channel == "referral"] = "REF-PARTNERS"

    # content assets for content/SEO and display leads: recent assets draw more
    asset = np.full(n, None, dtype=object)
    published = np.array([np.datetime64(a[2]) for a in CONTENT_ASSETS])
    takes_asset = np.isin(channel, ["content_seo", "display"]) & ~is_genai_extra
    asset[takes_asset] = _draw_assets(rng, created[takes_asset], published)
    asset[is_genai_extra] = content["content_asset"]
    seo = channel == "content_seo"
    campaign[seo] = [f"SEO-{a}" for a in asset[seo]]
    webinar_titles = ["実践DXウェビナー", "コスト削減セミナー", "導入事例セミナー", "最新機能紹介"]
    web = channel == "webinar"
    asset[web] = [f"webinar-{webinar_titles[int(c[-2:]) % 4]}" for c in campaign[web]]

    # --- score and MQL ---------------------------------------------------------------------
    latent = rng.normal(0, 1, n)
    latent += np.array([SCORE_SHIFT[c] for c in channel])
    latent += np.select([persona == "staff", persona == "executive"], [-0.3, 0.2], 0.0)
    latent += np.select([size == "micro", size == "large"], [-0.3, 0.15], 0.0)
    genai_mql = rng.random(n) < content["mql_rate"]
    score = np.clip(np.round(50 + 14 * latent), 0, 100).astype(int)
    score[is_genai_extra] = np.where(
        genai_mql[is_genai_extra],
        rng.integers(60, 96, is_genai_extra.sum()),
        rng.integers(20, 60, is_genai_extra.sum()),
    )
    is_mql = score >= 60
    mql_at = created + (rng.exponential(2.5, n) * 86400e9).astype("timedelta64[ns]")
    # Scores rise as leads engage: an MQL starts below 60 and reaches its score at mql_at.
    first_score = np.where(is_mql, np.maximum(score - rng.integers(8, 40, n), 5), score)
    first_score = np.minimum(first_score, 59)
    first_score = np.where(is_mql, first_score, score)
    reached = is_mql & (mql_at < end_of_data)
    current_score = np.where(is_mql & ~reached, first_score, score)

    # --- first touch (speed to lead) -------------------------------------------------------
    follow = problems["follow_up"]
    slow = (team == follow["sales_team"]) & (mql_at >= np.datetime64(follow["starts"]))
    median_h = np.where(slow, follow["first_touch_median_hours"], 3.0)
    delay_h = np.exp(np.log(median_h) + rng.normal(0, np.where(slow, 0.8, 1.0), n))
    never = rng.random(n) < np.where(slow, follow["never_touched_share"], 0.04)
    touch_at = mql_at + (delay_h * 3600e9).astype("timedelta64[ns]")
    touched = is_mql & ~never & (touch_at < end_of_data)

    # --- SQL, opportunity, won -------------------------------------------------------------
    follow_factor = np.select([delay_h <= 1, delay_h <= 24, delay_h <= 72], [1.15, 1.0, 0.7], 0.5)
    p_sql = (
        np.array([SQL_RATE[c] for c in channel])
        * np.array([SIZE_SQL[s] for s in size])
        * np.array([PERSONA_SQL[p] for p in persona])
        * follow_factor
    )
    targeted = broadened & (size == size_value)
    p_sql = np.where(targeted, p_sql * targeting["rate_factor"], p_sql)
    p_sql = np.where(is_genai_extra, p_sql * content["rate_factor"], p_sql)
    sql_at = touch_at + (rng.exponential(4.0, n) * 86400e9).astype("timedelta64[ns]")
    is_sql = touched & (rng.random(n) < np.minimum(p_sql, 0.95)) & (sql_at < end_of_data)
    opp_at = sql_at + ((1 + rng.exponential(7.0, n)) * 86400e9).astype("timedelta64[ns]")
    p_opp = np.array([SIZE_OPP[s] for s in size])
    for improvement in spec["planted_improvements"].values():  # actions that worked
        better = (channel == improvement["channel"]) & (
            sql_at >= np.datetime64(improvement["starts"])
        )
        p_opp = np.where(better, improvement["rate"], p_opp)
    is_opp = is_sql & (rng.random(n) < p_opp)
    is_opp &= opp_at < end_of_data
    cycle = np.array([SIZE_CYCLE_DAYS[s] for s in size]) * np.exp(rng.normal(0, 0.45, n))
    close_at = opp_at + (cycle * 86400e9).astype("timedelta64[ns]")
    closed = is_opp & (close_at < end_of_data)
    won = closed & (rng.random(n) < np.array([SIZE_WIN[s] for s in size]))
    amount = np.array([SIZE_AMOUNT[s] for s in size]) * np.exp(rng.normal(0, 0.5, n))
    amount = np.round(amount / 10_000) * 10_000

    # --- identities and flaws --------------------------------------------------------------
    flaws = spec["flaws"]
    lead_id = np.array([f"MA-{i + 1:06d}" for i in range(ids.lead, ids.lead + n)], dtype=object)
    company_no = rng.integers(0, 12_000, n)
    parts0, parts1 = COMPANY_PARTS
    company = np.array(
        [f"{parts0[c % 20]}{parts1[(c // 20) % 15]}株式会社" for c in company_no], dtype=object
    )
    domain = np.array([f"corp{c:05d}.co.jp" for c in company_no], dtype=object)
    email = np.array([f"user{i + 1:06d}@{d}" for i, d in enumerate(domain, ids.lead)], dtype=object)
    missing = rng.random(n) < flaws["missing_channel_share"]
    dup = is_sql & (rng.random(n) < flaws["sfa_duplicate_share_of_sqls"])
    dup_ids = np.array(
        [f"SFA-{i + 1:06d}" for i in range(ids.sfa, ids.sfa + int(dup.sum()))], dtype=object
    )
    sfa_id = np.full(n, None, dtype=object)
    sfa_id[dup] = dup_ids
    late_owner = np.where(dup, sfa_id, lead_id)  # who carries SQL and later events

    lead_table = pd.DataFrame(
        {
            "lead_id": lead_id,
            "source_system": "ma",
            "created_at": created,
            "email": email,
            "company_name": company,
            "company_domain": domain,
            # numpy's stubs leave None (an object scalar) out of np.where's choices
            "channel": np.where(missing, None, channel),  # type: ignore[call-overload]
            "campaign_id": np.where(missing, None, campaign),  # type: ignore[call-overload]
            "content_asset": np.where(missing, None, asset),  # type: ignore[call-overload]
            "industry": industry,
            "company_size": size,
            "region": region,
            "persona": persona,
            "sales_team": team,
            "score": current_score,
        }
    )
    score_changes = pd.concat(
        [
            pd.DataFrame({"lead_id": lead_id, "changed_at": created, "score": first_score}),
            pd.DataFrame(
                {
                    "lead_id": lead_id[reached],
                    "changed_at": mql_at[reached],
                    "score": score[reached],
                }
            ),
        ],
        ignore_index=True,
    )
    sfa_leads = pd.DataFrame(
        {
            "lead_id": dup_ids,
            "source_system": "sfa",
            "created_at": sql_at[dup],
            "email": [f"  {e.upper()} " if k % 2 else e.title() for k, e in enumerate(email[dup])],
            "company_name": company[dup],
            "company_domain": domain[dup],
            "channel": None,
            "campaign_id": None,
            "content_asset": None,
            "industry": industry[dup],
            "company_size": size[dup],
            "region": region[dup],
            "persona": None,
            "sales_team": team[dup],
            "score": None,
        }
    )
    lead_table = pd.concat([lead_table, sfa_leads], ignore_index=True)
    lead_table["score"] = lead_table["score"].astype("Int64")

    def events(mask: np.ndarray, stage: str, when: np.ndarray, owner: np.ndarray) -> pd.DataFrame:
        source = np.where(owner[mask] == lead_id[mask], "ma", "sfa")
        return pd.DataFrame(
            {
                "lead_id": owner[mask],
                "stage": stage,
                "entered_at": when[mask],
                "source_system": source,
            }
        )

    all_leads = np.ones(n, dtype=bool)
    stage_events = pd.concat(
        [
            events(all_leads, "lead", created, lead_id),
            events(is_mql & (mql_at < end_of_data), "mql", mql_at, lead_id),
            events(is_sql, "sql", sql_at, late_owner),
            events(is_opp, "opportunity", opp_at, late_owner),
            events(won, "won", close_at, late_owner),
        ],
        ignore_index=True,
    )

    opp_idx = np.flatnonzero(is_opp)
    open_stage = np.where(rng.random(len(opp_idx)) < 0.5, "Proposal", "Negotiation")
    opportunities = pd.DataFrame(
        {
            "opportunity_id": [
                f"OPP-{k + 1:06d}" for k in range(ids.opportunity, ids.opportunity + len(opp_idx))
            ],
            "lead_id": late_owner[opp_idx],
            "amount": amount[opp_idx],
            "currency": "JPY",
            "created_at": opp_at[opp_idx],
            "closed_at": np.where(closed[opp_idx], close_at[opp_idx], np.datetime64("NaT")),
            "is_won": pd.array(np.where(closed[opp_idx], won[opp_idx], None), dtype="boolean"),
            "stage": np.where(
                won[opp_idx], "Closed Won", np.where(closed[opp_idx], "Closed Lost", open_stage)
            ),
            "sales_team": team[opp_idx],
            "source_system": "sfa",
        }
    )

    mql_seen = is_mql & (mql_at < end_of_data)
    auto_at = mql_at + np.timedelta64(5, "m")
    auto = mql_seen & (auto_at < end_of_data)
    activities = pd.concat(
        [
            pd.DataFrame(
                {"lead_id": lead_id[auto], "activity_type": "auto_email",
                 "occurred_at": auto_at[auto], "team": None, "is_human": False}
            ),
            pd.DataFrame(
                {"lead_id": lead_id[touched], "activity_type": np.where(
                    rng.random(int(touched.sum())) < 0.6, "call", "email"),
                 "occurred_at": touch_at[touched], "team": team[touched], "is_human": True}
            ),
            pd.DataFrame(
                {"lead_id": late_owner[is_sql], "activity_type": "meeting",
                 "occurred_at": sql_at[is_sql], "team": team[is_sql], "is_human": True}
            ),
        ],
        ignore_index=True,
    )  # fmt: skip
    activities.insert(
        0,
        "activity_id",
        [f"ACT-{k + 1:07d}" for k in range(ids.activity, ids.activity + len(activities))],
    )

    tz = spec["timezone"]
    for frame, cols in (
        (lead_table, ["created_at"]),
        (stage_events, ["entered_at"]),
        (score_changes, ["changed_at"]),
        (opportunities, ["created_at", "closed_at"]),
        (activities, ["occurred_at"]),
    ):
        for col in cols:
            frame[col] = pd.to_datetime(frame[col]).dt.floor("s").dt.tz_localize(tz)

    return {
        "leads": lead_table,
        "stage_events": stage_events,
        "score_changes": score_changes,
        "opportunities": opportunities,
        "activities": activities,
    }
