"""Map the rows of an export file onto store records, as a profile says.

:func:`map_rows` turns each row into a record of the profile's kind (a lead with its stage
events, an opportunity with the events of its lead, a campaign, an activity), or into a
quarantine row (row number, file column, value, reason) when a value cannot be used. Nothing is
written here: :mod:`reviewkit.ingest.importer` writes the records in one transaction.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reviewkit.core.value_bounds import ValueBoundError, parse_score
from reviewkit.ingest.contacts import email_hash
from reviewkit.ingest.profile import Profile
from reviewkit.ingest.readers_table import RawTable
from reviewkit.ingest.rows import RowError, RowReader, pick
from reviewkit.ingest.touches import map_activity, map_campaign
from reviewkit.model.definitions import Definitions, EventStage

__all__ = ["MappedRows", "map_rows", "mapped_columns"]


@dataclass
class MappedRows:
    """The records of one file, the leads its opportunities bring, stage events, quarantine."""

    records: list[dict[str, Any]] = field(default_factory=list)
    leads: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    # amounts converted to the workspace's currency, by the currency they were in
    converted: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class _Funnel:
    events: dict[str, str]  # stage key -> the stage event name an import records
    order: dict[str, int]  # stage key -> position in the funnel

    @property
    def first(self) -> str:
        """The funnel's first stage key."""
        return min(self.order, key=self.order.__getitem__)


def mapped_columns(profile: Profile) -> list[str]:
    """The store columns a profile fills: those it maps, then those it gives defaults for."""
    return list(dict.fromkeys([*profile.columns, *profile.defaults]))


def _funnel(definitions: Definitions) -> _Funnel:
    """Stage key -> the stage event name an import records, and the funnel order.

    A stage defined by a rule keeps its key as the event name: the source's own date is kept
    (useful for comparison), while the rule decides when the stage was entered.
    """
    events = {s.key: s.event if isinstance(s, EventStage) else s.key for s in definitions.stages}
    return _Funnel(events=events, order={k: i for i, k in enumerate(definitions.stage_keys)})


def _columns(raw: dict[str, Any], reader: RowReader, record: dict[str, Any]) -> None:
    """Read every store column the profile maps (dates, amount, score, e-mail, text)."""
    for column in mapped_columns(reader.profile):
        if column in ("created_at", "closed_at"):
            # an open deal's close date is a plan: checked once the stage is known
            record[column] = reader.when(raw, column, future_ok=column == "closed_at")
            record[f"_{column}_column"] = reader.present(raw, column)
        elif column == "amount":  # converted once the row's date is known (_opportunity)
            record["amount"], record["_amount_currency"] = reader.amount(raw, "amount")
        elif column == "currency":
            continue
        elif column == "score":
            text = reader.raw_text(raw, "score")
            try:
                record["score"] = (
                    None if text is None else parse_score(text, decimal=reader.profile.decimal)
                )
            except ValueBoundError as exc:
                raise RowError(reader.present(raw, "score"), text, str(exc)) from None
        elif column == "email":  # personal data: kept only as the matching key
            text = reader.raw_text(raw, "email")
            record["email"] = None
            record["email_hash"] = email_hash(text) if text is not None else None
        elif column == "lead_id":
            text = reader.raw_text(raw, "lead_id")
            record["lead_id"] = (text.split(";")[0].strip() or None) if text is not None else None
        else:
            record[column] = reader.text(raw, column)


def _record_id(raw: dict[str, Any], profile: Profile) -> str:
    record_id = pick(raw, profile.id)
    if record_id is None:
        raise RowError(profile.id[0], None, "missing id")
    return record_id


def _lead(raw: dict[str, Any], reader: RowReader, funnel: _Funnel, out: MappedRows) -> None:
    profile = reader.profile
    lead_id = _record_id(raw, profile)
    record: dict[str, Any] = {"lead_id": lead_id, "source_system": profile.source_system}
    _columns(raw, reader, record)
    record["lead_id"] = lead_id  # the id column, even when columns: maps lead_id too
    dates = {}
    for stage, column in profile.stages.items():
        text = pick(raw, [column])
        if text is not None:
            dates[stage] = reader.moment(text, column)
    if record.get("created_at") is None:
        if not dates:
            raise RowError(reader.first_name("created_at"), None, "missing creation date")
        record["created_at"] = min(dates.values())
    ordered = sorted(dates.items(), key=lambda kv: funnel.order[kv[0]])
    for (s1, t1), (s2, t2) in itertools.pairwise(ordered):
        if t2 < t1:
            raise RowError(
                profile.stages[s2], str(t2), f"stage dates out of order ({s2} before {s1})"
            )
    for stage, moment in dates.items():
        out.events.append(
            {"lead_id": lead_id, "stage": funnel.events[stage], "entered_at": moment,
             "source_system": profile.source_system}
        )  # fmt: skip
    out.records.append(_public(record))


