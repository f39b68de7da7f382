"""The zoo generators' shared machinery: a company's days, arrivals, attributes and funnel steps.

Every instant is a ``datetime64[ns]`` in UTC (numpy), so daylight-saving changes never make a
time ambiguous; a company's local days come from its time zone. Every random draw is made for
all people at once, whatever a mask keeps, so a seed always gives the same tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

NS_HOUR = np.timedelta64(3_600_000_000_000, "ns")
NAT = np.datetime64("NaT", "ns")


@dataclass(frozen=True)
class Days:
    """The company's days, first to last, in its own calendar."""

    local: pd.DatetimeIndex  # naive local dates
    midnight: np.ndarray  # datetime64[ns] (UTC) of each day's local midnight
    holiday: np.ndarray  # bool: a public holiday of the company's country (and subdivision)
    tz: str

    @property
    def end(self) -> np.datetime64:
        """The instant the data ends: local midnight after the last day."""
        return local_midnight_of(self.local[-1] + pd.Timedelta(days=1), self.tz)

    @property
    def business(self) -> np.ndarray:
        """Weekdays that are not public holidays."""
        return np.asarray((self.local.day_of_week < 5) & ~self.holiday)

    def index_of(self, day: str | dt.date) -> int:
        """Position of ``day`` (clipped to the range)."""
        found = int(self.local.searchsorted(pd.Timestamp(day)))
        return min(found, len(self.local) - 1)


def local_midnight_of(day: pd.Timestamp | str | dt.date, tz: str) -> np.datetime64:
    """The UTC instant of local midnight of ``day`` in ``tz``."""
    stamp = pd.Timestamp(day).tz_localize(tz).tz_convert("UTC").tz_localize(None)
    return np.datetime64(stamp.to_datetime64(), "ns")


def make_days(
    first: str | dt.date, last: str | dt.date, *, tz: str, country: str, subdivision: str | None
) -> Days:
    """The days of the data range with the country's public holidays (``holidays`` library)."""
    import holidays

    local = pd.date_range(pd.Timestamp(first), pd.Timestamp(last), freq="D")
    calendar = holidays.country_holidays(
        country, subdiv=subdivision, years=range(local[0].year, local[-1].year + 1)
    )
    holiday = np.array([d.date() in calendar for d in local], dtype=bool)
    midnight = (
        pd.DatetimeIndex(local).tz_localize(tz).tz_convert("UTC").tz_localize(None).to_numpy()
    )
    return Days(local=local, midnight=midnight.astype("datetime64[ns]"), holiday=holiday, tz=tz)


def _month_day(text: str) -> int:
    month, day = (int(part) for part in str(text).split("-"))
    return month * 100 + day


def day_weights(days: Days, shape: Mapping[str, Any]) -> np.ndarray:
    """Relative lead volume per day from a spec's ``seasonality`` block.

    ``weekday``: seven weights, Monday first; ``holiday``: the weight of a public holiday;
    ``breaks``: ``[from MM-DD, to MM-DD, weight]`` (may wrap over the new year); ``months``:
    weight per month number; ``month_end``: a push on the last three weekdays of a month;
    ``growth``: the yearly trend.
    """
    local = days.local
    weights = np.asarray(shape["weekday"], dtype=float)[local.day_of_week]
    weights = weights * np.where(days.holiday, float(shape.get("holiday", 0.2)), 1.0)
    md = local.month * 100 + local.day
    for start, end, weight in shape.get("breaks", []):
        a, b = _month_day(start), _month_day(end)
        inside = (md >= a) & (md <= b) if a <= b else (md >= a) | (md <= b)
        weights = weights * np.where(inside, float(weight), 1.0)
    months = {int(k): float(v) for k, v in shape.get("months", {}).items()}
    weights = weights * np.array([months.get(m, 1.0) for m in local.month])
    month_end = (local.days_in_month - local.day < 3) & (local.day_of_week < 5)
    weights = weights * np.where(month_end, float(shape.get("month_end", 1.0)), 1.0)
    years = np.asarray((local - local[0]).days) / 365.25
    return np.asarray(weights * (1.0 + float(shape.get("growth", 0.0)) * years))


