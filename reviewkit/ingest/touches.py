"""Campaigns (what was spent, when) and activities (touches of leads) from export files.

A campaign-cost file gives cost metrics (cost per lead, per MQL, ...) and the spend next to each
campaign; a touches file gives speed to lead, the follow-up SLA and the follow-up backlog. The
sample generator fills both tables; these mappers let a real company's exports fill them.

- **campaigns**: one row per campaign, or per campaign and period (a cost line per month or day):
  a row is keyed by its campaign id and start date. Without an end date, a row whose start is a
  month (``2026-09``) covers that month, any other a single day.
- **activities**: one row per touch of a lead (the lead's id in its source system:
  ``lead_source_system:``, else the profile's). Without an ``id:`` column, the id is made from the
  row's content, so importing the same file again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import duckdb
import pandas as pd

from reviewkit.ingest.rows import RowError, RowReader, month_span, pick

__all__ = ["known_leads", "map_activity", "map_campaign"]


def _day(reader: RowReader, raw: dict[str, Any], column: str) -> tuple[dt.date, dt.date] | None:
    """A date column as ``(first, last)`` day: a month (``2026-09``) spans its days."""
    text = reader.raw_text(raw, column)
    if text is None:
        return None
    span = month_span(text)
    if span is not None:
        reader.check_day(span[0], text, reader.present(raw, column), plan=column == "end_date")
        return span
    day = reader.moment(text, reader.present(raw, column), future_ok=column == "end_date").date()
    return day, day


def map_campaign(raw: dict[str, Any], reader: RowReader) -> dict[str, Any]:
    """One campaign row: id, name, channel, content asset, days, cost and currency.

    Raises
    ------
    RowError
        A missing id, channel, start date or cost; an unreadable, negative or future value; an
        end before the start; a currency other than the workspace's.
    """
    profile = reader.profile
    campaign_id = pick(raw, profile.id)
    if campaign_id is None:
        raise RowError(profile.id[0], None, "missing id")
    channel = reader.text(raw, "channel")
    if channel is None:
        raise RowError(reader.first_name("channel"), None, "missing channel")
    start = _day(reader, raw, "start_date")
    if start is None:
        raise RowError(reader.first_name("start_date"), None, "missing start date")
    end = _day(reader, raw, "end_date")
    last = end[1] if end is not None else start[1]
    if last < start[0]:
        raise RowError(reader.first_name("end_date"), str(last), "ends before it starts")
    cost, found = reader.amount(raw, "cost")
    if cost is None:
        raise RowError(reader.first_name("cost"), None, "missing cost")
    cost, currency, source = reader.in_currency(
        raw, cost, found, amount_column="cost", day=start[0]
    )
    return {
        "campaign_id": campaign_id,
        "name": reader.text(raw, "name") or campaign_id,
        "channel": channel,
        "content_asset": reader.text(raw, "content_asset"),
        "start_date": start[0],
        "end_date": last,
        "cost": cost,
        "currency": currency,
        "_converted_from": source,  # counted by the importer, not stored
    }


def _activity_id(lead_system: str, values: list[object]) -> str:
    """A stable id from a touch's content (the same row always gives the same id)."""
    text = "\x1f".join([lead_system, *("" if v is None else str(v) for v in values)])
    return "act-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def map_activity(raw: dict[str, Any], reader: RowReader) -> dict[str, Any]:
    """One touch: its id, the lead touched, type, time, team and whether a person made it.

    Raises
    ------
    RowError
        A missing lead id, type or time; an unreadable or future time; a yes/no column that is
        neither.
    """
    profile = reader.profile
    lead_id = reader.raw_text(raw, "lead_id")
    if lead_id is None:
        raise RowError(reader.first_name("lead_id"), None, "missing lead id")
    lead_id = lead_id.split(";")[0].strip()
    kind_text = reader.raw_text(raw, "activity_type")
    kind = reader.text(raw, "activity_type")
    if kind is None:
        raise RowError(reader.first_name("activity_type"), None, "missing activity type")
    occurred = reader.when(raw, "occurred_at")
    if occurred is None:
        raise RowError(reader.first_name("occurred_at"), None, "missing date")
    team = reader.text(raw, "team")
    human = reader.flag(raw, "is_human")
    if human is None:
        types = profile.human_types
        human = (kind in types or kind_text in types) if types else True
    lead_system = profile.lead_source_system or profile.source_system
    activity_id = pick(raw, profile.id) if profile.id else None
    if activity_id is None:
        if profile.id:
            raise RowError(profile.id[0], None, "missing id")
        moment = occurred.astimezone(dt.UTC).isoformat()
        activity_id = _activity_id(lead_system, [lead_id, kind, moment, team])
    return {
        "activity_id": activity_id,
        "lead_id": lead_id,
        "activity_type": kind,
        "occurred_at": occurred,
        "team": team,
        "is_human": human,
    }


def known_leads(
    con: duckdb.DuckDBPyConnection, lead_ids: list[str], *, source_system: str
) -> dict[str, str | None]:
    """For each lead id, why its touch cannot be kept (``None``: the lead is in the store).

    A touch names a lead by its id in ``source_system``; a lead the store does not have yet, or
    that belongs to another source system, cannot be followed up.
    """
    if not lead_ids:
        return {}
    frame = pd.DataFrame({"lead_id": pd.Series(sorted(set(lead_ids)), dtype=object)})
    con.register("_rk_touched", frame)
    try:
        found = dict(
            con.execute(
                "SELECT t.lead_id, l.source_system FROM _rk_touched t JOIN leads l USING (lead_id)"
            ).fetchall()
        )
    finally:
        con.unregister("_rk_touched")
    out: dict[str, str | None] = {}
    for lead_id in frame["lead_id"]:
        system = found.get(lead_id)
        if system is None:
            out[lead_id] = (
                f"unknown lead (no {source_system} lead with this id: import the leads first)"
            )
        elif system != source_system:
            out[lead_id] = f"lead of another source system ({system}, not {source_system})"
        else:
            out[lead_id] = None
    return out
