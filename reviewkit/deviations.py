"""Where a period deviated: the missed metrics, and the segments that moved a rate most.

A first cut of the cause analysis: for the stage rate that fell most, each segment's rate now
and before, and its *impact* in people (the change in rate times this period's volume), so the
segments that cost the most come first. Later analyses add exact mix/rate decompositions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from reviewkit.periods import Period
from reviewkit.semantic import Funnel

MIN_VOLUME = 20  # segments smaller than this this period are too noisy to rank
MOVER_COLUMNS = [
    "segment", "value", "previous", "baseline", "denominator", "change_points", "impact",
]  # fmt: skip


def missed(card: pd.DataFrame) -> pd.DataFrame:
    """The metrics of a scorecard below target, worst first, with their gap."""
    rows = card[card["achievement"] < 1].copy()
    rows["gap"] = rows["actual"] - rows["target"]
    return rows.sort_values("achievement").reset_index(drop=True)


def falling_rate(rates: pd.DataFrame) -> str | None:
    """The rate of the rate card that fell most against the previous period, if any fell."""
    change = rates.dropna(subset=["change_points"])
    change = change[change["change_points"] < 0]
    if change.empty:
        return None
    return str(change.sort_values("change_points").iloc[0]["metric"])


def movers(
    funnel: Funnel,
    metric: str,
    period: Period,
    *,
    previous: Period,
    by: str,
    top: int = 5,
    min_volume: int = MIN_VOLUME,
) -> pd.DataFrame:
    """Rank the values of segment column ``by`` by how much they moved ``metric``.

    Parameters
    ----------
    funnel
        The semantic layer.
    metric
        A rate metric (a conversion).
    period, previous
        The periods compared.
    by
        A segment column (``channel``, ``content_asset``, ``sales_team``, ...).
    top
        How many segments to return.
    min_volume
        Segments with a smaller denominator this period are left out.

    Returns
    -------
    pandas.DataFrame
        ``segment`` (``None`` = unknown), ``value`` and ``previous`` (the rate),
        ``baseline`` (``segment``: its own previous rate; ``overall``: a segment new or too
        small last period, compared with everyone's previous rate), ``denominator`` (this
        period's volume), ``change_points`` and ``impact`` (people gained or lost against the
        previous rate), most lost first.
    """
    frame = funnel.metric_frame([metric], [period, previous], by=[by])
    now = frame[frame["period"] == period.label].set_index(by)
    before = frame[frame["period"] == previous.label].set_index(by)
    overall = funnel.metric_frame([metric], [previous])["value"].iloc[0]
    rows = []
    for segment, row in now.iterrows():
        old = before.loc[segment] if segment in before.index else None
        if old is not None and float(old["denominator"]) >= min_volume:
            prev, baseline = float(old["value"]), "segment"
        else:  # new (or too small before): compare with everyone's previous rate
            prev, baseline = float(overall), "overall"
        if row["denominator"] < min_volume or math.isnan(row["value"]) or math.isnan(prev):
            continue
        rows.append(
            {
                "segment": None if pd.isna(segment) else segment,
                "value": float(row["value"]),
                "previous": prev,
                "baseline": baseline,
                "denominator": float(row["denominator"]),
                "change_points": (float(row["value"]) - float(prev)) * 100,
                "impact": (float(row["value"]) - float(prev)) * float(row["denominator"]),
            }
        )
    out = pd.DataFrame(rows, columns=MOVER_COLUMNS)
    return out.sort_values("impact").head(top).reset_index(drop=True)


def breakdowns(
    funnel: Funnel,
    metric: str,
    period: Period,
    *,
    previous: Period,
    dimensions: Sequence[str] = ("channel", "content_asset", "sales_team", "company_size"),
) -> dict[str, pd.DataFrame]:
    """:func:`movers` for each dimension."""
    return {by: movers(funnel, metric, period, previous=previous, by=by) for by in dimensions}
