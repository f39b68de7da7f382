"""Verde Software Ltda. (zoo company ``brazil``): the generated store tables.

Contacts arrive in a HubSpot-like MA on Brazil's working days (national holidays, Carnival,
the year-end break and the January summer are quiet) through five always-on channels and a few
fairs. Most become MQLs on arrival (a form) or within days; some MQLs become customers (won)
within weeks. The MA is the only system: there are no deals with amounts, no campaign costs, no
sales touches and no sales teams. The planted target problem and the data flaws are read from
``truth.yml``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from dateutil.easter import easter

from reviewkit.ingest.sample.zoo import engine
from reviewkit.ingest.sample.zoo.targets import company_targets

COMPANY_WORDS = (
    ["Alfa", "Horizonte", "Atlântica", "Serra", "Ipê", "Jacarandá", "Paraná", "Litoral",
     "Cerrado", "Aurora", "Pampa", "Vale", "Mirante", "Cruzeiro", "Boa Vista", "Sertão"],
    ["Tecnologia", "Comércio", "Logística", "Alimentos", "Serviços", "Consultoria",
     "Engenharia", "Distribuidora", "Indústria", "Saúde", "Educação", "Agro"],
)  # fmt: skip
LONG_NAME_PARTS = (
    "Meta Ads | Geração de leads | Público semelhante 1% clientes ativos",
    "interesses: gestão empresarial, ERP, pequenas e médias empresas, empreendedorismo",
    "idade 25-55 | Brasil exceto Norte | posicionamento automático | otimização: leads",
    "criativo carrossel v3 (depoimentos) | formulário instantâneo com pergunta de porte",
)


def long_campaign_name(length: int) -> str:
    """A paid-social campaign named by its whole audience definition, ``length`` characters."""
    text = " / ".join(LONG_NAME_PARTS)
    while len(text) < length:
        text = f"{text} / {text}"
    name = text[:length]
    return name[:-1] + "." if name.endswith(" ") else name


def _carnival(days: engine.Days) -> np.ndarray:
    """Carnival Monday and Tuesday of each year (48 and 47 days before Easter)."""
    dates = set()
    for year in range(days.local[0].year, days.local[-1].year + 1):
        sunday = easter(year)
        dates |= {sunday - dt.timedelta(days=48), sunday - dt.timedelta(days=47)}
    return np.array([d.date() in dates for d in days.local], dtype=bool)


def _arrivals(
    rng: np.random.Generator, spec: dict[str, Any], days: engine.Days
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Day index, channel and event (campaign) of every contact, in arrival order."""
    weights = engine.day_weights(days, spec["seasonality"])
    weights = weights * np.where(_carnival(days), float(spec["seasonality"]["carnival"]), 1.0)
    day, channel = engine.arrivals(rng, weights, spec["contacts"], spec["channels"])
    fair_day, fair = engine.bursts(rng, days, spec["events"], scale=1.0)
    day = np.concatenate([day, fair_day])
    channel = np.concatenate([channel, np.full(len(fair_day), "Eventos", dtype=object)])
    event = np.concatenate([np.full(len(channel) - len(fair), None, dtype=object), fair])
    order = np.lexsort((rng.random(len(day)), day))
    return day[order], channel[order], event[order]


