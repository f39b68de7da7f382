"""A zoo company's monthly targets, derived from its own generated history.

The rule is the sample company's (:mod:`reviewkit.ingest.sample.targets`): 1.1 x the same month
a year earlier (won and revenue, which are lumpy: the mean of the three months around it); months
without a year of history plan what the data delivered around them, smoothed. The targets run
from the first month of data to the end of the fiscal year after the review date, for the
company and, where the company has sales teams, per team.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from reviewkit.ingest.sample.targets import PRORATION, _number


def person_of(leads: pd.DataFrame) -> pd.Series:
    """Lead id -> person id: leads sharing a trimmed, lower-cased e-mail are one person.

    The person is named by their earliest-created lead (a lead without an e-mail is alone).
    """
    email = (
        leads["email"].astype(object).map(lambda e: e.strip().lower() if isinstance(e, str) else "")
    )
    key = np.where(email != "", "e:" + email, "l:" + leads["lead_id"].astype(str))
    frame = pd.DataFrame(
        {"lead_id": leads["lead_id"].to_numpy(), "key": key, "created_at": leads["created_at"]}
    ).sort_values(["created_at", "lead_id"], kind="stable")
    first = frame.groupby("key", sort=False)["lead_id"].transform("first")
    return pd.Series(first.to_numpy(), index=pd.Index(frame["lead_id"].to_numpy()))


def monthly_actuals(
    tables: Mapping[str, pd.DataFrame],
    *,
    stages: Sequence[str],
    tz: str,
    team_metrics: Sequence[str],
) -> dict[tuple[str, str, str], pd.Series]:
    """Actual monthly values per (metric, segment key, segment value), persons merged.

    Stage counts count each person once, in the month (local) of their first entry;
    ``revenue`` (where opportunities carry amounts) sums won amounts by close month.
    """
    leads = tables["leads"]
    persons = person_of(leads)
    canonical = leads.set_index("lead_id")["sales_team"]
    ev = tables["stage_events"]
    ev = ev.assign(person=ev["lead_id"].map(persons)).sort_values("entered_at")
    ev = ev.drop_duplicates(["person", "stage"])
    ev["month"] = ev["entered_at"].dt.tz_convert(tz).dt.tz_localize(None).dt.to_period("M")
    ev["team"] = ev["person"].map(canonical)
    series: dict[tuple[str, str, str], pd.Series] = {}
    teams = sorted(t for t in leads["sales_team"].dropna().unique())
    for stage in stages:
        sub = ev[ev["stage"] == stage]
        series[(stage, "", "")] = sub.groupby("month").size()
        if stage in team_metrics:
            for team in teams:
                series[(stage, "sales_team", team)] = (
                    sub[sub["team"] == team].groupby("month").size()
                )
    opps = tables["opportunities"]
    if not opps.empty and opps["amount"].notna().any():
        won = opps[opps["is_won"].fillna(False).astype(bool)].copy()
        won["month"] = won["closed_at"].dt.tz_convert(tz).dt.tz_localize(None).dt.to_period("M")
        won["amount"] = won["amount"].astype(float)
        series[("revenue", "", "")] = won.groupby("month")["amount"].sum()
        if "revenue" in team_metrics:
            for team in teams:
                of_team = won[won["sales_team"] == team]
                series[("revenue", "sales_team", team)] = of_team.groupby("month")["amount"].sum()
    return series


def plan(
    series: Mapping[tuple[str, str, str], pd.Series],
    *,
    first_month: str,
    last_month: str,
    data_end: dt.date,
    round_to: Mapping[str, float],
) -> pd.DataFrame:
    """Targets for every month from ``first_month`` to ``last_month`` (the store's columns)."""
    months = pd.period_range(first_month, last_month, freq="M")
    end = pd.Period(data_end, freq="M")
    rows: list[dict[str, Any]] = []
    for (metric, key, value), actual in series.items():
        actual = actual.reindex(pd.period_range(months[0], end, freq="M"), fill_value=0)
        step = float(round_to.get(metric, 1))
        for m in months:
            prior = [m - 13, m - 12, m - 11] if metric in ("won", "revenue") else [m - 12]
            if all(p in actual.index for p in prior):
                base = 1.1 * float(np.mean([actual[p] for p in prior]))
            else:  # no year of history: what the data delivered around the month, smoothed
                near = [p for p in (m - 1, m, m + 1) if p in actual.index and p < end]
                base = 1.02 * float(np.mean([actual[p] for p in near])) if near else 0.0
            rows.append(
                {"month": m.to_timestamp().date(), "metric": metric, "segment_key": key,
                 "segment_value": value, "value": float(max(step, round(base / step) * step))}
            )  # fmt: skip
    return pd.DataFrame(rows, columns=["month", "metric", "segment_key", "segment_value", "value"])


def fiscal_year_end(day: dt.date, start_month: int) -> str:
    """The last month (``YYYY-MM``) of the fiscal year holding ``day``: targets run to it."""
    year = day.year if day.month >= start_month else day.year - 1
    last = dt.date(year + 1, start_month, 1) - dt.timedelta(days=1)
    return f"{last:%Y-%m}"


def company_targets(tables: Mapping[str, pd.DataFrame], spec: Mapping[str, Any]) -> pd.DataFrame:
    """The company's targets, first month of data to the end of the fiscal year (spec ``targets``).

    ``targets.team_metrics`` are also set per sales team; ``targets.round_to`` rounds each
    metric (e.g. ``revenue: 10000``).
    """
    last = pd.Timestamp(spec["last_day"]).date()
    rule = spec["targets"]
    actuals = monthly_actuals(
        tables, stages=spec["stages"], tz=spec["timezone"], team_metrics=rule["team_metrics"]
    )
    return plan(
        actuals, first_month=f"{pd.Timestamp(spec['first_day']):%Y-%m}",
        last_month=fiscal_year_end(last, spec["fiscal_year_start_month"]), data_end=last,
        round_to=rule["round_to"],
    )  # fmt: skip


def _fiscal_year(month: dt.date, start_month: int) -> int:
    return month.year if month.month >= start_month else month.year - 1


def _block(frame: pd.DataFrame, indent: str, start_month: int) -> list[str]:
    """One line per month, ``YYYY-MM: {metric: value, ...}``, a comment at each fiscal year."""
    metrics = list(dict.fromkeys(frame["metric"]))
    table = frame.pivot_table(index="month", columns="metric", values="value", aggfunc="first")
    texts = {m: {k: _number(v) for k, v in table[m].items() if pd.notna(v)} for m in metrics}
    width = {m: max(len(t) for t in texts[m].values()) for m in metrics}
    out: list[str] = []
    fiscal_year = None
    for month in sorted(table.index):
        fy = _fiscal_year(month, start_month)
        if fy != fiscal_year:
            first = dt.date(fy, start_month, 1)
            last = dt.date(fy + 1, start_month, 1) - dt.timedelta(days=1)
            out.append(f"{indent}# FY{fy}: {first:%Y-%m} .. {last:%Y-%m}")
            fiscal_year = fy
        cells = [f"{m}: {texts[m][month]:>{width[m]}}" for m in metrics if month in texts[m]]
        out.append(f"{indent}{month:%Y-%m}: {{{', '.join(cells)}}}")
    return out


def targets_text(frame: pd.DataFrame, *, company: str, fiscal_year_start_month: int) -> str:
    """``params/targets.yml`` of a zoo company: header, proration, company and segments."""
    frame = frame.assign(
        month=[dt.date(m.year, m.month, 1) for m in pd.to_datetime(frame["month"])],
        segment_key=frame["segment_key"].fillna("").astype(str),
        segment_value=frame["segment_value"].fillna("").astype(str),
    )
    lines = [
        f"# Monthly targets of {company} (a generated zoo company), for the company and per\n"
        "# segment. Derived from its own generated history by reviewkit.ingest.sample.zoo: 1.1 x\n"
        "# the same month a year earlier (won and revenue: the mean of the three months around\n"
        "# it), rounded.\n",
        PRORATION,
        "company:",
        *_block(frame[frame["segment_key"] == ""], "  ", fiscal_year_start_month),
    ]
    segments = frame[frame["segment_key"] != ""]
    if not segments.empty:
        lines += ["", "segments:"]
        for key in sorted(segments["segment_key"].unique()):
            lines.append(f"  {key}:")
            of_key = segments[segments["segment_key"] == key]
            for value in sorted(of_key["segment_value"].unique()):
                lines.append(f"    {value}:")
                lines += _block(
                    of_key[of_key["segment_value"] == value], "      ", fiscal_year_start_month
                )
    return "\n".join(lines) + "\n"
