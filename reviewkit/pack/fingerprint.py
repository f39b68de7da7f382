"""What a pack is built from, as hashes: a batch skips a pack whose inputs are unchanged.

A pack's inputs are the store's rows it can see (the people of its segment, events before its
cut-off), the quarantine, its parameters (cadence, review date, language, segment, template
parameters), the definitions, its targets, the workspace's other settings files, the
template, and reviewkit itself (version and source). :func:`pack_inputs` hashes each of them;
``manifest.json`` records them (``inputs``) and :func:`inputs_digest` their digest.

Rows after the cut-off never change a pack's figures (every metric ignores them), so they are
left out; whole-store facts a pack shows besides its figures (the last import per source in
the data-quality appendix) are not inputs: a skipped pack keeps those of its last build.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewkit.core.hashing import file_hash
from reviewkit.core.resources import package_file

if TYPE_CHECKING:
    import duckdb

    from reviewkit.model.definitions import Definitions
    from reviewkit.model.scope import Scope
    from reviewkit.model.targets import Targets

# Settings files every pack reads besides definitions and targets (hashed as bytes).
SETTINGS_FILES = ("workspace.yml", "actions.yml", "benchmarks.yml")

# Each table the funnel reads, and the column that dates its rows (None: undated).
_DATED = {
    "leads": "created_at",
    "stage_events": "entered_at",
    "score_changes": "changed_at",
    "opportunities": "created_at",
    "activities": "occurred_at",
    "lead_identity": None,
}


def _sha(data: bytes | str) -> str:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


@cache
def code_hash() -> str:
    """The version and a hash of reviewkit's source files (a code change rebuilds packs)."""
    root = package_file()
    digest = hashlib.sha256(metadata.version("reviewkit").encode())
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".yml", ".j2", ".css", ".js", ".json"}:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def data_hash(
    con: duckdb.DuckDBPyConnection,
    *,
    cutoff: dt.datetime,
    scope: Scope | None,
    definitions: Definitions | None = None,
) -> str:
    """A hash of the store rows a pack can see: its segment's people, dated before ``cutoff``.

    The people of a segment are those whose canonical lead record is in it, with all their
    lead records (as :class:`reviewkit.semantic.funnel.Funnel` counts them). Campaigns and the
    quarantine are hashed whole: they are few rows. ``definitions`` lets the segment be a
    dimension they add (``segments:``).
    """
    params: list[object] = []
    people = "TRUE"
    if scope is not None:
        marks = ", ".join("?" for _ in scope.values)
        column = (
            f'c."{scope.column}"'
            if definitions is None
            else definitions.column_sql(scope.column, "c")
        )
        people = (
            "t.lead_id IN (SELECT l.lead_id FROM leads l LEFT JOIN lead_identity i "
            "USING (lead_id) WHERE coalesce(i.person_id, l.lead_id) IN (SELECT c.lead_id "
            f"FROM leads c WHERE {column} IN ({marks})))"
        )
    parts = []
    for table, dated in _DATED.items():
        when = f" AND t.{dated} < ?" if dated else ""
        parts.append(
            f"SELECT '{table}' AS name, count(*) AS n, coalesce(sum(hash(t)), 0) AS h "
            f"FROM {table} t WHERE {people}{when}"
        )
        params += [*(scope.values if scope is not None else ()), *([cutoff] if dated else [])]
    parts.append(
        "SELECT 'campaigns', count(*), coalesce(sum(hash(t)), 0) FROM campaigns t "
        "WHERE t.start_date < CAST(? AS DATE)"
    )
    params.append(cutoff.date())
    parts.append("SELECT 'quarantine', count(*), coalesce(sum(hash(t)), 0) FROM quarantine t")
    return _hash_rows(con.execute(" UNION ALL ".join(parts), params).fetchall())


def _hash_rows(rows: list[tuple[object, int, object]]) -> str:
    return _sha(json.dumps(sorted((str(n), int(c), str(h)) for n, c, h in rows)))