def arrivals(
    rng: np.random.Generator, weights: np.ndarray, total: float, shares: Mapping[str, float]
) -> tuple[np.ndarray, np.ndarray]:
    """Poisson arrivals per day and label: ``total`` expected over the days, split by ``shares``.

    Returns the day index and the label of each arrival.
    """
    scale = total / weights.sum()
    day_parts: list[np.ndarray] = []
    label_parts: list[np.ndarray] = []
    norm = sum(shares.values())
    for label, share in shares.items():
        counts = rng.poisson(weights * scale * share / norm)
        day_parts.append(np.repeat(np.arange(len(weights)), counts))
        label_parts.append(np.full(int(counts.sum()), label, dtype=object))
    return np.concatenate(day_parts), np.concatenate(label_parts)


def bursts(
    rng: np.random.Generator, days: Days, events: Sequence[Mapping[str, Any]], *, scale: float
) -> tuple[np.ndarray, np.ndarray]:
    """Leads of dated events (trade fairs, webinars): ``{id, first, days, per_day}`` each.

    Returns the day index and the event id of each arrival (days outside the range are skipped).
    """
    day_parts: list[np.ndarray] = []
    id_parts: list[np.ndarray] = []
    for event in events:
        start = pd.Timestamp(event["first"])
        for k in range(int(event.get("days", 1))):
            day = start + pd.Timedelta(days=k)
            if days.local[0] <= day <= days.local[-1]:
                n = int(rng.poisson(float(event["per_day"]) * scale))
                day_parts.append(np.full(n, days.index_of(day)))
                id_parts.append(np.full(n, event["id"], dtype=object))
    if not day_parts:
        return np.zeros(0, dtype=int), np.zeros(0, dtype=object)
    return np.concatenate(day_parts), np.concatenate(id_parts)


def clock(
    rng: np.random.Generator, days: Days, day_index: np.ndarray, *, hour: float = 13.0
) -> np.ndarray:
    """An instant on each arrival's day: local office hours around ``hour``, to the minute."""
    hours = np.clip(rng.normal(hour, 2.8, len(day_index)), 0.0, 23.95)
    return minutes(days.midnight[day_index] + (hours * NS_HOUR.astype(float)).astype("m8[ns]"))


def minutes(at: np.ndarray) -> np.ndarray:
    """Instants floored to the minute (exports write minutes; NaT stays NaT)."""
    return at.astype("datetime64[m]").astype("datetime64[ns]")


def pick(rng: np.random.Generator, table: Mapping[str, float], n: int) -> np.ndarray:
    """``n`` values drawn with the table's weights."""
    keys = list(table)
    p = np.array([float(table[k]) for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=n, p=p / p.sum())]


def factor(values: np.ndarray, table: Mapping[str, float] | None) -> np.ndarray:
    """Each value's multiplier from ``table`` (1.0 for a value it does not list)."""
    table = table or {}
    return np.array([float(table.get(v, 1.0)) for v in values], dtype=float)


def lognormal_days(
    rng: np.random.Generator, n: int, median_days: float | np.ndarray, sigma: float
) -> np.ndarray:
    """Delays with the given median (days), as ``timedelta64[ns]``."""
    days = np.asarray(median_days, dtype=float) * np.exp(rng.normal(0.0, sigma, n))
    return (days * 24 * NS_HOUR.astype(float)).astype("m8[ns]")


def step(
    rng: np.random.Generator,
    start: np.ndarray,
    eligible: np.ndarray,
    p: np.ndarray | float,
    *,
    median_days: float | np.ndarray,
    sigma: float,
    end: np.datetime64,
) -> tuple[np.ndarray, np.ndarray]:
    """Who of ``eligible`` moves on (probability ``p``) and when (a lognormal delay).

    A move that would fall after the data ends has not happened yet.
    """
    n = len(start)
    at = minutes(start + lognormal_days(rng, n, median_days, sigma))
    moves = rng.random(n) < np.minimum(np.asarray(p, dtype=float), 0.97)
    reached = eligible & moves & (at < end)
    return reached, np.where(reached, at, NAT)


