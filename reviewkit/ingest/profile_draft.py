"""``reviewkit profile draft FILE``: a first import profile for an export, for the user to edit.

The file is read as the importer reads it (encoding, delimiter, report title lines above the
header, footers). From its headers and values the draft guesses the record kind, the id column,
the date columns (and whether they are written day first), the amount columns (the currency
their symbols name, a decimal comma), the columns that look like channel, campaign, industry or
team (with a few example values), and the date columns whose headers name a stage of the
workspace's definitions. Every guess carries a comment saying what to check. Personal data is
never copied: e-mail addresses, names and phone numbers appear only as column names.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from reviewkit.core.config_paths import check_profile_name
from reviewkit.core.redaction import redact_text
from reviewkit.errors import ConfigError
from reviewkit.ingest.profile import RECORD_COLUMNS
from reviewkit.ingest.profile_detect import ColumnInfo, describe_columns, value_counts
from reviewkit.ingest.profile_guess import (
    STAGE_WORDS,
    assign_columns,
    guess_record,
    pick_id,
    stage_columns,
)
from reviewkit.ingest.readers import read_table
from reviewkit.ingest.readers_table import RawTable
from reviewkit.model.definitions import Definitions

__all__ = ["Draft", "draft_name", "draft_profile", "write_draft"]

_WON = re.compile(r"won|gewonnen|ganh|受注|成約|success", re.I)
_LOST = re.compile(r"lost|verloren|perdid|失注|declin|cancel", re.I)
_COMMENT_COLUMN = 34  # comments start here when the line is shorter


def draft_name(path: Path) -> str:
    """A profile name from a file name: ``Sales Pipeline (2026).csv`` -> ``sales-pipeline-2026``."""
    name = re.sub(r"[^\w-]+", "-", path.stem.casefold()).strip("-_")
    return name or "profile"


@dataclass
class Draft:
    """A drafted profile: its YAML text and what it guessed (for the command's summary)."""

    name: str
    record: str
    text: str
    id_column: str | None
    columns: dict[str, str] = field(default_factory=dict)
    stages: dict[str, str] = field(default_factory=dict)
    personal: list[str] = field(default_factory=list)


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _line(text: str, comment: str = "") -> str:
    if not comment:
        return text
    return f"{text.ljust(_COMMENT_COLUMN - 1)} # {comment}" if text else f"# {comment}"


def _examples(column: ColumnInfo) -> str:
    if column.personal or not column.top:
        return ""
    # redacted before cut short: a cut address would no longer be recognised
    shown = ", ".join(f"{redact_text(' '.join(v.split()))[:30]} ({n})" for v, n in column.top[:4])
    more = f"; {column.distinct} values" if column.distinct > 4 else ""
    return f"e.g. {shown}{more}"


def _snake(value: str) -> str:
    return re.sub(r"[^\w]+", "_", value.casefold()).strip("_") or "other"


def _date_notes(columns: list[ColumnInfo]) -> tuple[bool, str]:
    """``dayfirst`` for the file's dates, and the comment that says how sure that is."""
    orders = {c.dayfirst for c in columns if c.kind == "date" and c.dayfirst is not None}
    numeric = [
        c for c in columns if c.kind == "date" and re.match(r"^\d{1,2}\D", c.date_example or "")
    ]
    if orders == {True}:
        return True, "dates are written day first (e.g. 31.12.2026)"
    if orders == {False}:
        return False, "dates are written month first (e.g. 12/31/2026)"
    if numeric:
        return False, (
            "check: 03/04/2026 is read as 4 March (month first); set true if your "
            "dates are day first"
        )
    return False, ""


def _opportunity_lines(
    table: RawTable, assigned: dict[str, ColumnInfo], definitions: Definitions, file_name: str
) -> list[str]:
    """won/lost/open from the stage column's values; the definitions' stages deals enter."""
    lines: list[str] = []
    stage = assigned.get("stage")
    if stage is not None:
        values = [str(v) for v in value_counts(table, stage.name).index]
        won = [v for v in values if _WON.search(v) and not _LOST.search(v)]
        lost = [v for v in values if _LOST.search(v)]
        rest = [v for v in values if v not in won and v not in lost]
        lines.append(_line(f"won: [{', '.join(map(_quote, won))}]", "check: the won stage values"))
        lines.append(_line(f"lost: [{', '.join(map(_quote, lost))}]", "check: the lost ones"))
        if len(rest) <= 20:
            lines.append(
                _line(
                    f"open: [{', '.join(map(_quote, rest))}]",
                    "open deals; a value in none of these lists is held back",
                )
            )
    else:
        wins = bool(re.search(r"won|受注|gewonnen|ganh", file_name.casefold()))
        lines.append(_line("", "no stage column: if every row is a won deal, keep these two"))
        prefix = "" if wins else "# "
        lines += [f"{prefix}defaults: {{stage: Won}}", f"{prefix}won: [Won]"]
    keys = definitions.stage_keys
    opportunity = next((k for k in keys if any(w in k for w in STAGE_WORDS["opportunity"])), None)
    lines.append(
        _line(
            f"opportunity_stage: {_quote(opportunity) if opportunity else 'null'}",
            "the stage a deal's creation enters (null: none)",
        )
    )
    lines.append(
        _line(f"won_stage: {_quote(keys[-1])}", "the stage a won deal's close date enters")
    )
    return lines


_SOURCE = {"leads": "ma", "opportunities": "sfa", "campaigns": "marketing", "activities": "sfa"}
_NOT_HUMAN = re.compile(r"auto|newsletter|open|click|visit|web|bulk|mass|bounce|unsubscribe", re.I)


def _column_lines(
    assigned: dict[str, ColumnInfo], table: RawTable, record: str
) -> tuple[list[str], list[str]]:
    """The ``columns:`` block and the ``values:`` block (the channel's values to map)."""
    lines, values = ["columns:"], []
    for role, column in assigned.items():
        if column.kind == "date":
            note = f"dates like {column.date_example}"
        elif role == "email":
            note = "kept only as a hash, to match people across systems"
        elif role in ("sales_team", "team"):
            note = f"check: {column.distinct} values (not shown: they may be people's names)"
        elif role == "lead_id" and record == "activities":
            note = "the touched lead's id (check lead_source_system below)"
        else:
            note = _examples(column) or ("check" if column.kind != "amount" else "")
        lines.append(_line(f"  {role}: {_quote(column.name)}", note))
    channel = assigned.get("channel")
    if channel is not None and 0 < channel.distinct <= 30:
        values = ["values:", _line("  channel:", "check: the file's values -> your channel names")]
        for value in value_counts(table, channel.name).index[:30]:
            values.append(f"    {_quote(str(value))}: {_quote(_snake(str(value)))}")
    if len(lines) == 1:
        lines = [_line("columns: {}", "check: map the store columns (docs/import.md)")]
    return lines, values


def _money_lines(columns: list[ColumnInfo], assigned: dict[str, ColumnInfo]) -> list[str]:
    money = [c for c in assigned.values() if c.kind == "amount"]
    if not money:
        return []
    lines = []
    if any(c.decimal == "," for c in money):
        lines.append(_line('decimal: ","', "amounts are written with a decimal comma (1.234,56)"))
    found = sorted({code for c in money for code in c.currencies})
    if len(found) == 1:
        lines.append(_line(f"currency: {found[0]}", "named by the amounts' symbols"))
    elif found:
        lines.append(
            _line(
                "",
                f"the amounts name several currencies ({', '.join(found)}): rows in "
                "another than the workspace's are held back",
            )
        )
    else:
        lines.append(_line("# currency: ...", "no symbol: amounts are in the workspace's currency"))
    return lines


def _lead_systems(store: Path | None, ids: list[str]) -> list[str]:
    """The source systems the store holds these lead ids under (most first); [] if unknown."""
    if store is None or not store.is_file() or not ids:
        return []
    import duckdb
    import pandas as pd

    try:
        con = duckdb.connect(str(store), read_only=True)
    except duckdb.Error:  # busy or unreadable: the draft goes without
        return []
    try:
        con.register("_rk_ids", pd.DataFrame({"lead_id": pd.Series(ids, dtype=object)}))
        rows = con.execute(
            "SELECT l.source_system FROM leads l JOIN _rk_ids USING (lead_id) "
            "GROUP BY 1 ORDER BY count(*) DESC, 1"
        ).fetchall()
    except duckdb.Error:
        return []
    finally:
        con.close()
    return [str(r[0]) for r in rows]


def _activity_lines(
    assigned: dict[str, ColumnInfo], table: RawTable, store: Path | None
) -> list[str]:
    lead = assigned.get("lead_id")
    ids = [str(v) for v in value_counts(table, lead.name).index[:2000]] if lead else []
    systems = _lead_systems(store, ids)
    if systems and systems[0] != _SOURCE["activities"]:
        note = f"the store holds these leads under {', '.join(systems)}"
        lines = [_line(f"lead_source_system: {systems[0]}", note)]
    elif systems:
        lines = []
    else:
        note = "check: the system whose lead ids the file holds, if not source_system"
        lines = [_line(f"# lead_source_system: {_SOURCE['leads']}", note)]
    kind = assigned.get("activity_type")
    if kind is not None and "is_human" not in assigned:
        types = [str(v) for v in value_counts(table, kind.name).index[:30]]
        human = [v for v in types if not _NOT_HUMAN.search(v)]
        lines.append(
            _line(
                f"human_types: [{', '.join(map(_quote, human))}]",
                "check: the touches a person makes (the rest are automated)",
            )
        )
    return lines


def draft_profile(
    table: RawTable,
    *,
    definitions: Definitions,
    name: str,
    record: str | None = None,
    store: Path | None = None,
) -> Draft:
    """Draft a profile for the file ``table`` (see the module's docstring).

    Parameters
    ----------
    table
        The export, read by :func:`reviewkit.ingest.readers.read_table`.
    definitions
        The workspace's funnel: date columns are matched to its stage keys.
    name
        The profile's name (for the commands in its comments).
    record
        ``leads``, ``opportunities``, ``campaigns`` or ``activities``; default: guessed.
    store
        The workspace's store, read (if it exists) to tell which source system holds the
        leads a touches file names.

    Returns
    -------
    Draft
        The YAML text and the guesses.
    """
    if record is not None and record not in RECORD_COLUMNS:
        raise ConfigError(f"--record: {record!r} is not a record kind; use {list(RECORD_COLUMNS)}")
    columns = describe_columns(table)
    kind = record or guess_record(columns)
    id_column = pick_id(columns, kind, len(table.frame))
    assigned = assign_columns(columns, kind, id_column)
    file_name = table.file.name
    lines = _head_lines(table, kind=kind, name=name, id_column=id_column)
    block, values = _column_lines(assigned, table, kind)
    lines += block + values
    stages = stage_columns(columns, definitions, assigned) if kind == "leads" else {}
    if stages:
        lines.append(_line("stages:", "stage key of params/definitions.yml: its date column"))
        lines += [f"  {key}: {_quote(column.name)}" for key, column in stages.items()]
    dayfirst, note = _date_notes(columns)
    if note:
        lines.append(_line(f"dayfirst: {'true' if dayfirst else 'false'}", note))
    lines += _money_lines(columns, assigned)
    if kind == "opportunities":
        lines += _opportunity_lines(table, assigned, definitions, file_name)
    if kind == "activities":
        lines += _activity_lines(assigned, table, store)
    used = {c.name for c in [*assigned.values(), *stages.values()]}
    lines += _leftover_lines(columns, used | ({id_column.name} if id_column else set()))
    return Draft(
        name=name,
        record=kind,
        text="\n".join(lines) + "\n",
        id_column=id_column.name if id_column else None,
        columns={role: c.name for role, c in assigned.items()},
        stages={key: c.name for key, c in stages.items()},
        personal=[c.name for c in columns if c.personal and c not in assigned.values()],
    )


def _head_lines(
    table: RawTable, *, kind: str, name: str, id_column: ColumnInfo | None
) -> list[str]:
    """The profile's first lines: how to try it, its source, record kind, encoding and id."""
    file_name = table.file.name
    lines = [
        f"# Draft import profile for {file_name}, written by `reviewkit profile draft` on "
        f"{dt.date.today().isoformat()}.",
        "# Check each line (the comments say what was guessed), then try it; nothing is written:",
        f"#   reviewkit import {file_name} --profile {name} --dry-run",
        "# Every key is explained in docs/import.md.",
        f"description: {_quote(f'{file_name} (drafted)')}",
        _line(
            f"source_system: {_SOURCE[kind]}",
            "check: the system the file comes from; one name per system",
        ),
        _line(
            f"record: {kind}",
            "guessed from the columns: leads | opportunities | campaigns | activities",
        ),
    ]
    if table.encoding:
        lines.append(_line(f"encoding: {table.encoding}", "detected"))
    if id_column is not None:
        note = (
            "the campaign's id (a campaign may have a row per month: rows are keyed by id and "
            "start date)"
            if kind == "campaigns"
            else "unique in every row"
        )
        lines.append(_line(f"id: [{_quote(id_column.name)}]", note))
    elif kind == "activities":
        lines.append(_line("", "no id column: each touch gets an id made from its content"))
    else:
        lines.append(_line("id: []", "check: no column is unique; name the id column here"))
    return lines


def _leftover_lines(columns: list[ColumnInfo], used: set[str]) -> list[str]:
    personal = [c.name for c in columns if c.personal and c.name not in used]
    others = [c for c in columns if c.name not in used and not c.personal and c.kind != "empty"]
    lines = []
    if personal:
        lines.append(_line("", f"not imported, personal data: {', '.join(personal)}"))
    if others:
        shown = "; ".join(
            f"{c.name}" + (f" ({_examples(c)})" if _examples(c) else "") for c in others[:12]
        )
        lines.append(_line("", f"other columns you may map under columns: {shown}"))
    return lines


def write_draft(
    path: Path,
    *,
    sources_dir: Path,
    definitions: Definitions,
    name: str | None = None,
    record: str | None = None,
    encoding: str | None = None,
    store: Path | None = None,
) -> tuple[Path, Draft]:
    """Read ``path``, draft its profile and write it to ``sources_dir/NAME.yml``.

    ``store``: the workspace's store, if any (see :func:`draft_profile`).

    Raises
    ------
    ConfigError
        The profile file exists already (it is never overwritten), or ``record`` is unknown.
    DataError
        The file cannot be read (see :func:`reviewkit.ingest.readers.read_table`).
    """
    profile_name = check_profile_name(name) if name is not None else draft_name(path)
    target = sources_dir / f"{profile_name}.yml"
    if target.exists():
        raise ConfigError(
            f"{target}: a profile with this name exists already; edit it, or draft another "
            "with --name NAME"
        )
    table = read_table(path, encoding=encoding)
    draft = draft_profile(
        table, definitions=definitions, name=profile_name, record=record, store=store
    )
    sources_dir.mkdir(parents=True, exist_ok=True)
    target.write_text(draft.text, encoding="utf-8")
    return target, draft
