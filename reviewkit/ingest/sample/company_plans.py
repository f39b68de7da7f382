"""The sample company's marketing plan and targets.

Its campaigns and their costs, and the monthly targets drawn from the generated history
(1.1 x the same months a year earlier).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from reviewkit.ingest.sample.company_shape import CONTENT_ASSETS, EXHIBITIONS, TEAMS

__all__ = ["campaigns_frame", "monthly_targets"]


def campaigns_frame(days: pd.DatetimeIndex, webinar_days: pd.DatetimeIndex) -> pd.DataFrame:
    """The campaigns over ``days``: search and display per half or quarter, content, events."""
    rows: list[dict[str, Any]] = []
    first, last = days[0].date(), days[-1].date()
    for fy in range(first.year if first.month >= 4 else first.year - 1, last.year + 1):
        for half, (m0, y0) in enumerate(((4, fy), (10, fy)), start=1):
            start = dt.date(y0, m0, 1)
            end = dt.date(y0 + (m0 + 6 > 12), (m0 + 5) % 12 + 1, 1) - dt.timedelta(days=1)
            if start > last:
                continue
            for kind, monthly in (("generic", 5_200_000), ("brand", 1_300_000)):
                rows.append(
                    {"campaign_id": f"PS-FY{fy}H{half}-{kind}",
                     "name": f"リスティング広告 {kind} FY{fy} H{half}", "channel": "paid_search",
                     "content_asset": None, "start_date": start, "end_date": end,
                     "cost": monthly * 6}
                )  # fmt: skip
        for q in range(1, 5):
            m0 = (4 + 3 * (q - 1) - 1) % 12 + 1
            y0 = fy + (m0 < 4)
            start = dt.date(y0, m0, 1)
            if start > last:
                continue
            rows.append(
                {"campaign_id": f"DSP-FY{fy}Q{q}", "name": f"ディスプレイ広告 FY{fy} Q{q}",
                 "channel": "display", "content_asset": None, "start_date": start,
                 "end_date": start + dt.timedelta(days=89), "cost": 2_100_000 * 3}
            )  # fmt: skip
    for asset_id, title, published, cost in CONTENT_ASSETS:
        rows.append(
            {"campaign_id": f"SEO-{asset_id}", "name": title, "channel": "content_seo",
             "content_asset": asset_id, "start_date": dt.date.fromisoformat(published),
             "end_date": last, "cost": cost}
        )  # fmt: skip
    for d in webinar_days:
        rows.append(
            {"campaign_id": f"WEB-{d:%Y%m%d}", "name": f"ウェビナー {d:%Y-%m-%d}",
             "channel": "webinar", "content_asset": None, "start_date": d.date(),
             "end_date": d.date(), "cost": 350_000}
        )  # fmt: skip
    for ex_id, name, opens, length, _per_day, cost in EXHIBITIONS:
        s = dt.date.fromisoformat(opens)
        rows.append(
            {"campaign_id": ex_id, "name": name, "channel": "exhibition", "content_asset": None,
             "start_date": s, "end_date": s + dt.timedelta(days=length - 1), "cost": cost}
        )  # fmt: skip
    rows.append(
        {"campaign_id": "REF-PARTNERS", "name": "パートナー紹介プログラム", "channel": "referral",
         "content_asset": None, "start_date": first, "end_date": last, "cost": 4_800_000}
    )  # fmt: skip
    frame = pd.DataFrame(rows)
    frame["currency"] = "JPY"
    return frame


_ROUND_TO = {"lead": 10, "mql": 5, "sql": 5, "opportunity": 1, "won": 1, "revenue": 1_000_000}


def monthly_targets(
    stage_events: pd.DataFrame,
    leads: pd.DataFrame,
    opportunities: pd.DataFrame,
    *,
    tz: str,
    last: pd.Timestamp,
) -> pd.DataFrame:
    """Monthly targets: 1.1 x the same month a year earlier, rounded.

    Won deals and revenue are lumpy, so their base is the mean of the three months centred
    on the same month a year earlier.
    """
    return targets_of(monthly_actuals(stage_events, leads, opportunities, tz=tz), last=last)


MonthlyActuals = dict[tuple[str, str, str], pd.Series]


def monthly_actuals(
    stage_events: pd.DataFrame, leads: pd.DataFrame, opportunities: pd.DataFrame, *, tz: str
) -> MonthlyActuals:
    """What each month delivered, per metric, company-wide and per sales team.

    Counts and sums: the actuals of leads whose persons are apart (chunks of a generated
    company) add up (:func:`add_actuals`).
    """
    person = leads.assign(key=leads["email"].str.strip().str.lower()).sort_values("created_at")
    canon = person.groupby("key")["lead_id"].transform("first")
    ids = pd.Index(person["lead_id"])  # unique: a lookup table, no Python loop over leads
    person_of = pd.Series(canon.to_numpy(), index=ids)
    team_of = pd.Series(person["sales_team"].to_numpy(), index=ids)
    ev = stage_events.assign(person=stage_events["lead_id"].map(person_of))
    ev = ev.sort_values("entered_at").drop_duplicates(["person", "stage"])
    ev["month"] = ev["entered_at"].dt.tz_convert(tz).dt.tz_localize(None).dt.to_period("M")
    ev["team"] = ev["person"].map(team_of)
    won = opportunities[opportunities["is_won"].fillna(False).astype(bool)].copy()
    won["month"] = won["closed_at"].dt.tz_convert(tz).dt.tz_localize(None).dt.to_period("M")

    def monthly(frame: pd.DataFrame, by: list[str], value: str | None) -> pd.Series:
        g = frame.groupby(by)
        return g.size() if value is None else g[value].sum()

    series: dict[tuple[str, str, str], pd.Series] = {}
    for stage in _ROUND_TO:
        if stage == "revenue":
            series[("revenue", "", "")] = monthly(won, ["month"], "amount")
            by_team = monthly(won, ["sales_team", "month"], "amount")
        else:
            sub = ev[ev["stage"] == stage]
            series[(stage, "", "")] = monthly(sub, ["month"], None)
            by_team = monthly(sub, ["team", "month"], None)
        if stage in ("sql", "opportunity", "won", "revenue"):
            teams = set(by_team.index.get_level_values(0))  # a small chunk may lack one
            for t in TEAMS:
                series[(stage, "sales_team", t)] = (
                    by_team.loc[t] if t in teams else pd.Series(dtype=by_team.dtype)
                )
    return series


def add_actuals(total: MonthlyActuals, more: MonthlyActuals) -> MonthlyActuals:
    """The actuals of two sets of leads with no person in common."""
    empty = pd.Series(dtype="float64")
    return {
        k: total.get(k, empty).add(more.get(k, empty), fill_value=0)
        for k in dict.fromkeys([*total, *more])
    }


def targets_of(series: MonthlyActuals, *, last: pd.Timestamp) -> pd.DataFrame:
    """The targets of :func:`monthly_targets` from the monthly actuals."""
    months = pd.period_range("2024-04", "2027-03", freq="M")
    data_end = pd.Period(last, freq="M")
    rows: list[dict[str, Any]] = []
    for (metric, key, value), s in series.items():
        s = s.reindex(pd.period_range(months[0], data_end, freq="M"), fill_value=0)
        step = _ROUND_TO[metric]
        for m in months:
            prior = [m - 13, m - 12, m - 11] if metric in ("won", "revenue") else [m - 12]
            if all(p in s.index for p in prior):
                base = 1.1 * float(np.mean([s[p] for p in prior]))
            else:  # the first year has no history: plan what the year delivered, smoothed
                near = [p for p in (m - 1, m, m + 1) if p in s.index and p < data_end]
                base = 1.02 * float(np.mean([s[p] for p in near])) if near else 0.0
            target = max(step, round(base / step) * step)
            rows.append(
                {"month": m.to_timestamp().date(), "metric": metric, "segment_key": key,
                 "segment_value": value, "value": float(target)}
            )  # fmt: skip
    return pd.DataFrame(rows)
