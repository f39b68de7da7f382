"""Bergmann Industriesoftware's marketing programmes: which one brought each lead, and their costs.

Programme ids are Marketo programme names: ``SEA-2026-Q3`` (paid search per quarter),
``SOC-2026-Q3`` (LinkedIn ads per quarter), ``CON-<asset>`` (a content asset's programme),
``NL-2026-09`` (the monthly newsletter), ``REF-2026`` (the partner programme per year),
``WEB-2026-09-15`` (a webinar) and the fairs' ids. Costs are in euros.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from reviewkit.ingest.sample.zoo import engine


def webinar_days(days: engine.Days, spec: dict[str, Any]) -> pd.DatetimeIndex:
    """Every other webinar weekday of the range."""
    webinar = spec["webinars"]
    on_day = days.local[days.local.day_of_week == int(webinar["weekday"])]
    return on_day[:: int(webinar["every_weeks"])]


def draw_assets(
    rng: np.random.Generator, created: np.ndarray, assets: list[list[Any]]
) -> np.ndarray:
    """A content asset for each lead: those published by then, recent ones likelier."""
    published = np.array([np.datetime64(str(a[2]), "ns") for a in assets])
    ids = np.array([a[0] for a in assets], dtype=object)
    uniform = rng.random(len(created))
    known = np.searchsorted(published, created, side="right")
    out = np.full(len(created), ids[0], dtype=object)
    for k in np.unique(known):
        if k == 0:
            continue
        rows = np.flatnonzero(known == k)
        age = (created[rows, None] - published[None, :k]) / np.timedelta64(1, "D")
        weight = np.exp(-age / 300.0)
        cdf = (weight / weight.sum(axis=1, keepdims=True)).cumsum(axis=1)
        out[rows] = ids[np.minimum((cdf <= uniform[rows, None]).sum(axis=1), k - 1)]
    return out


def lead_programmes(
    channel: np.ndarray, local: pd.DatetimeIndex, asset: np.ndarray, event: np.ndarray
) -> np.ndarray:
    """The Marketo acquisition programme of each lead (``event``: a webinar's or fair's id)."""
    quarter = (local.month - 1) // 3 + 1
    programme = np.array(event, dtype=object)
    for name, prefix in (("Suchmaschinenwerbung", "SEA"), ("Social Ads", "SOC")):
        rows = channel == name
        programme[rows] = [
            f"{prefix}-{y}-Q{q}" for y, q in zip(local.year[rows], quarter[rows], strict=True)
        ]
    content = channel == "Inhalte/SEO"
    programme[content] = [f"CON-{a}" for a in asset[content]]
    mail = channel == "E-Mail-Marketing"
    programme[mail] = [
        f"NL-{y}-{m:02d}" for y, m in zip(local.year[mail], local.month[mail], strict=True)
    ]
    referral = channel == "Empfehlung"
    programme[referral] = [f"REF-{y}" for y in local.year[referral]]
    return programme


def _quarters(first: dt.date, last: dt.date) -> list[tuple[int, int, dt.date, dt.date]]:
    out = []
    for year in range(first.year, last.year + 1):
        for q in range(1, 5):
            start = dt.date(year, 3 * q - 2, 1)
            end = dt.date(year + (q == 4), (3 * q) % 12 + 1, 1) - dt.timedelta(days=1)
            if end >= first and start <= last:
                out.append((year, q, max(start, first), min(end, last)))
    return out


def programmes(spec: dict[str, Any], truth: dict[str, Any], days: engine.Days) -> pd.DataFrame:
    """The ``campaigns`` table: every programme with its channel, dates and cost (EUR)."""
    first, last = days.local[0].date(), days.local[-1].date()
    costs = spec["costs"]
    rows: list[dict[str, Any]] = []

    def add(cid: str, name: str, channel: str, start: dt.date, end: dt.date, cost: float,
            asset: str | None = None) -> None:  # fmt: skip
        rows.append({"campaign_id": cid, "name": name, "channel": channel, "content_asset": asset,
                     "start_date": start, "end_date": end, "cost": float(cost)})  # fmt: skip

    for year, q, start, end in _quarters(first, last):
        share = ((end - start).days + 1) / 91.0
        add(f"SEA-{year}-Q{q}", f"Google Ads {year} Q{q}", "Suchmaschinenwerbung", start, end,
            round(costs["sea_per_quarter"] * share))  # fmt: skip
        add(f"SOC-{year}-Q{q}", f"LinkedIn Ads {year} Q{q}", "Social Ads", start, end,
            round(costs["social_per_quarter"] * share))  # fmt: skip
    for month in pd.period_range(first, last, freq="M"):
        start, end = month.start_time.date(), month.end_time.date()
        add(f"NL-{month:%Y-%m}", f"Newsletter {month:%m/%Y}", "E-Mail-Marketing", start, end,
            costs["newsletter_per_month"])  # fmt: skip
    for year in range(first.year, last.year + 1):
        add(f"REF-{year}", f"Partnerprogramm {year}", "Empfehlung", max(first, dt.date(year, 1, 1)),
            min(last, dt.date(year, 12, 31)), costs["referral_per_year"])  # fmt: skip
    for asset_id, title, published, cost in spec["content_assets"]:
        add(f"CON-{asset_id}", title, "Inhalte/SEO", max(first, published), last, cost, asset_id)
    for day in webinar_days(days, spec):
        add(f"WEB-{day:%Y-%m-%d}", f"Webinar {day:%d.%m.%Y}", "Webinar", day.date(), day.date(),
            spec["webinars"]["cost"])  # fmt: skip
    for fair in spec["fairs"]:
        start = fair["first"]
        add(fair["id"], fair["name"], "Messe", start, start + dt.timedelta(days=fair["days"] - 1),
            fair["cost"])  # fmt: skip
    target = truth["planted_problems"]["targeting"]
    add(target["campaign_id"], "LinkedIn Lookalike-Zielgruppe", "Social Ads", target["starts"],
        last, costs["lookalike"])  # fmt: skip
    frame = pd.DataFrame(rows)
    frame["currency"] = spec["currency"]
    return frame
