"""Northwind Analytics, Inc. (zoo company ``usa``): the generated store tables.

Leads arrive in one Salesforce org on US working days (federal holidays, Thanksgiving and the
year-end break are quiet) from seven lead sources and a few trade shows. Each lead belongs to
the sales team of its state's territory and is owned by one of the team's reps; a rep's first
call or e-mail (its speed drives the rate) may convert the lead into an opportunity with an
amount in dollars, which closes won or lost after a sales cycle by company size. There are no
campaigns and no campaign costs. The planted follow-up and target problems are read from
``truth.yml``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from reviewkit.ingest.sample.zoo import engine
from reviewkit.ingest.sample.zoo.targets import company_targets

WORDS = (
    ["Acme", "Bluegate", "Cedar", "Summit", "Harbor", "Ironwood", "Keystone", "Liberty",
     "Maple", "Northstar", "Pioneer", "Redwood", "Silverline", "Trinity", "Vanguard", "Westfield"],
    ["Systems", "Health", "Capital", "Manufacturing", "Retail Group", "Logistics", "Labs",
     "Partners", "Holdings", "Foods", "Learning", "Energy"],
)  # fmt: skip
OPEN_STAGES = ("Prospecting", "Qualification", "Needs Analysis", "Proposal/Price Quote",
               "Negotiation/Review")  # fmt: skip


def _arrivals(
    rng: np.random.Generator, spec: dict[str, Any], days: engine.Days
) -> tuple[np.ndarray, np.ndarray]:
    weights = engine.day_weights(days, spec["seasonality"])
    day, source = engine.arrivals(rng, weights, spec["leads"], spec["sources"])
    show_day, _show = engine.bursts(rng, days, spec["events"], scale=1.0)
    day = np.concatenate([day, show_day])
    source = np.concatenate([source, np.full(len(show_day), "Trade Show", dtype=object)])
    order = np.lexsort((rng.random(len(day)), day))
    return day[order], source[order]


def _territory(
    rng: np.random.Generator, spec: dict[str, Any], n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each lead's state and the team whose territory it is."""
    states = {s: w for team in spec["states"].values() for s, w in team.items()}
    team_of = {s: team for team, table in spec["states"].items() for s in table}
    state = engine.pick(rng, states, n)
    return state, np.array([team_of[s] for s in state], dtype=object)


def _deals(
    rng: np.random.Generator,
    spec: dict[str, Any],
    truth: dict[str, Any],
    opp_at: np.ndarray,
    is_opp: np.ndarray,
    size: np.ndarray,
    industry: np.ndarray,
    end: np.datetime64,
) -> dict[str, np.ndarray]:
    """Close date, outcome, amount and open stage of every would-be deal."""
    n, tz, funnel = len(opp_at), spec["timezone"], spec["funnel"]
    cycle = engine.lognormal_days(rng, n, engine.factor(size, funnel["cycle_days"]), 0.45)
    close_at = engine.next_local_midnight(opp_at + cycle, tz, after=opp_at)
    closed = is_opp & (close_at < end)
    target = truth["planted_problems"]["targeting"]
    p_win = engine.factor(size, funnel["win_rate"])
    ((column, value),) = target["segment"].items()
    assert column == "industry"
    hit = (industry == value) & engine.after(close_at, target["starts"], tz)
    p_win = np.where(hit, p_win * target["win_factor"], p_win)
    won = closed & (rng.random(n) < p_win)
    amount = engine.factor(size, funnel["amount"]) * np.exp(rng.normal(0.0, 0.35, n))
    open_stage = np.array(OPEN_STAGES, dtype=object)[rng.integers(0, len(OPEN_STAGES), n)]
    stage = np.where(won, "Closed Won", np.where(closed, "Closed Lost", open_stage))
    return {"close_at": close_at, "closed": closed, "won": won,
            "amount": np.round(amount / 100.0) * 100.0, "stage": stage}  # fmt: skip


