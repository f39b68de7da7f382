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

from reviewkit.definitions import Definitions, EventStage
from reviewkit.errors import ParameterError, ReviewkitError, StoreBusyError
from reviewkit.redaction import quote_examples
from reviewkit.schedule import Job
from reviewkit.scope import check_scope
from reviewkit.store import connect
from reviewkit.workspace import Workspace


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
    finally:
        con.close()
    return found


def _parameter_problems(jobs: Sequence[Job], *, definitions: Definitions) -> list[str]:
    """One line per schedule parameter the funnel cannot take (a run would refuse it)."""
    from reviewkit.target_plan import check_next_kgi_target
    from reviewkit.whatif_scope import check_what_if_rule

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
    """One line per event stage no stage event of the store records."""
    if con.execute("SELECT count(*) FROM leads").fetchall()[0][0] == 0:
        return ["the store holds no leads yet: import your exports (docs/own-data.md)"]
    events = {r[0] for r in con.execute("SELECT DISTINCT stage FROM stage_events").fetchall()}
    lines = []
    for stage in definitions.stages:
        if isinstance(stage, EventStage) and stage.event not in events:
            known = quote_examples(sorted(events))  # a few, redacted: the line is shown
            lines.append(
                f"params/definitions.yml: stage {stage.key!r} (event {stage.event!r}): no "
                f"stage event of the store has it, so every pack counts 0 there; the store's "
                f"events are {known} (map a date column to {stage.key!r} under stages: of the "
                "import profile, or fix event:)"
            )
    if (
        definitions.kgi_is_revenue
        and not con.execute(
            "SELECT count(*) FROM opportunities WHERE amount IS NOT NULL AND amount <> 0"
        ).fetchall()[0][0]
    ):
        lines.append(
            "params/definitions.yml: kgi: revenue, but no deal in the store has an amount, so "
            "every pack shows revenue 0; import deals with an amount column, or make the KGI "
            "the count of the last stage (kgi: key: won_count)"
        )
    return lines
