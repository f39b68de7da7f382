"""Which period entrants reached a later stage, and when: the joins behind cohort rates.

Pure functions of one frame of stage entries (:func:`reviewkit.analysis.splits.period_people`'s
``now`` or ``before``): each entrant into a stage in the period joined once with their entries
into a later stage, and whether they reached it in time, at one equal age or at the matched age
(each entrant's own age, see :mod:`reviewkit.analysis.splits`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd


def stage_rows(frame: pd.DataFrame, stage: str, in_period: bool) -> np.ndarray:
    """Rows of ``frame`` that are entries into ``stage`` (only the period's, if ``in_period``)."""
    rows = (frame["stage"] == stage).to_numpy(dtype=bool)
    return rows & frame["in_period"].to_numpy(dtype=bool) if in_period else rows


def cohort_hits(
    frame: pd.DataFrame, source: str, target: str, horizon: dt.timedelta
) -> tuple[np.ndarray, np.ndarray]:
    """Each period entrant into ``source`` joined with their ``target`` entries, once.

    Returns the frame row of each joined row and whether it reached ``target`` within
    ``horizon``. Leaving people out removes their rows on both sides of the join, so the
    joined rows of the others, and their hits, never change.
    """
    columns = ["person_id", "entered_at"]
    entered = stage_rows(frame, source, True)
    keyed = frame.loc[entered, columns].assign(rk_row=np.flatnonzero(entered))
    later = frame.loc[stage_rows(frame, target, False), columns]
    joined = keyed.merge(later, on="person_id", how="left", suffixes=("", "_b"))
    hit = joined["entered_at_b"].notna() & (
        joined["entered_at_b"] < joined["entered_at"] + pd.Timedelta(horizon)
    )
    return joined["rk_row"].to_numpy(), hit.to_numpy(dtype=bool)


def matched_hits(
    frame: pd.DataFrame,
    source: str,
    target: str,
    window: dt.timedelta,
    cutoff: dt.datetime,
    shift: dt.timedelta,
    youngest: dt.timedelta = dt.timedelta(0),
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`cohort_hits` at the matched age: each entrant's own age, at most ``window``.

    An entrant's age is the time from its entry, moved on by ``shift`` (the baseline's
    entrants are read as if they had entered on the same day of the period), to the cut-off;
    never less than ``youngest`` (the age of the period's last entrants: a baseline longer than
    the period has days with no match, read as its last day).
    """
    columns = ["person_id", "entered_at"]
    entered = stage_rows(frame, source, True)
    keyed = frame.loc[entered, columns].assign(rk_row=np.flatnonzero(entered))
    later = frame.loc[stage_rows(frame, target, False), columns]
    joined = keyed.merge(later, on="person_id", how="left", suffixes=("", "_b"))
    age = pd.Timestamp(cutoff) - (joined["entered_at"] + pd.Timedelta(shift))
    age = age.clip(lower=pd.Timedelta(min(youngest, window)), upper=pd.Timedelta(window))
    hit = joined["entered_at_b"].notna() & (joined["entered_at_b"] < joined["entered_at"] + age)
    return joined["rk_row"].to_numpy(), hit.to_numpy(dtype=bool)