def _campaigns(
    rng: np.random.Generator,
    channel: np.ndarray,
    event: np.ndarray,
    local: pd.DatetimeIndex,
    pushed: np.ndarray,
    truth: dict[str, Any],
) -> np.ndarray:
    """HubSpot drill-down 1: the campaign (or fair) that brought each contact."""
    n = len(channel)
    quarter = (local.month - 1) // 3 + 1
    generic = rng.random(n) < 0.7
    campaign = np.full(n, None, dtype=object)
    paid = channel == "Busca paga"
    campaign[paid] = [
        f"BP-{y}-T{q}-{'generico' if g else 'marca'}"
        for y, q, g in zip(local.year[paid], quarter[paid], generic[paid], strict=True)
    ]
    campaign[pushed] = truth["planted_problems"]["targeting"]["campaign_id"]
    social = channel == "Redes sociais"
    campaign[social] = [
        f"RS-{y}-T{q}" for y, q in zip(local.year[social], quarter[social], strict=True)
    ]
    flaw = truth["flaws"]["long_name"]
    long = social & np.asarray(local >= pd.Timestamp(flaw["starts"]))
    campaign[long] = long_campaign_name(int(flaw["length"]))
    mail = channel == "E-mail"
    campaign[mail] = [
        f"Newsletter {y}-{m:02d}" for y, m in zip(local.year[mail], local.month[mail], strict=True)
    ]
    campaign[channel == "Indicação"] = "Programa de parceiros"
    fairs = channel == "Eventos"
    campaign[fairs] = event[fairs]
    return campaign


def _landing_pages(rng: np.random.Generator, channel: np.ndarray, count: int) -> np.ndarray:
    """HubSpot drill-down 2: a landing-page hash for web contacts, ``count`` pages, few popular."""
    pages = np.array([f"lp-{v:08x}" for v in rng.integers(0, 2**32, count)], dtype=object)
    weight = 1.0 / (np.arange(count) + 4.0)
    chosen = pages[rng.choice(count, size=len(channel), p=weight / weight.sum())]
    web = np.isin(channel, ["Busca paga", "Orgânico", "Redes sociais", "E-mail"])
    # numpy's stubs leave None (an object scalar) out of np.where's choices
    return np.where(web, chosen, None).astype(object)  # type: ignore[call-overload]


