"""Import export files into the store: map, validate, quarantine, upsert, in one transaction.

Each row becomes a record of the profile's kind (a lead with its stage dates, or an opportunity),
or, when a value cannot be used, a row of the ``quarantine`` table with the file, row number,
column, value and reason. Records are upserted: importing the same file twice changes nothing,
and a newer export updates the records whose stage advanced. Identity matching is rebuilt in the
same transaction, and the import is logged in ``imports``. A file-level problem (missing
columns, an empty, binary or undecodable file) raises before anything is written.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from reviewkit.definitions import Definitions, EventStage
from reviewkit.errors import ConfigError
from reviewkit.identity import rebuild_identity_table
from reviewkit.import_profiles import LEAD_COLUMNS, OPPORTUNITY_COLUMNS, Profile
from reviewkit.parsing import ParseError, email_hash, parse_amount, parse_datetime
from reviewkit.readers import RawTable, file_hash, read_table

FUTURE_SLACK = dt.timedelta(days=1)
TEXT_COLUMNS = (
    "email", "email_hash", "company_name", "company_domain", "channel", "campaign_id",
    "content_asset", "industry", "company_size", "region", "persona", "sales_team", "stage",
    "currency",
)  # fmt: skip


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    file: Path
    profile: str
    rows_read: int = 0
    loaded: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    dropped_footer: list[str] = field(default_factory=list)
    dry_run: bool = False

    def line(self) -> str:
        """One line for the terminal."""
        reasons = ", ".join(f"{reason} {n}" for reason, n in self.reasons.most_common())
        rejected = f"rejected {self.rejected}" + (f" ({reasons})" if reasons else "")
        verb = "would load" if self.dry_run else "loaded"
        return (
            f"{self.file.name} [{self.profile}]: read {self.rows_read}, {verb} {self.loaded}, "
            f"updated {self.updated}, unchanged {self.unchanged}, {rejected}"
        )


@dataclass
class _Rows:
    records: list[dict[str, Any]] = field(default_factory=list)
    leads: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    quarantine: list[dict[str, Any]] = field(default_factory=list)


def _pick(raw: dict[str, Any], names: list[str]) -> str | None:
    for name in names:
        value = raw.get(name)
        if value is not None and value == value and value != "":  # not None, NaN or blank
            return str(value)
    return None


class _RowError(Exception):
    def __init__(self, column: str | None, value: str | None, reason: str) -> None:
        super().__init__(reason)
        self.column, self.value, self.reason = column, value, reason


def _stage_keys(definitions: Definitions) -> dict[str, str]:
    """Stage key -> the stage event name an import records.

    A stage defined by a rule keeps its key as the event name: the source's own date is kept
    (useful for comparison), while the rule decides when the stage was entered.
    """
    return {s.key: s.event if isinstance(s, EventStage) else s.key for s in definitions.stages}


def _check_profile(profile: Profile, definitions: Definitions) -> None:
    named = list(profile.stages)
    if profile.record == "opportunities":
        named += [s for s in (profile.opportunity_stage, profile.won_stage) if s]
    unknown = [s for s in named if s not in definitions.stage_keys]
    if unknown:
        raise ConfigError(
            f"profile {profile.name!r}: stages {unknown} are not in params/definitions.yml; "
            f"use {definitions.stage_keys} or remove them from the profile"
        )
    allowed = LEAD_COLUMNS if profile.record == "leads" else OPPORTUNITY_COLUMNS
    bad = [c for c in profile.columns if c not in allowed]
    if bad:
        raise ConfigError(
            f"profile {profile.name!r}: columns {bad} are not {profile.record} columns of the "
            f"store; use {list(allowed)}"
        )


def _map_rows(
    table: RawTable,
    profile: Profile,
    *,
    definitions: Definitions,
    timezone: str,
    now: dt.datetime,
) -> _Rows:
    out = _Rows()
    events = _stage_keys(definitions)
    order = {key: i for i, key in enumerate(definitions.stage_keys)}
    tz = profile.timezone or timezone

    def when(raw: dict[str, Any], column: str, *, future_ok: bool = False) -> dt.datetime | None:
        text = _pick(raw, [column])
        if text is None:
            return None
        try:
            moment = parse_datetime(
                text, formats=profile.date_formats or None, tz=tz, dayfirst=profile.dayfirst
            )
        except ParseError as exc:
            raise _RowError(column, text, f"unparseable date ({exc})") from None
        if moment > now + FUTURE_SLACK and not future_ok:
            raise _RowError(column, text, "future date")
        return moment

    records = table.frame.to_dict("records")  # keeps None (iterrows would make it NaN)
    for row_number, raw in zip(table.row_numbers, records, strict=True):
        try:
            record_id = _pick(raw, profile.id)
            if record_id is None:
                raise _RowError(profile.id[0], None, "missing id")
            record: dict[str, Any] = {"source_system": profile.source_system}
            for column in profile.columns:
                names = profile.candidates(column)
                if column in ("created_at", "closed_at"):
                    present = next((n for n in names if n in raw), names[0])
                    # an open deal's close date is a plan: checked once the stage is known
                    record[column] = when(raw, present, future_ok=column == "closed_at")
                    record[f"_{column}_column"] = present
                    continue
                text = _pick(raw, names)
                if column == "amount":
                    if text is None:
                        record["amount"] = None
                        continue
                    try:
                        amount, currency = parse_amount(text, currency=profile.currency)
                    except ParseError as exc:
                        raise _RowError(names[0], text, f"unparseable amount ({exc})") from None
                    if amount < 0:
                        raise _RowError(names[0], text, "negative amount")
                    record["amount"] = float(amount)
                    record.setdefault("currency", currency or profile.currency or "JPY")
                    continue
                if column == "score":
                    try:
                        record["score"] = None if text is None else round(float(text))
                    except ValueError:
                        raise _RowError(names[0], text, "score is not a number") from None
                    continue
                if column == "email":  # personal data: kept only as the matching key
                    record["email"] = None
                    record["email_hash"] = email_hash(text) if text is not None else None
                    continue
                if column == "lead_id" and text is not None:
                    text = text.split(";")[0].strip() or None
                mapped = profile.values.get(column, {})
                record[column] = mapped.get(text, text) if text is not None else None
            if profile.record == "leads":
                record["lead_id"] = record_id
                dates = {}
                for stage, column in profile.stages.items():
                    moment = when(raw, column)
                    if moment is not None:
                        dates[stage] = moment
                if record.get("created_at") is None:
                    if not dates:
                        raise _RowError("created_at", None, "missing creation date")
                    record["created_at"] = min(dates.values())
                ordered = sorted(dates.items(), key=lambda kv: order[kv[0]])
                for (s1, t1), (s2, t2) in itertools.pairwise(ordered):
                    if t2 < t1:
                        raise _RowError(
                            profile.stages[s2],
                            str(t2),
                            f"stage dates out of order ({s2} before {s1})",
                        )
                for stage, moment in dates.items():
                    out.events.append(
                        {"lead_id": record_id, "stage": events[stage], "entered_at": moment,
                         "source_system": profile.source_system}
                    )  # fmt: skip
            else:
                record["opportunity_id"] = record_id
                stage_value = record.get("stage")
                known = [*profile.won, *profile.lost, *profile.open]
                if profile.open and stage_value not in known:
                    column = profile.candidates("stage")[0] if profile.candidates("stage") else None
                    raise _RowError(column, stage_value, "unknown stage value")
                if profile.won or profile.lost:
                    record["is_won"] = (
                        True if stage_value in profile.won
                        else False if stage_value in profile.lost else None
                    )  # fmt: skip
                if record.get("created_at") is None:
                    raise _RowError("created_at", None, "missing creation date")
                if record.get("is_won") is not None and record.get("closed_at") is None:
                    raise _RowError("closed_at", None, "closed deal without a close date")
                if record.get("is_won") is None:
                    record["closed_at"] = None  # an open deal's planned close date
                elif record["closed_at"] > now + FUTURE_SLACK:
                    raise _RowError(
                        record["_closed_at_column"], str(record["closed_at"]), "future date"
                    )
                closed = record.get("closed_at")
                if closed is not None and closed < record["created_at"]:
                    raise _RowError("closed_at", str(closed), "closed before it was created")
                record.setdefault("currency", profile.currency or "JPY")
                record["stage"] = stage_value or "(unknown)"
                lead = record.get("lead_id") or record_id
                record["lead_id"] = lead
                if profile.lead_columns:
                    lead_record: dict[str, Any] = {
                        "lead_id": lead,
                        "source_system": profile.source_system,
                        "created_at": record["created_at"],
                    }
                    for column, names in profile.lead_columns.items():
                        names = [names] if isinstance(names, str) else list(names)
                        text = _pick(raw, names)
                        mapped = profile.values.get(column, {})
                        lead_record[column] = mapped.get(text, text) if text is not None else None
                    out.leads.append(lead_record)
                stage_events = [(profile.opportunity_stage, record["created_at"])]
                if record.get("is_won"):
                    stage_events.append((profile.won_stage, closed))
                for stage, moment in stage_events:
                    if stage and stage in events:
                        out.events.append(
                            {"lead_id": lead, "stage": events[stage], "entered_at": moment,
                             "source_system": profile.source_system}
                        )  # fmt: skip
            out.records.append({k: v for k, v in record.items() if not k.startswith("_")})
        except _RowError as err:
            out.quarantine.append(
                {"row_number": row_number, "column_name": err.column, "value": err.value,
                 "reason": err.reason}
            )  # fmt: skip
    return out


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    for column in columns:
        if column in ("created_at", "closed_at", "entered_at"):
            frame[column] = pd.to_datetime(frame[column], utc=True)
        elif column in TEXT_COLUMNS or column in ("lead_id", "opportunity_id", "source_system"):
            frame[column] = frame[column].astype("object")
    return frame


def _upsert(
    con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, *, key: str
) -> tuple[set[str], set[str], set[str]]:
    """Insert new rows, update changed ones; return the (new, changed, all) keys."""
    if frame.empty:
        return set(), set(), set()
    frame = frame.drop_duplicates(subset=[key], keep="last")
    con.register("_incoming", frame)
    columns = [c for c in frame.columns if c != key]
    differs = " OR ".join(f"t.{c} IS DISTINCT FROM i.{c}" for c in columns) or "FALSE"
    status = con.execute(
        f"SELECT i.{key}, t.{key} IS NULL AS new, ({differs}) AS changed "
        f"FROM _incoming i LEFT JOIN {table} t ON t.{key} = i.{key}"
    ).fetchall()
    new = {k for k, is_new, _ in status if is_new}
    changed = {k for k, is_new, differ in status if not is_new and differ}
    names = ", ".join(frame.columns)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns)
    con.execute(
        f"INSERT INTO {table} ({names}) SELECT {names} FROM _incoming "
        f"ON CONFLICT ({key}) DO UPDATE SET {updates}"
    )
    con.unregister("_incoming")
    return new, changed, {k for k, _, _ in status}


def _add_events(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> set[str]:
    """Add stage events not yet known (an earlier time replaces a later one).

    Returns the lead ids that gained or moved a stage.
    """
    if frame.empty:
        return set()
    con.register("_events", frame)
    changed = con.execute(
        "SELECT DISTINCT i.lead_id FROM _events i LEFT JOIN stage_events e "
        "ON e.lead_id = i.lead_id AND e.stage = i.stage "
        "WHERE e.lead_id IS NULL OR i.entered_at < e.entered_at"
    ).fetchall()
    con.execute(
        "DELETE FROM stage_events e USING _events i WHERE e.lead_id = i.lead_id "
        "AND e.stage = i.stage AND i.entered_at < e.entered_at"
    )
    con.execute(
        "INSERT INTO stage_events SELECT i.lead_id, i.stage, min(i.entered_at), "
        "any_value(i.source_system) FROM _events i LEFT JOIN stage_events e "
        "ON e.lead_id = i.lead_id AND e.stage = i.stage WHERE e.lead_id IS NULL GROUP BY ALL"
    )
    con.unregister("_events")
    return {r[0] for r in changed}


def import_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    profile: Profile,
    *,
    definitions: Definitions,
    timezone: str,
    encoding: str | None = None,
    dry_run: bool = False,
    now: dt.datetime | None = None,
) -> ImportReport:
    """Import one file in one transaction.

    Parameters
    ----------
    con
        A writable store connection.
    path
        The export file.
    profile
        How to read it.
    definitions
        The agreed funnel (stage keys the profile's stages map onto).
    timezone
        For dates without a time zone (unless the profile sets one).
    encoding
        Force an encoding (default: the profile's, else detected).
    dry_run
        Do everything, report, and roll back.
    now
        The present (future dates are rejected); default: the current time.

    Returns
    -------
    ImportReport

    Raises
    ------
    DataError, ConfigError
        For a file-level problem; nothing is written.
    """
    started = dt.datetime.now(dt.UTC)
    _check_profile(profile, definitions)
    table = read_table(
        path,
        encoding=encoding or profile.encoding,
        required=[],
        header_hint=profile.header_hint,
    )
    _require_columns(table, profile)
    table = _apply_lookups(table, profile, encoding=encoding or profile.encoding)
    rows = _map_rows(table, profile, definitions=definitions, timezone=timezone, now=now or started)
    report = ImportReport(
        file=path, profile=profile.name, rows_read=len(table.frame), dry_run=dry_run,
        dropped_footer=list(table.dropped_footer),
    )  # fmt: skip
    report.rejected = len(rows.quarantine)
    report.reasons = Counter(q["reason"].split(" (")[0] for q in rows.quarantine)
    import_id = uuid.uuid4().hex[:12]
    con.execute("BEGIN TRANSACTION")
    try:
        if profile.record == "leads":
            columns = ["lead_id", "source_system", *profile.columns]
            if "email" in profile.columns:
                columns.append("email_hash")
            new, changed, seen = _upsert(con, "leads", _frame(rows.records, columns), key="lead_id")
        else:
            columns = ["opportunity_id", "source_system", "is_won", *profile.columns]
            columns = list(dict.fromkeys([*columns, "currency", "stage", "lead_id"]))
            new, changed, seen = _upsert(
                con, "opportunities", _frame(rows.records, columns), key="opportunity_id"
            )
        if rows.leads:
            lead_columns = ["lead_id", "source_system", "created_at", *profile.lead_columns]
            _upsert(con, "leads", _frame(rows.leads, lead_columns), key="lead_id")
        advanced = _add_events(
            con, _frame(rows.events, ["lead_id", "stage", "entered_at", "source_system"])
        )
        if profile.record == "leads":  # a known lead whose stage advanced was updated
            changed |= (advanced & seen) - new
        report.loaded, report.updated = len(new), len(changed)
        report.unchanged = len(seen) - len(new) - len(changed)
        rebuild_identity_table(con)
        if rows.quarantine:
            q = pd.DataFrame(rows.quarantine)
            q.insert(0, "file_name", path.name)
            q.insert(0, "import_id", import_id)
            con.register("_quarantine", q)
            con.execute(
                "INSERT INTO quarantine (import_id, file_name, row_number, column_name, value, "
                "reason) SELECT import_id, file_name, row_number, column_name, value, reason "
                "FROM _quarantine"
            )
            con.unregister("_quarantine")
        con.execute(
            "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [import_id, path.name, file_hash(path), profile.name, profile.source_system,
             report.rows_read, report.loaded, report.updated, report.unchanged,
             report.rejected, started, dt.datetime.now(dt.UTC)],
        )  # fmt: skip
        con.execute("ROLLBACK" if dry_run else "COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return report


def _apply_lookups(table: RawTable, profile: Profile, *, encoding: str | None) -> RawTable:
    """Join each lookup file's columns to the rows (left join: unmatched rows keep None)."""
    frame = table.frame
    for lookup in profile.lookups:
        ((main_column, key),) = lookup.match.items()
        other = read_table(
            table.file.parent / lookup.file,
            encoding=encoding,
            required=[key, *lookup.columns.values()],
        ).frame
        other = other[[key, *lookup.columns.values()]].drop_duplicates(subset=[key])
        other = other.rename(columns={v: k for k, v in lookup.columns.items()})
        frame = frame.merge(other, how="left", left_on=main_column, right_on=key)
        if key != main_column and key in frame.columns:
            frame = frame.drop(columns=key)
        frame = frame.astype(object).where(frame.notna(), None)
    return RawTable(
        file=table.file, frame=frame, row_numbers=table.row_numbers, encoding=table.encoding,
        header_row=table.header_row, dropped_footer=table.dropped_footer,
    )  # fmt: skip


def _require_columns(table: RawTable, profile: Profile) -> None:
    from reviewkit.errors import DataError

    found = list(table.frame.columns)
    missing = []
    if not any(c in found for c in profile.id):
        missing.append(" or ".join(profile.id))
    must = ["created_at"] if profile.record == "opportunities" else []
    for column in must:
        names = profile.candidates(column)
        if names and not any(n in found for n in names):
            missing.append(" or ".join(names))
    if missing:
        shown = ", ".join(found[:12]) + (" ..." if len(found) > 12 else "")
        raise DataError(
            f"{table.file}: missing column(s) {missing} for profile {profile.name!r}; the file "
            f"has {shown}; choose another --profile or map the columns in params/sources/"
        )


def quarantine_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Quarantined rows by file and reason."""
    return con.execute(
        "SELECT file_name, reason, count(*) AS rows FROM quarantine GROUP BY ALL ORDER BY 3 DESC"
    ).df()