def _won_or_lost(record: dict[str, Any], reader: RowReader) -> None:
    profile = reader.profile
    stage_value = record.get("stage")
    if profile.open and stage_value not in (*profile.won, *profile.lost, *profile.open):
        column = reader.names("stage")[0] if reader.names("stage") else None
        raise RowError(column, stage_value, "unknown stage value")
    if profile.won or profile.lost:
        record["is_won"] = (
            True if stage_value in profile.won
            else False if stage_value in profile.lost else None
        )  # fmt: skip


def _opportunity(raw: dict[str, Any], reader: RowReader, funnel: _Funnel, out: MappedRows) -> None:
    profile = reader.profile
    opportunity_id = _record_id(raw, profile)
    record: dict[str, Any] = {
        "opportunity_id": opportunity_id, "source_system": profile.source_system
    }  # fmt: skip
    _columns(raw, reader, record)
    _won_or_lost(record, reader)
    if record.get("created_at") is None:
        raise RowError(reader.first_name("created_at"), None, "missing creation date")
    if record.get("is_won") is not None and record.get("closed_at") is None:
        raise RowError(reader.first_name("closed_at"), None, "closed deal without a close date")
    if record.get("is_won") is None:
        record["closed_at"] = None  # an open deal's planned close date
    else:
        problem = reader.bounds.problem(record["closed_at"], now=reader.now)
        if problem is not None:
            raise RowError(record["_closed_at_column"], str(record["closed_at"]), problem)
    closed = record.get("closed_at")
    if closed is not None and closed < record["created_at"]:
        raise RowError("closed_at", str(closed), "closed before it was created")
    # a won or lost deal's amount is converted at its close date's rate, an open one's at its
    # creation date's
    record["amount"], record["currency"], source = reader.in_currency(
        raw, record.get("amount"), record.get("_amount_currency"), amount_column="amount",
        day=(closed or record["created_at"]).date(),
    )  # fmt: skip
    if source is not None:
        out.converted[source] += 1
    record["stage"] = record.get("stage") or "(unknown)"
    lead = record.get("lead_id") or opportunity_id
    record["lead_id"] = lead
    if profile.lead_columns:
        lead_record: dict[str, Any] = {
            "lead_id": lead, "source_system": profile.source_system,
            "created_at": record["created_at"],
        }  # fmt: skip
        for column, names in profile.lead_columns.items():
            text = pick(raw, [names] if isinstance(names, str) else list(names))
            mapped = profile.values.get(column, {})
            lead_record[column] = mapped.get(text, text) if text is not None else None
        out.leads.append(lead_record)
    stage_events = [(profile.opportunity_stage, record["created_at"])]
    if profile.lead_columns:  # the lead made from the deal enters the funnel when created
        stage_events.insert(0, (profile.lead_stage or funnel.first, record["created_at"]))
    if record.get("is_won"):
        stage_events.append((profile.won_stage, closed))
    for stage, moment in stage_events:
        if stage and stage in funnel.events:
            out.events.append(
                {"lead_id": lead, "stage": funnel.events[stage], "entered_at": moment,
                 "source_system": profile.source_system}
            )  # fmt: skip
    out.records.append(_public(record))


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if not k.startswith("_")}


def _campaign(raw: dict[str, Any], reader: RowReader, funnel: _Funnel, out: MappedRows) -> None:
    record = map_campaign(raw, reader)
    source = record.pop("_converted_from")
    if source is not None:
        out.converted[source] += 1
    out.records.append(record)


def _activity(raw: dict[str, Any], reader: RowReader, funnel: _Funnel, out: MappedRows) -> None:
    out.records.append(map_activity(raw, reader))


_MAPPERS: dict[str, Callable[[dict[str, Any], RowReader, _Funnel, MappedRows], None]] = {
    "leads": _lead,
    "opportunities": _opportunity,
    "campaigns": _campaign,
    "activities": _activity,
}


def map_rows(table: RawTable, reader: RowReader, *, definitions: Definitions) -> MappedRows:
    """Map every row of ``table`` to a record of the profile's kind, or to the quarantine.

    Parameters
    ----------
    table
        The file, read as text.
    reader
        The profile, time zone, present and workspace currency the values are read with.
    definitions
        The agreed funnel (the stage keys stage dates map onto, and their order).

    Returns
    -------
    MappedRows
        Records, leads made from opportunities, stage events, and quarantine rows
        (``row_number``, ``column_name``, ``value``, ``reason``).
    """
    out = MappedRows()
    funnel = _funnel(definitions)
    mapper = _MAPPERS[reader.profile.record]
    columns = list(table.frame.columns)
    # one row's dict at a time (to_dict("records") would hold every row's at once); plain
    # tuples keep None, where iterrows would make it NaN
    rows = table.frame.itertuples(index=False, name=None)
    for row_number, values in zip(table.row_numbers, rows, strict=True):
        raw = dict(zip(columns, values, strict=True))
        try:
            mapper(raw, reader, funnel, out)
            out.records[-1]["_row_number"] = row_number
        except RowError as err:
            out.quarantine.append(
                {"row_number": row_number, "column_name": err.column, "value": err.value,
                 "reason": err.reason}
            )  # fmt: skip
    return out