def _identities(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    company_no = rng.integers(0, 6_000, n)
    first, second = COMPANY_WORDS
    return {
        "lead_id": np.array([str(51_200_000 + 7 * k) for k in range(n)], dtype=object),
        "company_name": np.array(
            [f"{first[c % 16]} {second[(c // 16) % 12]} Ltda" for c in company_no], dtype=object
        ),
        "company_domain": np.array([f"empresa{c:05d}.com.br" for c in company_no], dtype=object),
        "email": np.array(
            [f"contato{k + 1:06d}@empresa{c:05d}.com.br" for k, c in enumerate(company_no)],
            dtype=object,
        ),
    }


def _contacts(
    rng: np.random.Generator, spec: dict[str, Any], truth: dict[str, Any], days: engine.Days
) -> dict[str, Any]:
    """Every contact's arrival, segments, campaign and landing page (the targeting push too)."""
    day, channel, event = _arrivals(rng, spec, days)
    n, tz = len(day), spec["timezone"]
    created = engine.clock(rng, days, day)
    attributes = {k: engine.pick(rng, table, n) for k, table in spec["attributes"].items()}
    problem = truth["planted_problems"]["targeting"]
    segment = problem["segment"]
    base_share = spec["attributes"]["region"][segment["region"]]
    push_p = (problem["share_of_channel"] - base_share) / (1.0 - base_share)
    pushed = (
        (channel == segment["channel"])
        & engine.after(created, problem["starts"], tz)
        & (rng.random(n) < push_p)
    )
    attributes["region"][pushed] = segment["region"]
    campaign = _campaigns(rng, channel, event, days.local[day], pushed, truth)
    asset = _landing_pages(rng, channel, int(spec["landing_pages"]))
    return {"created": created, "channel": channel, "campaign": campaign, "asset": asset,
            **attributes}  # fmt: skip


def _funnel(
    rng: np.random.Generator,
    spec: dict[str, Any],
    truth: dict[str, Any],
    contact: dict[str, Any],
    end: np.datetime64,
) -> dict[str, np.ndarray]:
    """Who became an MQL and a customer, and when (the targeting problem's fall included)."""
    funnel, tz = spec["funnel"], spec["timezone"]
    created, channel = contact["created"], contact["channel"]
    n = len(created)
    is_mql = rng.random(n) < funnel["mql_share"]
    later, later_at = engine.step(
        rng, created, is_mql, 1.0, median_days=funnel["mql_median_days"], sigma=0.8, end=end
    )
    on_arrival = rng.random(n) < funnel["mql_at_creation"]
    mql = is_mql & (on_arrival | later)
    mql_at = np.where(mql, np.where(on_arrival, created, later_at), engine.NAT)
    p_won = float(funnel["won_rate"]) * np.ones(n)
    for column, table in funnel["won_factors"].items():
        p_won = p_won * engine.factor(contact[column], table)
    problem = truth["planted_problems"]["targeting"]
    segment = problem["segment"]
    in_segment = (channel == segment["channel"]) & (contact["region"] == segment["region"])
    hit = in_segment & mql & engine.after(mql_at, problem["starts"], tz)
    p_won = np.where(hit, p_won * problem["rate_factor"], p_won)
    won, won_at = engine.step(
        rng, mql_at, mql, p_won, median_days=funnel["won_median_days"],
        sigma=funnel["won_sigma"], end=end,
    )  # fmt: skip
    return {"mql": mql, "mql_at": mql_at, "won": won, "won_at": won_at}


def _tables(
    spec: dict[str, Any], who: dict[str, np.ndarray], contact: dict[str, Any],
    funnel: dict[str, np.ndarray],
) -> dict[str, pd.DataFrame]:  # fmt: skip
    tz, source, n = spec["timezone"], spec["source_system"], len(contact["created"])
    leads = pd.DataFrame(
        {
            "lead_id": who["lead_id"], "source_system": source, "created_at": contact["created"],
            "email": who["email"], "company_name": who["company_name"],
            "company_domain": who["company_domain"], "channel": contact["channel"],
            "campaign_id": contact["campaign"], "content_asset": contact["asset"],
            "industry": None, "company_size": contact["company_size"],
            "region": contact["region"], "persona": contact["persona"], "sales_team": None,
            "score": pd.array([None] * n, dtype="Int64"),
        }
    )  # fmt: skip
    stage_events = pd.concat(
        [
            engine.events(who["lead_id"], funnel["mql"], "mql", funnel["mql_at"], source),
            engine.events(who["lead_id"], funnel["won"], "won", funnel["won_at"], source),
        ],
        ignore_index=True,
    )
    return {
        "leads": engine.localize(leads, ["created_at"], tz),
        "stage_events": engine.localize(stage_events, ["entered_at"], tz),
        "score_changes": engine.empty("score_changes", tz),
        "opportunities": engine.empty("opportunities", tz),
        "activities": engine.empty("activities", tz),
        "campaigns": engine.empty("campaigns", tz),
    }


def generate(spec: dict[str, Any], truth: dict[str, Any], seed: int) -> dict[str, pd.DataFrame]:
    """Generate the store tables of the ``brazil`` zoo company.

    Parameters
    ----------
    spec
        ``spec.yml``: the calendar, volumes, shares and rates.
    truth
        ``truth.yml``: the planted problem and the flaws.
    seed
        The random seed (the same seed, the same tables).

    Returns
    -------
    dict
        The store's tables; ``opportunities``, ``activities``, ``campaigns`` and
        ``score_changes`` are empty (the company has none of them).
    """
    rng = np.random.default_rng(seed)
    tz = spec["timezone"]
    days = engine.make_days(
        spec["first_day"], spec["last_day"], tz=tz, country=spec["country"],
        subdivision=spec["subdivision"],
    )  # fmt: skip
    contact = _contacts(rng, spec, truth, days)
    funnel = _funnel(rng, spec, truth, contact, days.end)
    tables = _tables(spec, _identities(rng, len(contact["created"])), contact, funnel)
    tables["targets"] = company_targets(tables, spec)
    return tables