class DataHashes:
    """:func:`data_hash` of many packs of one store, from a few queries (a batch's).

    Per cut-off, the whole store's counts and row-hash sums are read once; per segment column
    and cut-off, the same grouped by the segment value of each lead's person, in one query
    per table. A pack's hash then adds up its values' groups: every person is in exactly one
    value's group (their canonical record has one value), so the sums are those of
    :func:`data_hash`'s query and the hash is the same string. A column where that does not
    hold (not text, or a lead whose records name persons of several values) falls back to
    :func:`data_hash`.

    Parameters
    ----------
    con
        The store; its rows must not change while this object is used.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self._whole: dict[dt.datetime, list[tuple[str, int, int]]] = {}
        self._groups: dict[
            tuple[str, dt.datetime], dict[str, dict[str, tuple[int, int]]] | None
        ] = {}

    def data_hash(
        self, *, cutoff: dt.datetime, scope: Scope | None, definitions: Definitions | None = None
    ) -> str:
        """The same as :func:`data_hash` (see the class)."""
        whole = self._whole.get(cutoff)
        if whole is None:
            whole = self._whole[cutoff] = self._rows(cutoff)
        if scope is None:
            return _hash_rows(list(whole))
        column = (
            f'c."{scope.column}"'
            if definitions is None
            else definitions.column_sql(scope.column, "c")
        )
        key = (column, cutoff)
        if key not in self._groups:
            self._groups[key] = self._grouped(column, cutoff)
        groups = self._groups[key]
        if groups is None:
            return data_hash(self.con, cutoff=cutoff, scope=scope, definitions=definitions)
        rows: list[tuple[object, int, object]] = [r for r in whole if r[0] not in _DATED]
        for table in _DATED:
            per_value = groups.get(table, {})
            picked = [per_value[v] for v in set(scope.values) if v in per_value]
            rows.append((table, sum(n for n, _ in picked), sum(h for _, h in picked)))
        return _hash_rows(rows)

    def _rows(self, cutoff: dt.datetime) -> list[tuple[str, int, int]]:
        """Every table's count and hash sum for the whole company (as :func:`data_hash`)."""
        parts: list[str] = []
        params: list[object] = []
        for table, dated in _DATED.items():
            when = f" WHERE t.{dated} < ?" if dated else ""
            parts.append(
                f"SELECT '{table}' AS name, count(*) AS n, coalesce(sum(hash(t)), 0) AS h "
                f"FROM {table} t{when}"
            )
            params += [cutoff] if dated else []
        parts.append(
            "SELECT 'campaigns', count(*), coalesce(sum(hash(t)), 0) FROM campaigns t "
            "WHERE t.start_date < CAST(? AS DATE)"
        )
        params.append(cutoff.date())
        parts.append("SELECT 'quarantine', count(*), coalesce(sum(hash(t)), 0) FROM quarantine t")
        return [
            (str(n), int(c), int(h))
            for n, c, h in self.con.execute(" UNION ALL ".join(parts), params).fetchall()
        ]

    def _grouped(
        self, column: str, cutoff: dt.datetime
    ) -> dict[str, dict[str, tuple[int, int]]] | None:
        """Per table, per segment value: count and hash sum; ``None``: not additive here."""
        con = self.con
        kind = con.execute(f"SELECT typeof({column}) FROM leads c LIMIT 1").fetchone()
        if kind is not None and kind[0] != "VARCHAR":
            return None
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _rk_segment_of AS "
            f"SELECT DISTINCT l.lead_id, {column} AS v FROM leads l "
            "LEFT JOIN lead_identity i USING (lead_id) "
            "JOIN leads c ON c.lead_id = coalesce(i.person_id, l.lead_id) "
            f"WHERE {column} IS NOT NULL"
        )
        try:
            shared = con.execute(
                "SELECT count(*) FROM (SELECT lead_id FROM _rk_segment_of GROUP BY lead_id "
                "HAVING count(*) > 1)"
            ).fetchone()
            if shared is None or shared[0]:
                return None
            groups: dict[str, dict[str, tuple[int, int]]] = {}
            for table, dated in _DATED.items():
                when = f" WHERE t.{dated} < ?" if dated else ""
                rows = con.execute(
                    f"SELECT s.v, count(*), coalesce(sum(hash(t)), 0) FROM {table} t "
                    f"JOIN _rk_segment_of s ON s.lead_id = t.lead_id{when} GROUP BY s.v",
                    [cutoff] if dated else [],
                ).fetchall()
                groups[table] = {str(v): (int(n), int(h)) for v, n, h in rows}
            return groups
        finally:
            con.execute("DROP TABLE IF EXISTS _rk_segment_of")


def targets_hash(targets: Targets) -> str:
    """A hash of the targets a pack uses (after :meth:`Targets.scoped` for a segment)."""
    frame = targets.frame.sort_values(["month", "metric", "segment_key", "segment_value"])
    rows = [
        [str(m), str(k), str(sk), str(sv), repr(float(v))]
        for m, k, sk, sv, v in frame.itertuples(index=False, name=None)
    ]
    return _sha(json.dumps([targets.proration, rows]))


def pack_inputs(
    *,
    con: duckdb.DuckDBPyConnection,
    params_dir: Path,
    template: Path,
    parameters: Mapping[str, Any],
    definitions_hash: str,
    targets: Targets,
    cutoff: dt.datetime,
    scope: Scope | None,
    definitions: Definitions | None = None,
    data: DataHashes | None = None,
    targets_digest: str | None = None,
) -> dict[str, str]:
    """Hash each input of a pack (see the module docstring).

    Parameters
    ----------
    con
        The store.
    params_dir
        The workspace's ``params/`` folder.
    template
        The notebook template.
    parameters
        The template parameters the pack is run with (``workspace``, ``as_of``, ``lang``,
        ``segment``, ...).
    definitions_hash
        :attr:`reviewkit.model.definitions.Definitions.version_hash`.
    targets
        The targets the pack uses.
    cutoff
        The pack's data cut-off.
    scope
        Its segment, or ``None``.
    definitions
        The definitions, when the segment may be a dimension they add.
    data
        A batch's :class:`DataHashes` of ``con`` (the same hash, from fewer queries).
    targets_digest
        :func:`targets_hash` of ``targets``, when the caller has it already.
    """
    settings = {name: file_hash(params_dir / name, missing="missing") for name in SETTINGS_FILES}
    return {
        "data": (
            data_hash(con, cutoff=cutoff, scope=scope, definitions=definitions)
            if data is None
            else data.data_hash(cutoff=cutoff, scope=scope, definitions=definitions)
        ),
        "parameters": _sha(json.dumps(dict(parameters), sort_keys=True, default=str)),
        "definitions": definitions_hash,
        "targets": targets_hash(targets) if targets_digest is None else targets_digest,
        "settings": _sha(json.dumps(settings, sort_keys=True)),
        "template": file_hash(template, missing="missing"),
        "reviewkit": code_hash(),
    }


def inputs_digest(inputs: Mapping[str, str]) -> str:
    """One digest of all the inputs (what a batch compares)."""
    return _sha(json.dumps(dict(inputs), sort_keys=True))
