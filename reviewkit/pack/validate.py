"""What `reviewkit validate` checks against the store: what a run would otherwise find late.

Configuration can be valid on its own and still not fit the data: a schedule segment no lead
has (the run refuses it), a stage whose event no import recorded (every pack would count 0), a
store not created yet. :func:`store_problems` returns errors (a run would fail) and warnings
(a run would build, but show less than the user expects), each one line naming the file, the
key, the value and the fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb

from reviewkit.core.workspace import Workspace
from reviewkit.errors import ParameterError, ReviewkitError, StoreBusyError
from reviewkit.model.definitions import Definitions
from reviewkit.model.scope import check_scope
from reviewkit.pack.schedule import Job
from reviewkit.store.schema import connect


@dataclass
class StoreProblems:
    """Lines for `reviewkit validate`: ``errors`` make it fail, ``warnings`` do not."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def store_problems(
    ws: Workspace, *, definitions: Definitions, jobs: Sequence[Job] = ()
) -> StoreProblems:
    """Check the schedule and the definitions against the workspace's store.

    Parameters
    ----------
    ws
        The workspace.
    definitions
        Its definitions (already validated on their own).
    jobs
        The packs of ``params/schedule.yml`` (segment packs are checked against the store).

    Returns
    -------
    StoreProblems
        Nothing when the store is busy (an import is writing: it checks its own rows).
    """
    found = StoreProblems()
    found.errors += _parameter_problems(jobs, definitions=definitions)
    if not ws.store_path.exists():
        found.warnings.append(
            f"store {ws.config.store!r} does not exist yet: import your exports first "
            "(`reviewkit import FILE --profile NAME`; docs/own-data.md), or `reviewkit "
            "sample` for the sample company"
        )
        return found
    try:
        con = connect(ws.store_path, read_only=True, timezone=ws.config.timezone)
    except StoreBusyError:
        return found
    try:
        found.errors += _segment_problems(con, jobs, definitions=definitions)
        found.warnings += _stage_warnings(con, definitions)
        found.warnings += _emptied_sources(con, ws)
    finally:
        con.close()
    return found


def _parameter_problems(jobs: Sequence[Job], *, definitions: Definitions) -> list[str]:
    """One line per schedule parameter the funnel cannot take (a run would refuse it)."""
    from reviewkit.analysis.kgi_target import check_next_kgi_target
    from reviewkit.analysis.whatif_scope import check_what_if_rule

    lines: list[str] = []
    for job in jobs:
        if job.cadence != "quarterly" or not job.parameters:
            continue
        try:
            check_what_if_rule(definitions, job.parameters.get("what_if_rule"))
            check_next_kgi_target(definitions, job.parameters.get("next_kgi_target"))
        except ReviewkitError as exc:
            line = f"params/schedule.yml: entry {job.entry!r}: {exc}"
            if line not in lines:
                lines.append(line)
    return lines


def _segment_problems(
    con: duckdb.DuckDBPyConnection, jobs: Sequence[Job], *, definitions: Definitions
) -> list[str]:
    """One line per schedule segment the store has no lead for (the run would refuse it)."""
    lines: list[str] = []
    seen: set[str] = set()
    for job in jobs:
        if job.scope is None or job.scope.text in seen:
            continue
        seen.add(job.scope.text)
        try:
            check_scope(con, job.scope, definitions=definitions)
        except ParameterError as exc:
            lines.append(f"params/schedule.yml: entry {job.entry!r}: {exc}")
    return lines


def _stage_warnings(con: duckdb.DuckDBPyConnection, definitions: Definitions) -> list[str]:
    """One line per kind of funnel data the store lacks (:mod:`reviewkit.semantic.funnel_gaps`).

    Also: a store without leads, and a source system imported whose records are all gone.
    """
    from reviewkit.semantic.funnel_gaps import funnel_gaps, gap_warnings

    leads, records = con.execute(
        "SELECT (SELECT count(*) FROM leads), (SELECT count(*) FROM leads) "
        "+ (SELECT count(*) FROM opportunities) + (SELECT count(*) FROM stage_events)"
    ).fetchall()[0]
    if records == 0:
        return ["the store holds no leads yet: import your exports (docs/own-data.md)"]
    lines = []
    if leads == 0:
        lines.append(
            "the store holds no leads, only deals: each deal counts as its own lead, so lead "
            "attributes (channel, campaign, industry) are empty in every pack; import the MA's "
            "lead export for them (docs/own-data.md)"
        )
    lines += gap_warnings(funnel_gaps(con, definitions), definitions)
    return lines


def _emptied_sources(con: duckdb.DuckDBPyConnection, ws: Workspace) -> list[str]:
    """A source system whose lead or deal imports the store recorded but holds nothing of now."""
    from reviewkit.analysis.quality import emptied_sources, record_profiles

    found = emptied_sources(con, profiles=record_profiles(con, ws), timezone=ws.config.timezone)
    return [
        f"store: source system {source!r} (profile {profile!r}) was imported but holds no "
        "lead, deal or stage event now, so every pack shows it as missing; import its export "
        f"again (reviewkit import FILE --profile {profile})"
        for source, _, profile in found
    ]
