"""Bergmann Industriesoftware GmbH (zoo company ``germany``): the generated store tables.

Leads arrive in a Marketo-like MA on Bavarian working days (German and Bavarian holidays, the
Christmas break and the August holidays are quiet) through five always-on channels, fortnightly
webinars and trade fairs, each from a programme with a cost in euros. MQLs are synced to the
CRM as a second lead record (the same person, merged by e-mail); sales accepts (SAL), calls
(the speed of the first touch drives the rate), qualifies (SQL), opens an opportunity, sends a
proposal and wins or loses after a sales cycle by company size. Three teams own the leads of
their Bundesländer. The planted content, follow-up and target problems are read from
``truth.yml``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from reviewkit.ingest.sample.zoo import engine
from reviewkit.ingest.sample.zoo.germany import records
from reviewkit.ingest.sample.zoo.germany.campaigns import (
    draw_assets,
    lead_programmes,
    programmes,
    webinar_days,
)
from reviewkit.ingest.sample.zoo.targets import company_targets


def _arrivals(
    rng: np.random.Generator, spec: dict[str, Any], truth: dict[str, Any], days: engine.Days
) -> dict[str, np.ndarray]:
    """Day index, channel, event (webinar or fair id) and content-problem flag of each lead."""
    weights = engine.day_weights(days, spec["seasonality"])
    day, channel = engine.arrivals(rng, weights, spec["leads"], spec["channels"])
    webinars = [
        {"id": f"WEB-{d:%Y-%m-%d}", "first": d, "per_day": spec["webinars"]["per_day"]}
        for d in webinar_days(days, spec)
    ]
    web_day, web = engine.bursts(rng, days, webinars, scale=1.0)
    fair_day, fair = engine.bursts(rng, days, spec["fairs"], scale=1.0)
    content = truth["planted_problems"]["content"]
    from_start = np.asarray(days.local >= pd.Timestamp(content["starts"]))
    extra_n = rng.poisson(
        np.where(days.business & from_start, content["extra_leads_per_business_day"], 0)
    )
    extra_day = np.repeat(np.arange(len(days.local)), extra_n)
    extra_channel = np.where(rng.random(len(extra_day)) < 0.75, "Inhalte/SEO", "E-Mail-Marketing")
    parts = {
        "day": [day, web_day, fair_day, extra_day],
        "channel": [channel, np.full(len(web), "Webinar", dtype=object),
                    np.full(len(fair), "Messe", dtype=object), extra_channel.astype(object)],
        "event": [np.full(len(day), None, dtype=object), web, fair,
                  np.full(len(extra_day), None, dtype=object)],
        "extra": [np.zeros(len(day) + len(web) + len(fair), dtype=bool),
                  np.ones(len(extra_day), dtype=bool)],
    }  # fmt: skip
    out = {k: np.concatenate(v) for k, v in parts.items()}
    order = np.lexsort((rng.random(len(out["day"])), out["day"]))
    return {k: v[order] for k, v in out.items()}


def _attributes(
    rng: np.random.Generator, spec: dict[str, Any], truth: dict[str, Any], arrived: dict[str, Any]
) -> dict[str, np.ndarray]:
    """Segments, territory, content asset and programme of each lead."""
    n, channel = len(arrived["day"]), arrived["channel"]
    attrs = {k: engine.pick(rng, table, n) for k, table in spec["attributes"].items()}
    regions = {r: w for table in spec["regions"].values() for r, w in table.items()}
    team_of = {r: team for team, table in spec["regions"].items() for r in table}
    attrs["region"] = engine.pick(rng, regions, n)
    attrs["sales_team"] = np.array([team_of[r] for r in attrs["region"]], dtype=object)
    target = truth["planted_problems"]["targeting"]
    (_, column_value), (size_column, size_value) = target["segment"].items()
    base = spec["attributes"][size_column][size_value]
    pushed = (
        (channel == column_value)
        & engine.after(arrived["created"], target["starts"], spec["timezone"])
        & (rng.random(n) < (target["share_of_channel"] - base) / (1.0 - base))
    )
    attrs[size_column][pushed] = size_value
    content = truth["planted_problems"]["content"]
    asset = np.full(n, None, dtype=object)
    regular = (channel == "Inhalte/SEO") & ~arrived["extra"]
    asset[regular] = draw_assets(rng, arrived["created"][regular], spec["content_assets"][:-1])
    asset[arrived["extra"]] = content["content_asset"]
    local = engine.local_dates(arrived["created"], spec["timezone"])
    programme = lead_programmes(channel, local, asset, arrived["event"])
    programme[pushed] = target["campaign_id"]
    attrs["content_asset"], attrs["campaign_id"], attrs["pushed"] = asset, programme, pushed
    return attrs


def _qualify(
    rng: np.random.Generator, spec: dict[str, Any], truth: dict[str, Any],
    arrived: dict[str, Any], attrs: dict[str, Any], end: np.datetime64,
) -> dict[str, np.ndarray]:  # fmt: skip
    """Lead -> MQL -> CRM record -> SAL, with the target and content problems."""
    n, tz, funnel = len(arrived["day"]), spec["timezone"], spec["funnel"]
    created, channel, extra = arrived["created"], arrived["channel"], arrived["extra"]
    problems = truth["planted_problems"]
    p_mql = funnel["mql_rate"] * engine.factor(channel, funnel["mql_factors"]["channel"])
    p_mql = p_mql * engine.factor(attrs["persona"], funnel["mql_factors"]["persona"])
    target = problems["targeting"]
    (_, ch), (size_column, size) = target["segment"].items()
    hit = (
        (channel == ch) & (attrs[size_column] == size) & engine.after(created, target["starts"], tz)
    )
    p_mql = np.where(hit, p_mql * target["rate_factor"], p_mql)
    p_mql = np.where(extra, problems["content"]["mql_rate"], p_mql)
    is_mql = rng.random(n) < p_mql
    later, later_at = engine.step(rng, created, is_mql, 1.0, median_days=5, sigma=0.8, end=end)
    on_arrival = (rng.random(n) < funnel["mql_on_arrival"]) | extra
    mql = is_mql & (on_arrival | later)
    mql_at = np.where(mql, np.where(on_arrival, created, later_at), engine.NAT)
    sync = (rng.uniform(3, 30, n) * 60e9).astype("m8[ns]")
    crm_at = engine.minutes(mql_at + sync)
    crm = mql & (crm_at < end)
    p_sal = funnel["sal_rate"] * engine.factor(
        attrs["company_size"], funnel["sal_factors"]["company_size"]
    )
    p_sal = np.where(extra, p_sal * problems["content"]["rate_factor"], p_sal)
    sal, sal_at = engine.step(rng, crm_at, crm, p_sal, median_days=1.0, sigma=0.7, end=end)
    return {
        "mql": mql,
        "mql_at": mql_at,
        "crm": crm,
        "crm_at": crm_at,
        "sal": sal,
        "sal_at": sal_at,
    }


def _sell(
    rng: np.random.Generator, spec: dict[str, Any], truth: dict[str, Any],
    attrs: dict[str, Any], early: dict[str, np.ndarray], end: np.datetime64,
) -> dict[str, np.ndarray]:  # fmt: skip
    """First touch after SAL -> SQL -> opportunity -> proposal -> close (the follow-up problem)."""
    n, tz, funnel = len(early["sal"]), spec["timezone"], spec["funnel"]
    team, size = attrs["sales_team"], attrs["company_size"]
    follow = truth["planted_problems"]["follow_up"]
    slow = (team == follow["sales_team"]) & engine.after(early["sal_at"], follow["starts"], tz)
    median = np.where(slow, follow["first_touch_median_hours"],
                      engine.factor(team, funnel["first_touch_median_hours"]))  # fmt: skip
    never = np.where(slow, follow["never_touched_share"], funnel["never_touched"])
    touched, touch_at, effect = engine.first_touch(
        rng, early["sal_at"], early["sal"], median_hours=median, never=never, end=end
    )
    p_sql = (
        funnel["sql_rate"]
        * effect
        * engine.factor(attrs["persona"], funnel["sql_factors"]["persona"])
    )
    sql, sql_at = engine.step(rng, touch_at, touched, p_sql, median_days=5, sigma=0.7, end=end)
    opp, opp_at = engine.step(
        rng, sql_at, sql, funnel["opportunity_rate"], median_days=7, sigma=0.6, end=end
    )
    prop, prop_at = engine.step(
        rng, opp_at, opp, funnel["proposal_rate"], median_days=14, sigma=0.5, end=end
    )
    cycle = engine.lognormal_days(rng, n, engine.factor(size, funnel["cycle_days"]), 0.4)
    close_at = engine.next_local_midnight(opp_at + cycle, tz, after=np.where(prop, prop_at, opp_at))
    closed = opp & (close_at < end)
    won = closed & prop & (rng.random(n) < engine.factor(size, funnel["win_rate"]))
    amount = engine.factor(size, funnel["amount"]) * np.exp(rng.normal(0.0, 0.35, n))
    late = rng.random(n) < 0.5
    open_stage = np.where(prop, np.where(late, "Verhandlung", "Angebot"),
                          np.where(late, "Bedarfsanalyse", "Qualifizierung"))  # fmt: skip
    return {
        "touched": touched, "touch_at": touch_at, "sql": sql, "sql_at": sql_at, "opp": opp,
        "opp_at": opp_at, "prop": prop, "prop_at": prop_at, "close_at": close_at,
        "closed": closed, "won": won, "amount": np.round(amount / 50.0) * 50.0,
        "stage": np.where(won, "Gewonnen", np.where(closed, "Verloren", open_stage)),
        "kind": np.where(rng.random(n) < 0.6, "Anruf", "E-Mail").astype(object),
    }  # fmt: skip


def generate(spec: dict[str, Any], truth: dict[str, Any], seed: int) -> dict[str, pd.DataFrame]:
    """Generate the store tables of the ``germany`` zoo company.

    Parameters
    ----------
    spec
        ``spec.yml``: the calendar, volumes, programmes, shares and rates.
    truth
        ``truth.yml``: the planted problems and flaws.
    seed
        The random seed (the same seed, the same tables).

    Returns
    -------
    dict
        The store's tables; ``score_changes`` is empty (MQL is an event of the MA).
    """
    rng = np.random.default_rng(seed)
    tz = spec["timezone"]
    days = engine.make_days(
        spec["first_day"], spec["last_day"], tz=tz, country=spec["country"],
        subdivision=spec["subdivision"],
    )  # fmt: skip
    end = days.end
    arrived = _arrivals(rng, spec, truth, days)
    arrived["created"] = engine.clock(rng, days, arrived["day"], hour=11.5)
    attrs = _attributes(rng, spec, truth, arrived)
    early = _qualify(rng, spec, truth, arrived, attrs, end)
    late = _sell(rng, spec, truth, attrs, early, end)
    n = len(arrived["day"])
    score = np.where(early["mql"], rng.integers(80, 200, n), rng.integers(0, 80, n))
    who = records.people(rng, n)
    leads, crm_id = records.leads(
        spec, truth, who, arrived["created"], arrived["channel"], attrs, early, score
    )
    team = attrs["sales_team"]
    tables = {
        "leads": engine.localize(leads, ["created_at"], tz),
        "stage_events": engine.localize(
            records.stage_events(spec, who, crm_id, arrived["created"], early, late),
            ["entered_at"],
            tz,
        ),
        "score_changes": engine.empty("score_changes", tz),
        "opportunities": engine.localize(
            records.opportunities(spec, crm_id, team, late), ["created_at", "closed_at"], tz
        ),
        "activities": engine.localize(records.activities(crm_id, team, late), ["occurred_at"], tz),
        "campaigns": programmes(spec, truth, days),
    }
    tables["targets"] = company_targets(tables, spec)
    return tables
