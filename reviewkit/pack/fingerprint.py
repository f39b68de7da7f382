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
    rows = con.execute(" UNION ALL ".join(parts), params).fetchall()
    return _sha(json.dumps(sorted((str(n), int(c), str(h)) for n, c, h in rows)))


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
    """
    settings = {name: file_hash(params_dir / name, missing="missing") for name in SETTINGS_FILES}
    return {
        "data": data_hash(con, cutoff=cutoff, scope=scope, definitions=definitions),
        "parameters": _sha(json.dumps(dict(parameters), sort_keys=True, default=str)),
        "definitions": definitions_hash,
        "targets": targets_hash(targets),
        "settings": _sha(json.dumps(settings, sort_keys=True)),
        "template": file_hash(template, missing="missing"),
        "reviewkit": code_hash(),
    }


def inputs_digest(inputs: Mapping[str, str]) -> str:
    """One digest of all the inputs (what a batch compares)."""
    return _sha(json.dumps(dict(inputs), sort_keys=True))
