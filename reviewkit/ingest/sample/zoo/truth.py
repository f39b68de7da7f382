"""Ground-truth scorecard figures of a zoo company, by plain pandas on its generated tables.

Only the documented definitions are followed (``docs/definitions.md``), never reviewkit's
semantic layer, so packs can be checked against these numbers:

- a person is every lead sharing a trimmed, lower-cased e-mail (a lead without one is alone);
- a person enters a stage at the earliest stage event of that name over their records (a rule
  stage ``score >= N``: the first score change reaching N; a lead without score history, its
  score when created), counted in the period holding the local date of that entry, and only
  before the review's cut-off (local midnight of ``as_of``);
- revenue is the sum of the amounts of won opportunities whose close date is in the period.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pandas as pd

from reviewkit.ingest.sample.zoo.targets import person_of

if TYPE_CHECKING:
    from reviewkit.ingest.sample.zoo.companies import ZooCompany

CADENCES = ("weekly", "monthly", "quarterly")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def review_periods(
    as_of: dt.date, *, fiscal_year_start_month: int, week_start: str
) -> dict[str, tuple[dt.date, dt.date]]:
    """The last complete week, month and fiscal quarter before ``as_of`` (first, last day)."""
    first_weekday = WEEKDAYS.index(week_start)
    week_end = as_of - dt.timedelta(days=(as_of.weekday() - first_weekday) % 7 + 1)
    month_end = as_of.replace(day=1) - dt.timedelta(days=1)
    offset = (as_of.month - fiscal_year_start_month) % 12
    current = as_of.year * 12 + as_of.month - 1 - offset % 3  # this quarter's first month
    quarter_start = dt.date((current - 3) // 12, (current - 3) % 12 + 1, 1)
    quarter_end = dt.date(current // 12, current % 12 + 1, 1) - dt.timedelta(days=1)
    return {
        "weekly": (week_end - dt.timedelta(days=6), week_end),
        "monthly": (month_end.replace(day=1), month_end),
        "quarterly": (quarter_start, quarter_end),
    }


def _rule_entries(tables: dict[str, pd.DataFrame], stage: str, threshold: int) -> pd.DataFrame:
    """When each lead first met ``score >= threshold`` (score history, else the lead's score)."""
    changes = tables["score_changes"]
    reached = changes[changes["score"] >= threshold]
    first = reached.groupby("lead_id", as_index=False)["changed_at"].min()
    leads = tables["leads"]
    without = leads[~leads["lead_id"].isin(changes["lead_id"])]
    held = without[without["score"].fillna(-1) >= threshold]
    return pd.concat(
        [
            first.rename(columns={"changed_at": "entered_at"}),
            held[["lead_id", "created_at"]].rename(columns={"created_at": "entered_at"}),
        ],
        ignore_index=True,
    ).assign(stage=stage)


def person_entries(tables: dict[str, pd.DataFrame], *, rule_stages: dict[str, int]) -> pd.DataFrame:
    """Each person's first entry into each stage: ``person``, ``stage``, ``entered_at``."""
    events = tables["stage_events"][["lead_id", "stage", "entered_at"]]
    events = events[~events["stage"].isin(rule_stages)]
    parts = [events] + [_rule_entries(tables, s, t) for s, t in rule_stages.items()]
    entries = pd.concat(parts, ignore_index=True)
    entries["person"] = entries["lead_id"].map(person_of(tables["leads"]))
    first = entries.groupby(["person", "stage"], as_index=False)["entered_at"].min()
    return first


def _in_period(
    instants: pd.Series, start: dt.date, end: dt.date, *, tz: str, cutoff: pd.Timestamp
) -> pd.Series:
    day = instants.dt.tz_convert(tz).dt.date
    return (day >= start) & (day <= end) & (instants < cutoff)


def scorecard_truth(company: ZooCompany) -> pd.DataFrame:
    """The review's scorecard figures, recomputed by plain pandas from the generated tables.

    Parameters
    ----------
    company
        A generated zoo company (:func:`reviewkit.ingest.sample.zoo.generate`).

    Returns
    -------
    pandas.DataFrame
        One row per cadence (its last complete period on the truth's ``as_of``) and metric:
        ``cadence``, ``start``, ``end`` (first and last day), ``metric`` (each stage key, and
        ``revenue`` when the company's deals carry amounts) and ``value``.
    """
    spec, truth, tables = company.spec, company.truth, company.tables
    tz = spec["timezone"]
    as_of = pd.Timestamp(truth["review"]["as_of"]).date()
    cutoff = pd.Timestamp(as_of).tz_localize(tz)
    periods = review_periods(
        as_of, fiscal_year_start_month=spec["fiscal_year_start_month"],
        week_start=spec["week_start"],
    )  # fmt: skip
    entries = person_entries(tables, rule_stages=dict(truth.get("rule_stages", {})))
    stages = stage_keys(company)
    opps = tables["opportunities"]
    has_amounts = not opps.empty and opps["amount"].notna().any()
    won = opps[opps["is_won"].fillna(False).astype(bool)] if has_amounts else opps
    rows: list[dict[str, Any]] = []
    for cadence, (start, end) in periods.items():
        for stage in stages:
            of_stage = entries[entries["stage"] == stage]
            inside = _in_period(of_stage["entered_at"], start, end, tz=tz, cutoff=cutoff)
            rows.append(
                {"cadence": cadence, "start": start, "end": end, "metric": stage,
                 "value": float(inside.sum())}
            )  # fmt: skip
        if has_amounts:
            inside = _in_period(won["closed_at"], start, end, tz=tz, cutoff=cutoff)
            rows.append(
                {"cadence": cadence, "start": start, "end": end, "metric": "revenue",
                 "value": float(won.loc[inside, "amount"].astype(float).sum())}
            )  # fmt: skip
    return pd.DataFrame(rows)


def planted_findings(truth: dict[str, Any]) -> list[dict[str, Any]]:
    """Each planted problem as what a monthly pack's cause analysis should name.

    Returns
    -------
    list of dict
        ``key``, ``family`` (target, content, follow_up), ``segment`` (lead column -> value,
        e.g. ``{"channel": "Busca paga", "region": "Nordeste"}``), ``stage_from``,
        ``stage_to`` and ``starts``, one per problem of the truth.
    """
    out = []
    for key, problem in truth["planted_problems"].items():
        segment = {"channel": problem["channel"]} if "channel" in problem else {}
        segment.update(problem.get("segment", {}))
        for column in ("content_asset", "sales_team"):
            if column in problem:
                segment[column] = problem[column]
        out.append(
            {"key": key, "family": problem["family"], "segment": segment,
             "stage_from": problem["stage_from"], "stage_to": problem["stage_to"],
             "starts": problem["starts"]}
        )  # fmt: skip
    return out


def stage_keys(company: ZooCompany) -> list[str]:
    """The company's funnel stages in order (from its spec; the sample's five)."""
    return list(company.spec.get("stages", ["lead", "mql", "sql", "opportunity", "won"]))