def _people(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    company_no = rng.integers(0, 7_000, n)
    first, second = WORDS
    return {
        "lead_id": np.array([f"00Q5f00000{k:05X}" for k in range(1, n + 1)], dtype=object),
        "company_name": np.array(
            [f"{first[c % 16]} {second[(c // 16) % 12]}" for c in company_no], dtype=object
        ),
        "company_domain": np.array([f"company{c:05d}.com" for c in company_no], dtype=object),
        "email": np.array(
            [f"lead{k + 1:06d}@company{c:05d}.com" for k, c in enumerate(company_no)], dtype=object
        ),
    }


def _activities(
    lead_id: np.ndarray, team: np.ndarray, touched: np.ndarray, touch_at: np.ndarray,
    is_opp: np.ndarray, opp_at: np.ndarray, kind: np.ndarray,
) -> pd.DataFrame:  # fmt: skip
    """Each touched lead's first call or e-mail, and the meeting that opened its opportunity."""
    frame = pd.concat(
        [
            pd.DataFrame({"lead_id": lead_id[touched], "activity_type": kind[touched],
                          "occurred_at": touch_at[touched], "team": team[touched]}),
            pd.DataFrame({"lead_id": lead_id[is_opp], "activity_type": "Meeting",
                          "occurred_at": opp_at[is_opp], "team": team[is_opp]}),
        ],
        ignore_index=True,
    )  # fmt: skip
    frame = frame.sort_values(["occurred_at", "lead_id"], kind="stable", ignore_index=True)
    frame.insert(0, "activity_id", [f"00T5f00000{k:05X}" for k in range(1, len(frame) + 1)])
    frame["is_human"] = True
    return frame


def _leads_and_touches(
    rng: np.random.Generator, spec: dict[str, Any], truth: dict[str, Any], days: engine.Days
) -> dict[str, Any]:
    """Every lead's arrival, segments and team, and its first touch (the follow-up problem)."""
    tz, funnel, end = spec["timezone"], spec["funnel"], days.end
    day, source = _arrivals(rng, spec, days)
    n = len(day)
    created = engine.clock(rng, days, day, hour=12.5)
    attrs = {k: engine.pick(rng, table, n) for k, table in spec["attributes"].items()}
    state, team = _territory(rng, spec, n)
    follow = truth["planted_problems"]["follow_up"]
    slow = (team == follow["sales_team"]) & engine.after(created, follow["starts"], tz)
    median = engine.factor(team, funnel["first_touch_median_hours"])
    median = np.where(slow, follow["first_touch_median_hours"], median)
    never = np.where(slow, follow["never_touched_share"], funnel["never_touched"])
    touched, touch_at, effect = engine.first_touch(
        rng, created, np.ones(n, dtype=bool), median_hours=median, never=never, end=end
    )
    return {"created": created, "channel": source, "region": state, "sales_team": team,
            "touched": touched, "touch_at": touch_at, "effect": effect, **attrs}  # fmt: skip


def _tables(
    spec: dict[str, Any], who: dict[str, np.ndarray], lead: dict[str, Any],
    opp: dict[str, np.ndarray], deal: dict[str, np.ndarray], kind: np.ndarray,
) -> dict[str, pd.DataFrame]:  # fmt: skip
    tz, system, n = spec["timezone"], spec["source_system"], len(lead["created"])
    team, ids = lead["sales_team"], who["lead_id"]
    leads = pd.DataFrame(
        {
            "lead_id": ids, "source_system": system, "created_at": lead["created"],
            "email": who["email"], "company_name": who["company_name"],
            "company_domain": who["company_domain"], "channel": lead["channel"],
            "campaign_id": None, "content_asset": None, "industry": lead["industry"],
            "company_size": lead["company_size"], "region": lead["region"],
            "persona": lead["persona"], "sales_team": team,
            "score": pd.array([None] * n, dtype="Int64"),
        }
    )  # fmt: skip
    rows = np.flatnonzero(opp["is_opp"])
    closed = deal["closed"][rows]
    opportunities = pd.DataFrame(
        {
            "opportunity_id": [f"0065f00000{k:05X}" for k in range(1, len(rows) + 1)],
            "lead_id": ids[rows], "amount": deal["amount"][rows], "currency": spec["currency"],
            "created_at": opp["opp_at"][rows],
            "closed_at": np.where(closed, deal["close_at"][rows], engine.NAT),
            # numpy's stubs leave None (an object scalar) out of np.where's choices
            "is_won": pd.array(np.where(closed, deal["won"][rows], None), dtype="boolean"),  # type: ignore[call-overload]
            "stage": deal["stage"][rows], "sales_team": team[rows], "source_system": system,
        }
    )  # fmt: skip
    stage_events = pd.concat(
        [
            engine.events(ids, np.ones(n, dtype=bool), "lead", lead["created"], system),
            engine.events(ids, opp["is_opp"], "opportunity", opp["opp_at"], system),
            engine.events(ids, deal["won"], "won", deal["close_at"], system),
        ],
        ignore_index=True,
    )
    activities = _activities(ids, team, lead["touched"], lead["touch_at"], opp["is_opp"],
                             opp["opp_at"], kind)  # fmt: skip
    return {
        "leads": engine.localize(leads, ["created_at"], tz),
        "stage_events": engine.localize(stage_events, ["entered_at"], tz),
        "score_changes": engine.empty("score_changes", tz),
        "opportunities": engine.localize(opportunities, ["created_at", "closed_at"], tz),
        "activities": engine.localize(activities, ["occurred_at"], tz),
        "campaigns": engine.empty("campaigns", tz),
    }


def generate(spec: dict[str, Any], truth: dict[str, Any], seed: int) -> dict[str, pd.DataFrame]:
    """Generate the store tables of the ``usa`` zoo company.

    Parameters
    ----------
    spec
        ``spec.yml``: the calendar, volumes, shares and rates.
    truth
        ``truth.yml``: the planted problems.
    seed
        The random seed (the same seed, the same tables).

    Returns
    -------
    dict
        The store's tables; ``campaigns`` and ``score_changes`` are empty.
    """
    rng = np.random.default_rng(seed)
    tz, funnel = spec["timezone"], spec["funnel"]
    days = engine.make_days(
        spec["first_day"], spec["last_day"], tz=tz, country=spec["country"],
        subdivision=spec["subdivision"],
    )  # fmt: skip
    lead = _leads_and_touches(rng, spec, truth, days)
    p_opp = funnel["opportunity_rate"] * lead["effect"]
    for column, table in funnel["opportunity_factors"].items():
        p_opp = p_opp * engine.factor(lead[column], table)
    is_opp, opp_at = engine.step(
        rng, lead["touch_at"], lead["touched"], p_opp,
        median_days=funnel["opportunity_median_days"], sigma=0.6, end=days.end,
    )  # fmt: skip
    deal = _deals(rng, spec, truth, opp_at, is_opp, lead["company_size"], lead["industry"],
                  days.end)  # fmt: skip
    n = len(lead["created"])
    kind = np.where(rng.random(n) < 0.6, "Call", "Email").astype(object)
    opp = {"is_opp": is_opp, "opp_at": opp_at}
    tables = _tables(spec, _people(rng, n), lead, opp, deal, kind)
    tables["targets"] = company_targets(tables, spec)
    return tables