def first_touch(
    rng: np.random.Generator,
    start: np.ndarray,
    eligible: np.ndarray,
    *,
    median_hours: np.ndarray,
    never: np.ndarray,
    end: np.datetime64,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The first human touch after ``start``: who was touched, when, and its effect on the rate.

    The effect (speed to lead) is 1.15 within an hour, 1.0 within a day, 0.7 within three
    days and 0.5 later.
    """
    n = len(start)
    hours = np.asarray(median_hours, dtype=float) * np.exp(rng.normal(0.0, 0.9, n))
    at = minutes(start + (hours * NS_HOUR.astype(float)).astype("m8[ns]")) + np.timedelta64(1, "m")
    touched = eligible & (rng.random(n) >= never) & (at < end)
    effect = np.select([hours <= 1, hours <= 24, hours <= 72], [1.15, 1.0, 0.7], 0.5)
    return touched, np.where(touched, at, NAT), effect


def local_dates(at: np.ndarray, tz: str) -> pd.DatetimeIndex:
    """The local calendar day of each instant (naive midnight; NaT stays NaT)."""
    return pd.DatetimeIndex(at).tz_localize("UTC").tz_convert(tz).tz_localize(None).normalize()


def next_local_midnight(at: np.ndarray, tz: str, *, after: np.ndarray | None = None) -> np.ndarray:
    """Local midnight of each instant's day (a date-only close date), moved past ``after``.

    A close date is a date: it is stored as local midnight, and it must come after the day of
    ``after`` (an opportunity's creation, a proposal), so it is at least that day + 1.
    """
    day = local_dates(at, tz)
    if after is not None:
        floor = local_dates(after, tz) + pd.Timedelta(days=1)
        day = pd.DatetimeIndex(np.where(day < floor, floor, day))
    return (
        pd.DatetimeIndex(day).tz_localize(tz).tz_convert("UTC").tz_localize(None).to_numpy()
    ).astype("datetime64[ns]")


def after(at: np.ndarray, start: str | dt.date, tz: str) -> np.ndarray:
    """Whether each instant is at or after local midnight of ``start``."""
    return np.asarray(at >= local_midnight_of(start, tz))


def localize(frame: pd.DataFrame, columns: Sequence[str], tz: str) -> pd.DataFrame:
    """Turn UTC ``datetime64`` columns into time-zone-aware ones in the company's zone."""
    for column in columns:
        frame[column] = pd.to_datetime(frame[column]).dt.tz_localize("UTC").dt.tz_convert(tz)
    return frame


def ids(prefix: str, n: int, *, start: int = 1, width: int = 6) -> np.ndarray:
    """``prefix`` + a zero-padded running number, as an object array."""
    return np.array([f"{prefix}{k:0{width}d}" for k in range(start, start + n)], dtype=object)


def events(
    lead_id: np.ndarray, mask: np.ndarray, stage: str, at: np.ndarray, source: str | np.ndarray
) -> pd.DataFrame:
    """Stage events of the people in ``mask``."""
    system = source[mask] if isinstance(source, np.ndarray) else source
    return pd.DataFrame(
        {"lead_id": lead_id[mask], "stage": stage, "entered_at": at[mask], "source_system": system}
    )


EMPTY_COLUMNS: dict[str, list[str]] = {
    "score_changes": ["lead_id", "changed_at", "score"],
    "opportunities": [
        "opportunity_id", "lead_id", "amount", "currency", "created_at", "closed_at", "is_won",
        "stage", "sales_team", "source_system",
    ],
    "activities": ["activity_id", "lead_id", "activity_type", "occurred_at", "team", "is_human"],
    "campaigns": [
        "campaign_id", "name", "channel", "content_asset", "start_date", "end_date", "cost",
        "currency",
    ],
}  # fmt: skip


def empty(table: str, tz: str) -> pd.DataFrame:
    """An empty table with the store's columns (instants typed in the company's zone)."""
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in EMPTY_COLUMNS[table]})
    for column in frame.columns:
        if column.endswith("_at"):
            frame[column] = pd.Series(dtype=f"datetime64[ns, {tz}]")
    return frame
